//! The JSON format, for tools. Pretty-printed, keys in the order below.
//!
//! # SCHEMA
//!
//! ```text
//! {
//!   "kernel": "v6.1",                       // the modelled kernel
//!   "cases": [{
//!     "suite": "drm_test", "case": "seed",
//!     "status": "pass" | "fail" | "skip",
//!     "table": {
//!       "columns": ["root device 'test'", "drm_device on 'test'"],
//!       "rows": [{
//!         "line": 13, "call": "devm_drm_dev_alloc",
//!         "counts": [2, null],               // int, null = not created yet, "freed"
//!         "holders": [["...", "..."], []]     // per column, who holds each reference
//!       }],
//!       "hidden_columns": 0,                 // tracked objects left out (--max-columns)
//!       "hidden_rows": 0                     // rows past the bound left out (--max-rows)
//!     },
//!     "leaks": [{
//!       "object": "root device 'test'",
//!       "refcount": 1,
//!       "held_by": [{
//!         "holder": "drmm action drm_dev_init_release of drm_device on 'test'",
//!         "site": "test.c:13:5",              // where the reference was taken
//!         "context": "devm_drm_dev_alloc (__devm_drm_dev_alloc → drm_dev_init)",
//!         "returned_by": "dropped by ..., which only runs when ..."
//!       }],                                 // at most 32; the rest are counted:
//!       "more_held_by": 0,
//!       "cycle": ["A holds B via X", "B holds A via Y"]   // [] when not in a cycle
//!     }],
//!     "cycles": [{
//!       "links": ["A holds B via X", "B holds A via Y"],
//!       "broken_by": ["device_del() of device 'card0'"]  // [] = nothing outside breaks it
//!     }],
//!     "resources": [{"resource": "...", "site": "...", "context": "...", "released_by": "...",
//!                    "count": 1}],                // entries alike (a loop's) are one, counted
//!     "memory": [{"label": "...", "size": 64, "kind": "object", "object": "..." | null,
//!                 "site": "...", "context": "...", "count": 1}],
//!     "errors": [{
//!       "kind": "use-after-free" | "double-free" | "use-after-release" | "refcount-underflow" | ...,
//!       "message": "...", "site": "...", "context": "...",
//!       "notes": [{"label": "allocated here", "site": "...", "context": "..."}],
//!       "count": 1                          // repeats at the same site on the same object
//!     }]
//!   }]
//! }
//! ```
//!
//! `site` is the host's name for a site (`file.c:12:5`); `context` is the
//! step's call and the modelled kernel functions it happened in. Fields are
//! only ever added, never renamed or removed.

use crate::explanation::{CaseReport, Count, Explanation, Origin};
use serde::Serialize;

/// Renders the explanation as pretty JSON with a trailing newline.
pub fn render(e: &Explanation) -> String {
    let doc = Doc {
        kernel: &e.kernel,
        cases: e.cases.iter().map(case).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[derive(Serialize)]
struct Doc<'a> {
    kernel: &'a str,
    cases: Vec<CaseView<'a>>,
}

#[derive(Serialize)]
struct CaseView<'a> {
    suite: &'a str,
    case: &'a str,
    status: &'static str,
    table: TableView<'a>,
    leaks: Vec<LeakView<'a>>,
    cycles: Vec<CycleView>,
    resources: Vec<ResourceView<'a>>,
    memory: Vec<MemoryView<'a>>,
    errors: Vec<ErrorView<'a>>,
}

#[derive(Serialize)]
struct CycleView {
    links: Vec<String>,
    broken_by: Vec<String>,
}

#[derive(Serialize)]
struct TableView<'a> {
    columns: Vec<&'a str>,
    rows: Vec<RowView<'a>>,
    hidden_columns: usize,
    hidden_rows: usize,
}

#[derive(Serialize)]
struct RowView<'a> {
    line: u32,
    call: &'a str,
    counts: Vec<Count>,
    holders: Vec<&'a [String]>,
}

#[derive(Serialize)]
struct LeakView<'a> {
    object: &'a str,
    refcount: i32,
    held_by: Vec<HeldView<'a>>,
    more_held_by: usize,
    cycle: Vec<String>,
}

#[derive(Serialize)]
struct HeldView<'a> {
    holder: &'a str,
    site: &'a str,
    context: String,
    returned_by: &'a str,
}

#[derive(Serialize)]
struct ResourceView<'a> {
    resource: &'a str,
    site: &'a str,
    context: String,
    released_by: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct MemoryView<'a> {
    label: &'a str,
    size: u32,
    kind: &'a str,
    object: Option<&'a str>,
    site: &'a str,
    context: String,
    count: usize,
}

#[derive(Serialize)]
struct ErrorView<'a> {
    kind: &'a str,
    message: &'a str,
    site: &'a str,
    context: String,
    notes: Vec<NoteView<'a>>,
    count: usize,
}

#[derive(Serialize)]
struct NoteView<'a> {
    label: &'a str,
    site: &'a str,
    context: String,
}

fn case(c: &CaseReport) -> CaseView<'_> {
    CaseView {
        suite: &c.suite,
        case: &c.case,
        status: c.status.as_str(),
        table: TableView {
            columns: c.table.columns.iter().map(|c| c.label.as_str()).collect(),
            rows: c
                .table
                .rows
                .iter()
                .map(|r| RowView {
                    line: r.line,
                    call: &r.call,
                    counts: r.cells.iter().map(|c| c.count).collect(),
                    holders: r.cells.iter().map(|c| c.holders.as_slice()).collect(),
                })
                .collect(),
            hidden_columns: c.table.hidden_columns,
            hidden_rows: c.table.hidden_rows,
        },
        leaks: c.leaks.iter().map(|l| leak(c, l)).collect(),
        cycles: c
            .cycles
            .iter()
            .map(|x| CycleView {
                links: x.sentences(),
                broken_by: x.broken_by.clone(),
            })
            .collect(),
        resources: c
            .resources
            .iter()
            .map(|r| ResourceView {
                resource: &r.resource,
                site: &r.added.site,
                context: r.added.context(),
                released_by: &r.released_by,
                count: r.count,
            })
            .collect(),
        memory: c.memory.iter().map(memory).collect(),
        errors: c.errors.iter().map(error).collect(),
    }
}

fn leak<'a>(c: &'a CaseReport, l: &'a crate::explanation::Leak) -> LeakView<'a> {
    LeakView {
        object: &l.object,
        refcount: l.refcount,
        held_by: l
            .held_by
            .iter()
            .map(|h| HeldView {
                holder: &h.holder,
                site: &h.taken.site,
                context: h.taken.context(),
                returned_by: &h.returned_by,
            })
            .collect(),
        more_held_by: l.more_held,
        cycle: l
            .cycle
            .and_then(|i| c.cycles.get(i))
            .map(|x| x.sentences())
            .unwrap_or_default(),
    }
}

fn memory(m: &crate::explanation::LeakedMemory) -> MemoryView<'_> {
    MemoryView {
        label: &m.label,
        size: m.size,
        kind: &m.kind,
        object: m.object.as_deref(),
        site: &m.allocated.site,
        context: m.allocated.context(),
        count: m.count,
    }
}

fn error(e: &crate::explanation::ErrorReport) -> ErrorView<'_> {
    ErrorView {
        kind: &e.kind,
        message: &e.message,
        site: &e.at.site,
        context: e.at.context(),
        notes: e.notes.iter().map(note).collect(),
        count: e.count,
    }
}

fn note(n: &crate::explanation::Note) -> NoteView<'_> {
    NoteView {
        label: &n.label,
        site: site_of(&n.at),
        context: n.at.context(),
    }
}

fn site_of(o: &Origin) -> &str {
    &o.site
}
