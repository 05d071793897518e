//! Snapshots of every format for the seed scenario (both kernels), the
//! control scenario and a devm buffer used after unregister.

mod common;

use common::{control, devm_buffer_after_unregister, seed, site_name, Scenario};
use devlife_model::Profile;
use devlife_report::{dot, explain, html, json, text, Explanation, HostFault};

fn explained(s: &Scenario, case: &str) -> Explanation {
    explain(&[s.run(case, &site_name)])
}

fn uaf() -> Explanation {
    let s = devm_buffer_after_unregister(Profile::V6_12);
    let mut byte = [0u8; 1];
    let fault = s
        .kernel
        .mm
        .read(s.extra.unwrap(), &mut byte)
        .expect_err("the buffer is gone");
    let mut run = s.run("devm_buffer", &site_name);
    run.host_faults.push(HostFault {
        kind: fault,
        site: s.kernel.site(),
        event: s.kernel.log.next_id(),
    });
    explain(&[run])
}

#[test]
fn seed_v6_1() {
    let e = explained(&seed(Profile::V6_1), "seed");
    insta::assert_snapshot!("seed_v6_1_text", text::render(&e));
    insta::assert_snapshot!("seed_v6_1_json", json::render(&e));
    insta::assert_snapshot!("seed_v6_1_dot", dot::render(&e));
}

#[test]
fn seed_v6_12() {
    let e = explained(&seed(Profile::V6_12), "seed");
    insta::assert_snapshot!("seed_v6_12_text", text::render(&e));
    insta::assert_snapshot!("seed_v6_12_json", json::render(&e));
    insta::assert_snapshot!("seed_v6_12_dot", dot::render(&e));
}

#[test]
fn control_both_kernels() {
    for (name, profile) in [("v6_1", Profile::V6_1), ("v6_12", Profile::V6_12)] {
        let e = explained(&control(profile), "control");
        insta::assert_snapshot!(format!("control_{name}_text"), text::render(&e));
        insta::assert_snapshot!(format!("control_{name}_json"), json::render(&e));
        insta::assert_snapshot!(format!("control_{name}_dot"), dot::render(&e));
    }
}

#[test]
fn devm_buffer_use_after_free_v6_12() {
    let e = uaf();
    insta::assert_snapshot!("uaf_v6_12_text", text::render(&e));
    insta::assert_snapshot!("uaf_v6_12_json", json::render(&e));
}

#[test]
fn html_is_one_self_contained_deterministic_page() {
    let e = explain(&[seed(Profile::V6_1).run("seed", &site_name)]);
    let page = html::render(&e);
    assert_eq!(page, html::render(&explained(&seed(Profile::V6_1), "seed")));
    for forbidden in ["<script", "http:", "https:", "@import", "<link", "src="] {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg "));
    assert!(page.contains("sysfs link of class glue directory &#39;drm&#39;"));
    insta::assert_snapshot!("seed_v6_1_html", page);
}

#[test]
fn all_formats_are_deterministic() {
    let a = explained(&seed(Profile::V6_1), "seed");
    let b = explained(&seed(Profile::V6_1), "seed");
    assert_eq!(a, b);
    assert_eq!(text::render(&a), text::render(&b));
    assert_eq!(json::render(&a), json::render(&b));
    assert_eq!(dot::render(&a), dot::render(&b));
}
