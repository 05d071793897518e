//! The event log: an ordered, structured record of everything the model did.
//!
//! It is the raw material of KTAP diagnostics, the refcount table and the
//! explanations. Events are small `Copy`-free records pushed onto one vector;
//! strings that vary (printk text) are the only heap payloads.

use crate::mm::AllocId;
use crate::{Holder, ObjId, RefId, ResId};

/// The name of a modelled kernel function or API, as a thin pointer so that
/// events stay small: write `&"device_del"`.
pub type FuncName = &'static &'static str;

/// Index of an event in the log.
pub type EventId = u32;

/// One top-level statement of a test case that called the kernel: where it
/// starts in the event log, its source line, and the function it called.
/// The refcount table has one candidate row per step: the events from this
/// step's `event` up to the next step's are what the statement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The first event the statement caused (`log.next_id()` before it ran).
    pub event: EventId,
    /// The statement's source line.
    pub line: u32,
    /// The function it called (`drm_dev_register`), shared by every step
    /// that calls it.
    pub call: crate::names::NameId,
}

/// A source position in the code that drove the model, as the host encodes it.
///
/// The model never interprets it; hosts put a file index, line and column here
/// so that every event can say where it was caused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    /// Host-defined file number.
    pub file: u16,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown (saturates at 65535).
    pub column: u16,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The host's call site that was current when this happened.
    pub site: Site,
    /// Nesting depth of modelled kernel functions at this point.
    pub depth: u16,
    /// What happened.
    pub kind: EventKind,
}

/// What an [`Event`] records.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// A modelled kernel function was entered. The events inside it are
    /// the following ones with a greater depth; the first event at the same
    /// depth or shallower comes after it returned.
    Enter(FuncName),
    /// A refcounted object came to life with its initial reference.
    Created {
        /// The new object.
        obj: ObjId,
        /// Its initial reference.
        reference: RefId,
    },
    /// A reference was taken.
    Get {
        /// The object referenced.
        obj: ObjId,
        /// The new reference.
        reference: RefId,
        /// The count afterwards.
        count: i32,
    },
    /// A reference was returned.
    Put {
        /// The object referenced.
        obj: ObjId,
        /// The reference returned; `None` when no recorded holder was left.
        reference: Option<RefId>,
        /// The count afterwards.
        count: i32,
    },
    /// A reference changed hands without changing the count: the reference
    /// and its new holder.
    Handover(Box<(RefId, Holder)>),
    /// The count of an object reached zero: its release path starts.
    Released(ObjId),
    /// Memory was allocated.
    Alloc(AllocId),
    /// Memory was freed.
    Free(AllocId),
    /// A managed resource (devres, drmres or KUnit) was added.
    ResourceAdded(ResId),
    /// A managed resource is being released (its callback, if any, runs next).
    ResourceReleased(ResId),
    /// A managed resource was unlinked without running its callback.
    ResourceRemoved(ResId),
    /// The kernel would print a warning (WARN, refcount saturation, ...).
    Warning(Box<crate::Warning>),
    /// A line the kernel would print to its log (not a warning).
    Message(Box<String>),
    /// An API newer than the profile was used (recorded once per API).
    Anachronism {
        /// The API.
        api: FuncName,
        /// The upstream version that added it.
        since: crate::profile::KernelVersion,
    },
    /// Undefined behaviour the model caught (use-after-free, double free, ...).
    Fault(Box<crate::Fault>),
}

/// The ordered list of events.
#[derive(Debug, Default, Clone)]
pub struct EventLog {
    events: Vec<Event>,
    /// The events that print something (messages, warnings), in order, so
    /// that a printer need not scan every event.
    printing: Vec<EventId>,
    depth: u16,
    enabled: bool,
}

impl EventLog {
    /// An empty, enabled log.
    pub fn new() -> Self {
        Self {
            events: Vec::new(),
            printing: Vec::new(),
            depth: 0,
            enabled: true,
        }
    }

    /// Turns recording on or off (the model behaves the same either way).
    pub fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    /// Appends an event and returns its id.
    pub fn push(&mut self, site: Site, kind: EventKind) -> EventId {
        let id = self.events.len() as EventId;
        if self.enabled {
            if matches!(kind, EventKind::Message(_) | EventKind::Warning(_)) {
                self.printing.push(id);
            }
            self.events.push(Event {
                site,
                depth: self.depth,
                kind,
            });
        }
        id
    }

    /// Records entry into a modelled function and deepens the nesting.
    pub fn enter(&mut self, site: Site, func: FuncName) {
        self.push(site, EventKind::Enter(func));
        self.depth = self.depth.saturating_add(1);
    }

    /// Records leaving the modelled function entered last.
    pub fn exit(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// All events, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The events from `from` on that print to the kernel log (messages
    /// and warnings), oldest first.
    pub fn printing_since(&self, from: EventId) -> impl Iterator<Item = &Event> {
        let start = self.printing.partition_point(|&id| id < from);
        self.printing[start..]
            .iter()
            .filter_map(|&id| self.events.get(id as usize))
    }

    /// The id the next event will get.
    pub fn next_id(&self) -> EventId {
        self.events.len() as EventId
    }

    /// The event with this id.
    pub fn get(&self, id: EventId) -> Option<&Event> {
        self.events.get(id as usize)
    }

    /// Current nesting depth of modelled functions.
    pub fn depth(&self) -> u16 {
        self.depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_kept_per_action_stay_small() {
        // A devm action keeps a resource, two events and, when a case's
        // statement adds it, a step: the bulk benchmark's memory per live
        // object (README) is their sum.
        let sizes = [
            std::mem::size_of::<Event>(),
            std::mem::size_of::<crate::Resource>(),
            std::mem::size_of::<Step>(),
        ];
        assert!(
            sizes[0] <= 32 && sizes[1] <= 56 && sizes[2] <= 12,
            "{sizes:?}"
        );
    }
}
