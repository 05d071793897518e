//! Post-pass over a lowered function: decides which locals live in memory,
//! rewrites local references accordingly and keeps only memory locals in
//! each block's allocation list.

use super::FnCtx;
use crate::ast::{Block, Body, Callee, Expr, ExprKind, Init, InitOp, Stmt};

/// Builds the function body from the lowering context.
pub(crate) fn finish_body(params: Vec<u32>, mut ctx: FnCtx, mut block: Block) -> Body {
    for (l, taken) in ctx.locals.iter_mut().zip(&ctx.addr_taken) {
        l.in_memory |= *taken;
    }
    let mem: Vec<bool> = ctx.locals.iter().map(|l| l.in_memory).collect();
    let f = Fixer { mem: &mem };
    f.block(&mut block);
    Body {
        params,
        locals: ctx.locals,
        block,
    }
}

struct Fixer<'m> {
    mem: &'m [bool],
}

impl Fixer<'_> {
    fn is_mem(&self, id: u32) -> bool {
        self.mem.get(id as usize).copied().unwrap_or(false)
    }

    fn block(&self, b: &mut Block) {
        b.locals.retain(|id| self.is_mem(*id));
        for s in &mut b.stmts {
            self.stmt(s);
        }
        if let Some(e) = &mut b.result {
            self.expr(e);
        }
    }

    fn stmt(&self, s: &mut Stmt) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.stmt_inner(s));
    }

    fn stmt_inner(&self, s: &mut Stmt) {
        match s {
            Stmt::Expr(e) => self.expr(e),
            Stmt::Init(_, init, _) => self.init(init),
            Stmt::If(c, t, e) => {
                self.expr(c);
                self.stmt(t);
                if let Some(e) = e {
                    self.stmt(e);
                }
            }
            Stmt::While(c, b, _) | Stmt::DoWhile(b, c, _) => {
                self.expr(c);
                self.stmt(b);
            }
            Stmt::For(c, st, b, _) => {
                if let Some(c) = c {
                    self.expr(c);
                }
                if let Some(st) = st {
                    self.expr(st);
                }
                self.stmt(b);
            }
            Stmt::Block(b) => self.block(b),
            Stmt::Switch(c, _, _, b) => {
                self.expr(c);
                self.block(b);
            }
            Stmt::Return(Some(e), _) => self.expr(e),
            Stmt::Return(None, _) | Stmt::Break | Stmt::Continue | Stmt::Empty => {}
        }
    }

    fn init(&self, init: &mut Init) {
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

    fn expr(&self, e: &mut Expr) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(e));
    }

    fn expr_inner(&self, e: &mut Expr) {
        match &mut e.kind {
            ExprKind::LocalReg(id) => {
                if self.is_mem(*id) {
                    e.kind = ExprKind::LocalMem(*id);
                }
            }
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
                if let Callee::Indirect(f) = callee {
                    self.expr(f);
                }
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::StmtExpr(b) => self.block(b),
            ExprKind::CompoundLit(_, init) => self.init(init),
            ExprKind::Const(_)
            | ExprKind::LocalMem(_)
            | ExprKind::Global(_)
            | ExprKind::Str(_)
            | ExprKind::Func(_) => {}
        }
    }
}
