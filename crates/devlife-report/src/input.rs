//! What a host hands the report layer: one finished test case run on a
//! [`Kernel`], the places where the case's top-level statements began, and
//! the memory faults the host caught itself.

use devlife_model::mm::MemFault;
use devlife_model::trace::EventId;
use devlife_model::{Kernel, ObjId, Site};
use serde::Serialize;

/// A test case's verdict, as KUnit reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// `ok`.
    Pass,
    /// `not ok`.
    Fail,
    /// `ok # SKIP`.
    Skip,
}

impl Status {
    /// The lowercase word used in every format (`pass`, `fail`, `skip`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

pub use devlife_model::Step;

/// A memory fault the host detected while running user code (a load or
/// store through a dangling pointer), to be explained with the model's
/// allocation records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostFault {
    /// What the memory model answered.
    pub kind: MemFault,
    /// Where the access was in the host program.
    pub site: Site,
    /// The log position when it happened (`kernel.log.next_id()`), for ordering.
    pub event: EventId,
}

/// Turns a host [`Site`] into text such as `test.c:12:5`.
pub type SiteNamer<'a> = &'a dyn Fn(Site) -> String;

/// One finished test case, ready to be explained.
#[derive(Clone)]
pub struct CaseRun<'a> {
    /// The kernel the case ran on, in its state after the case.
    pub kernel: &'a Kernel,
    /// The KUnit suite's name.
    pub suite: String,
    /// The case's name.
    pub case: String,
    /// The verdict.
    pub status: Status,
    /// The first event of the case; objects created from here on are the case's own.
    pub first_event: EventId,
    /// The first event after the case (exclusive end).
    pub end_event: EventId,
    /// The top-level statements, in order.
    pub steps: Vec<Step>,
    /// The objects to show as table columns; `None` picks the devices and
    /// drm_devices the case created (minus DRM minors and bus roots).
    pub columns: Option<Vec<ObjId>>,
    /// With default columns, at most this many (those still alive at the
    /// end first, then the earliest created): a loop over 100,000 devices
    /// would otherwise make a table of 100,000 columns by as many rows.
    pub max_columns: usize,
    /// At most this many table rows; later steps that change a shown count
    /// are only counted ([`crate::Table::hidden_rows`]).
    pub max_rows: usize,
    /// Names host sites.
    pub site_name: SiteNamer<'a>,
    /// Memory faults the host caught.
    pub host_faults: Vec<HostFault>,
}

/// The default bound on a table's default columns.
pub const DEFAULT_MAX_COLUMNS: usize = 16;
/// The default bound on a table's rows.
pub const DEFAULT_MAX_ROWS: usize = 500;
/// References listed per table cell, per step's taken or returned list and
/// per leak; the rest are counted ("… and N more references").
pub const MAX_LISTED_REFS: usize = 32;

impl<'a> CaseRun<'a> {
    /// A passing case covering the events from `first_event` to the end of the
    /// log, with no steps, default columns and [`default_site_name`].
    pub fn new(
        kernel: &'a Kernel,
        suite: impl Into<String>,
        case: impl Into<String>,
        first_event: EventId,
    ) -> Self {
        Self {
            kernel,
            suite: suite.into(),
            case: case.into(),
            status: Status::Pass,
            first_event,
            end_event: kernel.log.next_id(),
            steps: Vec::new(),
            columns: None,
            max_columns: DEFAULT_MAX_COLUMNS,
            max_rows: DEFAULT_MAX_ROWS,
            site_name: &default_site_name,
            host_faults: Vec::new(),
        }
    }
}

/// Names a site by its numbers: `file0:12:5`, or `<unknown>` for line 0.
pub fn default_site_name(site: Site) -> String {
    if site.line == 0 {
        return "<unknown>".into();
    }
    format!("file{}:{}:{}", site.file, site.line, site.column)
}

/// Records a Rust-driven case step by step: call [`Recorder::step`] before
/// each top-level model call, then [`Recorder::finish`].
#[derive(Debug, Clone)]
pub struct Recorder {
    first_event: EventId,
    steps: Vec<Step>,
}

impl Recorder {
    /// Starts recording at the kernel's next event.
    pub fn start(kernel: &Kernel) -> Self {
        Self {
            first_event: kernel.log.next_id(),
            steps: Vec::new(),
        }
    }

    /// Marks that the statement at `line` calling `call` starts now.
    pub fn step(&mut self, kernel: &mut Kernel, line: u32, call: &str) {
        self.steps.push(Step {
            event: kernel.log.next_id(),
            line,
            call: kernel.intern(call),
        });
    }

    /// The recorded steps so far.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Ends the case at the kernel's next event.
    pub fn finish<'a>(
        self,
        kernel: &'a Kernel,
        suite: impl Into<String>,
        case: impl Into<String>,
        status: Status,
    ) -> CaseRun<'a> {
        let mut run = CaseRun::new(kernel, suite, case, self.first_event);
        run.status = status;
        run.steps = self.steps;
        run
    }
}
