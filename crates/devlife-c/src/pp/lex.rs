//! Preprocessing tokenizer: splices lines, strips comments, and records for
//! each token its site, whether whitespace precedes it and whether it starts
//! a line.

use std::borrow::Cow;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::source::{FileId, Site};

/// Kind of a preprocessing token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TokKind {
    /// Identifier or keyword.
    Ident,
    /// Preprocessing number.
    Number,
    /// Character literal.
    Char,
    /// String literal.
    Str,
    /// Punctuator.
    Punct,
    /// A stray or malformed token (reported if it reaches the output).
    Invalid,
}

/// A set of macro ids a token may no longer expand (the "blue paint").
pub type Hideset = Option<Rc<[u32]>>;

/// A preprocessing token.
#[derive(Clone, Debug)]
pub struct PpToken {
    /// Kind.
    pub kind: TokKind,
    /// Spelling.
    pub text: Rc<str>,
    /// Original site; for tokens produced by macro expansion, the site of
    /// the outermost invocation in the file being preprocessed.
    pub site: Site,
    /// Whitespace (or a comment) precedes the token.
    pub space: bool,
    /// The token is the first on its line in the source (never true for
    /// tokens produced by expansion).
    pub bol: bool,
    /// Macros this token may not expand.
    pub hideset: Hideset,
}

impl PpToken {
    /// Whether the token is the punctuator or identifier `s`.
    pub fn is(&self, s: &str) -> bool {
        &*self.text == s && matches!(self.kind, TokKind::Punct | TokKind::Ident)
    }
}

/// Length of the punctuator at the start of `s` (longest match), 0 if none.
fn punct_len(s: &[u8]) -> usize {
    let at = |k: usize| s.get(k).copied().unwrap_or(0);
    let (c0, c1, c2) = (at(0), at(1), at(2));
    if matches!(
        (c0, c1, c2),
        (b'<', b'<', b'=') | (b'>', b'>', b'=') | (b'.', b'.', b'.')
    ) {
        return 3;
    }
    if matches!(
        (c0, c1),
        (b'-', b'>')
            | (b'+', b'+')
            | (b'-', b'-')
            | (b'<', b'<')
            | (b'>', b'>')
            | (b'<', b'=')
            | (b'>', b'=')
            | (b'=', b'=')
            | (b'!', b'=')
            | (b'&', b'&')
            | (b'|', b'|')
            | (b'#', b'#')
            | (b'*' | b'/' | b'%' | b'+' | b'-' | b'&' | b'^' | b'|', b'=')
    ) {
        return 2;
    }
    usize::from(b"[](){}.&*+-~!/%<>^|?:;=,#".contains(&c0))
}

/// A file's text without its backslash-newlines, and where each of its
/// physical lines starts: what a [`Lexer`] reads.
pub(crate) struct Spliced<'s> {
    chars: Cow<'s, [u8]>,
    anchors: Vec<Anchor>,
}

/// Reads the tokens of a [`Spliced`] file, one at a time.
pub(crate) struct Lexer<'c> {
    chars: &'c [u8],
    /// Where each physical line starts in `chars` (see [`splice`]).
    anchors: &'c [Anchor],
    /// The anchor of the last site looked up (sites are looked up in
    /// increasing order).
    anchor: usize,
    i: usize,
    file: FileId,
    /// The text of each distinct spelling, allocated once per file.
    texts: FxHashMap<&'c [u8], Rc<str>>,
    /// The same for one-byte spellings (most punctuators), by byte.
    bytes: [Option<Rc<str>>; 128],
    /// Whitespace precedes the next token.
    space: bool,
    /// The next token starts a line.
    bol: bool,
}

/// A place in the spliced text where a physical line starts (at the start
/// of the file, after a newline, after a backslash-newline), with its
/// original line and column.
#[derive(Clone, Copy)]
struct Anchor {
    at: usize,
    line: u32,
    column: u32,
}

/// Removes backslash-newline splices (copying only if there is one), and
/// records where each physical line starts.
pub(crate) fn splice(src: &[u8]) -> Spliced<'_> {
    let mut anchors = vec![Anchor {
        at: 0,
        line: 1,
        column: 1,
    }];
    // The text without splices, made on the first one.
    let mut chars: Option<Vec<u8>> = None;
    let (mut line, mut at, mut read) = (1u32, 0usize, 0usize);
    for seg in src.split_inclusive(|&b| b == b'\n') {
        let kept = match seg {
            [.., b'\\', b'\n'] => seg.len() - 2,
            [.., b'\\', b'\r', b'\n'] => seg.len() - 3,
            _ => seg.len(),
        };
        if kept < seg.len() || chars.is_some() {
            let c = chars.get_or_insert_with(|| {
                let mut c = Vec::with_capacity(src.len());
                c.extend_from_slice(&src[..read]);
                c
            });
            c.extend_from_slice(&seg[..kept]);
        }
        read += seg.len();
        at += kept;
        if seg.last() == Some(&b'\n') {
            line += 1;
            anchors.push(Anchor {
                at,
                line,
                column: 1,
            });
        }
    }
    let chars = match chars {
        Some(c) => Cow::Owned(c),
        None => Cow::Borrowed(src),
    };
    Spliced { chars, anchors }
}

impl Spliced<'_> {
    /// The length of the text in bytes.
    pub(crate) fn len(&self) -> usize {
        self.chars.len()
    }
}

/// Tokenizes one file.
pub fn lex(file: FileId, src: &[u8]) -> Vec<PpToken> {
    let spliced = splice(src);
    Lexer::new(file, &spliced).collect()
}

impl Iterator for Lexer<'_> {
    type Item = PpToken;

    fn next(&mut self) -> Option<PpToken> {
        self.next_token()
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

fn is_ident_cont(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

impl<'c> Lexer<'c> {
    /// A lexer at the start of `file`, whose text is `spliced`.
    pub(crate) fn new(file: FileId, spliced: &'c Spliced<'_>) -> Lexer<'c> {
        Lexer {
            chars: &spliced.chars,
            anchors: &spliced.anchors,
            anchor: 0,
            i: 0,
            file,
            texts: FxHashMap::default(),
            bytes: [const { None }; 128],
            space: false,
            bol: true,
        }
    }

    fn peek(&self, k: usize) -> u8 {
        self.chars.get(self.i + k).copied().unwrap_or(0)
    }

    /// The original site of byte `at` (called with increasing `at`).
    fn site(&mut self, at: usize) -> Site {
        while self
            .anchors
            .get(self.anchor + 1)
            .is_some_and(|a| a.at <= at)
        {
            self.anchor += 1;
        }
        let a = self.anchors[self.anchor];
        let column = a.column + u32::try_from(at - a.at).unwrap_or(u32::MAX - a.column);
        Site::new(self.file, a.line, column)
    }

    /// The next token, or `None` at the end of the file.
    fn next_token(&mut self) -> Option<PpToken> {
        while self.i < self.chars.len() {
            let c = self.peek(0);
            if c == b'\n' {
                self.i += 1;
                self.bol = true;
                self.space = true;
                continue;
            }
            if c == b' ' || c == b'\t' || c == b'\r' || c == 0x0b || c == 0x0c {
                self.i += 1;
                self.space = true;
                continue;
            }
            if c == b'/' && self.peek(1) == b'/' {
                while self.i < self.chars.len() && self.peek(0) != b'\n' {
                    self.i += 1;
                }
                self.space = true;
                continue;
            }
            let start = self.i;
            let kind = if c == b'/' && self.peek(1) == b'*' {
                if self.block_comment() {
                    self.space = true;
                    continue;
                }
                // An unterminated comment is a token, reported if it is output.
                TokKind::Invalid
            } else {
                self.scan()
            };
            let t = self.token(kind, start, self.space, self.bol);
            self.space = false;
            self.bol = false;
            return Some(t);
        }
        None
    }

    fn token(&mut self, kind: TokKind, start: usize, space: bool, bol: bool) -> PpToken {
        let end = self.i.min(self.chars.len());
        let chars: &'c [u8] = self.chars;
        let bytes = &chars[start..end];
        let text = match bytes {
            [b] if b.is_ascii() => {
                let slot = &mut self.bytes[usize::from(*b)];
                let t =
                    slot.get_or_insert_with(|| Rc::from(char::from(*b).encode_utf8(&mut [0; 4])));
                Rc::clone(t)
            }
            _ => match self.texts.get(bytes) {
                Some(t) => Rc::clone(t),
                None => {
                    let t: Rc<str> = Rc::from(String::from_utf8_lossy(bytes).as_ref());
                    self.texts.insert(bytes, Rc::clone(&t));
                    t
                }
            },
        };
        PpToken {
            kind,
            text,
            site: self.site(start),
            space,
            bol,
            hideset: None,
        }
    }

    /// Skips a block comment; false if unterminated.
    fn block_comment(&mut self) -> bool {
        self.i += 2;
        while self.i < self.chars.len() {
            if self.peek(0) == b'*' && self.peek(1) == b'/' {
                self.i += 2;
                return true;
            }
            self.i += 1;
        }
        false
    }

    fn scan(&mut self) -> TokKind {
        let c = self.peek(0);
        if is_ident_start(c) {
            return self.ident_or_prefixed_literal();
        }
        if c.is_ascii_digit() || (c == b'.' && self.peek(1).is_ascii_digit()) {
            self.number();
            return TokKind::Number;
        }
        if c == b'"' || c == b'\'' {
            return self.quoted(c);
        }
        let n = punct_len(&self.chars[self.i..]);
        if n > 0 {
            self.i += n;
            return TokKind::Punct;
        }
        self.i += 1;
        TokKind::Invalid
    }

    fn ident_or_prefixed_literal(&mut self) -> TokKind {
        let start = self.i;
        while is_ident_cont(self.peek(0)) {
            self.i += 1;
        }
        let word = &self.chars[start..self.i];
        let q = self.peek(0);
        if matches!(word, b"L" | b"u" | b"U" | b"u8") && (q == b'"' || q == b'\'') {
            return self.quoted(q);
        }
        TokKind::Ident
    }

    fn number(&mut self) {
        self.i += 1;
        loop {
            let c = self.peek(0);
            if matches!(c, b'e' | b'E' | b'p' | b'P') && matches!(self.peek(1), b'+' | b'-') {
                self.i += 2;
            } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn quoted(&mut self, q: u8) -> TokKind {
        self.i += 1;
        while self.i < self.chars.len() {
            match self.peek(0) {
                b'\\' if self.peek(1) != b'\n' && self.i + 1 < self.chars.len() => self.i += 2,
                b'\n' => return TokKind::Invalid,
                c if c == q => {
                    self.i += 1;
                    return if q == b'"' {
                        TokKind::Str
                    } else {
                        TokKind::Char
                    };
                }
                _ => self.i += 1,
            }
        }
        TokKind::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        lex(FileId(0), src.as_bytes())
            .iter()
            .map(|t| t.text.to_string())
            .collect()
    }

    /// The punctuators, longest first (the reference for `punct_len`).
    const PUNCTS: [&str; 48] = [
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
        "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##", "[", "]", "(", ")", "{", "}", ".",
        "&", "*", "+", "-", "~", "!", "/", "%", "<", ">", "^", "|", "?", ":", ";", "=", ",", "#",
    ];

    #[test]
    fn punct_len_is_the_longest_listed_punctuator() {
        let alphabet = b"<>=.-+&|*/%^!#[](){}~?:;,a 0";
        for &a in alphabet {
            for &b in alphabet {
                for &c in alphabet {
                    let s = [a, b, c];
                    let want = PUNCTS
                        .iter()
                        .find(|p| s.starts_with(p.as_bytes()))
                        .map_or(0, |p| p.len());
                    assert_eq!(punct_len(&s), want, "{:?}", std::str::from_utf8(&s));
                    assert_eq!(
                        punct_len(&s[..2]),
                        PUNCTS
                            .iter()
                            .find(|p| s[..2].starts_with(p.as_bytes()))
                            .map_or(0, |p| p.len())
                    );
                }
            }
        }
    }

    #[test]
    fn basic_tokens() {
        assert_eq!(
            texts("a->b += 0x1fUL; /* c */ 'x' \"s\\\"t\" ... ## 1e+5 L\"w\""),
            vec![
                "a",
                "->",
                "b",
                "+=",
                "0x1fUL",
                ";",
                "'x'",
                "\"s\\\"t\"",
                "...",
                "##",
                "1e+5",
                "L\"w\""
            ]
        );
    }

    #[test]
    fn crlf_splices_several_in_a_row_and_escaped_backslashes() {
        let toks = lex(FileId(0), b"a \\\r\nb \\\n\\\nc \"x\\\\\"\nd");
        let t: Vec<_> = toks
            .iter()
            .map(|t| (t.text.to_string(), t.site.line, t.site.column))
            .collect();
        assert_eq!(
            t,
            [
                ("a".into(), 1, 1),
                ("b".into(), 2, 1),
                ("c".into(), 4, 1),
                ("\"x\\\\\"".into(), 4, 3),
                ("d".into(), 5, 1)
            ]
        );
    }

    #[test]
    fn splices_and_positions() {
        let toks = lex(FileId(0), b"#define X \\\n  1\n  y // c\nz");
        let t: Vec<_> = toks
            .iter()
            .map(|t| (t.text.to_string(), t.site.line, t.site.column, t.bol))
            .collect();
        assert_eq!(t[0], ("#".into(), 1, 1, true));
        assert_eq!(t[3], ("1".into(), 2, 3, false));
        assert_eq!(t[4], ("y".into(), 3, 3, true));
        assert_eq!(t[5], ("z".into(), 4, 1, true));
    }

    #[test]
    fn unterminated_things_are_invalid() {
        let toks = lex(FileId(0), b"'abc\n\"x\n/* never");
        assert!(toks.iter().all(|t| t.kind == TokKind::Invalid));
        assert_eq!(toks.len(), 3);
    }
}
