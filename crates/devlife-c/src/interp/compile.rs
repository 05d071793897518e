//! Compiling lowered expressions into closures ([`super::code`]): values,
//! conversions and arithmetic here; operands and conditions in
//! [`super::operand`], places and what reads or writes them in
//! [`super::place`], calls in [`super::call`], initializers in
//! [`super::init`], step counts in [`super::steps`].

use super::code::{Code, Ev};
use super::init::copy_mem;
use super::operand::{keeps_every_value, Op};
use super::steps::counted;
use crate::ast::{BinOp, CastOp, Expr, ExprKind, Local};
use crate::env::Trap;
use crate::ops;
use crate::program::Program;
use crate::source::Site;
use crate::types::{IntTy, TypeId};
use crate::value::Addr;

/// What compiling a function needs: the code (for addresses) and the
/// function's locals.
pub(crate) struct Cc<'a> {
    pub code: &'a Code,
    pub p: &'a Program,
    pub locals: &'a [Local],
}

pub(super) fn trap(t: Trap) -> Box<Trap> {
    Box::new(t)
}

pub(super) fn unsupported(what: &str, site: Site) -> Ev {
    let what: Box<str> = what.into();
    Box::new(move |_, _, _| {
        Err(trap(Trap::Unsupported {
            what: what.to_string(),
            site,
        }))
    })
}

impl Cc<'_> {
    pub(super) fn int_ty(&self, ty: TypeId) -> Option<IntTy> {
        self.p.types.int_ty(ty)
    }

    pub(super) fn non_scalar(&self, what: &str, ty: TypeId) -> Box<str> {
        format!("{what} of non-scalar type `{}`", self.p.types.name(ty)).into()
    }

    /// Compiles `e` as a value.
    pub(crate) fn value(&self, e: &Expr) -> Ev {
        let site = e.site;
        match &e.kind {
            ExprKind::Const(v) => {
                let v = *v;
                Box::new(move |_, _, _| Ok(v))
            }
            ExprKind::Func(f) => {
                let a = super::function_addr(*f).0;
                Box::new(move |_, _, _| Ok(a))
            }
            ExprKind::Load(p) => self.load(p, e.ty, site),
            ExprKind::AddrOf(p) => self.address(self.place(p)),
            ExprKind::Cast(op, x) => self.cast(*op, x),
            ExprKind::Unary(op, it, x) => {
                let (op, it, x) = (*op, *it, self.value(x));
                Box::new(move |c, i, env| Ok(ops::unop(op, it, x(c, i, env)?)))
            }
            ExprKind::Binary(op, it, a, b) => self.binary(*op, *it, a, b, site),
            ExprKind::PtrAdd(p, i, scale) => self.ptr_add(p, i, *scale),
            ExprKind::PtrDiff(a, b, scale) => {
                let (a, b, scale) = (self.value(a), self.value(b), *scale);
                Box::new(move |c, it, env| {
                    let x = a(c, it, env)?;
                    let y = b(c, it, env)?;
                    Ok(((x.wrapping_sub(y) as i64).wrapping_div(scale)) as u64)
                })
            }
            ExprKind::LogAnd(a, b) => {
                let (a, b) = (self.value(a), counted(b, self.value(b)));
                Box::new(move |c, it, env| {
                    Ok(u64::from(a(c, it, env)? != 0 && b(c, it, env)? != 0))
                })
            }
            ExprKind::LogOr(a, b) => {
                let (a, b) = (self.value(a), counted(b, self.value(b)));
                Box::new(move |c, it, env| {
                    Ok(u64::from(a(c, it, env)? != 0 || b(c, it, env)? != 0))
                })
            }
            ExprKind::Cond(k, a, b) => {
                let k = self.value(k);
                let (a, b) = (counted(a, self.value(a)), counted(b, self.value(b)));
                Box::new(move |c, it, env| {
                    if k(c, it, env)? != 0 {
                        a(c, it, env)
                    } else {
                        b(c, it, env)
                    }
                })
            }
            ExprKind::Comma(a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                Box::new(move |c, it, env| {
                    a(c, it, env)?;
                    b(c, it, env)
                })
            }
            ExprKind::Assign(l, r) => self.assign(l, r, site),
            ExprKind::Copy(l, r, n) => {
                let (dst, src, n) = (self.address(self.place(l)), self.address(self.place(r)), *n);
                Box::new(move |c, it, env| {
                    let d = Addr(dst(c, it, env)?);
                    let s = Addr(src(c, it, env)?);
                    copy_mem(env, d, s, n, site)?;
                    Ok(0)
                })
            }
            ExprKind::CompoundAssign {
                op,
                ity,
                to_op,
                back,
                lhs,
                rhs,
            } => {
                let (op, ity, to_op, back) = (*op, *ity, *to_op, *back);
                self.modify(lhs, self.operand(rhs), site, move |old, r| {
                    let v = ops::binop(op, ity, ops::cast(to_op, old), r)
                        .ok_or_else(|| trap(Trap::DivByZero { site }))?;
                    let v = ops::cast(back, v);
                    Ok((v, v))
                })
            }
            ExprKind::PtrAddAssign(l, r, scale) => {
                let scale = *scale as u64;
                self.modify(l, self.operand(r), site, move |old, n| {
                    let v = old.wrapping_add(n.wrapping_mul(scale));
                    Ok((v, v))
                })
            }
            ExprKind::IncDec {
                lhs,
                delta,
                norm,
                post,
            } => {
                let (delta, norm, post) = (*delta as u64, *norm, *post);
                self.modify(lhs, Op::K(0), site, move |old, _| {
                    let new = ops::cast(norm, old.wrapping_add(delta));
                    Ok((new, if post { old } else { new }))
                })
            }
            ExprKind::Call(callee, args) => self.call(callee, args, e),
            ExprKind::StmtExpr(b) => self.stmt_expr(b, site),
            _ => unsupported("expression used as a value", site),
        }
    }

    /// `op` as applied to values of `x`'s type: a conversion to an integer
    /// type that keeps every value of the operand's is none at all.
    pub(super) fn effective_cast(&self, op: CastOp, x: &Expr) -> CastOp {
        let CastOp::Int(to) = op else {
            return op;
        };
        match self.int_ty(x.ty) {
            Some(from) if keeps_every_value(from, to) => CastOp::Nop,
            _ => op,
        }
    }

    fn cast(&self, op: CastOp, x: &Expr) -> Ev {
        let op = self.effective_cast(op, x);
        let x = self.value(x);
        match op {
            CastOp::Nop => x,
            CastOp::Int(it) => Box::new(move |c, i, env| Ok(it.norm(x(c, i, env)?))),
            CastOp::Bool => Box::new(move |c, i, env| Ok(u64::from(x(c, i, env)? != 0))),
        }
    }

    fn binary(&self, op: BinOp, it: IntTy, a: &Expr, b: &Expr, site: Site) -> Ev {
        let div_by_zero = move || trap(Trap::DivByZero { site });
        let (x, y) = (self.operand(a), self.operand(b));
        Box::new(move |c, i, env| {
            let l = x.get(c, i, env)?;
            let r = y.get(c, i, env)?;
            ops::binop(op, it, l, r).ok_or_else(div_by_zero)
        })
    }

    fn ptr_add(&self, p: &Expr, i: &Expr, scale: i64) -> Ev {
        let (p, i) = (self.operand(p), self.operand(i));
        Box::new(move |c, it, env| {
            let a = p.get(c, it, env)?;
            let n = i.get(c, it, env)?;
            Ok(a.wrapping_add(n.wrapping_mul(scale as u64)))
        })
    }
}
