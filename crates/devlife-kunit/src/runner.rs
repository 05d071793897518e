//! The KUnit runner (lib/kunit/test.c's order of things): for each suite,
//! `suite_init`, then per case a fresh `struct kunit`, `init`, the case,
//! `exit`, and the test's resources released newest first; then `suite_exit`.

use crate::env::{to_model_site, BindState, CHost, KernelEnv, Stop};
use crate::ktap::{CaseResult, Status, SuiteResult};
use devlife_c::env::Trap;
use devlife_c::interp::{Interp, TopCall};
use devlife_c::source::Site as CSite;
use devlife_c::value::{Addr as CAddr, Value};
use devlife_model::trace::EventId;
use devlife_model::NameId;
use devlife_model::{Addr, AllocKind, EventKind, Kernel, ObjId};

pub use devlife_model::Step;

/// The running case.
#[derive(Debug, Clone)]
pub struct CaseState {
    /// Case name.
    pub name: String,
    /// The model's test object.
    pub test: ObjId,
    /// Its `struct kunit`.
    pub test_addr: Addr,
    /// Lines printed.
    pub log: Vec<String>,
    /// A check failed.
    pub failed: bool,
    /// Skipped, with the reason.
    pub skip: Option<String>,
    /// Top-level kernel calls of the case's init and body, and calls of
    /// the case's own helpers that reach the kernel.
    pub steps: Vec<Step>,
    /// The helper call (`TopCall::serial`) the last step was noted for.
    pub helper_serial: u64,
    /// KUnit cleanup (`exit` and the resources) has started: callbacks run
    /// from there are not statements of the case.
    pub cleaning_up: bool,
}

/// What the explain layer needs of one case after it ran.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    /// Suite name.
    pub suite: String,
    /// Case name.
    pub case: String,
    /// How it ended.
    pub status: Status,
    /// First event of the case.
    pub first_event: EventId,
    /// One past its last event.
    pub end_event: EventId,
    /// Its top-level kernel calls.
    pub steps: Vec<Step>,
    /// What stopped the case early, as printed (faults and memory errors).
    pub traps: Vec<String>,
    /// Memory faults the C code hit (use-after-free reads and the like),
    /// with where and when.
    pub mem_faults: Vec<MemFaultRecord>,
}

/// A memory fault C code hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemFaultRecord {
    /// What the memory model answered.
    pub kind: devlife_model::mm::MemFault,
    /// Where the access was.
    pub site: devlife_model::Site,
    /// The log position at that moment.
    pub event: EventId,
}

/// A `struct kunit_suite` read from C memory.
struct Suite {
    name: String,
    suite_init: u64,
    suite_exit: u64,
    init: u64,
    exit: u64,
    cases: Vec<(String, u64)>,
}

/// Which cases to run: kunit.py's `suite_glob[.case_glob]`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    suite: Option<glob::Pattern>,
    case: Option<glob::Pattern>,
}

impl Filter {
    /// Parses `suite_glob[.case_glob]`; `None` runs everything.
    pub fn parse(filter: Option<&str>) -> Result<Filter, glob::PatternError> {
        let Some(f) = filter else {
            return Ok(Filter::default());
        };
        let (s, c) = match f.split_once('.') {
            Some((s, c)) => (s, Some(c)),
            None => (f, None),
        };
        Ok(Filter {
            suite: Some(glob::Pattern::new(s)?),
            case: c.map(glob::Pattern::new).transpose()?,
        })
    }

    fn suite_matches(&self, name: &str) -> bool {
        self.suite.as_ref().is_none_or(|p| p.matches(name))
    }

    fn case_matches(&self, name: &str) -> bool {
        self.case.as_ref().is_none_or(|p| p.matches(name))
    }
}

/// The results of running one program's suites.
pub struct RunResults {
    /// Per-suite KTAP results.
    pub suites: Vec<SuiteResult>,
    /// Per-case records for explanations.
    pub cases: Vec<CaseRecord>,
}

/// Runs every suite the program registered with `kunit_test_suite(s)`.
pub fn run_suites(
    interp: &mut Interp,
    kernel: &mut Kernel,
    state: &mut BindState,
    module: &str,
    filter: &Filter,
) -> RunResults {
    let mut results = RunResults {
        suites: Vec::new(),
        cases: Vec::new(),
    };
    for suite_addr in crate::callc::registered_suites(interp, kernel) {
        let suite = {
            let mut env = KernelEnv { kernel, state };
            match read_suite(&mut env, suite_addr) {
                Ok(s) => s,
                Err(_) => continue,
            }
        };
        if !filter.suite_matches(&suite.name) {
            continue;
        }
        let r = run_suite(
            interp,
            kernel,
            state,
            &suite,
            module,
            filter,
            &mut results.cases,
        );
        if !r.cases.is_empty() || filter.case.is_none() {
            results.suites.push(r);
        }
    }
    results
}

fn read_suite(env: &mut KernelEnv<'_>, at: Addr) -> Result<Suite, Trap> {
    let l = env.state.layouts;
    let site = CSite::NONE;
    let f = |off: u32| at.offset_by(i64::from(off));
    let name = env.read_str(f(l.suite_name), site)?;
    let mut cases = Vec::new();
    let mut c = Addr(env.read_u64(f(l.suite_cases), site)?);
    while !c.is_null() {
        let run = env.read_u64(c.offset_by(i64::from(l.case_run)), site)?;
        if run == 0 {
            break;
        }
        let name_ptr = env.read_u64(c.offset_by(i64::from(l.case_name)), site)?;
        cases.push((env.read_str(Addr(name_ptr), site)?, run));
        c = c.offset_by(i64::from(l.case_size));
    }
    Ok(Suite {
        name,
        suite_init: env.read_u64(f(l.suite_suite_init), site)?,
        suite_exit: env.read_u64(f(l.suite_suite_exit), site)?,
        init: env.read_u64(f(l.suite_init), site)?,
        exit: env.read_u64(f(l.suite_exit), site)?,
        cases,
    })
}

/// Calls a C function pointer with pointer arguments.
fn call_c(
    interp: &mut Interp,
    kernel: &mut Kernel,
    state: &mut BindState,
    f: u64,
    args: &[u64],
) -> Result<Value, Trap> {
    let mut env = KernelEnv { kernel, state };
    let values: Vec<Value> = args.iter().map(|a| Value::ptr(CAddr(*a))).collect();
    crate::callc::call_pointer(interp, &mut env, CAddr(f), &values, CSite::NONE)
}

fn run_suite(
    interp: &mut Interp,
    kernel: &mut Kernel,
    state: &mut BindState,
    suite: &Suite,
    module: &str,
    filter: &Filter,
    records: &mut Vec<CaseRecord>,
) -> SuiteResult {
    let mut result = SuiteResult {
        name: suite.name.clone(),
        module: module.to_string(),
        log: Vec::new(),
        cases: Vec::new(),
        init_failed: false,
    };
    if suite.suite_init != 0 {
        let r = call_c(interp, kernel, state, suite.suite_init, &[0]);
        if let Ok(v) = &r {
            if v.bits as i32 != 0 {
                result.log.push(format!(
                    "    # {}: failed to initialize ({})",
                    suite.name, v.bits as i32
                ));
                result.init_failed = true;
                return result;
            }
        }
    }
    for (name, run) in &suite.cases {
        if !filter.case_matches(name) {
            continue;
        }
        let (case, record) = run_case(interp, kernel, state, suite, name, *run);
        records.push(record);
        result.cases.push(case);
    }
    if suite.suite_exit != 0 {
        let _ = call_c(interp, kernel, state, suite.suite_exit, &[0]);
    }
    result
}

fn run_case(
    interp: &mut Interp,
    kernel: &mut Kernel,
    state: &mut BindState,
    suite: &Suite,
    name: &str,
    run: u64,
) -> (CaseResult, CaseRecord) {
    let first_event = kernel.log.next_id();
    kernel.set_site(devlife_model::Site::default());
    let size = state.layouts.kunit_size;
    let test_addr = kernel.kmalloc(size, AllocKind::Global, "struct kunit (runner)");
    let t = kernel.kunit_init_test(name, test_addr);
    {
        let mut env = KernelEnv { kernel, state };
        let s = env.interned_str(name);
        let off = i64::from(env.state.layouts.kunit_name);
        let _ = env.kernel.mm.write_u64(test_addr.offset_by(off), s.0);
        env.sync_kunit_lists();
    }
    kernel.set_current_test(Some(t));
    fresh_budgets(kernel, state);
    state.case = Some(CaseState {
        name: name.to_string(),
        test: t,
        test_addr,
        log: Vec::new(),
        failed: false,
        skip: None,
        steps: Vec::new(),
        helper_serial: 0,
        cleaning_up: false,
    });
    let mut traps = Traps::default();
    let _ = run_phase(
        interp, kernel, state, suite.init, test_addr, &mut traps, true,
    ) && run_phase(interp, kernel, state, run, test_addr, &mut traps, false);
    kernel.set_current_test(Some(t));
    cleanup_phase(interp, kernel, state, suite.exit, t, test_addr, &mut traps);
    {
        let mut env = KernelEnv { kernel, state };
        env.flush_kernel_messages();
    }
    kernel.kunit_test_done(t);
    kernel.set_current_test(None);
    let _ = kernel.kfree(test_addr);
    let case = state.case.take().expect("case state");
    let status = if case.failed {
        Status::Fail
    } else if let Some(reason) = case.skip.clone() {
        Status::Skip(reason)
    } else {
        Status::Pass
    };
    let record = CaseRecord {
        suite: suite.name.clone(),
        case: name.to_string(),
        status: status.clone(),
        first_event,
        end_event: kernel.log.next_id(),
        steps: case.steps,
        traps: traps.printed,
        mem_faults: traps.memory,
    };
    (
        CaseResult {
            name: name.to_string(),
            status,
            log: case.log,
        },
        record,
    )
}

/// Starts the allocation and output budgets of a case or of its cleanup.
fn fresh_budgets(kernel: &Kernel, state: &mut BindState) {
    state.alloc_base = kernel.mm.total() as u64;
    state.output_bytes = 0;
}

/// What stopped phases of a case.
#[derive(Default)]
struct Traps {
    printed: Vec<String>,
    memory: Vec<MemFaultRecord>,
}

/// Runs the init or body phase; false when it ended early.
fn run_phase(
    interp: &mut Interp,
    kernel: &mut Kernel,
    state: &mut BindState,
    f: u64,
    test: Addr,
    traps: &mut Traps,
    is_init: bool,
) -> bool {
    if f == 0 {
        return true;
    }
    match call_c(interp, kernel, state, f, &[test.0]) {
        Ok(v) => {
            if is_init && v.bits as i32 != 0 {
                record_line(state, &format!("failed to initialize: {}", v.bits as i32));
                mark_failed(state);
                return false;
            }
            true
        }
        Err(trap) => {
            handle_trap(interp, kernel, state, trap, traps);
            false
        }
    }
}

fn cleanup_phase(
    interp: &mut Interp,
    kernel: &mut Kernel,
    state: &mut BindState,
    exit: u64,
    t: ObjId,
    test: Addr,
    traps: &mut Traps,
) {
    if let Some(case) = state.case.as_mut() {
        case.cleaning_up = true;
    }
    // A body stopped at the allocation or output bound would trip it again
    // at the first kernel call of its cleanup, and its deferred actions
    // would never run: the cleanup gets budgets of its own.
    fresh_budgets(kernel, state);
    if exit != 0 {
        if let Err(trap) = call_c(interp, kernel, state, exit, &[test.0]) {
            handle_trap(interp, kernel, state, trap, traps);
            record_line(
                state,
                "test aborted during cleanup. continuing without cleaning up",
            );
            return;
        }
    }
    let mut host = CHost { interp, state };
    if let Err(abort) = kernel.kunit_cleanup(&mut host, t) {
        let mut env = KernelEnv { kernel, state };
        let trap = env.abort_trap(abort, CSite::NONE);
        handle_trap(interp, kernel, state, trap, traps);
        record_line(
            state,
            "test aborted during cleanup. continuing without cleaning up",
        );
    }
}

fn record_line(state: &mut BindState, text: &str) {
    if let Some(case) = state.case.as_mut() {
        case.log.push(format!("    # {}: {text}", case.name));
    }
}

fn mark_failed(state: &mut BindState) {
    if let Some(case) = state.case.as_mut() {
        case.failed = true;
    }
}

/// Reports why a phase stopped: assertions were already reported; faults
/// and memory errors fail the case with a diagnostic.
fn handle_trap(
    interp: &mut Interp,
    kernel: &mut Kernel,
    state: &mut BindState,
    trap: Trap,
    traps: &mut Traps,
) {
    {
        let mut env = KernelEnv { kernel, state };
        env.flush_kernel_messages();
    }
    match trap.payload::<Stop>() {
        Some(Stop::Assertion) | Some(Stop::Skip) => return,
        _ => {}
    }
    let lines = crate::callc::render_trap(interp, kernel, &trap);
    for line in &lines {
        record_line(state, line);
    }
    if let Some(kind) = mem_fault(&trap) {
        traps.memory.push(MemFaultRecord {
            kind,
            site: to_model_site(trap.site()),
            event: kernel.log.next_id(),
        });
    }
    traps.printed.push(lines.join("\n"));
    mark_failed(state);
}

/// The memory fault behind a trap, if it is one.
fn mem_fault(trap: &Trap) -> Option<devlife_model::mm::MemFault> {
    use devlife_model::mm::MemFault;
    let a = |x: CAddr| Addr(x.0);
    match trap {
        Trap::UseAfterFree { addr, .. } => Some(MemFault::UseAfterFree {
            alloc: a(*addr).alloc(),
            offset: a(*addr).offset(),
        }),
        Trap::OutOfBounds { addr, len, .. } => Some(MemFault::OutOfBounds {
            alloc: a(*addr).alloc(),
            offset: a(*addr).offset(),
            len: *len as u32,
        }),
        Trap::NullDeref { addr, .. } => Some(MemFault::Null { addr: a(*addr) }),
        Trap::InvalidAddress { addr, .. } => Some(MemFault::Wild { addr: a(*addr) }),
        _ => None,
    }
}

impl KernelEnv<'_> {
    /// Moves the kernel's printed lines into the running case's log, in order.
    pub fn flush_kernel_messages(&mut self) {
        let log = &self.kernel.log;
        let profile = self.kernel.profile;
        let lines: Vec<String> = log
            .printing_since(self.state.printed_events)
            .flat_map(|e| match &e.kind {
                EventKind::Message(m) => vec![m.to_string()],
                EventKind::Warning(w) => w.log_lines(profile),
                _ => Vec::new(),
            })
            .collect();
        self.state.printed_events = log.next_id();
        for line in lines {
            self.push_line(line);
        }
    }

    fn push_line(&mut self, line: String) {
        self.state.output_bytes += line.len() as u64 + 1;
        if self.state.output_bytes > self.state.limits.output {
            return;
        }
        match self.state.case.as_mut() {
            Some(case) => case.log.push(line),
            None => self.state.stray_log.push(line),
        }
    }

    /// Prints a line to the kernel log, after any pending kernel messages.
    pub fn print(&mut self, line: String) {
        self.flush_kernel_messages();
        self.push_line(line);
    }

    /// Records the start of a top-level statement of the case body (C call
    /// depth 1) that calls the kernel function shown as `call`.
    pub fn note_step(&mut self, call: NameId, site: CSite) {
        let next = self.kernel.log.next_id();
        if let Some(case) = self.state.case.as_mut().filter(|c| !c.cleaning_up) {
            case.steps.push(Step {
                event: next,
                line: site.line,
                call,
            });
        }
    }

    /// Records the start of a statement of the case body that calls the
    /// case's own helper `name`, when the helper first reaches the kernel:
    /// what the helper does is that statement's row, not the one before.
    pub fn note_helper_step(&mut self, call: TopCall, name: &str) {
        let next = self.kernel.log.next_id();
        let Some(case) = self.state.case.as_mut().filter(|c| !c.cleaning_up) else {
            return;
        };
        if case.helper_serial == call.serial {
            return;
        }
        case.helper_serial = call.serial;
        case.steps.push(Step {
            event: next,
            line: call.site.line,
            call: self.kernel.intern(name),
        });
    }
}
