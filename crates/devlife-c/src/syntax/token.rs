//! The parser's tokens: the preprocessor's output with GNU spellings
//! normalized, `offsetof` rewritten, and every token classified once.

use std::rc::Rc;

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

/// Whether `t`, of class `tk`, is `offsetof` or `__builtin_offsetof`.
fn is_offsetof(tk: Tk, t: &PpToken) -> bool {
    tk == Tk::Offsetof || (tk == Tk::Ident && &*t.text == "__builtin_offsetof")
}

/// The parser's input: the preprocessor's tokens as the parser reads them
/// (see [`Tokens::new`]) and their classes, with a [`Tk::Eof`] sentinel
/// after the last class.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    pub(crate) toks: Vec<PpToken>,
    pub(crate) kinds: Vec<Tk>,
}

impl Tokens {
    /// Prepares the preprocessor's output for the parser, in place: drops
    /// `__extension__` and `restrict` spellings, classifies every token, and
    /// rewrites `offsetof(T, path)` and `__builtin_offsetof(T, path)` to
    /// `((unsigned long) &((T *) 0)->path)`, so that a member path with
    /// subscripts is an ordinary constant expression.
    pub fn new(mut pp: Vec<PpToken>) -> Tokens {
        let mut kinds = Vec::with_capacity(pp.len() + 1);
        let mut first_offsetof = None;
        let mut kept = 0;
        for i in 0..pp.len() {
            let t = &pp[i];
            let Some(tk) = classify(t.kind, &t.text) else {
                continue;
            };
            if first_offsetof.is_none() && is_offsetof(tk, t) {
                first_offsetof = Some(kept);
            }
            pp.swap(kept, i);
            kinds.push(tk);
            kept += 1;
        }
        pp.truncate(kept);
        let mut out = Tokens { toks: pp, kinds };
        if let Some(first) = first_offsetof {
            out.rewrite_offsetof(first);
        }
        out.kinds.push(Tk::Eof);
        out
    }

    /// Rewrites every `offsetof ( T , path )` from token `first` on.
    fn rewrite_offsetof(&mut self, first: usize) {
        let mut kinds = self.kinds.split_off(first).into_iter();
        let mut rest = self.toks.split_off(first).into_iter();
        let out = self;
        while let (Some(t), Some(tk)) = (rest.next(), kinds.next()) {
            if is_offsetof(tk, &t) && rest.as_slice().first().is_some_and(|p| p.is("(")) {
                if let Some(used) = out.offsetof(t.site, rest.as_slice()) {
                    rest.nth(used - 1);
                    kinds.nth(used - 1);
                    continue;
                }
            }
            out.toks.push(t);
            out.kinds.push(tk);
        }
    }

    /// Pushes a token of the `offsetof` rewrite (a word or punctuator of
    /// its own, or a token of the original) at the rewrite's site.
    fn push_text(&mut self, kind: TokKind, text: Rc<str>, site: Site) {
        if let Some(tk) = classify(kind, &text) {
            self.toks.push(PpToken {
                kind,
                text,
                site,
                space: false,
                bol: false,
                hideset: None,
            });
            self.kinds.push(tk);
        }
    }

    /// `( T , path )` at the start of `toks`, after an `offsetof` at
    /// `site` → the null-pointer form; returns the tokens used, or `None`
    /// (left as written) if there is no comma at depth 1 or no closing
    /// parenthesis.
    fn offsetof(&mut self, site: Site, toks: &[PpToken]) -> Option<usize> {
        let mut depth = 0usize;
        let mut comma = None;
        let mut close = None;
        for (k, t) in toks.iter().enumerate() {
            if t.is("(") || t.is("[") {
                depth += 1;
            } else if t.is(")") || t.is("]") {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            } else if t.is(",") && depth == 1 && comma.is_none() {
                comma = Some(k);
            }
        }
        let (comma, close) = (comma?, close?);
        let word = |w: &str| {
            let kind = match w.as_bytes()[0] {
                b'0' => TokKind::Number,
                b'a'..=b'z' => TokKind::Ident,
                _ => TokKind::Punct,
            };
            (kind, Rc::from(w))
        };
        for w in ["(", "(", "unsigned", "long", ")", "&", "(", "("] {
            let (kind, text) = word(w);
            self.push_text(kind, text, site);
        }
        for t in &toks[1..comma] {
            self.push_text(t.kind, t.text.clone(), site);
        }
        for w in ["*", ")", "0", ")", "->"] {
            let (kind, text) = word(w);
            self.push_text(kind, text, site);
        }
        for t in &toks[comma + 1..close] {
            self.push_text(t.kind, t.text.clone(), site);
        }
        let (kind, text) = word(")");
        self.push_text(kind, text, site);
        Some(close + 1)
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// The tokens.
    pub fn tokens(&self) -> &[PpToken] {
        &self.toks
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
        for t in &self.toks {
            if let Some(l) = last {
                let sep = if l.line != t.site.line || l.file != t.site.file {
                    '\n'
                } else {
                    ' '
                };
                text.push(sep);
            }
            starts.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
            text.push_str(standard_spelling(&t.text));
            last = Some(t.site);
        }
        (text, starts)
    }
}
