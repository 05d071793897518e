//! What a unit's own code reaches in the library it was compiled on.
//!
//! A unit compiled on a [`crate::Library`] holds every declaration of the
//! library, but only what the unit's own functions and globals refer to,
//! directly or through library functions, is used: those functions are the
//! externals an embedder must provide, and those globals and string
//! literals are the ones allocated when the program is loaded.

use crate::ast::{Callee, Expr, ExprKind, FuncId, Function, Global, GlobalId};
use crate::source::Site;
use crate::visit::{walk_expr, Visit};

/// How much of a unit came from its library: the counts of functions,
/// globals and string literals after the library's own files, and which of
/// those library functions and globals already had a definition.
#[derive(Clone, Debug, Default)]
pub(crate) struct LibraryPart {
    /// Library functions that had a body, by index.
    pub defined_funcs: Vec<bool>,
    /// Library globals that had a definition, by index.
    pub defined_globals: Vec<bool>,
    /// Number of library string literals.
    pub strings: usize,
}

impl LibraryPart {
    /// The part a library with these declarations forms.
    pub(crate) fn of(funcs: &[Function], globals: &[Global], strings: usize) -> LibraryPart {
        LibraryPart {
            defined_funcs: funcs.iter().map(|f| f.body.is_some()).collect(),
            defined_globals: globals.iter().map(|g| g.defined).collect(),
            strings,
        }
    }

    /// Whether function `i` was defined by the unit's own files.
    fn own_func(&self, i: usize, f: &Function) -> bool {
        f.body.is_some() && !self.defined_funcs.get(i).copied().unwrap_or(false)
    }

    /// Whether global `i` was declared or defined by the unit's own files.
    fn own_global(&self, i: usize, g: &Global) -> bool {
        match self.defined_globals.get(i) {
            None => true,
            Some(was_defined) => g.defined && !was_defined,
        }
    }
}

/// Marks what the unit's own code reaches: sets [`Function::used`] and
/// [`Global::reachable`], and returns which string literals are reachable.
/// The unit's own globals and string literals are always reachable.
pub(crate) fn mark(
    funcs: &mut [Function],
    globals: &mut [Global],
    strings: usize,
    lib: &LibraryPart,
) -> Vec<bool> {
    let mut r = Reach {
        funcs_walked: vec![false; funcs.len()],
        globals_walked: vec![false; globals.len()],
        used: vec![false; funcs.len()],
        first_use: vec![None; funcs.len()],
        reached_globals: vec![false; globals.len()],
        strings: (0..strings).map(|i| i >= lib.strings).collect(),
        work: Vec::new(),
    };
    for (i, f) in funcs.iter().enumerate() {
        if lib.own_func(i, f) {
            r.work.push(Item::Func(FuncId(i as u32)));
        }
    }
    for (i, g) in globals.iter().enumerate() {
        if lib.own_global(i, g) {
            r.reached_globals[i] = true;
            r.work.push(Item::Global(GlobalId(i as u32)));
        }
    }
    r.run(funcs, globals);
    for ((f, used), first) in funcs.iter_mut().zip(&r.used).zip(&r.first_use) {
        f.used = *used;
        f.first_use = *first;
    }
    for (g, reached) in globals.iter_mut().zip(&r.reached_globals) {
        g.reachable = *reached;
    }
    r.strings
}

/// A function body or global initializer still to walk.
#[derive(Clone, Copy)]
enum Item {
    Func(FuncId),
    Global(GlobalId),
}

struct Reach {
    funcs_walked: Vec<bool>,
    globals_walked: Vec<bool>,
    used: Vec<bool>,
    first_use: Vec<Option<Site>>,
    reached_globals: Vec<bool>,
    strings: Vec<bool>,
    work: Vec<Item>,
}

impl Reach {
    fn run(&mut self, funcs: &[Function], globals: &[Global]) {
        while let Some(item) = self.work.pop() {
            match item {
                Item::Func(FuncId(i)) => {
                    let i = i as usize;
                    if std::mem::replace(&mut self.funcs_walked[i], true) {
                        continue;
                    }
                    if let Some(body) = &funcs[i].body {
                        self.visit_block(&body.block);
                    }
                }
                Item::Global(GlobalId(i)) => {
                    let i = i as usize;
                    if std::mem::replace(&mut self.globals_walked[i], true) {
                        continue;
                    }
                    if let Some(init) = &globals[i].init {
                        self.visit_init(init);
                    }
                }
            }
        }
    }

    fn func(&mut self, f: FuncId, site: Site) {
        if let Some(u) = self.used.get_mut(f.0 as usize) {
            *u = true;
            self.work.push(Item::Func(f));
        }
        if let Some(first @ None) = self.first_use.get_mut(f.0 as usize) {
            *first = Some(site);
        }
    }

    fn global(&mut self, g: GlobalId) {
        if let Some(r) = self.reached_globals.get_mut(g.0 as usize) {
            *r = true;
            self.work.push(Item::Global(g));
        }
    }
}

impl Visit for Reach {
    fn visit_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Global(g) => self.global(*g),
            ExprKind::Str(s) => {
                if let Some(r) = self.strings.get_mut(*s as usize) {
                    *r = true;
                }
            }
            ExprKind::Func(f) | ExprKind::Call(Callee::Direct(f), _) => self.func(*f, e.site),
            _ => {}
        }
        walk_expr(self, e);
    }
}
