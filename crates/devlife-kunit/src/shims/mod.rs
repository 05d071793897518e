//! The shims: C kernel API names mapped to model calls, one module per
//! kernel area, like Miri's shims/. Each shim reads its C arguments, finds
//! the model objects behind the pointers, calls the model, and converts the
//! result back to a C value.

mod base;
mod drm;
mod kobject;
mod kref;
mod kunit;
mod kunit_resource;
mod kunit_run;
mod kunit_stream;
mod libc;
mod platform;

pub use base::{mirror_driver, sync_driver_ops};

use crate::env::{CHost, KernelEnv, Stop};
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::source::Site as CSite;
use devlife_c::value::{Addr as CAddr, Value};
use devlife_c::Program;
use devlife_model::{Addr, DevId, DrvId, Fault, KResult, Kernel, ObjId};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// A shim: the C arguments in, the C result out.
pub(crate) type Shim = fn(&mut KernelEnv<'_>, &mut Interp, &Args<'_>) -> Result<Value, Trap>;

/// The arguments of one external call.
pub(crate) struct Args<'a> {
    values: &'a [Value],
    /// Where the call is.
    pub site: CSite,
}

impl Args<'_> {
    /// Argument `i` as an address (0 if missing).
    pub fn ptr(&self, i: usize) -> Addr {
        Addr(self.values.get(i).map_or(0, |v| v.bits))
    }

    /// Argument `i` as a signed integer.
    pub fn int(&self, i: usize) -> i64 {
        self.values.get(i).map_or(0, |v| v.bits as i64)
    }

    /// Argument `i` as raw bits.
    pub fn bits(&self, i: usize) -> u64 {
        self.values.get(i).map_or(0, |v| v.bits)
    }

    /// The variadic tail from argument `i` on.
    pub fn rest(&self, i: usize) -> &[Value] {
        self.values.get(i..).unwrap_or(&[])
    }
}

/// `void` result.
pub(crate) fn void() -> Result<Value, Trap> {
    Ok(Value::VOID)
}

/// An `int` result.
pub(crate) fn int(v: i64) -> Result<Value, Trap> {
    Ok(Value::long(v))
}

/// A pointer result.
pub(crate) fn ptr(a: Addr) -> Result<Value, Trap> {
    Ok(Value::ptr(CAddr(a.0)))
}

/// An `ERR_PTR(err)` result.
pub(crate) fn err_ptr(err: i32) -> Result<Value, Trap> {
    Ok(Value::ptr(CAddr(i64::from(err) as u64)))
}

impl KernelEnv<'_> {
    /// Runs a model call that may call back into C.
    pub(crate) fn with_host<T>(
        &mut self,
        interp: &mut Interp,
        site: CSite,
        f: impl FnOnce(&mut Kernel, &mut CHost<'_>) -> KResult<T>,
    ) -> Result<T, Trap> {
        let mut host = CHost {
            interp,
            state: &mut *self.state,
        };
        let r = f(self.kernel, &mut host);
        r.map_err(|abort| self.abort_trap(abort, site))
    }

    /// Runs a model call that runs no callbacks.
    pub(crate) fn model<T>(
        &mut self,
        site: CSite,
        f: impl FnOnce(&mut Kernel) -> KResult<T>,
    ) -> Result<T, Trap> {
        f(self.kernel).map_err(|abort| self.abort_trap(abort, site))
    }

    fn not_object(
        &mut self,
        addr: Addr,
        expected: &'static str,
        api: &'static str,
        site: CSite,
    ) -> Trap {
        if addr.0 < 4096 {
            return Trap::NullDeref {
                addr: CAddr(addr.0),
                site,
            };
        }
        Trap::env(
            Stop::Fault(Fault::NotAnObject {
                addr,
                expected,
                api,
            }),
            site,
        )
    }

    /// The device whose `struct device` is at `addr`.
    pub(crate) fn dev(
        &mut self,
        addr: Addr,
        api: &'static str,
        site: CSite,
    ) -> Result<DevId, Trap> {
        match self.kernel.device_at(addr) {
            Some(d) => Ok(d),
            None => Err(self.not_object(addr, "struct device", api, site)),
        }
    }

    /// The platform device whose `struct platform_device` is at `addr`.
    pub(crate) fn pdev(
        &mut self,
        addr: Addr,
        api: &'static str,
        site: CSite,
    ) -> Result<DevId, Trap> {
        match self.kernel.platform_device_at(addr) {
            Some(d) => Ok(d),
            None => Err(self.not_object(addr, "struct platform_device", api, site)),
        }
    }

    /// The drm_device at `addr`.
    pub(crate) fn drm(
        &mut self,
        addr: Addr,
        api: &'static str,
        site: CSite,
    ) -> Result<ObjId, Trap> {
        match self.kernel.drm_at(addr) {
            Some(d) => Ok(d),
            None => Err(self.not_object(addr, "struct drm_device", api, site)),
        }
    }

    /// The KUnit test whose `struct kunit` is at `addr`.
    pub(crate) fn test(
        &mut self,
        addr: Addr,
        api: &'static str,
        site: CSite,
    ) -> Result<ObjId, Trap> {
        match self.kernel.test_at(addr) {
            Some(t) => Ok(t),
            None => Err(self.not_object(addr, "struct kunit", api, site)),
        }
    }

    /// The driver whose structure is at `addr`.
    pub(crate) fn drv(
        &mut self,
        addr: Addr,
        api: &'static str,
        site: CSite,
    ) -> Result<DrvId, Trap> {
        match self.kernel.driver_at(addr) {
            Some(d) => Ok(d),
            None => Err(self.not_object(addr, "struct device_driver", api, site)),
        }
    }
}

/// `complete()` on the `struct completion` at `at` (its `done` counter is first).
pub fn complete(kernel: &mut Kernel, at: Addr) {
    let mut b = [0u8; 4];
    if kernel.mm.read(at, &mut b).is_ok() {
        let done = u32::from_le_bytes(b).saturating_add(1);
        let _ = kernel.mm.write(at, &done.to_le_bytes());
    }
}

/// Whether `name` is a modelled kernel function.
pub fn is_known(name: &str) -> bool {
    lookup(name).is_some()
}

/// Every shim table.
static ALL: [&[(&str, Shim)]; 10] = [
    base::SHIMS,
    kobject::SHIMS,
    kref::SHIMS,
    platform::SHIMS,
    kunit::SHIMS,
    kunit_resource::SHIMS,
    kunit_run::SHIMS,
    kunit_stream::SHIMS,
    drm::SHIMS,
    libc::SHIMS,
];

/// Every shim by name, built once from [`ALL`]: a shim is looked up on every
/// call of a kernel API, and hashing the name once beats binary searches of
/// every table.
fn by_name() -> &'static FxHashMap<&'static str, Shim> {
    static MAP: OnceLock<FxHashMap<&'static str, Shim>> = OnceLock::new();
    MAP.get_or_init(|| ALL.iter().flat_map(|table| table.iter().copied()).collect())
}

fn lookup(name: &str) -> Option<Shim> {
    by_name().get(name).copied()
}

/// How calls of one function of the program are served.
#[derive(Clone, Default)]
pub(crate) struct External {
    /// The shim, if C declares the function without defining it and it is
    /// modelled.
    pub shim: Option<Shim>,
    /// The name a case's step calling it shows, as the test wrote it (the
    /// prelude's `__x` behind a macro `x` shows as `x`); `None` for functions
    /// C defines and for devlife's own hooks, which are not steps.
    pub step: Option<devlife_model::NameId>,
}

/// Resolves every function of `program` once, by id (step names are
/// interned in `kernel`).
pub(crate) fn resolve_externals(program: &Program, kernel: &mut Kernel) -> Vec<External> {
    program
        .functions()
        .map(|(_, f)| {
            let shim = if f.body.is_none() {
                lookup(&f.name)
            } else {
                None
            };
            let step = (shim.is_some() && !f.name.starts_with("__devlife_"))
                .then(|| kernel.intern(f.name.strip_prefix("__").unwrap_or(&f.name)));
            External { shim, step }
        })
        .collect()
}

/// Calls a shim.
pub(crate) fn call(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    shim: Shim,
    args: &[Value],
    site: CSite,
) -> Result<Value, Trap> {
    let r = shim(env, interp, &Args { values: args, site });
    // Any shim may have changed a KUnit resource list (the platform and DRM
    // helpers add actions): mirror it for C code now.
    env.sync_kunit_lists();
    let limited = env.check_limits(site);
    r.and_then(|v| limited.map(|()| v))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_shim_table_is_sorted_and_unique() {
        for table in super::ALL {
            for w in table.windows(2) {
                assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
            }
            for (name, _) in table {
                let tables = super::ALL
                    .iter()
                    .filter(|t| t.iter().any(|(n, _)| n == name));
                assert_eq!(tables.count(), 1, "{name} is in more than one table");
            }
        }
    }
}
