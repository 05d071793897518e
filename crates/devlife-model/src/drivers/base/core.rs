//! `struct device` lifecycle (drivers/base/core.c): initialize, add, del,
//! release, parents and their references, class glue directories, and root
//! devices.

use crate::drivers::base::bus::BusId;
use crate::drivers::base::class::ClassId;
use crate::drivers::base::driver::DrvId;
use crate::lib::kref::{Holder, PutOf, RefId};
use crate::mm::{Addr, AllocId, AllocKind};
use crate::{
    errno, Body, DevId, EventKind, Fault, FnRef, Host, KResult, Kernel, ObjId, ObjKind, ResId,
    Switch, Warning,
};

/// Which function frees a device when its last reference goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevRelease {
    /// None set: the kernel warns and the container leaks.
    None,
    /// `root_device_release`: frees the root device container.
    Root,
    /// `platform_device_release`: frees the platform object.
    Platform,
    /// `kunit_device_release`: frees the kunit_device container.
    KunitDevice,
    /// `drm_sysfs_release`: frees a DRM minor's device.
    DrmSysfs,
    /// Host code (`dev->release` set by the test).
    User(FnRef),
}

/// What kind of device it is (who created it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevKind {
    /// A device the host initialised itself.
    Plain,
    /// A root device (`root_device_register`).
    Root,
    /// A platform device.
    Platform {
        /// The platform name (`pdev->name`).
        name: String,
        /// The platform id (`PLATFORM_DEVID_NONE` = -1).
        id: i32,
    },
    /// A `kunit_device`.
    Kunit {
        /// The test that owns it.
        test: ObjId,
        /// The driver `kunit_device_register` created for it, if any.
        owned_driver: Option<DrvId>,
    },
    /// A DRM minor's `kdev`.
    DrmMinor {
        /// The drm_device.
        drm: ObjId,
    },
    /// A bus's root device (`platform`, `kunit`).
    BusRoot,
}

/// The state of one `struct device` (and its `device_private`).
#[derive(Debug, Clone)]
pub struct Device {
    /// Who created it.
    pub kind: DevKind,
    /// `dev->parent` (a plain pointer; `device_add` takes the reference).
    pub parent: Option<DevId>,
    /// `dev->bus`.
    pub bus: Option<BusId>,
    /// `dev->class`.
    pub class: Option<ClassId>,
    /// `dev->driver`: the bound driver.
    pub driver: Option<DrvId>,
    /// `dev->driver_data`.
    pub drvdata: u64,
    /// The release function that will run.
    pub release: DevRelease,
    /// `dev->p` exists: `device_add` succeeded and the device is not yet released.
    pub added: bool,
    /// Registered in sysfs (between `device_add` and `device_del`).
    pub in_sysfs: bool,
    /// `p->dead`: set by `device_del`; the device refuses probing.
    pub dead: bool,
    /// The devres list, oldest first.
    pub devres: Vec<ResId>,
    /// The kobject parent chosen by `device_add` (the parent device or a glue directory).
    pub kobj_parent: Option<ObjId>,
    /// References the device's list nodes and links hold.
    pub links: DevLinks,
    /// Registered children, oldest first.
    pub children: Vec<DevId>,
    /// Class glue directories under this device.
    pub glue_dirs: Vec<ObjId>,
    /// `dev->platform_data` the kernel copied (`platform_device_add_data`),
    /// freed by `platform_device_release`.
    pub platform_data: Option<AllocId>,
}

/// The references a registered device's list nodes and links hold.
#[derive(Debug, Clone, Default)]
pub struct DevLinks {
    /// On this device: its node in the parent's children list.
    pub children_node: Option<RefId>,
    /// On this device: its node in the bus's device list.
    pub bus_node: Option<RefId>,
    /// On this device: its node in the class's device list.
    pub class_node: Option<RefId>,
    /// On the parent: taken by `device_add`.
    pub parent: Option<RefId>,
    /// On the kobject parent: the sysfs link.
    pub kobj_parent: Option<RefId>,
    /// On the glue directory: the reference `get_device_parent` returned.
    pub glue: Option<RefId>,
}

impl Device {
    fn new(kind: DevKind) -> Self {
        Self {
            kind,
            parent: None,
            bus: None,
            class: None,
            driver: None,
            drvdata: 0,
            release: DevRelease::None,
            added: false,
            in_sysfs: false,
            dead: false,
            devres: Vec::new(),
            kobj_parent: None,
            links: DevLinks::default(),
            children: Vec::new(),
            glue_dirs: Vec::new(),
            platform_data: None,
        }
    }
}

/// A class glue directory: a kobject named after a class, between a class-less
/// parent and the class devices under it. It holds a reference on the parent.
#[derive(Debug, Clone)]
pub struct GlueDir {
    /// The device it sits under.
    pub parent: DevId,
    /// The class it groups.
    pub class: ClassId,
    /// Children currently in it.
    pub children: u32,
    /// Its sysfs link's reference on the parent.
    pub parent_ref: Option<RefId>,
}

/// Where the device's sysfs directory lives, for name uniqueness.
const SYSFS_ROOT: u32 = u32::MAX;

impl Kernel {
    /// The device with this id.
    pub fn dev(&self, id: DevId) -> &Device {
        match &self.obj(id).body {
            Body::Device(d) => d,
            _ => unreachable!("object {id:?} is not a device"),
        }
    }

    pub(crate) fn dev_mut(&mut self, id: DevId) -> &mut Device {
        match &mut self.obj_mut(id).body {
            Body::Device(d) => d,
            _ => unreachable!("object {id:?} is not a device"),
        }
    }

    /// The device whose `struct device` is at `addr`, if any.
    pub fn device_at(&self, addr: Addr) -> Option<DevId> {
        self.object_at(addr)
            .filter(|id| self.obj(*id).kind == ObjKind::Device)
    }

    /// The device's name (`dev_name`).
    pub fn dev_name(&self, dev: DevId) -> &str {
        &self.obj(dev).name
    }

    /// Fails with a use-after-free fault if `obj` was already released.
    pub(crate) fn check_live(&mut self, obj: ObjId, api: &'static str) -> KResult<()> {
        match self.obj(obj).released {
            Some(released) => Err(self.fault(Fault::UseAfterRelease { obj, api, released })),
            None => Ok(()),
        }
    }

    /// Creates a device object with no reference yet, at `addr`.
    pub(crate) fn alloc_device(
        &mut self,
        kind: DevKind,
        addr: Addr,
        container: Option<AllocId>,
    ) -> DevId {
        let id = self.new_object(
            ObjKind::Device,
            String::new(),
            Body::Device(Box::new(Device::new(kind))),
        );
        self.place(id, addr, container);
        id
    }

    /// Allocates a zeroed container of `size` bytes for a device the model
    /// creates, with its `struct device` at `dev_offset`.
    pub(crate) fn alloc_device_container(
        &mut self,
        kind: DevKind,
        size: u32,
        dev_offset: u32,
        label: &'static str,
    ) -> DevId {
        let base = self.kmalloc(size, AllocKind::Object, label);
        self.alloc_device(
            kind,
            base.offset_by(i64::from(dev_offset)),
            Some(base.alloc()),
        )
    }

    /// `device_initialize`: the device's first reference, held by its creator.
    /// Initialising a device twice resets its count to 1, with the kernel's message.
    pub fn device_initialize(&mut self, dev: DevId, creator: crate::trace::FuncName) -> RefId {
        if self.obj(dev).count != 0 {
            self.warn(Warning::KobjectReinit(dev));
        }
        self.dev_mut(dev).devres.clear();
        self.kref_init(dev, Holder::Caller(creator))
    }

    /// `device_initialize` on a `struct device` the host owns at `addr`.
    pub fn device_initialize_at(&mut self, addr: Addr) -> DevId {
        let dev = match self.device_at(addr) {
            Some(dev) if !self.obj(dev).is_released() => dev,
            _ => self.alloc_device(DevKind::Plain, addr, None),
        };
        self.device_initialize(dev, &"device_initialize");
        dev
    }

    /// `dev_set_name`.
    pub fn dev_set_name(&mut self, dev: DevId, name: &str) {
        self.obj_mut(dev).name = name.replace('/', "!");
    }

    /// Sets `dev->parent` (before `device_add`).
    pub fn set_parent(&mut self, dev: DevId, parent: Option<DevId>) {
        self.dev_mut(dev).parent = parent;
    }

    /// Sets `dev->release` to a host function.
    pub fn set_release(&mut self, dev: DevId, release: DevRelease) {
        self.dev_mut(dev).release = release;
    }

    /// `get_device`: a reference for the caller.
    pub fn get_device(&mut self, dev: DevId) -> KResult<RefId> {
        self.check_live(dev, "get_device")?;
        Ok(self.kref_get(dev, Holder::Caller(&"get_device")))
    }

    /// `put_device`: returns the caller's newest reference.
    pub fn put_device(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.check_live(dev, "put_device")?;
        self.traced(&"put_device", host, |k, host| {
            k.put_device_as(host, dev, PutOf::NewestCaller)
        })
    }

    /// Drops a reference on a device and releases it at zero.
    pub(crate) fn put_device_as(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        which: PutOf,
    ) -> KResult<()> {
        if self.kref_put(dev, which) {
            self.nested(host, |k, host| k.kobject_release(host, dev))?;
        }
        Ok(())
    }

    /// `kobject_cleanup` for a device: `device_release`, then the postponed
    /// drop of the kobject parent if it was still in sysfs.
    fn kobject_release(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        let at = self.log.next_id();
        self.obj_mut(dev).released = Some(at);
        let site = self.site;
        self.log.push(site, EventKind::Released(dev));
        let postponed = if self.dev(dev).in_sysfs {
            self.kobject_del(dev)
        } else {
            None
        };
        self.traced(&"device_release", host, |k, host| {
            k.device_release(host, dev)
        })?;
        if let Some((parent, r)) = postponed {
            self.kobject_put(host, parent, r)?;
        }
        Ok(())
    }

    /// `device_release`: devres, then the winning release callback, then `p`.
    fn device_release(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.devres_release_all(host, dev)?;
        let release = self.dev(dev).release;
        let addr = self.obj(dev).addr;
        match release {
            DevRelease::None => self.warn(Warning::NoReleaseFunction(dev)),
            DevRelease::User(f) => {
                self.callback(host, f, &[addr.0])?;
            }
            DevRelease::Platform => {
                if let Some(data) = self.dev_mut(dev).platform_data.take() {
                    self.kfree(Addr::new(data, 0))?;
                }
                if let Some(c) = self.obj(dev).container {
                    self.kfree(Addr::new(c, 0))?;
                }
            }
            DevRelease::Root | DevRelease::KunitDevice | DevRelease::DrmSysfs => {
                if let Some(c) = self.obj(dev).container {
                    self.kfree(Addr::new(c, 0))?;
                }
            }
        }
        self.dev_mut(dev).added = false;
        Ok(())
    }

    /// `device_add`: names the device, links it under its parent (directly or
    /// through a class glue directory), puts it on its bus and class lists and
    /// probes drivers. Returns 0 or a negative errno.
    pub fn device_add(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<i32> {
        self.check_live(dev, "device_add")?;
        self.traced(&"device_add", host, |k, host| k.device_add_inner(host, dev))
    }

    fn device_add_inner(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<i32> {
        let hold = self.kref_get(dev, Holder::Transient(&"device_add"));
        let ret = self.device_add_steps(host, dev)?;
        self.put_device_as(host, dev, PutOf::Ref(hold))?;
        Ok(ret)
    }

    fn device_add_steps(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<i32> {
        if self.obj(dev).name.is_empty() {
            return Ok(-errno::EINVAL);
        }
        let parent = self.dev(dev).parent;
        if let Some(p) = parent {
            self.check_live(p, "device_add")?;
            let r = self.kref_get(p, Holder::Child { child: dev });
            self.dev_mut(dev).links.parent = Some(r);
        }
        let kparent = self.get_device_parent(dev, parent);
        if let Err(e) = self.kobject_add(dev, kparent) {
            self.device_add_unwind(host, dev, kparent)?;
            return Ok(e);
        }
        self.dev_mut(dev).added = true;
        self.bus_add_device(dev);
        self.bus_probe_device(host, dev)?;
        if let Some(p) = parent {
            let r = self.kref_get(dev, Holder::ChildrenList { parent: p });
            self.dev_mut(dev).links.children_node = Some(r);
            self.dev_mut(p).children.push(dev);
        }
        if let Some(class) = self.dev(dev).class {
            let r = self.kref_get(dev, Holder::ClassList { class });
            self.dev_mut(dev).links.class_node = Some(r);
        }
        Ok(0)
    }

    /// Undoes a failed `device_add` after its sysfs step: the glue directory
    /// and the parent reference.
    fn device_add_unwind(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        kparent: Option<ObjId>,
    ) -> KResult<()> {
        if let Some(g) = kparent.filter(|g| self.obj(*g).kind == ObjKind::GlueDir) {
            self.cleanup_glue_dir(host, dev, g)?;
        }
        if let (Some(p), Some(r)) = (self.dev(dev).parent, self.dev_mut(dev).links.parent.take()) {
            self.put_device_as(host, p, PutOf::Ref(r))?;
        }
        Ok(())
    }

    /// `get_device_parent`: the kobject a device's directory goes under. A
    /// class device under a class-less parent goes into the class's glue
    /// directory there, created on first use (taking a reference on the parent).
    fn get_device_parent(&mut self, dev: DevId, parent: Option<DevId>) -> Option<ObjId> {
        let class = self.dev(dev).class;
        let Some(class) = class else {
            return parent;
        };
        let parent = parent?;
        if self.dev(parent).class.is_some() {
            return Some(parent);
        }
        let existing = self
            .dev(parent)
            .glue_dirs
            .iter()
            .copied()
            .find(|g| self.glue(*g).class == class);
        let glue = match existing {
            Some(g) => {
                let r = self.kref_get(g, Holder::Child { child: dev });
                self.dev_mut(dev).links.glue = Some(r);
                g
            }
            None => {
                let g = self.class_dir_create_and_add(class, parent);
                let r = self.obj(g).refs[0];
                self.kref_handover(r, Holder::Child { child: dev });
                self.dev_mut(dev).links.glue = Some(r);
                g
            }
        };
        self.glue_mut(glue).children += 1;
        Some(glue)
    }

    /// `class_dir_create_and_add`: a new glue directory under `parent`.
    fn class_dir_create_and_add(&mut self, class: ClassId, parent: DevId) -> ObjId {
        let name = self.class(class).name.clone();
        let glue = GlueDir {
            parent,
            class,
            children: 0,
            parent_ref: None,
        };
        let g = self.new_object(ObjKind::GlueDir, name, Body::Glue(glue));
        self.kref_init(g, Holder::Transient(&"get_device_parent"));
        let r = self.kref_get(parent, Holder::KobjectParent { child: g });
        self.glue_mut(g).parent_ref = Some(r);
        self.dev_mut(parent).glue_dirs.push(g);
        g
    }

    /// The glue directory with this id.
    pub fn glue(&self, id: ObjId) -> &GlueDir {
        match &self.obj(id).body {
            Body::Glue(g) => g,
            _ => unreachable!("object {id:?} is not a glue dir"),
        }
    }

    fn glue_mut(&mut self, id: ObjId) -> &mut GlueDir {
        match &mut self.obj_mut(id).body {
            Body::Glue(g) => g,
            _ => unreachable!("object {id:?} is not a glue dir"),
        }
    }

    /// `cleanup_glue_dir`: a device left glue dir `g`; the directory goes away
    /// (dropping its reference on the parent) when its last child left.
    fn cleanup_glue_dir(&mut self, host: &mut dyn Host, dev: DevId, g: ObjId) -> KResult<()> {
        self.glue_mut(g).children -= 1;
        if self.glue(g).children == 0 && self.obj(g).count == 1 {
            self.glue_del(host, g)?;
        }
        let r = self.dev_mut(dev).links.glue.take();
        self.glue_put(host, g, r.map_or(PutOf::NewestCaller, PutOf::Ref))
    }

    fn glue_del(&mut self, host: &mut dyn Host, g: ObjId) -> KResult<()> {
        let parent = self.glue(g).parent;
        self.dev_mut(parent).glue_dirs.retain(|x| *x != g);
        if let Some(r) = self.glue_mut(g).parent_ref.take() {
            self.put_device_as(host, parent, PutOf::Ref(r))?;
        }
        Ok(())
    }

    fn glue_put(&mut self, host: &mut dyn Host, g: ObjId, which: PutOf) -> KResult<()> {
        if self.kref_put(g, which) {
            let at = self.log.next_id();
            self.obj_mut(g).released = Some(at);
            let site = self.site;
            self.log.push(site, EventKind::Released(g));
            if self.glue(g).parent_ref.is_some() {
                self.nested(host, |k, host| k.glue_del(host, g))?;
            }
        }
        Ok(())
    }

    /// Drops a reference on a kobject parent (a device, a glue directory or
    /// the caller's own kobject).
    pub(crate) fn kobject_put(&mut self, host: &mut dyn Host, obj: ObjId, r: RefId) -> KResult<()> {
        match self.obj(obj).kind {
            ObjKind::GlueDir => self.glue_put(host, obj, PutOf::Ref(r)),
            ObjKind::Kobject => self.kobject_put_as(host, obj, PutOf::Ref(r)),
            _ => self.put_device_as(host, obj, PutOf::Ref(r)),
        }
    }

    /// `kobject_add` for a device: sysfs name check, then the link to the
    /// kobject parent. Returns the errno on a duplicate name.
    fn kobject_add(&mut self, dev: DevId, kparent: Option<ObjId>) -> Result<(), i32> {
        let dir = kparent.map_or(SYSFS_ROOT, |p| p.0);
        let name = self.obj(dev).name.clone();
        if self
            .sysfs
            .get(&dir)
            .is_some_and(|names| names.contains_key(&name))
        {
            let path = self.sysfs_dup_path(kparent, &name, true);
            self.warn(Warning::DuplicateName { path });
            return Err(-errno::EEXIST);
        }
        if let Some(p) = kparent {
            let r = self.kref_get(p, Holder::KobjectParent { child: dev });
            self.dev_mut(dev).links.kobj_parent = Some(r);
        }
        self.sysfs.entry(dir).or_default().insert(name, dev);
        let d = self.dev_mut(dev);
        d.kobj_parent = kparent;
        d.in_sysfs = true;
        Ok(())
    }

    /// The path `sysfs_warn_dup()` prints for a directory named `name`
    /// under `kparent`: the parent directory's path as the kernel's
    /// `PATH_MAX` buffer holds it (cut at 4,095 bytes), then `/name`.
    /// Devices live under `/devices` (`in_devices`, or an ancestor that is a
    /// device); a kobject tree of the caller's own starts at the top.
    pub(crate) fn sysfs_dup_path(
        &self,
        kparent: Option<ObjId>,
        name: &str,
        in_devices: bool,
    ) -> String {
        const PATH_MAX: usize = 4096;
        let mut ancestors = Vec::new();
        let mut under_devices = in_devices;
        let mut cur = kparent;
        while let Some(p) = cur {
            ancestors.push(self.obj(p).name.as_str());
            cur = match &self.obj(p).body {
                Body::Device(d) => {
                    under_devices = true;
                    d.kobj_parent
                }
                Body::Glue(g) => {
                    under_devices = true;
                    Some(g.parent)
                }
                Body::Kobject(k) => k.parent,
                _ => None,
            };
        }
        let mut dir = String::from(if under_devices { "/devices" } else { "" });
        for a in ancestors.iter().rev() {
            if dir.len() >= PATH_MAX - 1 {
                break;
            }
            dir.push('/');
            dir.push_str(a);
        }
        if dir.len() >= PATH_MAX {
            dir.truncate(dir.floor_char_boundary(PATH_MAX - 1));
        }
        format!("{dir}/{name}")
    }

    /// Removes `obj`'s directory from the sysfs directory `dir`.
    pub(crate) fn sysfs_remove(&mut self, dir: u32, obj: ObjId) {
        let name = &self.objects[obj.0 as usize].name;
        if let Some(names) = self.sysfs.get_mut(&dir) {
            if names.get(name) == Some(&obj) {
                names.remove(name);
            }
        }
    }

    /// `kobject_del` for a device: leaves sysfs; returns the kobject-parent
    /// reference for the caller to drop.
    fn kobject_del(&mut self, dev: DevId) -> Option<(ObjId, RefId)> {
        let dir = self.dev(dev).kobj_parent.map_or(SYSFS_ROOT, |p| p.0);
        self.sysfs_remove(dir, dev);
        let d = self.dev_mut(dev);
        d.in_sysfs = false;
        let parent = d.kobj_parent.take()?;
        let r = d.links.kobj_parent.take()?;
        Some((parent, r))
    }

    /// `device_del`: unlinks a registered device: children list, class list,
    /// bus (unbinding its driver), devres (since v6.6), sysfs, glue directory,
    /// and the parent reference. The caller's own reference stays.
    pub fn device_del(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.check_live(dev, "device_del")?;
        self.traced(&"device_del", host, |k, host| k.device_del_inner(host, dev))
    }

    fn device_del_inner(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        if !self.dev(dev).added {
            return Err(self.fault(Fault::NullDeref { api: "device_del" }));
        }
        self.dev_mut(dev).dead = true;
        let parent = self.dev(dev).parent;
        if let (Some(p), Some(r)) = (parent, self.dev_mut(dev).links.children_node.take()) {
            self.dev_mut(p).children.retain(|c| *c != dev);
            self.put_device_as(host, dev, PutOf::Ref(r))?;
        }
        if let Some(r) = self.dev_mut(dev).links.class_node.take() {
            self.put_device_as(host, dev, PutOf::Ref(r))?;
        }
        self.bus_remove_device(host, dev)?;
        if self.profile.has(Switch::DeviceDelReleasesDevres) {
            self.devres_release_all(host, dev)?;
        }
        if let Some((kp, r)) = self.kobject_del(dev) {
            self.kobject_put(host, kp, r)?;
            if self.obj(kp).kind == ObjKind::GlueDir {
                self.cleanup_glue_dir(host, dev, kp)?;
            }
        }
        if let (Some(p), Some(r)) = (parent, self.dev_mut(dev).links.parent.take()) {
            self.put_device_as(host, p, PutOf::Ref(r))?;
        }
        Ok(())
    }

    /// `device_register`: `device_initialize` + `device_add`.
    pub fn device_register(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<i32> {
        self.device_initialize(dev, &"device_register");
        self.device_add(host, dev)
    }

    /// `device_unregister`: `device_del`, then the creator's reference goes.
    pub fn device_unregister(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.check_live(dev, "device_unregister")?;
        self.traced(&"device_unregister", host, |k, host| {
            k.device_del_inner(host, dev)?;
            k.put_device_as(host, dev, PutOf::OldestCaller)
        })
    }

    /// `root_device_register`: a parent-less, bus-less device with count 1.
    /// Returns the device or a negative errno (`ERR_PTR`).
    pub fn root_device_register(
        &mut self,
        host: &mut dyn Host,
        name: &str,
    ) -> KResult<Result<DevId, i32>> {
        self.traced(&"root_device_register", host, |k, host| {
            let size = k.layout.root_device_size;
            let dev = k.alloc_device_container(DevKind::Root, size, 0, "struct root_device");
            k.dev_set_name(dev, name);
            k.dev_mut(dev).release = DevRelease::Root;
            k.device_initialize(dev, &"root_device_register");
            let err = k.device_add_inner(host, dev)?;
            if err != 0 {
                k.put_device_as(host, dev, PutOf::OldestCaller)?;
                return Ok(Err(err));
            }
            Ok(Ok(dev))
        })
    }

    /// `root_device_unregister`.
    pub fn root_device_unregister(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.check_live(dev, "root_device_unregister")?;
        self.traced(&"root_device_unregister", host, |k, host| {
            k.device_del_inner(host, dev)?;
            k.put_device_as(host, dev, PutOf::OldestCaller)
        })
    }

    /// A bus's own root device, created at boot (`platform`, `kunit`).
    pub(crate) fn bus_root_device(&mut self, host: &mut dyn Host, name: &str) -> DevId {
        let size = self.layout.root_device_size;
        let dev = self.alloc_device_container(DevKind::BusRoot, size, 0, "struct root_device");
        self.dev_set_name(dev, name);
        self.dev_mut(dev).release = DevRelease::Root;
        self.device_initialize(dev, &"boot");
        let ok = self.device_add_inner(host, dev);
        debug_assert!(matches!(ok, Ok(0)));
        dev
    }

    /// Whether `obj` is a device whose release has not run.
    pub fn device_is_live(&self, dev: DevId) -> bool {
        self.obj(dev).kind == ObjKind::Device && !self.obj(dev).is_released()
    }
}
