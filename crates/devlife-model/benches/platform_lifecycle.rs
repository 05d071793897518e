//! Benchmarks of the driver-core model.
// criterion's macros generate undocumented functions.
#![allow(missing_docs)]
//! Benchmark: 100,000 platform devices through register → (probe adds a
//! devm action) → unbind → unregister, with the event log on.
//!
//! Four modelled API calls per device: `platform_device_register_simple`
//! (which binds the device to the registered driver and runs its probe),
//! `devm_add_action` (from the probe), `device_release_driver` and
//! `platform_device_unregister`. Run with
//! `cargo bench -p devlife-model --bench platform_lifecycle`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use devlife_model::drivers::base::driver::DriverOps;
use devlife_model::drivers::base::platform::PLATFORM_DEVID_NONE;
use devlife_model::{Addr, DevId, Host, Kernel, Profile, RustHost};
use std::hint::black_box;

const DEVICES: u64 = 100_000;
const CALLS_PER_DEVICE: u64 = 4;

/// Runs the whole loop on a fresh kernel and returns how many actions ran.
fn lifecycle(devices: u64) -> u64 {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let ran = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let r = ran.clone();
    let action = host.register("action", move |_, _, _| {
        r.set(r.get() + 1);
        Ok(0)
    });
    let probe = host.register(
        "probe",
        move |k: &mut Kernel, _: &mut dyn Host, args: &[u64]| {
            let pdev = k
                .platform_device_at(Addr(args[0]))
                .expect("probe gets a platform device");
            k.devm_add_action(pdev, action, 0, "action")?;
            Ok(0)
        },
    );
    let drv = k.platform_driver_new(
        "bench",
        DriverOps {
            probe: Some(probe),
            remove: None,
        },
        Addr::NULL,
    );
    k.platform_driver_register(&mut host, drv).unwrap();
    for _ in 0..devices {
        let dev: DevId = k
            .platform_device_register_simple(&mut host, "bench", PLATFORM_DEVID_NONE)
            .unwrap()
            .unwrap();
        k.device_release_driver(&mut host, dev).unwrap();
        k.platform_device_unregister(&mut host, dev).unwrap();
    }
    assert_eq!(ran.get(), devices, "every devm action ran");
    black_box(k.log.events().len());
    ran.get()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("platform_lifecycle");
    group.sample_size(10);
    group.throughput(Throughput::Elements(DEVICES * CALLS_PER_DEVICE));
    group.bench_function("100k_devices_4_calls_each", |b| {
        b.iter(|| lifecycle(DEVICES))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
