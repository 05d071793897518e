//! Replays the event log forward, so every count, holder and resource state
//! the report shows is a pure function of the log up to some event.

use devlife_model::trace::EventId;
use devlife_model::{Event, EventKind, Holder, Kernel, ObjId, RefId, ResId};
use std::collections::BTreeSet;

/// One object's state at the replay position.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObjState {
    /// The event that (last) gave it its initial reference.
    pub created: Option<EventId>,
    /// Its count.
    pub count: i32,
    /// The event at which its count reached zero or its release started.
    pub freed: Option<EventId>,
    /// The last put that took its count to zero.
    pub zeroed: Option<EventId>,
    /// References held, oldest first.
    pub refs: Vec<RefId>,
}

impl ObjState {
    /// Whether it exists and was not released.
    pub fn is_alive(&self) -> bool {
        self.created.is_some() && self.freed.is_none()
    }
}

/// One reference's state at the replay position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefState {
    /// Its holder; `None` while unknown (before a later handover, the model
    /// keeps no record of the first holder).
    pub holder: Option<Holder>,
    /// The Created or Get event that took it.
    pub taken: EventId,
    /// Whether it came with the object (a Created event).
    pub initial: bool,
}

/// Where a managed resource is in its life at the replay position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResPhase {
    /// Added at this event and still listed.
    Listed(EventId),
    /// Released (callback run or memory freed) at this event.
    Released(EventId),
    /// Unlinked without running at this event.
    Removed(EventId),
}

/// The replayed state of every object, reference and resource.
pub(crate) struct Replay<'k> {
    events: &'k [Event],
    kernel: &'k Kernel,
    pos: usize,
    objs: Vec<ObjState>,
    refs: Vec<Option<RefState>>,
    res: Vec<Option<ResPhase>>,
    handed: BTreeSet<RefId>,
}

impl<'k> Replay<'k> {
    /// A replay positioned before the first event; `end` bounds the events it
    /// will ever look at.
    pub fn new(kernel: &'k Kernel, end: EventId) -> Self {
        let all = kernel.log.events();
        let events = &all[..(end as usize).min(all.len())];
        let handed = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Handover(h) => Some(h.0),
                _ => None,
            })
            .collect();
        Self {
            events,
            kernel,
            pos: 0,
            objs: vec![ObjState::default(); kernel.object_count()],
            refs: Vec::new(),
            res: Vec::new(),
            handed,
        }
    }

    /// The position: the id of the next event to apply.
    pub fn pos(&self) -> EventId {
        self.pos as EventId
    }

    /// Applies events up to `to` (exclusive), calling `seen` with each event
    /// before it is applied.
    pub fn advance(&mut self, to: EventId, seen: &mut dyn FnMut(&Replay<'k>, EventId, &Event)) {
        let to = (to as usize).min(self.events.len());
        while self.pos < to {
            let id = self.pos as EventId;
            let event = &self.events[self.pos];
            seen(self, id, event);
            self.apply(id, &event.kind);
            self.pos += 1;
        }
    }

    /// Applies events up to `to` without looking at them.
    #[cfg(test)]
    pub fn skip_to(&mut self, to: EventId) {
        self.advance(to, &mut |_, _, _| {});
    }

    /// The state of `obj` (a default, never-created state for unknown ids).
    pub fn obj(&self, obj: ObjId) -> &ObjState {
        // Borrowed, not cloned: an object can hold millions of references.
        static NEVER_SEEN: ObjState = ObjState {
            created: None,
            count: 0,
            freed: None,
            zeroed: None,
            refs: Vec::new(),
        };
        self.objs.get(obj.0 as usize).unwrap_or(&NEVER_SEEN)
    }

    /// The state of reference `r`, if it was taken.
    pub fn reference(&self, r: RefId) -> Option<RefState> {
        self.refs.get(r.index()).copied().flatten()
    }

    /// The phase of resource `r`, if it was added.
    pub fn resource(&self, r: ResId) -> Option<ResPhase> {
        self.res.get(r.0 as usize).copied().flatten()
    }

    fn apply(&mut self, id: EventId, kind: &EventKind) {
        match kind {
            EventKind::Created { obj, reference } => self.created(id, *obj, *reference),
            EventKind::Get {
                obj,
                reference,
                count,
            } => self.got(id, *obj, *reference, *count),
            EventKind::Put {
                obj,
                reference,
                count,
            } => self.put(id, *obj, *reference, *count),
            EventKind::Released(obj) => {
                if let Some(o) = self.objs.get_mut(obj.0 as usize) {
                    o.freed.get_or_insert(id);
                }
            }
            EventKind::Handover(h) => {
                if let Some(Some(r)) = self.refs.get_mut(h.0.index()) {
                    r.holder = Some(h.1);
                }
            }
            EventKind::ResourceAdded(r) => self.set_res(*r, ResPhase::Listed(id)),
            EventKind::ResourceReleased(r) => self.set_res(*r, ResPhase::Released(id)),
            EventKind::ResourceRemoved(r) => self.set_res(*r, ResPhase::Removed(id)),
            _ => {}
        }
    }

    fn created(&mut self, id: EventId, obj: ObjId, r: RefId) {
        self.new_ref(id, r, true);
        if let Some(o) = self.objs.get_mut(obj.0 as usize) {
            *o = ObjState {
                created: Some(id),
                count: 1,
                freed: None,
                zeroed: None,
                refs: vec![r],
            };
        }
    }

    fn got(&mut self, id: EventId, obj: ObjId, r: RefId, count: i32) {
        self.new_ref(id, r, false);
        if let Some(o) = self.objs.get_mut(obj.0 as usize) {
            o.count = count;
            debug_assert!(o.refs.last() < Some(&r), "references taken in id order");
            o.refs.push(r);
        }
    }

    fn put(&mut self, id: EventId, obj: ObjId, r: Option<RefId>, count: i32) {
        if let Some(o) = self.objs.get_mut(obj.0 as usize) {
            o.count = count;
            // Held references are in the order taken, which is id order.
            if let Some(i) = r.and_then(|r| o.refs.binary_search(&r).ok()) {
                o.refs.remove(i);
            }
            if count == 0 {
                o.zeroed = Some(id);
                o.freed.get_or_insert(id);
            }
        }
    }

    fn new_ref(&mut self, id: EventId, r: RefId, initial: bool) {
        let holder = if self.handed.contains(&r) {
            None
        } else {
            self.kernel.try_reference(r).map(|x| x.holder)
        };
        let i = r.index();
        if self.refs.len() <= i {
            self.refs.resize(i + 1, None);
        }
        self.refs[i] = Some(RefState {
            holder,
            taken: id,
            initial,
        });
    }

    fn set_res(&mut self, r: ResId, phase: ResPhase) {
        let i = r.0 as usize;
        if self.res.len() <= i {
            self.res.resize(i + 1, None);
        }
        self.res[i] = Some(phase);
    }
}

/// The modelled kernel functions `id` happened in, outermost first.
///
/// Walks back from the event: the first earlier event that is shallower is
/// the enclosing function's entry, and so on up to depth 0.
pub(crate) fn chain(events: &[Event], id: EventId) -> Vec<&'static str> {
    const LIMIT: usize = 1 << 21;
    let Some(event) = events.get(id as usize) else {
        return Vec::new();
    };
    let mut want = event.depth;
    let mut out = Vec::new();
    let start = id as usize;
    for i in (start.saturating_sub(LIMIT)..start).rev() {
        if want == 0 {
            break;
        }
        let e = &events[i];
        if e.depth < want {
            if let EventKind::Enter(f) = e.kind {
                out.push(*f);
            }
            want = e.depth;
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use devlife_model::{Profile, RustHost};

    #[test]
    fn counts_follow_the_log() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let root = k.root_device_register(&mut host, "r").unwrap().unwrap();
        k.get_device(root).unwrap();
        let mut replay = Replay::new(&k, k.log.next_id());
        replay.skip_to(k.log.next_id());
        assert_eq!(replay.obj(root).count, 2);
        assert!(replay.obj(root).is_alive());
        k.put_device(&mut host, root).unwrap();
        k.root_device_unregister(&mut host, root).unwrap();
        let mut replay = Replay::new(&k, k.log.next_id());
        replay.skip_to(u32::MAX);
        assert!(!replay.obj(root).is_alive());
        assert!(replay.obj(ObjId(u32::MAX)).created.is_none());
    }

    #[test]
    fn chains_name_the_enclosing_functions() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let before = k.log.next_id();
        let root = k.root_device_register(&mut host, "r").unwrap().unwrap();
        let created = (before..k.log.next_id())
            .find(|i| matches!(k.log.get(*i).map(|e| &e.kind), Some(EventKind::Created { obj, .. }) if *obj == root))
            .unwrap();
        assert_eq!(chain(k.log.events(), created), ["root_device_register"]);
        assert!(chain(k.log.events(), u32::MAX).is_empty());
    }
}
