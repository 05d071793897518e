//! `devlife run` and `devlife explain` through the command line: the
//! examples' verdicts under both kernels, exit statuses, diagnostics for bad
//! input, limits, and byte-for-byte determinism.

mod common;

use common::{devlife, stderr, stdout};

fn verdict_lines(ktap: &str) -> Vec<&str> {
    ktap.lines()
        .filter(|l| l.trim_start().starts_with("ok ") || l.trim_start().starts_with("not ok "))
        .collect()
}

const SEED: &str = "examples/seed-devm-drm-cycle.c";
const UAF: &str = "examples/devres-uaf-after-unregister.c";

#[test]
fn seed_example_fails_only_the_devm_test_under_v6_1() {
    let out = devlife(&["run", "--kernel", "v6.1", SEED]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        verdict_lines(&stdout(&out)),
        [
            "    not ok 1 drm_register_unregister_with_devm_test",
            "    ok 2 drm_register_unregister_test",
            "not ok 1 drm-devm-seed"
        ]
    );
    assert!(stdout(&out).contains("    Expected ret > 0, but\n        ret == 0 (0x0)\n"));
    assert_eq!(stderr(&out).trim_end(), "1 passed, 1 failed, 0 skipped");
}

#[test]
fn seed_example_passes_under_v6_12() {
    let out = devlife(&["run", "--kernel", "v6.12", SEED]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stderr(&out).trim_end(), "2 passed, 0 failed, 0 skipped");
}

#[test]
fn the_devres_use_after_free_appears_only_under_v6_12() {
    let out = devlife(&["run", "--kernel", "v6.12", UAF]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("use after free"), "{text}");
    assert!(
        text.contains("allocated at examples/devres-uaf-after-unregister.c:31"),
        "{text}"
    );
    assert!(
        text.contains("freed at examples/devres-uaf-after-unregister.c:35"),
        "{text}"
    );
    let out = devlife(&["run", "--kernel", "v6.1", UAF]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn filter_selects_cases_like_kunit_py() {
    let out = devlife(&[
        "run",
        "--kernel",
        "v6.1",
        "--filter",
        "drm-devm-seed.*_test",
        SEED,
    ]);
    assert_eq!(verdict_lines(&stdout(&out)).len(), 3);
    let out = devlife(&[
        "run",
        "--kernel",
        "v6.1",
        "--filter",
        "drm-devm-seed.drm_register_unregister_test",
        SEED,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        verdict_lines(&stdout(&out)),
        [
            "    ok 1 drm_register_unregister_test",
            "ok 1 drm-devm-seed"
        ]
    );
}

#[test]
fn malformed_c_is_exit_2_with_file_line_column() {
    let out = devlife(&["run", "crates/devlife/tests/data/malformed.c"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("crates/devlife/tests/data/malformed.c:5:"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn an_unknown_function_is_named_at_its_line() {
    let out = devlife(&["run", "crates/devlife/tests/data/unknown-function.c"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("frobnicate_device") && err.contains("unknown-function.c:5:"),
        "{err}"
    );
}

#[test]
fn a_file_without_a_suite_is_exit_2() {
    let out = devlife(&["run", "crates/devlife/tests/data/no-suite.c"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no KUnit suite"), "{}", stderr(&out));
}

#[test]
fn a_missing_file_is_exit_2_naming_it() {
    let out = devlife(&["run", "no/such/file.c"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/file.c"));
}

#[test]
fn usage_errors_are_exit_2() {
    assert_eq!(
        devlife(&["run", "--kernel", "v5.4", SEED]).status.code(),
        Some(2)
    );
    assert_eq!(devlife(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn runaway_loops_and_recursion_hit_limits_and_the_next_case_still_runs() {
    let out = devlife(&[
        "run",
        "--max-steps",
        "200000",
        "crates/devlife/tests/data/runaway.c",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("not ok 1 spins_forever"), "{text}");
    assert!(text.contains("not ok 2 recurses_forever"), "{text}");
    assert!(text.contains("ok 3 still_runs"), "{text}");
    assert!(
        text.contains(
            "# spins_forever: error: step limit of 200000 exceeded (infinite loop?) (raise it with --max-steps)"
        ),
        "{text}"
    );
    assert!(
        text.contains("# recurses_forever: error: call depth limit of 256 exceeded (unbounded recursion?) (raise it with --max-depth)"),
        "{text}"
    );
}

#[test]
fn a_put_after_release_is_reported_as_use_after_free() {
    let out = devlife(&["run", "crates/devlife/tests/data/double-put.c"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("put_device() on device 'twice', which was already released"),
        "{text}"
    );
}

#[test]
fn same_input_same_output_byte_for_byte() {
    for args in [
        vec!["run", "--kernel", "v6.1", SEED],
        vec!["explain", "--kernel", "v6.1", "--format", "json", SEED],
        vec!["explain", "--kernel", "v6.12", "--format", "html", UAF],
    ] {
        let a = devlife(&args);
        let b = devlife(&args);
        assert_eq!(a.stdout, b.stdout, "{args:?}");
        assert_eq!(a.stderr, b.stderr, "{args:?}");
    }
}

#[test]
fn apis_newer_than_the_kernel_are_usable_with_one_warning_each() {
    let file = "crates/devlife/tests/data/newer-api.c";
    let out = devlife(&["run", "--kernel", "v6.1", file]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("kunit_device_register(), added in v6.8"),
        "{err}"
    );
    let out = devlife(&["run", "--kernel", "v6.12", file]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn a_drm_file_open_across_unplug_runs_the_drmm_actions_at_fput() {
    for kernel in ["v6.1", "v6.12"] {
        let out = devlife(&[
            "run",
            "--kernel",
            kernel,
            "crates/devlife/tests/data/drm-file-unplug.c",
        ]);
        assert_eq!(out.status.code(), Some(0), "{kernel}: {}", stdout(&out));
        assert!(stdout(&out).contains("    ok 1 file_open_across_unplug_test"));
    }
}

#[test]
fn a_null_dereference_fails_the_case_like_an_oops_and_the_suite_goes_on() {
    let out = devlife(&["run", "crates/devlife/tests/data/null-deref.c"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("    # null_deref_test: error: null pointer dereference"),
        "{text}"
    );
    assert!(text.contains("null-deref.c:11:2"), "{text}");
    assert!(
        text.contains("    not ok 1 null_deref_test\n    ok 2 after_test\n"),
        "{text}"
    );
}

#[test]
fn runaway_allocation_and_output_hit_their_limits_with_a_clear_message() {
    let out = devlife(&[
        "run",
        "--max-allocations",
        "20000",
        "--max-output",
        "4096",
        "crates/devlife/tests/data/runaway-alloc.c",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("not ok 1 allocates_forever"), "{text}");
    assert!(text.contains("allocation limit reached: more than 20000 allocations in this case (raise it with --max-allocations)"), "{text}");
    assert!(text.contains("not ok 2 prints_forever"), "{text}");
    assert!(text.contains("output limit reached: more than 4096 bytes printed by this case (raise it with --max-output)"), "{text}");
    assert!(text.contains("ok 3 still_runs"), "{text}");
    assert!(
        text.len() < 16 * 1024,
        "output is bounded: {} bytes",
        text.len()
    );
}

/// The suites of a KTAP document, as (name, verdict) lines in order.
fn suite_verdicts(ktap: &str) -> Vec<String> {
    ktap.lines()
        .filter(|l| !l.starts_with(' ') && (l.starts_with("ok ") || l.starts_with("not ok ")))
        .map(str::to_string)
        .collect()
}

#[test]
fn several_files_print_in_file_order_as_if_run_one_after_another() {
    // Files run in parallel; what they print must not depend on which ends
    // first. The big example first, then the small: a scheduler that printed
    // in completion order would swap them.
    let newer = "crates/devlife/tests/data/newer-api.c";
    let out = devlife(&["run", "--kernel", "v6.1", SEED, UAF, newer, SEED]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ktap = stdout(&out);
    let verdicts = suite_verdicts(&ktap);
    let mut expected = Vec::new();
    for file in [SEED, UAF, newer, SEED] {
        let one = devlife(&["run", "--kernel", "v6.1", file]);
        for v in suite_verdicts(&stdout(&one)) {
            // Suites are numbered across the files of one run.
            let rest = v.split_once(' ').map_or("", |(_, r)| r);
            let rest = rest.trim_start_matches("ok ");
            let (_, name) = rest.split_once(' ').unwrap_or(("", rest));
            let verdict = if v.starts_with("not ok") {
                "not ok"
            } else {
                "ok"
            };
            expected.push(format!("{verdict} {} {name}", expected.len() + 1));
        }
    }
    assert!(verdicts.len() >= 4, "{ktap}");
    assert_eq!(verdicts, expected, "{ktap}");
    assert_eq!(
        stderr(&out).matches("warning").count(),
        1,
        "{}",
        stderr(&out)
    );
    for _ in 0..5 {
        let again = devlife(&["run", "--kernel", "v6.1", SEED, UAF, newer, SEED]);
        assert_eq!(again.stdout, out.stdout);
        assert_eq!(again.stderr, out.stderr);
    }
}

#[test]
fn with_several_files_the_first_bad_one_in_order_is_reported() {
    let out = devlife(&[
        "run",
        SEED,
        "crates/devlife/tests/data/no-suite.c",
        "crates/devlife/tests/data/malformed.c",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no-suite.c: no KUnit suite"), "{err}");
    assert!(
        !err.contains("malformed.c"),
        "only the first bad file: {err}"
    );
    assert!(stdout(&out).is_empty(), "nothing is printed for a bad run");
}

#[test]
fn the_kernels_heaviest_macro_user_fits_the_expansion_budget() {
    // lib/overflow_kunit.c expands ~230,000 tokens through the prelude's
    // macros, the most of the kernel's KUnit files measured. devlife does
    // not support all of its C, but its macros must expand: a macro bomb is
    // stopped, a real file never.
    let out = common::devlife_in(common::kernel_tree(), &["run", "lib/overflow_kunit.c"]);
    let err = stderr(&out);
    assert!(!err.contains("macro expansion too large"), "{err}");
    assert!(err.contains("lib/overflow_kunit.c:"), "it was read: {err}");
}

#[test]
fn a_macro_bomb_is_stopped_by_the_expansion_budget() {
    let dir = std::env::temp_dir().join(format!("devlife-bomb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bomb.c");
    let mut text = String::from("#define A0(x) x x\n");
    for i in 1..24 {
        text.push_str(&format!("#define A{i}(x) A{}(x) A{}(x)\n", i - 1, i - 1));
    }
    text.push_str("int v = A23(1);\n");
    std::fs::write(&file, text).expect("write");
    let out = devlife(&["run", file.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("macro expansion too large"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_code_that_sent_the_old_parser_into_endless_recovery_is_exit_2() {
    // Found by the parse_interpret fuzz target: on this 344-byte file
    // tree-sitter's error recovery ran for minutes and past 2 GB (it was
    // then stopped by an operation budget, "the C parser gave up ... at
    // line 6"). The hand-written parser stops at the first error, which it
    // names: the stray `#` of line 3.
    let file = "crates/devlife/tests/data/parser-blowup.c";
    let out = devlife(&["run", file]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("stray `#` in program"), "{err}");
    assert!(err.contains("parser-blowup.c:3:5"), "located: {err}");
    assert_eq!(
        devlife(&["run", file]).stderr,
        out.stderr,
        "the same answer every time"
    );
}

#[test]
fn a_case_stopped_at_a_limit_still_runs_its_deferred_actions() {
    let out = devlife(&[
        "run",
        "--max-allocations",
        "3000",
        "--max-output",
        "2000",
        "crates/devlife/tests/data/limit-then-cleanup.c",
    ]);
    let ktap = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{ktap}");
    // Said once, for the body: the cleanup has budgets of its own.
    assert_eq!(
        ktap.matches("allocation limit reached").count(),
        1,
        "{ktap}"
    );
    assert_eq!(ktap.matches("output limit reached").count(), 1, "{ktap}");
    assert!(!ktap.contains("aborted during cleanup"), "{ktap}");
    assert!(ktap.contains("not ok 1 adds_actions_forever"), "{ktap}");
    assert!(
        ktap.contains("not ok 2 prints_forever_after_an_action"),
        "{ktap}"
    );
    assert!(ktap.contains("    ok 3 every_added_action_ran"), "{ktap}");
}

#[test]
fn a_release_cascade_stops_at_the_nesting_limit_and_a_flag_raises_it() {
    // 20,000 kobjects releasing each other overflowed the process's stack.
    let file = "crates/devlife/tests/data/kobject-chain.c";
    let out = devlife(&["run", file]);
    let ktap = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{ktap}");
    assert!(ktap.contains("# releases_a_deep_chain: nesting limit reached: more than 10000 releases and callbacks nested in one another (raise it with --max-nesting)"), "{ktap}");
    assert!(ktap.contains("not ok 1 releases_a_deep_chain"), "{ktap}");
    let out = devlife(&["run", "--max-nesting", "50000", file]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("    ok 1 releases_a_deep_chain"));
}

#[test]
fn leaked_devm_allocations_stop_at_the_default_allocation_limit() {
    // The default bound must stop a leak loop before memory does: two
    // million live devm allocations take ~0.6 GB, where the step limit
    // alone would let this loop reach ~3 GB.
    let out = devlife(&["run", "crates/devlife/tests/data/runaway-devm.c"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ktap = stdout(&out);
    assert!(ktap.contains("# devm_allocates_forever: allocation limit reached: more than 2000000 allocations in this case (raise it with --max-allocations)"), "{ktap}");
    assert!(ktap.contains("not ok 1 devm_allocates_forever"), "{ktap}");
}

#[test]
fn a_printk_field_width_of_a_hundred_gigabytes_is_clamped_like_the_kernels() {
    // Found by the parse_interpret fuzz target: `%99999999999...` as a field
    // width asked for 100 GB of padding and aborted the process. The kernel
    // clamps widths to 2^23 - 1; the case then hits the output limit.
    let out = devlife(&[
        "run",
        "--max-allocations",
        "1000",
        "--max-output",
        "100000",
        "crates/devlife/tests/data/huge-printk-width.c",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ktap = stdout(&out);
    assert!(
        ktap.contains("# prints_forever: output limit reached"),
        "{ktap}"
    );
    assert!(
        ktap.contains("not ok 3 still_runs"),
        "the next case still runs: {ktap}"
    );
}

/// Runs `file` under both kernels, checks each gives the same verdict
/// lines and exit status 1, and returns the two outputs.
fn fails_alike_on_both_kernels(file: &str, verdicts: &[&str]) -> Vec<String> {
    ["v6.1", "v6.12"]
        .iter()
        .map(|kernel| {
            let out = devlife(&["run", "--kernel", kernel, file]);
            let text = stdout(&out);
            assert_eq!(out.status.code(), Some(1), "{kernel}: {text}");
            assert_eq!(verdict_lines(&text), verdicts, "{kernel}: {text}");
            text
        })
        .collect()
}

#[test]
fn the_raw_devres_api_runs_on_both_kernels_and_its_data_is_freed_with_the_device() {
    let verdicts = [
        "    ok 1 raw_devres_release_newest_first_test",
        "    ok 2 raw_devres_find_and_get_test",
        "    ok 3 raw_devres_remove_destroy_release_test",
        "    ok 4 raw_devres_free_unlisted_test",
        "    not ok 5 raw_devres_read_after_unregister",
        "not ok 1 raw-devres",
    ];
    for text in fails_alike_on_both_kernels("crates/devlife/tests/data/devres-raw.c", &verdicts) {
        assert!(
            text.contains("use after free of `devres_alloc(counter_release)`"),
            "{text}"
        );
        assert!(
            text.contains("freed at crates/devlife/tests/data/devres-raw.c:133:2"),
            "{text}"
        );
    }
}

#[test]
fn krefs_of_the_test_and_of_modelled_objects_count_like_the_kernel() {
    let file = "crates/devlife/tests/data/kref.c";
    let verdicts = [
        "    ok 1 kref_get_put_release_test",
        "    ok 2 kref_static_initializer_test",
        "    ok 3 kref_read_of_modelled_objects_test",
        "    not ok 4 kref_put_after_release",
        "not ok 1 kref",
    ];
    for text in fails_alike_on_both_kernels(file, &verdicts) {
        assert!(
            text.contains("refcount_t: underflow; use-after-free."),
            "{text}"
        );
        assert!(
            text.contains("kref_put() on kref 't->ref', which was already released"),
            "{text}"
        );
    }
    let out = devlife(&["explain", "--case", "kref.kref_get_put_release_test", file]);
    let text = stdout(&out);
    assert!(
        text.contains("| 52   | kref_put             | freed         |"),
        "{text}"
    );
    assert!(
        text.contains("+ reference from kref_get (crates/devlife/tests/data/kref.c:44:2)"),
        "{text}"
    );
}

/// Runs `file` under both kernels, checks every case passes and each
/// output contains every line of `printed`.
fn passes_on_both_kernels_printing(file: &str, printed: &[&str]) {
    for kernel in ["v6.1", "v6.12"] {
        let out = devlife(&["run", "--kernel", kernel, file]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{kernel}: {text}");
        for line in printed {
            assert!(text.contains(line), "{kernel}: no {line:?} in {text}");
        }
    }
}

#[test]
fn the_tests_own_kobjects_hold_their_parents_and_fail_like_the_kernels() {
    let file = "crates/devlife/tests/data/kobject.c";
    passes_on_both_kernels_printing(
        file,
        &[
            "sysfs: cannot create duplicate filename '/dup'",
            "(____ptrval____): attempted to be registered with empty name!",
        ],
    );
    let case = "kobject.kobject_child_holds_its_device_test";
    let out = devlife(&["explain", "--kernel", "v6.1", "--case", case, file]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "| 71   | root_device_unregister | 1                         | 1               |"
        ),
        "{text}"
    );
    assert!(
        text.contains("      - sysfs link of child kobject 'child' (kobject_add)"),
        "{text}"
    );
}

#[test]
fn static_platform_devices_and_parented_ones_with_data_register_like_the_kernels() {
    let file = "crates/devlife/tests/data/platform-register.c";
    passes_on_both_kernels_printing(file, &["ok 1 platform-register"]);
    let case = "platform-register.platform_device_with_parent_and_data_test";
    let text = stdout(&devlife(&["explain", "--case", case, file]));
    assert!(
        text.contains("| 76   | platform_device_register_data | 3                        | 3 "),
        "{text}"
    );
}

#[test]
fn a_bus_of_the_tests_own_matches_probes_and_removes_through_its_callbacks() {
    passes_on_both_kernels_printing(
        "crates/devlife/tests/data/custom-bus.c",
        &[
            "Driver 'ghost-driver' was unable to register with bus_type 'ghost' because the bus was not initialized.",
            "sysfs: cannot create duplicate filename '/bus/twin'",
        ],
    );
}

#[test]
fn kunit_checks_compare_in_c_and_print_kunits_failure_text() {
    // Each operand runs once (the expectation after `bump()` passes), a
    // passing check prints nothing, an ASSERT ends the case.
    let out = devlife(&["run", "crates/devlife/tests/data/assertions.c"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}
