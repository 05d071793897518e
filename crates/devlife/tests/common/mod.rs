//! Helpers shared by the CLI's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Debian's kernel source package, which `.ci/run` installs.
pub const KERNEL_TARBALL: &str = "/usr/src/linux-source-6.12.tar.xz";

/// The parts of the kernel tree the tests read: its KUnit test files and kunit.py.
const PARTS: &[&str] = &[
    "drivers/base/test",
    "drivers/gpu/drm/tests",
    "lib/kunit",
    "lib/overflow_kunit.c",
    "tools/testing/kunit",
];

/// The kernel tree, extracted once per test binary under cargo's target tmpdir.
pub fn kernel_tree() -> &'static Path {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        let stem = exe
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("tests")
            .to_string();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kernel-{stem}"));
        let root = dir.join("linux-source-6.12");
        if !PARTS.iter().all(|p| root.join(p).exists()) {
            let members: Vec<String> = PARTS
                .iter()
                .map(|p| format!("linux-source-6.12/{p}"))
                .collect();
            untar_kernel(&dir, &members);
        }
        root
    })
}

/// Extracts what `tar_args` select (members or patterns) of the kernel's
/// source package into `dir`.
pub fn untar_kernel<S: AsRef<std::ffi::OsStr>>(dir: &Path, tar_args: &[S]) {
    assert!(
        Path::new(KERNEL_TARBALL).exists(),
        "{KERNEL_TARBALL} is missing: run `bash .ci/run` (it installs linux-source-6.12) or `apt-get install linux-source-6.12`"
    );
    std::fs::create_dir_all(dir).expect("tmpdir");
    let status = Command::new("tar")
        .arg("-xf")
        .arg(KERNEL_TARBALL)
        .arg("-C")
        .arg(dir)
        .args(tar_args)
        .status()
        .expect("tar runs");
    assert!(status.success(), "extracting the kernel test files failed");
}

/// Runs the devlife binary in `dir` with `args`.
pub fn devlife_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_devlife"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("devlife runs")
}

/// Runs the devlife binary from the workspace root (so `examples/...` paths work).
pub fn devlife(args: &[&str]) -> Output {
    devlife_in(&workspace_root(), args)
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
