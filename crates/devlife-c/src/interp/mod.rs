//! The interpreter.
//!
//! [`Interp`] holds the loaded program, the slot stack of C frames, global
//! and string addresses and the limits. A function is compiled into
//! closures the first time it is called (`code`, `compile`, `stmt`), and
//! runs against an [`Env`], which owns memory and externals. Externals
//! receive `&mut Interp` and may call back into C ([`Interp::call_function`])
//! to any depth allowed by [`Limits::max_depth`].

mod call;
mod code;
mod compile;
mod init;
mod operand;
mod place;
mod steps;
mod stmt;

use std::rc::Rc;
use std::sync::Arc;

use crate::ast::{FuncId, GlobalId};
use crate::diagnostics::Diagnostic;
use crate::env::{AllocKind, Env, Trap};
use crate::memory::FUNC_ALLOC_BASE;
use crate::program::Program;
use crate::source::Site;
use crate::types::{TypeId, TypeKind};
use crate::value::{Addr, Value};
use code::Code;

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
pub struct Interp {
    prog: Arc<Program>,
    /// The program's code, compiled function by function on first call.
    code: Rc<Code>,
    limits: Limits,
    steps: u64,
    depth: u32,
    /// Register slots of every live C frame.
    slots: Vec<u64>,
    /// Where the running frame's slots start.
    fp: usize,
    top_call: Option<TopCall>,
    top_calls: u64,
}

impl std::fmt::Debug for Interp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interp")
            .field("limits", &self.limits)
            .field("steps", &self.steps)
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
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

/// Stack kept free when entering a C frame; below it a new segment is
/// allocated (via `stacker`), so deep C recursion cannot overflow the Rust
/// stack. One frame's expressions nest at most as deep as lowering allows,
/// which takes far less than this.
pub(crate) const RED_ZONE: usize = 1024 * 1024;
/// Size of each additional stack segment.
pub(crate) const STACK_SEGMENT: usize = 8 * 1024 * 1024;

/// The stable address of function `f`.
pub(crate) fn function_addr(f: FuncId) -> Addr {
    Addr::new(FUNC_ALLOC_BASE.saturating_add(f.0), 0)
}

/// The function of `prog` that `a` points to, if any.
pub(crate) fn function_at(prog: &Program, a: Addr) -> Option<FuncId> {
    if a.offset() != 0 || a.alloc() < FUNC_ALLOC_BASE {
        return None;
    }
    let id = a.alloc() - FUNC_ALLOC_BASE;
    ((id as usize) < prog.funcs.len()).then_some(FuncId(id))
}

impl Interp {
    /// Wraps a compiled program; call [`Interp::init_globals`] before running code.
    pub fn new(program: Program, limits: Limits) -> Interp {
        let prog = Arc::new(program);
        Interp {
            code: Rc::new(Code::new(Arc::clone(&prog), Vec::new(), Vec::new())),
            prog,
            limits,
            steps: 0,
            depth: 0,
            slots: Vec::new(),
            fp: 0,
            top_call: None,
            top_calls: 0,
        }
    }

    /// `new` + [`Interp::check_externals`] + [`Interp::init_globals`].
    pub fn load(program: Program, env: &mut dyn Env, limits: Limits) -> Result<Interp, LoadError> {
        let mut it = Interp::new(program, limits);
        let unresolved = it.check_externals(&*env);
        if !unresolved.is_empty() {
            return Err(LoadError::Unresolved(unresolved));
        }
        it.init_globals(env).map_err(LoadError::Trap)?;
        Ok(it)
    }

    /// Diagnostics for every function C code uses but neither defines nor
    /// finds in `env` ([`Env::is_external`]).
    pub fn check_externals(&self, env: &dyn Env) -> Vec<Diagnostic> {
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
    pub fn init_globals(&mut self, env: &mut dyn Env) -> Result<(), Trap> {
        let p = Arc::clone(&self.prog);
        let mut strings = Vec::with_capacity(p.strings.len());
        for (i, s) in p.strings.iter().enumerate() {
            if !p.string_reachable.get(i).copied().unwrap_or(true) {
                // A library literal nothing reaches: never read, not allocated.
                strings.push(Addr(0));
                continue;
            }
            let label = string_label(s);
            let site = p.string_sites.get(i).copied().unwrap_or(Site::NONE);
            let a = env.alloc(s.len() as u64 + 1, AllocKind::StringLiteral, &label, site)?;
            let mut bytes = s.clone();
            bytes.push(0);
            env.write(a, &bytes, site)?;
            strings.push(a);
        }
        let mut globals = Vec::with_capacity(p.globals.len());
        for g in &p.globals {
            if !g.reachable {
                // A library global nothing reaches: never read, not allocated.
                globals.push(Addr(0));
                continue;
            }
            let size = p.types.size_of(g.ty).unwrap_or(0);
            globals.push(env.alloc(size, AllocKind::Global, &g.name, g.site)?);
        }
        self.code = Rc::new(Code::new(Arc::clone(&p), globals, strings));
        let code = Rc::clone(&self.code);
        let cc = compile::Cc {
            code: &code,
            p: &p,
            locals: &[],
        };
        self.fp = self.slots.len();
        for (g, addr) in p.globals.iter().zip(&code.globals) {
            if let Some(init) = g.init.as_ref().filter(|_| g.reachable) {
                self.steps = 0;
                let run = cc.init(init, g.ty, g.site);
                self.tick(steps::count_init(init), g.site).map_err(|t| *t)?;
                run(&code, self, env, *addr).map_err(|t| *t)?;
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
        function_addr(f)
    }

    /// The function a pointer points to, if any.
    pub fn function_at(&self, a: Addr) -> Option<FuncId> {
        function_at(&self.prog, a)
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
        self.code.globals.get(g.0 as usize).copied()
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
            .zip(&self.code.globals)
            .map(|((id, g), a)| (id, g.name.as_str(), *a, g.ty))
    }

    /// Renders a trap with this program's file names.
    pub fn render_trap(&self, t: &Trap) -> String {
        crate::diagnostics::render_trap(t, &self.prog.files)
    }

    /// Reads a scalar of type `ty` at `addr`.
    pub fn read_value(
        &self,
        env: &mut dyn Env,
        addr: Addr,
        ty: TypeId,
        site: Site,
    ) -> Result<Value, Trap> {
        let it = self.scalar_repr(ty, "load", site)?;
        let bits = it.norm(env.read_scalar(addr, it.size, site)?);
        Ok(Value { bits, ty })
    }

    /// Writes a scalar at `addr` using the value's type for its size.
    pub fn write_value(
        &self,
        env: &mut dyn Env,
        addr: Addr,
        v: Value,
        site: Site,
    ) -> Result<(), Trap> {
        let it = self.scalar_repr(v.ty, "store", site)?;
        env.write_scalar(addr, it.size, v.bits, site)
    }

    fn scalar_repr(&self, ty: TypeId, what: &str, site: Site) -> Result<crate::types::IntTy, Trap> {
        self.prog.types.int_ty(ty).ok_or_else(|| Trap::Unsupported {
            what: format!("{what} of non-scalar type `{}`", self.prog.types.name(ty)),
            site,
        })
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
    pub fn call_function(
        &mut self,
        env: &mut dyn Env,
        f: FuncId,
        args: &[Value],
    ) -> Result<Value, Trap> {
        if self.depth == 0 {
            self.steps = 0;
        }
        let code = Rc::clone(&self.code);
        let Some(compiled) = code.func(f) else {
            return self.call_env(env, f, args);
        };
        let base = self.slots.len();
        for (a, norm) in args.iter().zip(compiled.arg_norms.iter()) {
            // An argument past the prototype keeps its own type.
            let bits = match norm {
                Some(n) => n.apply(a.bits),
                None => self.convert(*a, a.ty).bits,
            };
            self.slots.push(bits);
        }
        let bits = self
            .enter(&code, env, compiled, base, compiled.site)
            .map_err(|t| *t)?;
        Ok(Value {
            bits,
            ty: compiled.ret_ty,
        })
    }

    /// Calls `f`, which C does not define, through the env.
    fn call_env(&mut self, env: &mut dyn Env, f: FuncId, args: &[Value]) -> Result<Value, Trap> {
        let prog = Arc::clone(&self.prog);
        let Some(func) = prog.funcs.get(f.0 as usize) else {
            return Err(Trap::BadFunctionPointer {
                addr: self.function_addr(f),
                site: Site::NONE,
            });
        };
        let ret = prog.types.func_sig(func.ty).map_or(TypeId::VOID, |s| s.ret);
        let v = env.call_external(self, f, args, func.site)?;
        Ok(self.convert(v, ret))
    }

    /// Calls the function a pointer points to.
    pub fn call_pointer(
        &mut self,
        env: &mut dyn Env,
        fp: Addr,
        args: &[Value],
        site: Site,
    ) -> Result<Value, Trap> {
        match self.function_at(fp) {
            Some(f) => self.call_function(env, f, args),
            None => Err(Trap::BadFunctionPointer { addr: fp, site }),
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
