//! The report on the seed scenario, the control scenario and a devm buffer
//! used after its device was unregistered, under both kernel profiles.

mod common;

use common::{control, devm_buffer_after_unregister, seed, site_name};
use devlife_model::mm::MemFault;
use devlife_model::Profile;
use devlife_report::{explain, Count, HostFault};

fn counts(e: &devlife_report::Explanation, col: usize) -> Vec<Count> {
    e.cases[0]
        .table
        .rows
        .iter()
        .map(|r| r.cells[col].count)
        .collect()
}

use Count::{Freed, NotCreated, Value};

#[test]
fn v6_1_seed_table_is_the_threads_shape_with_the_real_counts() {
    let s = seed(Profile::V6_1);
    let e = explain(&[s.run("seed", &site_name)]);
    let t = &e.cases[0].table;
    let labels: Vec<&str> = t.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["root device 'test'", "drm_device on 'test'"]);
    let calls: Vec<&str> = t.rows.iter().map(|r| r.call.as_str()).collect();
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
    assert_eq!(
        counts(&e, 0),
        [Value(1), Value(2), Value(4), Value(2), Value(1)]
    );
    assert_eq!(
        counts(&e, 1),
        [NotCreated, Value(1), Value(1), Value(1), Value(1)]
    );
    let timeline = &e.cases[0].timeline;
    assert_eq!(timeline.len(), 6);
    assert_eq!(timeline[2].call, "drmm_add_action_or_reset");
    assert_eq!(timeline[2].row, None, "the drmm_add row changes nothing");
}

#[test]
fn the_fourth_reference_is_explained_by_the_glue_directory() {
    let s = seed(Profile::V6_1);
    let e = explain(&[s.run("seed", &site_name)]);
    let four = &e.cases[0].table.rows[2].cells[0];
    assert_eq!(four.count, Value(4));
    assert_eq!(four.holders.len(), 4, "{:?}", four.holders);
    assert!(
        four.holders
            .iter()
            .any(|h| h == "sysfs link of class glue directory 'drm'"),
        "{:?}",
        four.holders
    );
    assert!(four
        .taken
        .iter()
        .any(|h| h.contains("glue directory 'drm'")));
    assert!(four
        .holders
        .iter()
        .any(|h| h == "initial reference from root_device_register (test.c:12:5)"));
    let after = &e.cases[0].table.rows[3].cells[0];
    assert!(after
        .returned
        .iter()
        .any(|h| h.contains("glue directory 'drm'")));
}

#[test]
fn v6_12_seed_ends_freed_and_leaks_nothing() {
    let s = seed(Profile::V6_12);
    let e = explain(&[s.run("seed", &site_name)]);
    assert_eq!(
        counts(&e, 0),
        [Value(1), Value(2), Value(4), Value(2), Freed]
    );
    assert_eq!(
        counts(&e, 1),
        [NotCreated, Value(1), Value(1), Value(1), Freed]
    );
    let c = &e.cases[0];
    assert!(c.leaks.is_empty(), "{:?}", c.leaks);
    assert!(c.cycles.is_empty());
    assert!(c.resources.is_empty(), "{:?}", c.resources);
    assert!(c.memory.is_empty(), "{:?}", c.memory);
    assert!(c.errors.is_empty());
}

#[test]
fn v6_1_seed_leaks_a_cycle_between_the_root_and_the_drm_device() {
    let s = seed(Profile::V6_1);
    let e = explain(&[s.run("seed", &site_name)]);
    let c = &e.cases[0];
    let leaked: Vec<&str> = c.leaks.iter().map(|l| l.object.as_str()).collect();
    assert_eq!(
        leaked,
        [
            "root device 'test'",
            "drm_device on 'test'",
            "device 'card0'"
        ]
    );
    assert_eq!(c.cycles.len(), 1);
    assert_eq!(
        c.cycles[0].sentences(),
        [
            "root device 'test' holds drm_device on 'test' via devm action devm_drm_dev_init_release",
            "drm_device on 'test' holds root device 'test' via drmm action drm_dev_init_release"
        ]
    );
    assert!(c.cycles[0].is_closed(), "{:?}", c.cycles[0].broken_by);
    assert_eq!(c.leaks[0].cycle, Some(0));
    assert_eq!(c.leaks[1].cycle, Some(0));
    assert_eq!(c.leaks[2].cycle, None, "card0 hangs off the cycle");
    let drm = &c.leaks[1].held_by[0];
    assert_eq!(
        drm.holder,
        "devm action devm_drm_dev_init_release on root device 'test'"
    );
    assert!(
        drm.returned_by
            .contains("which only runs when 'test' is released"),
        "{}",
        drm.returned_by
    );
    assert_eq!(drm.taken.site, "test.c:13:5");
    assert_eq!(drm.taken.call, "devm_drm_dev_alloc");
    let root = &c.leaks[0].held_by[0];
    assert!(
        root.returned_by
            .contains("only runs when the last reference to drm_device on 'test' goes"),
        "{}",
        root.returned_by
    );
    assert!(c.graph.edges.iter().filter(|e| e.in_cycle).count() == 2);
    assert!(c
        .resources
        .iter()
        .any(|r| r.resource == "drmm action drm_action of drm_device on 'test'"));
    assert!(c
        .memory
        .iter()
        .any(|m| m.object.as_deref() == Some("root device 'test'")));
}

#[test]
fn control_scenario_frees_everything_on_both_kernels() {
    for profile in [Profile::V6_1, Profile::V6_12] {
        let s = control(profile);
        let e = explain(&[s.run("control", &site_name)]);
        assert_eq!(
            counts(&e, 0),
            [Value(1), Value(2), Value(4), Value(2), Value(1), Freed],
            "{profile:?}"
        );
        assert_eq!(
            counts(&e, 1),
            [NotCreated, Value(1), Value(1), Value(1), Freed, Freed],
            "{profile:?}"
        );
        assert!(e.cases[0].leaks.is_empty());
        assert!(e.cases[0].memory.is_empty());
    }
}

fn uaf(profile: Profile) -> (common::Scenario, Result<(), MemFault>) {
    let s = devm_buffer_after_unregister(profile);
    let mut byte = [0u8; 1];
    let read = s.kernel.mm.read(s.extra.unwrap(), &mut byte);
    (s, read)
}

#[test]
fn a_devm_buffer_is_freed_by_device_del_since_v6_6() {
    let (s, read) = uaf(Profile::V6_12);
    let buf = s.extra.unwrap();
    assert_eq!(
        read,
        Err(MemFault::UseAfterFree {
            alloc: buf.alloc(),
            offset: 0
        })
    );
    let mut run = s.run("devm_buffer", &site_name);
    run.host_faults.push(HostFault {
        kind: read.unwrap_err(),
        site: s.kernel.site(),
        event: s.kernel.log.next_id(),
    });
    let e = explain(&[run]);
    let errors = &e.cases[0].errors;
    assert_eq!(errors.len(), 1);
    let err = &errors[0];
    assert_eq!(err.kind, "use-after-free");
    assert_eq!(err.at.site, "test.c:24:9");
    let notes: Vec<(&str, &str)> = err
        .notes
        .iter()
        .map(|n| (n.label.as_str(), n.at.site.as_str()))
        .collect();
    assert_eq!(
        notes,
        [
            ("allocated here", "test.c:22:5"),
            ("freed here", "test.c:23:5")
        ]
    );
    assert_eq!(
        err.notes[1].at.via, "root_device_unregister → devres_release_all",
        "device_del releases the devres inside root_device_unregister"
    );
    let leaked: Vec<&str> = e.cases[0].leaks.iter().map(|l| l.object.as_str()).collect();
    assert_eq!(leaked, ["root device 'test'"], "the test's get_device");
    assert!(e.cases[0].leaks[0].held_by[0]
        .returned_by
        .contains("put_device()"));
}

#[test]
fn a_devm_buffer_survives_unregister_on_v6_1() {
    let (s, read) = uaf(Profile::V6_1);
    assert_eq!(read, Ok(()));
    let e = explain(&[s.run("devm_buffer", &site_name)]);
    assert!(e.cases[0].errors.is_empty());
    assert!(e.cases[0]
        .resources
        .iter()
        .any(|r| r.resource == "devm memory (devm_kzalloc on 'test') on root device 'test'"));
}

#[test]
fn use_after_release_and_double_free_point_at_every_site() {
    use common::at;
    use devlife_model::{AllocKind, Kernel, RustHost};
    use devlife_report::Recorder;
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let mut rec = Recorder::start(&k);
    at(&mut k, &mut rec, 40, "root_device_register");
    let root = k.root_device_register(&mut host, "test").unwrap().unwrap();
    at(&mut k, &mut rec, 41, "root_device_unregister");
    k.root_device_unregister(&mut host, root).unwrap();
    at(&mut k, &mut rec, 42, "put_device");
    assert!(k.put_device(&mut host, root).is_err());
    at(&mut k, &mut rec, 43, "kmalloc");
    let buf = k.kmalloc(8, AllocKind::Kmalloc, "buffer");
    at(&mut k, &mut rec, 44, "kfree");
    k.kfree(buf).unwrap();
    at(&mut k, &mut rec, 45, "kfree");
    assert!(k.kfree(buf).is_err());
    let mut run = rec.finish(&k, "errors", "both", devlife_report::Status::Fail);
    run.site_name = &site_name;
    let e = explain(&[run]);
    let errors = &e.cases[0].errors;
    type Summary<'a> = Vec<(&'a str, &'a str, Vec<(&'a str, &'a str)>)>;
    let summary: Summary<'_> = errors
        .iter()
        .map(|x| {
            let notes = x
                .notes
                .iter()
                .map(|n| (n.label.as_str(), n.at.site.as_str()))
                .collect();
            (x.kind.as_str(), x.at.site.as_str(), notes)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "use-after-release",
                "test.c:42:5",
                vec![
                    ("created here", "test.c:40:5"),
                    ("released here", "test.c:41:5")
                ]
            ),
            (
                "double-free",
                "test.c:45:5",
                vec![
                    ("allocated here", "test.c:43:5"),
                    ("first freed here", "test.c:44:5")
                ]
            ),
        ]
    );
    assert_eq!(
        errors[0].message,
        "use after release: put_device() was given root device 'test', which was already released"
    );
    assert_eq!(errors[1].message, "double free of buffer (8 bytes)");
    let text = devlife_report::text::render(&e);
    assert!(text.contains("error: double free of buffer (8 bytes)\n  --> test.c:45:5 in kfree\nnote: allocated here\n  --> test.c:43:5 in kmalloc\nnote: first freed here\n  --> test.c:44:5 in kfree\n"), "{text}");
}

#[test]
fn a_loop_over_many_devices_keeps_a_readable_table_with_the_leaked_one() {
    use devlife_model::{Kernel, RustHost};
    use devlife_report::{text, Recorder, Status, DEFAULT_MAX_COLUMNS};
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let mut rec = Recorder::start(&k);
    let mut leaked = None;
    for i in 0..40 {
        rec.step(&mut k, 1, "root_device_register");
        let dev = k
            .root_device_register(&mut host, &format!("dev{i}"))
            .unwrap()
            .unwrap();
        if i == 30 {
            leaked = Some(dev);
            continue;
        }
        rec.step(&mut k, 2, "root_device_unregister");
        k.root_device_unregister(&mut host, dev).unwrap();
    }
    let run = rec.finish(&k, "suite", "loop", Status::Pass);
    let e = explain(&[run]);
    let t = &e.cases[0].table;
    assert_eq!(t.columns.len(), DEFAULT_MAX_COLUMNS);
    assert_eq!(t.hidden_columns, 40 - DEFAULT_MAX_COLUMNS);
    let objects: Vec<u32> = t.columns.iter().map(|c| c.object).collect();
    assert!(
        objects.contains(&leaked.unwrap().0),
        "the leaked device is shown"
    );
    assert!(objects.windows(2).all(|w| w[0] < w[1]), "creation order");
    // 15 early devices plus the leaked one: two rows each, and no more.
    assert_eq!(t.rows.len(), 15 * 2 + 1);
    assert!(text::render(&e).contains("(24 more tracked objects not shown"));
    assert_eq!(e.cases[0].leaks.len(), 1);
}

#[test]
fn a_loop_of_gets_keeps_rows_holders_and_edges_bounded() {
    use devlife_model::{Kernel, RustHost};
    use devlife_report::{text, Recorder, Status, MAX_LISTED_REFS};
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let mut rec = Recorder::start(&k);
    rec.step(&mut k, 1, "root_device_register");
    let dev = k.root_device_register(&mut host, "x").unwrap().unwrap();
    for _ in 0..100 {
        rec.step(&mut k, 2, "get_device");
        k.get_device(dev).unwrap();
    }
    let whole = rec.clone().finish(&k, "suite", "gets", Status::Fail);
    let cell = &explain(&[whole]).cases[0].table.rows[100].cells[0];
    assert_eq!(cell.count, Value(101));
    assert_eq!(cell.holders.len(), MAX_LISTED_REFS + 1);
    assert_eq!(cell.holders[MAX_LISTED_REFS], "… and 69 more references");

    let mut run = rec.finish(&k, "suite", "gets", Status::Fail);
    run.max_rows = 20;
    let e = explain(&[run]);
    let c = &e.cases[0];
    assert_eq!(c.table.rows.len(), 20);
    assert_eq!(c.table.hidden_rows, 81);
    assert_eq!(c.table.rows[19].cells[0].count, Value(20));
    let leak = &c.leaks[0];
    assert_eq!((leak.held_by.len(), leak.more_held), (MAX_LISTED_REFS, 69));
    // 100 references alike are one edge, beside the initial reference's.
    assert_eq!(c.graph.edges.len(), 2, "{:?}", c.graph.edges);
    let out = text::render(&e);
    assert!(out.contains(
        "(81 more steps changed a shown count after the table's 20 rows; raise with --max-rows)"
    ));
    assert!(out.contains("  = … and 69 more references"));
}

#[test]
fn resources_and_memory_left_alike_by_a_loop_are_one_entry_with_a_count() {
    use devlife_model::mm::AllocKind;
    use devlife_model::{Kernel, RustHost};
    use devlife_report::{json, text, Recorder, Status};
    let mut k = Kernel::new(Profile::V6_12);
    let mut host = RustHost::new();
    let action = host.register("never_runs", |_, _, _| Ok(0));
    let mut rec = Recorder::start(&k);
    rec.step(&mut k, 1, "root_device_register");
    let dev = k.root_device_register(&mut host, "x").unwrap().unwrap();
    for _ in 0..50 {
        rec.step(&mut k, 2, "devm_add_action");
        assert_eq!(k.devm_add_action(dev, action, 0, "never_runs").unwrap(), 0);
        rec.step(&mut k, 3, "kmalloc");
        k.kmalloc(16, AllocKind::Kmalloc, "buffer");
    }
    let e = explain(&[rec.finish(&k, "suite", "loop", Status::Fail)]);
    let c = &e.cases[0];
    assert_eq!(c.resources.len(), 1, "{:?}", c.resources);
    assert_eq!(c.resources[0].count, 50);
    let buffers: Vec<_> = c.memory.iter().filter(|m| m.label == "buffer").collect();
    assert_eq!(buffers.len(), 1);
    assert_eq!(buffers[0].count, 50);
    let out = text::render(&e);
    assert!(
        out.contains("on root device 'x' (and 49 more alike)"),
        "{out}"
    );
    assert!(
        out.contains("unfreed: buffer, 16 bytes (kmalloc memory) (and 49 more alike)"),
        "{out}"
    );
    assert!(json::render(&e).contains("\"count\": 50"));
}
