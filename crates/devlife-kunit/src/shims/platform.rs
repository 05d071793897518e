//! Platform device and driver shims (drivers/base/platform.c) and the KUnit
//! platform helpers (lib/kunit/platform.c).

use super::{err_ptr, int, ptr, void, Args, Shim};
use crate::env::KernelEnv;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::value::Value;
use devlife_model::drivers::base::core::DevKind;
use devlife_model::drivers::base::driver::DriverOps;
use devlife_model::drivers::base::platform::PlatformFields;
use devlife_model::{Addr, DevId, DrvId, FnRef, Host, KResult, Kernel};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("__platform_driver_register", platform_driver_register),
    ("dev_is_platform", dev_is_platform),
    ("kunit_platform_device_add", kunit_platform_device_add),
    ("kunit_platform_device_alloc", kunit_platform_device_alloc),
    (
        "kunit_platform_device_prepare_wait_for_probe",
        kunit_prepare_wait_for_probe,
    ),
    (
        "kunit_platform_driver_register",
        kunit_platform_driver_register,
    ),
    ("platform_device_add", platform_device_add),
    ("platform_device_add_data", platform_device_add_data),
    ("platform_device_alloc", platform_device_alloc),
    ("platform_device_del", platform_device_del),
    ("platform_device_put", platform_device_put),
    ("platform_device_register", platform_device_register),
    (
        "platform_device_register_data",
        platform_device_register_data,
    ),
    (
        "platform_device_register_simple",
        platform_device_register_simple,
    ),
    ("platform_device_unregister", platform_device_unregister),
    ("platform_driver_unregister", platform_driver_unregister),
    ("platform_get_drvdata", platform_get_drvdata),
    ("platform_set_drvdata", platform_set_drvdata),
];

impl KernelEnv<'_> {
    /// Writes a new platform device's `name` and `id` members for C code to read.
    fn mirror_pdev(&mut self, dev: DevId) {
        let DevKind::Platform { name, id } = self.kernel.dev(dev).kind.clone() else {
            return;
        };
        let base = self.kernel.platform_device_addr(dev);
        let l = self.state.layouts;
        let s = self.interned_str(&name);
        let _ = self
            .kernel
            .mm
            .write_u64(base.offset_by(i64::from(l.pdev_name)), s.0);
        let _ = self
            .kernel
            .mm
            .write(base.offset_by(i64::from(l.pdev_id)), &id.to_le_bytes());
        let dev_addr = self.kernel.obj(dev).addr;
        let d = self.kernel.dev(dev);
        let parent = d.parent.map_or(0, |p| self.kernel.obj(p).addr.0);
        let data = d.platform_data.map_or(0, |a| Addr::new(a, 0).0);
        let at = |off: u32| dev_addr.offset_by(i64::from(off));
        let _ = self.kernel.mm.write_u64(at(l.device_parent), parent);
        let _ = self.kernel.mm.write_u64(at(l.device_platform_data), data);
    }

    /// `size` bytes at `data` (none for NULL or zero).
    fn read_data(&mut self, data: Addr, size: u64, a: &Args<'_>) -> Result<Vec<u8>, Trap> {
        if data.is_null() || size == 0 {
            return Ok(Vec::new());
        }
        let mut buf = vec![0u8; size.min(devlife_model::mm::KMALLOC_MAX_SIZE) as usize];
        self.kernel
            .mm
            .read(data, &mut buf)
            .map_err(|f| self.mem_trap(f, a.site))?;
        Ok(buf)
    }

    /// The platform driver whose `struct platform_driver` is at `addr`,
    /// made known to the model on first use.
    fn platform_driver(&mut self, addr: Addr, a: &Args<'_>) -> Result<DrvId, Trap> {
        if let Some(d) = self.kernel.driver_at(addr) {
            return Ok(d);
        }
        let l = self.state.layouts;
        let name_ptr = self.read_u64(
            addr.offset_by(i64::from(l.pdrv_driver + l.driver_name)),
            a.site,
        )?;
        let name = self.read_str(Addr(name_ptr), a.site)?;
        let drv = self
            .kernel
            .platform_driver_new(&name, DriverOps::default(), addr);
        crate::shims::sync_driver_ops(self.kernel, &l, drv);
        Ok(drv)
    }

    fn platform_device_ptr(&self, dev: DevId) -> Result<Value, Trap> {
        ptr(self.kernel.platform_device_addr(dev))
    }
}

fn platform_device_alloc(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let name = env.read_str(a.ptr(0), a.site)?;
    let dev = env.kernel.platform_device_alloc(&name, a.int(1) as i32);
    env.mirror_pdev(dev);
    env.platform_device_ptr(dev)
}

fn platform_device_add(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.pdev(a.ptr(0), "platform_device_add", a.site)?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.platform_device_add(h, dev)
    })?))
}

/// The teardown calls (`platform_device_del`, `_put`, `_unregister`): NULL
/// and `ERR_PTR` values are ignored, as the kernel does.
fn pdev_teardown(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
    api: &'static str,
    op: fn(&mut Kernel, &mut dyn Host, DevId) -> KResult<()>,
) -> Result<Value, Trap> {
    if a.ptr(0).is_null() || a.ptr(0).is_err() {
        return void();
    }
    let dev = env.pdev(a.ptr(0), api, a.site)?;
    env.with_host(interp, a.site, |k, h| op(k, h, dev))?;
    void()
}

fn platform_device_del(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    pdev_teardown(
        env,
        interp,
        a,
        "platform_device_del",
        Kernel::platform_device_del,
    )
}

fn platform_device_put(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    pdev_teardown(
        env,
        interp,
        a,
        "platform_device_put",
        Kernel::platform_device_put,
    )
}

fn platform_device_unregister(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    pdev_teardown(
        env,
        interp,
        a,
        "platform_device_unregister",
        Kernel::platform_device_unregister,
    )
}

fn register_full(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
    info: PlatformFields,
    data: &[u8],
) -> Result<Value, Trap> {
    match env.with_host(interp, a.site, |k, h| {
        k.platform_device_register_full(h, info, data)
    })? {
        Ok(dev) => {
            env.mirror_pdev(dev);
            env.platform_device_ptr(dev)
        }
        Err(e) => err_ptr(e),
    }
}

fn platform_device_register_simple(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let info = PlatformFields {
        name: env.read_str(a.ptr(0), a.site)?,
        id: a.int(1) as i32,
        ..PlatformFields::default()
    };
    register_full(env, interp, a, info, &[])
}

/// `platform_device_register_data(parent, name, id, data, size)`.
fn platform_device_register_data(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let parent = if a.ptr(0).is_null() {
        None
    } else {
        Some(env.dev(a.ptr(0), "platform_device_register_data", a.site)?)
    };
    let info = PlatformFields {
        name: env.read_str(a.ptr(1), a.site)?,
        id: a.int(2) as i32,
        parent,
        release: None,
    };
    let data = env.read_data(a.ptr(3), a.bits(4), a)?;
    register_full(env, interp, a, info, &data)
}

/// `platform_device_register`: a device from `platform_device_alloc`, or
/// a `struct platform_device` of the caller's own (a static one), whose
/// name, id, parent and release the model reads from it.
fn platform_device_register(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let pdev = a.ptr(0);
    if let Some(dev) = env.kernel.platform_device_at(pdev) {
        return int(i64::from(env.with_host(interp, a.site, |k, h| {
            k.platform_device_register(h, dev)
        })?));
    }
    let l = env.state.layouts;
    let at = |off: u32| pdev.offset_by(i64::from(off));
    let dev_addr = at(l.pdev_dev);
    let name_ptr = env.read_u64(at(l.pdev_name), a.site)?;
    let mut id = [0u8; 4];
    env.kernel
        .mm
        .read(at(l.pdev_id), &mut id)
        .map_err(|f| env.mem_trap(f, a.site))?;
    let parent = env.read_u64(dev_addr.offset_by(i64::from(l.device_parent)), a.site)?;
    let release = env.read_u64(dev_addr.offset_by(i64::from(l.device_release)), a.site)?;
    let info = PlatformFields {
        name: env.read_str(Addr(name_ptr), a.site)?,
        id: i32::from_le_bytes(id),
        parent: match parent {
            0 => None,
            p => Some(env.dev(Addr(p), "platform_device_register", a.site)?),
        },
        release: (release != 0).then_some(FnRef(release)),
    };
    let (_, err) = env.with_host(interp, a.site, |k, h| {
        k.platform_device_register_at(h, dev_addr, info)
    })?;
    int(i64::from(err))
}

/// `platform_device_add_data(pdev, data, size)`.
fn platform_device_add_data(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.pdev(a.ptr(0), "platform_device_add_data", a.site)?;
    let data = env.read_data(a.ptr(1), a.bits(2), a)?;
    env.model(a.site, |k| k.platform_device_add_data(dev, &data))?;
    env.mirror_pdev(dev);
    int(0)
}

fn platform_driver_register(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drv = env.platform_driver(a.ptr(0), a)?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.platform_driver_register(h, drv)
    })?))
}

fn platform_driver_unregister(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drv = env.drv(a.ptr(0), "platform_driver_unregister", a.site)?;
    env.with_host(interp, a.site, |k, h| k.platform_driver_unregister(h, drv))?;
    void()
}

fn platform_get_drvdata(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.pdev(a.ptr(0), "platform_get_drvdata", a.site)?;
    ptr(Addr(env.kernel.dev_get_drvdata(dev)))
}

fn platform_set_drvdata(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.pdev(a.ptr(0), "platform_set_drvdata", a.site)?;
    env.kernel.dev_set_drvdata(dev, a.bits(1));
    let l = env.state.layouts;
    crate::shims::mirror_driver(env.kernel, &l, dev);
    void()
}

fn dev_is_platform(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "dev_is_platform", a.site)?;
    Ok(Value::bool(matches!(
        env.kernel.dev(dev).kind,
        DevKind::Platform { .. }
    )))
}

fn kunit_platform_device_alloc(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_platform_device_alloc", a.site)?;
    let name = env.read_str(a.ptr(1), a.site)?;
    let dev = env
        .kernel
        .kunit_platform_device_alloc(t, &name, a.int(2) as i32);
    env.mirror_pdev(dev);
    env.platform_device_ptr(dev)
}

fn kunit_platform_device_add(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_platform_device_add", a.site)?;
    let dev = env.pdev(a.ptr(1), "kunit_platform_device_add", a.site)?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.kunit_platform_device_add(h, t, dev)
    })?))
}

fn kunit_platform_driver_register(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_platform_driver_register", a.site)?;
    let drv = env.platform_driver(a.ptr(1), a)?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.kunit_platform_driver_register(h, t, drv)
    })?))
}

/// Completes `x` now if the device is bound, else when it binds.
fn kunit_prepare_wait_for_probe(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.pdev(
        a.ptr(1),
        "kunit_platform_device_prepare_wait_for_probe",
        a.site,
    )?;
    let completion = a.ptr(2);
    if env.kernel.dev(dev).driver.is_some() {
        crate::shims::complete(env.kernel, completion);
    } else {
        env.state.probe_waiters.push((dev, completion));
    }
    int(0)
}
