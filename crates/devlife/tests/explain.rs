//! `devlife explain` on the examples: the seed thread's refcount table as the
//! real kernel counts it, the cycle under v6.1, the version-dependent
//! use-after-free, and snapshots of the text, JSON and DOT outputs.

mod common;

use common::{devlife, stderr, stdout};

const SEED: &str = "examples/seed-devm-drm-cycle.c";
const UAF: &str = "examples/devres-uaf-after-unregister.c";
const DEVM_CASE: &str = "drm-devm-seed.drm_register_unregister_with_devm_test";

fn explain(kernel: &str, case: Option<&str>, format: &str, file: &str) -> String {
    let mut args = vec!["explain", "--kernel", kernel, "--format", format];
    if let Some(c) = case {
        args.extend(["--case", c]);
    }
    args.push(file);
    let out = devlife(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

#[test]
fn seed_table_under_v6_1_is_the_real_kernels() {
    let json = explain("v6.1", Some(DEVM_CASE), "json", SEED);
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let case = &v["cases"][0];
    let rows: Vec<(String, Vec<serde_json::Value>)> = case["table"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["call"].as_str().unwrap_or_default().to_string(),
                r["counts"].as_array().cloned().unwrap_or_default(),
            )
        })
        .collect();
    let calls: Vec<&str> = rows.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        calls,
        [
            "root_device_register",
            "devm_drm_dev_alloc",
            "drm_dev_register",
            "drm_dev_unregister",
            "root_device_unregister"
        ]
    );
    let root: Vec<_> = rows.iter().map(|(_, c)| c[0].clone()).collect();
    let drm: Vec<_> = rows.iter().map(|(_, c)| c[1].clone()).collect();
    assert_eq!(root, [1, 2, 4, 2, 1].map(serde_json::Value::from));
    assert_eq!(
        drm,
        [
            serde_json::Value::Null,
            1.into(),
            1.into(),
            1.into(),
            1.into()
        ]
    );
    assert_eq!(case["status"], "fail");
    let leaks = case["leaks"].as_array().expect("leaks");
    assert!(leaks.iter().any(|l| l["object"]
        .as_str()
        .unwrap_or_default()
        .contains("root device 'seed'")));
    assert!(leaks.iter().any(|l| l["object"]
        .as_str()
        .unwrap_or_default()
        .contains("drm_device")));
}

#[test]
fn the_fourth_reference_is_named_and_the_cycle_shown() {
    let text = explain("v6.1", Some(DEVM_CASE), "text", SEED);
    assert!(
        text.contains("sysfs link of class glue directory 'drm'"),
        "{text}"
    );
    assert!(text.contains("cycle 1: root device 'seed' holds drm_device on 'seed' via devm action devm_drm_dev_init_release"), "{text}");
    assert!(
        text.contains(
            "drm_device on 'seed' holds root device 'seed' via drmm action drm_dev_init_release"
        ),
        "{text}"
    );
}

#[test]
fn under_v6_12_nothing_leaks_and_both_are_freed_in_root_device_unregister() {
    let json = explain("v6.12", Some(DEVM_CASE), "json", SEED);
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let case = &v["cases"][0];
    assert_eq!(case["leaks"].as_array().map(Vec::len), Some(0));
    let last = case["table"]["rows"]
        .as_array()
        .and_then(|r| r.last())
        .expect("rows");
    assert_eq!(last["call"], "root_device_unregister");
    assert_eq!(last["counts"], serde_json::json!(["freed", "freed"]));
}

#[test]
fn the_use_after_free_is_explained_with_both_sites_only_under_v6_12() {
    let text = explain("v6.12", None, "text", UAF);
    assert!(
        text.contains("use-after-free") || text.contains("use after free"),
        "{text}"
    );
    assert!(
        text.contains("devres-uaf-after-unregister.c:31"),
        "allocation site: {text}"
    );
    assert!(
        text.contains("devres-uaf-after-unregister.c:35"),
        "free site: {text}"
    );
    assert!(
        text.contains("devres-uaf-after-unregister.c:37"),
        "access site: {text}"
    );
    let text = explain("v6.1", None, "text", UAF);
    assert!(
        !text.contains("use-after-free") && !text.contains("use after free"),
        "{text}"
    );
}

#[test]
fn snapshots_of_the_examples() {
    for kernel in ["v6.1", "v6.12"] {
        for format in ["text", "json", "dot"] {
            let out = explain(kernel, None, format, SEED);
            insta::assert_snapshot!(format!("seed_{kernel}_{format}"), out);
        }
        insta::assert_snapshot!(
            format!("uaf_{kernel}_text"),
            explain(kernel, None, "text", UAF)
        );
    }
}

#[test]
fn explaining_thousands_of_devices_stays_small_and_shows_the_leaked_one() {
    // One column per device made this a 3,000 x 6,000 table (the bulk
    // benchmark's 100,000 devices ran out of 24 GB).
    let out = devlife(&["explain", "crates/devlife/tests/data/device-loop.c"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.len() < 64 * 1024, "{} bytes", text.len());
    assert!(
        text.contains("(2984 more tracked objects not shown: the table keeps 16 columns"),
        "{text:.2000}"
    );
    assert!(text.contains("| root device 'loop-1234' |"), "{text:.2000}");
    assert!(
        text.contains("root device 'loop-1234' is never released"),
        "{text}"
    );
    let wider = devlife(&[
        "explain",
        "--max-columns",
        "40",
        "crates/devlife/tests/data/device-loop.c",
    ]);
    assert!(
        stdout(&wider).contains("(2960 more tracked objects not shown: the table keeps 40 columns")
    );
    let html = devlife(&[
        "explain",
        "--format",
        "html",
        "crates/devlife/tests/data/device-loop.c",
    ]);
    let page = stdout(&html);
    assert!(page.len() < 256 * 1024, "{} bytes", page.len());
    // ~9,000 steps: those that changed a shown count, ten after each, and
    // each longer quiet stretch summed up in one line.
    let steps = page.matches("<li").count();
    assert!(steps < 200, "{steps} timeline and holder items");
    assert_eq!(
        page.matches("more steps without a table row").count(),
        2,
        "{page:.3000}"
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_devlife"))
        .current_dir(common::workspace_root())
        .args([
            "explain",
            "--format",
            "json",
            "--max-columns",
            "200",
            "crates/devlife/tests/data/device-loop.c",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("devlife starts");
    let mut head = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // stdout is closed here, megabytes before the end of the report.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_warning_repeated_by_a_loop_is_one_error_with_its_count() {
    let out = devlife(&[
        "explain",
        "--max-steps",
        "100000",
        "crates/devlife/tests/data/kref-after-zero-loop.c",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.len() < 8 * 1024, "{} bytes", text.len());
    assert_eq!(text.matches("\nerror: ").count(), 2, "{text}");
    assert!(text.contains("error: refcount_t: addition on 0; use-after-free: a reference taken on kref 'ref' after its count reached zero\n"), "{text}");
    assert!(
        text.contains("is never released (24997 times here)"),
        "{text}"
    );
}
