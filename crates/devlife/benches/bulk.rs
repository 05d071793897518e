//! Benchmark: `benches/bulk-lifetimes.c`, the bulk lifetime loops of the
//! real kernel's speed table (`shared/conformance/README.md`), through the
//! C interpreter with the event log on. Each case is timed on its own, as
//! the kernel's figures time the loop inside a booted kernel: the file is
//! compiled and loaded before the clock starts, and the model is freed
//! after it stops (`case/...`, modelled kernel API calls per second). The
//! whole file also runs as a process, and is explained as one
//! (`process/explain-all-cases`). Run with `cargo bench -p devlife
//! --bench bulk` (the process figure needs `cargo build --release -p
//! devlife` first).
// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use devlife_kunit::{load_file, Filter, Limits};
use devlife_model::Profile;
use std::path::Path;
use std::process::{Command, Stdio};

/// The cases, with the kernel API calls each makes (as the kernel's table
/// counts them: per iteration × iterations).
const CASES: &[(&str, u64)] = &[
    // root_device_register; devm_add_action_or_reset; root_device_unregister
    ("root_device_devm_action", 3 * 100_000),
    // platform_device_register_simple; probe's devm_add_action_or_reset;
    // platform_device_unregister
    ("platform_device_probe_devm", 3 * 100_000),
    // devm_add_action_or_reset
    ("devm_actions_one_root", 100_000),
    // kunit_device_register; devm_drm_dev_alloc; drmm_add_action_or_reset;
    // drm_dev_register; drm_dev_unregister; kunit_device_unregister
    ("drm_device_drmm_action", 6 * 10_000),
];

const FILE: &str = "benches/bulk-lifetimes.c";

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join(FILE)).expect("read the bench file");
    let mut group = c.benchmark_group("bulk-lifetimes");
    group.sample_size(10);
    for &(case, calls) in CASES {
        let filter = Filter::parse(Some(&format!("bulk-lifetimes.{case}"))).expect("filter");
        group.throughput(Throughput::Elements(calls));
        group.bench_function(format!("case/{case}"), |b| {
            b.iter_batched(
                || {
                    load_file(FILE, &text, Profile::V6_12, Limits::default())
                        .expect("bench file loads")
                },
                |loaded| {
                    let run = loaded.run(&filter);
                    assert!(run.ktap.contains("\nok 1 bulk-lifetimes"), "{}", run.ktap);
                    run
                },
                BatchSize::PerIteration,
            )
        });
    }
    let exe = root.join("target/release/devlife");
    if exe.exists() {
        group.throughput(Throughput::Elements(CASES.iter().map(|c| c.1).sum()));
        group.bench_function("process/all-cases", |b| {
            b.iter(|| {
                let status = Command::new(&exe)
                    .current_dir(&root)
                    .args(["run", FILE])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("devlife");
                assert!(status.success());
            })
        });
        // The explanation of the same loops: the report must stay linear
        // in a loop's length (one column per device once made this run
        // out of memory).
        group.throughput(Throughput::Elements(CASES.iter().map(|c| c.1).sum()));
        group.bench_function("process/explain-all-cases", |b| {
            b.iter(|| {
                let out = Command::new(&exe)
                    .current_dir(&root)
                    .args(["explain", FILE])
                    .stderr(Stdio::null())
                    .output()
                    .expect("devlife");
                assert!(out.status.success());
                assert!(out.stdout.len() < 1 << 20, "{} bytes", out.stdout.len());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
