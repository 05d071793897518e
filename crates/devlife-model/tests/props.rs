//! Property tests: random sequences of driver-core, devres, KUnit and DRM
//! operations over a small pool of handles, run under both profiles, and the
//! invariants every sequence must keep:
//!
//! 1. refcounts follow the kernel's checked arithmetic: a count only goes
//!    negative (saturates) with a refcount warning for that object, and (for
//!    sequences without misuse) it equals the number of references held;
//! 2. every allocation is freed at most once (a second free surfaces as
//!    `Fault::DoubleFree`), every object is released at most once, and a
//!    released object handed back to the API is a `Fault`, never a panic;
//! 3. every devres, drmres and KUnit action runs at most once (and exactly
//!    when its resource was released), and a driver's `remove` runs at most
//!    once per successful probe;
//! 4. the resources released by one `devres_release_all` (and by a group
//!    release, `drm_managed_release` and `kunit_cleanup`) go newest first;
//! 5. once the test code has returned everything it took, nothing it created
//!    is left, except `devm_drm_dev_alloc` cycles (the v6.1 seed bug), and
//!    then the leak must be exactly such a cycle.
//!
//! Sequences come in two flavours. *Disciplined* ones skip every operation
//! the test code may not do at that point, judged by a shadow model of what it
//! owns; they must never fault. *Chaotic* ones do it anyway (use after
//! release, extra puts that underflow, double `kfree`...): the model must
//! answer with a `Fault` or a warning, never a panic, and property 5 only
//! applies if no misuse actually happened.

use devlife_model::drivers::base::core::DevKind;
use devlife_model::drivers::base::devres::ZERO_SIZE_PTR;
use devlife_model::drivers::base::driver::{DriverOps, DrvId};
use devlife_model::drivers::base::platform::{PLATFORM_DEVID_AUTO, PLATFORM_DEVID_NONE};
use devlife_model::drivers::gpu::drm::drm_drv::{
    DrmDriver, DRIVER_COMPUTE_ACCEL, DRIVER_GEM, DRIVER_MODESET, DRIVER_RENDER,
};
use devlife_model::lib::kref::REFCOUNT_SATURATED;
use devlife_model::{
    errno, Abort, Action, Addr, AllocId, DevId, Event, EventKind, Fault, FnRef, Holder, KResult,
    Kernel, KernelAction, ObjId, ObjKind, Profile, ResId, ResKind, RustHost, Warning,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

// ---- the operation language ----

const DRIVER_NAMES: [&str; 3] = ["alpha", "beta", "gamma"];
const PLATFORM_NAMES: [&str; 4] = ["alpha", "beta", "gamma", "delta"];
const PLATFORM_IDS: [i32; 4] = [PLATFORM_DEVID_NONE, PLATFORM_DEVID_AUTO, 0, 1];
const ROOT_NAMES: [&str; 2] = ["r0", "r1"];
const TEST_NAMES: [&str; 2] = ["ka", "kb"];
const KUNIT_NAMES: [&str; 3] = ["d0", "d1", "d2"];
const ERRNOS: [i32; 5] = [
    errno::ENODEV,
    errno::ENXIO,
    errno::EPROBE_DEFER,
    errno::EINVAL,
    errno::ENOMEM,
];
const SIZES: [u32; 3] = [0, 8, 32];
const GROUP_IDS: [u64; 4] = [0, 1, 2, 3];
/// DRM driver features; the last one is invalid (`drm_dev_init` fails with
/// -EINVAL after taking the parent reference, which it then leaks, as the
/// kernel does), so only chaotic sequences use it.
const FEATURES: [u32; 6] = [
    0,
    DRIVER_MODESET,
    DRIVER_MODESET | DRIVER_RENDER,
    DRIVER_GEM | DRIVER_MODESET,
    DRIVER_COMPUTE_ACCEL,
    DRIVER_COMPUTE_ACCEL | DRIVER_MODESET,
];
const VALID_FEATURES: usize = 5;
/// A token no action was registered with.
const UNUSED_TOKEN: u64 = 1 << 40;
const MAX_TESTS: usize = 3;

/// What a platform driver's probe does, per call (the script is cycled).
#[derive(Debug, Clone, Copy)]
enum Probe {
    Ok,
    OkDevm,
    FailDevm(u8),
    Fail(u8),
}

/// One operation. `u8` fields pick a handle, name or token from a pool
/// (modulo its size).
#[derive(Debug, Clone)]
enum Op {
    RootRegister(u8),
    RootUnregister(u8),
    PlatformAlloc(u8, u8),
    PlatformAdd(u8),
    PlatformDel(u8),
    PlatformPut(u8),
    PlatformUnregister(u8),
    PlatformRegisterSimple(u8, u8),
    DriverRegister(u8),
    DriverUnregister(u8),
    GetDevice(u8),
    PutDevice(u8),
    DevmAddAction(u8),
    DevmRemoveAction(u8, u8),
    DevmReleaseAction(u8, u8),
    DevmKzalloc(u8, u8),
    DevmKfree(u8, u8),
    /// A plain `kfree` of managed memory (misuse: double frees follow).
    RawKfree(u8),
    DevresOpenGroup(u8, u8),
    DevresCloseGroup(u8, u8),
    DevresRemoveGroup(u8, u8),
    DevresReleaseGroup(u8, u8),
    DeviceReleaseDriver(u8),
    KunitInitTest(u8),
    KunitKzalloc(u8, u8),
    KunitKfree(u8, u8),
    KunitAddAction(u8),
    KunitRemoveAction(u8, u8),
    KunitReleaseAction(u8, u8),
    KunitDriverCreate(u8, u8),
    KunitDeviceRegister(u8, u8),
    KunitDeviceRegisterWithDriver(u8, u8, u8),
    KunitDeviceUnregister(u8, u8),
    KunitCleanup(u8),
    DrmDevAlloc(u8, u8, bool),
    DevmDrmDevAlloc(u8, u8, bool),
    DrmmAddAction(u8),
    DrmmReleaseAction(u8, u8),
    DrmDevRegister(u8),
    DrmDevUnregister(u8),
    DrmDevUnplug(u8),
    DrmDevGet(u8),
    DrmDevPut(u8),
}

/// One generated case: the flavour, the probe scripts of the three platform
/// drivers, and the operations.
#[derive(Debug, Clone)]
struct Case {
    disciplined: bool,
    scripts: Vec<Vec<Probe>>,
    ops: Vec<Op>,
}

fn probe_strategy() -> impl Strategy<Value = Probe> {
    prop_oneof![
        3 => Just(Probe::Ok),
        3 => Just(Probe::OkDevm),
        1 => any::<u8>().prop_map(Probe::FailDevm),
        2 => any::<u8>().prop_map(Probe::Fail),
    ]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let b = any::<u8>;
    prop_oneof![
        3 => b().prop_map(Op::RootRegister),
        2 => b().prop_map(Op::RootUnregister),
        2 => (b(), b()).prop_map(|(n, i)| Op::PlatformAlloc(n, i)),
        2 => b().prop_map(Op::PlatformAdd),
        1 => b().prop_map(Op::PlatformDel),
        1 => b().prop_map(Op::PlatformPut),
        2 => b().prop_map(Op::PlatformUnregister),
        3 => (b(), b()).prop_map(|(n, i)| Op::PlatformRegisterSimple(n, i)),
        3 => b().prop_map(Op::DriverRegister),
        2 => b().prop_map(Op::DriverUnregister),
        2 => b().prop_map(Op::GetDevice),
        2 => b().prop_map(Op::PutDevice),
        3 => b().prop_map(Op::DevmAddAction),
        1 => (b(), b()).prop_map(|(d, t)| Op::DevmRemoveAction(d, t)),
        1 => (b(), b()).prop_map(|(d, t)| Op::DevmReleaseAction(d, t)),
        2 => (b(), b()).prop_map(|(d, s)| Op::DevmKzalloc(d, s)),
        1 => (b(), b()).prop_map(|(d, a)| Op::DevmKfree(d, a)),
        1 => b().prop_map(Op::RawKfree),
        2 => (b(), b()).prop_map(|(d, g)| Op::DevresOpenGroup(d, g)),
        1 => (b(), b()).prop_map(|(d, g)| Op::DevresCloseGroup(d, g)),
        1 => (b(), b()).prop_map(|(d, g)| Op::DevresRemoveGroup(d, g)),
        2 => (b(), b()).prop_map(|(d, g)| Op::DevresReleaseGroup(d, g)),
        1 => b().prop_map(Op::DeviceReleaseDriver),
        2 => b().prop_map(Op::KunitInitTest),
        1 => (b(), b()).prop_map(|(t, s)| Op::KunitKzalloc(t, s)),
        1 => (b(), b()).prop_map(|(t, a)| Op::KunitKfree(t, a)),
        2 => b().prop_map(Op::KunitAddAction),
        1 => (b(), b()).prop_map(|(t, k)| Op::KunitRemoveAction(t, k)),
        1 => (b(), b()).prop_map(|(t, k)| Op::KunitReleaseAction(t, k)),
        1 => (b(), b()).prop_map(|(t, n)| Op::KunitDriverCreate(t, n)),
        2 => (b(), b()).prop_map(|(t, n)| Op::KunitDeviceRegister(t, n)),
        1 => (b(), b(), b()).prop_map(|(t, n, d)| Op::KunitDeviceRegisterWithDriver(t, n, d)),
        1 => (b(), b()).prop_map(|(d, t)| Op::KunitDeviceUnregister(d, t)),
        1 => b().prop_map(Op::KunitCleanup),
        2 => (b(), b(), any::<bool>()).prop_map(|(p, f, r)| Op::DrmDevAlloc(p, f, r)),
        3 => (b(), b(), any::<bool>()).prop_map(|(p, f, r)| Op::DevmDrmDevAlloc(p, f, r)),
        2 => b().prop_map(Op::DrmmAddAction),
        1 => (b(), b()).prop_map(|(d, t)| Op::DrmmReleaseAction(d, t)),
        2 => b().prop_map(Op::DrmDevRegister),
        1 => b().prop_map(Op::DrmDevUnregister),
        1 => b().prop_map(Op::DrmDevUnplug),
        1 => b().prop_map(Op::DrmDevGet),
        2 => b().prop_map(Op::DrmDevPut),
    ]
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        proptest::bool::weighted(0.6),
        proptest::collection::vec(proptest::collection::vec(probe_strategy(), 1..4), 3),
        proptest::collection::vec(op_strategy(), 0..40),
    )
        .prop_map(|(disciplined, scripts, ops)| Case {
            disciplined,
            scripts,
            ops,
        })
}

// ---- state shared with the callbacks ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fam {
    Devm,
    Kunit,
    Drmm,
}

/// An action registration: every one gets its own token as its data.
#[derive(Debug, Clone, Copy)]
struct Tok {
    fam: Fam,
    owner: ObjId,
    token: u64,
}

/// What the callbacks record.
#[derive(Default)]
struct Shared {
    next_token: Cell<u64>,
    tokens: RefCell<Vec<Tok>>,
    /// How often the action with each token ran.
    runs: RefCell<BTreeMap<u64, u32>>,
    /// Successful probes per device.
    bound: RefCell<BTreeMap<DevId, u32>>,
    /// `remove` calls per device.
    removed: RefCell<BTreeMap<DevId, u32>>,
    /// DRM driver `release` calls per drm_device address.
    drm_releases: RefCell<BTreeMap<u64, u32>>,
}

impl Shared {
    fn token(&self, fam: Fam, owner: ObjId) -> u64 {
        let t = self.next_token.get() + 1;
        self.next_token.set(t);
        self.tokens.borrow_mut().push(Tok {
            fam,
            owner,
            token: t,
        });
        t
    }
}

fn bump<K: Ord>(m: &RefCell<BTreeMap<K, u32>>, k: K) {
    *m.borrow_mut().entry(k).or_default() += 1;
}

// ---- the shadow model of what the test code owns ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    Root,
    Platform,
    /// A kunit device, registered by the test with this index.
    Kunit(usize),
}

#[derive(Debug, Clone, Copy)]
struct DevSlot {
    id: DevId,
    kind: SlotKind,
    /// The test code holds the creator's reference.
    own: bool,
    /// Registered (between a successful add and del).
    added: bool,
    /// `device_del` ran on it.
    deleted: bool,
    /// Extra references from `get_device`.
    gets: u32,
    /// A kunit device whose unregister action has not run.
    pending: bool,
}

#[derive(Debug, Clone, Copy)]
struct DrmSlot {
    id: ObjId,
    devm: bool,
    parent: usize,
    /// The test code holds the initial reference (`drm_dev_alloc`).
    own: bool,
    gets: u32,
    registered: bool,
    ever_registered: bool,
    unplugged: bool,
}

/// Violations found, by property.
#[derive(Debug, Default)]
struct Violations {
    p1: Vec<String>,
    p2: Vec<String>,
    p3: Vec<String>,
    p4: Vec<String>,
    p5: Vec<String>,
}

struct World {
    k: Kernel,
    host: RustHost,
    sh: Rc<Shared>,
    act: FnRef,
    drm_release: FnRef,
    disciplined: bool,
    /// Why this sequence is outside property 5 (misuse that happened).
    taint: Vec<String>,
    /// The first event of the operation in progress.
    op_start: usize,
    /// A fault interrupted an operation half-way (the kernel would have
    /// oopsed): driver-core state is inconsistent from here on.
    oopsed: bool,
    devs: Vec<DevSlot>,
    drvs: Vec<(DrvId, bool)>,
    tests: Vec<(ObjId, bool)>,
    kunit_drivers: Vec<DrvId>,
    drms: Vec<DrmSlot>,
    devm_allocs: Vec<(ObjId, Addr)>,
    kunit_allocs: Vec<(ObjId, Addr)>,
    groups: Vec<(ObjId, u64)>,
    /// A devm_drm_dev_alloc'd drm_device may be left in a cycle with these parents.
    cycle_parents: BTreeSet<DevId>,
    /// The objects alive after boot, with their counts then.
    boot_objects: BTreeMap<ObjId, i32>,
    boot_allocs: BTreeSet<AllocId>,
    scan: Scan,
    v: Violations,
}

fn pick<T>(v: &[T], i: u8) -> Option<usize> {
    (!v.is_empty()).then(|| usize::from(i) % v.len())
}

impl World {
    fn new(profile: Profile, case: &Case) -> World {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let sh = Rc::new(Shared::default());
        let s = sh.clone();
        let act = host.register("act", move |_, _, args| {
            bump(&s.runs, args.last().copied().unwrap_or(0));
            Ok(0)
        });
        let s = sh.clone();
        let drm_release = host.register("drm_release", move |_, _, args| {
            bump(&s.drm_releases, args[0]);
            Ok(0)
        });
        let mut drvs = Vec::new();
        for (i, name) in DRIVER_NAMES.iter().enumerate() {
            let script = case.scripts[i].clone();
            let calls = Cell::new(0usize);
            let s = sh.clone();
            let probe = host.register(&format!("{name}_probe"), move |k: &mut Kernel, _, args| {
                let Some(dev) = k.platform_device_at(Addr(args[0])) else {
                    return Err(Abort::Host(1));
                };
                let p = script[calls.get() % script.len()];
                calls.set(calls.get() + 1);
                let ret = match p {
                    Probe::Ok => 0,
                    Probe::OkDevm => {
                        k.devm_add_action(dev, act, s.token(Fam::Devm, dev), "probe_act")?;
                        0
                    }
                    Probe::FailDevm(e) => {
                        k.devm_add_action(dev, act, s.token(Fam::Devm, dev), "probe_act")?;
                        -ERRNOS[usize::from(e) % ERRNOS.len()]
                    }
                    Probe::Fail(e) => -ERRNOS[usize::from(e) % ERRNOS.len()],
                };
                if ret == 0 {
                    bump(&s.bound, dev);
                }
                Ok(i64::from(ret) as u64)
            });
            let s = sh.clone();
            let remove =
                host.register(&format!("{name}_remove"), move |k: &mut Kernel, _, args| {
                    let Some(dev) = k.platform_device_at(Addr(args[0])) else {
                        return Err(Abort::Host(2));
                    };
                    bump(&s.removed, dev);
                    Ok(0)
                });
            let ops = DriverOps {
                probe: Some(probe),
                remove: Some(remove),
            };
            drvs.push((k.platform_driver_new(name, ops, Addr::NULL), false));
        }
        let boot_objects = k.live_objects().map(|(id, o)| (id, o.count)).collect();
        let boot_allocs =
            k.mm.iter()
                .filter(|(_, a)| a.is_live())
                .map(|(id, _)| id)
                .collect();
        let mut scan = Scan::default();
        let mut v = Violations::default();
        scan.scan(&k, &mut v);
        World {
            k,
            host,
            sh,
            act,
            drm_release,
            disciplined: case.disciplined,
            taint: Vec::new(),
            op_start: 0,
            oopsed: false,
            devs: Vec::new(),
            drvs,
            tests: Vec::new(),
            kunit_drivers: Vec::new(),
            drms: Vec::new(),
            devm_allocs: Vec::new(),
            kunit_allocs: Vec::new(),
            groups: Vec::new(),
            cycle_parents: BTreeSet::new(),
            boot_objects,
            boot_allocs,
            scan,
            v,
        }
    }

    fn released(&self, obj: ObjId) -> bool {
        self.k.obj(obj).is_released()
    }

    /// Whether the test code may still use the device in slot `i`.
    fn holds(&self, i: usize) -> bool {
        let d = &self.devs[i];
        d.own || d.gets > 0 || d.pending
    }

    /// Whether the test code may still use the drm_device in slot `x`.
    fn drm_alive(&self, x: usize) -> bool {
        let d = &self.drms[x];
        d.own || d.gets > 0 || (d.devm && !self.released(d.id))
    }

    /// A registered drm_device whose initial reference is a devm action on
    /// `dev`: releasing `dev`'s devres now would free it while registered.
    fn hosts_registered_devm_drm(&self, dev: DevId) -> bool {
        self.drms.iter().any(|d| {
            d.devm && d.registered && !self.released(d.id) && self.devs[d.parent].id == dev
        })
    }

    fn driver_hosts_registered_devm_drm(&self, drv: DrvId) -> bool {
        self.k
            .driver(drv)
            .devices
            .iter()
            .any(|d| self.hosts_registered_devm_drm(*d))
    }

    /// Whether to run an operation: valid ones run; invalid ones are skipped
    /// in disciplined sequences and run (tainting the sequence) in chaotic ones.
    fn gate(&mut self, valid: bool, what: &str) -> bool {
        if valid {
            return true;
        }
        if self.disciplined {
            return false;
        }
        self.taint.push(format!("misuse: {what}"));
        true
    }

    /// Checks an API call's result. `handle` is the object it was given and
    /// `was_released` whether that object had been released before the call
    /// (then the call must fail with `UseAfterRelease` on it). Before any
    /// misuse, a released handle (the test code still holds it) or a fault
    /// is a violation of property 5.
    fn finish<T>(
        &mut self,
        what: &str,
        handle: Option<ObjId>,
        was_released: bool,
        r: KResult<T>,
    ) -> Option<T> {
        if was_released && self.taint.is_empty() {
            self.v.p5.push(format!(
                "{what}: {handle:?} was released while the test code still held it"
            ));
        }
        match r {
            Ok(v) => {
                if was_released {
                    self.v.p2.push(format!(
                        "{what}: accepted the released object {handle:?} without a fault"
                    ));
                }
                Some(v)
            }
            Err(Abort::Fault(f)) => {
                let clean = self.k.log.events()[self.op_start..].iter().all(|e| {
                    matches!(
                        e.kind,
                        EventKind::Enter(_) | EventKind::Fault(_) | EventKind::Anachronism { .. }
                    )
                });
                self.oopsed |= !clean;
                if was_released {
                    let ok = matches!(f, Fault::UseAfterRelease { obj, .. } if Some(obj) == handle);
                    if !ok {
                        self.v.p2.push(format!(
                            "{what} on released {handle:?}: expected UseAfterRelease, got {f:?}"
                        ));
                    }
                } else if self.taint.is_empty() {
                    self.v
                        .p5
                        .push(format!("{what}: fault without prior misuse: {f:?}"));
                }
                self.taint.push(format!("{what}: {f:?}"));
                None
            }
            Err(a @ (Abort::Host(_) | Abort::NestingLimit(_))) => {
                self.v.p5.push(format!("{what}: unexpected abort {a:?}"));
                self.taint.push(format!("{what}: unexpected abort {a:?}"));
                None
            }
        }
    }

    fn pick_token(&self, fam: Fam, owner: ObjId, p: u8) -> u64 {
        let toks = self.sh.tokens.borrow();
        let of = |same: bool| -> Vec<u64> {
            toks.iter()
                .filter(|t| t.fam == fam && (!same || t.owner == owner))
                .map(|t| t.token)
                .collect()
        };
        let mine = of(true);
        let list = if p % 4 != 3 && !mine.is_empty() {
            mine
        } else {
            of(false)
        };
        pick(&list, p / 4).map_or(UNUSED_TOKEN, |i| list[i])
    }

    fn pick_owned<T: Copy>(list: &[(ObjId, T)], owner: ObjId, p: u8) -> Option<T> {
        let mine: Vec<T> = list
            .iter()
            .filter(|(o, _)| *o == owner)
            .map(|(_, x)| *x)
            .collect();
        let list: Vec<T> = if p % 4 != 3 && !mine.is_empty() {
            mine
        } else {
            list.iter().map(|(_, x)| *x).collect()
        };
        pick(&list, p / 4).map(|i| list[i])
    }

    fn drm_driver(&self, f: u8, with_release: bool) -> (DrmDriver, bool) {
        let f = usize::from(f) % FEATURES.len();
        let driver = DrmDriver {
            features: FEATURES[f],
            release: with_release.then_some(self.drm_release),
            ..Default::default()
        };
        (driver, f < VALID_FEATURES)
    }

    fn active_test(&self, t: u8) -> Option<usize> {
        pick(&self.tests, t).filter(|i| self.tests[*i].1)
    }

    /// Runs one operation, then the per-step checks.
    fn step(&mut self, op: &Op) {
        self.op_start = self.k.log.events().len();
        self.apply(op);
        self.scan.scan(&self.k, &mut self.v);
        self.check_callbacks();
    }

    #[allow(clippy::too_many_lines)]
    fn apply(&mut self, op: &Op) {
        let profile = self.k.profile;
        match *op {
            Op::RootRegister(n) => {
                let name = ROOT_NAMES[usize::from(n) % ROOT_NAMES.len()];
                let r = self.k.root_device_register(&mut self.host, name);
                if let Some(Ok(dev)) = self.finish("root_device_register", None, false, r) {
                    self.push_dev(dev, SlotKind::Root, true, true);
                }
            }
            Op::RootUnregister(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let d = self.devs[i];
                let valid = d.kind == SlotKind::Root
                    && d.own
                    && d.added
                    && !self.hosts_registered_devm_drm(d.id);
                if !self.gate(valid, "root_device_unregister") {
                    return;
                }
                let was = self.released(d.id);
                let r = self.k.root_device_unregister(&mut self.host, d.id);
                if self
                    .finish("root_device_unregister", Some(d.id), was, r)
                    .is_some()
                {
                    let d = &mut self.devs[i];
                    (d.own, d.added, d.deleted) = (false, false, true);
                }
            }
            Op::PlatformAlloc(n, id) => {
                let name = PLATFORM_NAMES[usize::from(n) % PLATFORM_NAMES.len()];
                let id = PLATFORM_IDS[usize::from(id) % PLATFORM_IDS.len()];
                let dev = self.k.platform_device_alloc(name, id);
                self.push_dev(dev, SlotKind::Platform, true, false);
            }
            Op::PlatformAdd(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let d = self.devs[i];
                let valid = d.kind == SlotKind::Platform && d.own && !d.added && !d.deleted;
                if !self.gate(valid, "platform_device_add") {
                    return;
                }
                let was = self.released(d.id);
                let r = self.k.platform_device_add(&mut self.host, d.id);
                if self.finish("platform_device_add", Some(d.id), was, r) == Some(0) {
                    self.devs[i].added = true;
                }
            }
            Op::PlatformDel(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let d = self.devs[i];
                let valid = d.kind == SlotKind::Platform
                    && d.added
                    && self.holds(i)
                    && !self.hosts_registered_devm_drm(d.id);
                if !self.gate(valid, "platform_device_del") {
                    return;
                }
                let was = self.released(d.id);
                let r = self.k.platform_device_del(&mut self.host, d.id);
                if self
                    .finish("platform_device_del", Some(d.id), was, r)
                    .is_some()
                {
                    let d = &mut self.devs[i];
                    (d.added, d.deleted) = (false, true);
                }
            }
            Op::PlatformPut(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let d = self.devs[i];
                let valid = d.kind == SlotKind::Platform
                    && d.own
                    && !d.added
                    && (d.gets > 0 || !self.hosts_registered_devm_drm(d.id));
                if !self.gate(valid, "platform_device_put") {
                    return;
                }
                let was = self.released(d.id);
                let r = self.k.platform_device_put(&mut self.host, d.id);
                if self
                    .finish("platform_device_put", Some(d.id), was, r)
                    .is_some()
                {
                    self.devs[i].own = false;
                }
            }
            Op::PlatformUnregister(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let d = self.devs[i];
                let valid = d.kind == SlotKind::Platform
                    && d.own
                    && d.added
                    && !self.hosts_registered_devm_drm(d.id);
                if !self.gate(valid, "platform_device_unregister") {
                    return;
                }
                let was = self.released(d.id);
                let r = self.k.platform_device_unregister(&mut self.host, d.id);
                if self
                    .finish("platform_device_unregister", Some(d.id), was, r)
                    .is_some()
                {
                    let d = &mut self.devs[i];
                    (d.own, d.added, d.deleted) = (false, false, true);
                }
            }
            Op::PlatformRegisterSimple(n, id) => {
                let name = PLATFORM_NAMES[usize::from(n) % PLATFORM_NAMES.len()];
                let id = PLATFORM_IDS[usize::from(id) % PLATFORM_IDS.len()];
                let r = self
                    .k
                    .platform_device_register_simple(&mut self.host, name, id);
                if let Some(Ok(dev)) =
                    self.finish("platform_device_register_simple", None, false, r)
                {
                    self.push_dev(dev, SlotKind::Platform, true, true);
                }
            }
            Op::DriverRegister(d) => {
                let i = usize::from(d) % self.drvs.len();
                let (drv, registered) = self.drvs[i];
                if !self.gate(!registered, "platform_driver_register twice") {
                    return;
                }
                let r = self.k.platform_driver_register(&mut self.host, drv);
                if self.finish("platform_driver_register", None, false, r) == Some(0) {
                    self.drvs[i].1 = true;
                }
            }
            Op::DriverUnregister(d) => {
                let i = usize::from(d) % self.drvs.len();
                let (drv, registered) = self.drvs[i];
                let valid = registered && !self.driver_hosts_registered_devm_drm(drv);
                if !self.gate(valid, "platform_driver_unregister") {
                    return;
                }
                let r = self.k.platform_driver_unregister(&mut self.host, drv);
                if self
                    .finish("platform_driver_unregister", None, false, r)
                    .is_some()
                {
                    self.drvs[i].1 = false;
                }
            }
            Op::GetDevice(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let id = self.devs[i].id;
                if !self.gate(self.holds(i), "get_device on a device not held") {
                    return;
                }
                let was = self.released(id);
                let r = self.k.get_device(id);
                if self.finish("get_device", Some(id), was, r).is_some() {
                    self.devs[i].gets += 1;
                }
            }
            Op::PutDevice(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let d = self.devs[i];
                let last = d.gets == 1 && !d.own && !d.pending;
                let valid = d.gets > 0 && !(last && self.hosts_registered_devm_drm(d.id));
                if !self.gate(valid, "put_device without a reference") {
                    return;
                }
                let was = self.released(d.id);
                let r = self.k.put_device(&mut self.host, d.id);
                if self.finish("put_device", Some(d.id), was, r).is_some() && d.gets > 0 {
                    self.devs[i].gets -= 1;
                }
            }
            Op::DevmAddAction(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let id = self.devs[i].id;
                if !self.gate(self.holds(i), "devm_add_action on a device not held") {
                    return;
                }
                let was = self.released(id);
                let token = self.sh.token(Fam::Devm, id);
                let r = self.k.devm_add_action(id, self.act, token, "act");
                self.finish("devm_add_action", Some(id), was, r);
            }
            Op::DevmRemoveAction(s, t) | Op::DevmReleaseAction(s, t) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let id = self.devs[i].id;
                let release = matches!(op, Op::DevmReleaseAction(..));
                let valid = self.holds(i) && !(release && self.hosts_registered_devm_drm(id));
                if !self.gate(valid, "devm_remove/release_action on a device not held") {
                    return;
                }
                let was = self.released(id);
                let token = self.pick_token(Fam::Devm, id, t);
                if release {
                    let r = self
                        .k
                        .devm_release_action(&mut self.host, id, self.act, token);
                    self.finish("devm_release_action", Some(id), was, r);
                } else {
                    let r = self.k.devm_remove_action(id, self.act, token);
                    self.finish("devm_remove_action", Some(id), was, r);
                }
            }
            Op::DevmKzalloc(s, z) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let id = self.devs[i].id;
                if !self.gate(self.holds(i), "devm_kzalloc on a device not held") {
                    return;
                }
                let was = self.released(id);
                let r = self.k.devm_kzalloc(id, SIZES[usize::from(z) % SIZES.len()]);
                if let Some(addr) = self.finish("devm_kzalloc", Some(id), was, r) {
                    if addr != ZERO_SIZE_PTR {
                        self.devm_allocs.push((id, addr));
                    }
                }
            }
            Op::DevmKfree(s, a) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let id = self.devs[i].id;
                if !self.gate(self.holds(i), "devm_kfree on a device not held") {
                    return;
                }
                let was = self.released(id);
                let addr = Self::pick_owned(&self.devm_allocs, id, a).unwrap_or(Addr::NULL);
                let r = self.k.devm_kfree(id, addr);
                self.finish("devm_kfree", Some(id), was, r);
            }
            Op::RawKfree(a) => {
                let all: Vec<Addr> = self
                    .devm_allocs
                    .iter()
                    .chain(&self.kunit_allocs)
                    .map(|(_, a)| *a)
                    .collect();
                let Some(i) = pick(&all, a) else { return };
                if !self.gate(false, "kfree of managed memory") {
                    return;
                }
                let addr = all[i];
                let first = self.k.mm.get(addr.alloc()).and_then(|x| x.freed);
                let r = self.k.kfree(addr);
                match (first, &r) {
                    (Some(first), Err(Abort::Fault(Fault::DoubleFree { alloc, first: f })))
                        if *alloc == addr.alloc() && *f == first => {}
                    (Some(_), other) => self.v.p2.push(format!(
                        "a second kfree of {addr:?} must be Fault::DoubleFree, got {other:?}"
                    )),
                    (None, Ok(())) => {}
                    (None, other) => self
                        .v
                        .p2
                        .push(format!("a first kfree of {addr:?} failed: {other:?}")),
                }
            }
            Op::DevresOpenGroup(s, g) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let id = self.devs[i].id;
                if !self.gate(self.holds(i), "devres_open_group on a device not held") {
                    return;
                }
                let was = self.released(id);
                let r = self
                    .k
                    .devres_open_group(id, GROUP_IDS[usize::from(g) % GROUP_IDS.len()]);
                if let Some(gid) = self.finish("devres_open_group", Some(id), was, r) {
                    self.groups.push((id, gid));
                }
            }
            Op::DevresCloseGroup(s, g)
            | Op::DevresRemoveGroup(s, g)
            | Op::DevresReleaseGroup(s, g) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let id = self.devs[i].id;
                let release = matches!(op, Op::DevresReleaseGroup(..));
                let valid = self.holds(i) && !(release && self.hosts_registered_devm_drm(id));
                if !self.gate(valid, "devres group call on a device not held") {
                    return;
                }
                let was = self.released(id);
                let gid = if g % 4 == 0 {
                    0
                } else {
                    Self::pick_owned(&self.groups, id, g).unwrap_or(0)
                };
                match op {
                    Op::DevresCloseGroup(..) => {
                        let r = self.k.devres_close_group(id, gid);
                        self.finish("devres_close_group", Some(id), was, r);
                    }
                    Op::DevresRemoveGroup(..) => {
                        let r = self.k.devres_remove_group(id, gid);
                        self.finish("devres_remove_group", Some(id), was, r);
                    }
                    _ => {
                        let r = self.k.devres_release_group(&mut self.host, id, gid);
                        self.finish("devres_release_group", Some(id), was, r);
                    }
                }
            }
            Op::DeviceReleaseDriver(s) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let id = self.devs[i].id;
                let valid = self.holds(i) && !self.hosts_registered_devm_drm(id);
                if !self.gate(valid, "device_release_driver on a device not held") {
                    return;
                }
                if self.released(id) && self.taint.is_empty() {
                    self.v.p5.push(format!(
                        "device_release_driver: {id:?} was released while the test code still held it"
                    ));
                }
                let r = self.k.device_release_driver(&mut self.host, id);
                self.finish("device_release_driver", Some(id), false, r);
            }
            Op::KunitInitTest(n) => {
                if self.tests.len() < MAX_TESTS {
                    let name = TEST_NAMES[usize::from(n) % TEST_NAMES.len()];
                    let t = self.k.kunit_init_test(name, Addr::NULL);
                    self.tests.push((t, true));
                }
            }
            Op::KunitKzalloc(t, z) => {
                let Some(ti) = self.active_test(t) else {
                    return;
                };
                let t = self.tests[ti].0;
                let r = self.k.kunit_kzalloc(t, SIZES[usize::from(z) % SIZES.len()]);
                if let Some(addr) = self.finish("kunit_kzalloc", None, false, r) {
                    if addr != ZERO_SIZE_PTR {
                        self.kunit_allocs.push((t, addr));
                    }
                }
            }
            Op::KunitKfree(t, a) => {
                let Some(ti) = self.active_test(t) else {
                    return;
                };
                let t = self.tests[ti].0;
                let addr = Self::pick_owned(&self.kunit_allocs, t, a).unwrap_or(Addr::NULL);
                let r = self.k.kunit_kfree(&mut self.host, t, addr);
                self.finish("kunit_kfree", None, false, r);
            }
            Op::KunitAddAction(t) => {
                let Some(ti) = self.active_test(t) else {
                    return;
                };
                let t = self.tests[ti].0;
                let token = self.sh.token(Fam::Kunit, t);
                self.k.kunit_add_action(t, self.act, token, "act");
            }
            Op::KunitRemoveAction(t, k) => {
                let Some(ti) = self.active_test(t) else {
                    return;
                };
                let t = self.tests[ti].0;
                let token = self.pick_token(Fam::Kunit, t, k);
                self.k.kunit_remove_action(t, self.act, token);
            }
            Op::KunitReleaseAction(t, k) => {
                let Some(ti) = self.active_test(t) else {
                    return;
                };
                let t = self.tests[ti].0;
                let token = self.pick_token(Fam::Kunit, t, k);
                let r = self
                    .k
                    .kunit_release_action(&mut self.host, t, self.act, token);
                self.finish("kunit_release_action", None, false, r);
            }
            Op::KunitDriverCreate(t, n) => {
                let Some(ti) = self.active_test(t) else {
                    return;
                };
                let t = self.tests[ti].0;
                let name = KUNIT_NAMES[usize::from(n) % KUNIT_NAMES.len()];
                let r = self.k.kunit_driver_create(&mut self.host, t, name);
                if let Some(Ok(drv)) = self.finish("kunit_driver_create", None, false, r) {
                    self.kunit_drivers.push(drv);
                }
            }
            Op::KunitDeviceRegister(t, n) | Op::KunitDeviceRegisterWithDriver(t, n, _) => {
                let Some(ti) = self.active_test(t) else {
                    return;
                };
                let t = self.tests[ti].0;
                let name = KUNIT_NAMES[usize::from(n) % KUNIT_NAMES.len()];
                let r = match *op {
                    Op::KunitDeviceRegisterWithDriver(_, _, d) => {
                        let Some(di) = pick(&self.kunit_drivers, d) else {
                            return;
                        };
                        let drv = self.kunit_drivers[di];
                        self.k
                            .kunit_device_register_with_driver(&mut self.host, t, name, drv)
                    }
                    _ => self.k.kunit_device_register(&mut self.host, t, name),
                };
                if let Some(Ok(dev)) = self.finish("kunit_device_register", None, false, r) {
                    self.push_dev(dev, SlotKind::Kunit(ti), false, true);
                    self.devs.last_mut().expect("pushed").pending = true;
                    if let DevKind::Kunit {
                        owned_driver: Some(drv),
                        ..
                    } = self.k.dev(dev).kind
                    {
                        self.kunit_drivers.push(drv);
                    }
                }
            }
            Op::KunitDeviceUnregister(s, t) => {
                let Some(i) = pick(&self.devs, s) else { return };
                let d = self.devs[i];
                let owner = match d.kind {
                    SlotKind::Kunit(ti) if self.tests[ti].1 => Some(ti),
                    _ => None,
                };
                let valid = owner.is_some() && d.pending && !self.hosts_registered_devm_drm(d.id);
                if !self.gate(valid, "kunit_device_unregister") {
                    return;
                }
                let Some(ti) = owner.or_else(|| pick(&self.tests, t)) else {
                    return;
                };
                let test = self.tests[ti].0;
                let was = self.released(d.id);
                let r = self.k.kunit_device_unregister(&mut self.host, test, d.id);
                if self
                    .finish("kunit_device_unregister", Some(d.id), was, r)
                    .is_some()
                    && valid
                {
                    let d = &mut self.devs[i];
                    (d.pending, d.added, d.deleted) = (false, false, true);
                }
            }
            Op::KunitCleanup(t) => {
                let Some(ti) = self.active_test(t) else {
                    return;
                };
                let valid = !self.devs.iter().any(|d| {
                    matches!(d.kind, SlotKind::Kunit(_)) && self.hosts_registered_devm_drm(d.id)
                });
                if !self.gate(valid, "kunit_cleanup under a registered devm drm_device") {
                    return;
                }
                self.cleanup_test(ti);
            }
            Op::DrmDevAlloc(p, f, rel) | Op::DevmDrmDevAlloc(p, f, rel) => {
                let Some(i) = pick(&self.devs, p) else { return };
                let parent = self.devs[i].id;
                let (driver, valid_driver) = self.drm_driver(f, rel);
                let devm = matches!(op, Op::DevmDrmDevAlloc(..));
                let valid = self.holds(i) && valid_driver;
                if !self.gate(valid, "drm_dev_alloc on a device not held or a bad driver") {
                    return;
                }
                let was = self.released(parent);
                let r = if devm {
                    let offset = if rel { 16 } else { 0 };
                    self.k
                        .devm_drm_dev_alloc(&mut self.host, parent, driver, 256, offset)
                } else {
                    self.k.drm_dev_alloc(&mut self.host, driver, Some(parent))
                };
                let what = if devm {
                    "devm_drm_dev_alloc"
                } else {
                    "drm_dev_alloc"
                };
                let Some(r) = self.finish(what, Some(parent), was, r) else {
                    return;
                };
                match r {
                    Ok(drm) => {
                        if devm {
                            let d = &self.devs[i];
                            let safe = self.k.dev(parent).driver.is_some()
                                || (profile == Profile::V6_12 && d.added);
                            if !safe {
                                self.cycle_parents.insert(parent);
                            }
                        }
                        self.drms.push(DrmSlot {
                            id: drm,
                            devm,
                            parent: i,
                            own: !devm,
                            gets: 0,
                            registered: false,
                            ever_registered: false,
                            unplugged: false,
                        });
                    }
                    Err(e) => {
                        if valid {
                            self.v
                                .p5
                                .push(format!("{what} of a valid driver failed: {e}"));
                        }
                        // drm_dev_init's -EINVAL path keeps the parent reference.
                        self.taint.push(format!("{what} failed with {e}"));
                    }
                }
            }
            Op::DrmmAddAction(x) => {
                let Some(x) = pick(&self.drms, x) else { return };
                let id = self.drms[x].id;
                if !self.gate(
                    self.drm_alive(x),
                    "drmm_add_action on a drm_device not held",
                ) {
                    return;
                }
                let was = self.released(id);
                let token = self.sh.token(Fam::Drmm, id);
                let r = self.k.drmm_add_action(id, self.act, token, "act");
                self.finish("drmm_add_action", Some(id), was, r);
            }
            Op::DrmmReleaseAction(x, t) => {
                let Some(x) = pick(&self.drms, x) else { return };
                let id = self.drms[x].id;
                if !self.gate(
                    self.drm_alive(x),
                    "drmm_release_action on a drm_device not held",
                ) {
                    return;
                }
                let was = self.released(id);
                let token = self.pick_token(Fam::Drmm, id, t);
                let r = self
                    .k
                    .drmm_release_action(&mut self.host, id, self.act, token);
                self.finish("drmm_release_action", Some(id), was, r);
            }
            Op::DrmDevRegister(x) => {
                let Some(x) = pick(&self.drms, x) else { return };
                let d = self.drms[x];
                let valid = self.drm_alive(x)
                    && !d.ever_registered
                    && !d.unplugged
                    && self.devs[d.parent].added;
                if !self.gate(valid, "drm_dev_register") {
                    return;
                }
                let was = self.released(d.id);
                let r = self.k.drm_dev_register(&mut self.host, d.id, 0);
                if self.finish("drm_dev_register", Some(d.id), was, r) == Some(0) {
                    let d = &mut self.drms[x];
                    (d.registered, d.ever_registered) = (true, true);
                }
            }
            Op::DrmDevUnregister(x) | Op::DrmDevUnplug(x) => {
                let Some(x) = pick(&self.drms, x) else { return };
                let d = self.drms[x];
                let unplug = matches!(op, Op::DrmDevUnplug(..));
                let valid = self.drm_alive(x) && (unplug || d.registered);
                if !self.gate(valid, "drm_dev_unregister/unplug") {
                    return;
                }
                let was = self.released(d.id);
                if unplug {
                    let r = self.k.drm_dev_unplug(&mut self.host, d.id);
                    if self.finish("drm_dev_unplug", Some(d.id), was, r).is_some() {
                        let d = &mut self.drms[x];
                        (d.registered, d.unplugged) = (false, true);
                    }
                } else {
                    let r = self.k.drm_dev_unregister(&mut self.host, d.id);
                    if self
                        .finish("drm_dev_unregister", Some(d.id), was, r)
                        .is_some()
                    {
                        self.drms[x].registered = false;
                    }
                }
            }
            Op::DrmDevGet(x) => {
                let Some(x) = pick(&self.drms, x) else { return };
                let id = self.drms[x].id;
                if !self.gate(self.drm_alive(x), "drm_dev_get on a drm_device not held") {
                    return;
                }
                let was = self.released(id);
                let r = self.k.drm_dev_get(id);
                if self.finish("drm_dev_get", Some(id), was, r).is_some() {
                    self.drms[x].gets += 1;
                }
            }
            Op::DrmDevPut(x) => {
                let Some(x) = pick(&self.drms, x) else { return };
                let d = self.drms[x];
                let last = !self.released(d.id) && self.k.kref_read(d.id) == 1;
                let valid = (d.gets > 0 || d.own) && !(last && d.registered);
                if !self.gate(valid, "drm_dev_put without a reference") {
                    return;
                }
                let was = self.released(d.id);
                let r = self.k.drm_dev_put(&mut self.host, d.id);
                if self.finish("drm_dev_put", Some(d.id), was, r).is_some() {
                    let d = &mut self.drms[x];
                    if d.gets > 0 {
                        d.gets -= 1;
                    } else {
                        d.own = false;
                    }
                }
            }
        }
    }

    fn push_dev(&mut self, id: DevId, kind: SlotKind, own: bool, added: bool) {
        self.devs.push(DevSlot {
            id,
            kind,
            own,
            added,
            deleted: false,
            gets: 0,
            pending: false,
        });
    }

    /// `kunit_cleanup`, then the runner drops the test.
    fn cleanup_test(&mut self, ti: usize) {
        self.op_start = self.k.log.events().len();
        let t = self.tests[ti].0;
        let r = self.k.kunit_cleanup(&mut self.host, t);
        self.finish("kunit_cleanup", None, false, r);
        self.k.kunit_test_done(t);
        self.tests[ti].1 = false;
        for d in &mut self.devs {
            if d.kind == SlotKind::Kunit(ti) && d.pending {
                (d.pending, d.added, d.deleted) = (false, false, true);
            }
        }
    }

    /// Returns everything the test code still holds: drm_devices are
    /// unregistered and put, device references put, devices unregistered,
    /// drivers unregistered, tests cleaned up.
    fn teardown(&mut self) {
        for x in 0..self.drms.len() {
            let d = self.drms[x];
            if d.registered {
                let was = self.released(d.id);
                self.op_start = self.k.log.events().len();
                let r = self.k.drm_dev_unregister(&mut self.host, d.id);
                self.finish("teardown drm_dev_unregister", Some(d.id), was, r);
            }
        }
        for x in 0..self.drms.len() {
            let d = self.drms[x];
            for _ in 0..d.gets + u32::from(d.own) {
                let was = self.released(d.id);
                self.op_start = self.k.log.events().len();
                let r = self.k.drm_dev_put(&mut self.host, d.id);
                self.finish("teardown drm_dev_put", Some(d.id), was, r);
            }
        }
        for i in 0..self.devs.len() {
            let d = self.devs[i];
            for _ in 0..d.gets {
                let was = self.released(d.id);
                self.op_start = self.k.log.events().len();
                let r = self.k.put_device(&mut self.host, d.id);
                self.finish("teardown put_device", Some(d.id), was, r);
            }
            if !d.own {
                continue;
            }
            let was = self.released(d.id);
            self.op_start = self.k.log.events().len();
            let r = match (d.kind, d.added) {
                (SlotKind::Root, _) => self.k.root_device_unregister(&mut self.host, d.id),
                (_, true) => self.k.platform_device_unregister(&mut self.host, d.id),
                (_, false) => self.k.platform_device_put(&mut self.host, d.id),
            };
            self.finish("teardown unregister", Some(d.id), was, r);
        }
        for i in 0..self.drvs.len() {
            if self.drvs[i].1 {
                self.op_start = self.k.log.events().len();
                let r = self
                    .k
                    .platform_driver_unregister(&mut self.host, self.drvs[i].0);
                self.finish("teardown platform_driver_unregister", None, false, r);
            }
        }
        for ti in 0..self.tests.len() {
            if self.tests[ti].1 {
                self.cleanup_test(ti);
            }
        }
        self.scan.scan(&self.k, &mut self.v);
        self.check_callbacks();
    }

    /// Property 3's per-step part: no action ran twice, no driver release
    /// ran twice, no `remove` without a bind (until an oops).
    fn check_callbacks(&mut self) {
        for (token, n) in self.sh.runs.borrow().iter() {
            if *n > 1 {
                self.v
                    .p3
                    .push(format!("action with token {token} ran {n} times"));
            }
        }
        for (drm, n) in self.sh.drm_releases.borrow().iter() {
            if *n > 1 {
                self.v
                    .p3
                    .push(format!("drm driver release of {drm:#x} ran {n} times"));
            }
        }
        if self.oopsed {
            return;
        }
        let bound = self.sh.bound.borrow();
        for (dev, r) in self.sh.removed.borrow().iter() {
            let b = bound.get(dev).copied().unwrap_or(0);
            if *r > b {
                self.v.p3.push(format!(
                    "remove ran {r} times on {dev:?}, which was probed {b} times"
                ));
            }
        }
        for (dev, b) in bound.iter() {
            let r = self.sh.removed.borrow().get(dev).copied().unwrap_or(0);
            if *b > r + 1 {
                self.v.p3.push(format!(
                    "{dev:?} bound {b} times but removed only {r} times"
                ));
            }
        }
    }

    /// End-of-sequence checks.
    fn final_checks(&mut self) {
        self.scan.finish(&self.k, &mut self.v);
        self.check_actions_match_resources();
        check_release_order(&self.k, &mut self.v);
        if self.taint.is_empty() {
            self.check_attribution();
            self.check_nothing_left();
        }
    }

    /// Property 3: an action ran exactly when its resource was released.
    fn check_actions_match_resources(&mut self) {
        let runs = self.sh.runs.borrow();
        let mut seen = BTreeSet::new();
        for e in self.k.log.events() {
            let EventKind::ResourceAdded(id) = e.kind else {
                continue;
            };
            let res = self.k.resource(id);
            let ResKind::Action {
                action: Action::User(f),
                data,
            } = res.kind
            else {
                continue;
            };
            if f != self.act {
                continue;
            }
            seen.insert(data);
            let ran = runs.get(&data).copied().unwrap_or(0);
            let released = matches!(res.state, devlife_model::ResState::Released(_));
            if ran != u32::from(released) {
                self.v.p3.push(format!(
                    "action {data} ({:?} on {:?}) ran {ran} times but its state is {:?}",
                    res.list, res.owner, res.state
                ));
            }
        }
        for (token, n) in runs.iter() {
            if !seen.contains(token) && *n > 0 {
                self.v
                    .p3
                    .push(format!("action {token} ran without being registered"));
            }
        }
    }

    /// Property 1, for sequences without misuse: each object's count is the
    /// number of references recorded as held.
    fn check_attribution(&mut self) {
        for (id, o) in self.k.objects() {
            if o.count >= 0 && o.count as usize != o.refs.len() {
                self.v.p1.push(format!(
                    "{} ({id:?}) counts {} but {} references are held: {:?}",
                    o.label(),
                    o.count,
                    o.refs.len(),
                    self.k
                        .held_refs(id)
                        .map(|(_, r)| r.holder)
                        .collect::<Vec<_>>()
                ));
            }
        }
    }

    fn describe(&self, obj: ObjId) -> String {
        let o = self.k.obj(obj);
        let holders: Vec<String> = self
            .k
            .held_refs(obj)
            .map(|(_, r)| match r.holder {
                Holder::Resource(res) => {
                    let res = self.k.resource(res);
                    format!("resource {} of {:?}", self.k.name(res.name), res.owner)
                }
                h => format!("{h:?}"),
            })
            .collect();
        format!(
            "{} ({obj:?}) count {} held by {holders:?}",
            o.label(),
            o.count
        )
    }

    /// Property 5: after the teardown nothing is left, or exactly the
    /// devm_drm_dev_alloc cycles whose parents were unsafe at allocation.
    fn check_nothing_left(&mut self) {
        let left: BTreeSet<ObjId> = self
            .k
            .live_objects()
            .map(|(id, _)| id)
            .filter(|id| !self.boot_objects.contains_key(id))
            .collect();
        for (id, count) in &self.boot_objects {
            if self.k.kref_read(*id) != *count {
                self.v.p5.push(format!(
                    "boot object {} counted {count} at boot",
                    self.describe(*id)
                ));
            }
        }
        let live_allocs: BTreeSet<AllocId> = self
            .k
            .mm
            .iter()
            .filter(|(_, a)| a.is_live())
            .map(|(id, _)| id)
            .collect();
        let leaked: Vec<AllocId> = live_allocs.difference(&self.boot_allocs).copied().collect();
        if !self.boot_allocs.is_subset(&live_allocs) {
            self.v.p5.push("a boot-time allocation was freed".into());
        }
        if left.is_empty() {
            if !leaked.is_empty() || self.k.mm.live_count() != self.boot_allocs.len() {
                let labels: Vec<_> = leaked
                    .iter()
                    .map(|a| self.k.mm.get(*a).map(|x| x.label.to_string()))
                    .collect();
                self.v
                    .p5
                    .push(format!("no object left but memory leaked: {labels:?}"));
            }
            return;
        }
        if self.cycle_parents.is_empty() {
            let what: Vec<String> = left.iter().map(|o| self.describe(*o)).collect();
            self.v.p5.push(format!("left alive: {what:#?}"));
            return;
        }
        // The leak must be exactly devm_drm_dev_alloc cycles: every leftover
        // object is held only by resources listed on leftover objects; every
        // drm_device by its devm_drm_dev_init_release; every device is a
        // cycle parent or a minor of a leftover drm_device.
        let mut owned = BTreeSet::new();
        for o in &left {
            let obj = self.k.obj(*o);
            owned.extend(obj.container);
            let listed: Vec<ResId> = match obj.kind {
                ObjKind::Device => self.k.devres_list(*o).to_vec(),
                ObjKind::DrmDevice => {
                    owned.extend(self.k.drm(*o).final_kfree.map(Addr::alloc));
                    self.k.drmres_list(*o).to_vec()
                }
                _ => Vec::new(),
            };
            for r in listed {
                match self.k.resource(r).kind {
                    ResKind::Memory { alloc } | ResKind::GroupOpen { group: alloc, .. } => {
                        owned.insert(alloc);
                    }
                    _ => {}
                }
            }
            let closed = self.k.held_refs(*o).all(|(_, r)| match r.holder {
                Holder::Resource(res) => {
                    let res = self.k.resource(res);
                    res.is_listed() && left.contains(&res.owner)
                }
                _ => false,
            });
            let shape = match obj.kind {
                ObjKind::DrmDevice => self.k.held_refs(*o).any(|(_, r)| {
                    matches!(r.holder, Holder::Resource(res) if self.k.resource(res).kind
                        == ResKind::Action { action: Action::Kernel(KernelAction::DevmDrmDevInitRelease), data: obj.addr.0 })
                }),
                ObjKind::Device => match self.k.dev(*o).kind {
                    DevKind::DrmMinor { drm } => left.contains(&drm),
                    _ => self.cycle_parents.contains(o),
                },
                _ => false,
            };
            if !closed || !shape {
                self.v.p5.push(format!(
                    "left alive outside a devm drm cycle: {}",
                    self.describe(*o)
                ));
            }
        }
        let foreign: Vec<_> = leaked
            .iter()
            .filter(|a| !owned.contains(a))
            .map(|a| self.k.mm.get(*a).map(|x| x.label.to_string()))
            .collect();
        if !foreign.is_empty() {
            self.v
                .p5
                .push(format!("memory leaked outside the cycles: {foreign:?}"));
        }
    }
}

// ---- log scanning: properties 1 and 2 (and 3's resource part) ----

#[derive(Default)]
struct Scan {
    pos: usize,
    count: BTreeMap<ObjId, i32>,
    releases: BTreeMap<ObjId, u32>,
    freed: BTreeMap<AllocId, u32>,
    res_released: BTreeSet<ResId>,
    res_removed: BTreeSet<ResId>,
}

/// The refcount warning an event carries, unwrapping `Repeated`.
fn refcount_warning(e: Option<&Event>) -> Option<&Warning> {
    let EventKind::Warning(w) = &e?.kind else {
        return None;
    };
    Some(match &**w {
        Warning::Repeated(inner) => inner,
        w => w,
    })
}

impl Scan {
    /// Checks the events logged since the last call.
    fn scan(&mut self, k: &Kernel, v: &mut Violations) {
        let events = k.log.events();
        for i in self.pos..events.len() {
            let prev = i.checked_sub(1).and_then(|p| events.get(p));
            match &events[i].kind {
                EventKind::Created { obj, .. } => {
                    self.count.insert(*obj, 1);
                }
                EventKind::Get { obj, count, .. } => {
                    let was = self.count.get(obj).copied().unwrap_or(0);
                    let w = refcount_warning(prev);
                    let (expected, warned) = if was == 0 {
                        (
                            REFCOUNT_SATURATED,
                            w == Some(&Warning::RefcountAdditionOnZero(*obj)),
                        )
                    } else if was < 0 || was == i32::MAX {
                        (
                            REFCOUNT_SATURATED,
                            w == Some(&Warning::RefcountSaturated(*obj)),
                        )
                    } else {
                        (was + 1, true)
                    };
                    if *count != expected || !warned {
                        v.p1.push(format!(
                            "event {i}: get on {obj:?} took {was} to {count} (expected {expected}, warned: {warned})"
                        ));
                    }
                    self.count.insert(*obj, *count);
                }
                EventKind::Put { obj, count, .. } => {
                    let was = self.count.get(obj).copied().unwrap_or(0);
                    let (expected, warned) = if was <= 0 {
                        (
                            REFCOUNT_SATURATED,
                            refcount_warning(prev) == Some(&Warning::RefcountUnderflow(*obj)),
                        )
                    } else {
                        (was - 1, true)
                    };
                    if *count != expected || !warned {
                        v.p1.push(format!(
                            "event {i}: put on {obj:?} took {was} to {count} (expected {expected}, warned: {warned})"
                        ));
                    }
                    self.count.insert(*obj, *count);
                }
                EventKind::Released(obj) => {
                    let n = self.releases.entry(*obj).or_default();
                    *n += 1;
                    if *n > 1 {
                        v.p2.push(format!("event {i}: {obj:?} released {n} times"));
                    }
                    let after_last_put = matches!(prev.map(|e| &e.kind),
                        Some(EventKind::Put { obj: o, count: 0, .. }) if o == obj);
                    if !after_last_put {
                        v.p2.push(format!(
                            "event {i}: {obj:?} released without its count reaching 0"
                        ));
                    }
                }
                EventKind::Free(alloc) => {
                    if let Some(first) = self.freed.insert(*alloc, i as u32) {
                        v.p2.push(format!(
                            "event {i}: {alloc:?} freed again (first at {first}) without a fault"
                        ));
                    }
                }
                EventKind::Fault(f) => {
                    if let Fault::DoubleFree { alloc, first } = &**f {
                        if self.freed.get(alloc) != Some(first) {
                            v.p2.push(format!(
                                "event {i}: double free of {alloc:?} names first free {first}, log has {:?}",
                                self.freed.get(alloc)
                            ));
                        }
                    }
                }
                EventKind::ResourceReleased(r) => {
                    if !self.res_released.insert(*r) {
                        v.p3.push(format!("event {i}: resource {r:?} released twice"));
                    }
                    if self.res_removed.contains(r) {
                        v.p3.push(format!("event {i}: resource {r:?} released after removal"));
                    }
                }
                EventKind::ResourceRemoved(r) => {
                    let again = !self.res_removed.insert(*r);
                    if again || self.res_released.contains(r) {
                        v.p3.push(format!(
                            "event {i}: resource {r:?} removed after removal or release"
                        ));
                    }
                }
                _ => {}
            }
        }
        self.pos = events.len();
    }

    /// Cross-checks the scanned log with the final state.
    fn finish(&self, k: &Kernel, v: &mut Violations) {
        for (id, o) in k.objects() {
            if self.count.get(&id).copied().unwrap_or(0) != o.count {
                v.p1.push(format!(
                    "{} ({id:?}): count {} but the log says {:?}",
                    o.label(),
                    o.count,
                    self.count.get(&id)
                ));
            }
            let logged = self.releases.contains_key(&id);
            let evented = matches!(
                o.kind,
                ObjKind::Device | ObjKind::GlueDir | ObjKind::DrmDevice
            );
            if evented && o.is_released() != logged {
                v.p2.push(format!(
                    "{} ({id:?}): released {:?} but Released logged: {logged}",
                    o.label(),
                    o.released
                ));
            }
        }
        let mut live = 0;
        for (id, a) in k.mm.iter() {
            live += usize::from(a.is_live());
            if a.freed.map(|e| e as usize) != self.freed.get(&id).map(|e| *e as usize) {
                v.p2.push(format!(
                    "{id:?} ({}): freed at {:?} but the log says {:?}",
                    a.label,
                    a.freed,
                    self.freed.get(&id)
                ));
            }
        }
        if live != k.mm.live_count() {
            v.p2.push(format!(
                "live_count {} but {live} allocations are live",
                k.mm.live_count()
            ));
        }
    }
}

/// Property 4: within one release of a whole list (devres_release_all, a
/// devres group, drm_managed_release, kunit_cleanup), the resources it
/// releases itself (one level deeper) go newest first, all of one owner.
fn check_release_order(k: &Kernel, v: &mut Violations) {
    const LIST_RELEASES: [&str; 4] = [
        "devres_release_all",
        "devres_release_group",
        "drm_managed_release",
        "kunit_cleanup",
    ];
    let events = k.log.events();
    for (i, e) in events.iter().enumerate() {
        let EventKind::Enter(f) = e.kind else {
            continue;
        };
        if !LIST_RELEASES.contains(f) {
            continue;
        }
        let mut last: Option<(ResId, u32, ObjId)> = None;
        for x in events[i + 1..].iter().take_while(|x| x.depth > e.depth) {
            let EventKind::ResourceReleased(r) = x.kind else {
                continue;
            };
            if x.depth != e.depth + 1 {
                continue;
            }
            let res = k.resource(r);
            if let Some((pr, padded, powner)) = last {
                if res.added >= padded || res.owner != powner {
                    v.p4.push(format!(
                        "{f} at event {i}: {r:?} '{}' (added at {}, owner {:?}) released after {pr:?} (added at {padded}, owner {powner:?})",
                        k.name(res.name), res.added, res.owner
                    ));
                }
            }
            last = Some((r, res.added, res.owner));
        }
    }
}

// ---- running ----

const PROFILES: [Profile; 2] = [Profile::V6_1, Profile::V6_12];

/// Runs a case under one profile: the operations, then the teardown, then
/// the end-of-sequence checks.
fn run(profile: Profile, case: &Case) -> Violations {
    let mut w = World::new(profile, case);
    for op in &case.ops {
        w.step(op);
    }
    w.teardown();
    w.final_checks();
    w.v
}

/// 256 cases per property, unless `PROPTEST_CASES` says otherwise; failures
/// are kept in `proptest-regressions/props.txt` (relative to the package).
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 256;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(
        "proptest-regressions/props.txt",
    )));
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn p1_refcounts_only_saturate_with_a_warning(case in case_strategy()) {
        for profile in PROFILES {
            let v = run(profile, &case);
            prop_assert!(v.p1.is_empty(), "{profile:?}: {:#?}", v.p1);
        }
    }

    #[test]
    fn p2_frees_and_releases_happen_at_most_once(case in case_strategy()) {
        for profile in PROFILES {
            let v = run(profile, &case);
            prop_assert!(v.p2.is_empty(), "{profile:?}: {:#?}", v.p2);
        }
    }

    #[test]
    fn p3_actions_run_at_most_once(case in case_strategy()) {
        for profile in PROFILES {
            let v = run(profile, &case);
            prop_assert!(v.p3.is_empty(), "{profile:?}: {:#?}", v.p3);
        }
    }

    #[test]
    fn p4_list_releases_go_newest_first(case in case_strategy()) {
        for profile in PROFILES {
            let v = run(profile, &case);
            prop_assert!(v.p4.is_empty(), "{profile:?}: {:#?}", v.p4);
        }
    }

    #[test]
    fn p5_teardown_leaves_nothing_but_devm_drm_cycles(case in case_strategy()) {
        for profile in PROFILES {
            let v = run(profile, &case);
            prop_assert!(v.p5.is_empty(), "{profile:?}: {:#?}", v.p5);
        }
    }
}

// ---- regression tests for model bugs the properties found ----

/// `device_release_driver` on a released device is a use-after-free, like
/// every other API that takes a device (the kernel would read the freed
/// device). Regression test: property 2 found it returning `Ok` with
/// `[RootRegister, PlatformPut, DeviceReleaseDriver]` on a chaotic sequence.
#[test]
fn device_release_driver_on_a_released_device_faults() {
    for profile in PROFILES {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let dev = k.root_device_register(&mut host, "r").unwrap().unwrap();
        k.root_device_unregister(&mut host, dev).unwrap();
        assert!(k.obj(dev).is_released());
        let r = k.device_release_driver(&mut host, dev);
        assert!(
            matches!(r, Err(Abort::Fault(Fault::UseAfterRelease { obj, .. })) if obj == dev),
            "{profile:?}: {r:?}"
        );
    }
}

/// `devres_remove_group(dev, id)` removes the markers of the one group
/// `find_group` picks (the newest with that id). Regression test: the model
/// once removed the markers of every group with that id.
#[test]
fn devres_remove_group_removes_only_the_newest_group_with_the_id() {
    for profile in PROFILES {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let dev = k.root_device_register(&mut host, "r").unwrap().unwrap();
        k.devres_open_group(dev, 1).unwrap();
        k.devres_close_group(dev, 1).unwrap();
        k.devres_open_group(dev, 1).unwrap();
        k.devres_remove_group(dev, 1).unwrap();
        let left: Vec<ResKind> = k
            .devres_list(dev)
            .iter()
            .map(|r| k.resource(*r).kind.clone())
            .collect();
        assert!(
            matches!(
                left[..],
                [
                    ResKind::GroupOpen { id: 1, .. },
                    ResKind::GroupClose { id: 1 }
                ]
            ),
            "{profile:?}: the older group must stay: {left:?}"
        );
    }
}
