//! The tree-walking interpreter.
//!
//! [`Interp`] holds the loaded program, the slot stack of C frames, global
//! and string addresses and the limits; its methods are generic over the
//! [`Env`], which owns memory and externals. Externals receive `&mut Interp`
//! and may call back into C ([`Interp::call_function`]) to any depth allowed
//! by [`Limits::max_depth`].

mod eval;
mod exec;

use std::sync::Arc;

use crate::ast::{FuncId, GlobalId, Init, InitOp, Local};
use crate::diagnostics::Diagnostic;
use crate::env::{AllocKind, Env, Trap};
use crate::memory::FUNC_ALLOC_BASE;
use crate::program::Program;
use crate::source::Site;
use crate::types::{TypeId, TypeKind};
use crate::value::{Addr, Value};

/// Execution limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum statements + expressions evaluated per outermost call.
    pub max_steps: u64,
    /// Maximum nesting of C function calls (including re-entry from externals).
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 50_000_000,
            max_depth: 256,
        }
    }
}

/// Why [`Interp::load`] failed.
#[derive(Debug)]
pub enum LoadError {
    /// Functions used by C code that neither C nor the env defines.
    Unresolved(Vec<Diagnostic>),
    /// A global initializer trapped.
    Trap(Trap),
}

/// An interpreter step's result. The trap is boxed so that the common,
/// successful result fits in two registers: `Trap` is large, and every
/// expression node returns one of these.
pub(crate) type Fallible<T> = Result<T, Box<Trap>>;

/// A loaded program plus execution state.
#[derive(Debug)]
pub struct Interp {
    prog: Arc<Program>,
    limits: Limits,
    steps: u64,
    depth: u32,
    slots: Vec<u64>,
    global_addrs: Vec<Addr>,
    string_addrs: Vec<Addr>,
    nest: u32,
    top_call: Option<TopCall>,
    top_calls: u64,
}

/// A call of a C function made by the outermost function (a KUnit case
/// calling its own helper), while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopCall {
    /// The helper.
    pub func: FuncId,
    /// Where the outermost function calls it.
    pub site: Site,
    /// Which such call it is (they are numbered from 1), so an embedder can
    /// tell two calls of one helper on one line apart.
    pub serial: u64,
}

/// Stack kept free when entering a C frame and every [`NEST_CHECK`] levels
/// of expression/statement nesting; below it a new segment is allocated (via
/// `stacker`), so neither deep C recursion nor deep expressions can overflow
/// the Rust stack (debug builds use ~15 KiB per expression level).
pub(crate) const RED_ZONE: usize = 1024 * 1024;
/// Size of each additional stack segment.
pub(crate) const STACK_SEGMENT: usize = 8 * 1024 * 1024;
/// Nesting levels between stack checks.
pub(crate) const NEST_CHECK: u32 = 8;

/// Evaluation context of one C frame.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'p> {
    pub p: &'p Program,
    pub locals: &'p [Local],
    pub fp: usize,
}

impl Interp {
    /// Wraps a compiled program; call [`Interp::init_globals`] before running code.
    pub fn new(program: Program, limits: Limits) -> Interp {
        Interp {
            prog: Arc::new(program),
            limits,
            steps: 0,
            depth: 0,
            slots: Vec::new(),
            global_addrs: Vec::new(),
            string_addrs: Vec::new(),
            nest: 0,
            top_call: None,
            top_calls: 0,
        }
    }

    /// `new` + [`Interp::check_externals`] + [`Interp::init_globals`].
    pub fn load<E: Env + ?Sized>(
        program: Program,
        env: &mut E,
        limits: Limits,
    ) -> Result<Interp, LoadError> {
        let mut it = Interp::new(program, limits);
        let unresolved = it.check_externals(env);
        if !unresolved.is_empty() {
            return Err(LoadError::Unresolved(unresolved));
        }
        it.init_globals(env).map_err(LoadError::Trap)?;
        Ok(it)
    }

    /// Diagnostics for every function C code uses but neither defines nor
    /// finds in `env` ([`Env::is_external`]).
    pub fn check_externals<E: Env + ?Sized>(&self, env: &E) -> Vec<Diagnostic> {
        self.prog
            .used_externals()
            .filter(|(_, f)| !env.is_external(&f.name))
            .map(|(_, f)| {
                let msg = format!(
                    "function `{}` is used but not defined and not provided by the environment",
                    f.name
                );
                Diagnostic::new(&self.prog.files, f.first_use.unwrap_or(f.site), &msg)
            })
            .collect()
    }

    /// Allocates string literals and globals through the env and runs the
    /// global initializers (in declaration order).
    pub fn init_globals<E: Env + ?Sized>(&mut self, env: &mut E) -> Result<(), Trap> {
        let p = Arc::clone(&self.prog);
        self.string_addrs.clear();
        for (i, s) in p.strings.iter().enumerate() {
            if !p.string_reachable.get(i).copied().unwrap_or(true) {
                // A library literal nothing reaches: never read, not allocated.
                self.string_addrs.push(Addr(0));
                continue;
            }
            let label = string_label(s);
            let site = p.string_sites.get(i).copied().unwrap_or(Site::NONE);
            let a = env.alloc(s.len() as u64 + 1, AllocKind::StringLiteral, &label, site)?;
            let mut bytes = s.clone();
            bytes.push(0);
            env.write(a, &bytes, site)?;
            self.string_addrs.push(a);
        }
        self.global_addrs.clear();
        for g in &p.globals {
            if !g.reachable {
                // A library global nothing reaches: never read, not allocated.
                self.global_addrs.push(Addr(0));
                continue;
            }
            let size = p.types.size_of(g.ty).unwrap_or(0);
            let a = env.alloc(size, AllocKind::Global, &g.name, g.site)?;
            self.global_addrs.push(a);
        }
        let cx = Cx {
            p: &p,
            locals: &[],
            fp: self.slots.len(),
        };
        for (g, addr) in p.globals.iter().zip(self.global_addrs.clone()) {
            if let Some(init) = g.init.as_ref().filter(|_| g.reachable) {
                self.steps = 0;
                self.run_init(env, cx, init, addr, g.ty, g.site)
                    .map_err(|t| *t)?;
            }
        }
        Ok(())
    }

    /// The program.
    pub fn program(&self) -> &Program {
        &self.prog
    }

    /// The limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Changes the limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Steps used by the current (or last) outermost call.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Current C call depth.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The C function the outermost function is calling now, if it is
    /// calling one of its own (not an external): the statement of the
    /// outermost function that deeper code is running for.
    pub fn top_call(&self) -> Option<TopCall> {
        self.top_call
    }

    /// Looks up a function by name.
    pub fn function(&self, name: &str) -> Option<FuncId> {
        self.prog.function(name)
    }

    /// The stable address of a function (usable as a C function pointer).
    pub fn function_addr(&self, f: FuncId) -> Addr {
        Addr::new(FUNC_ALLOC_BASE.saturating_add(f.0), 0)
    }

    /// The function a pointer points to, if any.
    pub fn function_at(&self, a: Addr) -> Option<FuncId> {
        if a.offset() != 0 || a.alloc() < FUNC_ALLOC_BASE {
            return None;
        }
        let id = a.alloc() - FUNC_ALLOC_BASE;
        ((id as usize) < self.prog.funcs.len()).then_some(FuncId(id))
    }

    /// A function's name.
    pub fn function_name(&self, f: FuncId) -> &str {
        self.prog
            .funcs
            .get(f.0 as usize)
            .map_or("<unknown>", |f| f.name.as_str())
    }

    /// Whether a function has no C body (it is provided by the env).
    pub fn is_external(&self, f: FuncId) -> bool {
        self.prog
            .funcs
            .get(f.0 as usize)
            .is_some_and(|f| f.body.is_none())
    }

    /// The address of a global (after [`Interp::init_globals`]).
    pub fn global_addr(&self, g: GlobalId) -> Option<Addr> {
        self.global_addrs.get(g.0 as usize).copied()
    }

    /// Looks up a global by name: id, address and type.
    pub fn global(&self, name: &str) -> Option<(GlobalId, Addr, TypeId)> {
        let g = self.prog.global(name)?;
        let ty = self.prog.global_info(g)?.ty;
        Some((g, self.global_addr(g)?, ty))
    }

    /// Globals in declaration order: id, name, address, type.
    pub fn globals(&self) -> impl Iterator<Item = (GlobalId, &str, Addr, TypeId)> {
        self.prog
            .globals()
            .zip(&self.global_addrs)
            .map(|((id, g), a)| (id, g.name.as_str(), *a, g.ty))
    }

    /// Renders a trap with this program's file names.
    pub fn render_trap(&self, t: &Trap) -> String {
        crate::diagnostics::render_trap(t, &self.prog.files)
    }

    /// Reads a scalar of type `ty` at `addr`.
    pub fn read_value<E: Env + ?Sized>(
        &self,
        env: &mut E,
        addr: Addr,
        ty: TypeId,
        site: Site,
    ) -> Result<Value, Trap> {
        let bits = eval::load_mem(&self.prog.types, env, addr, ty, site).map_err(|t| *t)?;
        Ok(Value { bits, ty })
    }

    /// Writes a scalar at `addr` using the value's type for its size.
    pub fn write_value<E: Env + ?Sized>(
        &self,
        env: &mut E,
        addr: Addr,
        v: Value,
        site: Site,
    ) -> Result<(), Trap> {
        eval::store_mem(&self.prog.types, env, addr, v.ty, v.bits, site).map_err(|t| *t)
    }

    /// Converts a value to type `to` (C conversion rules for scalars).
    pub fn convert(&self, v: Value, to: TypeId) -> Value {
        let bits = match self.prog.types.kind(to) {
            TypeKind::Bool => u64::from(v.bits != 0),
            TypeKind::Int(it) => it.norm(v.bits),
            TypeKind::Void => 0,
            _ => v.bits,
        };
        Value { bits, ty: to }
    }

    /// Calls a function (C or external) with arguments converted to its
    /// parameter types. Re-entrant: externals may call this again.
    pub fn call_function<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        f: FuncId,
        args: &[Value],
    ) -> Result<Value, Trap> {
        let p = Arc::clone(&self.prog);
        let Some(func) = p.funcs.get(f.0 as usize) else {
            return Err(Trap::BadFunctionPointer {
                addr: self.function_addr(f),
                site: Site::NONE,
            });
        };
        if self.depth == 0 {
            self.steps = 0;
        }
        let sig = p.types.func_sig(func.ty);
        let ret = sig.map_or(TypeId::VOID, |s| s.ret);
        let Some(body) = &func.body else {
            let v = env.call_external(self, f, args, func.site)?;
            return Ok(self.convert(v, ret));
        };
        let base = self.slots.len();
        for (i, a) in args.iter().enumerate().take(body.params.len()) {
            let pty = sig.and_then(|s| s.params.get(i)).copied().unwrap_or(a.ty);
            let v = self.convert(*a, pty);
            self.slots.push(v.bits);
        }
        let r = self.run_function(env, &p, body, base, func.site);
        self.slots.truncate(base);
        Ok(Value {
            bits: r.map_err(|t| *t)?,
            ty: ret,
        })
    }

    /// Calls the function a pointer points to.
    pub fn call_pointer<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        fp: Addr,
        args: &[Value],
        site: Site,
    ) -> Result<Value, Trap> {
        match self.function_at(fp) {
            Some(f) => self.call_function(env, f, args),
            None => Err(Trap::BadFunctionPointer { addr: fp, site }),
        }
    }

    /// Counts one step.
    #[inline]
    pub(crate) fn step(&mut self, site: Site) -> Fallible<()> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return Err(Box::new(Trap::StepLimit {
                limit: self.limits.max_steps,
                site,
            }));
        }
        Ok(())
    }

    /// Runs `f` one nesting level deeper. With debug assertions (where
    /// frames are large) the stack is grown every [`NEST_CHECK`] levels; in
    /// optimized builds a level takes well under 1 KiB and nesting is bounded
    /// by lowering, so the check at each C call ([`RED_ZONE`]) suffices.
    #[inline(always)]
    pub(crate) fn deeper<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        if !cfg!(debug_assertions) {
            return f(self);
        }
        self.nest = self.nest.wrapping_add(1);
        let r = if self.nest.is_multiple_of(NEST_CHECK) {
            stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || f(self))
        } else {
            f(self)
        };
        self.nest = self.nest.wrapping_sub(1);
        r
    }

    /// Runs a C function whose first `args` are already in `slots[base..]`.
    pub(crate) fn run_function<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        p: &Program,
        body: &crate::ast::Body,
        base: usize,
        site: Site,
    ) -> Fallible<u64> {
        if self.depth >= self.limits.max_depth {
            return Err(Box::new(Trap::DepthLimit {
                limit: self.limits.max_depth,
                site,
            }));
        }
        self.depth += 1;
        self.slots.resize(base + body.locals.len(), 0);
        let cx = Cx {
            p,
            locals: &body.locals,
            fp: base,
        };
        let r = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.run_body(env, cx, body));
        self.depth -= 1;
        r
    }

    fn run_body<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        body: &crate::ast::Body,
    ) -> Fallible<u64> {
        let mut allocated = Vec::new();
        let mut result = Ok(0);
        for &pid in &body.params {
            let Some(l) = cx.locals.get(pid as usize) else {
                continue;
            };
            let slot = cx.fp + pid as usize;
            let v = self.slots.get(slot).copied().unwrap_or(0);
            let v = self.convert(Value { bits: v, ty: l.ty }, l.ty).bits;
            if l.in_memory {
                let stored = self.alloc_local(env, l).map_err(Box::new).and_then(|a| {
                    eval::store_mem(&cx.p.types, env, a, l.ty, v, l.site)?;
                    Ok(a)
                });
                match stored {
                    Ok(a) => {
                        allocated.push(a);
                        self.set_slot(slot, a.0);
                    }
                    Err(t) => {
                        result = Err(t);
                        break;
                    }
                }
            } else {
                self.set_slot(slot, v);
            }
        }
        if result.is_ok() {
            result = self.exec_block(env, cx, &body.block).map(|f| match f {
                exec::Flow::Return(v) => v,
                _ => 0,
            });
        }
        for a in allocated.into_iter().rev() {
            env.free_stack(a, body.block.end);
        }
        result
    }

    pub(crate) fn alloc_local<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        l: &Local,
    ) -> Result<Addr, Trap> {
        env.alloc(l.size, AllocKind::Stack, &l.name, l.site)
    }

    #[inline]
    pub(crate) fn set_slot(&mut self, i: usize, v: u64) {
        if let Some(s) = self.slots.get_mut(i) {
            *s = v;
        }
    }

    #[inline]
    pub(crate) fn slot(&self, i: usize) -> u64 {
        self.slots.get(i).copied().unwrap_or(0)
    }

    /// Applies an initializer to the object at `addr`.
    pub(crate) fn run_init<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        init: &Init,
        addr: Addr,
        ty: TypeId,
        site: Site,
    ) -> Fallible<()> {
        match init {
            Init::Scalar(e) => {
                let v = self.eval(env, cx, e)?;
                eval::store_mem(&cx.p.types, env, addr, ty, v, site)
            }
            Init::Aggregate(ops) => {
                let size = cx.p.types.size_of(ty).unwrap_or(0);
                env.write(addr, &vec![0u8; size as usize], site)?;
                for op in ops {
                    match op {
                        InitOp::Scalar(off, e) => {
                            let v = self.eval(env, cx, e)?;
                            eval::store_mem(
                                &cx.p.types,
                                env,
                                addr.wrapping_add(*off),
                                e.ty,
                                v,
                                e.site,
                            )?;
                        }
                        InitOp::Copy(off, e, n) => {
                            let src = self.place_addr(env, cx, e)?;
                            eval::copy_mem(env, addr.wrapping_add(*off), src, *n, e.site)?;
                        }
                        InitOp::Bytes(off, b) => env.write(addr.wrapping_add(*off), b, site)?,
                    }
                }
                Ok(())
            }
        }
    }
}

fn string_label(s: &[u8]) -> String {
    let text = String::from_utf8_lossy(s);
    let short: String = text.chars().take(32).collect();
    format!("\"{}\"", short.escape_default())
}

#[cfg(test)]
mod tests;
