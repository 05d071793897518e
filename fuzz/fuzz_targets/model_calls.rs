//! Fuzz target: random sequences of driver-core, devres, KUnit and DRM calls
//! on the model, under both profiles. Misuse must end in a `Fault` (or a
//! kernel warning), never a panic.
#![no_main]

use devlife_model::drivers::base::driver::DriverOps;
use devlife_model::drivers::gpu::drm::drm_drv::DrmDriver;
use devlife_model::{Addr, DevId, Kernel, ObjId, Profile, RustHost};
use libfuzzer_sys::fuzz_target;

/// The handles a sequence works on.
#[derive(Default)]
struct Pools {
    devs: Vec<DevId>,
    drms: Vec<ObjId>,
}

fn pick<T: Copy>(v: &[T], b: u8) -> Option<T> {
    (!v.is_empty()).then(|| v[b as usize % v.len()])
}

fn step(
    k: &mut Kernel,
    host: &mut RustHost,
    p: &mut Pools,
    op: u8,
    arg: u8,
    test: ObjId,
    action: devlife_model::FnRef,
) {
    let dev = pick(&p.devs, arg);
    let drm = pick(&p.drms, arg);
    let _ = match op % 16 {
        0 => k
            .root_device_register(host, "r")
            .map(|r| r.map(|d| p.devs.push(d)).unwrap_or(())),
        1 => {
            let d = k.platform_device_alloc("p", i32::from(arg % 4) - 1);
            p.devs.push(d);
            Ok(())
        }
        2 => dev.map_or(Ok(()), |d| k.platform_device_add(host, d).map(|_| ())),
        3 => dev.map_or(Ok(()), |d| k.get_device(d).map(|_| ())),
        4 => dev.map_or(Ok(()), |d| k.put_device(host, d)),
        5 => dev.map_or(Ok(()), |d| k.device_del(host, d)),
        6 => dev.map_or(Ok(()), |d| {
            k.devm_add_action(d, action, u64::from(arg), "a")
                .map(|_| ())
        }),
        7 => dev.map_or(Ok(()), |d| {
            k.devm_release_action(host, d, action, u64::from(arg))
        }),
        8 => dev.map_or(Ok(()), |d| k.devm_kzalloc(d, u32::from(arg)).map(|_| ())),
        9 => dev.map_or(Ok(()), |d| {
            k.devres_open_group(d, u64::from(arg % 3)).map(|_| ())
        }),
        10 => dev.map_or(Ok(()), |d| {
            k.devres_release_group(host, d, u64::from(arg % 3))
                .map(|_| ())
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

fuzz_target!(|data: &[u8]| {
    for profile in [Profile::V6_1, Profile::V6_12] {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let action = host.register("action", |_, _, _| Ok(0));
        let probe = host.register("probe", |_, _, _| Ok(0));
        let drv = k.platform_driver_new(
            "p",
            DriverOps {
                probe: Some(probe),
                remove: None,
            },
            Addr::NULL,
        );
        let _ = k.platform_driver_register(&mut host, drv);
        let test = k.kunit_init_test("fuzz", Addr::NULL);
        let mut pools = Pools::default();
        for pair in data.chunks(2).take(256) {
            step(
                &mut k,
                &mut host,
                &mut pools,
                pair[0],
                pair.get(1).copied().unwrap_or(0),
                test,
                action,
            );
        }
        let _ = k.kunit_cleanup(&mut host, test);
    }
});
