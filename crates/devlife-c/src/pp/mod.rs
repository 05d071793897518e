//! The C preprocessor: directives, conditional inclusion and macro expansion
//! (Prosser's algorithm with hidesets, GNU extensions).
//!
//! Every output token keeps the [`Site`] of its origin; tokens produced by a
//! macro expansion carry the site of the outermost invocation (the macro
//! name) in the file being preprocessed. Macro arguments are pre-expanded
//! with their own sites, so `__LINE__` behaves like GCC: inside a macro body
//! it is the line of the invocation's macro name, inside an argument it is
//! the argument's own line.

pub mod expr;
pub mod lex;
mod saved;

use rustc_hash::FxHashMap;
use std::rc::Rc;

use crate::source::{Files, Site, Source};
pub use lex::{Hideset, PpToken, TokKind};

/// An `#include` line that was skipped (the embedder's prelude provides declarations).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Include {
    /// Where the directive is.
    pub site: Site,
    /// The header as written, e.g. `<linux/device.h>`.
    pub header: String,
}

/// Result of preprocessing.
#[derive(Clone, Debug, Default)]
pub struct PpOutput {
    /// The token stream.
    pub tokens: Vec<PpToken>,
    /// Errors (site, message).
    pub errors: Vec<(Site, String)>,
    /// Skipped `#include` directives.
    pub includes: Vec<Include>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Builtin {
    Line,
    File,
    Counter,
}

#[derive(Clone, Debug)]
struct Macro {
    id: u32,
    params: Option<Vec<Rc<str>>>,
    variadic: bool,
    body: Vec<PpToken>,
    builtin: Option<Builtin>,
}

/// The invocation being substituted: its name token, whether the variadic
/// argument was omitted, and the lazily pre-expanded arguments.
struct Invocation<'t> {
    name: &'t PpToken,
    va_omitted: bool,
    expanded: Vec<Option<Vec<PpToken>>>,
}

struct Cond {
    taken: bool,
    in_else: bool,
    site: Site,
}

/// Aborts preprocessing (budget exhausted).
struct Abort;

/// Maximum tokens produced by macro expansion in one run: twice what the
/// kernel's heaviest KUnit file (lib/overflow_kunit.c, ~230,000) needs, so
/// that a macro bomb is stopped after ~0.1 s.
pub(crate) const EXPANSION_BUDGET: usize = 500_000;
/// Maximum nesting of macro invocations inside macro arguments.
const MAX_ARG_DEPTH: u32 = 128;
/// Maximum number of errors kept.
const MAX_ERRORS: usize = 100;

/// What the preprocessor carries from one file to the next: the macro table
/// and the counters. A library's state is saved after its files so that
/// later units start from it instead of preprocessing the library again.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(into = "saved::SavedPpState", from = "saved::SavedPpState")]
pub(crate) struct PpState {
    macros: FxHashMap<Rc<str>, Entry>,
    /// The macros of a loaded library, built on first use.
    saved: Option<Rc<saved::SavedMacros>>,
    next_id: u32,
    counter: u64,
}

/// A macro of the table.
#[derive(Clone, Debug)]
enum Entry {
    /// Defined, or already built from a loaded library.
    Ready(Rc<Macro>),
    /// A loaded library's macro not built yet (its index there).
    Saved(u32),
}

/// Receives the preprocessor's output tokens, in order.
pub(crate) trait Sink {
    /// Takes the next output token.
    fn push(&mut self, t: PpToken);

    /// Room for about `n` more tokens is wanted.
    fn reserve(&mut self, n: usize);
}

impl Sink for Vec<PpToken> {
    fn push(&mut self, t: PpToken) {
        Vec::push(self, t);
    }

    fn reserve(&mut self, n: usize) {
        Vec::reserve(self, n);
    }
}

struct Pp<'f, 's> {
    files: &'f Files,
    /// Where the output goes.
    sink: &'s mut dyn Sink,
    /// Token vectors kept for reuse by later macro invocations.
    spare: Vec<Vec<PpToken>>,
    /// `__FILE__` of each file, spelled once.
    file_names: FxHashMap<crate::source::FileId, Rc<str>>,
    macros: FxHashMap<Rc<str>, Entry>,
    saved: Option<Rc<saved::SavedMacros>>,
    next_id: u32,
    counter: u64,
    budget: usize,
    depth: u32,
    out: PpOutput,
}

/// Preprocesses `sources` in order as one translation unit: macros defined in
/// earlier files are visible in later ones. Each source's name is added to
/// `files`.
pub fn preprocess(files: &mut Files, sources: &[Source<'_>]) -> PpOutput {
    preprocess_with_budget(files, sources, EXPANSION_BUDGET)
}

/// [`preprocess`] with a custom bound on tokens produced by macro expansion.
pub fn preprocess_with_budget(
    files: &mut Files,
    sources: &[Source<'_>],
    budget: usize,
) -> PpOutput {
    preprocess_from(files, None, sources, budget).1
}

/// Preprocesses `sources` starting from `state` (a fresh preprocessor if
/// `None`), and returns the state after the last file with the output.
pub(crate) fn preprocess_from(
    files: &mut Files,
    state: Option<PpState>,
    sources: &[Source<'_>],
    budget: usize,
) -> (PpState, PpOutput) {
    let mut tokens = Vec::new();
    let (state, mut out) = preprocess_into(files, state, sources, budget, &mut tokens);
    out.tokens = tokens;
    (state, out)
}

/// [`preprocess_from`], writing the output tokens to `sink` (the output's
/// own token list stays empty).
pub(crate) fn preprocess_into(
    files: &mut Files,
    state: Option<PpState>,
    sources: &[Source<'_>],
    budget: usize,
    sink: &mut dyn Sink,
) -> (PpState, PpOutput) {
    let ids: Vec<_> = sources.iter().map(|s| files.add(s.name)).collect();
    let mut pp = match state {
        // The saved state has the builtin macros already.
        Some(state) => Pp {
            macros: state.macros,
            saved: state.saved,
            next_id: state.next_id,
            counter: state.counter,
            ..Pp::empty(files, sink)
        },
        None => Pp::new(files, sink),
    };
    pp.budget = budget;
    for (src, id) in sources.iter().zip(ids) {
        let spliced = lex::splice(src.text);
        // Expansion adds tokens: room for one per three bytes is usually
        // enough (untouched room costs nothing).
        pp.sink.reserve(spliced.len() / 3);
        let input = Input::new(Rest::File(Box::new(lex::Lexer::new(id, &spliced))));
        if pp.run_file(input).is_err() {
            break;
        }
    }
    let state = PpState {
        macros: pp.macros,
        saved: pp.saved,
        next_id: pp.next_id,
        counter: pp.counter,
    };
    (state, pp.out)
}

fn tok(kind: TokKind, text: &str, site: Site) -> PpToken {
    PpToken {
        kind,
        text: Rc::from(text),
        site,
        space: false,
        bol: false,
        hideset: None,
    }
}

fn hs_contains(hs: &Hideset, id: u32) -> bool {
    hs.as_ref().is_some_and(|h| h.contains(&id))
}

/// The union of two hidesets (sorted id lists). Shares an operand instead
/// of allocating when the other adds nothing to it, which is the common
/// case for tokens passing through nested expansions.
fn hs_union(a: &Hideset, b: &Hideset) -> Hideset {
    match (a, b) {
        (None, x) | (x, None) => x.clone(),
        (Some(x), Some(y)) => {
            if Rc::ptr_eq(x, y) || is_sorted_subset(y, x) {
                return a.clone();
            }
            if is_sorted_subset(x, y) {
                return b.clone();
            }
            Some(Rc::from(merge_sorted(x, y)))
        }
    }
}

/// Whether every id of sorted `small` is in sorted `big`.
fn is_sorted_subset(small: &[u32], big: &[u32]) -> bool {
    let mut big = big.iter();
    small.iter().all(|s| big.any(|b| b == s))
}

/// The sorted union of two sorted, duplicate-free id lists.
fn merge_sorted(x: &[u32], y: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => {
                out.push(x[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(y[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(x[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&x[i..]);
    out.extend_from_slice(&y[j..]);
    out
}

/// `a` with `id` added (one allocation at most).
fn hs_add(a: &Hideset, id: u32) -> Hideset {
    match a {
        None => Some(Rc::from([id])),
        Some(x) => {
            let at = x.partition_point(|&v| v < id);
            if x.get(at) == Some(&id) {
                return a.clone();
            }
            let (before, after) = x.split_at(at);
            let ids = before
                .iter()
                .copied()
                .chain([id])
                .chain(after.iter().copied());
            Some(ids.collect())
        }
    }
}

fn hs_intersect(a: &Hideset, b: &Hideset) -> Hideset {
    match (a, b) {
        (Some(x), Some(y)) => {
            let v: Vec<u32> = x.iter().filter(|i| y.contains(i)).copied().collect();
            (!v.is_empty()).then(|| Rc::from(v))
        }
        _ => None,
    }
}

/// Tokens still to be read: expansions pushed back (a stack, the next on
/// top) in front of the rest of the input, which is read as it comes (a
/// file straight from its lexer, so its tokens are never all in memory).
struct Input<'c> {
    stack: Vec<PpToken>,
    /// The next token of `rest`, read ahead.
    ahead: Option<PpToken>,
    rest: Rest<'c>,
}

/// Where the rest of an [`Input`] comes from.
enum Rest<'c> {
    File(Box<lex::Lexer<'c>>),
    /// Tokens read by copy (a macro argument expanded on its own).
    Tokens(std::slice::Iter<'c, PpToken>),
}

impl<'c> Input<'c> {
    fn new(rest: Rest<'c>) -> Input<'c> {
        Input {
            stack: Vec::new(),
            ahead: None,
            rest,
        }
    }

    /// Takes the next token.
    fn pop(&mut self) -> Option<PpToken> {
        if let Some(t) = self.stack.pop() {
            return Some(t);
        }
        self.ahead.take().or_else(|| self.read())
    }

    /// The next token.
    fn last(&mut self) -> Option<&PpToken> {
        if !self.stack.is_empty() {
            return self.stack.last();
        }
        if self.ahead.is_none() {
            self.ahead = self.read();
        }
        self.ahead.as_ref()
    }

    fn read(&mut self) -> Option<PpToken> {
        match &mut self.rest {
            Rest::File(lexer) => lexer.next(),
            Rest::Tokens(toks) => toks.next().cloned(),
        }
    }

    /// Puts a token back in front.
    fn push(&mut self, t: PpToken) {
        self.stack.push(t);
    }

    /// Puts tokens back in front, in order (leaving `toks` empty).
    fn push_all(&mut self, toks: &mut Vec<PpToken>) {
        self.stack.extend(toks.drain(..).rev());
    }
}

/// Takes the rest of the current line.
fn read_line(pending: &mut Input<'_>) -> Vec<PpToken> {
    let mut line = Vec::new();
    while pending.last().is_some_and(|t| !t.bol) {
        if let Some(t) = pending.pop() {
            line.push(t);
        }
    }
    line
}

/// Renders tokens as GCC's `#` operator does.
fn stringize(toks: &[PpToken]) -> String {
    let mut s = String::from("\"");
    for (i, t) in toks.iter().enumerate() {
        if i > 0 && t.space {
            s.push(' ');
        }
        if matches!(t.kind, TokKind::Str | TokKind::Char) {
            for c in t.text.chars() {
                if c == '"' || c == '\\' {
                    s.push('\\');
                }
                s.push(c);
            }
        } else {
            s.push_str(&t.text);
        }
    }
    s.push('"');
    s
}

impl<'f, 's> Pp<'f, 's> {
    /// A preprocessor without macros.
    fn empty(files: &'f Files, sink: &'s mut dyn Sink) -> Pp<'f, 's> {
        Pp {
            files,
            sink,
            spare: Vec::new(),
            file_names: FxHashMap::default(),
            macros: FxHashMap::default(),
            saved: None,
            next_id: 0,
            counter: 0,
            budget: EXPANSION_BUDGET,
            depth: 0,
            out: PpOutput::default(),
        }
    }

    /// A preprocessor with the builtin and predefined macros.
    fn new(files: &'f Files, sink: &'s mut dyn Sink) -> Pp<'f, 's> {
        let mut pp = Pp::empty(files, sink);
        for (n, b) in [
            ("__LINE__", Builtin::Line),
            ("__FILE__", Builtin::File),
            ("__COUNTER__", Builtin::Counter),
        ] {
            pp.define_builtin(n, b);
        }
        for (n, v) in [
            ("__STDC__", "1"),
            ("__STDC_VERSION__", "201112L"),
            ("__STDC_HOSTED__", "1"),
            ("__x86_64__", "1"),
            ("__LP64__", "1"),
            ("__CHAR_BIT__", "8"),
            ("__SIZEOF_INT__", "4"),
            ("__SIZEOF_LONG__", "8"),
            ("__SIZEOF_LONG_LONG__", "8"),
            ("__SIZEOF_POINTER__", "8"),
        ] {
            let body = lex::lex(crate::source::FileId(0), v.as_bytes());
            pp.define(n, None, false, body);
        }
        pp
    }

    fn error(&mut self, site: Site, msg: impl Into<String>) {
        if self.out.errors.len() < MAX_ERRORS {
            self.out.errors.push((site, msg.into()));
        }
    }

    fn define_builtin(&mut self, name: &str, b: Builtin) {
        self.define(name, None, false, Vec::new());
        if let Some(Entry::Ready(m)) = self.macros.get_mut(name) {
            Rc::make_mut(m).builtin = Some(b);
        }
    }

    fn define(
        &mut self,
        name: &str,
        params: Option<Vec<Rc<str>>>,
        variadic: bool,
        body: Vec<PpToken>,
    ) {
        self.next_id += 1;
        let m = Macro {
            id: self.next_id,
            params,
            variadic,
            body,
            builtin: None,
        };
        self.macros.insert(Rc::from(name), Entry::Ready(Rc::new(m)));
    }

    fn run_file(&mut self, mut pending: Input<'_>) -> Result<(), Abort> {
        let mut conds: Vec<Cond> = Vec::new();
        while let Some(t) = pending.pop() {
            if t.bol && t.is("#") {
                self.directive(t, &mut pending, &mut conds)?;
                continue;
            }
            if !self.try_expand(&t, &mut pending)? {
                self.sink.push(t);
            }
        }
        for c in conds {
            self.error(c.site, "unterminated conditional directive");
        }
        Ok(())
    }

    fn directive(
        &mut self,
        hash: PpToken,
        pending: &mut Input<'_>,
        conds: &mut Vec<Cond>,
    ) -> Result<(), Abort> {
        let line = read_line(pending);
        let Some(name) = line.first() else {
            return Ok(());
        };
        let args = &line[1..];
        match &*name.text {
            "define" => self.do_define(args, name.site),
            "undef" => {
                if let Some(n) = args.first() {
                    self.macros.remove(&n.text);
                }
            }
            "include" | "include_next" => self.out.includes.push(Include {
                site: hash.site,
                header: args.iter().map(|t| &*t.text).collect::<Vec<_>>().join(""),
            }),
            "if" => {
                let v = self.eval_if(args, name.site)?;
                self.enter_cond(v, hash.site, pending, conds);
            }
            "ifdef" | "ifndef" => {
                let defined = args
                    .first()
                    .is_some_and(|n| self.macros.contains_key(&n.text));
                if args.is_empty() {
                    self.error(name.site, format!("#{} with no macro name", name.text));
                }
                self.enter_cond(
                    defined == (&*name.text == "ifdef"),
                    hash.site,
                    pending,
                    conds,
                );
            }
            "elif" | "else" => self.do_else(name, args, pending, conds)?,
            "endif" => {
                if conds.pop().is_none() {
                    self.error(name.site, "#endif without #if");
                }
            }
            "error" => {
                let msg = args.iter().map(|t| &*t.text).collect::<Vec<_>>().join(" ");
                self.error(hash.site, format!("#error {msg}"));
            }
            "pragma" | "line" | "ident" | "warning" | "sccs" => {}
            other => {
                let msg = format!("unsupported preprocessor directive `#{other}`");
                self.error(name.site, msg);
            }
        }
        Ok(())
    }

    fn enter_cond(
        &mut self,
        take: bool,
        site: Site,
        pending: &mut Input<'_>,
        conds: &mut Vec<Cond>,
    ) {
        conds.push(Cond {
            taken: take,
            in_else: false,
            site,
        });
        if !take {
            skip_group(pending);
        }
    }

    fn do_else(
        &mut self,
        name: &PpToken,
        args: &[PpToken],
        pending: &mut Input<'_>,
        conds: &mut [Cond],
    ) -> Result<(), Abort> {
        let is_else = &*name.text == "else";
        let Some(c) = conds.last_mut() else {
            self.error(name.site, format!("#{} without #if", name.text));
            return Ok(());
        };
        if c.in_else {
            self.error(name.site, format!("#{} after #else", name.text));
        }
        if c.taken {
            c.in_else |= is_else;
            skip_group(pending);
            return Ok(());
        }
        let take = if is_else {
            c.in_else = true;
            true
        } else {
            self.eval_if(args, name.site)?
        };
        if let Some(c) = conds.last_mut() {
            c.taken = take;
        }
        if !take {
            skip_group(pending);
        }
        Ok(())
    }

    fn do_define(&mut self, args: &[PpToken], site: Site) {
        let Some(name) = args.first().filter(|t| t.kind == TokKind::Ident) else {
            self.error(site, "macro name missing in #define");
            return;
        };
        if &*name.text == "defined" {
            self.error(name.site, "`defined` cannot be used as a macro name");
            return;
        }
        let rest = &args[1..];
        if rest.first().is_some_and(|t| t.is("(") && !t.space) {
            match parse_params(&rest[1..]) {
                Ok((params, variadic, used)) => {
                    let body = rest[used..].to_vec();
                    if let Some(msg) = check_hash_params(&body, &params) {
                        self.error(name.site, msg);
                        return;
                    }
                    self.define(&name.text, Some(params), variadic, body);
                }
                Err(msg) => self.error(name.site, msg),
            }
        } else {
            self.define(&name.text, None, false, rest.to_vec());
        }
    }

    fn eval_if(&mut self, args: &[PpToken], site: Site) -> Result<bool, Abort> {
        let replaced = match self.replace_defined(args) {
            Ok(r) => r,
            Err(msg) => {
                self.error(site, msg);
                return Ok(false);
            }
        };
        let expanded = self.expand_list(&replaced)?;
        match expr::eval(&expanded) {
            Ok(v) => Ok(v),
            Err(msg) => {
                self.error(site, msg);
                Ok(false)
            }
        }
    }

    fn replace_defined(&self, args: &[PpToken]) -> Result<Vec<PpToken>, String> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let t = &args[i];
            if t.kind == TokKind::Ident
                && t.text.starts_with("__has_")
                && args.get(i + 1).is_some_and(|n| n.is("("))
            {
                let (_, used) = balanced(&args[i + 1..]);
                out.push(tok(TokKind::Number, "0", t.site));
                i += 1 + used;
                continue;
            }
            if !t.is("defined") {
                out.push(t.clone());
                i += 1;
                continue;
            }
            let paren = args.get(i + 1).is_some_and(|t| t.is("("));
            let name_at = if paren { i + 2 } else { i + 1 };
            let Some(n) = args.get(name_at).filter(|n| n.kind == TokKind::Ident) else {
                return Err("operator `defined` requires an identifier".into());
            };
            if paren && !args.get(name_at + 1).is_some_and(|t| t.is(")")) {
                return Err("missing `)` after `defined`".into());
            }
            let v = if self.macros.contains_key(&n.text) {
                "1"
            } else {
                "0"
            };
            out.push(tok(TokKind::Number, v, t.site));
            i = name_at + 1 + usize::from(paren);
        }
        Ok(out)
    }

    /// The macro `name`; a loaded library's macro is built on first use.
    fn lookup(&mut self, name: &str) -> Option<Rc<Macro>> {
        let saved = &self.saved;
        let entry = self.macros.get_mut(name)?;
        match entry {
            Entry::Ready(m) => Some(Rc::clone(m)),
            Entry::Saved(i) => {
                let m = Rc::new(saved.as_ref()?.build(*i));
                *entry = Entry::Ready(Rc::clone(&m));
                Some(m)
            }
        }
    }

    /// Fully macro-expands a token list in isolation.
    fn expand_list(&mut self, toks: &[PpToken]) -> Result<Vec<PpToken>, Abort> {
        if self.depth >= MAX_ARG_DEPTH {
            let site = toks.first().map_or(Site::NONE, |t| t.site);
            self.error(site, "macro arguments nested too deeply");
            return Err(Abort);
        }
        self.depth += 1;
        let mut out = self.spare_vec();
        out.reserve(toks.len());
        let mut pending = Input::new(Rest::Tokens(toks.iter()));
        pending.stack = self.spare_vec();
        let r = loop {
            let Some(t) = pending.pop() else { break Ok(()) };
            match self.try_expand(&t, &mut pending) {
                Ok(true) => {}
                Ok(false) => out.push(t),
                Err(a) => break Err(a),
            }
        };
        self.depth -= 1;
        self.recycle(pending.stack);
        r.map(|()| out)
    }

    /// Expands `t` if it names a macro; pushes the expansion onto `pending`.
    fn try_expand(&mut self, t: &PpToken, pending: &mut Input<'_>) -> Result<bool, Abort> {
        if t.kind != TokKind::Ident {
            return Ok(false);
        }
        if &*t.text == "_Pragma" && pending.last().is_some_and(|n| n.is("(")) {
            let _ = collect_args(pending, false, 1, Vec::new());
            return Ok(true);
        }
        let Some(m) = self.lookup(&t.text) else {
            return Ok(false);
        };
        if hs_contains(&t.hideset, m.id) {
            return Ok(false);
        }
        if let Some(b) = m.builtin {
            let r = self.builtin(b, t);
            pending.push(r);
            return Ok(true);
        }
        let Some(params) = &m.params else {
            let hs = hs_add(&t.hideset, m.id);
            let inv = Invocation {
                name: t,
                va_omitted: false,
                expanded: Vec::new(),
            };
            let mut body = self.subst(&m, &[], &Args::default(), inv, hs)?;
            pending.push_all(&mut body);
            self.recycle(body);
            return Ok(true);
        };
        if !pending.last().is_some_and(|n| n.is("(")) {
            return Ok(false);
        }
        let toks = self.spare_vec();
        let Some((args, rparen)) = collect_args(pending, m.variadic, params.len(), toks) else {
            self.error(
                t.site,
                format!("unterminated argument list invoking macro `{}`", t.text),
            );
            return Ok(true);
        };
        let Some((args, va_omitted)) = self.match_args(&m, params, args, t) else {
            return Ok(true);
        };
        let hs = hs_add(&hs_intersect(&t.hideset, &rparen.hideset), m.id);
        let inv = Invocation {
            name: t,
            va_omitted,
            expanded: vec![None; args.len()],
        };
        let mut body = self.subst(&m, params, &args, inv, hs)?;
        pending.push_all(&mut body);
        self.recycle(body);
        self.recycle(args.toks);
        Ok(true)
    }

    /// An empty token vector, one kept from an earlier invocation if any.
    fn spare_vec(&mut self) -> Vec<PpToken> {
        self.spare.pop().unwrap_or_default()
    }

    /// Empties a token vector and keeps it for a later invocation.
    fn recycle(&mut self, mut toks: Vec<PpToken>) {
        if self.spare.len() < 64 {
            toks.clear();
            self.spare.push(toks);
        }
    }

    fn match_args(
        &mut self,
        m: &Macro,
        params: &[Rc<str>],
        mut args: Args,
        t: &PpToken,
    ) -> Option<(Args, bool)> {
        if params.is_empty() && args.len() == 1 && args[0].is_empty() {
            return Some((Args::default(), false));
        }
        let mut va_omitted =
            m.variadic && params.len() == 1 && args.len() == 1 && args[0].is_empty();
        if m.variadic && args.len() + 1 == params.len() {
            args.push_empty();
            va_omitted = true;
        }
        if args.len() != params.len() {
            let msg = format!(
                "macro `{}` passed {} arguments, but takes {}",
                t.text,
                args.len(),
                params.len()
            );
            self.error(t.site, msg);
            return None;
        }
        Some((args, va_omitted))
    }

    fn builtin(&mut self, b: Builtin, t: &PpToken) -> PpToken {
        let mut r = match b {
            Builtin::Line => tok(TokKind::Number, &t.site.line.to_string(), t.site),
            Builtin::File => {
                let files = self.files;
                let text = self.file_names.entry(t.site.file).or_insert_with(|| {
                    Rc::from(format!("\"{}\"", escape_str(files.name(t.site.file))))
                });
                PpToken {
                    kind: TokKind::Str,
                    text: Rc::clone(text),
                    site: t.site,
                    space: false,
                    bol: false,
                    hideset: None,
                }
            }
            Builtin::Counter => {
                self.counter += 1;
                tok(TokKind::Number, &(self.counter - 1).to_string(), t.site)
            }
        };
        r.space = t.space;
        r
    }

    fn charge(&mut self, n: usize, site: Site) -> Result<(), Abort> {
        if n > self.budget {
            self.error(site, "macro expansion too large");
            return Err(Abort);
        }
        self.budget -= n;
        Ok(())
    }

    /// Substitutes arguments into a macro body (handles `#`, `##`,
    /// `__VA_ARGS__`, GNU `, ## __VA_ARGS__` and `__VA_OPT__`).
    fn subst(
        &mut self,
        m: &Macro,
        params: &[Rc<str>],
        args: &Args,
        mut invocation: Invocation<'_>,
        hs: Hideset,
    ) -> Result<Vec<PpToken>, Abort> {
        let inv = invocation.name;
        let param = |t: &PpToken| -> Option<usize> {
            if t.kind != TokKind::Ident {
                return None;
            }
            params.iter().position(|p| **p == *t.text)
        };
        let va_index = if m.variadic {
            params.len().checked_sub(1)
        } else {
            None
        };
        let body = &m.body;
        let mut out = self.spare_vec();
        out.reserve(body.len() + args.toks.len());
        let mut i = 0;
        while i < body.len() {
            let t = &body[i];
            let next = body.get(i + 1);
            // `#param`
            if m.params.is_some() && t.is("#") {
                if let Some(p) = next.and_then(param) {
                    let mut s = tok(TokKind::Str, &stringize(&args[p]), inv.site);
                    s.space = t.space;
                    out.push(s);
                    i += 2;
                    continue;
                }
            }
            // GNU `, ## __VA_ARGS__`
            if t.is(",") && next.is_some_and(|n| n.is("##")) {
                if let (Some(vi), Some(p)) = (va_index, body.get(i + 2).and_then(param)) {
                    if Some(p) == Some(vi) {
                        if !invocation.va_omitted {
                            out.push(t.clone());
                            out.extend(args[vi].iter().cloned());
                        }
                        i += 3;
                        continue;
                    }
                }
            }
            if t.is("##") && i > 0 {
                let rhs_toks: Vec<PpToken> = match next {
                    Some(n) => match param(n) {
                        Some(p) => args[p].to_vec(),
                        None => vec![n.clone()],
                    },
                    None => Vec::new(),
                };
                self.paste(&mut out, rhs_toks, inv);
                i += 2;
                continue;
            }
            if t.is("__VA_OPT__") && va_index.is_some() && next.is_some_and(|n| n.is("(")) {
                let (inner, used) = balanced(&body[i + 1..]);
                let has_va = va_index.is_some_and(|vi| !args[vi].is_empty());
                if has_va {
                    let sub = Macro {
                        body: inner,
                        ..m.clone()
                    };
                    let nested = Invocation {
                        name: inv,
                        va_omitted: invocation.va_omitted,
                        expanded: invocation.expanded.clone(),
                    };
                    let r = self.subst(&sub, params, args, nested, None)?;
                    out.extend(r);
                }
                i += 1 + used;
                continue;
            }
            if let Some(p) = param(t) {
                let raw = next.is_some_and(|n| n.is("##"));
                let arg = if raw {
                    if args[p].is_empty() {
                        vec![tok(TokKind::Invalid, "", inv.site)]
                    } else {
                        args[p].to_vec()
                    }
                } else {
                    if invocation.expanded.get(p).is_some_and(Option::is_none) {
                        let e = self.expand_list(&args[p])?;
                        invocation.expanded[p] = Some(e);
                    }
                    let expanded = invocation.expanded.get(p).and_then(Option::as_ref);
                    push_arg(&mut out, expanded.map_or(&[][..], Vec::as_slice), t.space);
                    i += 1;
                    continue;
                };
                push_arg(&mut out, &arg, t.space);
                i += 1;
                continue;
            }
            out.push(t.clone());
            i += 1;
        }
        out.retain(|t| !t.text.is_empty());
        self.charge(out.len(), inv.site)?;
        for (k, o) in out.iter_mut().enumerate() {
            o.site = inv.site;
            o.bol = false;
            o.hideset = hs_union(&o.hideset, &hs);
            if k == 0 {
                o.space = inv.space;
            }
        }
        for e in invocation.expanded.into_iter().flatten() {
            self.recycle(e);
        }
        Ok(out)
    }

    /// Pastes the last token of `out` with the first of `rhs` (placemarkers
    /// are empty lists).
    fn paste(&mut self, out: &mut Vec<PpToken>, rhs: Vec<PpToken>, inv: &PpToken) {
        let mut rhs = rhs.into_iter();
        let Some(first) = rhs.next() else { return };
        let lhs = match out.pop() {
            Some(l) if !l.text.is_empty() => l,
            _ => {
                out.push(first);
                out.extend(rhs);
                return;
            }
        };
        let text = format!("{}{}", lhs.text, first.text);
        let lexed = lex::lex(inv.site.file, text.as_bytes());
        if lexed.len() == 1 && lexed[0].kind != TokKind::Invalid {
            let mut t = lexed.into_iter().next().unwrap_or(lhs.clone());
            t.site = lhs.site;
            t.space = lhs.space;
            t.bol = false;
            t.hideset = lhs.hideset.clone();
            out.push(t);
        } else {
            let msg = format!(
                "pasting `{}` and `{}` does not give a valid preprocessing token",
                lhs.text, first.text
            );
            self.error(inv.site, msg);
            out.push(lhs);
            out.push(first);
        }
        out.extend(rhs);
    }
}

fn escape_str(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Appends an argument's tokens to a substitution; the first takes the
/// spacing of the parameter it replaces.
fn push_arg(out: &mut Vec<PpToken>, arg: &[PpToken], space: bool) {
    let start = out.len();
    out.extend_from_slice(arg);
    if let Some(first) = out.get_mut(start) {
        first.space = space;
    }
}

/// Returns the tokens inside a balanced `( ... )` at the start of `toks`
/// and the number of tokens consumed including the parentheses.
fn balanced(toks: &[PpToken]) -> (Vec<PpToken>, usize) {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate() {
        if t.is("(") {
            depth += 1;
        } else if t.is(")") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return (toks[1..i].to_vec(), i + 1);
            }
        }
    }
    (
        toks.get(1..).map(<[PpToken]>::to_vec).unwrap_or_default(),
        toks.len(),
    )
}

/// A macro invocation's arguments: their tokens one after another, and
/// where each argument ends.
#[derive(Default)]
struct Args {
    toks: Vec<PpToken>,
    ends: Vec<usize>,
}

impl Args {
    /// The number of arguments.
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Adds an empty argument.
    fn push_empty(&mut self) {
        self.ends.push(self.toks.len());
    }
}

impl std::ops::Index<usize> for Args {
    type Output = [PpToken];

    fn index(&self, i: usize) -> &[PpToken] {
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.toks[start..self.ends[i]]
    }
}

/// Collects macro arguments after the macro name; `pending.last()` is `(`.
/// Returns the arguments and the closing parenthesis.
/// The arguments' tokens are collected into `toks` (an empty vector).
fn collect_args(
    pending: &mut Input<'_>,
    variadic: bool,
    nparams: usize,
    toks: Vec<PpToken>,
) -> Option<(Args, PpToken)> {
    pending.pop();
    let mut args = Args {
        toks,
        ends: Vec::new(),
    };
    let mut depth = 0usize;
    while let Some(t) = pending.pop() {
        if t.is("(") {
            depth += 1;
        } else if t.is(")") {
            if depth == 0 {
                args.push_empty();
                return Some((args, t));
            }
            depth -= 1;
        } else if t.is(",") && depth == 0 && !(variadic && args.len() + 1 >= nparams) {
            args.push_empty();
            continue;
        }
        args.toks.push(t);
    }
    None
}

/// Parses a function-like macro's parameter list (after `(`); returns the
/// names, whether it is variadic, and the tokens used including `)`.
fn parse_params(toks: &[PpToken]) -> Result<(Vec<Rc<str>>, bool, usize), String> {
    let mut params: Vec<Rc<str>> = Vec::new();
    let mut i = 0;
    if toks.first().is_some_and(|t| t.is(")")) {
        return Ok((params, false, 2));
    }
    loop {
        let Some(t) = toks.get(i) else {
            return Err("missing `)` in macro parameter list".into());
        };
        if t.is("...") {
            params.push(Rc::from("__VA_ARGS__"));
            return match toks.get(i + 1) {
                Some(c) if c.is(")") => Ok((params, true, i + 3)),
                _ => Err("expected `)` after `...` in macro parameter list".into()),
            };
        }
        if t.kind != TokKind::Ident {
            return Err(format!(
                "invalid token `{}` in macro parameter list",
                t.text
            ));
        }
        if params.iter().any(|p| **p == *t.text) {
            return Err(format!("duplicate macro parameter `{}`", t.text));
        }
        let named_va = toks.get(i + 1).is_some_and(|n| n.is("..."));
        params.push(t.text.clone());
        let after = if named_va { i + 2 } else { i + 1 };
        match toks.get(after) {
            Some(c) if c.is(")") => return Ok((params, named_va, after + 2)),
            Some(c) if c.is(",") && !named_va => i = after + 1,
            _ => return Err("expected `,` or `)` in macro parameter list".into()),
        }
    }
}

/// Checks that every `#` in a function-like macro body precedes a parameter
/// and that `##` is not at either end.
fn check_hash_params(body: &[PpToken], params: &[Rc<str>]) -> Option<String> {
    if body.first().is_some_and(|t| t.is("##"))
        || (body.len() > 1 && body.last().is_some_and(|t| t.is("##")))
    {
        return Some("`##` cannot appear at either end of a macro expansion".into());
    }
    for (i, t) in body.iter().enumerate() {
        if t.is("#") {
            let ok = body
                .get(i + 1)
                .is_some_and(|n| n.kind == TokKind::Ident && params.iter().any(|p| **p == *n.text));
            if !ok {
                return Some("`#` is not followed by a macro parameter".into());
            }
        }
    }
    None
}

/// Skips a false conditional group; leaves the `#` of the matching
/// `#elif`/`#else`/`#endif` next in `pending`.
fn skip_group(pending: &mut Input<'_>) {
    let mut depth = 0usize;
    while let Some(t) = pending.pop() {
        if !(t.bol && t.is("#")) {
            continue;
        }
        let name = pending.last().filter(|n| !n.bol).map(|n| n.text.clone());
        match name.as_deref() {
            Some("if" | "ifdef" | "ifndef") => depth += 1,
            Some("endif") if depth > 0 => depth -= 1,
            Some("elif" | "else" | "endif") if depth == 0 => {
                pending.push(t);
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
