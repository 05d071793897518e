//! Compiling lowered expressions into closures ([`super::code`]).
//!
//! A place (lvalue) is resolved as far as compile time allows: a register
//! local, a constant address (a global or a literal, plus member offsets),
//! the address a slot holds plus an offset (a memory local, or `p->m` for a
//! register pointer `p`), or an address computed at run time. Loads, stores
//! and read-modify-writes are then specialised on that shape, so `p->count++`
//! is one closure.
//!
//! Steps: a statement counts the nodes it evaluates when it starts (see
//! [`count`]); the parts of `&&`, `||` and `?:` that may be skipped count
//! when they run, so the total is exactly one step per evaluated node.

use super::code::{Code, Ev, InitFn, Norm};
use super::{Fallible, Interp};
use crate::ast::{BinOp, Callee, CastOp, Expr, ExprKind, FuncId, Init, InitOp, Local, UnOp};
use crate::env::{Env, Trap};
use crate::memory::MAX_ALLOC_SIZE;
use crate::ops;
use crate::program::Program;
use crate::source::Site;
use crate::types::{IntTy, TypeId};
use crate::value::{Addr, Value};

/// Arguments of an external call are gathered on the stack up to this
/// many (variadic calls with more use the heap).
const INLINE_ARGS: usize = 12;

/// Zeros written over an aggregate before its initializer runs.
static ZEROS: [u8; 4096] = [0; 4096];

/// What compiling a function needs: the code (for addresses) and the
/// function's locals.
pub(crate) struct Cc<'a> {
    pub code: &'a Code,
    pub p: &'a Program,
    pub locals: &'a [Local],
}

/// A place, resolved as far as compile time allows.
enum Place {
    /// A register local.
    Reg(u32),
    /// A constant address.
    At(Addr),
    /// The address held by a slot, plus an offset.
    Slot(u32, u64),
    /// An address computed at run time, plus an offset.
    Dyn(Ev, u64),
    /// Not a place: running it traps.
    Bad(Box<str>, Site),
}

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

fn trap(t: Trap) -> Box<Trap> {
    Box::new(t)
}

fn unsupported(what: &str, site: Site) -> Ev {
    let what: Box<str> = what.into();
    Box::new(move |_, _, _| {
        Err(trap(Trap::Unsupported {
            what: what.to_string(),
            site,
        }))
    })
}

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

/// Whether normalizing a value of representation `from` (already sign- or
/// zero-extended to 64 bits) for `to` leaves its bits unchanged: `to` is 64
/// bits wide, or at least as wide with the same signedness, or wider than an
/// unsigned `from`.
fn keeps_every_value(from: IntTy, to: IntTy) -> bool {
    to.size == 8
        || (to.size >= from.size && to.signed == from.signed)
        || (to.size > from.size && !from.signed)
}

/// The register local `e` reads, if it is a plain read of one.
fn register_load(e: &Expr) -> Option<u32> {
    match &e.kind {
        ExprKind::Load(r) => match r.kind {
            ExprKind::LocalReg(i) => Some(i),
            _ => None,
        },
        _ => None,
    }
}

/// Wraps `e` so that it counts its own steps when it runs (a branch that
/// may be skipped).
fn counted(e: &Expr, ev: Ev) -> Ev {
    let (n, site) = (count(e), e.site);
    Box::new(move |c, it, env| {
        it.tick(n, site)?;
        ev(c, it, env)
    })
}

impl Cc<'_> {
    fn int_ty(&self, ty: TypeId) -> Option<IntTy> {
        self.p.types.int_ty(ty)
    }

    fn non_scalar(&self, what: &str, ty: TypeId) -> Box<str> {
        format!("{what} of non-scalar type `{}`", self.p.types.name(ty)).into()
    }

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
    fn effective_cast(&self, op: CastOp, x: &Expr) -> CastOp {
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

    /// Resolves a place.
    fn place(&self, e: &Expr) -> Place {
        match &e.kind {
            ExprKind::LocalReg(i) => Place::Reg(*i),
            ExprKind::LocalMem(i) => Place::Slot(*i, 0),
            ExprKind::Global(g) => match self.code.globals.get(g.0 as usize) {
                Some(a) => Place::At(*a),
                None => Place::Bad("globals not initialized (call init_globals)".into(), e.site),
            },
            ExprKind::Str(s) => match self.code.strings.get(*s as usize) {
                Some(a) => Place::At(*a),
                None => Place::Bad(
                    "string literals not initialized (call init_globals)".into(),
                    e.site,
                ),
            },
            ExprKind::Deref(p) => match register_load(p) {
                Some(i) => Place::Slot(i, 0),
                None => Place::Dyn(self.value(p), 0),
            },
            ExprKind::Member(b, off) => match self.place(b) {
                Place::At(a) => Place::At(a.wrapping_add(*off)),
                Place::Slot(i, o) => Place::Slot(i, o.wrapping_add(*off)),
                Place::Dyn(ev, o) => Place::Dyn(ev, o.wrapping_add(*off)),
                Place::Reg(_) => Place::Bad("address of a register value".into(), e.site),
                bad @ Place::Bad(..) => bad,
            },
            ExprKind::CompoundLit(id, init) => {
                let (id, run) = (*id, self.init(init, e.ty, e.site));
                Place::Dyn(
                    Box::new(move |c, it, env| {
                        let a = Addr(it.reg(id));
                        run(c, it, env, a)?;
                        Ok(a.0)
                    }),
                    0,
                )
            }
            _ => Place::Bad("address of a register value".into(), e.site),
        }
    }

    /// The address of a memory place, as a value.
    fn address(&self, place: Place) -> Ev {
        match place {
            Place::At(a) => Box::new(move |_, _, _| Ok(a.0)),
            Place::Slot(i, 0) => Box::new(move |_, it, _| Ok(it.reg(i))),
            Place::Slot(i, o) => Box::new(move |_, it, _| Ok(it.reg(i).wrapping_add(o))),
            Place::Dyn(ev, 0) => ev,
            Place::Dyn(ev, o) => Box::new(move |c, it, env| Ok(ev(c, it, env)?.wrapping_add(o))),
            Place::Reg(_) => Box::new(|_, _, _| {
                Err(trap(Trap::Unsupported {
                    what: "address of a register value".into(),
                    site: Site::NONE,
                }))
            }),
            Place::Bad(what, site) => unsupported(&what, site),
        }
    }

    /// Reads the place `p` as a value of type `ty`.
    fn load(&self, p: &Expr, ty: TypeId, site: Site) -> Ev {
        let place = self.place(p);
        if let Place::Reg(i) = place {
            return Box::new(move |_, it, _| Ok(it.reg(i)));
        }
        let Some(int) = self.int_ty(ty) else {
            return unsupported(&self.non_scalar("load", ty), site);
        };
        let n = int.size;
        match place {
            Place::At(a) => {
                Box::new(move |_, _, env| Ok(int.norm(env.read_scalar(a, n, site).map_err(trap)?)))
            }
            Place::Slot(i, o) => Box::new(move |_, it, env| {
                let a = Addr(it.reg(i).wrapping_add(o));
                Ok(int.norm(env.read_scalar(a, n, site).map_err(trap)?))
            }),
            place => {
                let addr = self.address(place);
                Box::new(move |c, it, env| {
                    let a = Addr(addr(c, it, env)?);
                    Ok(int.norm(env.read_scalar(a, n, site).map_err(trap)?))
                })
            }
        }
    }

    /// `l = r` for a scalar `l`.
    fn assign(&self, l: &Expr, r: &Expr, site: Site) -> Ev {
        let place = self.place(l);
        let v = self.operand(r);
        if let Place::Reg(i) = place {
            return Box::new(move |c, it, env| {
                let x = v.get(c, it, env)?;
                it.set_reg(i, x);
                Ok(x)
            });
        }
        let Some(int) = self.int_ty(l.ty) else {
            return unsupported(&self.non_scalar("store", l.ty), site);
        };
        let n = int.size;
        match place {
            Place::Slot(i, o) => Box::new(move |c, it, env| {
                let a = Addr(it.reg(i).wrapping_add(o));
                let x = v.get(c, it, env)?;
                env.write_scalar(a, n, x, site).map_err(trap)?;
                Ok(x)
            }),
            place => {
                let addr = self.address(place);
                Box::new(move |c, it, env| {
                    let a = Addr(addr(c, it, env)?);
                    let x = v.get(c, it, env)?;
                    env.write_scalar(a, n, x, site).map_err(trap)?;
                    Ok(x)
                })
            }
        }
    }

    /// A read-modify-write of place `l`: `f(old, rhs)` gives the value to
    /// store and the expression's value. The place is computed once, then
    /// the old value read, then `rhs` evaluated (C's order for `op=`).
    fn modify<F>(&self, l: &Expr, rhs: Op, site: Site, f: F) -> Ev
    where
        F: Fn(u64, u64) -> Fallible<(u64, u64)> + 'static,
    {
        let place = self.place(l);
        if let Place::Reg(i) = place {
            return Box::new(move |c, it, env| {
                let old = it.reg(i);
                let r = rhs.get(c, it, env)?;
                let (new, value) = f(old, r)?;
                it.set_reg(i, new);
                Ok(value)
            });
        }
        let Some(int) = self.int_ty(l.ty) else {
            return unsupported(&self.non_scalar("load", l.ty), site);
        };
        let n = int.size;
        let addr = self.address(place);
        Box::new(move |c, it, env| {
            let a = Addr(addr(c, it, env)?);
            let old = int.norm(env.read_scalar(a, n, site).map_err(trap)?);
            let r = rhs.get(c, it, env)?;
            let (new, value) = f(old, r)?;
            env.write_scalar(a, n, new, site).map_err(trap)?;
            Ok(value)
        })
    }

    /// A call.
    fn call(&self, callee: &Callee, args: &[Expr], e: &Expr) -> Ev {
        let site = e.site;
        let norm = Norm::of(&self.p.types, e.ty);
        let argv: Vec<Op> = args.iter().map(|a| self.operand(a)).collect();
        match callee {
            Callee::Direct(f) => {
                let has_body = self.p.funcs.get(f.0 as usize).map(|f| f.body.is_some());
                match has_body {
                    Some(true) => call_c(*f, argv, norm, site),
                    Some(false) => {
                        let tys: Vec<TypeId> = args.iter().map(|a| a.ty).collect();
                        call_external(*f, argv, tys, norm, site)
                    }
                    None => {
                        let addr = super::function_addr(*f);
                        Box::new(move |_, _, _| Err(trap(Trap::BadFunctionPointer { addr, site })))
                    }
                }
            }
            Callee::Indirect(fe) => {
                let tys: Vec<TypeId> = args.iter().map(|a| a.ty).collect();
                call_indirect(self.value(fe), argv, tys, norm, site)
            }
        }
    }

    /// Compiles an initializer of an object of type `ty`.
    pub(crate) fn init(&self, init: &Init, ty: TypeId, site: Site) -> InitFn {
        match init {
            Init::Scalar(e) => {
                let v = self.operand(e);
                let Some(int) = self.int_ty(ty) else {
                    let what = self.non_scalar("store", ty);
                    return Box::new(move |_, _, _, _| {
                        Err(trap(Trap::Unsupported {
                            what: what.to_string(),
                            site,
                        }))
                    });
                };
                Box::new(move |c, it, env, a| {
                    let x = v.get(c, it, env)?;
                    Ok(env.write_scalar(a, int.size, x, site)?)
                })
            }
            Init::Aggregate(ops) => {
                let size = self.p.types.size_of(ty).unwrap_or(0);
                let steps: Vec<InitFn> = ops.iter().map(|op| self.init_op(op, site)).collect();
                Box::new(move |c, it, env, a| {
                    zero(env, a, size, site)?;
                    steps.iter().try_for_each(|s| s(c, it, env, a))
                })
            }
        }
    }

    fn init_op(&self, op: &InitOp, site: Site) -> InitFn {
        match op {
            InitOp::Scalar(off, e) => {
                let (off, v, esite) = (*off, self.operand(e), e.site);
                let Some(int) = self.int_ty(e.ty) else {
                    let what = self.non_scalar("store", e.ty);
                    return Box::new(move |_, _, _, _| {
                        Err(trap(Trap::Unsupported {
                            what: what.to_string(),
                            site: esite,
                        }))
                    });
                };
                Box::new(move |c, it, env, a| {
                    let x = v.get(c, it, env)?;
                    Ok(env.write_scalar(a.wrapping_add(off), int.size, x, esite)?)
                })
            }
            InitOp::Copy(off, e, n) => {
                let (off, n, esite) = (*off, *n, e.site);
                let src = self.address(self.place(e));
                Box::new(move |c, it, env, a| {
                    let s = Addr(src(c, it, env)?);
                    copy_mem(env, a.wrapping_add(off), s, n, esite)
                })
            }
            InitOp::Bytes(off, bytes) => {
                let (off, bytes) = (*off, bytes.clone());
                Box::new(move |_, _, env, a| Ok(env.write(a.wrapping_add(off), &bytes, site)?))
            }
        }
    }
}

/// A call of a function defined in C: the arguments become the first
/// slots of its frame.
fn call_c(f: FuncId, args: Vec<Op>, norm: Norm, site: Site) -> Ev {
    Box::new(move |c, it, env| {
        let Some(func) = c.func(f) else {
            let addr = super::function_addr(f);
            return Err(trap(Trap::BadFunctionPointer { addr, site }));
        };
        Ok(norm.apply(run_c(c, it, env, (f, func), &args, site)?))
    })
}

/// Evaluates the arguments into a new frame and runs C function `f` in
/// it. A call made by the outermost function is its current top call.
fn run_c(
    c: &Code,
    it: &mut Interp,
    env: &mut dyn Env,
    (f, func): (FuncId, &super::code::CFunc),
    args: &[Op],
    site: Site,
) -> Fallible<u64> {
    let outer = it.depth == 1;
    if outer {
        it.begin_top_call(f, site);
    }
    let r = run_frame_with_args(c, it, env, func, args, site);
    if outer {
        it.top_call = None;
    }
    r
}

fn run_frame_with_args(
    c: &Code,
    it: &mut Interp,
    env: &mut dyn Env,
    func: &super::code::CFunc,
    args: &[Op],
    site: Site,
) -> Fallible<u64> {
    let base = it.slots.len();
    let nparams = func.params.len();
    for (k, a) in args.iter().enumerate() {
        match a.get(c, it, env) {
            Ok(v) if k < nparams => it.slots.push(v),
            Ok(_) => {}
            Err(t) => {
                it.slots.truncate(base);
                return Err(t);
            }
        }
    }
    it.enter(c, env, func, base, site)
}

/// A call of a function the env provides.
fn call_external(f: FuncId, args: Vec<Op>, tys: Vec<TypeId>, norm: Norm, site: Site) -> Ev {
    Box::new(move |c, it, env| {
        let v = with_args(c, it, env, &args, &tys, |it, env, vals| {
            env.call_external(it, f, vals, site)
        })?;
        Ok(norm.apply(v.bits))
    })
}

/// A call through a function pointer.
fn call_indirect(fe: Ev, args: Vec<Op>, tys: Vec<TypeId>, norm: Norm, site: Site) -> Ev {
    Box::new(move |c, it, env| {
        let a = Addr(fe(c, it, env)?);
        let Some(f) = super::function_at(&c.prog, a) else {
            return Err(trap(if a.is_null() {
                Trap::NullDeref { addr: a, site }
            } else {
                Trap::BadFunctionPointer { addr: a, site }
            }));
        };
        match c.func(f) {
            Some(func) => Ok(norm.apply(run_c(c, it, env, (f, func), &args, site)?)),
            None => {
                let v = with_args(c, it, env, &args, &tys, |it, env, vals| {
                    env.call_external(it, f, vals, site)
                })?;
                Ok(norm.apply(v.bits))
            }
        }
    })
}

/// Evaluates `args` (of types `tys`) and hands them to `f`.
fn with_args(
    c: &Code,
    it: &mut Interp,
    env: &mut dyn Env,
    args: &[Op],
    tys: &[TypeId],
    f: impl FnOnce(&mut Interp, &mut dyn Env, &[Value]) -> Result<Value, Trap>,
) -> Fallible<Value> {
    if args.len() <= INLINE_ARGS {
        let mut vals = [Value::VOID; INLINE_ARGS];
        for ((slot, a), ty) in vals.iter_mut().zip(args).zip(tys) {
            *slot = Value {
                bits: a.get(c, it, env)?,
                ty: *ty,
            };
        }
        return f(it, env, &vals[..args.len()]).map_err(trap);
    }
    let mut vals = Vec::with_capacity(args.len());
    for (a, ty) in args.iter().zip(tys) {
        vals.push(Value {
            bits: a.get(c, it, env)?,
            ty: *ty,
        });
    }
    f(it, env, &vals).map_err(trap)
}

/// Writes `size` zero bytes at `a`.
fn zero(env: &mut dyn Env, a: Addr, size: u64, site: Site) -> Fallible<()> {
    let mut done = 0u64;
    while done < size {
        let n = (size - done).min(ZEROS.len() as u64);
        env.write(a.wrapping_add(done), &ZEROS[..n as usize], site)?;
        done += n;
    }
    Ok(())
}

/// Copies `n` bytes (memmove semantics).
pub(crate) fn copy_mem(
    env: &mut dyn Env,
    dst: Addr,
    src: Addr,
    n: u64,
    site: Site,
) -> Fallible<()> {
    if n > MAX_ALLOC_SIZE {
        return Err(trap(Trap::AllocFailed { size: n, site }));
    }
    let mut buf = vec![0u8; n as usize];
    env.read(src, &mut buf, site)?;
    Ok(env.write(dst, &buf, site)?)
}

impl Interp {
    /// Records that the outermost function calls its own helper `f`.
    fn begin_top_call(&mut self, f: FuncId, site: Site) {
        self.top_calls += 1;
        self.top_call = Some(super::TopCall {
            func: f,
            site,
            serial: self.top_calls,
        });
    }
}
