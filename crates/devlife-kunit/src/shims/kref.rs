//! `struct kref` shims (include/linux/kref.h).
//!
//! A kref is one of two things. The kref inside a modelled object — a
//! device's `kobj.kref`, a `drm_device`'s `ref`, a KUnit resource's
//! `refcount`, the test's own kobject's `kref` — reads the model's count,
//! and a get or put on it is that object's get or put. Any other kref is the test's own, and the model
//! tracks it as an object of its own (`Kernel::kref_init_at` and friends).

use super::{int, void, Args, Shim};
use crate::env::KernelEnv;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::value::Value;
use devlife_model::{Addr, DevId, FnRef, ObjId, ObjKind, ResId};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("__kref_get", kref_get),
    ("__kref_get_unless_zero", kref_get_unless_zero),
    ("__kref_init", kref_init),
    ("__kref_put", kref_put),
    ("__kref_read", kref_read),
];

/// Whose kref is at an address.
#[derive(Debug, Clone, Copy)]
enum Owner {
    /// A device's `kobj.kref`.
    Device(DevId),
    /// A `drm_device`'s `ref`.
    Drm(ObjId),
    /// A KUnit resource's `refcount`.
    KunitResource(ResId),
    /// The `kref` of the test's own kobject (at this address).
    Kobject(ObjId, Addr),
    /// The test's own kref.
    Test,
}

impl KernelEnv<'_> {
    fn kref_owner(&self, kref: Addr) -> Owner {
        let l = self.state.layouts;
        let k = &*self.kernel;
        let at = |off: u32| kref.offset_by(-i64::from(off));
        if let Some(dev) = k.device_at(at(l.device_kref)) {
            return Owner::Device(dev);
        }
        if let Some(drm) = k
            .object_at(kref)
            .filter(|o| k.obj(*o).kind == ObjKind::DrmDevice)
        {
            return Owner::Drm(drm);
        }
        let kobj = at(l.kobject.kref as u32);
        if let Some(obj) = k.kobject_at(kobj) {
            return Owner::Kobject(obj, kobj);
        }
        match k.kunit_resource_at(at(l.kunit_resource_kref)) {
            Some(res) => Owner::KunitResource(res),
            None => Owner::Test,
        }
    }
}

fn kref_init(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let text = env.read_str(a.ptr(1), a.site)?;
    let kref = a.ptr(0);
    env.model(a.site, |k| k.kref_init_at(kref, &text))?;
    void()
}

fn kref_get(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let kref = a.ptr(0);
    match env.kref_owner(kref) {
        Owner::Device(dev) => {
            env.model(a.site, |k| k.get_device(dev))?;
        }
        Owner::Drm(drm) => env.model(a.site, |k| k.drm_dev_get(drm))?,
        Owner::KunitResource(res) => env.kernel.kunit_get_resource(res),
        Owner::Kobject(_, kobj) => env.model(a.site, |k| k.kobject_get_at(kobj))?,
        Owner::Test => {
            let text = env.read_str(a.ptr(1), a.site)?;
            env.model(a.site, |k| k.kref_get_at(kref, &text))?;
        }
    }
    void()
}

fn kref_get_unless_zero(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let kref = a.ptr(0);
    if let Owner::Test = env.kref_owner(kref) {
        let text = env.read_str(a.ptr(1), a.site)?;
        let got = env.model(a.site, |k| k.kref_get_unless_zero_at(kref, &text))?;
        return int(i64::from(got));
    }
    // A modelled object's count is zero only once it is released.
    if count_of(env, kref) == 0 {
        return int(0);
    }
    kref_get(env, interp, a)?;
    int(1)
}

fn kref_put(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let kref = a.ptr(0);
    let owner = env.kref_owner(kref);
    let before = count_of(env, kref);
    match owner {
        Owner::Device(dev) => env.with_host(interp, a.site, |k, h| k.put_device(h, dev))?,
        Owner::Drm(drm) => env.with_host(interp, a.site, |k, h| k.drm_dev_put(h, drm))?,
        Owner::KunitResource(res) => {
            env.with_host(interp, a.site, |k, h| k.kunit_put_resource(h, res))?;
        }
        Owner::Kobject(_, kobj) => {
            env.with_host(interp, a.site, |k, h| k.kobject_put_at(h, kobj))?;
        }
        Owner::Test => {
            let text = env.read_str(a.ptr(2), a.site)?;
            let release = FnRef(a.bits(1));
            let released = env.with_host(interp, a.site, |k, h| {
                k.kref_put_at(h, kref, release, &text)
            })?;
            return int(i64::from(released));
        }
    }
    int(i64::from(before == 1))
}

fn kref_read(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let kref = a.ptr(0);
    if let Owner::Test = env.kref_owner(kref) {
        let text = env.read_str(a.ptr(1), a.site)?;
        let count = env.model(a.site, |k| k.kref_read_at(kref, &text))?;
        return int(i64::from(count as u32));
    }
    int(i64::from(count_of(env, kref) as u32))
}

/// The count of a modelled object's kref (not the test's own).
fn count_of(env: &KernelEnv<'_>, kref: Addr) -> i32 {
    match env.kref_owner(kref) {
        Owner::Device(obj) | Owner::Drm(obj) | Owner::Kobject(obj, _) => env.kernel.kref_read(obj),
        Owner::KunitResource(res) => env.kernel.kunit_resource_refs(res),
        Owner::Test => 0,
    }
}
