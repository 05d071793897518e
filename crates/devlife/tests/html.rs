//! The HTML explanation opens in headless Chromium (Debian's `chromium`,
//! installed by `.ci/run`) with no network, and the rendered DOM shows the
//! refcount table, the cycle and the reference graph.

mod common;

use common::devlife;
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The DOM Chromium renders for the page at `path`.
fn rendered_dom(path: &std::path::Path) -> String {
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run `bash .ci/run` (it installs chromium)"
    );
    let profile = tempdir("chromium-profile");
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", path.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmpdir");
    dir
}

#[test]
fn the_seed_explanation_renders_in_chromium() {
    let out = devlife(&[
        "explain",
        "--format",
        "html",
        "--kernel",
        "v6.1",
        "examples/seed-devm-drm-cycle.c",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must be self-contained"
    );
    let page = tempdir("html-page").join("seed.html");
    std::fs::write(&page, &html).expect("write page");
    let dom = rendered_dom(&page);
    assert!(dom.contains("<svg"), "the graph is drawn as SVG");
    for call in [
        "root_device_register",
        "devm_drm_dev_alloc",
        "drm_dev_register",
        "drm_dev_unregister",
        "root_device_unregister",
    ] {
        assert!(dom.contains(call), "the table shows {call}");
    }
    assert!(
        dom.contains("glue directory"),
        "the 4th reference is explained"
    );
    assert!(
        dom.contains("devm_drm_dev_init_release") && dom.contains("drm_dev_init_release"),
        "the cycle is shown"
    );
}
