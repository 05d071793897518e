//! Compiled code: what a lowered function becomes the first time it is
//! called. Every expression and statement is a closure in which names,
//! member offsets, conversions, global addresses and step counts are
//! already resolved, so running it is a chain of direct calls with no
//! dispatch on node kinds and no type lookups.

use std::cell::OnceCell;
use std::sync::Arc;

use super::{Fallible, Interp};
use crate::ast::FuncId;
use crate::env::{AllocKind, Env, Trap};
use crate::program::Program;
use crate::source::Site;
use crate::types::{IntTy, TypeId, TypeKind, TypeTable};
use crate::value::Addr;

/// C frames entered between checks of the Rust stack's room. A frame's
/// Rust stack is bounded by the nesting lowering allows (256 levels, well
/// under a kilobyte each in optimized builds), so a few frames fit in the
/// red zone; unoptimized builds, whose frames are far larger, check at
/// every frame.
const STACK_CHECK: u32 = if cfg!(debug_assertions) { 1 } else { 4 };

/// A compiled expression: runs it and yields its bits (an address for
/// the address of a place).
pub(crate) type Ev = Box<dyn Fn(&Code, &mut Interp, &mut dyn Env) -> Fallible<u64>>;

/// A compiled statement.
pub(crate) type St = Box<dyn Fn(&Code, &mut Interp, &mut dyn Env) -> Fallible<Flow>>;

/// A compiled initializer: fills the object at the given address.
pub(crate) type InitFn = Box<dyn Fn(&Code, &mut Interp, &mut dyn Env, Addr) -> Fallible<()>>;

/// How a statement completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return(u64),
}

impl Flow {
    /// The value a function body that completed this way returns.
    pub(crate) fn returned(self) -> u64 {
        match self {
            Flow::Return(v) => v,
            _ => 0,
        }
    }
}

/// The conversion a value undergoes when it becomes a value of some type
/// (a call's result, a parameter): C's rules for scalars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Norm {
    /// Pointers and aggregates: the bits as they are.
    Keep,
    /// Truncate and re-extend.
    Int(IntTy),
    /// Compare with zero.
    Bool,
    /// `void`: nothing.
    Zero,
}

impl Norm {
    /// The conversion to type `ty`.
    pub(crate) fn of(types: &TypeTable, ty: TypeId) -> Norm {
        match types.kind(ty) {
            TypeKind::Bool => Norm::Bool,
            TypeKind::Int(it) => Norm::Int(*it),
            TypeKind::Void => Norm::Zero,
            _ => Norm::Keep,
        }
    }

    /// Applies it.
    #[inline(always)]
    pub(crate) fn apply(self, v: u64) -> u64 {
        match self {
            Norm::Keep => v,
            Norm::Int(it) => it.norm(v),
            Norm::Bool => u64::from(v != 0),
            Norm::Zero => 0,
        }
    }
}

/// A local that lives in memory (aggregate or address taken): what
/// allocating it needs.
pub(crate) struct MemLocal {
    /// Its slot, which holds its address while it is in scope.
    pub slot: u32,
    pub size: u64,
    pub name: Box<str>,
    pub site: Site,
}

/// A parameter: its slot, the conversion to its type, and, when its
/// address is taken, the memory it is copied into on entry.
pub(crate) struct Param {
    pub slot: u32,
    pub norm: Norm,
    pub mem: Option<MemParam>,
}

/// A parameter that lives in memory: the local, and how its value is
/// stored there (or why it cannot be).
pub(crate) struct MemParam {
    pub local: MemLocal,
    pub store: Result<IntTy, Box<str>>,
}

/// A compiled C function.
pub(crate) struct CFunc {
    /// Register slots of the frame (parameters first).
    pub nlocals: usize,
    pub params: Box<[Param]>,
    /// Whether a parameter lives in memory (most functions have none).
    pub mem_params: bool,
    /// Conversions of arguments passed from outside C (the embedder's
    /// values) to the declared parameter types; `None` past the prototype.
    pub arg_norms: Box<[Option<Norm>]>,
    /// The declared return type, and where the function is.
    pub ret_ty: TypeId,
    pub site: Site,
    pub body: St,
    /// Where memory parameters die (the body's closing brace).
    pub end: Site,
    /// Conversion of the returned bits to the return type.
    pub ret: Norm,
}

/// The program's compiled functions, compiled on first call, with the
/// addresses of its globals and string literals (known once they are
/// allocated, before any code runs).
pub(crate) struct Code {
    pub prog: Arc<Program>,
    pub globals: Vec<Addr>,
    pub strings: Vec<Addr>,
    funcs: Vec<OnceCell<Option<CFunc>>>,
}

impl Code {
    /// Code for `prog`, whose globals and literals are at these addresses.
    pub(crate) fn new(prog: Arc<Program>, globals: Vec<Addr>, strings: Vec<Addr>) -> Code {
        let funcs = (0..prog.funcs.len()).map(|_| OnceCell::new()).collect();
        Code {
            prog,
            globals,
            strings,
            funcs,
        }
    }

    /// The compiled body of `f`, compiling it now if this is its first
    /// call; `None` for a function without a C body.
    #[inline]
    pub(crate) fn func(&self, f: FuncId) -> Option<&CFunc> {
        self.funcs
            .get(f.0 as usize)?
            .get_or_init(|| super::stmt::function(self, f))
            .as_ref()
    }
}

impl Interp {
    /// Counts `n` steps at once (the nodes a statement or loop iteration
    /// evaluates), failing past the limit.
    #[inline(always)]
    pub(crate) fn tick(&mut self, n: u32, site: Site) -> Fallible<()> {
        self.steps += u64::from(n);
        if self.steps > self.limits.max_steps {
            return Err(Box::new(Trap::StepLimit {
                limit: self.limits.max_steps,
                site,
            }));
        }
        Ok(())
    }

    /// The register slot `i` of the current frame.
    #[inline(always)]
    pub(crate) fn reg(&self, i: u32) -> u64 {
        self.slots.get(self.fp + i as usize).copied().unwrap_or(0)
    }

    /// Sets register slot `i` of the current frame.
    #[inline(always)]
    pub(crate) fn set_reg(&mut self, i: u32, v: u64) {
        if let Some(s) = self.slots.get_mut(self.fp + i as usize) {
            *s = v;
        }
    }

    /// Runs `f` in a new frame whose first slots, from `base`, hold the
    /// arguments; the slots are released afterwards, whatever happens.
    pub(crate) fn enter(
        &mut self,
        code: &Code,
        env: &mut dyn Env,
        f: &CFunc,
        base: usize,
        site: Site,
    ) -> Fallible<u64> {
        if self.depth >= self.limits.max_depth {
            self.slots.truncate(base);
            return Err(Box::new(Trap::DepthLimit {
                limit: self.limits.max_depth,
                site,
            }));
        }
        self.depth += 1;
        self.slots.resize(base + f.nlocals, 0);
        let caller_fp = std::mem::replace(&mut self.fp, base);
        let r = if (self.depth - 1).is_multiple_of(STACK_CHECK) {
            stacker::maybe_grow(super::RED_ZONE, super::STACK_SEGMENT, || {
                self.run_frame(code, env, f)
            })
        } else {
            self.run_frame(code, env, f)
        };
        self.fp = caller_fp;
        self.depth -= 1;
        self.slots.truncate(base);
        r.map(|v| f.ret.apply(v))
    }

    fn run_frame(&mut self, code: &Code, env: &mut dyn Env, f: &CFunc) -> Fallible<u64> {
        if !f.mem_params {
            for p in f.params.iter() {
                let v = p.norm.apply(self.reg(p.slot));
                self.set_reg(p.slot, v);
            }
            return (f.body)(code, self, env).map(Flow::returned);
        }
        for (k, p) in f.params.iter().enumerate() {
            let v = p.norm.apply(self.reg(p.slot));
            let Some(mem) = &p.mem else {
                self.set_reg(p.slot, v);
                continue;
            };
            if let Err(t) = self.param_to_memory(env, mem, v) {
                self.free_params(env, &f.params[..k], f.end);
                return Err(t);
            }
        }
        let r = (f.body)(code, self, env).map(Flow::returned);
        self.free_params(env, &f.params, f.end);
        r
    }

    fn param_to_memory(&mut self, env: &mut dyn Env, mem: &MemParam, v: u64) -> Fallible<()> {
        let local = &mem.local;
        let a = env.alloc(local.size, AllocKind::Stack, &local.name, local.site)?;
        self.set_reg(local.slot, a.0);
        let stored = match &mem.store {
            Ok(it) => env.write_scalar(a, it.size, v, local.site),
            Err(what) => Err(Trap::Unsupported {
                what: what.to_string(),
                site: local.site,
            }),
        };
        stored.map_err(|t| {
            env.free_stack(a, local.site);
            Box::new(t)
        })
    }

    fn free_params(&mut self, env: &mut dyn Env, params: &[Param], end: Site) {
        for p in params.iter().rev() {
            if let Some(mem) = &p.mem {
                env.free_stack(Addr(self.reg(mem.local.slot)), end);
            }
        }
    }

    /// Allocates a block's memory locals; on failure frees those already
    /// allocated.
    pub(crate) fn alloc_locals(
        &mut self,
        env: &mut dyn Env,
        locals: &[MemLocal],
        end: Site,
    ) -> Fallible<()> {
        for (k, l) in locals.iter().enumerate() {
            match env.alloc(l.size, AllocKind::Stack, &l.name, l.site) {
                Ok(a) => self.set_reg(l.slot, a.0),
                Err(t) => {
                    self.free_locals(env, &locals[..k], end);
                    return Err(Box::new(t));
                }
            }
        }
        Ok(())
    }

    /// Frees a block's memory locals, newest first.
    pub(crate) fn free_locals(&mut self, env: &mut dyn Env, locals: &[MemLocal], end: Site) {
        for l in locals.iter().rev() {
            env.free_stack(Addr(self.reg(l.slot)), end);
        }
    }
}
