//! Helpers shared by devlife-c's integration tests: the kernel's KUnit
//! files, read from Debian's linux-source-6.12 package at test time (kernel
//! code is never copied into the project), and devlife's kernel prelude.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Debian's kernel source package, which `.ci/run` installs.
pub const KERNEL_TARBALL: &str = "/usr/src/linux-source-6.12.tar.xz";

/// The kernel files the tests read.
pub const KERNEL_FILES: &[&str] = &[
    "drivers/base/test/root-device-test.c",
    "drivers/base/test/platform-device-test.c",
    "drivers/gpu/drm/tests/drm_managed_test.c",
    "lib/kunit/kunit-test.c",
    "lib/kunit/platform-test.c",
];

/// devlife's kernel prelude (`devlife-kunit/prelude/kernel.h`).
pub const KERNEL_PRELUDE: &str = include_str!("../../../devlife-kunit/prelude/kernel.h");

/// The kernel files, extracted once per test binary under cargo's target
/// tmpdir (decompressing the tarball takes seconds, so it is done once).
fn kernel_tree() -> &'static Path {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(|| {
        assert!(
            Path::new(KERNEL_TARBALL).exists(),
            "{KERNEL_TARBALL} is missing: run `bash .ci/run` or `apt-get install linux-source-6.12`"
        );
        let exe = std::env::current_exe().expect("test binary path");
        let stem = exe
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("tests")
            .to_string();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kernel-c-{stem}"));
        let root = dir.join("linux-source-6.12");
        if !KERNEL_FILES.iter().all(|p| root.join(p).exists()) {
            std::fs::create_dir_all(&dir).expect("tmpdir");
            let status = Command::new("tar")
                .arg("-xf")
                .arg(KERNEL_TARBALL)
                .arg("-C")
                .arg(&dir)
                .args(
                    KERNEL_FILES
                        .iter()
                        .map(|p| format!("linux-source-6.12/{p}")),
                )
                .status()
                .expect("tar runs");
            assert!(status.success(), "extracting the kernel test files failed");
        }
        root
    })
}

/// The text of `path` (one of [`KERNEL_FILES`], relative to the kernel tree).
pub fn kernel_file(path: &str) -> String {
    assert!(
        KERNEL_FILES.contains(&path),
        "{path} is not in KERNEL_FILES"
    );
    std::fs::read_to_string(kernel_tree().join(path)).expect("kernel sources are UTF-8")
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
