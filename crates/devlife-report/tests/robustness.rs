//! Odd inputs never panic, and other holder kinds read sensibly.

mod common;

use common::{seed, site_name};
use devlife_model::drivers::gpu::drm::drm_drv::DRIVER_MODESET;
use devlife_model::mm::MemFault;
use devlife_model::{Addr, AllocId, Kernel, ObjId, Profile, RustHost, Site};
use devlife_report::{dot, explain, html, json, text, CaseRun, HostFault, Recorder, Status, Step};

fn render_all(run: &CaseRun<'_>) {
    let e = explain(std::slice::from_ref(run));
    let _ = (
        text::render(&e),
        json::render(&e),
        dot::render(&e),
        html::render(&e),
    );
}

#[test]
fn odd_inputs_do_not_panic() {
    let mut s = seed(Profile::V6_1);
    let calls = ["late", "", "middle"].map(|c| s.kernel.intern(c));
    let k = &s.kernel;
    let n = k.log.next_id();
    let bad_steps = vec![
        Step {
            event: u32::MAX,
            line: 1,
            call: calls[0],
        },
        Step {
            event: 3,
            line: 0,
            call: calls[1],
        },
        Step {
            event: n / 2,
            line: 2,
            call: calls[2],
        },
    ];
    for (first, end) in [
        (0, n),
        (n, 0),
        (u32::MAX, u32::MAX),
        (n / 2, n + 100),
        (0, 0),
    ] {
        let mut run = CaseRun::new(k, "s", "c", first);
        run.end_event = end;
        run.steps = bad_steps.clone();
        run.columns = Some(vec![ObjId(u32::MAX), ObjId(0), ObjId(2), ObjId(2)]);
        run.host_faults = vec![
            HostFault {
                kind: MemFault::UseAfterFree {
                    alloc: AllocId(u32::MAX),
                    offset: 7,
                },
                site: Site::default(),
                event: u32::MAX,
            },
            HostFault {
                kind: MemFault::Wild {
                    addr: Addr((-22i64) as u64),
                },
                site: Site::default(),
                event: 0,
            },
        ];
        render_all(&run);
    }
    let empty = explain(&[]);
    assert_eq!(empty.kernel, "");
    assert!(text::render(&empty).contains("devlife"));
}

#[test]
fn whole_log_from_boot_reports_boot_objects_without_panicking() {
    let s = seed(Profile::V6_12);
    let run = CaseRun::new(&s.kernel, "boot", "all", 0);
    let e = explain(&[run]);
    let labels: Vec<&str> = e.cases[0]
        .table
        .columns
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(
        labels,
        ["root device 'test'", "drm_device on 'test'"],
        "bus roots are not columns"
    );
    assert!(e.cases[0]
        .leaks
        .iter()
        .any(|l| l.object == "bus device 'platform'"));
}

#[test]
fn kunit_helper_devices_name_bus_and_kunit_holders() {
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let t = k.kunit_init_test("drm_test_managed_run_action", Addr::NULL);
    let mut rec = Recorder::start(&k);
    common::at(&mut k, &mut rec, 30, "drm_kunit_helper_alloc_device");
    let dev = k
        .drm_kunit_helper_alloc_device(&mut host, t)
        .unwrap()
        .unwrap();
    common::at(&mut k, &mut rec, 31, "drm_kunit_helper_alloc_drm_device");
    let drm = k
        .drm_kunit_helper_alloc_drm_device(&mut host, dev, 256, 0, DRIVER_MODESET)
        .unwrap()
        .unwrap();
    common::at(&mut k, &mut rec, 32, "drm_dev_register");
    k.drm_dev_register(&mut host, drm, 0).unwrap();
    let mut run = rec.finish(&k, "drm_managed", "run_action", Status::Fail);
    run.site_name = &site_name;
    let e = explain(&[run]);
    let c = &e.cases[0];
    let last = c.table.rows.last().unwrap();
    let dev_holders = &last.cells[0].holders;
    assert!(
        dev_holders
            .iter()
            .any(|h| h.starts_with("node in the device list of bus '")),
        "{dev_holders:?}"
    );
    assert!(c
        .resources
        .iter()
        .any(|r| r.released_by == "runs at test cleanup (kunit_cleanup)"));
    assert!(c.graph.nodes.iter().any(|n| n.key.starts_with("bus")));
    let page = html::render(&e);
    assert!(page.contains("<svg "));
    insta::assert_snapshot!("kunit_helper_text", text::render(&e));
}
