//! Every KUnit test file of the kernel tree, through devlife: most use
//! kernel APIs devlife does not model and are refused, but none may panic or
//! hang, and every refusal must say where (file, line and column) — the
//! promise made for bad input, checked on the 100-odd files nobody wrote for devlife.
//!
//! The files are read from Debian's linux-source-6.12 at test time (kernel
//! code is never copied into the project).

mod common;

use common::untar_kernel;
use devlife_kunit::{run_file, Filter, Limits, LoadError};
use devlife_model::Profile;
use std::path::{Path, PathBuf};

/// The kernel's KUnit files: the `.c` files whose path has `kunit` or
/// `test` in it (extracted once under cargo's target tmpdir) that register
/// a suite.
fn kunit_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kernel-sweep");
    let root = dir.join("linux-source-6.12");
    if !root.exists() {
        // tools/ holds userspace selftests (and symlinks out of what the
        // patterns select), no KUnit. (`*` matches `/`, so the last
        // pattern takes `test/` and `tests/` too.)
        untar_kernel(
            &dir,
            &[
                "--exclude=linux-source-6.12/tools",
                "--wildcards",
                "*kunit*.c",
                "*test*.c",
            ],
        );
    }
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.retain(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("kunit_test_suite")));
    files.sort();
    files
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "c") {
            out.push(p);
        }
    }
}

/// Whether a diagnostic's first line names a place: `... at FILE:LINE:COL`
/// with a line and a column.
fn located(diagnostic: &str) -> bool {
    let first = diagnostic.lines().next().unwrap_or("");
    let Some((_, place)) = first.rsplit_once(" at ") else {
        return false;
    };
    let mut parts = place.rsplitn(3, ':');
    let column = parts.next().and_then(|c| c.parse::<u32>().ok());
    let line = parts.next().and_then(|l| l.parse::<u32>().ok());
    matches!((line, column), (Some(l), Some(c)) if l > 0 && c > 0)
}

#[test]
fn every_kernel_kunit_file_runs_or_is_refused_with_a_location() {
    let files = kunit_files();
    assert!(files.len() > 100, "only {} KUnit files found", files.len());
    let limits = Limits {
        steps: 2_000_000,
        ..Limits::default()
    };
    let (mut ran, mut refused) = (0, 0);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.to_string_lossy();
        match run_file(&name, &text, Profile::V6_12, &Filter::default(), limits) {
            Ok(_) => ran += 1,
            Err(LoadError::NoSuite) => refused += 1,
            Err(LoadError::Diagnostics(diags)) => {
                refused += 1;
                for d in &diags {
                    assert!(located(d), "{name}: a diagnostic without a place: {d}");
                }
            }
        }
    }
    assert_eq!(ran + refused, files.len());
    assert!(
        ran >= 2,
        "devlife ran only {ran} of the kernel's KUnit files"
    );
}
