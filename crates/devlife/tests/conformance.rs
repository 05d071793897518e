//! The kernel's own KUnit files, unmodified, against KTAP recorded from real
//! User-Mode-Linux kernels (tests/conformance/, copied from
//! shared/conformance/): linux-6.12 under `--kernel v6.12`, seed-era (6.12
//! without device_del's devres release, i.e. upstream v6.1 behaviour) under
//! `--kernel v6.1`.
//!
//! Compared: every KTAP line except the kernel's console noise (stack dumps,
//! `[drm]` and sysfs messages), so verdicts, plans, diagnostics and
//! statistics must match exactly.

mod common;

use common::{devlife_in, kernel_tree, stdout};
use std::path::Path;

/// (recording, source file in the kernel tree, suite filter)
const CASES: &[(&str, &str, &str)] = &[
    (
        "root-device-devm",
        "drivers/base/test/root-device-test.c",
        "root-device-devm",
    ),
    (
        "platform-device-devm",
        "drivers/base/test/platform-device-test.c",
        "platform-device-devm",
    ),
    (
        "drm_managed",
        "drivers/gpu/drm/tests/drm_managed_test.c",
        "drm_managed",
    ),
    (
        "kunit_platform_device",
        "lib/kunit/platform-test.c",
        "kunit_platform_device",
    ),
    (
        "kunit_platform_driver",
        "lib/kunit/platform-test.c",
        "kunit_platform_driver",
    ),
];

/// The KTAP lines that carry results: plans, verdicts, diagnostics, stats.
fn result_lines(ktap: &str) -> Vec<String> {
    ktap.lines()
        .filter(|l| {
            l.starts_with("KTAP")
                || l.starts_with("1..")
                || l.starts_with("ok ")
                || l.starts_with("not ok ")
                || l.starts_with("# ")
                || l.starts_with("    ")
        })
        .map(str::to_string)
        .collect()
}

fn recording(variant: &str, name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/conformance/{variant}/{name}.ktap"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check(variant: &str, kernel: &str) {
    let tree = kernel_tree();
    let mut failures = Vec::new();
    for (name, file, suite) in CASES {
        let out = devlife_in(tree, &["run", "--kernel", kernel, "--filter", suite, file]);
        let got = result_lines(&stdout(&out));
        let want = result_lines(&recording(variant, name));
        if got != want {
            failures.push(format!(
                "{name} ({file}, --kernel {kernel}):\n  got:  {got:#?}\n  want: {want:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn linux_6_12_recordings_match_under_v6_12() {
    check("linux-6.12", "v6.12");
}

#[test]
fn seed_era_recordings_match_under_v6_1() {
    check("seed-era", "v6.1");
}

#[test]
fn the_two_profiles_differ_exactly_where_the_real_kernels_do() {
    let tree = kernel_tree();
    for (name, file, suite) in CASES {
        let v612 = result_lines(&stdout(&devlife_in(
            tree,
            &["run", "--kernel", "v6.12", "--filter", suite, file],
        )));
        let v61 = result_lines(&stdout(&devlife_in(
            tree,
            &["run", "--kernel", "v6.1", "--filter", suite, file],
        )));
        let real_differs = result_lines(&recording("linux-6.12", name))
            != result_lines(&recording("seed-era", name));
        assert_eq!(v612 != v61, real_differs, "{name}");
    }
}
