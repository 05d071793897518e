//! Walks over the lowered AST: one description of which statements and
//! expressions a node contains, generated for shared and for mutable
//! borrows (the `Visit` and `VisitMut` traits). A pass overrides the
//! `visit_*` methods it cares about and calls the matching `walk_*`
//! function to go on into the children.

use crate::ast::{Block, Callee, Expr, ExprKind, Init, InitOp, Stmt};

/// Generates a visitor trait and its walk functions; `$($mut)?` is empty
/// for shared borrows and `mut` for mutable ones.
macro_rules! visitor {
    ($Visit:ident, $walk_block:ident, $walk_stmt:ident, $walk_init:ident, $walk_expr:ident, $($mut:tt)?) => {
        /// A pass over lowered code; every method defaults to walking on.
        pub(crate) trait $Visit {
            /// Visits a block.
            fn visit_block(&mut self, b: &$($mut)? Block) {
                $walk_block(self, b)
            }
            /// Visits a statement.
            fn visit_stmt(&mut self, s: &$($mut)? Stmt) {
                $walk_stmt(self, s)
            }
            /// Visits an initializer.
            fn visit_init(&mut self, init: &$($mut)? Init) {
                $walk_init(self, init)
            }
            /// Visits an expression.
            fn visit_expr(&mut self, e: &$($mut)? Expr) {
                $walk_expr(self, e)
            }
        }

        /// Visits a block's statements and result.
        pub(crate) fn $walk_block<V: $Visit + ?Sized>(v: &mut V, b: &$($mut)? Block) {
            for s in &$($mut)? b.stmts {
                v.visit_stmt(s);
            }
            if let Some(e) = &$($mut)? b.result {
                v.visit_expr(e);
            }
        }

        /// Visits a statement's expressions, statements and blocks.
        pub(crate) fn $walk_stmt<V: $Visit + ?Sized>(v: &mut V, s: &$($mut)? Stmt) {
            stacker::maybe_grow(64 * 1024, 1024 * 1024, || match s {
                Stmt::Expr(e) | Stmt::Return(Some(e), _) => v.visit_expr(e),
                Stmt::Init(_, init, _) => v.visit_init(init),
                Stmt::If(c, then, otherwise) => {
                    v.visit_expr(c);
                    v.visit_stmt(then);
                    if let Some(otherwise) = otherwise {
                        v.visit_stmt(otherwise);
                    }
                }
                Stmt::While(c, body, _) | Stmt::DoWhile(body, c, _) => {
                    v.visit_expr(c);
                    v.visit_stmt(body);
                }
                Stmt::For(c, step, body, _) => {
                    if let Some(c) = c {
                        v.visit_expr(c);
                    }
                    if let Some(step) = step {
                        v.visit_expr(step);
                    }
                    v.visit_stmt(body);
                }
                Stmt::Block(b) => v.visit_block(b),
                Stmt::Switch(value, _, _, b) => {
                    v.visit_expr(value);
                    v.visit_block(b);
                }
                Stmt::Return(None, _) | Stmt::Break | Stmt::Continue | Stmt::Empty => {}
            })
        }

        /// Visits the expressions of an initializer.
        pub(crate) fn $walk_init<V: $Visit + ?Sized>(v: &mut V, init: &$($mut)? Init) {
            match init {
                Init::Scalar(e) => v.visit_expr(e),
                Init::Aggregate(ops) => {
                    for op in ops {
                        match op {
                            InitOp::Scalar(_, e) | InitOp::Copy(_, e, _) => v.visit_expr(e),
                            InitOp::Bytes(..) => {}
                        }
                    }
                }
            }
        }

        /// Visits an expression's operands (a direct callee is not an
        /// expression: passes that care see it in `visit_expr`).
        pub(crate) fn $walk_expr<V: $Visit + ?Sized>(v: &mut V, e: &$($mut)? Expr) {
            stacker::maybe_grow(64 * 1024, 1024 * 1024, || match &$($mut)? e.kind {
                ExprKind::Deref(a)
                | ExprKind::Member(a, _)
                | ExprKind::Load(a)
                | ExprKind::AddrOf(a)
                | ExprKind::Cast(_, a)
                | ExprKind::Unary(_, _, a)
                | ExprKind::IncDec { lhs: a, .. } => v.visit_expr(a),
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
                    v.visit_expr(a);
                    v.visit_expr(b);
                }
                ExprKind::Cond(c, a, b) => {
                    v.visit_expr(c);
                    v.visit_expr(a);
                    v.visit_expr(b);
                }
                ExprKind::Call(callee, args) => {
                    if let Callee::Indirect(f) = callee {
                        v.visit_expr(f);
                    }
                    for a in args {
                        v.visit_expr(a);
                    }
                }
                ExprKind::StmtExpr(b) => v.visit_block(b),
                ExprKind::CompoundLit(_, init) => v.visit_init(init),
                ExprKind::Const(_)
                | ExprKind::LocalReg(_)
                | ExprKind::LocalMem(_)
                | ExprKind::Global(_)
                | ExprKind::Str(_)
                | ExprKind::Func(_) => {}
            })
        }
    };
}

visitor!(Visit, walk_block, walk_stmt, walk_init, walk_expr,);
visitor!(
    VisitMut,
    walk_block_mut,
    walk_stmt_mut,
    walk_init_mut,
    walk_expr_mut,
    mut
);
