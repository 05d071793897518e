//! devlife's KTAP goes through the kernel's own `kunit.py parse` (from the
//! same linux-source-6.12 package) with the same pass/fail counts.

mod common;

use common::{devlife_in, kernel_tree, stderr, stdout};
use std::io::Write;
use std::process::{Command, Stdio};

/// `(passed, failed)` from kunit.py's closing line.
fn kunit_py_counts(ktap: &str) -> (u32, u32) {
    let tree = kernel_tree();
    let mut child = Command::new("python3")
        .arg(tree.join("tools/testing/kunit/kunit.py"))
        .arg("parse")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ktap.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("kunit.py finishes");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("Testing complete."))
        .unwrap_or_else(|| panic!("no summary in:\n{text}"));
    let num = |key: &str| -> u32 {
        line.split(key)
            .nth(1)
            .and_then(|s| s.trim_start().split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (num("passed:"), num("failed:"))
}

/// `(passed, failed)` from devlife's own summary line.
fn devlife_counts(summary: &str) -> (u32, u32) {
    let line = summary.lines().last().unwrap_or_default();
    let mut nums = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap_or(0));
    (nums.next().unwrap_or(0), nums.next().unwrap_or(0))
}

#[test]
fn kunit_py_parse_agrees_with_devlife_on_every_conformance_file() {
    let tree = kernel_tree();
    let files = [
        "drivers/base/test/root-device-test.c",
        "drivers/base/test/platform-device-test.c",
        "drivers/gpu/drm/tests/drm_managed_test.c",
        "lib/kunit/platform-test.c",
        "lib/kunit/kunit-test.c",
    ];
    for kernel in ["v6.1", "v6.12"] {
        let mut args = vec!["run", "--kernel", kernel];
        args.extend(files);
        let out = devlife_in(tree, &args);
        let ours = devlife_counts(&stderr(&out));
        assert!(ours.0 > 0, "devlife ran nothing: {}", stderr(&out));
        assert_eq!(kunit_py_counts(&stdout(&out)), ours, "--kernel {kernel}");
    }
}
