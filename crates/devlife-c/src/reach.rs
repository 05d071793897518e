//! What a unit's own code reaches in the library it was compiled on.
//!
//! A unit compiled on a [`crate::Library`] holds every declaration of the
//! library, but only what the unit's own functions and globals refer to,
//! directly or through library functions, is used: those functions are the
//! externals an embedder must provide, and those globals and string
//! literals are the ones allocated when the program is loaded.

use crate::ast::{Block, Callee, Expr, ExprKind, FuncId, Function, Global, GlobalId, Init};
use crate::ast::{InitOp, Stmt};

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
    for (f, used) in funcs.iter_mut().zip(&r.used) {
        f.used = *used;
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
                        self.block(&body.block);
                    }
                }
                Item::Global(GlobalId(i)) => {
                    let i = i as usize;
                    if std::mem::replace(&mut self.globals_walked[i], true) {
                        continue;
                    }
                    if let Some(init) = &globals[i].init {
                        self.init(init);
                    }
                }
            }
        }
    }

    fn func(&mut self, f: FuncId) {
        if let Some(u) = self.used.get_mut(f.0 as usize) {
            *u = true;
            self.work.push(Item::Func(f));
        }
    }

    fn global(&mut self, g: GlobalId) {
        if let Some(r) = self.reached_globals.get_mut(g.0 as usize) {
            *r = true;
            self.work.push(Item::Global(g));
        }
    }

    fn block(&mut self, b: &Block) {
        for s in &b.stmts {
            self.stmt(s);
        }
        if let Some(e) = &b.result {
            self.expr(e);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Expr(e) | Stmt::Return(Some(e), _) => self.expr(e),
            Stmt::Init(_, init, _) => self.init(init),
            Stmt::If(c, a, b) => {
                self.expr(c);
                self.stmt(a);
                if let Some(b) = b {
                    self.stmt(b);
                }
            }
            Stmt::While(c, body, _) | Stmt::DoWhile(body, c, _) => {
                self.expr(c);
                self.stmt(body);
            }
            Stmt::For(c, step, body, _) => {
                for e in [c, step].into_iter().flatten() {
                    self.expr(e);
                }
                self.stmt(body);
            }
            Stmt::Block(b) => self.block(b),
            Stmt::Switch(v, _, _, b) => {
                self.expr(v);
                self.block(b);
            }
            Stmt::Break | Stmt::Continue | Stmt::Return(None, _) | Stmt::Empty => {}
        }
    }

    fn init(&mut self, init: &Init) {
        match init {
            Init::Scalar(e) => self.expr(e),
            Init::Aggregate(ops) => {
                for op in ops {
                    match op {
                        InitOp::Scalar(_, e) | InitOp::Copy(_, e, _) => self.expr(e),
                        InitOp::Bytes(..) => {}
                    }
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Const(_) | ExprKind::LocalReg(_) | ExprKind::LocalMem(_) => {}
            ExprKind::Global(g) => self.global(*g),
            ExprKind::Str(s) => {
                if let Some(r) = self.strings.get_mut(*s as usize) {
                    *r = true;
                }
            }
            ExprKind::Func(f) => self.func(*f),
            ExprKind::Deref(a)
            | ExprKind::Member(a, _)
            | ExprKind::Load(a)
            | ExprKind::AddrOf(a)
            | ExprKind::Cast(_, a)
            | ExprKind::Unary(_, _, a) => self.expr(a),
            ExprKind::Binary(_, _, a, b)
            | ExprKind::PtrAdd(a, b, _)
            | ExprKind::PtrDiff(a, b, _)
            | ExprKind::LogAnd(a, b)
            | ExprKind::LogOr(a, b)
            | ExprKind::Comma(a, b)
            | ExprKind::Assign(a, b)
            | ExprKind::Copy(a, b, _)
            | ExprKind::PtrAddAssign(a, b, _)
            | ExprKind::CompoundAssign { lhs: a, rhs: b, .. } => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Cond(c, a, b) => {
                self.expr(c);
                self.expr(a);
                self.expr(b);
            }
            ExprKind::IncDec { lhs, .. } => self.expr(lhs),
            ExprKind::Call(callee, args) => {
                match callee {
                    Callee::Direct(f) => self.func(*f),
                    Callee::Indirect(p) => self.expr(p),
                }
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::StmtExpr(b) => self.block(b),
            ExprKind::CompoundLit(_, init) => self.init(init),
        }
    }
}
