//! DRM shims (drivers/gpu/drm/drm_drv.c, drm_managed.c) and the KUnit DRM
//! helpers (drivers/gpu/drm/tests/drm_kunit_helpers.c).

use super::{err_ptr, int, ptr, void, Args, Shim};
use crate::env::KernelEnv;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::value::Value;
use devlife_model::drivers::gpu::drm::drm_drv::{DrmDriver, MinorType};
use devlife_model::{Addr, FnRef, ObjId};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("__devm_drm_dev_alloc", devm_drm_dev_alloc),
    (
        "__drm_kunit_helper_alloc_drm_device",
        helper_alloc_drm_device,
    ),
    (
        "__drm_kunit_helper_alloc_drm_device_with_driver",
        helper_alloc_drm_device_with_driver,
    ),
    ("__drmm_add_action", drmm_add_action),
    ("__drmm_add_action_or_reset", drmm_add_action),
    ("drm_dev_alloc", drm_dev_alloc),
    ("drm_dev_enter", drm_dev_enter),
    ("drm_dev_exit", drm_dev_exit),
    ("drm_dev_get", drm_dev_get),
    ("drm_dev_is_unplugged", drm_dev_is_unplugged),
    ("drm_dev_put", drm_dev_put),
    ("drm_dev_register", drm_dev_register),
    ("drm_dev_unplug", drm_dev_unplug),
    ("drm_dev_unregister", drm_dev_unregister),
    ("drm_kunit_helper_alloc_device", helper_alloc_device),
    ("drm_kunit_helper_free_device", helper_free_device),
    ("drm_put_dev", drm_put_dev),
    ("drmm_kfree", drmm_kfree),
    ("drmm_kmalloc", drmm_kzalloc),
    ("drmm_kzalloc", drmm_kzalloc),
    ("drmm_mode_config_init", drmm_mode_config_init),
    ("drmm_release_action", drmm_release_action),
    ("fput", fput),
    ("mock_drm_getfile", mock_drm_getfile),
];

impl KernelEnv<'_> {
    /// What the model needs of the `struct drm_driver` at `addr`.
    fn drm_driver(&mut self, addr: Addr, a: &Args<'_>) -> Result<DrmDriver, Trap> {
        if addr.is_null() {
            return Ok(DrmDriver::default());
        }
        let l = self.state.layouts;
        let at = |off: u32| addr.offset_by(i64::from(off));
        let name_ptr = self.read_u64(at(l.drmdrv_name), a.site)?;
        let name = if name_ptr == 0 {
            None
        } else {
            Some(self.read_str(Addr(name_ptr), a.site)?)
        };
        let mut v = [0u8; 12];
        self.kernel
            .mm
            .read(at(l.drmdrv_version), &mut v)
            .map_err(|f| self.mem_trap(f, a.site))?;
        let word = |i: usize| i32::from_le_bytes([v[i], v[i + 1], v[i + 2], v[i + 3]]);
        let mut f = [0u8; 4];
        self.kernel
            .mm
            .read(at(l.drmdrv_features), &mut f)
            .map_err(|e| self.mem_trap(e, a.site))?;
        let release = self.read_u64(at(l.drmdrv_release), a.site)?;
        Ok(DrmDriver {
            addr,
            name,
            version: (word(0), word(4), word(8)),
            features: u32::from_le_bytes(f),
            release: (release != 0).then_some(FnRef(release)),
        })
    }

    /// Writes `drm->dev` and `drm->driver` for C code to read.
    fn mirror_drm(&mut self, drm: ObjId) {
        let l = self.state.layouts;
        let at = self.kernel.obj(drm).addr;
        let d = self.kernel.drm(drm);
        let parent = d.parent.map_or(0, |p| self.kernel.obj(p).addr.0);
        let driver = d.driver.addr.0;
        let _ = self
            .kernel
            .mm
            .write_u64(at.offset_by(i64::from(l.drm_dev)), parent);
        let _ = self
            .kernel
            .mm
            .write_u64(at.offset_by(i64::from(l.drm_driver)), driver);
        self.mirror_minors(drm);
    }

    /// Writes `drm->primary` / `render` / `accel` and each minor's members
    /// (the minors live in drmm memory the model allocated).
    fn mirror_minors(&mut self, drm: ObjId) {
        let l = self.state.layouts;
        let at = self.kernel.obj(drm).addr;
        let minors = self.kernel.drm(drm).minors.clone();
        for m in minors {
            let slot = match m.kind {
                MinorType::Primary => l.drm_minors[0],
                MinorType::Render => l.drm_minors[1],
                MinorType::Accel => l.drm_minors[2],
            };
            let mm = &mut self.kernel.mm;
            let _ = mm.write_u64(at.offset_by(i64::from(slot)), m.mem.0);
            let [index, kind, kdev, dev] = l.minor_fields.map(|o| m.mem.offset_by(i64::from(o)));
            let _ = mm.write(index, &m.index.to_le_bytes());
            let _ = mm.write(kind, &(m.kind as u32).to_le_bytes());
            let kdev_addr = self.kernel.obj(m.kdev).addr.0;
            let _ = self.kernel.mm.write_u64(kdev, kdev_addr);
            let _ = self.kernel.mm.write_u64(dev, at.0);
        }
    }
}

fn drm_result(env: &mut KernelEnv<'_>, r: Result<ObjId, i32>, offset: u32) -> Result<Value, Trap> {
    match r {
        Ok(drm) => {
            env.mirror_drm(drm);
            ptr(env.kernel.obj(drm).addr.offset_by(-i64::from(offset)))
        }
        Err(e) => err_ptr(e),
    }
}

fn drm_dev_alloc(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let driver = env.drm_driver(a.ptr(0), a)?;
    let parent = if a.ptr(1).is_null() {
        None
    } else {
        Some(env.dev(a.ptr(1), "drm_dev_alloc", a.site)?)
    };
    let r = env.with_host(interp, a.site, |k, h| k.drm_dev_alloc(h, driver, parent))?;
    drm_result(env, r, 0)
}

fn devm_drm_dev_alloc(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let parent = env.dev(a.ptr(0), "__devm_drm_dev_alloc", a.site)?;
    let driver = env.drm_driver(a.ptr(1), a)?;
    let (size, offset) = (a.bits(2) as u32, a.bits(3) as u32);
    let r = env.with_host(interp, a.site, |k, h| {
        k.devm_drm_dev_alloc(h, parent, driver, size, offset)
    })?;
    drm_result(env, r, offset)
}

fn helper_alloc_device(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "drm_kunit_helper_alloc_device", a.site)?;
    match env.with_host(interp, a.site, |k, h| k.drm_kunit_helper_alloc_device(h, t))? {
        Ok(dev) => ptr(env.kernel.obj(dev).addr),
        Err(e) => err_ptr(e),
    }
}

fn helper_free_device(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "drm_kunit_helper_free_device", a.site)?;
    let dev = env.dev(a.ptr(1), "drm_kunit_helper_free_device", a.site)?;
    env.with_host(interp, a.site, |k, h| {
        k.drm_kunit_helper_free_device(h, t, dev)
    })?;
    void()
}

fn helper_alloc_drm_device_with_driver(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(
        a.ptr(1),
        "__drm_kunit_helper_alloc_drm_device_with_driver",
        a.site,
    )?;
    let (size, offset) = (a.bits(2) as u32, a.bits(3) as u32);
    let driver = env.drm_driver(a.ptr(4), a)?;
    let r = env.with_host(interp, a.site, |k, h| {
        k.drm_kunit_helper_alloc_drm_device_with_driver(h, dev, size, offset, driver)
    })?;
    drm_result(env, r, 0)
}

fn helper_alloc_drm_device(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(1), "__drm_kunit_helper_alloc_drm_device", a.site)?;
    let (size, offset, features) = (a.bits(2) as u32, a.bits(3) as u32, a.bits(4) as u32);
    let r = env.with_host(interp, a.site, |k, h| {
        k.drm_kunit_helper_alloc_drm_device(h, dev, size, offset, features)
    })?;
    drm_result(env, r, 0)
}

fn drm_dev_register(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drm_dev_register", a.site)?;
    let flags = a.bits(1);
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.drm_dev_register(h, drm, flags)
    })?))
}

fn drm_dev_unregister(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drm_dev_unregister", a.site)?;
    env.with_host(interp, a.site, |k, h| k.drm_dev_unregister(h, drm))?;
    void()
}

fn drm_dev_unplug(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drm_dev_unplug", a.site)?;
    env.with_host(interp, a.site, |k, h| k.drm_dev_unplug(h, drm))?;
    void()
}

fn drm_put_dev(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drm_put_dev", a.site)?;
    env.with_host(interp, a.site, |k, h| {
        k.drm_dev_unregister(h, drm)?;
        k.drm_dev_put(h, drm)
    })?;
    void()
}

fn drm_dev_enter(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drm_dev_enter", a.site)?;
    let entered = env.model(a.site, |k| k.drm_dev_enter(drm))?;
    if entered {
        env.state.entered.push(drm);
        if !a.ptr(1).is_null() {
            env.write_u32(a.ptr(1), env.state.entered.len() as u32, a.site)?;
        }
    }
    Ok(Value::bool(entered))
}

fn drm_dev_exit(env: &mut KernelEnv<'_>, _: &mut Interp, _: &Args<'_>) -> Result<Value, Trap> {
    if let Some(drm) = env.state.entered.pop() {
        env.kernel.drm_dev_exit(drm);
    }
    void()
}

fn drm_dev_is_unplugged(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drm_dev_is_unplugged", a.site)?;
    Ok(Value::bool(env.kernel.drm_dev_is_unplugged(drm)))
}

fn drm_dev_get(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if a.ptr(0).is_null() {
        return void();
    }
    let drm = env.drm(a.ptr(0), "drm_dev_get", a.site)?;
    env.model(a.site, |k| k.drm_dev_get(drm))?;
    void()
}

fn drm_dev_put(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if a.ptr(0).is_null() {
        return void();
    }
    let drm = env.drm(a.ptr(0), "drm_dev_put", a.site)?;
    env.with_host(interp, a.site, |k, h| k.drm_dev_put(h, drm))?;
    void()
}

fn drmm_add_action(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drmm_add_action", a.site)?;
    let name = env.read_name(a.ptr(3), a.site)?;
    let (f, data) = (FnRef(a.bits(1)), a.bits(2));
    int(i64::from(
        env.model(a.site, |k| k.drmm_add_action(drm, f, data, name))?,
    ))
}

fn drmm_release_action(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drmm_release_action", a.site)?;
    let (f, data) = (FnRef(a.bits(1)), a.bits(2));
    env.with_host(interp, a.site, |k, h| {
        k.drmm_release_action(h, drm, f, data)
    })?;
    void()
}

fn drmm_kzalloc(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drmm_kzalloc", a.site)?;
    let Some(size) = devlife_model::mm::kmalloc_size(a.bits(1)) else {
        return ptr(Addr::NULL);
    };
    ptr(env.model(a.site, |k| k.drmm_kzalloc(drm, size))?)
}

fn drmm_kfree(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drmm_kfree", a.site)?;
    let p = a.ptr(1);
    env.model(a.site, |k| k.drmm_kfree(drm, p))?;
    void()
}

fn drmm_mode_config_init(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drm = env.drm(a.ptr(0), "drmm_mode_config_init", a.site)?;
    int(i64::from(
        env.model(a.site, |k| k.drmm_mode_config_init(drm))?,
    ))
}

/// `mock_drm_getfile`: an open file on the minor's drm_device, holding a
/// reference until its last `fput`.
fn mock_drm_getfile(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let minor = a.ptr(0);
    let drm = env.state.layouts.minor_fields[3];
    let drm_addr = Addr(env.read_u64(minor.offset_by(i64::from(drm)), a.site)?);
    let drm = env.drm(drm_addr, "mock_drm_getfile", a.site)?;
    match env.model(a.site, |k| k.mock_drm_getfile(drm))? {
        Ok(file) => {
            let size = env.state.layouts.file_size;
            let at = env
                .kernel
                .kmalloc(size, devlife_model::AllocKind::Kmalloc, "struct file");
            env.state.files.insert(at, file);
            ptr(at)
        }
        Err(e) => err_ptr(e),
    }
}

/// `fput` of a file from `mock_drm_getfile`: its release drops the
/// drm_device reference (synchronously; the kernel defers it to a worker).
fn fput(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let at = a.ptr(0);
    let Some(file) = env.state.files.remove(&at) else {
        return Err(Trap::env(
            crate::env::Stop::Fault(devlife_model::Fault::NotAnObject {
                addr: at,
                expected: "struct file",
                api: "fput",
            }),
            a.site,
        ));
    };
    env.with_host(interp, a.site, |k, h| k.drm_release(h, file))?;
    env.model(a.site, |k| k.kfree(at))?;
    void()
}
