//! Steps: a statement counts the nodes it evaluates when it starts; the
//! parts of `&&`, `||` and `?:` that may be skipped count when they run, so
//! the total is exactly one step per evaluated node.

use super::code::Ev;
use crate::ast::{Callee, Expr, ExprKind, Init, InitOp};

/// The steps evaluating `e` as a value costs, not counting the parts of
/// `&&`, `||`, `?:` that may be skipped, nor statements inside `({ })`.
pub(crate) fn count(e: &Expr) -> u32 {
    let c = |x: &Expr| count(x);
    1u32.saturating_add(match &e.kind {
        ExprKind::Load(p) | ExprKind::AddrOf(p) => count_place(p),
        ExprKind::Cast(_, x) | ExprKind::Unary(_, _, x) => c(x),
        ExprKind::Binary(_, _, a, b)
        | ExprKind::PtrAdd(a, b, _)
        | ExprKind::PtrDiff(a, b, _)
        | ExprKind::Comma(a, b) => c(a).saturating_add(c(b)),
        ExprKind::LogAnd(a, _) | ExprKind::LogOr(a, _) | ExprKind::Cond(a, _, _) => c(a),
        ExprKind::Assign(l, r)
        | ExprKind::CompoundAssign { lhs: l, rhs: r, .. }
        | ExprKind::PtrAddAssign(l, r, _) => count_place(l).saturating_add(c(r)),
        ExprKind::Copy(l, r, _) => count_place(l).saturating_add(count_place(r)),
        ExprKind::IncDec { lhs, .. } => count_place(lhs),
        ExprKind::Call(callee, args) => {
            let f = match callee {
                Callee::Indirect(fe) => c(fe),
                Callee::Direct(_) => 0,
            };
            args.iter().fold(f, |n, a| n.saturating_add(c(a)))
        }
        _ => 0,
    })
}

/// The steps computing the address of place `e` costs.
fn count_place(e: &Expr) -> u32 {
    match &e.kind {
        ExprKind::Deref(x) => count(x),
        ExprKind::Member(b, _) => count_place(b),
        ExprKind::CompoundLit(_, init) => count_init(init),
        _ => 0,
    }
}

/// The steps running an initializer costs.
pub(crate) fn count_init(init: &Init) -> u32 {
    match init {
        Init::Scalar(e) => count(e),
        Init::Aggregate(ops) => ops.iter().fold(0u32, |n, op| {
            n.saturating_add(match op {
                InitOp::Scalar(_, e) => count(e),
                InitOp::Copy(_, e, _) => count_place(e),
                InitOp::Bytes(..) => 0,
            })
        }),
    }
}

/// Wraps `e` so that it counts its own steps when it runs (a branch that
/// may be skipped).
pub(super) fn counted(e: &Expr, ev: Ev) -> Ev {
    let (n, site) = (count(e), e.site);
    Box::new(move |c, it, env| {
        it.tick(n, site)?;
        ev(c, it, env)
    })
}
