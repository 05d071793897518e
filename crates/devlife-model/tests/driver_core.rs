//! The kernel's own driver-core KUnit tests, reproduced through the library
//! API under both profiles, with the verdicts recorded from real kernels
//! (shared/conformance: linux-6.12 and seed-era).
//!
//! - drivers/base/test/root-device-test.c (suite `root-device-devm`)
//! - drivers/base/test/platform-device-test.c (suite `platform-device-devm`)
//! - lib/kunit/kunit-test.c (suite `kunit_device`)

use devlife_model::drivers::base::driver::DriverOps;
use devlife_model::drivers::base::platform::PLATFORM_DEVID_NONE;
use devlife_model::{Addr, DevId, EventKind, Host, Kernel, Profile, RustHost};
use std::cell::Cell;
use std::rc::Rc;

/// A boolean the callbacks set, like the tests' `release_done`.
#[derive(Clone, Default)]
struct Flag(Rc<Cell<bool>>);

impl Flag {
    fn set(&self) {
        self.0.set(true);
    }
    fn get(&self) -> bool {
        self.0.get()
    }
}

/// A device slot the callbacks read, like the tests' `priv->dev`.
#[derive(Clone, Default)]
struct Slot(Rc<Cell<Option<DevId>>>);

fn both() -> [Profile; 2] {
    [Profile::V6_1, Profile::V6_12]
}

/// The names of the callbacks the model ran, in order.
fn callbacks_run(host: &RustHost) -> Vec<String> {
    host.called().iter().map(|f| host.name_of(*f)).collect()
}

// ---- root-device-test.c ----

fn root_register_unregister(profile: Profile) -> (bool, Kernel) {
    let mut k = Kernel::new(profile);
    let mut host = RustHost::new();
    let done = Flag::default();
    let d = done.clone();
    let action = host.register("devm_device_action", move |_, _, _| {
        d.set();
        Ok(0)
    });
    let dev = k.root_device_register(&mut host, "test").unwrap().unwrap();
    assert_eq!(
        k.devm_add_action_or_reset(dev, action, 0, "devm_device_action"),
        Ok(0)
    );
    k.root_device_unregister(&mut host, dev).unwrap();
    (done.get(), k)
}

fn root_get_unregister_with_devm(profile: Profile) -> (bool, Kernel, DevId) {
    let mut k = Kernel::new(profile);
    let mut host = RustHost::new();
    let done = Flag::default();
    let slot = Slot::default();
    let (d, s) = (done.clone(), slot.clone());
    let action = host.register(
        "devm_put_device_action",
        move |k: &mut Kernel, host: &mut dyn Host, _| {
            k.put_device(host, s.0.get().unwrap())?;
            d.set();
            Ok(0)
        },
    );
    let dev = k.root_device_register(&mut host, "test").unwrap().unwrap();
    slot.0.set(Some(dev));
    k.get_device(dev).unwrap();
    assert_eq!(
        k.devm_add_action_or_reset(dev, action, 0, "devm_put_device_action"),
        Ok(0)
    );
    k.root_device_unregister(&mut host, dev).unwrap();
    (done.get(), k, dev)
}

#[test]
fn root_device_register_unregister_passes_on_both_kernels() {
    for profile in both() {
        let (done, k) = root_register_unregister(profile);
        assert!(done, "{profile:?}: the devm action must run");
        assert_eq!(
            k.mm.live_count(),
            boot_allocations(profile),
            "{profile:?}: the root device is freed"
        );
    }
}

#[test]
fn root_device_get_unregister_with_devm_leaks_only_under_v6_1() {
    let (done, k, dev) = root_get_unregister_with_devm(Profile::V6_12);
    assert!(done, "v6.12: device_del releases devres");
    assert!(k.obj(dev).is_released());

    let (done, k, dev) = root_get_unregister_with_devm(Profile::V6_1);
    assert!(
        !done,
        "v6.1: the devm action waits for the last reference, which it holds"
    );
    assert_eq!(k.kref_read(dev), 1);
    assert!(!k.obj(dev).is_released());
    let holders: Vec<_> = k.held_refs(dev).map(|(_, r)| r.holder).collect();
    assert_eq!(holders, vec![devlife_model::Holder::Caller(&"get_device")]);
}

/// What boot leaves allocated: the `platform` and `kunit` bus devices.
fn boot_allocations(profile: Profile) -> usize {
    Kernel::new(profile).mm.live_count()
}

// ---- platform-device-test.c ----

struct PlatformCase {
    done: Flag,
    probed: Flag,
}

fn platform_case(profile: Profile, probed_driver: bool, with_get: bool) -> PlatformCase {
    let mut k = Kernel::new(profile);
    let mut host = RustHost::new();
    let (done, probed, slot) = (Flag::default(), Flag::default(), Slot::default());
    let p = probed.clone();
    let probe = host.register("fake_probe", move |_, _, _| {
        p.set();
        Ok(0)
    });
    let (d, s) = (done.clone(), slot.clone());
    let action = host.register(
        "devm_action",
        move |k: &mut Kernel, host: &mut dyn Host, _| {
            if with_get {
                k.put_device(host, s.0.get().unwrap())?;
            }
            d.set();
            Ok(0)
        },
    );
    let drv = k.platform_driver_new(
        "test",
        DriverOps {
            probe: Some(probe),
            remove: None,
        },
        Addr::NULL,
    );
    if probed_driver {
        assert_eq!(k.platform_driver_register(&mut host, drv), Ok(0));
    }
    let dev = k.platform_device_alloc("test", PLATFORM_DEVID_NONE);
    slot.0.set(Some(dev));
    assert_eq!(k.platform_device_add(&mut host, dev), Ok(0));
    assert_eq!(probed.get(), probed_driver, "probe runs inside device_add");
    if with_get {
        k.get_device(dev).unwrap();
    }
    assert_eq!(
        k.devm_add_action_or_reset(dev, action, 0, "devm_action"),
        Ok(0)
    );
    k.platform_device_unregister(&mut host, dev).unwrap();
    if probed_driver {
        k.platform_driver_unregister(&mut host, drv).unwrap();
    }
    PlatformCase { done, probed }
}

#[test]
fn platform_device_verdicts_match_the_recordings() {
    // (probed, with_get) → passes under v6.1 / v6.12
    let cases = [
        ((false, false), (true, true)),
        ((false, true), (false, true)),
        ((true, false), (true, true)),
        ((true, true), (true, true)),
    ];
    for ((probed, with_get), (v61, v612)) in cases {
        for (profile, expected) in [(Profile::V6_1, v61), (Profile::V6_12, v612)] {
            let c = platform_case(profile, probed, with_get);
            assert_eq!(
                c.done.get(),
                expected,
                "{profile:?} probed={probed} get={with_get}"
            );
            assert_eq!(c.probed.get(), probed);
        }
    }
}

#[test]
fn a_bound_device_runs_remove_before_its_devres() {
    let mut k = Kernel::new(Profile::V6_1);
    let mut host = RustHost::new();
    let probe = host.register("probe", |_, _, _| Ok(0));
    let remove = host.register("remove", |_, _, _| Ok(0));
    let action = host.register("action", |_, _, _| Ok(0));
    let drv = k.platform_driver_new(
        "x",
        DriverOps {
            probe: Some(probe),
            remove: Some(remove),
        },
        Addr::NULL,
    );
    k.platform_driver_register(&mut host, drv).unwrap();
    let dev = k.platform_device_alloc("x", 1);
    k.platform_device_add(&mut host, dev).unwrap();
    assert_eq!(k.dev_name(dev), "x.1");
    k.devm_add_action(dev, action, 0, "action").unwrap();
    k.platform_device_unregister(&mut host, dev).unwrap();
    assert_eq!(callbacks_run(&host), ["probe", "remove", "action"]);
}

#[test]
fn a_platform_device_counts_three_and_its_bus_device_two_more() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let pb = k.platform_bus_device();
    let before = k.kref_read(pb);
    let dev = k.platform_device_alloc("cnt", PLATFORM_DEVID_NONE);
    k.platform_device_add(&mut host, dev).unwrap();
    assert_eq!(k.kref_read(dev), 3);
    assert_eq!(k.kref_read(pb), before + 2);
    k.platform_device_unregister(&mut host, dev).unwrap();
    assert_eq!(k.kref_read(pb), before);
    assert!(k.obj(dev).is_released());
}

#[test]
fn duplicate_platform_names_fail_with_eexist() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let a = k.platform_device_alloc("dup", PLATFORM_DEVID_NONE);
    let b = k.platform_device_alloc("dup", PLATFORM_DEVID_NONE);
    assert_eq!(k.platform_device_add(&mut host, a), Ok(0));
    assert_eq!(k.platform_device_add(&mut host, b), Ok(-17));
    let pb = k.platform_bus_device();
    assert_eq!(
        k.kref_read(b),
        1,
        "the failed add returned every reference it took"
    );
    k.platform_device_put(&mut host, b).unwrap();
    assert!(k.obj(b).is_released());
    k.platform_device_unregister(&mut host, a).unwrap();
    assert_eq!(k.kref_read(pb), 1);
}

// ---- lib/kunit/kunit-test.c, suite kunit_device ----

#[test]
fn kunit_device_test_runs_devres_at_unregister_on_both_kernels() {
    for profile in both() {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let t = k.kunit_init_test("kunit_device_test", Addr::NULL);
        let done = Flag::default();
        let d = done.clone();
        let action = host.register("test_dev_action", move |_, _, _| {
            d.set();
            Ok(0)
        });
        let dev = k
            .kunit_device_register(&mut host, t, "my_device")
            .unwrap()
            .unwrap();
        assert_eq!(k.dev_name(dev), "kunit_device_test.my_device");
        assert_eq!(k.kref_read(dev), 3);
        k.devm_add_action(dev, action, 0, "test_dev_action")
            .unwrap();
        assert!(!done.get());
        k.kunit_device_unregister(&mut host, t, dev).unwrap();
        assert!(done.get(), "{profile:?}");
        assert!(k.obj(dev).is_released());
        k.kunit_cleanup(&mut host, t).unwrap();
        assert_eq!(
            k.mm.live_count(),
            boot_allocations(profile),
            "{profile:?}: everything freed"
        );
    }
}

#[test]
fn kunit_device_cleanup_test_runs_devres_in_kunit_cleanup() {
    for profile in both() {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let t = k.kunit_init_test("kunit_device_cleanup_test", Addr::NULL);
        k.set_current_test(Some(t));
        let done = Flag::default();
        let d = done.clone();
        let action = host.register("test_dev_action", move |_, _, _| {
            d.set();
            Ok(0)
        });
        let dev = k
            .kunit_device_register(&mut host, t, "my_device")
            .unwrap()
            .unwrap();
        k.devm_add_action(dev, action, 0, "test_dev_action")
            .unwrap();
        k.kunit_cleanup(&mut host, t).unwrap();
        assert!(done.get());
        assert_eq!(
            k.current_test(),
            None,
            "kunit_cleanup clears current->kunit_test"
        );
    }
}

#[test]
fn kunit_device_driver_test_probes_removes_and_reprobes() {
    for profile in both() {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let t = k.kunit_init_test("kunit_device_driver_test", Addr::NULL);
        let (probed, removed, done) = (Flag::default(), Flag::default(), Flag::default());
        let (p, r, d) = (probed.clone(), removed.clone(), done.clone());
        let probe = host.register("driver_probe_hook", move |_, _, _| {
            p.set();
            Ok(0)
        });
        let remove = host.register("driver_remove_hook", move |_, _, _| {
            r.set();
            Ok(0)
        });
        let action = host.register("test_dev_action", move |_, _, _| {
            d.set();
            Ok(0)
        });
        let drv = k
            .kunit_driver_create(&mut host, t, "my_driver")
            .unwrap()
            .unwrap();
        k.driver_mut(drv).ops = DriverOps {
            probe: Some(probe),
            remove: Some(remove),
        };
        let dev = k
            .kunit_device_register_with_driver(&mut host, t, "my_device", drv)
            .unwrap()
            .unwrap();
        assert!(probed.get());
        assert_eq!(k.dev(dev).driver, Some(drv));
        k.devm_add_action(dev, action, 0, "test_dev_action")
            .unwrap();
        k.kunit_device_unregister(&mut host, t, dev).unwrap();
        assert!(removed.get() && done.get());
        probed.0.set(false);
        let dev2 = k
            .kunit_device_register_with_driver(&mut host, t, "my_device", drv)
            .unwrap()
            .unwrap();
        assert!(probed.get(), "the same name can be registered again");
        k.kunit_cleanup(&mut host, t).unwrap();
        assert!(k.obj(dev2).is_released());
        assert!(!k.driver(drv).registered, "cleanup unregisters the driver");
        assert_eq!(k.mm.live_count(), boot_allocations(profile));
    }
}

#[test]
fn using_a_newer_api_under_v6_1_is_recorded_once() {
    let mut k = Kernel::new(Profile::V6_1);
    let mut host = RustHost::new();
    let t = k.kunit_init_test("t", Addr::NULL);
    k.kunit_device_register(&mut host, t, "a").unwrap().unwrap();
    k.kunit_device_register(&mut host, t, "b").unwrap().unwrap();
    let anachronisms: Vec<_> = k
        .log
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Anachronism { api, since } => Some(format!("{api} {since}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        anachronisms,
        ["kunit_device_register v6.8"],
        "the driver kunit_device_register creates itself is the kernel's business"
    );
}
