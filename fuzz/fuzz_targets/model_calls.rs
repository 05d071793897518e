//! Fuzz target: random sequences of model calls under both profiles —
//! driver core, buses and binding, devres (managed and raw), krefs and
//! kobjects of the caller's own (in memory it allocated, or at a modelled
//! object's address), DRM devices and files, drmm, KUnit resources, actions
//! and devices — with callbacks that re-enter the model (a matcher that
//! frees the node it is asked about, an action that puts a device). Misuse
//! must end in a `Fault` (or a kernel warning), never a panic.
#![no_main]

use devlife_model::drivers::base::bus::{BusId, BusOps};
use devlife_model::drivers::base::driver::{DriverOps, DrvId, DrvKind};
use devlife_model::drivers::gpu::drm::drm_drv::DrmDriver;
use devlife_model::{Addr, AllocKind, DevId, FnRef, Kernel, ObjId, Profile, RustHost};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::rc::Rc;

/// The handles a sequence works on. Devices are shared with the callbacks
/// that re-enter the model.
#[derive(Default)]
struct Pools {
    devs: Rc<RefCell<Vec<DevId>>>,
    drms: Vec<ObjId>,
    files: Vec<ObjId>,
    mems: Vec<Addr>,
    buses: Vec<BusId>,
    drivers: Vec<DrvId>,
}

/// The callbacks handed to the model.
struct Callbacks {
    action: FnRef,
    /// Puts the device whose pool index is its data.
    put_action: FnRef,
    /// Accepts entries whose data's first byte is odd; frees the node it
    /// is asked about when that byte is 3.
    matcher: FnRef,
    probe: FnRef,
}

fn pick<T: Copy>(v: &[T], b: u8) -> Option<T> {
    (!v.is_empty()).then(|| v[b as usize % v.len()])
}

/// Calls of the 16 ops the target began with: devices, devres, DRM.
fn core_step(
    k: &mut Kernel,
    host: &mut RustHost,
    p: &mut Pools,
    (op, arg): (u8, u8),
    test: ObjId,
    cb: &Callbacks,
) {
    let dev = pick(&p.devs.borrow(), arg);
    let drm = pick(&p.drms, arg);
    let _ = match op {
        0 => k
            .root_device_register(host, "r")
            .map(|r| r.map(|d| p.devs.borrow_mut().push(d)).unwrap_or(())),
        1 => {
            let d = k.platform_device_alloc("p", i32::from(arg % 4) - 1);
            p.devs.borrow_mut().push(d);
            Ok(())
        }
        2 => dev.map_or(Ok(()), |d| k.platform_device_add(host, d).map(|_| ())),
        3 => dev.map_or(Ok(()), |d| k.get_device(d).map(|_| ())),
        4 => dev.map_or(Ok(()), |d| k.put_device(host, d)),
        5 => dev.map_or(Ok(()), |d| k.device_del(host, d)),
        6 => dev.map_or(Ok(()), |d| {
            let action = if arg % 5 == 0 { cb.put_action } else { cb.action };
            k.devm_add_action(d, action, u64::from(arg), "a").map(|_| ())
        }),
        7 => dev.map_or(Ok(()), |d| k.devm_release_action(host, d, cb.action, u64::from(arg))),
        8 => dev.map_or(Ok(()), |d| k.devm_kzalloc(d, u32::from(arg)).map(|_| ())),
        9 => dev.map_or(Ok(()), |d| k.devres_open_group(d, u64::from(arg % 3)).map(|_| ())),
        10 => dev.map_or(Ok(()), |d| {
            k.devres_release_group(host, d, u64::from(arg % 3)).map(|_| ())
        }),
        11 => dev.map_or(Ok(()), |d| {
            k.devm_drm_dev_alloc(host, d, DrmDriver::default(), 256, 0)
                .map(|r| r.map(|m| p.drms.push(m)).unwrap_or(()))
        }),
        12 => drm.map_or(Ok(()), |m| k.drm_dev_register(host, m, 0).map(|_| ())),
        13 => drm.map_or(Ok(()), |m| k.drm_dev_unplug(host, m)),
        14 => k.kunit_kzalloc(test, u32::from(arg)).map(|_| ()),
        _ => dev.map_or(Ok(()), |d| k.device_release_driver(host, d)),
    };
}

/// The caller's own memory, krefs and kobjects, and the raw devres API.
fn memory_step(k: &mut Kernel, host: &mut RustHost, p: &mut Pools, op: u8, arg: u8, cb: &Callbacks) {
    let dev = pick(&p.devs.borrow(), arg);
    // Half the time a buffer of the caller's, else a modelled device's
    // address: both must be told apart from the caller's own objects.
    let at = match dev {
        Some(d) if arg % 2 == 1 => Some(k.obj(d).addr),
        _ => pick(&p.mems, arg),
    };
    let _ = match op {
        0 => {
            p.mems.push(k.kmalloc(64, AllocKind::Kmalloc, "buffer"));
            Ok(())
        }
        1 => at.map_or(Ok(()), |a| k.kfree(a)),
        2 => at.map_or(Ok(()), |a| k.kref_init_at(a, "kref")),
        3 => at.map_or(Ok(()), |a| k.kref_get_at(a, "kref")),
        4 => at.map_or(Ok(()), |a| k.kref_put_at(host, a, cb.action, "kref").map(|_| ())),
        5 => at.map_or(Ok(()), |a| k.kref_get_unless_zero_at(a, "kref").map(|_| ())),
        6 => at.map_or(Ok(()), |a| k.kobject_init_at(a, Some(cb.action), "kobj").map(|_| ())),
        7 => at.map_or(Ok(()), |a| {
            let parent = dev.filter(|_| arg % 3 == 0);
            let name = ["k0", "k1", ""][usize::from(arg % 3)];
            k.kobject_add_at(a, parent, name);
            Ok(())
        }),
        8 => at.map_or(Ok(()), |a| k.kobject_get_at(a)),
        9 => at.map_or(Ok(()), |a| k.kobject_put_at(host, a)),
        10 => at.map_or(Ok(()), |a| k.kobject_del_at(host, a)),
        11 => {
            let data = k.devres_alloc(cb.action, u64::from(arg % 16), "node");
            let _ = k.mm.write(data, &[arg]);
            p.mems.push(data);
            Ok(())
        }
        12 => match (dev, at) {
            (Some(d), Some(a)) => k.devres_add(d, a),
            _ => Ok(()),
        },
        13 => at.map_or(Ok(()), |a| k.devres_free(a)),
        14 => match (dev, at) {
            (Some(d), Some(a)) => k.devres_get(host, d, a, Some(cb.matcher), 0).map(|_| ()),
            _ => Ok(()),
        },
        _ => dev.map_or(Ok(()), |d| {
            let (release, matcher) = (cb.action, Some(cb.matcher).filter(|_| arg % 2 == 0));
            let data = u64::from(arg);
            match arg % 4 {
                0 => k.devres_find(host, d, release, matcher, data).map(|_| ()),
                1 => k.devres_remove(host, d, release, matcher, data).map(|_| ()),
                2 => k.devres_destroy(host, d, release, matcher, data).map(|_| ()),
                _ => k.devres_release(host, d, release, matcher, data).map(|_| ()),
            }
        }),
    };
}

/// DRM references and files, drmm, KUnit, buses and binding.
fn more_step(
    k: &mut Kernel,
    host: &mut RustHost,
    p: &mut Pools,
    (op, arg): (u8, u8),
    test: ObjId,
    cb: &Callbacks,
) {
    let dev = pick(&p.devs.borrow(), arg);
    let drm = pick(&p.drms, arg);
    let drv = pick(&p.drivers, arg);
    let _ = match op {
        0 => drm.map_or(Ok(()), |m| k.drmm_add_action(m, cb.action, u64::from(arg), "d").map(|_| ())),
        1 => drm.map_or(Ok(()), |m| k.drm_dev_get(m)),
        2 => drm.map_or(Ok(()), |m| k.drm_dev_put(host, m)),
        3 => drm.map_or(Ok(()), |m| {
            let entered = k.drm_dev_enter(m)?;
            if entered {
                k.drm_dev_exit(m);
            }
            Ok(())
        }),
        4 => drm.map_or(Ok(()), |m| {
            k.mock_drm_getfile(m).map(|f| f.map(|f| p.files.push(f)).unwrap_or(()))
        }),
        5 => pick(&p.files, arg).map_or(Ok(()), |f| k.drm_release(host, f)),
        6 => drm.map_or(Ok(()), |m| k.drm_dev_unregister(host, m)),
        7 => {
            let action = if arg % 5 == 0 { cb.put_action } else { cb.action };
            k.kunit_add_action(test, action, u64::from(arg), "k");
            Ok(())
        }
        8 => k.kunit_release_action(host, test, cb.action, u64::from(arg)),
        9 => k.kunit_device_register(host, test, "kd")
            .map(|r| r.map(|d| p.devs.borrow_mut().push(d)).unwrap_or(())),
        10 => dev.map_or(Ok(()), |d| k.kunit_device_unregister(host, test, d)),
        11 => {
            let ops = BusOps {
                matcher: Some(cb.matcher).filter(|_| arg % 2 == 0),
                ..BusOps::default()
            };
            let name = ["b0", "b1"][usize::from(arg % 2)];
            if let Ok(bus) = k.bus_register_at(Addr::NULL, name, ops) {
                p.buses.push(bus);
            }
            Ok(())
        }
        12 => pick(&p.buses, arg).map_or(Ok(()), |bus| {
            let ops = DriverOps {
                probe: Some(cb.probe),
                remove: None,
            };
            let d = k.driver_new("drv", bus, DrvKind::Plain, ops, Addr::NULL);
            p.drivers.push(d);
            k.driver_register(host, d).map(|_| ())
        }),
        13 => match (dev, pick(&p.buses, arg)) {
            (Some(d), Some(bus)) if !k.obj(d).is_released() => {
                k.set_bus(d, Some(bus));
                k.device_attach(host, d).map(|_| ())
            }
            _ => Ok(()),
        },
        14 => match (dev, drv) {
            (Some(d), Some(v)) => k.device_bind_driver(host, d, v).map(|_| ()),
            _ => Ok(()),
        },
        _ => drv.map_or(Ok(()), |v| match arg % 2 {
            0 => k.driver_attach_now(host, v).map(|_| ()),
            _ => k.driver_unregister(host, v),
        }),
    };
}

fn callbacks(host: &mut RustHost, devs: &Rc<RefCell<Vec<DevId>>>) -> Callbacks {
    let action = host.register("action", |_, _, _| Ok(0));
    let shared = Rc::clone(devs);
    let put_action = host.register("put_action", move |k, host, args| {
        let dev = pick(&shared.borrow(), args.first().copied().unwrap_or(0) as u8);
        dev.map_or(Ok(0), |d| k.put_device(host, d).map(|()| 0))
    });
    let matcher = host.register("matcher", |k, _, args| {
        // devres matchers get (dev, data, match_data), bus ones (dev, drv).
        let data = Addr(args.get(1).copied().unwrap_or(0));
        let first = k.mm.read_scalar(data, 1).unwrap_or(0);
        if first == 3 {
            k.devres_free(data)?;
        }
        Ok(first % 2)
    });
    let probe = host.register("probe", |_, _, _| Ok(0));
    Callbacks {
        action,
        put_action,
        matcher,
        probe,
    }
}

fuzz_target!(|data: &[u8]| {
    for profile in [Profile::V6_1, Profile::V6_12] {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let mut pools = Pools::default();
        let cb = callbacks(&mut host, &pools.devs);
        let drv = k.platform_driver_new(
            "p",
            DriverOps {
                probe: Some(cb.probe),
                remove: None,
            },
            Addr::NULL,
        );
        let _ = k.platform_driver_register(&mut host, drv);
        let test = k.kunit_init_test("fuzz", Addr::NULL);
        for pair in data.chunks(2).take(256) {
            let (op, arg) = (pair[0], pair.get(1).copied().unwrap_or(0));
            match op % 48 {
                o @ 0..=15 => core_step(&mut k, &mut host, &mut pools, (o, arg), test, &cb),
                o @ 16..=31 => memory_step(&mut k, &mut host, &mut pools, o - 16, arg, &cb),
                o => more_step(&mut k, &mut host, &mut pools, (o - 32, arg), test, &cb),
            }
        }
        let _ = k.kunit_cleanup(&mut host, test);
    }
});
