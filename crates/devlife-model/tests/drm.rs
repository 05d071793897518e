//! The DRM model: the seed thread's scenario with the real kernel's
//! refcounts, the control scenario, drm_managed_test.c's cases, files held
//! across unplug, and release order.

use devlife_model::drivers::gpu::drm::drm_drv::{DrmDriver, DRIVER_MODESET};
use devlife_model::{Addr, EventKind, Holder, Host, Kernel, ObjId, Profile, ResKind, RustHost};
use std::cell::RefCell;
use std::rc::Rc;

/// An ordered record of which callbacks ran, shared with the closures.
#[derive(Clone, Default)]
struct Trace(Rc<RefCell<Vec<&'static str>>>);

impl Trace {
    fn push(&self, s: &'static str) {
        self.0.borrow_mut().push(s);
    }
    fn list(&self) -> Vec<&'static str> {
        self.0.borrow().clone()
    }
}

fn recorder(host: &mut RustHost, trace: &Trace, name: &'static str) -> devlife_model::FnRef {
    let t = trace.clone();
    host.register(name, move |_, _, _| {
        t.push(name);
        Ok(0)
    })
}

/// One row of the refcount table: root device count, drm_device count (None = N/A, Some(None) = freed).
type Row = (Option<i32>, Option<i32>);

fn count(k: &Kernel, obj: Option<ObjId>) -> Option<i32> {
    let obj = obj?;
    (!k.obj(obj).is_released()).then(|| k.kref_read(obj))
}

/// The seed scenario: root_device_register → devm_drm_dev_alloc →
/// drmm_add_action_or_reset → drm_dev_register → drm_dev_unregister →
/// root_device_unregister. Returns the table and whether the drmm action ran.
fn seed(profile: Profile) -> (Vec<Row>, Trace, Kernel, ObjId, ObjId) {
    let mut k = Kernel::new(profile);
    let mut host = RustHost::new();
    let trace = Trace::default();
    let action = recorder(&mut host, &trace, "drm_action");
    let mut rows = Vec::new();
    let root = k.root_device_register(&mut host, "test").unwrap().unwrap();
    rows.push((count(&k, Some(root)), None));
    let drm = k
        .devm_drm_dev_alloc(
            &mut host,
            root,
            DrmDriver {
                features: DRIVER_MODESET,
                ..Default::default()
            },
            256,
            0,
        )
        .unwrap()
        .unwrap();
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    assert_eq!(
        k.drmm_add_action_or_reset(drm, action, 0, "drm_action"),
        Ok(0)
    );
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    assert_eq!(k.drm_dev_register(&mut host, drm, 0), Ok(0));
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    k.drm_dev_unregister(&mut host, drm).unwrap();
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    k.root_device_unregister(&mut host, root).unwrap();
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    (rows, trace, k, root, drm)
}

#[test]
fn seed_scenario_under_v6_1_counts_like_the_real_kernel_and_leaks_a_cycle() {
    let (rows, trace, k, root, drm) = seed(Profile::V6_1);
    let expected: Vec<Row> = vec![
        (Some(1), None),
        (Some(2), Some(1)),
        (Some(2), Some(1)),
        (Some(4), Some(1)),
        (Some(2), Some(1)),
        (Some(1), Some(1)),
    ];
    assert_eq!(rows, expected);
    assert!(trace.list().is_empty(), "the drmm action never runs");
    // The cycle: the root's last reference is owned by the drmm action
    // drm_dev_init_release of the drm_device, whose last reference is owned
    // by the devm action devm_drm_dev_init_release on the root.
    let root_holders: Vec<_> = k.held_refs(root).map(|(_, r)| r.holder).collect();
    let drm_holders: Vec<_> = k.held_refs(drm).map(|(_, r)| r.holder).collect();
    let [Holder::Resource(a0)] = root_holders[..] else {
        panic!("{root_holders:?}")
    };
    let [Holder::Resource(d0)] = drm_holders[..] else {
        panic!("{drm_holders:?}")
    };
    assert_eq!(k.resource(a0).owner, drm);
    assert_eq!(k.name(k.resource(a0).name), "drm_dev_init_release");
    assert_eq!(k.resource(d0).owner, root);
    assert_eq!(k.name(k.resource(d0).name), "devm_drm_dev_init_release");
}

#[test]
fn seed_scenario_under_v6_12_frees_both_inside_root_device_unregister() {
    let (rows, trace, k, _, _) = seed(Profile::V6_12);
    assert_eq!(
        rows[3],
        (Some(4), Some(1)),
        "the glue directory holds the 4th reference"
    );
    assert_eq!(rows[5], (None, None), "both freed");
    assert_eq!(trace.list(), ["drm_action"]);
    assert_eq!(
        k.mm.live_count(),
        Kernel::new(Profile::V6_12).mm.live_count()
    );
}

#[test]
fn the_fourth_reference_is_the_glue_directory() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let root = k.root_device_register(&mut host, "test").unwrap().unwrap();
    let drm = k
        .devm_drm_dev_alloc(&mut host, root, DrmDriver::default(), 256, 0)
        .unwrap()
        .unwrap();
    k.drm_dev_register(&mut host, drm, 0).unwrap();
    let holders: Vec<String> = k
        .held_refs(root)
        .map(|(_, r)| match r.holder {
            Holder::KobjectParent { child } | Holder::Child { child } => format!(
                "{:?} of {}",
                std::mem::discriminant(&r.holder),
                k.obj(child).label()
            ),
            Holder::Resource(res) => format!("resource {}", k.name(k.resource(res).name)),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(holders.len(), 4, "{holders:?}");
    assert!(
        holders.iter().any(|h| h.contains("glue dir 'drm'")),
        "{holders:?}"
    );
    assert!(
        holders.iter().any(|h| h.contains("device 'card0'")),
        "{holders:?}"
    );
    assert!(
        holders.iter().any(|h| h == "resource drm_dev_init_release"),
        "{holders:?}"
    );
}

fn control(profile: Profile) -> Vec<Row> {
    let mut k = Kernel::new(profile);
    let mut host = RustHost::new();
    let trace = Trace::default();
    let action = recorder(&mut host, &trace, "drm_action");
    let root = k.root_device_register(&mut host, "test").unwrap().unwrap();
    let mut rows = vec![(count(&k, Some(root)), None)];
    let drm = k
        .drm_dev_alloc(&mut host, DrmDriver::default(), Some(root))
        .unwrap()
        .unwrap();
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    k.drmm_add_action_or_reset(drm, action, 0, "drm_action")
        .unwrap();
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    k.drm_dev_register(&mut host, drm, 0).unwrap();
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    k.drm_dev_unregister(&mut host, drm).unwrap();
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    k.drm_dev_put(&mut host, drm).unwrap();
    assert_eq!(trace.list(), ["drm_action"]);
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    k.root_device_unregister(&mut host, root).unwrap();
    rows.push((count(&k, Some(root)), count(&k, Some(drm))));
    assert_eq!(k.mm.live_count(), Kernel::new(profile).mm.live_count());
    rows
}

#[test]
fn control_scenario_frees_everything_on_both_kernels() {
    for profile in [Profile::V6_1, Profile::V6_12] {
        assert_eq!(
            control(profile),
            vec![
                (Some(1), None),
                (Some(2), Some(1)),
                (Some(2), Some(1)),
                (Some(4), Some(1)),
                (Some(2), Some(1)),
                (Some(1), None),
                (None, None),
            ],
            "{profile:?}"
        );
    }
}

/// drm_managed_test.c's init: a kunit mock device and a helper drm_device.
fn managed_init(k: &mut Kernel, host: &mut RustHost, t: ObjId) -> (ObjId, ObjId) {
    let dev = k.drm_kunit_helper_alloc_device(host, t).unwrap().unwrap();
    let drm = k
        .drm_kunit_helper_alloc_drm_device(host, dev, 256, 0, DRIVER_MODESET)
        .unwrap()
        .unwrap();
    (dev, drm)
}

#[test]
fn drm_test_managed_release_action_runs_once() {
    for profile in [Profile::V6_1, Profile::V6_12] {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let trace = Trace::default();
        let action = recorder(&mut host, &trace, "drm_action");
        let t = k.kunit_init_test("drm_test_managed_release_action", Addr::NULL);
        let (dev, drm) = managed_init(&mut k, &mut host, t);
        assert_eq!(
            k.drmm_add_action_or_reset(drm, action, 7, "drm_action"),
            Ok(0)
        );
        assert_eq!(k.drm_dev_register(&mut host, drm, 0), Ok(0));
        k.drmm_release_action(&mut host, drm, action, 7).unwrap();
        assert_eq!(trace.list(), ["drm_action"]);
        k.drm_dev_unregister(&mut host, drm).unwrap();
        k.drm_kunit_helper_free_device(&mut host, t, dev).unwrap();
        assert_eq!(
            trace.list(),
            ["drm_action"],
            "released actions do not run again"
        );
        assert!(k.obj(drm).is_released());
        let printed: Vec<_> = k
            .log
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Message(m) => Some(m.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(printed, ["[drm] Initialized (null) 0.0.0 for drm_test_managed_release_action.drm-kunit-mock-device on minor 0"]);
    }
}

#[test]
fn drm_test_managed_run_action_runs_at_unbind_on_both_kernels() {
    for profile in [Profile::V6_1, Profile::V6_12] {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let trace = Trace::default();
        let action = recorder(&mut host, &trace, "drm_action");
        let t = k.kunit_init_test("drm_test_managed_run_action", Addr::NULL);
        let (dev, drm) = managed_init(&mut k, &mut host, t);
        k.drmm_add_action_or_reset(drm, action, 0, "drm_action")
            .unwrap();
        k.drm_dev_register(&mut host, drm, 0).unwrap();
        assert_eq!(
            k.kref_read(dev),
            6,
            "own, children list, bus list, drm, card0, glue dir"
        );
        k.drm_dev_unregister(&mut host, drm).unwrap();
        assert_eq!(k.kref_read(dev), 4);
        k.drm_kunit_helper_free_device(&mut host, t, dev).unwrap();
        assert_eq!(trace.list(), ["drm_action"], "{profile:?}");
        k.kunit_cleanup(&mut host, t).unwrap();
        assert_eq!(
            k.mm.live_count(),
            Kernel::new(profile).mm.live_count(),
            "{profile:?}"
        );
    }
}

#[test]
fn minor_index_is_reused_after_release() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    for _ in 0..3 {
        let root = k.root_device_register(&mut host, "r").unwrap().unwrap();
        let drm = k
            .drm_dev_alloc(&mut host, DrmDriver::default(), Some(root))
            .unwrap()
            .unwrap();
        k.drm_dev_register(&mut host, drm, 0).unwrap();
        assert_eq!(k.drm(drm).minors[0].index, 0);
        k.drm_dev_unregister(&mut host, drm).unwrap();
        k.drm_dev_put(&mut host, drm).unwrap();
        k.root_device_unregister(&mut host, root).unwrap();
    }
}

#[test]
fn a_file_open_across_unplug_defers_the_drmm_actions_to_the_last_close() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let trace = Trace::default();
    let action = recorder(&mut host, &trace, "drm_action");
    let root = k.root_device_register(&mut host, "r").unwrap().unwrap();
    let drm = k
        .drm_dev_alloc(&mut host, DrmDriver::default(), Some(root))
        .unwrap()
        .unwrap();
    k.drmm_add_action(drm, action, 0, "drm_action").unwrap();
    k.drm_dev_register(&mut host, drm, 0).unwrap();
    let file = k.drm_open(drm).unwrap().unwrap();
    assert_eq!(k.kref_read(drm), 2);
    assert_eq!(k.drm_dev_enter(drm), Ok(true));
    k.drm_dev_exit(drm);
    k.drm_dev_unplug(&mut host, drm).unwrap();
    assert_eq!(k.drm_dev_enter(drm), Ok(false), "enter fails after unplug");
    assert_eq!(k.drm_open(drm).unwrap(), Err(-19), "no new opens");
    k.drm_dev_put(&mut host, drm).unwrap();
    assert!(
        trace.list().is_empty(),
        "the open file still holds the drm_device"
    );
    assert!(!k.obj(drm).is_released());
    k.drm_release(&mut host, file).unwrap();
    assert_eq!(
        trace.list(),
        ["drm_action"],
        "drmm actions run at the last close"
    );
    assert!(k.obj(drm).is_released());
    k.root_device_unregister(&mut host, root).unwrap();
    assert!(k.obj(root).is_released());
}

#[test]
fn unplug_inside_enter_is_a_deadlock() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let root = k.root_device_register(&mut host, "r").unwrap().unwrap();
    let drm = k
        .drm_dev_alloc(&mut host, DrmDriver::default(), Some(root))
        .unwrap()
        .unwrap();
    assert_eq!(k.drm_dev_enter(drm), Ok(true));
    assert!(k.drm_dev_unplug(&mut host, drm).is_err());
}

#[test]
fn release_order_driver_release_then_drmm_newest_first_then_parent_devm() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let trace = Trace::default();
    let release = recorder(&mut host, &trace, "driver_release");
    let first = recorder(&mut host, &trace, "drmm_first");
    let second = recorder(&mut host, &trace, "drmm_second");
    let devm_before = recorder(&mut host, &trace, "devm_before");
    let devm_after = recorder(&mut host, &trace, "devm_after");
    let root = k.root_device_register(&mut host, "r").unwrap().unwrap();
    k.devm_add_action(root, devm_before, 0, "devm_before")
        .unwrap();
    let driver = DrmDriver {
        release: Some(release),
        ..Default::default()
    };
    let drm = k
        .devm_drm_dev_alloc(&mut host, root, driver, 256, 0)
        .unwrap()
        .unwrap();
    k.devm_add_action(root, devm_after, 0, "devm_after")
        .unwrap();
    k.drmm_add_action(drm, first, 0, "drmm_first").unwrap();
    k.drmm_add_action(drm, second, 0, "drmm_second").unwrap();
    k.root_device_unregister(&mut host, root).unwrap();
    assert_eq!(
        trace.list(),
        [
            "devm_after",
            "driver_release",
            "drmm_second",
            "drmm_first",
            "devm_before"
        ]
    );
}

#[test]
fn drmm_release_action_picks_the_oldest_match_and_devm_the_newest() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let root = k.root_device_register(&mut host, "r").unwrap().unwrap();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let f = host.register("f", move |_, _, args| {
        s.borrow_mut().push(*args.last().unwrap());
        Ok(0)
    });
    let drm = k
        .drm_dev_alloc(&mut host, DrmDriver::default(), Some(root))
        .unwrap()
        .unwrap();
    k.drmm_add_action(drm, f, 1, "f").unwrap();
    k.drmm_add_action(drm, f, 2, "f").unwrap();
    k.drmm_release_action(&mut host, drm, f, 0).unwrap();
    assert_eq!(
        *seen.borrow(),
        [0],
        "oldest entry, called with the caller's NULL data"
    );
    let left: Vec<_> = k
        .drmres_list(drm)
        .iter()
        .filter_map(|r| match k.resource(*r).kind {
            ResKind::Action { data, .. } if k.name(k.resource(*r).name) == "f" => Some(data),
            _ => None,
        })
        .collect();
    assert_eq!(left, [2]);
    seen.borrow_mut().clear();
    k.devm_add_action(root, f, 5, "f").unwrap();
    k.devm_add_action(root, f, 5, "f").unwrap();
    k.devm_release_action(&mut host, root, f, 5).unwrap();
    assert_eq!(k.devres_list(root).len(), 1);
    let _ = <RustHost as Host>::name_of(&host, f);
}
