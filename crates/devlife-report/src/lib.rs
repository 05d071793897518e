//! devlife's explanations of finished model runs.
//!
//! A host (the C interpreter, or Rust code driving the model directly) runs a
//! test case on a [`devlife_model::Kernel`], marks where each top-level
//! statement began ([`Step`]), and hands the result over as a [`CaseRun`].
//! [`explain`] turns runs into an [`Explanation`]: the refcount table of the
//! tracked objects in the shape of the Nov 2022 thread, who holds every
//! reference after every step, the objects that leaked and the reference
//! cycles that keep them, managed resources and memory never released, and
//! faults with the sites that matter. The format modules render an
//! explanation as terminal [`text`], [`json`], Graphviz [`dot`] or a
//! self-contained [`html`] page.
//!
//! Architecture invariant: this crate knows nothing of C. It reads the model
//! and its event log only; counts and holders come from replaying the log,
//! so the table is a pure function of it. Every output is deterministic:
//! the same run gives the same bytes.
//!
//! ```
//! use devlife_model::{Kernel, Profile, RustHost};
//! use devlife_report::{explain, Recorder, Status};
//!
//! let mut k = Kernel::new(Profile::V6_12);
//! let mut host = RustHost::new();
//! let mut rec = Recorder::start(&k);
//! rec.step(&mut k, 1, "root_device_register");
//! let root = k.root_device_register(&mut host, "test").unwrap().unwrap();
//! rec.step(&mut k, 2, "root_device_unregister");
//! k.root_device_unregister(&mut host, root).unwrap();
//! let run = rec.finish(&k, "suite", "case", Status::Pass);
//! let e = explain(&[run]);
//! assert_eq!(e.cases[0].table.rows.len(), 2);
//! assert!(e.cases[0].leaks.is_empty());
//! println!("{}", devlife_report::text::render(&e));
//! ```

mod describe;
mod errors;
mod explanation;
mod graph;
mod input;
mod leaks;
mod replay;
mod table;

pub mod dot;
pub mod html;
pub mod json;
pub mod text;

pub use explanation::{
    CaseReport, Column, Count, Cycle, CycleLink, ErrorReport, Explanation, GraphEdge, GraphNode,
    HeldRef, Leak, LeakedMemory, NodeState, Note, Origin, PendingResource, RefGraph, Row, Table,
    TableCell, TimelineStep,
};
pub use input::{
    default_site_name, CaseRun, HostFault, Recorder, SiteNamer, Status, Step, DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_ROWS, MAX_LISTED_REFS,
};

use describe::Ctx;
use devlife_model::ObjId;

/// Explains `runs`, in order. The kernel named is the first run's profile.
pub fn explain(runs: &[CaseRun<'_>]) -> Explanation {
    Explanation {
        kernel: runs
            .first()
            .map(|r| r.kernel.profile.name())
            .unwrap_or_default(),
        cases: runs.iter().map(explain_case).collect(),
    }
}

/// Explains one case.
pub fn explain_case(run: &CaseRun<'_>) -> CaseReport {
    let probe = Ctx::new(run, &[]);
    let created = table::case_objects(&probe);
    let (columns, hidden_columns) = match &run.columns {
        Some(c) => (c.clone(), 0),
        None => {
            let tracked = table::default_columns(run.kernel, &created);
            let shown = table::readable_columns(&probe, &tracked, run.max_columns);
            let hidden = tracked.len() - shown.len();
            (shown, hidden)
        }
    };
    let scope: Vec<ObjId> = created.iter().chain(&columns).copied().collect();
    let ctx = Ctx::new(run, &scope);
    let mut replay = replay::Replay::new(run.kernel, ctx.end);
    let mut collector = errors::Collector::new(&ctx);
    let (mut table, timeline) = table::build(
        &ctx,
        &columns,
        run.max_rows,
        &mut replay,
        &mut |r, id, e| collector.see(r, id, e),
    );
    table.hidden_columns = hidden_columns;
    let analysis = graph::analyse(&ctx, &replay, &created, &columns);
    let mut leaks = leaks::leaks(&ctx, &replay, &created);
    for leak in &mut leaks {
        let id = ObjId(leak.id);
        leak.cycle = analysis.members.iter().position(|m| m.contains(&id));
    }
    CaseReport {
        suite: run.suite.clone(),
        case: run.case.clone(),
        status: run.status,
        timeline,
        table,
        leaks,
        cycles: analysis.cycles,
        resources: leaks::pending_resources(&ctx, &replay),
        memory: leaks::leaked_memory(&ctx, &created),
        errors: collector.finish(&run.host_faults),
        graph: analysis.graph,
    }
}
