//! The C program's environment: memory is the model's memory, externals are
//! the shims, and model callbacks run C functions through the interpreter.
//!
//! [`KernelEnv`] implements the front end's `Env`; [`CHost`] implements the
//! model's `Host`. A model call made from a shim gets a `CHost`, whose
//! `call` rebuilds a `KernelEnv` around the same kernel and runs the C
//! callback, so C → model → C → model chains nest naturally.

use crate::layout::Layouts;
use crate::runner::CaseState;
use devlife_c::env::{AllocKind as CAllocKind, Env, Trap};
use devlife_c::interp::Interp;
use devlife_c::source::{FileId, Site as CSite};
use devlife_c::value::{Addr as CAddr, Value};
use devlife_c::FuncId;
use devlife_model::mm::MemFault;
use devlife_model::NameId;
use devlife_model::{Abort, Addr, AllocKind, DevId, DrvId, FnRef, Host, KResult, Kernel, Site};

/// Why a case stops early, carried through the interpreter as a trap payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// A `KUNIT_ASSERT_*` failed (already reported).
    Assertion,
    /// `kunit_skip` was called.
    Skip,
    /// The model caught undefined behaviour.
    Fault(devlife_model::Fault),
    /// A bound of `Limits` was reached; the message says which and how to
    /// raise it.
    Limit(String),
    /// `kunit_try_catch_throw` on the `struct kunit_try_catch` at this
    /// address: unwinds to the `kunit_try_catch_run` that runs it.
    Throw(Addr),
}

/// Binding state that lives as long as the program.
pub struct BindState {
    /// Offsets of kernel structure members in the prelude's layout.
    pub layouts: Layouts,
    /// Bounds on the run.
    pub limits: crate::Limits,
    /// Bytes of log output so far in this case's body or cleanup (or
    /// before the first case).
    pub output_bytes: u64,
    /// The allocation count when the running case's body or cleanup started.
    pub alloc_base: u64,
    /// The `struct task_struct` that `current` points to.
    pub task: Addr,
    /// A trap raised inside a callback, unwinding through the model.
    pub pending: Option<Trap>,
    /// The running case, if any.
    pub case: Option<CaseState>,
    /// Lines printed outside any case (suite init, boot).
    pub stray_log: Vec<String>,
    /// Kernel log lines not yet attributed to a case.
    pub printed_events: devlife_model::trace::EventId,
    /// Strings handed to C code, by content (read-only, never freed).
    pub strings: std::collections::BTreeMap<String, Addr>,
    /// drm_devices inside `drm_dev_enter`, innermost last.
    pub entered: Vec<devlife_model::ObjId>,
    /// Completions to complete when a platform device binds.
    pub probe_waiters: Vec<(DevId, Addr)>,
    /// Open files from `mock_drm_getfile`, by their `struct file`.
    pub files: std::collections::BTreeMap<Addr, devlife_model::ObjId>,
    /// Every function of the program, by id: the shim serving it if C only
    /// declares it (resolved once at load, not by name on every call).
    pub(crate) externals: Vec<crate::shims::External>,
}

/// The interpreter's view of the kernel for one stretch of C execution.
pub struct KernelEnv<'a> {
    /// The model.
    pub kernel: &'a mut Kernel,
    /// The binding state.
    pub state: &'a mut BindState,
}

/// Converts a front-end site to the model's.
pub fn to_model_site(s: CSite) -> Site {
    Site {
        file: s.file.0.min(u32::from(u16::MAX)) as u16,
        line: s.line,
        column: s.column.min(u32::from(u16::MAX)) as u16,
    }
}

/// Converts a model site to the front end's.
pub fn to_c_site(s: Site) -> CSite {
    CSite {
        file: FileId(u32::from(s.file)),
        line: s.line,
        column: u32::from(s.column),
    }
}

impl KernelEnv<'_> {
    /// Fails with a clear message once the run has made more allocations or
    /// printed more than its limits allow.
    pub fn check_limits(&self, site: CSite) -> Result<(), Trap> {
        let l = self.state.limits;
        if self.kernel.mm.total() as u64 - self.state.alloc_base > l.allocations {
            let msg = format!("allocation limit reached: more than {} allocations in this case (raise it with --max-allocations)", l.allocations);
            return Err(Trap::env(Stop::Limit(msg), site));
        }
        if self.state.output_bytes > l.output {
            let msg = format!("output limit reached: more than {} bytes printed by this case (raise it with --max-output)", l.output);
            return Err(Trap::env(Stop::Limit(msg), site));
        }
        Ok(())
    }

    /// The site of the event with id `e`, as a front-end site.
    fn event_site(&self, e: u32) -> CSite {
        self.kernel
            .log
            .get(e)
            .map_or(CSite::NONE, |ev| to_c_site(ev.site))
    }

    /// Turns a memory fault into the interpreter's trap, with both sites.
    pub fn mem_trap(&self, fault: MemFault, site: CSite) -> Trap {
        match fault {
            MemFault::Null { addr } => Trap::NullDeref {
                addr: CAddr(addr.0),
                site,
            },
            MemFault::Wild { addr } => Trap::InvalidAddress {
                addr: CAddr(addr.0),
                site,
            },
            MemFault::UseAfterFree { alloc, offset } => {
                let a = self.kernel.mm.get(alloc);
                Trap::UseAfterFree {
                    addr: CAddr(Addr::new(alloc, offset).0),
                    label: a.map_or_else(String::new, |a| a.label.to_string()),
                    alloc_site: a.map_or(CSite::NONE, |a| self.event_site(a.allocated)),
                    free_site: a
                        .and_then(|a| a.freed)
                        .map_or(CSite::NONE, |e| self.event_site(e)),
                    site,
                }
            }
            MemFault::OutOfBounds { alloc, offset, len } => {
                let a = self.kernel.mm.get(alloc);
                Trap::OutOfBounds {
                    addr: CAddr(Addr::new(alloc, offset).0),
                    len: u64::from(len),
                    size: a.map_or(0, |a| u64::from(a.size)),
                    label: a.map_or_else(String::new, |a| a.label.to_string()),
                    alloc_site: a.map_or(CSite::NONE, |a| self.event_site(a.allocated)),
                    site,
                }
            }
        }
    }

    /// Converts a model abort into the trap that unwinds the C code.
    pub fn abort_trap(&mut self, abort: Abort, site: CSite) -> Trap {
        match abort {
            Abort::Host(_) => self
                .state
                .pending
                .take()
                .unwrap_or_else(|| Trap::env(Stop::Assertion, site)),
            Abort::Fault(f) => {
                self.state.pending = None;
                Trap::env(Stop::Fault(f), site)
            }
            Abort::NestingLimit(n) => {
                self.state.pending = None;
                let msg = format!("nesting limit reached: more than {n} releases and callbacks nested in one another (raise it with --max-nesting)");
                Trap::env(Stop::Limit(msg), site)
            }
        }
    }

    /// Reads a 64-bit word of C memory.
    pub fn read_u64(&mut self, addr: Addr, site: CSite) -> Result<u64, Trap> {
        self.kernel
            .mm
            .read_u64(addr)
            .map_err(|f| self.mem_trap(f, site))
    }

    /// Writes a 64-bit word of C memory.
    pub fn write_u64(&mut self, addr: Addr, value: u64, site: CSite) -> Result<(), Trap> {
        self.kernel
            .mm
            .write_u64(addr, value)
            .map_err(|f| self.mem_trap(f, site))
    }

    /// Writes a 32-bit word of C memory.
    pub fn write_u32(&mut self, addr: Addr, value: u32, site: CSite) -> Result<(), Trap> {
        self.kernel
            .mm
            .write(addr, &value.to_le_bytes())
            .map_err(|f| self.mem_trap(f, site))
    }

    /// Reads a C string.
    pub fn read_str(&mut self, addr: Addr, site: CSite) -> Result<String, Trap> {
        if addr.is_null() {
            return Ok("(null)".into());
        }
        self.kernel
            .mm
            .read_c_string(addr, 1 << 16)
            .map_err(|f| self.mem_trap(f, site))
    }

    /// Reads a C string that names something (an action, a resource) as a
    /// shared name, without copying it when it was read before.
    pub fn read_name(&mut self, addr: Addr, site: CSite) -> Result<NameId, Trap> {
        if addr.is_null() {
            return Ok(self.kernel.intern("(null)"));
        }
        self.kernel
            .intern_c_string(addr, 1 << 16)
            .map_err(|f| self.mem_trap(f, site))
    }

    /// Allocates a NUL-terminated copy of `s` in kernel memory.
    pub fn alloc_str(&mut self, s: &str) -> Addr {
        let a = self
            .kernel
            .kmalloc(s.len() as u32 + 1, AllocKind::Kmalloc, "string");
        let _ = self.kernel.mm.write(a, s.as_bytes());
        a
    }
}

impl Env for KernelEnv<'_> {
    fn alloc(
        &mut self,
        size: u64,
        kind: CAllocKind,
        label: &str,
        site: CSite,
    ) -> Result<CAddr, Trap> {
        self.check_limits(site)?;
        self.kernel.set_site(to_model_site(site));
        let kind = match kind {
            CAllocKind::Global => AllocKind::Global,
            CAllocKind::Stack => AllocKind::Stack,
            CAllocKind::StringLiteral => AllocKind::Literal,
            CAllocKind::Heap => AllocKind::Kmalloc,
        };
        let size = u32::try_from(size).map_err(|_| Trap::AllocFailed { size, site })?;
        Ok(CAddr(self.kernel.kmalloc(size, kind, label.to_string()).0))
    }

    fn free_stack(&mut self, addr: CAddr, site: CSite) {
        self.kernel.set_site(to_model_site(site));
        let _ = self.kernel.kfree(Addr(addr.0));
    }

    fn read(&mut self, addr: CAddr, buf: &mut [u8], site: CSite) -> Result<(), Trap> {
        self.kernel
            .mm
            .read(Addr(addr.0), buf)
            .map_err(|f| self.mem_trap(f, site))
    }

    fn write(&mut self, addr: CAddr, bytes: &[u8], site: CSite) -> Result<(), Trap> {
        self.kernel
            .mm
            .write(Addr(addr.0), bytes)
            .map_err(|f| self.mem_trap(f, site))
    }

    fn read_scalar(&mut self, addr: CAddr, size: u8, site: CSite) -> Result<u64, Trap> {
        self.kernel
            .mm
            .read_scalar(Addr(addr.0), size)
            .map_err(|f| self.mem_trap(f, site))
    }

    fn write_scalar(&mut self, addr: CAddr, size: u8, value: u64, site: CSite) -> Result<(), Trap> {
        self.kernel
            .mm
            .write_scalar(Addr(addr.0), size, value)
            .map_err(|f| self.mem_trap(f, site))
    }

    fn call_external(
        &mut self,
        interp: &mut Interp,
        f: FuncId,
        args: &[Value],
        site: CSite,
    ) -> Result<Value, Trap> {
        self.kernel.set_site(to_model_site(site));
        let (shim, is_step) = self
            .state
            .externals
            .get(f.0 as usize)
            .map_or((None, false), |e| (e.shim, e.step.is_some()));
        if is_step {
            self.record_step(interp, f, site);
        }
        let Some(shim) = shim else {
            return Err(Trap::UnknownFunction {
                name: interp.function_name(f).to_string(),
                site,
            });
        };
        crate::shims::call(self, interp, shim, args, site)
    }

    fn is_external(&self, name: &str) -> bool {
        crate::shims::is_known(name)
    }
}

impl KernelEnv<'_> {
    /// Records the kernel call `f` as a step of the running case: the
    /// case's own statement, or the statement calling the case's helper
    /// that makes it.
    fn record_step(&mut self, interp: &Interp, f: FuncId, site: CSite) {
        match interp.top_call() {
            Some(helper) if interp.depth() > 1 => {
                let name = interp.function_name(helper.func).to_string();
                self.note_helper_step(helper, &name);
            }
            _ if interp.depth() == 1 => {
                let call = self.state.externals.get(f.0 as usize).and_then(|e| e.step);
                if let Some(call) = call {
                    self.note_step(call, site);
                }
            }
            _ => {}
        }
    }
}

/// Runs model callbacks as C functions.
pub struct CHost<'a> {
    /// The interpreter.
    pub interp: &'a mut Interp,
    /// The binding state.
    pub state: &'a mut BindState,
}

impl Host for CHost<'_> {
    fn call(&mut self, kernel: &mut Kernel, f: FnRef, args: &[u64]) -> KResult<u64> {
        let site = to_c_site(kernel.site());
        // Model callbacks take at most a few pointers (`release(dev, res)`).
        let mut inline = [Value::VOID; 4];
        let heap: Vec<Value>;
        let values = if args.len() <= inline.len() {
            for (v, a) in inline.iter_mut().zip(args) {
                *v = Value::ptr(CAddr(*a));
            }
            &inline[..args.len()]
        } else {
            heap = args.iter().map(|a| Value::ptr(CAddr(*a))).collect();
            &heap[..]
        };
        let mut env = KernelEnv {
            kernel: &mut *kernel,
            state: &mut *self.state,
        };
        match crate::callc::call_pointer(self.interp, &mut env, CAddr(f.0), values, site) {
            Ok(v) => Ok(v.bits),
            Err(trap) => {
                let fault = trap.payload::<Stop>().and_then(|s| match s {
                    Stop::Fault(f) => Some(f.clone()),
                    _ => None,
                });
                self.state.pending = Some(trap);
                Err(fault.map_or(Abort::Host(1), Abort::Fault))
            }
        }
    }

    fn name_of(&self, f: FnRef) -> String {
        crate::callc::function_name(self.interp, CAddr(f.0))
            .unwrap_or_else(|| format!("fn@{:#x}", f.0))
    }

    fn sync_driver(&mut self, kernel: &mut Kernel, drv: DrvId) -> KResult<()> {
        crate::shims::sync_driver_ops(kernel, &self.state.layouts, drv);
        Ok(())
    }

    fn driver_changed(&mut self, kernel: &mut Kernel, dev: DevId) -> KResult<()> {
        crate::shims::mirror_driver(kernel, &self.state.layouts, dev);
        if kernel.dev(dev).driver.is_some() {
            let waiters = std::mem::take(&mut self.state.probe_waiters);
            let (now, later): (Vec<_>, Vec<_>) = waiters.into_iter().partition(|(d, _)| *d == dev);
            self.state.probe_waiters = later;
            for (_, completion) in now {
                crate::shims::complete(kernel, completion);
            }
        }
        Ok(())
    }
}
