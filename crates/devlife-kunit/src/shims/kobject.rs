//! `struct kobject` shims (lib/kobject.c).
//!
//! A device's kobject is the device: a get or put on `&dev->kobj` is
//! `get_device`/`put_device`. Any other kobject is the test's own, an object
//! of the model's (`Kernel::kobject_init_at` and friends); the shims keep
//! its `name`, `parent`, `ktype`, `kref` and state flags up to date in C.

use super::{int, ptr, void, Args, Shim};
use crate::env::KernelEnv;
use crate::format::format_c;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::value::Value;
use devlife_model::{Addr, FnRef, ObjId};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("__kobject_init", kobject_init),
    ("__kobject_init_and_add", kobject_init_and_add),
    ("kobject_add", kobject_add),
    ("kobject_del", kobject_del),
    ("kobject_get", kobject_get),
    ("kobject_name", kobject_name),
    ("kobject_put", kobject_put),
];

impl KernelEnv<'_> {
    /// The kobject parent at `addr`: none for NULL, a device for a
    /// device's kobject, or the test's own kobject.
    fn kobject_parent(&mut self, addr: Addr, a: &Args<'_>) -> Result<Option<ObjId>, Trap> {
        if addr.is_null() {
            return Ok(None);
        }
        if let Some(dev) = self.kernel.device_at(addr) {
            return Ok(Some(dev));
        }
        if let Some(k) = self.kernel.kobject_at(addr) {
            return Ok(Some(k));
        }
        Err(self.not_object(addr, "struct kobject", "kobject_add", a.site))
    }

    /// Writes the kobject's model state into its C structure.
    fn mirror_kobject(&mut self, at: Addr, a: &Args<'_>) -> Result<(), Trap> {
        let l = self.state.layouts.kobject;
        let Some(obj) = self.kernel.object_at(at) else {
            return Ok(());
        };
        let o = self.kernel.obj(obj);
        let (count, released) = (o.count, o.is_released());
        let (parent, in_sysfs) = self
            .kernel
            .kobject(obj)
            .map_or((None, false), |k| (k.parent, k.in_sysfs));
        let parent_addr = parent.map_or(0, |p| self.kernel.obj(p).addr.0);
        let name = self.kernel.obj(obj).name.clone();
        let name_addr = if in_sysfs {
            self.interned_str(&name).0
        } else {
            0
        };
        if released {
            return Ok(());
        }
        self.write_u32(at.offset_by(l.kref), count as u32, a.site)?;
        self.write_u32(at.offset_by(l.state_initialized), 1, a.site)?;
        let in_sysfs = u32::from(in_sysfs);
        self.write_u32(at.offset_by(l.state_in_sysfs), in_sysfs, a.site)?;
        self.write_u64(at.offset_by(l.parent), parent_addr, a.site)?;
        if name_addr != 0 {
            self.write_u64(at.offset_by(l.name), name_addr, a.site)?;
        }
        Ok(())
    }

    /// `ktype->release` of the `struct kobj_type` at `ktype`.
    fn ktype_release(&mut self, ktype: Addr, a: &Args<'_>) -> Result<Option<FnRef>, Trap> {
        if ktype.is_null() {
            return Ok(None);
        }
        let off = self.state.layouts.kobject.ktype_release;
        let f = self.read_u64(ktype.offset_by(off), a.site)?;
        Ok((f != 0).then_some(FnRef(f)))
    }

    fn init_kobject(
        &mut self,
        kobj: Addr,
        ktype: Addr,
        text: Addr,
        a: &Args<'_>,
    ) -> Result<(), Trap> {
        if kobj.is_null() {
            return Err(Trap::NullDeref {
                addr: devlife_c::value::Addr(0),
                site: a.site,
            });
        }
        let text = self.read_str(text, a.site)?;
        let release = self.ktype_release(ktype, a)?;
        let off = self.state.layouts.kobject.ktype;
        self.write_u64(kobj.offset_by(off), ktype.0, a.site)?;
        self.model(a.site, |k| k.kobject_init_at(kobj, release, &text))?;
        self.mirror_kobject(kobj, a)
    }

    fn add_kobject(
        &mut self,
        kobj: Addr,
        parent: Addr,
        fmt: usize,
        a: &Args<'_>,
    ) -> Result<Value, Trap> {
        let parent = self.kobject_parent(parent, a)?;
        let name = format_c(self, a.ptr(fmt), a.rest(fmt + 1), a.site)?;
        let r = self.kernel.kobject_add_at(kobj, parent, &name);
        self.mirror_kobject(kobj, a)?;
        int(i64::from(r))
    }
}

fn kobject_init(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    env.init_kobject(a.ptr(0), a.ptr(1), a.ptr(2), a)?;
    void()
}

fn kobject_add(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if a.ptr(0).is_null() {
        return int(-i64::from(devlife_model::errno::EINVAL));
    }
    env.add_kobject(a.ptr(0), a.ptr(1), 2, a)
}

fn kobject_init_and_add(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    env.init_kobject(a.ptr(0), a.ptr(1), a.ptr(2), a)?;
    env.add_kobject(a.ptr(0), a.ptr(3), 4, a)
}

fn kobject_get(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let kobj = a.ptr(0);
    if kobj.is_null() {
        return ptr(Addr::NULL);
    }
    match env.kernel.device_at(kobj) {
        Some(dev) => {
            env.model(a.site, |k| k.get_device(dev))?;
        }
        None => {
            env.model(a.site, |k| k.kobject_get_at(kobj))?;
            env.mirror_kobject(kobj, a)?;
        }
    }
    ptr(kobj)
}

fn kobject_put(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let kobj = a.ptr(0);
    if kobj.is_null() {
        return void();
    }
    match env.kernel.device_at(kobj) {
        Some(dev) => env.with_host(interp, a.site, |k, h| k.put_device(h, dev))?,
        None => {
            env.with_host(interp, a.site, |k, h| k.kobject_put_at(h, kobj))?;
            env.mirror_kobject(kobj, a)?;
        }
    }
    void()
}

fn kobject_del(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let kobj = a.ptr(0);
    if kobj.is_null() {
        return void();
    }
    env.with_host(interp, a.site, |k, h| k.kobject_del_at(h, kobj))?;
    env.mirror_kobject(kobj, a)?;
    void()
}

fn kobject_name(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let off = env.state.layouts.kobject.name;
    ptr(Addr(env.read_u64(a.ptr(0).offset_by(off), a.site)?))
}
