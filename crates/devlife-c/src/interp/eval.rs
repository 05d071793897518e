//! Expression evaluation.

use super::{Cx, Fallible, Interp, TopCall};
use crate::ast::{Callee, Expr, ExprKind, FuncId};
use crate::env::{Env, Trap};
use crate::memory::MAX_ALLOC_SIZE;
use crate::ops;
use crate::source::Site;
use crate::types::{IntTy, TypeId, TypeKind, TypeTable};
use crate::value::{Addr, Value};
use smallvec::SmallVec;

/// A place: a register slot or a memory address.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Place {
    Reg(usize),
    Mem(Addr),
}

/// Integer representation and size used to load/store a scalar type.
#[inline]
fn scalar_repr(types: &TypeTable, ty: TypeId) -> Option<IntTy> {
    types.int_ty(ty)
}

/// Reads a scalar of type `ty` from memory.
pub(crate) fn load_mem<E: Env + ?Sized>(
    types: &TypeTable,
    env: &mut E,
    a: Addr,
    ty: TypeId,
    site: Site,
) -> Fallible<u64> {
    let Some(it) = scalar_repr(types, ty) else {
        return Err(Box::new(Trap::Unsupported {
            what: format!("load of non-scalar type `{}`", types.name(ty)),
            site,
        }));
    };
    let mut buf = [0u8; 8];
    let n = usize::from(it.size);
    env.read(a, &mut buf[..n], site)?;
    Ok(ops::decode(&buf[..n], it))
}

/// Writes a scalar of type `ty` to memory.
pub(crate) fn store_mem<E: Env + ?Sized>(
    types: &TypeTable,
    env: &mut E,
    a: Addr,
    ty: TypeId,
    v: u64,
    site: Site,
) -> Fallible<()> {
    let Some(it) = scalar_repr(types, ty) else {
        return Err(Box::new(Trap::Unsupported {
            what: format!("store of non-scalar type `{}`", types.name(ty)),
            site,
        }));
    };
    let n = usize::from(it.size);
    Ok(env.write(a, &v.to_le_bytes()[..n], site)?)
}

/// Copies `n` bytes (memmove semantics).
pub(crate) fn copy_mem<E: Env + ?Sized>(
    env: &mut E,
    dst: Addr,
    src: Addr,
    n: u64,
    site: Site,
) -> Fallible<()> {
    if n > MAX_ALLOC_SIZE {
        return Err(Box::new(Trap::AllocFailed { size: n, site }));
    }
    let mut buf = vec![0u8; n as usize];
    env.read(src, &mut buf, site)?;
    Ok(env.write(dst, &buf, site)?)
}

fn not_a_value(e: &Expr) -> Trap {
    Trap::Unsupported {
        what: "expression used as a value".into(),
        site: e.site,
    }
}

impl Interp {
    /// Evaluates an expression to its bits. Leaves (constants, register
    /// locals, addresses of literals, globals and functions: about half of
    /// all nodes, and most call arguments) are read here, inlined into the
    /// caller; everything else goes through [`Interp::eval_inner`].
    #[inline(always)]
    pub(crate) fn eval<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        e: &Expr,
    ) -> Fallible<u64> {
        self.step(e.site)?;
        if let Some(v) = self.leaf_value(cx, e) {
            return Ok(v);
        }
        self.deeper(|it| it.eval_inner(env, cx, e))
    }

    /// The value of `e` if it is a leaf that cannot fail.
    #[inline(always)]
    fn leaf_value(&self, cx: Cx<'_>, e: &Expr) -> Option<u64> {
        match &e.kind {
            ExprKind::Const(v) => Some(*v),
            ExprKind::Func(f) => Some(self.function_addr(*f).0),
            ExprKind::Load(p) => match p.kind {
                ExprKind::LocalReg(i) => self.slots.get(cx.fp + i as usize).copied(),
                _ => None,
            },
            ExprKind::AddrOf(p) => match p.kind {
                ExprKind::Str(s) => self.string_addrs.get(s as usize).map(|a| a.0),
                ExprKind::Global(g) => self.global_addrs.get(g.0 as usize).map(|a| a.0),
                _ => None,
            },
            _ => None,
        }
    }

    /// Evaluates a non-leaf expression (its step already counted). Never
    /// inlined: its frame is large, and the leaves must not pay for it.
    #[inline(never)]
    fn eval_inner<E: Env + ?Sized>(&mut self, env: &mut E, cx: Cx<'_>, e: &Expr) -> Fallible<u64> {
        match &e.kind {
            ExprKind::Const(v) => Ok(*v),
            ExprKind::Load(p) => match self.place(env, cx, p)? {
                Place::Reg(i) => Ok(self.slot(i)),
                Place::Mem(a) => load_mem(&cx.p.types, env, a, e.ty, e.site),
            },
            ExprKind::AddrOf(p) => Ok(self.place_addr(env, cx, p)?.0),
            ExprKind::Func(f) => Ok(self.function_addr(*f).0),
            ExprKind::Cast(op, x) => Ok(ops::cast(*op, self.eval(env, cx, x)?)),
            ExprKind::Unary(op, it, x) => Ok(ops::unop(*op, *it, self.eval(env, cx, x)?)),
            ExprKind::Binary(op, it, a, b) => {
                let x = self.eval(env, cx, a)?;
                let y = self.eval(env, cx, b)?;
                ops::binop(*op, *it, x, y).ok_or_else(|| Box::new(Trap::DivByZero { site: e.site }))
            }
            ExprKind::PtrAdd(p, i, scale) => {
                let a = self.eval(env, cx, p)?;
                let n = self.eval(env, cx, i)?;
                Ok(a.wrapping_add(n.wrapping_mul(*scale as u64)))
            }
            ExprKind::PtrDiff(a, b, scale) => {
                let x = self.eval(env, cx, a)?;
                let y = self.eval(env, cx, b)?;
                Ok(((x.wrapping_sub(y) as i64).wrapping_div(*scale)) as u64)
            }
            ExprKind::LogAnd(a, b) => Ok(u64::from(
                self.eval(env, cx, a)? != 0 && self.eval(env, cx, b)? != 0,
            )),
            ExprKind::LogOr(a, b) => Ok(u64::from(
                self.eval(env, cx, a)? != 0 || self.eval(env, cx, b)? != 0,
            )),
            ExprKind::Cond(c, a, b) => {
                if self.eval(env, cx, c)? != 0 {
                    self.eval(env, cx, a)
                } else {
                    self.eval(env, cx, b)
                }
            }
            ExprKind::Comma(a, b) => {
                self.eval(env, cx, a)?;
                self.eval(env, cx, b)
            }
            ExprKind::Assign(l, r) => {
                let pl = self.place(env, cx, l)?;
                let v = self.eval(env, cx, r)?;
                self.store(env, cx, pl, l.ty, v, e.site)?;
                Ok(v)
            }
            ExprKind::Copy(l, r, n) => {
                let dst = self.place_addr(env, cx, l)?;
                let src = self.place_addr(env, cx, r)?;
                copy_mem(env, dst, src, *n, e.site)?;
                Ok(0)
            }
            ExprKind::CompoundAssign {
                op,
                ity,
                to_op,
                back,
                lhs,
                rhs,
            } => {
                let pl = self.place(env, cx, lhs)?;
                let old = self.load_place(env, cx, pl, lhs.ty, e.site)?;
                let r = self.eval(env, cx, rhs)?;
                let v = ops::binop(*op, *ity, ops::cast(*to_op, old), r)
                    .ok_or_else(|| Box::new(Trap::DivByZero { site: e.site }))?;
                let v = ops::cast(*back, v);
                self.store(env, cx, pl, lhs.ty, v, e.site)?;
                Ok(v)
            }
            ExprKind::PtrAddAssign(l, r, scale) => {
                let pl = self.place(env, cx, l)?;
                let old = self.load_place(env, cx, pl, l.ty, e.site)?;
                let n = self.eval(env, cx, r)?;
                let v = old.wrapping_add(n.wrapping_mul(*scale as u64));
                self.store(env, cx, pl, l.ty, v, e.site)?;
                Ok(v)
            }
            ExprKind::IncDec {
                lhs,
                delta,
                norm,
                post,
            } => {
                let pl = self.place(env, cx, lhs)?;
                let old = self.load_place(env, cx, pl, lhs.ty, e.site)?;
                let new = ops::cast(*norm, old.wrapping_add(*delta as u64));
                self.store(env, cx, pl, lhs.ty, new, e.site)?;
                Ok(if *post { old } else { new })
            }
            ExprKind::Call(callee, args) => self.call(env, cx, callee, args, e),
            ExprKind::StmtExpr(b) => self.exec_stmt_expr(env, cx, b, e.site),
            _ => Err(Box::new(not_a_value(e))),
        }
    }

    /// Evaluates a place expression.
    pub(crate) fn place<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        e: &Expr,
    ) -> Fallible<Place> {
        match &e.kind {
            ExprKind::LocalReg(i) => Ok(Place::Reg(cx.fp + *i as usize)),
            _ => Ok(Place::Mem(self.place_addr(env, cx, e)?)),
        }
    }

    /// The address of a memory place.
    pub(crate) fn place_addr<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        e: &Expr,
    ) -> Fallible<Addr> {
        match &e.kind {
            ExprKind::LocalMem(i) => Ok(Addr(self.slot(cx.fp + *i as usize))),
            ExprKind::Global(g) => self.global_addrs.get(g.0 as usize).copied().ok_or_else(|| {
                Box::new(Trap::Unsupported {
                    what: "globals not initialized (call init_globals)".into(),
                    site: e.site,
                })
            }),
            ExprKind::Str(s) => self.string_addrs.get(*s as usize).copied().ok_or_else(|| {
                Box::new(Trap::Unsupported {
                    what: "string literals not initialized (call init_globals)".into(),
                    site: e.site,
                })
            }),
            ExprKind::Deref(p) => Ok(Addr(self.eval(env, cx, p)?)),
            ExprKind::Member(b, off) => Ok(self.place_addr(env, cx, b)?.wrapping_add(*off)),
            ExprKind::CompoundLit(id, init) => {
                let a = Addr(self.slot(cx.fp + *id as usize));
                self.run_init(env, cx, init, a, e.ty, e.site)?;
                Ok(a)
            }
            _ => Err(Box::new(Trap::Unsupported {
                what: "address of a register value".into(),
                site: e.site,
            })),
        }
    }

    #[inline]
    fn load_place<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        pl: Place,
        ty: TypeId,
        site: Site,
    ) -> Fallible<u64> {
        match pl {
            Place::Reg(i) => Ok(self.slot(i)),
            Place::Mem(a) => load_mem(&cx.p.types, env, a, ty, site),
        }
    }

    #[inline]
    fn store<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        pl: Place,
        ty: TypeId,
        v: u64,
        site: Site,
    ) -> Fallible<()> {
        match pl {
            Place::Reg(i) => {
                self.set_slot(i, v);
                Ok(())
            }
            Place::Mem(a) => store_mem(&cx.p.types, env, a, ty, v, site),
        }
    }

    fn call<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        callee: &Callee,
        args: &[Expr],
        e: &Expr,
    ) -> Fallible<u64> {
        let fid = match callee {
            Callee::Direct(f) => *f,
            Callee::Indirect(fe) => {
                let a = Addr(self.eval(env, cx, fe)?);
                match self.function_at(a) {
                    Some(f) => f,
                    None if a.is_null() => {
                        return Err(Box::new(Trap::NullDeref {
                            addr: a,
                            site: e.site,
                        }))
                    }
                    None => {
                        return Err(Box::new(Trap::BadFunctionPointer {
                            addr: a,
                            site: e.site,
                        }))
                    }
                }
            }
        };
        let Some(func) = cx.p.funcs.get(fid.0 as usize) else {
            return Err(Box::new(Trap::BadFunctionPointer {
                addr: self.function_addr(fid),
                site: e.site,
            }));
        };
        match &func.body {
            Some(body) => {
                let base = self.slots.len();
                let outer = self.depth == 1;
                if outer {
                    self.top_calls += 1;
                    self.top_call = Some(TopCall {
                        func: fid,
                        site: e.site,
                        serial: self.top_calls,
                    });
                }
                let r = self.call_c(env, cx, body, args, base, e.site);
                if outer {
                    self.top_call = None;
                }
                self.slots.truncate(base);
                let v = r?;
                Ok(self.convert(Value { bits: v, ty: e.ty }, e.ty).bits)
            }
            None => self.call_external(env, cx, fid, args, e),
        }
    }

    fn call_c<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        body: &crate::ast::Body,
        args: &[Expr],
        base: usize,
        site: Site,
    ) -> Fallible<u64> {
        for a in args.iter().take(body.params.len()) {
            let v = self.eval(env, cx, a)?;
            self.slots.push(v);
        }
        for a in args.iter().skip(body.params.len()) {
            self.eval(env, cx, a)?;
        }
        self.run_function(env, cx.p, body, base, site)
    }

    fn call_external<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        fid: FuncId,
        args: &[Expr],
        e: &Expr,
    ) -> Fallible<u64> {
        let mut vals: SmallVec<[Value; 12]> = SmallVec::with_capacity(args.len());
        for a in args {
            let bits = self.eval(env, cx, a)?;
            vals.push(Value { bits, ty: a.ty });
        }
        let v = env.call_external(self, fid, &vals, e.site)?;
        Ok(match cx.p.types.kind(e.ty) {
            TypeKind::Void => 0,
            _ => self.convert(v, e.ty).bits,
        })
    }
}
