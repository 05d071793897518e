//! What outlived the case: objects with the references that keep them,
//! managed resources still listed, and memory never freed.

use crate::describe::Ctx;
use crate::explanation::{HeldRef, Leak, LeakedMemory, PendingResource};
use crate::replay::{Replay, ResPhase};
use crate::table::first_listed;
use devlife_model::{AllocKind, EventKind, ObjId, ObjKind};
use std::collections::HashMap;

/// Whether `obj` counts as leaked: created during the case, alive at its end,
/// and not a KUnit test (the runner ends those after the case).
pub(crate) fn is_leaked(ctx: &Ctx<'_>, replay: &Replay<'_>, obj: ObjId) -> bool {
    let kind = ctx.kernel.try_obj(obj).map(|o| o.kind);
    kind.is_some() && kind != Some(ObjKind::KunitTest) && replay.obj(obj).is_alive()
}

/// Every leaked object among `created`, with each reference still held.
pub(crate) fn leaks(ctx: &Ctx<'_>, replay: &Replay<'_>, created: &[ObjId]) -> Vec<Leak> {
    created
        .iter()
        .copied()
        .filter(|o| is_leaked(ctx, replay, *o))
        .map(|o| leak(ctx, replay, o))
        .collect()
}

fn leak(ctx: &Ctx<'_>, replay: &Replay<'_>, obj: ObjId) -> Leak {
    let state = replay.obj(obj);
    let (held, more_held) = first_listed(state.refs.iter().filter_map(|r| replay.reference(*r)));
    let held_by = held
        .iter()
        .map(|s| HeldRef {
            holder: ctx.holder_text(obj, s),
            taken: ctx.origin(s.taken),
            returned_by: ctx.returned_by(obj, s, replay),
        })
        .collect();
    Leak {
        id: obj.0,
        object: ctx.label(obj),
        refcount: state.count,
        held_by,
        more_held,
        cycle: None,
    }
}

/// Managed resources added during the case and still listed at its end.
pub(crate) fn pending_resources(ctx: &Ctx<'_>, replay: &Replay<'_>) -> Vec<PendingResource> {
    let from = (ctx.first as usize).min(ctx.events.len());
    let pending = ctx.events[from..]
        .iter()
        .zip(ctx.first..)
        .filter_map(|(e, id)| match e.kind {
            EventKind::ResourceAdded(r) => Some((id, r)),
            _ => None,
        })
        .filter(|(_, r)| matches!(replay.resource(*r), Some(ResPhase::Listed(_))))
        .map(|(id, r)| {
            let trigger = ctx.resource_trigger(r, replay);
            PendingResource {
                resource: ctx.resource_text(r),
                added: ctx.origin(id),
                released_by: trigger
                    .strip_prefix("which ")
                    .unwrap_or(&trigger)
                    .to_string(),
                count: 1,
            }
        })
        .collect();
    group_alike(pending, |r| &mut r.count)
}

/// Heap memory allocated during the case and not freed by its end.
pub(crate) fn leaked_memory(ctx: &Ctx<'_>, created: &[ObjId]) -> Vec<LeakedMemory> {
    let from = (ctx.first as usize).min(ctx.events.len());
    let unfreed = ctx.events[from..]
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Alloc(a) => Some(a),
            _ => None,
        })
        .filter_map(|a| ctx.kernel.mm.get(a).map(|rec| (a, rec)))
        .filter(|(_, rec)| is_heap(rec.kind) && !matches!(rec.freed, Some(f) if f < ctx.end))
        .map(|(a, rec)| LeakedMemory {
            label: rec.label.to_string(),
            size: rec.size,
            kind: kind_name(rec.kind).into(),
            object: container_of(ctx, created, a),
            allocated: ctx.origin(rec.allocated),
            count: 1,
        })
        .collect();
    group_alike(unfreed, |m| &mut m.count)
}

/// `items` with each one alike an earlier one counted in that one's
/// `count` instead: a loop that leaks at one site gives one entry.
fn group_alike<T: Eq + std::hash::Hash + Clone>(
    items: Vec<T>,
    count: impl Fn(&mut T) -> &mut usize,
) -> Vec<T> {
    let mut first: HashMap<T, usize> = HashMap::new();
    let mut out: Vec<T> = Vec::new();
    for item in items {
        match first.get(&item) {
            Some(&i) => *count(&mut out[i]) += 1,
            None => {
                first.insert(item.clone(), out.len());
                out.push(item);
            }
        }
    }
    out
}

/// The case object whose container `alloc` is.
fn container_of(ctx: &Ctx<'_>, created: &[ObjId], alloc: devlife_model::AllocId) -> Option<String> {
    created
        .iter()
        .find(|o| ctx.kernel.try_obj(**o).and_then(|x| x.container) == Some(alloc))
        .map(|o| ctx.label(*o))
}

/// Whether the allocation is heap memory (not a host global, local or literal).
fn is_heap(kind: AllocKind) -> bool {
    !matches!(
        kind,
        AllocKind::Global | AllocKind::Stack | AllocKind::Literal
    )
}

/// The allocation kind's word in reports.
pub(crate) fn kind_name(kind: AllocKind) -> &'static str {
    match kind {
        AllocKind::Kmalloc => "kmalloc",
        AllocKind::Devm => "devm",
        AllocKind::Drmm => "drmm",
        AllocKind::Kunit => "kunit",
        AllocKind::Object => "object",
        AllocKind::Global => "global",
        AllocKind::Stack => "stack",
        AllocKind::Literal => "literal",
    }
}
