//! The explanation of finished runs: plain data that every output format
//! renders. Everything here is ordered (vectors built in log or id order), so
//! the same run always gives the same explanation.

use crate::input::Status;
use serde::{Serialize, Serializer};

/// Explanations of one or more test cases run on one kernel profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The modelled kernel (`v6.1`, `v6.12`).
    pub kernel: String,
    /// One report per case, in the order given.
    pub cases: Vec<CaseReport>,
}

/// Everything explained about one test case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseReport {
    /// The suite's name.
    pub suite: String,
    /// The case's name.
    pub case: String,
    /// Its verdict.
    pub status: Status,
    /// Every top-level statement, in order, with the table row it produced.
    pub timeline: Vec<TimelineStep>,
    /// The refcount table.
    pub table: Table,
    /// Objects the case created that are still alive at its end.
    pub leaks: Vec<Leak>,
    /// Elementary reference cycles among the leaked objects.
    pub cycles: Vec<Cycle>,
    /// Managed resources added during the case and never released.
    pub resources: Vec<PendingResource>,
    /// Memory allocated during the case and never freed.
    pub memory: Vec<LeakedMemory>,
    /// Faults and refcount warnings, in the order they happened.
    pub errors: Vec<ErrorReport>,
    /// The references still held at the case's end, as a graph.
    pub graph: RefGraph,
}

/// One top-level statement of the case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineStep {
    /// Its source line.
    pub line: u32,
    /// The function it called.
    pub call: String,
    /// How many events it caused.
    pub events: u32,
    /// The index of the table row it produced, if it changed a tracked object.
    pub row: Option<usize>,
    /// 0 for one step; otherwise this entry sums up that many consecutive
    /// steps without a table row (a loop's quiet iterations), `line` and
    /// `call` being the first's and `events` their total.
    pub summarized: u32,
}

/// The refcount table: one column per tracked object, one row per step that
/// changed one of them.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Table {
    /// The tracked objects.
    pub columns: Vec<Column>,
    /// The kept rows.
    pub rows: Vec<Row>,
    /// Tracked objects left out of the table to keep it readable (see
    /// [`crate::CaseRun::max_columns`]).
    pub hidden_columns: usize,
    /// Steps that changed a shown count after the table reached
    /// [`crate::CaseRun::max_rows`] rows.
    pub hidden_rows: usize,
}

/// A tracked object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// The model's object id.
    pub object: u32,
    /// A readable label (`root device 'test'`, `drm_device on 'test'`).
    pub label: String,
}

/// The state of the tracked objects after one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The step's source line.
    pub line: u32,
    /// The function the step called.
    pub call: String,
    /// One cell per column.
    pub cells: Vec<TableCell>,
}

/// One object after one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableCell {
    /// Its count, or why it has none.
    pub count: Count,
    /// Who holds each reference, oldest first.
    pub holders: Vec<String>,
    /// References the step took and still held at its end.
    pub taken: Vec<String>,
    /// References the step returned that were held before it.
    pub returned: Vec<String>,
}

/// A table cell's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// The object does not exist yet (`N/A`; JSON `null`).
    NotCreated,
    /// Its reference count.
    Value(i32),
    /// Its count reached zero and it was released (`freed`).
    Freed,
}

impl Count {
    /// The cell as the text table shows it: `N/A`, the number, or `freed`.
    pub fn text(self) -> String {
        match self {
            Count::NotCreated => "N/A".into(),
            Count::Value(n) => n.to_string(),
            Count::Freed => "freed".into(),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::NotCreated => s.serialize_none(),
            Count::Value(n) => s.serialize_i32(*n),
            Count::Freed => s.serialize_str("freed"),
        }
    }
}

/// An object the case created that outlived it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leak {
    /// The model's object id.
    pub id: u32,
    /// Its label.
    pub object: String,
    /// Its count at the end.
    pub refcount: i32,
    /// The references still held, oldest first: at most
    /// [`crate::MAX_LISTED_REFS`].
    pub held_by: Vec<HeldRef>,
    /// How many more references are held than `held_by` lists.
    pub more_held: usize,
    /// The index in [`CaseReport::cycles`] of the first cycle it is part of.
    pub cycle: Option<usize>,
}

/// A reference still held at the end of the case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldRef {
    /// Who holds it.
    pub holder: String,
    /// Where it was taken.
    pub taken: Origin,
    /// What would return it, and when that happens.
    pub returned_by: String,
}

/// Where and how something happened: a host site and the call chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Origin {
    /// The step (top-level statement) it happened in, if any.
    pub call: String,
    /// The host site (`test.c:12:5`).
    pub site: String,
    /// The modelled kernel functions it happened in, outermost first
    /// (`root_device_unregister → device_del → devres_release_all`).
    pub via: String,
}

/// An elementary cycle of references among leaked objects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cycle {
    /// The objects, in the order the cycle visits them.
    pub objects: Vec<String>,
    /// Each link: who holds whom, and through what.
    pub links: Vec<CycleLink>,
    /// What outside the cycle would drop one of its references (an
    /// unregister, test cleanup); empty when only the release of a member
    /// can, so that none is ever released.
    pub broken_by: Vec<String>,
}

impl Cycle {
    /// Whether nothing outside the cycle can break it.
    pub fn is_closed(&self) -> bool {
        self.broken_by.is_empty()
    }

    /// One sentence on whether and how the cycle can end.
    pub fn verdict(&self) -> String {
        if self.is_closed() {
            "each reference is dropped only when another object of the cycle is released, so none ever is".into()
        } else {
            format!("broken by {}", self.broken_by.join(", or "))
        }
    }

    /// The cycle as sentences: `A holds B via X; B holds A via Y`.
    pub fn sentences(&self) -> Vec<String> {
        self.links.iter().map(CycleLink::sentence).collect()
    }
}

/// One link of a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleLink {
    /// The holding object.
    pub from: String,
    /// The held object.
    pub to: String,
    /// The reference's holder (`devm action devm_drm_dev_init_release`).
    pub via: String,
}

impl CycleLink {
    /// `A holds B via X`.
    pub fn sentence(&self) -> String {
        format!("{} holds {} via {}", self.from, self.to, self.via)
    }
}

/// A managed resource that was never released.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PendingResource {
    /// What it is (`devm action devm_drm_dev_init_release on root device 'test'`).
    pub resource: String,
    /// Where it was added.
    pub added: Origin,
    /// What would release it.
    pub released_by: String,
    /// How many alike (same text, site and trigger: a loop's) it stands for.
    pub count: usize,
}

/// Memory that was never freed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LeakedMemory {
    /// The allocation's label.
    pub label: String,
    /// Its size in bytes.
    pub size: u32,
    /// What it is for (`kmalloc`, `devm`, `object`, ...).
    pub kind: String,
    /// The leaked object it is the container of, if any.
    pub object: Option<String>,
    /// Where it was allocated.
    pub allocated: Origin,
    /// How many alike (same label, size, owner and site) it stands for.
    pub count: usize,
}

/// A fault or refcount warning, Miri style: a message, the offending site
/// and notes pointing at related sites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorReport {
    /// The event (log position) it happened at.
    pub event: u32,
    /// A stable kind tag (`use-after-free`, `refcount-underflow`, ...).
    pub kind: String,
    /// The error line.
    pub message: String,
    /// The offending access.
    pub at: Origin,
    /// Related sites (`allocated here`, `freed here`, ...).
    pub notes: Vec<Note>,
    /// How many times it happened: a warning repeated at the same site on
    /// the same object (a loop's) is one entry.
    pub count: usize,
}

/// A site related to an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// What happened there (`allocated here`).
    pub label: String,
    /// Where.
    pub at: Origin,
}

/// The references held at the case's end, as a directed graph: an edge
/// A → B says A holds a reference on B.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RefGraph {
    /// The nodes, objects by id, then pseudo-nodes.
    pub nodes: Vec<GraphNode>,
    /// The references.
    pub edges: Vec<GraphEdge>,
}

/// A node of the reference graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphNode {
    /// A stable key (`obj12`, `code`, `bus1`, `class0`).
    pub key: String,
    /// Its label.
    pub label: String,
    /// Its state at the end.
    pub state: NodeState,
    /// Its count at the end, for objects that are alive.
    pub refcount: Option<i32>,
}

/// What a graph node is at the end of the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// Created during the case and still alive.
    Leaked,
    /// Alive, but it existed before the case.
    Live,
    /// Released.
    Freed,
    /// Not an object: test code, a bus or class list.
    Pseudo,
}

/// A reference in the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphEdge {
    /// The holder's node index.
    pub from: usize,
    /// The referenced object's node index.
    pub to: usize,
    /// The holder, briefly.
    pub label: String,
    /// Whether it is part of a reported cycle.
    pub in_cycle: bool,
}

impl Origin {
    /// The step and call chain, for a `--> site in ...` line: the chain
    /// alone when it starts with the step's call, otherwise both.
    pub fn context(&self) -> String {
        match (self.call.is_empty(), self.via.is_empty()) {
            (true, true) => String::new(),
            (false, true) => self.call.clone(),
            (true, false) => self.via.clone(),
            (false, false) if self.via_starts_with_call() => self.via.clone(),
            (false, false) => format!("{} ({})", self.call, self.via),
        }
    }

    fn via_starts_with_call(&self) -> bool {
        self.via == self.call || self.via.starts_with(&format!("{} →", self.call))
    }

    /// `site in context`, or just the site.
    pub fn line(&self) -> String {
        let ctx = self.context();
        if ctx.is_empty() {
            self.site.clone()
        } else {
            format!("{} in {ctx}", self.site)
        }
    }
}
