//! Driver-core shims: drivers/base/core.c, dd.c, devres.c and root devices.

use super::{int, ptr, void, Args, Shim};
use crate::env::KernelEnv;
use crate::format::format_c;
use crate::layout::Layouts;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::value::Value;
use devlife_model::drivers::base::bus::{BusId, BusOps};
use devlife_model::drivers::base::core::{DevKind, DevRelease};
use devlife_model::drivers::base::driver::{DriverOps, DrvKind};
use devlife_model::{Addr, AllocKind, DevId, DrvId, FnRef, Kernel};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("__devm_add_action", devm_add_action),
    ("__devm_add_action_or_reset", devm_add_action),
    ("__devres_alloc_node", devres_alloc),
    ("__root_device_register", root_device_register),
    ("bus_find_device", bus_find_device),
    ("bus_find_device_by_name", bus_find_device_by_name),
    ("bus_register", bus_register),
    ("bus_unregister", bus_unregister),
    ("dev_get_drvdata", dev_get_drvdata),
    ("dev_name", dev_name),
    ("dev_set_drvdata", dev_set_drvdata),
    ("dev_set_name", dev_set_name),
    ("device_add", device_add),
    ("device_attach", device_attach),
    ("device_bind_driver", device_bind_driver),
    ("device_del", device_del),
    ("device_initialize", device_initialize),
    ("device_register", device_register),
    ("device_release_driver", device_release_driver),
    ("device_unregister", device_unregister),
    ("devm_kcalloc", devm_kcalloc),
    ("devm_kfree", devm_kfree),
    ("devm_kmalloc", devm_kzalloc),
    ("devm_kstrdup", devm_kstrdup),
    ("devm_kzalloc", devm_kzalloc),
    ("devm_release_action", devm_release_action),
    ("devm_remove_action", devm_remove_action),
    ("devres_add", devres_add),
    ("devres_close_group", devres_close_group),
    ("devres_destroy", devres_destroy),
    ("devres_find", devres_find),
    ("devres_free", devres_free),
    ("devres_get", devres_get),
    ("devres_open_group", devres_open_group),
    ("devres_release", devres_release),
    ("devres_release_group", devres_release_group),
    ("devres_remove", devres_remove),
    ("devres_remove_group", devres_remove_group),
    ("driver_attach", driver_attach),
    ("driver_register", driver_register),
    ("driver_unregister", driver_unregister),
    ("get_device", get_device),
    ("put_device", put_device),
    ("root_device_unregister", root_device_unregister),
];

/// Refreshes a driver's callbacks from its C structure (tests may set
/// `drv->probe` after registering it).
pub fn sync_driver_ops(kernel: &mut Kernel, l: &Layouts, drv: DrvId) {
    let d = kernel.driver(drv);
    if d.addr.is_null() {
        return;
    }
    let (probe, remove) = match d.kind {
        DrvKind::Plain => (l.driver_probe, l.driver_remove),
        DrvKind::Platform => (l.pdrv_probe, l.pdrv_remove),
    };
    let base = d.addr;
    let read = |k: &Kernel, off: u32| {
        k.mm.read_u64(base.offset_by(i64::from(off)))
            .ok()
            .filter(|v| *v != 0)
            .map(FnRef)
    };
    let (p, r) = (read(kernel, probe), read(kernel, remove));
    let ops = &mut kernel.driver_mut(drv).ops;
    ops.probe = p;
    ops.remove = r;
}

/// Writes a device's `driver` and `driver_data` members after the model changed them.
pub fn mirror_driver(kernel: &mut Kernel, l: &Layouts, dev: DevId) {
    let at = kernel.obj(dev).addr;
    let d = kernel.dev(dev);
    let data = d.drvdata;
    let driver = d.driver.map_or(0, |drv| {
        let dr = kernel.driver(drv);
        match dr.kind {
            DrvKind::Platform => dr.addr.offset_by(i64::from(l.pdrv_driver)).0,
            DrvKind::Plain => dr.addr.0,
        }
    });
    let _ = kernel
        .mm
        .write_u64(at.offset_by(i64::from(l.device_driver)), driver);
    let _ = kernel
        .mm
        .write_u64(at.offset_by(i64::from(l.device_driver_data)), data);
}

fn root_device_register(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let name = env.read_str(a.ptr(0), a.site)?;
    match env.with_host(interp, a.site, |k, h| k.root_device_register(h, &name))? {
        Ok(dev) => ptr(env.kernel.obj(dev).addr),
        Err(e) => super::err_ptr(e),
    }
}

fn root_device_unregister(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "root_device_unregister", a.site)?;
    env.with_host(interp, a.site, |k, h| k.root_device_unregister(h, dev))?;
    void()
}

/// Reads the members a C-owned device sets before `device_add`: parent,
/// release and `init_name`.
fn sync_plain_device(env: &mut KernelEnv<'_>, dev: DevId, a: &Args<'_>) -> Result<(), Trap> {
    if env.kernel.dev(dev).kind != DevKind::Plain {
        return Ok(());
    }
    let l = env.state.layouts;
    let at = env.kernel.obj(dev).addr;
    let parent = env.read_u64(at.offset_by(i64::from(l.device_parent)), a.site)?;
    let parent = if parent == 0 {
        None
    } else {
        Some(env.dev(Addr(parent), "device_add", a.site)?)
    };
    env.kernel.set_parent(dev, parent);
    let release = env.read_u64(at.offset_by(i64::from(l.device_release)), a.site)?;
    if release != 0 {
        env.kernel
            .set_release(dev, DevRelease::User(FnRef(release)));
    }
    let bus = env.read_u64(at.offset_by(i64::from(l.device_bus)), a.site)?;
    let bus = env.bus_of(Addr(bus), a)?;
    env.kernel.set_bus(dev, bus);
    let init_name = env.read_u64(at.offset_by(i64::from(l.device_init_name)), a.site)?;
    if init_name != 0 {
        let name = env.read_str(Addr(init_name), a.site)?;
        env.kernel.dev_set_name(dev, &name);
        env.write_u64(at.offset_by(i64::from(l.device_init_name)), 0, a.site)?;
    }
    Ok(())
}

fn device_initialize(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if a.ptr(0).0 < 4096 {
        return Err(Trap::NullDeref {
            addr: devlife_c::value::Addr(a.ptr(0).0),
            site: a.site,
        });
    }
    env.kernel.device_initialize_at(a.ptr(0));
    void()
}

fn device_add(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "device_add", a.site)?;
    sync_plain_device(env, dev, a)?;
    int(i64::from(
        env.with_host(interp, a.site, |k, h| k.device_add(h, dev))?,
    ))
}

fn device_register(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    device_initialize(env, interp, a)?;
    device_add(env, interp, a)
}

fn device_del(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "device_del", a.site)?;
    env.with_host(interp, a.site, |k, h| k.device_del(h, dev))?;
    void()
}

fn device_unregister(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "device_unregister", a.site)?;
    env.with_host(interp, a.site, |k, h| k.device_unregister(h, dev))?;
    void()
}

fn get_device(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if a.ptr(0).is_null() {
        return ptr(Addr::NULL);
    }
    let dev = env.dev(a.ptr(0), "get_device", a.site)?;
    env.model(a.site, |k| k.get_device(dev))?;
    ptr(a.ptr(0))
}

fn put_device(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if a.ptr(0).is_null() {
        return void();
    }
    let dev = env.dev(a.ptr(0), "put_device", a.site)?;
    env.with_host(interp, a.site, |k, h| k.put_device(h, dev))?;
    void()
}

fn dev_set_name(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "dev_set_name", a.site)?;
    let name = format_c(env, a.ptr(1), a.rest(2), a.site)?;
    env.kernel.dev_set_name(dev, &name);
    int(0)
}

fn dev_name(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "dev_name", a.site)?;
    let name = env.kernel.dev_name(dev).to_string();
    ptr(env.interned_str(&name))
}

fn dev_get_drvdata(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "dev_get_drvdata", a.site)?;
    ptr(Addr(env.kernel.dev_get_drvdata(dev)))
}

fn dev_set_drvdata(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "dev_set_drvdata", a.site)?;
    env.kernel.dev_set_drvdata(dev, a.bits(1));
    let l = env.state.layouts;
    mirror_driver(env.kernel, &l, dev);
    void()
}

fn device_attach(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "device_attach", a.site)?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.device_attach(h, dev)
    })?))
}

/// The driver whose `struct device_driver` is at `addr`: a plain driver's
/// own, or the one inside a `struct platform_driver`.
fn driver_by_struct(
    env: &mut KernelEnv<'_>,
    addr: Addr,
    api: &'static str,
    a: &Args<'_>,
) -> Result<DrvId, Trap> {
    let inner = env.state.layouts.pdrv_driver;
    let platform = env
        .kernel
        .driver_at(addr.offset_by(-i64::from(inner)))
        .filter(|d| env.kernel.driver(*d).kind == DrvKind::Platform);
    match env.kernel.driver_at(addr).or(platform) {
        Some(drv) => Ok(drv),
        None => Err(env.not_object(addr, "struct device_driver", api, a.site)),
    }
}

/// `device_bind_driver`: binds the device to the driver its `driver`
/// member names, without a probe.
fn device_bind_driver(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "device_bind_driver", a.site)?;
    let at = env.kernel.obj(dev).addr;
    let off = env.state.layouts.device_driver;
    let drv = Addr(env.read_u64(at.offset_by(i64::from(off)), a.site)?);
    let drv = driver_by_struct(env, drv, "device_bind_driver", a)?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.device_bind_driver(h, dev, drv)
    })?))
}

fn driver_attach(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let drv = driver_by_struct(env, a.ptr(0), "driver_attach", a)?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.driver_attach_now(h, drv)
    })?))
}

fn device_release_driver(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "device_release_driver", a.site)?;
    env.with_host(interp, a.site, |k, h| k.device_release_driver(h, dev))?;
    void()
}

/// The devices on the bus whose `struct bus_type` is at `bus` (found by its name).
fn bus_devices(env: &mut KernelEnv<'_>, bus: Addr, a: &Args<'_>) -> Result<Vec<DevId>, Trap> {
    if let Some(own) = env.kernel.bus_at(bus) {
        return Ok(env.kernel.bus(own).devices.clone());
    }
    let name_ptr = env.read_u64(bus, a.site)?;
    let name = env.read_str(Addr(name_ptr), a.site)?;
    let dev = match name.as_str() {
        "platform" => env.kernel.platform_bus_device(),
        "kunit" => env.kernel.kunit_bus_device(),
        _ => return Ok(Vec::new()),
    };
    Ok(env.kernel.dev(dev).children.clone())
}

fn bus_find_device(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let devices = bus_devices(env, a.ptr(0), a)?;
    let (data, matcher) = (a.bits(2), a.ptr(3));
    for dev in devices {
        let at = env.kernel.obj(dev).addr;
        let args = [
            Value::ptr(devlife_c::value::Addr(at.0)),
            Value::ptr(devlife_c::value::Addr(data)),
        ];
        let r = crate::callc::call_pointer(
            interp,
            env,
            devlife_c::value::Addr(matcher.0),
            &args,
            a.site,
        )?;
        if r.bits as u32 != 0 {
            env.model(a.site, |k| k.get_device(dev))?;
            return ptr(at);
        }
    }
    ptr(Addr::NULL)
}

fn bus_find_device_by_name(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let devices = bus_devices(env, a.ptr(0), a)?;
    let name = env.read_str(a.ptr(2), a.site)?;
    for dev in devices {
        if env.kernel.dev_name(dev) == name {
            env.model(a.site, |k| k.get_device(dev))?;
            return ptr(env.kernel.obj(dev).addr);
        }
    }
    ptr(Addr::NULL)
}

fn devm_add_action(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devm_add_action", a.site)?;
    let name = env.read_name(a.ptr(3), a.site)?;
    let (f, data) = (FnRef(a.bits(1)), a.bits(2));
    int(i64::from(
        env.model(a.site, |k| k.devm_add_action(dev, f, data, name))?,
    ))
}

fn devm_remove_action(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devm_remove_action", a.site)?;
    let (f, data) = (FnRef(a.bits(1)), a.bits(2));
    env.model(a.site, |k| k.devm_remove_action(dev, f, data))?;
    void()
}

fn devm_release_action(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devm_release_action", a.site)?;
    let (f, data) = (FnRef(a.bits(1)), a.bits(2));
    env.with_host(interp, a.site, |k, h| {
        k.devm_release_action(h, dev, f, data)
    })?;
    void()
}

fn devm_alloc(env: &mut KernelEnv<'_>, a: &Args<'_>, size: u64) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devm_kzalloc", a.site)?;
    let Some(size) = devlife_model::mm::kmalloc_size(size) else {
        return ptr(Addr::NULL);
    };
    ptr(env.model(a.site, |k| k.devm_kzalloc(dev, size))?)
}

fn devm_kzalloc(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    devm_alloc(env, a, a.bits(1))
}

fn devm_kcalloc(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    match a.bits(1).checked_mul(a.bits(2)) {
        Some(size) => devm_alloc(env, a, size),
        None => ptr(Addr::NULL),
    }
}

fn devm_kstrdup(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if a.ptr(1).is_null() {
        return ptr(Addr::NULL);
    }
    let s = env.read_str(a.ptr(1), a.site)?;
    let p = devm_alloc(env, a, s.len() as u64 + 1)?;
    let at = Addr(p.bits);
    env.kernel
        .mm
        .write(at, s.as_bytes())
        .map_err(|f| env.mem_trap(f, a.site))?;
    Ok(p)
}

fn devm_kfree(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devm_kfree", a.site)?;
    let p = a.ptr(1);
    env.model(a.site, |k| k.devm_kfree(dev, p))?;
    void()
}

fn devres_open_group(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devres_open_group", a.site)?;
    let id = a.bits(1);
    ptr(Addr(env.model(a.site, |k| k.devres_open_group(dev, id))?))
}

fn devres_close_group(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devres_close_group", a.site)?;
    let id = a.bits(1);
    env.model(a.site, |k| k.devres_close_group(dev, id))?;
    void()
}

fn devres_remove_group(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devres_remove_group", a.site)?;
    let id = a.bits(1);
    env.model(a.site, |k| k.devres_remove_group(dev, id))?;
    void()
}

fn devres_release_group(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devres_release_group", a.site)?;
    let id = a.bits(1);
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.devres_release_group(h, dev, id)
    })?))
}

fn devres_alloc(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let name = env.read_name(a.ptr(4), a.site)?;
    let (release, size) = (FnRef(a.bits(0)), a.bits(1));
    ptr(env.model(a.site, |k| Ok(k.devres_alloc(release, size, name)))?)
}

fn devres_free(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let data = a.ptr(0);
    env.model(a.site, |k| k.devres_free(data))?;
    void()
}

fn devres_add(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let dev = env.dev(a.ptr(0), "devres_add", a.site)?;
    let data = a.ptr(1);
    env.model(a.site, |k| k.devres_add(dev, data))?;
    void()
}

/// The arguments `devres_find` and its kin share: the device, the release
/// (or, for `devres_get`, the new node's data), the matcher (NULL: any) and
/// its data.
fn devres_query(
    env: &mut KernelEnv<'_>,
    a: &Args<'_>,
    api: &'static str,
) -> Result<(DevId, u64, Option<FnRef>, u64), Trap> {
    let dev = env.dev(a.ptr(0), api, a.site)?;
    let matcher = Some(FnRef(a.bits(2))).filter(|f| f.0 != 0);
    Ok((dev, a.bits(1), matcher, a.bits(3)))
}

fn devres_find(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let (dev, release, m, data) = devres_query(env, a, "devres_find")?;
    ptr(env.with_host(interp, a.site, |k, h| {
        k.devres_find(h, dev, FnRef(release), m, data)
    })?)
}

fn devres_get(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let (dev, new, m, data) = devres_query(env, a, "devres_get")?;
    ptr(env.with_host(interp, a.site, |k, h| {
        k.devres_get(h, dev, Addr(new), m, data)
    })?)
}

fn devres_remove(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let (dev, release, m, data) = devres_query(env, a, "devres_remove")?;
    ptr(env.with_host(interp, a.site, |k, h| {
        k.devres_remove(h, dev, FnRef(release), m, data)
    })?)
}

fn devres_destroy(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let (dev, release, m, data) = devres_query(env, a, "devres_destroy")?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.devres_destroy(h, dev, FnRef(release), m, data)
    })?))
}

fn devres_release(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let (dev, release, m, data) = devres_query(env, a, "devres_release")?;
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.devres_release(h, dev, FnRef(release), m, data)
    })?))
}

fn bus_register(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let at = a.ptr(0);
    let name_ptr = env.read_u64(at, a.site)?;
    let name = env.read_str(Addr(name_ptr), a.site)?;
    let [m, p, r] = env.state.layouts.bus_ops;
    let mut op = |off: u32| -> Result<Option<FnRef>, Trap> {
        let f = env.read_u64(at.offset_by(i64::from(off)), a.site)?;
        Ok((f != 0).then_some(FnRef(f)))
    };
    let ops = BusOps {
        matcher: op(m)?,
        probe: op(p)?,
        remove: op(r)?,
    };
    match env.kernel.bus_register_at(at, &name, ops) {
        Ok(_) => int(0),
        Err(e) => int(i64::from(e)),
    }
}

fn bus_unregister(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if let Some(bus) = env.kernel.bus_at(a.ptr(0)) {
        env.kernel.bus_unregister(bus);
    }
    void()
}

/// `driver_register` of a plain `struct device_driver` on the bus its
/// `bus` member names.
fn driver_register(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let at = a.ptr(0);
    let l = env.state.layouts;
    let name_ptr = env.read_u64(at.offset_by(i64::from(l.driver_name)), a.site)?;
    let name = env.read_str(Addr(name_ptr), a.site)?;
    let bus_ptr = Addr(env.read_u64(at.offset_by(i64::from(l.driver_bus)), a.site)?);
    if bus_ptr.is_null() {
        return Err(env.not_object(bus_ptr, "struct bus_type", "driver_register", a.site));
    }
    let Some(bus) = env.bus_of(bus_ptr, a)? else {
        let bus_name_ptr = env.read_u64(bus_ptr, a.site)?;
        let bus_name = env.read_str(Addr(bus_name_ptr), a.site)?;
        return int(i64::from(
            env.kernel.driver_register_on_unknown_bus(&name, &bus_name),
        ));
    };
    let drv = match env.kernel.driver_at(at) {
        Some(drv) => {
            // Registered again, perhaps on a bus registered again.
            env.kernel.driver_mut(drv).bus = bus;
            drv
        }
        None => env
            .kernel
            .driver_new(&name, bus, DrvKind::Plain, DriverOps::default(), at),
    };
    int(i64::from(env.with_host(interp, a.site, |k, h| {
        k.driver_register(h, drv)
    })?))
}

fn driver_unregister(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    match env.kernel.driver_at(a.ptr(0)) {
        Some(drv) => env.with_host(interp, a.site, |k, h| k.driver_unregister(h, drv))?,
        None => env.kernel.driver_unregister_unknown(),
    }
    void()
}

impl KernelEnv<'_> {
    /// The model's bus for the `struct bus_type` at `addr`: one the test
    /// registered, or the kernel's own platform and kunit buses; none for
    /// NULL or a bus never registered.
    pub(crate) fn bus_of(&mut self, addr: Addr, a: &Args<'_>) -> Result<Option<BusId>, Trap> {
        if addr.is_null() {
            return Ok(None);
        }
        if let Some(bus) = self.kernel.bus_at(addr) {
            return Ok(Some(bus));
        }
        let name_ptr = self.read_u64(addr, a.site)?;
        let name = self.read_str(Addr(name_ptr), a.site)?;
        Ok(self.kernel.kernel_bus(&name))
    }

    /// A read-only copy of `s` in kernel memory, shared by equal strings
    /// (device names handed to C).
    pub(crate) fn interned_str(&mut self, s: &str) -> Addr {
        if let Some(a) = self.state.strings.get(s) {
            return *a;
        }
        let a = self
            .kernel
            .kmalloc(s.len() as u32 + 1, AllocKind::Literal, "string");
        let _ = self.kernel.mm.write(a, s.as_bytes());
        self.state.strings.insert(s.to_string(), a);
        a
    }
}
