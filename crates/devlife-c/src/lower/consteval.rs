//! Constant folding of lowered expressions (array sizes, enum values, case labels).

use crate::ast::{Expr, ExprKind};
use crate::ops;

/// The value of a constant expression, if it is one.
pub(crate) fn const_value(e: &Expr) -> Option<u64> {
    match &e.kind {
        ExprKind::Const(v) => Some(*v),
        ExprKind::Cast(op, x) => Some(ops::cast(*op, const_value(x)?)),
        ExprKind::Unary(op, it, x) => Some(ops::unop(*op, *it, const_value(x)?)),
        ExprKind::Binary(op, it, a, b) => ops::binop(*op, *it, const_value(a)?, const_value(b)?),
        ExprKind::LogAnd(a, b) => Some(u64::from(const_value(a)? != 0 && const_value(b)? != 0)),
        ExprKind::LogOr(a, b) => Some(u64::from(const_value(a)? != 0 || const_value(b)? != 0)),
        ExprKind::Cond(c, a, b) => {
            if const_value(c)? != 0 {
                const_value(a)
            } else {
                const_value(b)
            }
        }
        ExprKind::PtrAdd(p, i, scale) => {
            Some(const_value(p)?.wrapping_add(const_value(i)?.wrapping_mul(*scale as u64)))
        }
        ExprKind::PtrDiff(a, b, scale) => {
            let d = const_value(a)?.wrapping_sub(const_value(b)?) as i64;
            Some(d.wrapping_div(*scale) as u64)
        }
        ExprKind::AddrOf(p) => const_place(p),
        _ => None,
    }
}

/// The address of a constant place such as `((T *)0)->a.b`.
fn const_place(e: &Expr) -> Option<u64> {
    match &e.kind {
        ExprKind::Deref(p) => const_value(p),
        ExprKind::Member(b, off) => Some(const_place(b)?.wrapping_add(*off)),
        _ => None,
    }
}
