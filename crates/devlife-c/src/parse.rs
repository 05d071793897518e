//! Renders the preprocessed token stream to text with a position map, parses
//! it with tree-sitter-c, and reports syntax errors at original sites.

use tree_sitter::{Node, Parser, Tree};

use crate::pp::{PpToken, TokKind};
use crate::source::Site;

/// Preprocessed text handed to tree-sitter, with each token's start byte and
/// original site.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// The text.
    pub text: String,
    /// Start byte of each token, increasing.
    pub starts: Vec<u32>,
    /// Original site of each token.
    pub sites: Vec<Site>,
}

impl Rendered {
    /// The original site of the token containing byte `b`.
    pub fn site_at(&self, b: usize) -> Site {
        let i = self.starts.partition_point(|&s| s as usize <= b);
        i.checked_sub(1)
            .and_then(|i| self.sites.get(i))
            .copied()
            .unwrap_or_else(|| self.sites.last().copied().unwrap_or(Site::NONE))
    }

    fn push(&mut self, text: &str, site: Site) {
        if let Some(last) = self.sites.last() {
            let sep = if last.line != site.line || last.file != site.file {
                '\n'
            } else {
                ' '
            };
            self.text.push(sep);
        }
        self.starts
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        self.sites.push(site);
        self.text.push_str(text);
    }
}

/// GNU spellings mapped to what tree-sitter-c knows (`None` drops the token).
fn normalize(word: &str) -> Option<Option<&'static str>> {
    Some(match word {
        "__extension__" | "__restrict" | "__restrict__" | "restrict" => None,
        "__inline" | "__inline__" => Some("inline"),
        "__signed" | "__signed__" => Some("signed"),
        "__const" | "__const__" => Some("const"),
        "__volatile" | "__volatile__" => Some("volatile"),
        "_Bool" => Some("bool"),
        "__typeof" | "__typeof__" => Some("typeof"),
        _ => return None,
    })
}

/// Renders tokens to text; rewrites `offsetof(T, m.path)` and
/// `__builtin_offsetof(...)` to the classic null-pointer form.
pub fn render(tokens: &[PpToken]) -> Rendered {
    let mut r = Rendered::default();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.kind == TokKind::Ident {
            if let Some(n) = normalize(&t.text) {
                if let Some(w) = n {
                    r.push(w, t.site);
                }
                i += 1;
                continue;
            }
            let is_off = matches!(&*t.text, "offsetof" | "__builtin_offsetof");
            if is_off && tokens.get(i + 1).is_some_and(|p| p.is("(")) {
                if let Some(used) = render_offsetof(&mut r, &tokens[i..]) {
                    i += used;
                    continue;
                }
            }
        }
        r.push(&t.text, t.site);
        i += 1;
    }
    r
}

/// `offsetof ( T , path )` → `( ( unsigned long ) & ( ( T * ) 0 ) -> path )`.
fn render_offsetof(r: &mut Rendered, toks: &[PpToken]) -> Option<usize> {
    let site = toks[0].site;
    let mut depth = 0usize;
    let mut comma = None;
    let mut close = None;
    for (k, t) in toks.iter().enumerate().skip(1) {
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
    for w in ["(", "(", "unsigned", "long", ")", "&", "(", "("] {
        r.push(w, site);
    }
    for t in &toks[2..comma] {
        r.push(&t.text, site);
    }
    for w in ["*", ")", "0", ")", "->"] {
        r.push(w, site);
    }
    for t in &toks[comma + 1..close] {
        r.push(&t.text, site);
    }
    r.push(")", site);
    Some(close + 1)
}

/// Why [`parse_text`] returned no tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseFailure {
    /// tree-sitter-c could not be set up (a build problem, not the input's).
    Setup,
    /// Error recovery went past its budget (see [`parse_text`]); the byte
    /// offset the parser had reached.
    GaveUp(usize),
}

/// Parses C text with tree-sitter-c, within a budget of parser operations
/// proportional to the text's length. On well-formed C the parser needs a
/// small fraction of it; on some malformed inputs tree-sitter's error
/// recovery grows without bound (a 344-byte file ran for minutes and past
/// 2 GB), and those are stopped. The budget counts operations, not time,
/// so the same input always gets the same answer.
pub fn parse_text(text: &str) -> Result<Tree, ParseFailure> {
    let mut p = Parser::new();
    p.set_language(&tree_sitter_c::LANGUAGE.into())
        .map_err(|_| ParseFailure::Setup)?;
    let budget = parse_budget(text.len());
    let mut checks = 0u64;
    let mut reached = 0usize;
    let mut progress = |state: &tree_sitter::ParseState| {
        // tree-sitter calls this once every 100 parser operations.
        checks += 1;
        reached = state.current_byte_offset();
        checks > budget
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    let bytes = text.as_bytes();
    let mut input = |at: usize, _| bytes.get(at..).unwrap_or_default();
    let tree = p.parse_with_options(&mut input, None, Some(options));
    tree.ok_or(ParseFailure::GaveUp(reached))
}

/// Progress checks (of 100 parser operations each) allowed for `len` bytes.
fn parse_budget(len: usize) -> u64 {
    PARSE_CHECKS_MIN + PARSE_CHECKS_PER_BYTE * len as u64
}

/// Budget floor, so that tiny inputs are never cut short. Measured: the
/// kernel's KUnit files need one check per ~110 bytes (kunit-test.c's 35 KB
/// of expanded C: 259), so the budget leaves them a hundredfold margin.
const PARSE_CHECKS_MIN: u64 = 2_000;
/// Budget per byte of text.
const PARSE_CHECKS_PER_BYTE: u64 = 1;

/// Maximum syntax errors reported.
const MAX_SYNTAX_ERRORS: usize = 10;

/// Collects ERROR and MISSING nodes as (site, message).
pub fn syntax_errors(tree: &Tree, r: &Rendered) -> Vec<(Site, String)> {
    let mut out = Vec::new();
    if !tree.root_node().has_error() {
        return out;
    }
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if out.len() >= MAX_SYNTAX_ERRORS {
            break;
        }
        if n.is_missing() {
            out.push((
                r.site_at(n.start_byte()),
                format!("syntax error: expected `{}`", n.kind()),
            ));
            continue;
        }
        if n.is_error() {
            out.push((r.site_at(n.start_byte()), error_message(n, r)));
            continue;
        }
        if n.has_error() {
            let kids: Vec<Node> = n.children(&mut cursor).collect();
            stack.extend(kids.into_iter().rev());
        }
    }
    out.sort();
    out
}

fn error_message(n: Node, r: &Rendered) -> String {
    let text = r.text.get(n.start_byte()..n.end_byte()).unwrap_or("");
    let first: String = text
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    if first.is_empty() {
        "syntax error".to_string()
    } else {
        format!("syntax error near `{first}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pp::preprocess;
    use crate::source::{Files, Source};

    fn rendered(src: &str) -> Rendered {
        let mut files = Files::new();
        let out = preprocess(&mut files, &[Source::new("t.c", src)]);
        render(&out.tokens)
    }

    #[test]
    fn render_keeps_lines_and_maps_sites() {
        let r = rendered("int a;\n#define X 1\nint b = X;");
        assert_eq!(r.text, "int a ;\nint b = 1 ;");
        let b = r.text.find('b').unwrap_or(0);
        assert_eq!(r.site_at(b), Site::new(crate::source::FileId(0), 3, 5));
        assert_eq!(r.site_at(b + 1), Site::new(crate::source::FileId(0), 3, 5));
    }

    #[test]
    fn offsetof_is_rewritten() {
        let r = rendered("x = __builtin_offsetof(struct s, a.b[1]);");
        assert_eq!(
            r.text,
            "x = ( ( unsigned long ) & ( ( struct s * ) 0 ) -> a . b [ 1 ] ) ;"
        );
        let r = rendered("__extension__ static __inline__ _Bool f;");
        assert_eq!(r.text, "static inline bool f ;");
    }

    #[test]
    fn the_parse_budget_leaves_real_code_alone_and_stops_runaway_recovery() {
        let good = rendered("struct s { int a; };\nint f(struct s *p) { return p->a * 2; }\n");
        assert!(parse_text(&good.text).is_ok());
        // Found by fuzzing (crates/devlife/tests/data/parser-blowup.c, as
        // the prelude's macros expand it): without a budget, error recovery
        // on this text ran for minutes and past 2 GB.
        let bad = include_str!("../tests/data/parser-blowup.rendered.c");
        match parse_text(bad) {
            Err(ParseFailure::GaveUp(at)) => assert!(at <= bad.len()),
            Ok(_) => panic!("the budget must stop this recovery"),
            Err(ParseFailure::Setup) => panic!("tree-sitter-c must load"),
        }
        assert!(parse_budget(0) >= PARSE_CHECKS_MIN);
        assert!(
            parse_budget(35_000) > 100 * 259,
            "a hundredfold margin over kunit-test.c"
        );
    }

    #[test]
    fn syntax_errors_point_at_source() {
        let r = rendered("int f(void) {\n  int x = ;\n  return 0;\n}\n");
        let tree = parse_text(&r.text);
        let errs = tree.map(|t| syntax_errors(&t, &r)).unwrap_or_default();
        assert!(!errs.is_empty());
        assert_eq!(errs[0].0.line, 2);
    }
}
