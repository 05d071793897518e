//! Places (lvalues), resolved as far as compile time allows: a register
//! local, a constant address (a global or a literal, plus member offsets),
//! the address a slot holds plus an offset (a memory local, or `p->m` for a
//! register pointer `p`), or an address computed at run time. Loads,
//! stores and read-modify-writes are specialised on that shape, so
//! `p->count++` is one closure.

use super::code::Ev;
use super::compile::{trap, unsupported, Cc};
use super::operand::{register_load, Op};
use super::Fallible;
use crate::ast::{Expr, ExprKind};
use crate::env::Trap;
use crate::source::Site;
use crate::types::TypeId;
use crate::value::Addr;

/// A place, resolved as far as compile time allows.
pub(super) enum Place {
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

impl Cc<'_> {
    /// Resolves a place.
    pub(super) fn place(&self, e: &Expr) -> Place {
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
    pub(super) fn address(&self, place: Place) -> Ev {
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
    pub(super) fn load(&self, p: &Expr, ty: TypeId, site: Site) -> Ev {
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
    pub(super) fn assign(&self, l: &Expr, r: &Expr, site: Site) -> Ev {
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
    pub(super) fn modify<F>(&self, l: &Expr, rhs: Op, site: Site, f: F) -> Ev
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
}
