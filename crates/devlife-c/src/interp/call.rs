//! Calls: of C functions (a new frame of slots), of the env's externals
//! (arguments gathered on the stack), and through function pointers.

use super::code::{Code, Ev, Norm};
use super::compile::{trap, Cc};
use super::operand::Op;
use super::{Fallible, Interp};
use crate::ast::{Callee, Expr, FuncId};
use crate::env::{Env, Trap};
use crate::source::Site;
use crate::types::TypeId;
use crate::value::{Addr, Value};

/// Arguments of an external call are gathered on the stack up to this
/// many (variadic calls with more use the heap).
const INLINE_ARGS: usize = 12;

impl Cc<'_> {
    /// A call.
    pub(super) fn call(&self, callee: &Callee, args: &[Expr], e: &Expr) -> Ev {
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
