//! Operands and conditions: what most expressions are made of, read
//! without a closure call of their own.

use super::code::{Code, Ev};
use super::compile::Cc;
use super::place::Place;
use super::{Fallible, Interp};
use crate::ast::{BinOp, CastOp, Expr, ExprKind, UnOp};
use crate::env::Env;
use crate::ops;
use crate::types::IntTy;

/// An operand: constants and register reads, the most common operands
/// and call arguments, are read without a call.
pub(crate) enum Op {
    /// A constant.
    K(u64),
    /// A register local.
    R(u32),
    /// Anything else.
    E(Ev),
}

impl Op {
    /// The operand's value.
    #[inline(always)]
    pub(crate) fn get(&self, c: &Code, it: &mut Interp, env: &mut dyn Env) -> Fallible<u64> {
        match self {
            Op::K(v) => Ok(*v),
            Op::R(i) => Ok(it.reg(*i)),
            Op::E(e) => e(c, it, env),
        }
    }
}

/// A condition (of `if` or a loop): comparisons, the most common ones, are
/// tested in place rather than computed as a value by a closure.
pub(crate) enum Test {
    /// `a op b` for a comparison `op` (negated for `!(a op b)`).
    Cmp {
        op: BinOp,
        it: IntTy,
        a: Op,
        b: Op,
        negate: bool,
    },
    /// Any other scalar: true when not zero.
    Value(Op),
}

impl Test {
    /// Whether the condition holds.
    #[inline(always)]
    pub(crate) fn holds(&self, c: &Code, it: &mut Interp, env: &mut dyn Env) -> Fallible<bool> {
        match self {
            Test::Cmp {
                op,
                it: repr,
                a,
                b,
                negate,
            } => {
                let x = a.get(c, it, env)?;
                let y = b.get(c, it, env)?;
                // A comparison never divides, so it always has a value.
                Ok((ops::binop(*op, *repr, x, y) == Some(1)) != *negate)
            }
            Test::Value(v) => Ok(v.get(c, it, env)? != 0),
        }
    }
}

/// Whether normalizing a value of representation `from` (already sign- or
/// zero-extended to 64 bits) for `to` leaves its bits unchanged: `to` is 64
/// bits wide, or at least as wide with the same signedness, or wider than an
/// unsigned `from`.
pub(super) fn keeps_every_value(from: IntTy, to: IntTy) -> bool {
    to.size == 8
        || (to.size >= from.size && to.signed == from.signed)
        || (to.size > from.size && !from.signed)
}

/// The register local `e` reads, if it is a plain read of one.
pub(super) fn register_load(e: &Expr) -> Option<u32> {
    match &e.kind {
        ExprKind::Load(r) => match r.kind {
            ExprKind::LocalReg(i) => Some(i),
            _ => None,
        },
        _ => None,
    }
}

impl Cc<'_> {
    /// Compiles `e` as a condition.
    pub(crate) fn test(&self, e: &Expr) -> Test {
        match &e.kind {
            ExprKind::Binary(op, it, a, b) if op.is_comparison() => Test::Cmp {
                op: *op,
                it: *it,
                a: self.operand(a),
                b: self.operand(b),
                negate: false,
            },
            ExprKind::Unary(UnOp::Not, _, x) => match self.test(x) {
                Test::Cmp {
                    op,
                    it,
                    a,
                    b,
                    negate,
                } => Test::Cmp {
                    op,
                    it,
                    a,
                    b,
                    negate: !negate,
                },
                Test::Value(v) => Test::Cmp {
                    op: BinOp::Eq,
                    it: IntTy::ULONG,
                    a: v,
                    b: Op::K(0),
                    negate: false,
                },
            },
            _ => Test::Value(self.operand(e)),
        }
    }

    /// Compiles `e` as an operand.
    pub(crate) fn operand(&self, e: &Expr) -> Op {
        match &e.kind {
            ExprKind::Const(v) => Op::K(*v),
            ExprKind::Func(f) => Op::K(super::function_addr(*f).0),
            ExprKind::Load(p) => match p.kind {
                ExprKind::LocalReg(i) => Op::R(i),
                _ => Op::E(self.value(e)),
            },
            ExprKind::AddrOf(p) => match self.place(p) {
                Place::At(a) => Op::K(a.0),
                place => Op::E(self.address(place)),
            },
            ExprKind::Cast(op, x) => match self.operand(x) {
                Op::K(v) => Op::K(ops::cast(*op, v)),
                Op::R(i) if self.effective_cast(*op, x) == CastOp::Nop => Op::R(i),
                _ => Op::E(self.value(e)),
            },
            _ => Op::E(self.value(e)),
        }
    }
}
