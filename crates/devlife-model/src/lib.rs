//! devlife's executable model of Linux device-model object lifetimes.
//!
//! The modelled kernel is one value, [`Kernel`]: its objects (devices, class
//! glue directories, DRM devices, KUnit tests), their reference counts with
//! holder attribution, the managed-resource lists (devres, drmres, KUnit
//! resources), buses, drivers, classes, memory, and an [`trace::EventLog`] of
//! everything that happened.
//!
//! The modules mirror the kernel's files, so `device_del()` is modelled in
//! [`drivers::base::core`], `really_probe()` in [`drivers::base::dd`],
//! `drm_dev_register()` in [`drivers::gpu::drm::drm_drv`], and so on. Model
//! functions keep the kernel's names and are methods on [`Kernel`].
//!
//! Architecture invariant: this crate knows nothing of C. User code (probe
//! callbacks, devm/drmm/KUnit actions) is reached through the [`host::Host`]
//! trait, which may re-enter the model.

pub mod drivers;
pub mod host;
pub mod kunit;
#[path = "lib/mod.rs"]
pub mod lib;
pub mod mm;
pub mod names;
pub mod profile;
pub mod trace;

mod inspect;
mod object;
mod resource;
mod warning;

pub use host::{FnRef, Host, RustHost};
pub use lib::kref::{Holder, RefId, Reference};
pub use mm::{Addr, AllocId, AllocKind};
pub use names::{IntoName, NameId};
pub use object::{Body, ObjId, ObjKind, Object};
pub use profile::{Profile, Switch};
pub use resource::{Action, KernelAction, ResId, ResKind, ResList, ResState, Resource};
pub use trace::{Event, EventKind, EventLog, Site, Step};
pub use warning::{Abort, Fault, Warning};

pub use drivers::base::bus::BusId;
pub use drivers::base::class::ClassId;
pub use drivers::base::driver::DrvId;

use drivers::base::bus::Bus;
use drivers::base::class::Class;
use drivers::base::driver::Driver;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeSet;

/// A device's id: the [`ObjId`] of its `struct device`.
pub type DevId = ObjId;

/// The result of a model call that may run host callbacks.
pub type KResult<T> = Result<T, Abort>;

/// Kernel errno values the model returns (as negative numbers).
pub mod errno {
    /// Out of memory.
    pub const ENOMEM: i32 = 12;
    /// Device or resource busy.
    pub const EBUSY: i32 = 16;
    /// File exists.
    pub const EEXIST: i32 = 17;
    /// No such device.
    pub const ENODEV: i32 = 19;
    /// Invalid argument.
    pub const EINVAL: i32 = 22;
    /// No such entry.
    pub const ENOENT: i32 = 2;
    /// No such device or address.
    pub const ENXIO: i32 = 6;
    /// Probe deferral.
    pub const EPROBE_DEFER: i32 = 517;
}

/// Sizes and offsets of the kernel structures the model allocates itself.
///
/// A host whose code reads these structures (the C interpreter) sets them from
/// its own declarations; Rust callers can keep the defaults.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Size of a root device container (`struct root_device`).
    pub root_device_size: u32,
    /// Size of a platform device container (`struct platform_object`).
    pub platform_device_size: u32,
    /// Offset of `struct device dev` inside `struct platform_device`.
    pub platform_device_dev_offset: u32,
    /// Size of a `struct kunit_device` container.
    pub kunit_device_size: u32,
    /// Size of a bare `struct device` (DRM minors' kdev).
    pub device_size: u32,
    /// Size of a `struct drm_device` (for `drm_dev_alloc`).
    pub drm_device_size: u32,
    /// Size of a `struct device_driver` (for `kunit_driver_create`).
    pub device_driver_size: u32,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            root_device_size: 64,
            platform_device_size: 96,
            platform_device_dev_offset: 16,
            kunit_device_size: 80,
            device_size: 64,
            drm_device_size: 128,
            device_driver_size: 64,
        }
    }
}

/// The modelled kernel.
pub struct Kernel {
    /// The version whose behaviour is modelled.
    pub profile: Profile,
    /// Everything that happened, in order.
    pub log: EventLog,
    /// All memory.
    pub mm: mm::Memory,
    /// Container layouts.
    pub layout: Layout,
    pub(crate) objects: Vec<Object>,
    pub(crate) refs: Vec<Reference>,
    pub(crate) resources: Vec<Resource>,
    /// Interned names of resources and steps.
    pub(crate) names: names::Names,
    pub(crate) buses: Vec<Bus>,
    pub(crate) drivers: Vec<Driver>,
    pub(crate) classes: Vec<Class>,
    pub(crate) by_addr: HashMap<Addr, ObjId>,
    /// sysfs directory names in use, per directory (the kobject parent's id, or `u32::MAX` for the top).
    pub(crate) sysfs: HashMap<u32, HashMap<String, ObjId>>,
    pub(crate) drivers_by_addr: HashMap<Addr, DrvId>,
    pub(crate) site: Site,
    anachronisms: BTreeSet<&'static str>,
    warned_once: HashSet<std::mem::Discriminant<Warning>>,
    pub(crate) platform_bus_dev: Option<DevId>,
    pub(crate) platform_bus: Option<BusId>,
    pub(crate) platform_auto_id: u32,
    pub(crate) kunit_bus_dev: Option<DevId>,
    pub(crate) kunit_bus: Option<BusId>,
    pub(crate) drm_class: Option<ClassId>,
    pub(crate) drm: drivers::gpu::drm::DrmGlobals,
    pub(crate) kunit: kunit::KunitGlobals,
    pub(crate) kunit_refs: HashMap<ResId, i32>,
    /// Nodes made by `devres_alloc()` and not yet freed, by their data.
    pub(crate) devres_nodes: HashMap<AllocId, drivers::base::devres::DevresNode>,
    /// Releases and callbacks in progress, nested (see [`Kernel::nested`]).
    nesting: u32,
    /// The bound on `nesting` ([`Kernel::set_max_nesting`]).
    max_nesting: u32,
}

/// How deep chains of releases and callbacks may nest by default: far
/// beyond any real test's object hierarchy.
pub const DEFAULT_MAX_NESTING: u32 = 10_000;
/// The stack is checked every this many levels of nesting ...
const NESTING_STACK_CHECK: u32 = if cfg!(debug_assertions) { 1 } else { 4 };
/// ... and grown by a new segment when less than this is left, which holds
/// several levels even in a debug build.
const NESTING_RED_ZONE: usize = 1024 * 1024;
/// Size of each additional stack segment.
const NESTING_STACK_SEGMENT: usize = 8 * 1024 * 1024;

impl Kernel {
    /// A freshly booted kernel: the platform bus and its `platform` device,
    /// the `kunit` bus and its root device, and the `drm` class exist.
    pub fn new(profile: Profile) -> Self {
        let mut k = Kernel {
            profile,
            log: EventLog::new(),
            mm: mm::Memory::default(),
            layout: Layout::default(),
            objects: Vec::new(),
            refs: Vec::new(),
            resources: Vec::new(),
            names: names::Names::default(),
            buses: Vec::new(),
            drivers: Vec::new(),
            classes: Vec::new(),
            by_addr: HashMap::default(),
            sysfs: HashMap::default(),
            drivers_by_addr: HashMap::default(),
            site: Site::default(),
            anachronisms: BTreeSet::new(),
            warned_once: HashSet::default(),
            platform_bus_dev: None,
            platform_bus: None,
            platform_auto_id: 0,
            kunit_bus_dev: None,
            kunit_bus: None,
            drm_class: None,
            drm: Default::default(),
            kunit: Default::default(),
            kunit_refs: HashMap::default(),
            devres_nodes: HashMap::default(),
            nesting: 0,
            max_nesting: DEFAULT_MAX_NESTING,
        };
        k.boot();
        k
    }

    /// Boot-time initialisation (`platform_bus_init`, `kunit_bus_init`,
    /// `drm_core_init`); its events are part of the log, before any test.
    fn boot(&mut self) {
        let mut host = host::RustHost::new();
        self.platform_bus_init(&mut host);
        self.kunit_bus_init(&mut host);
        self.drm_core_init();
    }

    /// Sets the host call site that the next events are attributed to.
    pub fn set_site(&mut self, site: Site) {
        self.site = site;
    }

    /// The current host call site.
    pub fn site(&self) -> Site {
        self.site
    }

    /// Every object ever created, with its id.
    pub fn objects(&self) -> impl Iterator<Item = (ObjId, &Object)> {
        self.objects
            .iter()
            .enumerate()
            .map(|(i, o)| (ObjId(i as u32), o))
    }

    /// The object with this id.
    pub fn obj(&self, id: ObjId) -> &Object {
        &self.objects[id.0 as usize]
    }

    pub(crate) fn obj_mut(&mut self, id: ObjId) -> &mut Object {
        &mut self.objects[id.0 as usize]
    }

    /// The object whose structure starts at `addr` (a device, a DRM device...).
    pub fn object_at(&self, addr: Addr) -> Option<ObjId> {
        self.by_addr.get(&addr).copied()
    }

    /// The managed resource with this id.
    pub fn resource(&self, id: ResId) -> &Resource {
        &self.resources[id.0 as usize]
    }

    /// Every reference ever taken, with its id.
    pub fn references(&self) -> impl Iterator<Item = (RefId, &Reference)> {
        self.refs
            .iter()
            .enumerate()
            .map(|(i, r)| (RefId::from_index(i), r))
    }

    /// Records a kernel warning. Warnings the kernel prints once per boot
    /// (`WARN_ONCE`) are still recorded every time, flagged as repeats.
    pub(crate) fn warn(&mut self, w: Warning) {
        let first = self.warned_once.insert(std::mem::discriminant(&w));
        let w = if first || !w.is_once() {
            w
        } else {
            w.repeated()
        };
        let site = self.site;
        self.log.push(site, EventKind::Warning(Box::new(w)));
    }

    /// Records a line the kernel prints.
    pub(crate) fn printk(&mut self, text: String) {
        let site = self.site;
        self.log.push(site, EventKind::Message(Box::new(text)));
    }

    /// Records undefined behaviour and returns it as an abort.
    pub(crate) fn fault(&mut self, f: Fault) -> Abort {
        let site = self.site;
        self.log.push(site, EventKind::Fault(Box::new(f.clone())));
        Abort::Fault(f)
    }

    /// Notes the use of `api`; the first use of an API newer than the profile
    /// is recorded as an anachronism.
    pub fn note_api(&mut self, api: trace::FuncName) {
        // Only the caller's own use counts, not the kernel's internal calls.
        if self.log.depth() > 0 {
            return;
        }
        if let Some(since) = self.profile.anachronism(api) {
            if self.anachronisms.insert(*api) {
                let site = self.site;
                self.log.push(site, EventKind::Anachronism { api, since });
            }
        }
    }

    /// Runs `body` as the modelled kernel function `func`, bracketed by
    /// enter/exit events.
    pub(crate) fn traced<T>(
        &mut self,
        func: trace::FuncName,
        host: &mut dyn Host,
        body: impl FnOnce(&mut Kernel, &mut dyn Host) -> KResult<T>,
    ) -> KResult<T> {
        let site = self.site;
        self.log.enter(site, func);
        let r = body(self, host);
        self.log.exit();
        r
    }

    /// Calls a host callback and restores the call site afterwards (the
    /// callback's own calls move it). The call is not an event of its own:
    /// the event before it (a resource or object released, a driver
    /// function entered) says which callback runs and why, and the
    /// callback's own kernel calls follow it in the log.
    pub(crate) fn callback(&mut self, host: &mut dyn Host, f: FnRef, args: &[u64]) -> KResult<u64> {
        let site = self.site;
        let r = self.nested(host, |k, host| host.call(k, f, args));
        self.site = site;
        r
    }

    /// Runs `body` one level deeper in a chain of releases and callbacks (a
    /// kobject whose release drops its parent's last reference, an action
    /// that unregisters another device...). Chains are bounded by
    /// [`Kernel::set_max_nesting`], and run on a stack that grows as needed,
    /// so no chain can overflow the process's stack.
    pub(crate) fn nested<T>(
        &mut self,
        host: &mut dyn Host,
        body: impl FnOnce(&mut Kernel, &mut dyn Host) -> KResult<T>,
    ) -> KResult<T> {
        if self.nesting >= self.max_nesting {
            return Err(Abort::NestingLimit(self.max_nesting));
        }
        self.nesting += 1;
        let r = if self.nesting.is_multiple_of(NESTING_STACK_CHECK) {
            stacker::maybe_grow(NESTING_RED_ZONE, NESTING_STACK_SEGMENT, || body(self, host))
        } else {
            body(self, host)
        };
        self.nesting -= 1;
        r
    }

    /// Bounds chains of releases and callbacks to `max` levels (default
    /// [`DEFAULT_MAX_NESTING`]); a deeper chain aborts with
    /// [`Abort::NestingLimit`].
    pub fn set_max_nesting(&mut self, max: u32) {
        self.max_nesting = max;
    }

    /// The NUL-terminated string at `addr` (at most `max` bytes), as an
    /// interned name: a string read again and again (an action's name on
    /// every `devm_add_action`) is stored once.
    pub fn intern_c_string(&mut self, addr: Addr, max: usize) -> Result<NameId, mm::MemFault> {
        // A literal read before (its address never names anything else) is
        // compared with what it was, not scanned and hashed again.
        if let Some(id) = self.names.literal(addr.0) {
            let n = self.names.get(id);
            if n.len() < max && self.mm.holds_c_str(addr, n.as_bytes()) {
                return Ok(id);
            }
        }
        let bytes = self.mm.c_str_bytes(addr, max)?;
        if self.mm.get(addr.alloc()).map(|a| a.kind) == Some(mm::AllocKind::Literal) {
            return Ok(self.names.remember_literal(addr.0, bytes));
        }
        // Borrowed, not copied, when the bytes are valid UTF-8.
        Ok(self.names.intern(&String::from_utf8_lossy(bytes)))
    }

    /// Interns `s` as a name.
    pub fn intern(&mut self, s: &str) -> NameId {
        self.names.intern(s)
    }

    /// The text of a name.
    pub fn name(&self, id: NameId) -> &str {
        self.names.get(id)
    }

    /// Allocates zeroed memory and records it.
    pub fn kmalloc(
        &mut self,
        size: u32,
        kind: AllocKind,
        label: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Addr {
        let at = self.log.next_id();
        let id = self.mm.alloc(size, kind, label.into(), at);
        let site = self.site;
        self.log.push(site, EventKind::Alloc(id));
        Addr::new(id, 0)
    }

    /// `kfree`: frees the allocation `addr` points to the start of.
    /// NULL and `ZERO_SIZE_PTR` are ignored; a second free is a fault.
    pub fn kfree(&mut self, addr: Addr) -> KResult<()> {
        if addr.0 <= 16 {
            return Ok(());
        }
        let id = addr.alloc();
        let at = self.log.next_id();
        match self.mm.free(id, at) {
            Ok(()) => {
                let site = self.site;
                self.log.push(site, EventKind::Free(id));
                Ok(())
            }
            Err(Some(first)) => Err(self.fault(Fault::DoubleFree { alloc: id, first })),
            Err(None) => Err(self.fault(Fault::InvalidFree { addr })),
        }
    }

    pub(crate) fn new_object(&mut self, kind: ObjKind, name: String, body: Body) -> ObjId {
        let id = ObjId(self.objects.len() as u32);
        self.objects.push(Object {
            kind,
            name,
            count: 0,
            refs: Vec::new(),
            container: None,
            addr: Addr::NULL,
            created: self.log.next_id(),
            released: None,
            body,
        });
        id
    }

    /// Binds `obj` to the address of its structure so hosts can find it.
    pub(crate) fn place(&mut self, obj: ObjId, addr: Addr, container: Option<AllocId>) {
        let o = self.obj_mut(obj);
        o.addr = addr;
        o.container = container;
        if !addr.is_null() {
            self.by_addr.insert(addr, obj);
        }
    }

    /// Objects still alive (count above zero or never released).
    pub fn live_objects(&self) -> impl Iterator<Item = (ObjId, &Object)> {
        self.objects().filter(|(_, o)| o.released.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_c_string_literal_reads_as_its_current_text() {
        let mut k = Kernel::new(Profile::V6_12);
        let lit = k.kmalloc(6, AllocKind::Literal, "literal");
        k.mm.write(lit, b"probe\0").unwrap();
        let first = k.intern_c_string(lit, 64).unwrap();
        assert_eq!(k.name(first), "probe");
        assert_eq!(first, k.intern_c_string(lit, 64).unwrap());
        k.mm.write(lit, b"prune\0").unwrap();
        let now = k.intern_c_string(lit, 64).unwrap();
        assert_eq!(k.name(now), "prune");
        assert!(k.intern_c_string(lit, 3).is_err(), "longer than the limit");
        k.mm.write(lit, b"ab\0\0\0\0").unwrap();
        let now = k.intern_c_string(lit, 64).unwrap();
        assert_eq!(k.name(now), "ab");
    }
}
