//! The refcount table in the shape of the Nov 2022 thread: one column per
//! tracked object, one row per top-level statement that changed one of them,
//! every cell explained by its holders.

use crate::describe::{device, Ctx};
use crate::explanation::{Column, Count, Row, Table, TableCell, TimelineStep};
use crate::input::MAX_LISTED_REFS;
use crate::replay::Replay;
use devlife_model::drivers::base::core::DevKind;
use devlife_model::trace::EventId;
use devlife_model::{Event, EventKind, Kernel, ObjId, ObjKind, RefId};
use std::collections::BTreeSet;

/// An observer of every replayed event of the case (errors use it).
pub(crate) type Observer<'o, 'k> = &'o mut dyn FnMut(&Replay<'k>, EventId, &Event);

/// Objects given their initial reference during the case, in order.
pub(crate) fn case_objects(ctx: &Ctx<'_>) -> Vec<ObjId> {
    let mut seen = BTreeSet::new();
    let from = (ctx.first as usize).min(ctx.events.len());
    ctx.events[from..]
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Created { obj, .. } => Some(obj),
            _ => None,
        })
        .filter(|o| seen.insert(*o))
        .collect()
}

/// The default columns: devices, drm_devices and the test's own krefs and
/// kobjects the case created, minus DRM minors' devices and bus roots.
pub(crate) fn default_columns(kernel: &Kernel, created: &[ObjId]) -> Vec<ObjId> {
    created
        .iter()
        .copied()
        .filter(|o| is_default_column(kernel, *o))
        .collect()
}

/// At most `max` of the `tracked` objects, in their order: first those
/// still alive at the end of the case (a leak is what a reader looks for),
/// then the earliest created.
pub(crate) fn readable_columns(ctx: &Ctx<'_>, tracked: &[ObjId], max: usize) -> Vec<ObjId> {
    if tracked.len() <= max {
        return tracked.to_vec();
    }
    let alive_at_end = |o: &ObjId| {
        ctx.kernel
            .try_obj(*o)
            .is_some_and(|obj| obj.released.is_none_or(|r| r >= ctx.end))
    };
    let mut keep: BTreeSet<ObjId> = tracked
        .iter()
        .filter(|o| alive_at_end(o))
        .take(max)
        .copied()
        .collect();
    for o in tracked {
        if keep.len() >= max {
            break;
        }
        keep.insert(*o);
    }
    tracked
        .iter()
        .filter(|o| keep.contains(o))
        .copied()
        .collect()
}

fn is_default_column(kernel: &Kernel, obj: ObjId) -> bool {
    match kernel.try_obj(obj).map(|o| o.kind) {
        Some(ObjKind::DrmDevice | ObjKind::Kref | ObjKind::Kobject) => true,
        Some(ObjKind::Device) => !matches!(
            device(kernel, obj).map(|d| &d.kind),
            Some(DevKind::DrmMinor { .. } | DevKind::BusRoot) | None
        ),
        _ => false,
    }
}

/// A tracked object's cell value at the replay position.
pub(crate) fn count_of(replay: &Replay<'_>, obj: ObjId) -> Count {
    let s = replay.obj(obj);
    match (s.created, s.freed) {
        (None, _) => Count::NotCreated,
        (Some(_), Some(_)) => Count::Freed,
        (Some(_), None) => Count::Value(s.count),
    }
}

/// What one step did to the tracked objects.
#[derive(Default)]
struct Window {
    /// Objects created or released in the step.
    lifecycle: BTreeSet<ObjId>,
    /// References taken, by object.
    taken: Vec<(ObjId, RefId)>,
    /// References returned, with their holder as it was.
    returned: Vec<(ObjId, RefId, String)>,
}

impl Window {
    fn see(&mut self, ctx: &Ctx<'_>, replay: &Replay<'_>, kind: &EventKind, columns: &[ObjId]) {
        match *kind {
            EventKind::Created { obj, reference } | EventKind::Get { obj, reference, .. }
                if columns.contains(&obj) =>
            {
                if matches!(kind, EventKind::Created { .. }) {
                    self.lifecycle.insert(obj);
                }
                self.taken.push((obj, reference));
            }
            EventKind::Put {
                obj,
                reference: Some(r),
                ..
            } if columns.contains(&obj) => {
                let text = replay
                    .reference(r)
                    .map(|s| ctx.holder_text(obj, &s))
                    .unwrap_or_default();
                self.returned.push((obj, r, text));
            }
            EventKind::Released(obj) if columns.contains(&obj) => {
                self.lifecycle.insert(obj);
            }
            _ => {}
        }
    }
}

/// Replays the case step by step and builds the table (at most `max_rows`
/// rows) and the timeline. `replay` must stand at or before the first step;
/// every event of the case is passed to `also`.
pub(crate) fn build<'k>(
    ctx: &Ctx<'k>,
    columns: &[ObjId],
    max_rows: usize,
    replay: &mut Replay<'k>,
    also: Observer<'_, 'k>,
) -> (Table, Vec<TimelineStep>) {
    let mut table = Table {
        columns: columns
            .iter()
            .map(|c| Column {
                object: c.0,
                label: ctx.label(*c),
            })
            .collect(),
        rows: Vec::new(),
        hidden_columns: 0,
        hidden_rows: 0,
    };
    let mut timeline = Timeline::default();
    let start = ctx
        .steps
        .first()
        .map_or(ctx.end, |s| s.event.max(ctx.first));
    replay.advance(start, also);
    let mut prev: Vec<Count> = columns.iter().map(|c| count_of(replay, *c)).collect();
    for (i, step) in ctx.steps.iter().enumerate() {
        let next = ctx.steps.get(i + 1).map_or(ctx.end, |s| s.event);
        let from = replay.pos();
        let stop = next.clamp(from, ctx.end.max(from));
        let mut window = Window::default();
        replay.advance(stop, &mut |r, id, e| {
            window.see(ctx, r, &e.kind, columns);
            also(r, id, e);
        });
        let now: Vec<Count> = columns.iter().map(|c| count_of(replay, *c)).collect();
        let changed = now != prev || columns.iter().any(|c| window.lifecycle.contains(c));
        let row = if changed && table.rows.len() < max_rows {
            table
                .rows
                .push(row(ctx, replay, columns, &now, &window, step));
            Some(table.rows.len() - 1)
        } else {
            table.hidden_rows += usize::from(changed);
            None
        };
        timeline.note(TimelineStep {
            line: step.line,
            call: ctx.kernel.name(step.call).to_string(),
            events: replay.pos().saturating_sub(from),
            row,
            summarized: 0,
        });
        prev = now;
    }
    replay.advance(ctx.end, also);
    (table, timeline.steps)
}

/// Steps of a stretch without table rows listed one by one before the rest
/// of the stretch is summed up in one entry: a loop of 100,000 iterations
/// stays a short timeline.
const TIMELINE_QUIET_STEPS: u32 = 10;

/// The timeline under construction.
#[derive(Default)]
struct Timeline {
    steps: Vec<TimelineStep>,
    /// Steps since the last one with a row.
    quiet: u32,
}

impl Timeline {
    fn note(&mut self, step: TimelineStep) {
        self.quiet = if step.row.is_some() {
            0
        } else {
            self.quiet + 1
        };
        if self.quiet <= TIMELINE_QUIET_STEPS {
            self.steps.push(step);
            return;
        }
        match self.steps.last_mut() {
            Some(sum) if sum.summarized > 0 => {
                sum.summarized += 1;
                sum.events = sum.events.saturating_add(step.events);
            }
            _ => self.steps.push(TimelineStep {
                summarized: 1,
                ..step
            }),
        }
    }
}

fn row(
    ctx: &Ctx<'_>,
    replay: &Replay<'_>,
    columns: &[ObjId],
    counts: &[Count],
    window: &Window,
    step: &crate::input::Step,
) -> Row {
    let cells = columns
        .iter()
        .zip(counts)
        .map(|(c, count)| cell(ctx, replay, *c, *count, window))
        .collect();
    Row {
        line: step.line,
        call: ctx.kernel.name(step.call).to_string(),
        cells,
    }
}

fn cell(ctx: &Ctx<'_>, replay: &Replay<'_>, obj: ObjId, count: Count, w: &Window) -> TableCell {
    let state = replay.obj(obj);
    let holders = if matches!(count, Count::Value(_)) {
        holders(ctx, replay, obj)
    } else {
        Vec::new()
    };
    let taken_here: BTreeSet<RefId> = w
        .taken
        .iter()
        .filter(|(o, _)| *o == obj)
        .map(|(_, r)| *r)
        .collect();
    // References are held in the order they were taken, so by id.
    let taken = listed(
        taken_here
            .iter()
            .filter(|r| state.refs.binary_search(r).is_ok())
            .filter_map(|r| replay.reference(*r).map(|s| ctx.holder_text(obj, &s))),
    );
    let returned = listed(
        w.returned
            .iter()
            .filter(|(o, r, _)| *o == obj && !taken_here.contains(r))
            .map(|(_, _, text)| text.clone()),
    );
    TableCell {
        count,
        holders,
        taken,
        returned,
    }
}

/// Who holds each reference on `obj` now, oldest first.
pub(crate) fn holders(ctx: &Ctx<'_>, replay: &Replay<'_>, obj: ObjId) -> Vec<String> {
    listed(
        replay
            .obj(obj)
            .refs
            .iter()
            .filter_map(|r| replay.reference(*r).map(|s| ctx.holder_text(obj, &s))),
    )
}

/// The first [`MAX_LISTED_REFS`] texts, then `… and N more references`.
fn listed(texts: impl Iterator<Item = String>) -> Vec<String> {
    let (mut out, more) = first_listed(texts);
    if more > 0 {
        out.push(format!("… and {more} more references"));
    }
    out
}

/// The first [`MAX_LISTED_REFS`] items, and how many more there are.
pub(crate) fn first_listed<T>(items: impl Iterator<Item = T>) -> (Vec<T>, usize) {
    let mut out = Vec::new();
    let mut more = 0usize;
    for item in items {
        if out.len() < MAX_LISTED_REFS {
            out.push(item);
        } else {
            more += 1;
        }
    }
    (out, more)
}
