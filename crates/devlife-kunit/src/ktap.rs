//! KTAP v1 output, laid out the way the kernel's KUnit prints it
//! (lib/kunit/test.c and executor.c): a top-level plan, one indented subtest
//! block per suite, per-suite statistics when a suite has more than one case.

use std::fmt::Write;

/// How a case (or suite) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Every expectation held.
    Pass,
    /// An expectation or assertion failed, or the case crashed.
    Fail,
    /// Skipped, with the reason given to `kunit_skip`.
    Skip(String),
}

/// One test case's result and the lines it printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case name.
    pub name: String,
    /// How it ended.
    pub status: Status,
    /// Lines printed while it ran, exactly as the kernel log shows them
    /// (diagnostics already carry their `    # case: ` prefix).
    pub log: Vec<String>,
}

/// One suite's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteResult {
    /// The suite name.
    pub name: String,
    /// The module name (`KBUILD_MODNAME`: the file name, `-` as `_`).
    pub module: String,
    /// Lines printed before the first case (suite init).
    pub log: Vec<String>,
    /// The cases, in order.
    pub cases: Vec<CaseResult>,
    /// `suite_init` failed: no case ran and the suite failed.
    pub init_failed: bool,
}

impl SuiteResult {
    /// The suite's own status: failed if init or any case failed, skipped
    /// if every case was skipped, else passed.
    pub fn status(&self) -> Status {
        if self.init_failed || self.cases.iter().any(|c| c.status == Status::Fail) {
            Status::Fail
        } else if self
            .cases
            .iter()
            .all(|c| matches!(c.status, Status::Skip(_)))
        {
            Status::Skip(String::new())
        } else {
            Status::Pass
        }
    }

    /// `(passed, failed, skipped, total)` over the cases.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let passed = self
            .cases
            .iter()
            .filter(|c| c.status == Status::Pass)
            .count();
        let failed = self
            .cases
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count();
        let skipped = self.cases.len() - passed - failed;
        (passed, failed, skipped, self.cases.len())
    }
}

fn ok_line(out: &mut String, indent: &str, status: &Status, n: usize, name: &str) {
    let (word, directive) = match status {
        Status::Pass => ("ok", String::new()),
        Status::Fail => ("not ok", String::new()),
        Status::Skip(reason) => ("ok", format!(" # SKIP {reason}")),
    };
    let _ = writeln!(out, "{indent}{word} {n} {name}{directive}");
}

/// Renders the whole run as KTAP.
pub fn render(suites: &[SuiteResult]) -> String {
    let mut out = String::new();
    out.push_str("KTAP version 1\n");
    let _ = writeln!(out, "1..{}", suites.len());
    for (i, suite) in suites.iter().enumerate() {
        render_suite(&mut out, suite, i + 1);
    }
    out
}

fn render_suite(out: &mut String, suite: &SuiteResult, n: usize) {
    out.push_str("    KTAP version 1\n");
    let _ = writeln!(out, "    # Subtest: {}", suite.name);
    let _ = writeln!(out, "    # module: {}", suite.module);
    let _ = writeln!(out, "    1..{}", suite.cases.len());
    for line in &suite.log {
        let _ = writeln!(out, "{line}");
    }
    for (i, case) in suite.cases.iter().enumerate() {
        for line in &case.log {
            let _ = writeln!(out, "{line}");
        }
        ok_line(out, "    ", &case.status, i + 1, &case.name);
    }
    let (p, f, s, t) = suite.counts();
    if t > 1 {
        let _ = writeln!(
            out,
            "# {}: pass:{p} fail:{f} skip:{s} total:{t}",
            suite.name
        );
        let _ = writeln!(out, "# Totals: pass:{p} fail:{f} skip:{s} total:{t}");
    }
    ok_line(out, "", &suite.status(), n, &suite.name);
}

/// The module name the kernel would give a test file: its stem, `-` as `_`.
pub fn module_name(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.strip_suffix(".c").unwrap_or(file);
    stem.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, status: Status) -> CaseResult {
        CaseResult {
            name: name.into(),
            status,
            log: Vec::new(),
        }
    }

    #[test]
    fn a_failing_suite_renders_like_the_recording() {
        let mut failed = case("b", Status::Fail);
        failed.log = vec![
            "    # b: EXPECTATION FAILED at x.c:7".into(),
            "    Expected ret > 0, but".into(),
            "        ret == 0 (0x0)".into(),
        ];
        let suite = SuiteResult {
            name: "s".into(),
            module: module_name("drivers/base/test/root-device-test.c"),
            log: Vec::new(),
            cases: vec![case("a", Status::Pass), failed],
            init_failed: false,
        };
        assert_eq!(
            render(&[suite]),
            "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    # module: root_device_test\n    1..2\n    ok 1 a\n    # b: EXPECTATION FAILED at x.c:7\n    Expected ret > 0, but\n        ret == 0 (0x0)\n    not ok 2 b\n# s: pass:1 fail:1 skip:0 total:2\n# Totals: pass:1 fail:1 skip:0 total:2\nnot ok 1 s\n"
        );
    }

    #[test]
    fn single_case_suites_print_no_stats_and_skips_carry_the_reason() {
        let suite = SuiteResult {
            name: "one".into(),
            module: "m".into(),
            log: Vec::new(),
            cases: vec![case("c", Status::Skip("no hw".into()))],
            init_failed: false,
        };
        let out = render(&[suite]);
        assert!(out.contains("    ok 1 c # SKIP no hw\n"), "{out}");
        assert!(!out.contains("# Totals"));
        assert!(out.ends_with("ok 1 one # SKIP \n"), "{out}");
    }
}
