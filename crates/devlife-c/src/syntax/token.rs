//! The parser's tokens: the preprocessor's output with GNU spellings
//! normalized, `offsetof` rewritten, and every token classified once.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::pp::{PpToken, TokKind};
use crate::source::Site;

/// What a token is to the parser: a punctuator, a keyword (GNU spellings
/// share their standard keyword's class) or a kind of literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Tk {
    /// End of input (a sentinel after the last token).
    Eof,
    /// An identifier (a name that is not a keyword).
    Ident,
    /// A preprocessing number.
    Number,
    /// A character literal.
    Char,
    /// A string literal.
    Str,
    /// A malformed token (the front end reports these before parsing).
    Invalid,
    // Punctuators.
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `{`.
    LBrace,
    /// `}`.
    RBrace,
    /// `[`.
    LBracket,
    /// `]`.
    RBracket,
    /// `.`.
    Dot,
    /// `->`.
    Arrow,
    /// `++`.
    PlusPlus,
    /// `--`.
    MinusMinus,
    /// `&`.
    Amp,
    /// `*`.
    Star,
    /// `+`.
    Plus,
    /// `-`.
    Minus,
    /// `~`.
    Tilde,
    /// `!`.
    Bang,
    /// `/`.
    Slash,
    /// `%`.
    Percent,
    /// `<<`.
    Shl,
    /// `>>`.
    Shr,
    /// `<`.
    Lt,
    /// `>`.
    Gt,
    /// `<=`.
    Le,
    /// `>=`.
    Ge,
    /// `==`.
    EqEq,
    /// `!=`.
    Ne,
    /// `^`.
    Caret,
    /// `|`.
    Pipe,
    /// `&&`.
    AmpAmp,
    /// `||`.
    PipePipe,
    /// `?`.
    Question,
    /// `:`.
    Colon,
    /// `;`.
    Semi,
    /// `...`.
    Ellipsis,
    /// `=`.
    Assign,
    /// `*=`.
    StarAssign,
    /// `/=`.
    SlashAssign,
    /// `%=`.
    PercentAssign,
    /// `+=`.
    PlusAssign,
    /// `-=`.
    MinusAssign,
    /// `<<=`.
    ShlAssign,
    /// `>>=`.
    ShrAssign,
    /// `&=`.
    AmpAssign,
    /// `^=`.
    CaretAssign,
    /// `|=`.
    PipeAssign,
    /// `,`.
    Comma,
    /// `#`.
    Hash,
    /// `##`.
    HashHash,
    // Storage classes.
    /// `extern`.
    Extern,
    /// `static`.
    Static,
    /// `auto`.
    Auto,
    /// `register`.
    Register,
    /// `inline`, `__inline`, `__inline__`.
    Inline,
    /// `__forceinline`, `thread_local`, `__thread`.
    StorageOther,
    // Qualifiers.
    /// `const`, `__const`, `__const__`.
    Const,
    /// `volatile`, `__volatile`, `__volatile__`.
    Volatile,
    /// `constexpr`, `_Atomic`, `_Noreturn`, `noreturn`, `_Nonnull`.
    QualOther,
    /// `alignas`, `_Alignas`.
    Alignas,
    // Type specifiers.
    /// A name tree-sitter-c treats as a primitive type: `int`, `char`,
    /// `void`, `bool`/`_Bool`, `size_t`, `uint32_t`, ...
    Prim,
    /// `signed`, `__signed`, `__signed__`.
    Signed,
    /// `unsigned`.
    Unsigned,
    /// `long`.
    Long,
    /// `short`.
    Short,
    /// `struct`.
    Struct,
    /// `union`.
    Union,
    /// `enum`.
    Enum,
    /// `typedef`.
    Typedef,
    /// `typeof`, `__typeof`, `__typeof__` (a name, not a keyword, in
    /// tree-sitter-c: it reads `typeof(T)` as a macro-like type specifier).
    Typeof,
    // Statements.
    /// `if`.
    If,
    /// `else`.
    Else,
    /// `switch`.
    Switch,
    /// `case`.
    Case,
    /// `default`.
    Default,
    /// `while`.
    While,
    /// `do`.
    Do,
    /// `for`.
    For,
    /// `return`.
    Return,
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `goto`.
    Goto,
    // Expression keywords.
    /// `sizeof`.
    Sizeof,
    /// `_Alignof`, `alignof`, `__alignof__`, `__alignof`, `_alignof`.
    Alignof,
    /// `offsetof`.
    Offsetof,
    /// `_Generic`.
    Generic,
    /// `asm`, `__asm__`, `__asm`.
    Asm,
    /// `__attribute__`, `__attribute`.
    Attribute,
    /// `true`, `TRUE`.
    True,
    /// `false`, `FALSE`.
    False,
    /// `NULL`, `nullptr`.
    Null,
}

impl Tk {
    /// A storage-class specifier.
    pub fn is_storage(self) -> bool {
        matches!(
            self,
            Tk::Extern | Tk::Static | Tk::Auto | Tk::Register | Tk::Inline | Tk::StorageOther
        )
    }

    /// A type qualifier keyword (not `alignas`).
    pub fn is_qualifier(self) -> bool {
        matches!(self, Tk::Const | Tk::Volatile | Tk::QualOther)
    }

    /// `signed`, `unsigned`, `long` or `short`.
    pub fn is_sized(self) -> bool {
        matches!(self, Tk::Signed | Tk::Unsigned | Tk::Long | Tk::Short)
    }

    /// A token that names something where a name is expected: an identifier,
    /// or a word that is a keyword only in some positions.
    pub fn is_name(self) -> bool {
        matches!(self, Tk::Ident | Tk::Typeof)
    }

    /// An assignment operator.
    pub fn is_assignment(self) -> bool {
        matches!(
            self,
            Tk::Assign
                | Tk::StarAssign
                | Tk::SlashAssign
                | Tk::PercentAssign
                | Tk::PlusAssign
                | Tk::MinusAssign
                | Tk::ShlAssign
                | Tk::ShrAssign
                | Tk::AmpAssign
                | Tk::CaretAssign
                | Tk::PipeAssign
        )
    }

    /// A keyword (a word that is not a name to the parser).
    pub fn is_keyword(self) -> bool {
        (self as u8) >= (Tk::Extern as u8)
    }
}

/// The class of a preprocessing token; `None` for the GNU spellings the
/// parser drops.
fn classify(kind: TokKind, text: &str) -> Option<Tk> {
    Some(match kind {
        TokKind::Ident => return word(text),
        TokKind::Punct => punct(text),
        TokKind::Number => Tk::Number,
        TokKind::Char => Tk::Char,
        TokKind::Str => Tk::Str,
        TokKind::Invalid => Tk::Invalid,
    })
}

/// The class of a punctuator.
fn punct(text: &str) -> Tk {
    match text {
        "(" => Tk::LParen,
        ")" => Tk::RParen,
        "{" => Tk::LBrace,
        "}" => Tk::RBrace,
        "[" => Tk::LBracket,
        "]" => Tk::RBracket,
        "." => Tk::Dot,
        "->" => Tk::Arrow,
        "++" => Tk::PlusPlus,
        "--" => Tk::MinusMinus,
        "&" => Tk::Amp,
        "*" => Tk::Star,
        "+" => Tk::Plus,
        "-" => Tk::Minus,
        "~" => Tk::Tilde,
        "!" => Tk::Bang,
        "/" => Tk::Slash,
        "%" => Tk::Percent,
        "<<" => Tk::Shl,
        ">>" => Tk::Shr,
        "<" => Tk::Lt,
        ">" => Tk::Gt,
        "<=" => Tk::Le,
        ">=" => Tk::Ge,
        "==" => Tk::EqEq,
        "!=" => Tk::Ne,
        "^" => Tk::Caret,
        "|" => Tk::Pipe,
        "&&" => Tk::AmpAmp,
        "||" => Tk::PipePipe,
        "?" => Tk::Question,
        ":" => Tk::Colon,
        ";" => Tk::Semi,
        "..." => Tk::Ellipsis,
        "=" => Tk::Assign,
        "*=" => Tk::StarAssign,
        "/=" => Tk::SlashAssign,
        "%=" => Tk::PercentAssign,
        "+=" => Tk::PlusAssign,
        "-=" => Tk::MinusAssign,
        "<<=" => Tk::ShlAssign,
        ">>=" => Tk::ShrAssign,
        "&=" => Tk::AmpAssign,
        "^=" => Tk::CaretAssign,
        "|=" => Tk::PipeAssign,
        "," => Tk::Comma,
        "#" => Tk::Hash,
        "##" => Tk::HashHash,
        _ => Tk::Invalid,
    }
}

/// What a word is: `None` for the GNU spellings the parser drops
/// (`__extension__` and the `restrict` qualifiers), as the tree-sitter
/// pipeline did.
fn word(text: &str) -> Option<Tk> {
    Some(match text {
        "__extension__" | "__restrict" | "__restrict__" | "restrict" => return None,
        "extern" => Tk::Extern,
        "static" => Tk::Static,
        "auto" => Tk::Auto,
        "register" => Tk::Register,
        "inline" | "__inline" | "__inline__" => Tk::Inline,
        "__forceinline" | "thread_local" | "__thread" => Tk::StorageOther,
        "const" | "__const" | "__const__" => Tk::Const,
        "volatile" | "__volatile" | "__volatile__" => Tk::Volatile,
        "constexpr" | "_Atomic" | "_Noreturn" | "noreturn" | "_Nonnull" => Tk::QualOther,
        "alignas" | "_Alignas" => Tk::Alignas,
        "void" | "char" | "int" | "float" | "double" | "bool" | "_Bool" | "size_t" | "ssize_t"
        | "ptrdiff_t" | "intptr_t" | "uintptr_t" | "charptr_t" | "nullptr_t" | "max_align_t"
        | "int8_t" | "int16_t" | "int32_t" | "int64_t" | "uint8_t" | "uint16_t" | "uint32_t"
        | "uint64_t" | "char8_t" | "char16_t" | "char32_t" | "char64_t" => Tk::Prim,
        "signed" | "__signed" | "__signed__" => Tk::Signed,
        "unsigned" => Tk::Unsigned,
        "long" => Tk::Long,
        "short" => Tk::Short,
        "struct" => Tk::Struct,
        "union" => Tk::Union,
        "enum" => Tk::Enum,
        "typedef" => Tk::Typedef,
        "typeof" | "__typeof" | "__typeof__" => Tk::Typeof,
        "if" => Tk::If,
        "else" => Tk::Else,
        "switch" => Tk::Switch,
        "case" => Tk::Case,
        "default" => Tk::Default,
        "while" => Tk::While,
        "do" => Tk::Do,
        "for" => Tk::For,
        "return" => Tk::Return,
        "break" => Tk::Break,
        "continue" => Tk::Continue,
        "goto" => Tk::Goto,
        "sizeof" => Tk::Sizeof,
        "_Alignof" | "alignof" | "__alignof__" | "__alignof" | "_alignof" => Tk::Alignof,
        "offsetof" => Tk::Offsetof,
        "_Generic" => Tk::Generic,
        "asm" | "__asm__" | "__asm" => Tk::Asm,
        "__attribute__" | "__attribute" => Tk::Attribute,
        "true" | "TRUE" => Tk::True,
        "false" | "FALSE" => Tk::False,
        "NULL" | "nullptr" => Tk::Null,
        _ => Tk::Ident,
    })
}

/// The standard spelling of a GNU keyword spelling (other text as is).
fn standard_spelling(text: &str) -> &str {
    match text {
        "_Bool" => "bool",
        "__inline" | "__inline__" => "inline",
        "__signed" | "__signed__" => "signed",
        "__const" | "__const__" => "const",
        "__volatile" | "__volatile__" => "volatile",
        "__typeof" | "__typeof__" => "typeof",
        t => t,
    }
}

/// A token as the parser keeps it: its text (an index into the unit's
/// distinct texts) and its original site.
#[derive(Clone, Copy, Debug)]
struct Tok {
    text: u32,
    site: Site,
}

/// A token of [`Tokens`]: its text and original site.
#[derive(Clone, Copy, Debug)]
pub struct Token<'t> {
    /// Spelling (as written; a GNU spelling keeps its own text, see [`Tk`]).
    pub text: &'t str,
    /// Original site (for tokens from a macro expansion, the invocation's).
    pub site: Site,
}

/// The parser's input: the preprocessor's tokens as the parser reads them
/// (see [`Tokens::new`]) and their classes, with a [`Tk::Eof`] sentinel
/// after the last class. Each distinct text is kept once.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    texts: Vec<Rc<str>>,
    toks: Vec<Tok>,
    pub(crate) kinds: Vec<Tk>,
}

/// Builds [`Tokens`] from the preprocessor's tokens as they come: the
/// preprocessor writes its output here directly.
#[derive(Default)]
pub(crate) struct TokenSink {
    tokens: Tokens,
    /// The index of each text in `tokens.texts`, by its allocation (the
    /// preprocessor shares one allocation among the tokens spelled alike;
    /// `texts` keeps every allocation alive, so none is reused).
    ids: FxHashMap<usize, u32>,
    /// The last allocation seen in each of a few slots and its index: most
    /// tokens are spelled like a recent one, and this spares the map.
    recent: Vec<(usize, u32)>,
    /// Where the first `offsetof` is, if any.
    first_offsetof: Option<usize>,
    /// The malformed tokens (the front end reports them before parsing).
    invalid: Vec<(Site, Rc<str>)>,
}

/// The number of slots of [`TokenSink::recent`].
const RECENT: usize = 512;

/// At most this many malformed tokens are kept for diagnostics.
const MAX_INVALID: usize = 50;

impl crate::pp::Sink for TokenSink {
    fn push(&mut self, t: PpToken) {
        let Some(tk) = classify(t.kind, &t.text) else {
            return;
        };
        if tk == Tk::Invalid && self.invalid.len() < MAX_INVALID {
            self.invalid.push((t.site, Rc::clone(&t.text)));
        }
        if self.first_offsetof.is_none() && is_offsetof(tk, &t.text) {
            self.first_offsetof = Some(self.tokens.toks.len());
        }
        let text = self.intern(t.text);
        self.tokens.toks.push(Tok { text, site: t.site });
        self.tokens.kinds.push(tk);
    }

    fn reserve(&mut self, n: usize) {
        self.tokens.toks.reserve(n);
        self.tokens.kinds.reserve(n + 1);
    }
}

impl TokenSink {
    /// The index of `text` among the distinct texts.
    fn intern(&mut self, text: Rc<str>) -> u32 {
        let key = Rc::as_ptr(&text) as *const u8 as usize;
        if self.recent.is_empty() {
            self.recent = vec![(0, 0); RECENT];
        }
        let slot = (key >> 4) % RECENT;
        if self.recent[slot].0 == key {
            return self.recent[slot].1;
        }
        let texts = &mut self.tokens.texts;
        let id = *self.ids.entry(key).or_insert_with(|| {
            texts.push(text);
            u32::try_from(texts.len() - 1).unwrap_or(u32::MAX)
        });
        self.recent[slot] = (key, id);
        id
    }

    /// The tokens (with every `offsetof` rewritten), and the malformed
    /// tokens met.
    pub(crate) fn finish(mut self) -> (Tokens, Vec<(Site, Rc<str>)>) {
        if let Some(first) = self.first_offsetof {
            self.rewrite_offsetof(first);
        }
        self.tokens.kinds.push(Tk::Eof);
        (self.tokens, self.invalid)
    }

    /// Rewrites every `offsetof ( T , path )` from token `first` on.
    fn rewrite_offsetof(&mut self, first: usize) {
        let toks = self.tokens.toks.split_off(first);
        let kinds = self.tokens.kinds.split_off(first);
        let mut i = 0;
        while let (Some(&t), Some(&tk)) = (toks.get(i), kinds.get(i)) {
            let text = self.tokens.texts.get(t.text as usize).map_or("", |s| &**s);
            if is_offsetof(tk, text) && kinds.get(i + 1) == Some(&Tk::LParen) {
                if let Some(used) = self.offsetof(t.site, &toks[i + 1..], &kinds[i + 1..]) {
                    i += 1 + used;
                    continue;
                }
            }
            self.tokens.toks.push(t);
            self.tokens.kinds.push(tk);
            i += 1;
        }
    }

    /// `( T , path )` at the start of `toks`, after an `offsetof` at
    /// `site` → `((unsigned long) &((T *) 0)->path)`; returns the tokens
    /// used, or `None` (left as written) if there is no comma at depth 1 or
    /// no closing parenthesis.
    fn offsetof(&mut self, site: Site, toks: &[Tok], kinds: &[Tk]) -> Option<usize> {
        let mut depth = 0usize;
        let mut comma = None;
        let mut close = None;
        for (k, tk) in kinds.iter().enumerate() {
            match tk {
                Tk::LParen | Tk::LBracket => depth += 1,
                Tk::RParen | Tk::RBracket => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        close = Some(k);
                        break;
                    }
                }
                Tk::Comma if depth == 1 && comma.is_none() => comma = Some(k),
                _ => {}
            }
        }
        let (comma, close) = (comma?, close?);
        for w in ["(", "(", "unsigned", "long", ")", "&", "(", "("] {
            self.word(w, site);
        }
        self.copy(&toks[1..comma], &kinds[1..comma], site);
        for w in ["*", ")", "0", ")", "->"] {
            self.word(w, site);
        }
        self.copy(&toks[comma + 1..close], &kinds[comma + 1..close], site);
        self.word(")", site);
        Some(close + 1)
    }

    /// A token of the `offsetof` rewrite: a word or punctuator of its own.
    fn word(&mut self, w: &str, site: Site) {
        let kind = match w.as_bytes().first() {
            Some(b'0') => TokKind::Number,
            Some(b'a'..=b'z') => TokKind::Ident,
            _ => TokKind::Punct,
        };
        if let Some(tk) = classify(kind, w) {
            let text = self.intern(Rc::from(w));
            self.tokens.toks.push(Tok { text, site });
            self.tokens.kinds.push(tk);
        }
    }

    /// Tokens of the original, moved to the rewrite's site.
    fn copy(&mut self, toks: &[Tok], kinds: &[Tk], site: Site) {
        for (t, tk) in toks.iter().zip(kinds) {
            self.tokens.toks.push(Tok { text: t.text, site });
            self.tokens.kinds.push(*tk);
        }
    }
}

/// Whether a token of class `tk` spelled `text` is `offsetof` or
/// `__builtin_offsetof`.
fn is_offsetof(tk: Tk, text: &str) -> bool {
    tk == Tk::Offsetof || (tk == Tk::Ident && text == "__builtin_offsetof")
}

impl Tokens {
    /// Prepares the preprocessor's output for the parser: drops
    /// `__extension__` and `restrict` spellings, classifies every token, and
    /// rewrites `offsetof(T, path)` and `__builtin_offsetof(T, path)` to
    /// `((unsigned long) &((T *) 0)->path)`, so that a member path with
    /// subscripts is an ordinary constant expression. (The front end has
    /// the preprocessor write into a [`TokenSink`] directly.)
    pub fn new(pp: Vec<PpToken>) -> Tokens {
        let mut sink = TokenSink::default();
        crate::pp::Sink::reserve(&mut sink, pp.len());
        for t in pp {
            crate::pp::Sink::push(&mut sink, t);
        }
        sink.finish().0
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Token `i`.
    pub fn get(&self, i: usize) -> Option<Token<'_>> {
        let t = self.toks.get(i)?;
        Some(Token {
            text: self.texts.get(t.text as usize).map_or("", |s| &**s),
            site: t.site,
        })
    }

    /// The last token.
    pub fn last(&self) -> Option<Token<'_>> {
        self.get(self.toks.len().checked_sub(1)?)
    }

    /// The class of token `i` ([`Tk::Eof`] past the end).
    pub fn kind(&self, i: usize) -> Tk {
        self.kinds.get(i).copied().unwrap_or(Tk::Eof)
    }

    /// The tokens as C text, one separator between tokens (a newline where
    /// the original line or file changes, else a space) and GNU spellings
    /// in their standard form (`__inline__` as `inline`), with the start
    /// byte of each token: what the tree-sitter pipeline parsed, kept to
    /// compare the two parsers and to show what the parser sees.
    pub fn render(&self) -> (String, Vec<u32>) {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(self.toks.len());
        let mut last: Option<Site> = None;
        for t in (0..self.len()).filter_map(|i| self.get(i)) {
            if let Some(l) = last {
                let sep = if l.line != t.site.line || l.file != t.site.file {
                    '\n'
                } else {
                    ' '
                };
                text.push(sep);
            }
            starts.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
            text.push_str(standard_spelling(t.text));
            last = Some(t.site);
        }
        (text, starts)
    }
}
