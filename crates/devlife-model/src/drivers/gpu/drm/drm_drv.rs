//! `struct drm_device` lifecycle (drivers/gpu/drm/drm_drv.c): init (the
//! parent reference and the drmm action that drops it), allocation (plain
//! and device-managed), minors and their class devices, register,
//! unregister, unplug, enter/exit, get/put and release.

use crate::drivers::base::core::{DevKind, DevRelease};
use crate::lib::kref::{Holder, PutOf};
use crate::mm::{Addr, AllocKind};
use crate::resource::KernelAction;
use crate::{
    errno, Body, DevId, Fault, FnRef, Host, KResult, Kernel, ObjId, ObjKind, ResId, Warning,
};

/// `DRIVER_GEM`.
pub const DRIVER_GEM: u32 = 1 << 0;
/// `DRIVER_MODESET`.
pub const DRIVER_MODESET: u32 = 1 << 1;
/// `DRIVER_RENDER`.
pub const DRIVER_RENDER: u32 = 1 << 3;
/// `DRIVER_ATOMIC`.
pub const DRIVER_ATOMIC: u32 = 1 << 4;
/// `DRIVER_COMPUTE_ACCEL` (6.12).
pub const DRIVER_COMPUTE_ACCEL: u32 = 1 << 7;

/// What the model reads of a `struct drm_driver`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrmDriver {
    /// Where the host keeps it.
    pub addr: Addr,
    /// `driver->name` (`None` prints as `(null)`).
    pub name: Option<String>,
    /// `major.minor.patchlevel`.
    pub version: (i32, i32, i32),
    /// `driver_features`.
    pub features: u32,
    /// `driver->release`, called before the drmm actions.
    pub release: Option<FnRef>,
}

/// A DRM minor's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MinorType {
    /// `cardN`, indices 0..63.
    Primary = 0,
    /// `renderDN`, indices 128..191.
    Render = 2,
    /// `accelN` (6.12).
    Accel = 32,
}

/// A `struct drm_minor`.
#[derive(Debug, Clone)]
pub struct Minor {
    /// Its type.
    pub kind: MinorType,
    /// Its index.
    pub index: u32,
    /// Its class device (`kdev`).
    pub kdev: DevId,
    /// Its drmm-allocated memory (the drmm release action's data).
    pub mem: Addr,
    /// Published for lookup (between register and unregister).
    pub registered: bool,
}

/// The model's side of a `struct drm_device`.
#[derive(Debug, Clone)]
pub struct DrmDevice {
    /// `dev->dev`: the parent, NULL once `drm_dev_init_release` ran.
    pub parent: Option<DevId>,
    /// The driver.
    pub driver: DrmDriver,
    /// The drmres list, oldest first (the kernel inserts at the head and
    /// releases head first: newest first).
    pub drmres: Vec<ResId>,
    /// `managed.final_kfree`.
    pub final_kfree: Option<Addr>,
    /// `registered`.
    pub registered: bool,
    /// `unplugged`.
    pub unplugged: bool,
    /// The minors, in allocation order.
    pub minors: Vec<Minor>,
    /// Open `drm_dev_enter` sections.
    pub enter_depth: u32,
    /// `open_count`.
    pub open_count: i32,
}

impl Kernel {
    /// `drm_core_init`: the `drm` class.
    pub(crate) fn drm_core_init(&mut self) {
        self.drm_class = Some(self.class_register("drm"));
    }

    /// The DRM device with this id.
    pub fn drm(&self, id: ObjId) -> &DrmDevice {
        match &self.obj(id).body {
            Body::Drm(d) => d,
            _ => unreachable!("object {id:?} is not a drm_device"),
        }
    }

    pub(crate) fn drm_mut(&mut self, id: ObjId) -> &mut DrmDevice {
        match &mut self.obj_mut(id).body {
            Body::Drm(d) => d,
            _ => unreachable!("object {id:?} is not a drm_device"),
        }
    }

    /// The DRM device whose `struct drm_device` is at `addr`.
    pub fn drm_at(&self, addr: Addr) -> Option<ObjId> {
        self.object_at(addr)
            .filter(|o| self.obj(*o).kind == ObjKind::DrmDevice)
    }

    /// Makes a drm_device object at `addr` (not yet initialised).
    fn drm_object(
        &mut self,
        addr: Addr,
        container: Option<crate::AllocId>,
        driver: DrmDriver,
    ) -> ObjId {
        let body = DrmDevice {
            parent: None,
            driver,
            drmres: Vec::new(),
            final_kfree: None,
            registered: false,
            unplugged: false,
            minors: Vec::new(),
            enter_depth: 0,
            open_count: 0,
        };
        let id = self.new_object(ObjKind::DrmDevice, String::new(), Body::Drm(Box::new(body)));
        self.place(id, addr, container);
        id
    }

    /// `drm_dev_init`: count 1, a reference on the parent owned by the drmm
    /// action `drm_dev_init_release` (the oldest drmres entry), the minors,
    /// and the unique name. Returns 0 or a negative errno.
    fn drm_dev_init(
        &mut self,
        host: &mut dyn Host,
        drm: ObjId,
        parent: Option<DevId>,
        creator: crate::trace::FuncName,
    ) -> KResult<i32> {
        self.traced(&"drm_dev_init", host, |k, _host| {
            let Some(parent) = parent else {
                k.warn(Warning::DrmNoParent);
                return Ok(-errno::EINVAL);
            };
            k.check_live(parent, "drm_dev_init")?;
            k.obj_mut(drm).name = format!("drm on '{}'", k.dev_name(parent));
            k.kref_init(drm, Holder::Caller(creator));
            let pref = k.kref_get(parent, Holder::Transient(&"drm_dev_init"));
            k.drm_mut(drm).parent = Some(parent);
            let features = k.drm(drm).driver.features;
            if features & DRIVER_COMPUTE_ACCEL != 0
                && features & (DRIVER_RENDER | DRIVER_MODESET) != 0
            {
                k.printk(
                    "DRM driver can't be both a compute acceleration and graphics driver".into(),
                );
                return Ok(-errno::EINVAL);
            }
            let a0 = k.drmm_add_kernel_action(drm, KernelAction::DrmDevInitRelease, 0);
            k.kref_handover(pref, Holder::Resource(a0));
            if features & DRIVER_COMPUTE_ACCEL != 0 {
                k.drm_minor_alloc(drm, MinorType::Accel);
            } else {
                if features & DRIVER_RENDER != 0 {
                    k.drm_minor_alloc(drm, MinorType::Render);
                }
                k.drm_minor_alloc(drm, MinorType::Primary);
            }
            if features & DRIVER_GEM != 0 {
                k.drmm_alloc_named(drm, 64, "drm_gem_init");
            }
            let unique = k.dev_name(parent).len() as u32 + 1;
            k.drmm_alloc_named(drm, unique, "unique");
            Ok(0)
        })
    }

    /// `drm_minor_alloc`: drmm memory for the minor, an index, the drmm
    /// action that will drop its device, and the device (count 1, not added).
    fn drm_minor_alloc(&mut self, drm: ObjId, kind: MinorType) {
        let mem = self.drmm_alloc_named(drm, 32, "minor");
        let index = self.drm_minor_index(kind);
        let a1 = self.drmm_add_kernel_action(drm, KernelAction::DrmMinorAllocRelease, mem.0);
        let size = self.layout.device_size;
        let name = match kind {
            MinorType::Primary => format!("card{index}"),
            MinorType::Render => format!("renderD{index}"),
            MinorType::Accel => format!("accel{index}"),
        };
        let kdev = self.alloc_device_container(
            DevKind::DrmMinor { drm },
            size,
            0,
            "struct device (drm minor)",
        );
        self.dev_set_name(kdev, &name);
        let r = self.device_initialize(kdev, &"drm_minor_alloc");
        self.kref_handover(r, Holder::Resource(a1));
        let parent = self.drm(drm).parent;
        let class = self.drm_class;
        let d = self.dev_mut(kdev);
        d.parent = parent;
        d.class = class;
        d.release = DevRelease::DrmSysfs;
        self.drm_mut(drm).minors.push(Minor {
            kind,
            index,
            kdev,
            mem,
            registered: false,
        });
    }

    /// The lowest free index of a minor type: 64 per type, then (6.12) the
    /// extended range from 192.
    fn drm_minor_index(&mut self, kind: MinorType) -> u32 {
        let base = 64 * kind as u32;
        let free = (base..base + 64)
            .chain(192..1 << 20)
            .find(|i| !self.drm.minors_in_use.contains(i))
            .unwrap_or(base);
        self.drm.minors_in_use.insert(free);
        free
    }

    /// `drm_minor_alloc_release`: drops the minor's device (freeing it if it
    /// was unregistered) and frees the index.
    pub(crate) fn drm_minor_alloc_release(
        &mut self,
        host: &mut dyn Host,
        drm: ObjId,
        mem: u64,
        res: ResId,
    ) -> KResult<()> {
        let Some(pos) = self.drm(drm).minors.iter().position(|m| m.mem.0 == mem) else {
            return Ok(());
        };
        let minor = self.drm_mut(drm).minors.remove(pos);
        let which = self
            .ref_held_by(minor.kdev, Holder::Resource(res))
            .map_or(PutOf::NewestCaller, PutOf::Ref);
        self.put_device_as(host, minor.kdev, which)?;
        self.drm.minors_in_use.remove(&minor.index);
        Ok(())
    }

    /// A drm_device whose init failed is freed with its memory (the kernel
    /// kfree()s it, reference and all): the object ends here.
    /// Modelled as its initial reference going with the memory.
    fn drm_init_failed(&mut self, drm: ObjId) {
        if self.obj(drm).count > 0 {
            self.kref_put(drm, PutOf::OldestCaller);
        }
        let at = self.log.next_id();
        self.obj_mut(drm).released = Some(at);
        let site = self.site;
        self.log.push(site, crate::EventKind::Released(drm));
    }

    /// `drm_dev_init_release`: drops the parent reference and clears `dev->dev`.
    pub(crate) fn drm_dev_init_release(
        &mut self,
        host: &mut dyn Host,
        drm: ObjId,
        res: ResId,
    ) -> KResult<()> {
        let Some(parent) = self.drm_mut(drm).parent.take() else {
            return Ok(());
        };
        let which = self
            .ref_held_by(parent, Holder::Resource(res))
            .map_or(PutOf::NewestCaller, PutOf::Ref);
        self.put_device_as(host, parent, which)
    }

    /// `drm_dev_alloc`: a drm_device whose initial reference the caller owns
    /// (and must drop with `drm_dev_put`). Returns it or a negative errno.
    pub fn drm_dev_alloc(
        &mut self,
        host: &mut dyn Host,
        driver: DrmDriver,
        parent: Option<DevId>,
    ) -> KResult<Result<ObjId, i32>> {
        self.traced(&"drm_dev_alloc", host, |k, host| {
            let size = k.layout.drm_device_size;
            let mem = k.kmalloc(size, AllocKind::Object, "drm_device (drm_dev_alloc)");
            let drm = k.drm_object(mem, Some(mem.alloc()), driver);
            let err = k.drm_dev_init(host, drm, parent, &"drm_dev_alloc")?;
            if err != 0 {
                k.drm_init_failed(drm);
                k.kfree(mem)?;
                return Ok(Err(err));
            }
            k.drm_mut(drm).final_kfree = Some(mem);
            Ok(Ok(drm))
        })
    }

    /// `__devm_drm_dev_alloc`: a driver structure of `size` bytes embedding
    /// the drm_device at `offset`; its initial reference belongs to a devm
    /// action on the parent. Returns the drm_device or a negative errno.
    pub fn devm_drm_dev_alloc(
        &mut self,
        host: &mut dyn Host,
        parent: DevId,
        driver: DrmDriver,
        size: u32,
        offset: u32,
    ) -> KResult<Result<ObjId, i32>> {
        self.traced(&"__devm_drm_dev_alloc", host, |k, host| {
            let container = k.kmalloc(
                size.max(offset + 1),
                AllocKind::Object,
                "drm driver structure (devm_drm_dev_alloc)",
            );
            let at = container.offset_by(i64::from(offset));
            let drm = k.drm_object(at, Some(container.alloc()), driver);
            let err = k.drm_dev_init(host, drm, Some(parent), &"devm_drm_dev_alloc")?;
            if err != 0 {
                k.drm_init_failed(drm);
                k.kfree(container)?;
                return Ok(Err(err));
            }
            let d0 = k.devm_add_kernel_action(parent, KernelAction::DevmDrmDevInitRelease, at.0);
            let initial = k.obj(drm).refs[0];
            k.kref_handover(initial, Holder::Resource(d0));
            k.drm_mut(drm).final_kfree = Some(container);
            Ok(Ok(drm))
        })
    }

    /// `drm_dev_register`: adds the minors' devices under the parent (each
    /// takes a parent reference, and the class glue directory one more).
    pub fn drm_dev_register(
        &mut self,
        host: &mut dyn Host,
        drm: ObjId,
        _flags: u64,
    ) -> KResult<i32> {
        self.check_live(drm, "drm_dev_register")?;
        self.traced(&"drm_dev_register", host, |k, host| {
            if k.drm(drm).final_kfree.is_none() {
                k.warn(Warning::DrmNoFinalKfree(drm));
            }
            for kind in [MinorType::Render, MinorType::Primary, MinorType::Accel] {
                let err = k.drm_minor_register(host, drm, kind)?;
                if err != 0 {
                    k.drm_mut(drm).unplugged = true;
                    k.drm_minors_unregister(host, drm)?;
                    return Ok(err);
                }
            }
            let d = k.drm_mut(drm);
            d.registered = true;
            d.unplugged = false;
            k.drm_print_initialized(drm);
            Ok(0)
        })
    }

    fn drm_print_initialized(&mut self, drm: ObjId) {
        let d = self.drm(drm);
        let name = d.driver.name.clone().unwrap_or_else(|| "(null)".into());
        let (maj, min, patch) = d.driver.version;
        let parent = d.parent.map_or_else(
            || "virtual device".to_string(),
            |p| self.dev_name(p).to_string(),
        );
        let index = d
            .minors
            .iter()
            .find(|m| m.kind != MinorType::Render)
            .map_or(0, |m| m.index);
        self.printk(format!(
            "[drm] Initialized {name} {maj}.{min}.{patch} for {parent} on minor {index}"
        ));
    }

    fn drm_minor_register(
        &mut self,
        host: &mut dyn Host,
        drm: ObjId,
        kind: MinorType,
    ) -> KResult<i32> {
        let Some(pos) = self.drm(drm).minors.iter().position(|m| m.kind == kind) else {
            return Ok(0);
        };
        let kdev = self.drm(drm).minors[pos].kdev;
        let err = self.device_add(host, kdev)?;
        if err == 0 {
            self.drm_mut(drm).minors[pos].registered = true;
        }
        Ok(err)
    }

    /// Unregisters the minors: accel, primary, then render.
    fn drm_minors_unregister(&mut self, host: &mut dyn Host, drm: ObjId) -> KResult<()> {
        for kind in [MinorType::Accel, MinorType::Primary, MinorType::Render] {
            let Some(pos) = self.drm(drm).minors.iter().position(|m| m.kind == kind) else {
                continue;
            };
            let kdev = self.drm(drm).minors[pos].kdev;
            self.drm_mut(drm).minors[pos].registered = false;
            if self.dev(kdev).in_sysfs {
                self.device_del(host, kdev)?;
            }
        }
        Ok(())
    }

    /// `drm_dev_unregister`: deletes the minors' devices; no drm reference changes.
    pub fn drm_dev_unregister(&mut self, host: &mut dyn Host, drm: ObjId) -> KResult<()> {
        self.check_live(drm, "drm_dev_unregister")?;
        self.traced(&"drm_dev_unregister", host, |k, host| {
            k.drm_mut(drm).registered = false;
            k.drm_minors_unregister(host, drm)
        })
    }

    /// `drm_dev_unplug`: marks the device unplugged (`drm_dev_enter` fails
    /// from now on), then unregisters it. Inside an enter section the kernel
    /// would deadlock.
    pub fn drm_dev_unplug(&mut self, host: &mut dyn Host, drm: ObjId) -> KResult<()> {
        self.check_live(drm, "drm_dev_unplug")?;
        if self.drm(drm).enter_depth > 0 {
            return Err(self.fault(Fault::Deadlock {
                api: "drm_dev_unplug inside drm_dev_enter",
            }));
        }
        self.traced(&"drm_dev_unplug", host, |k, host| {
            k.drm_mut(drm).unplugged = true;
            k.drm_dev_unregister(host, drm)
        })
    }

    /// `drm_dev_enter`: false once the device is unplugged.
    pub fn drm_dev_enter(&mut self, drm: ObjId) -> KResult<bool> {
        self.check_live(drm, "drm_dev_enter")?;
        if self.drm(drm).unplugged {
            return Ok(false);
        }
        self.drm_mut(drm).enter_depth += 1;
        Ok(true)
    }

    /// `drm_dev_exit`.
    pub fn drm_dev_exit(&mut self, drm: ObjId) {
        let d = self.drm_mut(drm);
        d.enter_depth = d.enter_depth.saturating_sub(1);
    }

    /// `drm_dev_is_unplugged`.
    pub fn drm_dev_is_unplugged(&self, drm: ObjId) -> bool {
        self.drm(drm).unplugged
    }

    /// `drm_dev_get`.
    pub fn drm_dev_get(&mut self, drm: ObjId) -> KResult<()> {
        self.check_live(drm, "drm_dev_get")?;
        self.kref_get(drm, Holder::Caller(&"drm_dev_get"));
        Ok(())
    }

    /// `drm_dev_put`: at zero, `drm_dev_release` runs.
    pub fn drm_dev_put(&mut self, host: &mut dyn Host, drm: ObjId) -> KResult<()> {
        self.check_live(drm, "drm_dev_put")?;
        self.traced(&"drm_dev_put", host, |k, host| {
            k.drm_dev_put_as(host, drm, PutOf::NewestCaller)
        })
    }

    pub(crate) fn drm_dev_put_as(
        &mut self,
        host: &mut dyn Host,
        drm: ObjId,
        which: PutOf,
    ) -> KResult<()> {
        if self.kref_put(drm, which) {
            self.nested(host, |k, host| k.drm_dev_release(host, drm))?;
        }
        Ok(())
    }

    /// `drm_dev_release`: the driver's release, then every drmm entry newest
    /// first, then the container.
    fn drm_dev_release(&mut self, host: &mut dyn Host, drm: ObjId) -> KResult<()> {
        let at = self.log.next_id();
        self.obj_mut(drm).released = Some(at);
        let site = self.site;
        self.log.push(site, crate::EventKind::Released(drm));
        self.traced(&"drm_dev_release", host, |k, host| {
            if let Some(release) = k.drm(drm).driver.release {
                let addr = k.obj(drm).addr.0;
                k.callback(host, release, &[addr])?;
            }
            k.drm_managed_release(host, drm)?;
            if let Some(c) = k.drm(drm).final_kfree {
                k.kfree(c)?;
            }
            Ok(())
        })
    }
}
