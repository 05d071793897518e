//! The recursive-descent parser: token access, scopes of typedef names,
//! nesting bounds, syntax errors and the translation unit. Declarations,
//! statements and expressions are in `decl.rs`, `stmt.rs` and `expr.rs`.

use rustc_hash::FxHashMap;

use super::token::{Tk, Tokens};
use super::tree::{Builder, Field, Kind, Tree};
use crate::source::Site;

/// Maximum nesting of expressions, statements, declarators and
/// initializers: the lowerer's bound, so that the parser never rejects
/// what the lowerer would accept.
const MAX_DEPTH: u32 = 256;

/// A syntax error was recorded; parsing stops.
#[derive(Debug)]
pub(crate) struct Fail;

/// Result of a parsing step.
pub(crate) type PResult<T = ()> = Result<T, Fail>;

/// Where a node starts: the builder's stack height and the token.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    stack: usize,
    tok: u32,
}

/// Which names are typedef names, as C's scopes say. Only what can change
/// the answer is recorded: typedefs, and ordinary declarations that hide a
/// typedef name.
struct Scopes<'t, 'f> {
    /// File-scope typedef names of the library the unit continues.
    library: &'f dyn Fn(&str) -> bool,
    /// Names declared at file scope by the unit: whether each is a typedef.
    file: FxHashMap<&'t str, bool>,
    /// Names declared in the open blocks (and parameter lists).
    block: Vec<(&'t str, bool)>,
    /// Length of `block` when each open scope began.
    marks: Vec<usize>,
}

impl<'t> Scopes<'t, '_> {
    fn is_typedef(&self, name: &str) -> bool {
        if let Some(&(_, t)) = self.block.iter().rev().find(|(n, _)| *n == name) {
            return t;
        }
        match self.file.get(name) {
            Some(&t) => t,
            None => (self.library)(name),
        }
    }

    fn push(&mut self) {
        self.marks.push(self.block.len());
    }

    fn pop(&mut self) {
        if let Some(m) = self.marks.pop() {
            self.block.truncate(m);
        }
    }

    /// Declares `name` in the innermost scope.
    fn declare(&mut self, name: &'t str, typedef: bool) {
        if !typedef && !self.is_typedef(name) {
            return;
        }
        if self.marks.is_empty() {
            self.file.insert(name, typedef);
        } else {
            self.block.push((name, typedef));
        }
    }
}

/// The parser's state.
pub(crate) struct Parser<'t, 'f> {
    toks: &'t Tokens,
    /// Token classes, with a [`Tk::Eof`] sentinel.
    kinds: &'t [Tk],
    pos: usize,
    pub(super) b: Builder,
    depth: u32,
    scopes: Scopes<'t, 'f>,
    error: Option<(Site, String)>,
    /// Parameter names of the last function declarator applied directly to
    /// a name (a function definition's parameters are in its body's scope).
    pub(super) params: Vec<&'t str>,
    /// Parameter names of the parameter lists being parsed.
    pub(super) param_names: Vec<&'t str>,
    /// Inside `__attribute__((...))`, where keywords are read as names.
    pub(super) in_attribute: bool,
}

/// Parses a translation unit. `library_typedef` says which names the
/// library the unit continues declared as typedefs at file scope. Returns
/// the tree, or the first syntax error.
pub(crate) fn parse(
    tokens: Tokens,
    library_typedef: &dyn Fn(&str) -> bool,
) -> Result<Tree, (Site, String)> {
    let (builder, result) = {
        let mut p = Parser {
            toks: &tokens,
            kinds: &tokens.kinds,
            pos: 0,
            b: Builder::with_capacity(tokens.len()),
            depth: 0,
            scopes: Scopes {
                library: library_typedef,
                file: FxHashMap::default(),
                block: Vec::new(),
                marks: Vec::new(),
            },
            error: None,
            params: Vec::new(),
            param_names: Vec::new(),
            in_attribute: false,
        };
        let r = p.translation_unit();
        let err = r.err().map(|Fail| {
            p.error
                .take()
                .unwrap_or((Site::NONE, "syntax error".to_string()))
        });
        (p.b, err)
    };
    match result {
        Some(e) => Err(e),
        None => Ok(builder.into_tree(tokens)),
    }
}

impl<'t> Parser<'t, '_> {
    // ----- tokens -----

    /// The class of the current token.
    pub(super) fn peek(&self) -> Tk {
        self.kinds[self.pos]
    }

    /// The class of the token `n` after the current one.
    pub(super) fn peek_at(&self, n: usize) -> Tk {
        self.kind_at(self.pos + n)
    }

    /// The class of token `i`.
    pub(super) fn kind_at(&self, i: usize) -> Tk {
        self.kinds.get(i).copied().unwrap_or(Tk::Eof)
    }

    /// The current token's index.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// The text of token `i`.
    pub(super) fn text_at(&self, i: usize) -> &'t str {
        self.toks.get(i).map_or("", |t| t.text)
    }

    /// Moves past the current token.
    pub(super) fn bump(&mut self) {
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
    }

    /// Moves past the current token if it is `tk`.
    pub(super) fn eat(&mut self, tk: Tk) -> bool {
        if self.peek() == tk {
            self.bump();
            true
        } else {
            false
        }
    }

    // ----- nodes -----

    pub(super) fn mark(&self) -> Mark {
        Mark {
            stack: self.b.depth(),
            tok: u32::try_from(self.pos).unwrap_or(u32::MAX),
        }
    }

    /// Completes a node of `kind` from `m` to the last token consumed.
    pub(super) fn finish(&mut self, m: Mark, kind: Kind) {
        let end = u32::try_from(self.pos).unwrap_or(u32::MAX);
        self.b.finish(m.stack, kind, m.tok, end);
    }

    /// The current token as a node of `kind`.
    pub(super) fn leaf(&mut self, kind: Kind) {
        self.b
            .leaf(kind, u32::try_from(self.pos).unwrap_or(u32::MAX));
        self.bump();
    }

    /// The current token as an anonymous node with field `f`.
    pub(super) fn token_leaf(&mut self, f: Field) {
        self.leaf(Kind::Token);
        self.b.set_field(f);
    }

    /// Sets the field of the last completed node.
    pub(super) fn field(&mut self, f: Field) {
        self.b.set_field(f);
    }

    /// Sets the field of the node that starts at `m` (when it is the only
    /// node completed since).
    pub(super) fn field_at(&mut self, m: Mark, f: Field) {
        self.b.set_field_at(m.stack, f);
    }

    // ----- scopes -----

    /// Whether token `i` is a name that is currently a typedef name.
    pub(super) fn is_typedef_at(&self, i: usize) -> bool {
        self.kind_at(i) == Tk::Ident && self.scopes.is_typedef(self.text_at(i))
    }

    pub(super) fn push_scope(&mut self) {
        self.scopes.push();
    }

    pub(super) fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Declares the name at token `i` in the innermost scope.
    pub(super) fn declare(&mut self, i: usize, typedef: bool) {
        let name = self.text_at(i);
        self.scopes.declare(name, typedef);
    }

    /// Declares a name (a parameter of the function being defined).
    pub(super) fn declare_name(&mut self, name: &'t str) {
        self.scopes.declare(name, false);
    }

    // ----- bounds and errors -----

    /// Runs `f` one nesting level deeper: bounded, and on a stack that grows.
    pub(super) fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_DEPTH {
            let site = self.here();
            return self.fail_at(site, "construct nested too deeply".to_string());
        }
        self.depth += 1;
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || f(self));
        self.depth -= 1;
        r
    }

    /// The current token's site (the last token's at the end).
    fn here(&self) -> Site {
        match self.toks.get(self.pos) {
            Some(t) => t.site,
            None => self.toks.last().map_or(Site::NONE, |t| t.site),
        }
    }

    /// Where something missing after the last token is reported, and what
    /// was found instead: the current token, or the end of the last one
    /// consumed if the current one is on a later line (a missing `;`
    /// belongs to the line it ends; the token on the next line, perhaps
    /// from a macro's expansion, is not named).
    fn after_here(&self) -> (Site, String) {
        let prev = self.pos.checked_sub(1).and_then(|p| self.toks.get(p));
        match (self.toks.get(self.pos), prev) {
            (Some(t), Some(p)) if t.site.line != p.site.line || t.site.file != p.site.file => {
                (p.site, String::new())
            }
            (Some(t), _) => (t.site, format!(", found {}", self.found())),
            (None, p) => (
                p.map_or(Site::NONE, |p| p.site),
                ", found end of file".to_string(),
            ),
        }
    }

    /// How the current token is named in a message.
    fn found(&self) -> String {
        match self.toks.get(self.pos) {
            None => "end of file".to_string(),
            Some(t) => {
                let text: String = t.text.chars().take(40).collect();
                let more = if text.len() < t.text.len() { "..." } else { "" };
                format!("`{text}{more}`")
            }
        }
    }

    fn fail_at<T>(&mut self, site: Site, msg: String) -> PResult<T> {
        if let (Tk::Hash | Tk::HashHash, Some(t)) = (self.peek(), self.toks.get(self.pos)) {
            // Nothing expects a `#` outside a directive: name it for what it is.
            let (site, text) = (t.site, t.text);
            return self.fail_at_exactly(site, format!("stray `{text}` in program"));
        }
        self.fail_at_exactly(site, msg)
    }

    fn fail_at_exactly<T>(&mut self, site: Site, msg: String) -> PResult<T> {
        if self.error.is_none() {
            self.error = Some((site, msg));
        }
        Err(Fail)
    }

    /// "expected `what`, found ..." at the current token.
    pub(super) fn expected<T>(&mut self, what: &str) -> PResult<T> {
        let msg = format!("syntax error: expected {what}, found {}", self.found());
        let site = self.here();
        self.fail_at(site, msg)
    }

    /// Consumes `tk`, which ends a construct; `what` names it for the
    /// error ("`;` after expression").
    pub(super) fn expect(&mut self, tk: Tk, what: &str) -> PResult {
        if self.eat(tk) {
            return Ok(());
        }
        let (site, found) = self.after_here();
        let msg = format!("syntax error: expected {what}{found}");
        self.fail_at(site, msg)
    }

    /// Consumes `tk`, which closes the bracket at token `open`.
    pub(super) fn expect_close(&mut self, tk: Tk, open: usize, what: &str) -> PResult {
        if self.eat(tk) {
            return Ok(());
        }
        let (site, found) = self.after_here();
        let mut msg = format!("syntax error: expected {what}{found}");
        if let Some(o) = self.toks.get(open) {
            if o.site.line != site.line || o.site.file != site.file {
                msg.push_str(&format!(
                    " (to close the `{}` on line {})",
                    o.text, o.site.line
                ));
            }
        }
        self.fail_at(site, msg)
    }

    // ----- the translation unit -----

    fn translation_unit(&mut self) -> PResult {
        let m = self.mark();
        while self.peek() != Tk::Eof {
            self.top_level_item()?;
        }
        self.finish(m, Kind::TranslationUnit);
        Ok(())
    }

    fn top_level_item(&mut self) -> PResult {
        match self.peek() {
            Tk::Semi => self.empty_statement(),
            Tk::Typedef => self.type_definition(),
            Tk::Ident if !self.is_typedef_at(self.pos) && !self.names_a_type_here() => {
                self.expression_statement()
            }
            Tk::Asm => self.expression_statement(),
            _ if self.starts_declaration() => self.declaration_or_definition(),
            _ => self.expected("a declaration"),
        }
    }

    /// Whether the unknown name at the current token is a type, at file
    /// scope: what follows it can only follow a type.
    fn names_a_type_here(&self) -> bool {
        let next = self.peek_at(1);
        matches!(next, Tk::Ident | Tk::Star | Tk::Attribute)
            || next.is_qualifier()
            || next.is_storage()
    }

    /// Whether the current token starts a declaration (in a block: a name
    /// starts one if it is a typedef name, or if a name follows it, which
    /// makes it an unknown type name).
    pub(super) fn starts_declaration(&self) -> bool {
        let tk = self.peek();
        match tk {
            _ if tk.is_storage() || tk.is_qualifier() || tk.is_sized() => true,
            Tk::Prim | Tk::Struct | Tk::Union | Tk::Enum | Tk::Alignas | Tk::Attribute => true,
            Tk::Typeof => self.peek_at(1) == Tk::LParen,
            Tk::Ident => {
                let next = self.peek_at(1);
                (self.is_typedef_at(self.pos) && next != Tk::Colon) || next == Tk::Ident
            }
            _ => false,
        }
    }

    /// Whether token `at` starts a type name (in a cast, `sizeof`, ...).
    pub(super) fn starts_type_name(&self, at: usize) -> bool {
        let tk = self.kind_at(at);
        match tk {
            _ if tk.is_qualifier() || tk.is_sized() => true,
            Tk::Prim | Tk::Struct | Tk::Union | Tk::Enum | Tk::Alignas => true,
            Tk::Typeof => self.kind_at(at + 1) == Tk::LParen,
            Tk::Ident => self.is_typedef_at(at),
            _ => false,
        }
    }
}
