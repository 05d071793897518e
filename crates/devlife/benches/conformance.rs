//! Benchmark: `devlife run` on the conformance files (the kernel's own KUnit
//! files, extracted from Debian's linux-source-6.12), in process and as a
//! whole process. Run with `cargo bench -p devlife --bench conformance`.
// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use devlife_kunit::{run_file, Filter, Limits};
use devlife_model::Profile;
use std::path::{Path, PathBuf};
use std::process::Command;

const FILES: &[&str] = &[
    "drivers/base/test/root-device-test.c",
    "drivers/base/test/platform-device-test.c",
    "drivers/gpu/drm/tests/drm_managed_test.c",
    "lib/kunit/platform-test.c",
    "lib/kunit/kunit-test.c",
];

/// The kernel tree with the test files, extracted once into target/.
fn kernel_tree() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-kernel");
    let root = dir.join("linux-source-6.12");
    if !root.join(FILES[0]).exists() {
        std::fs::create_dir_all(&dir).expect("bench dir");
        let status = Command::new("tar")
            .args(["-xf", "/usr/src/linux-source-6.12.tar.xz", "-C"])
            .arg(&dir)
            .args([
                "linux-source-6.12/drivers/base/test",
                "linux-source-6.12/drivers/gpu/drm/tests",
                "linux-source-6.12/lib/kunit",
            ])
            .status()
            .expect("tar (install linux-source-6.12)");
        assert!(status.success());
    }
    root
}

fn bench(c: &mut Criterion) {
    let tree = kernel_tree();
    let sources: Vec<(String, String)> = FILES
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read_to_string(tree.join(f)).expect("read"),
            )
        })
        .collect();
    let filter = Filter::default();
    let mut group = c.benchmark_group("conformance");
    for (name, text) in &sources {
        group.bench_function(format!("in-process/{name}"), |b| {
            b.iter(|| {
                run_file(name, text, Profile::V6_12, &filter, Limits::default())
                    .map(|r| r.ktap.len())
            })
        });
    }
    group.bench_function("in-process/all-files-both-kernels", |b| {
        b.iter(|| {
            for profile in [Profile::V6_1, Profile::V6_12] {
                for (name, text) in &sources {
                    let _ = run_file(name, text, profile, &filter, Limits::default());
                }
            }
        })
    });
    let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/devlife");
    if exe.exists() {
        group.bench_function("process/all-files", |b| {
            b.iter(|| {
                Command::new(&exe)
                    .current_dir(&tree)
                    .arg("run")
                    .args(FILES)
                    .output()
                    .expect("devlife")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
