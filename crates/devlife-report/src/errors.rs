//! Faults and refcount warnings, Miri/KASAN style: what went wrong and
//! where, then where the memory or object was allocated, created, freed or
//! released.

use crate::describe::Ctx;
use crate::explanation::{ErrorReport, Note, Origin};
use crate::input::HostFault;
use crate::replay::Replay;
use devlife_model::mm::MemFault;
use devlife_model::trace::EventId;
use devlife_model::{Addr, AllocId, Event, EventKind, Fault, ObjId, Site, Warning};
use std::collections::HashMap;
use std::mem::{discriminant, Discriminant};

/// Collects the errors of a case while its events are replayed.
pub(crate) struct Collector<'c, 'a> {
    ctx: &'c Ctx<'a>,
    /// The errors found so far, in log order.
    pub errors: Vec<ErrorReport>,
    /// The entry of each warning seen, by what it is, on what and where:
    /// a repeat only counts.
    warned: HashMap<(Discriminant<Warning>, ObjId, Site), usize>,
}

impl<'c, 'a> Collector<'c, 'a> {
    /// An empty collector.
    pub fn new(ctx: &'c Ctx<'a>) -> Self {
        Self {
            ctx,
            errors: Vec::new(),
            warned: HashMap::new(),
        }
    }

    /// Looks at one event before it is applied to `replay`.
    pub fn see(&mut self, replay: &Replay<'_>, id: EventId, event: &Event) {
        if id < self.ctx.first {
            return;
        }
        let report = match &event.kind {
            EventKind::Fault(f) => Some(self.fault(replay, id, f)),
            EventKind::Warning(w) => {
                let key = warned_object(w).map(|(w, obj)| (discriminant(w), obj, event.site));
                if let Some(&i) = key.as_ref().and_then(|k| self.warned.get(k)) {
                    self.errors[i].count += 1;
                    return;
                }
                let report = self.warning(replay, id, w);
                if let (Some(k), Some(_)) = (key, &report) {
                    self.warned.insert(k, self.errors.len());
                }
                report
            }
            _ => None,
        };
        self.errors.extend(report);
    }

    /// Adds the host's memory faults and orders everything by event.
    pub fn finish(mut self, host: &[HostFault]) -> Vec<ErrorReport> {
        for f in host {
            let r = self.host_fault(f);
            self.errors.push(r);
        }
        self.errors.sort_by_key(|e| e.event);
        self.errors
    }

    fn report(&self, id: EventId, kind: &str, message: String, notes: Vec<Note>) -> ErrorReport {
        ErrorReport {
            event: id,
            kind: kind.into(),
            message,
            at: self.ctx.origin(id),
            notes,
            count: 1,
        }
    }

    fn note(&self, label: &str, at: Option<EventId>) -> Option<Note> {
        at.map(|id| Note {
            label: label.into(),
            at: self.ctx.origin(id),
        })
    }

    /// Where `obj` was created, reached zero and was released.
    fn object_notes(&self, replay: &Replay<'_>, obj: ObjId) -> Vec<Note> {
        let s = replay.obj(obj);
        let mut notes: Vec<Note> = self.note("created here", s.created).into_iter().collect();
        if s.zeroed.is_some() && s.zeroed != s.freed {
            notes.extend(self.note("its count reached zero here", s.zeroed));
        }
        notes.extend(self.note("released here", s.freed));
        notes
    }

    /// `'label' (N bytes)` for an allocation.
    fn memory(&self, alloc: AllocId) -> String {
        match self.ctx.kernel.mm.get(alloc) {
            Some(a) => format!("{} ({} bytes)", a.label, a.size),
            None => format!("allocation #{}", alloc.0),
        }
    }

    /// Where an allocation was made and freed.
    fn alloc_notes(&self, alloc: AllocId) -> Vec<Note> {
        let Some(a) = self.ctx.kernel.mm.get(alloc) else {
            return Vec::new();
        };
        let mut notes: Vec<Note> = self
            .note("allocated here", Some(a.allocated))
            .into_iter()
            .collect();
        notes.extend(self.note("freed here", a.freed.filter(|f| *f < self.ctx.end)));
        notes
    }

    /// Notes about the allocation an address points into, if any.
    fn addr_notes(&self, addr: Addr) -> Vec<Note> {
        if addr.is_null() || addr.is_err() || self.ctx.kernel.mm.get(addr.alloc()).is_none() {
            return Vec::new();
        }
        let mut notes = vec![Note {
            label: format!(
                "it points {} bytes into {}",
                addr.offset(),
                self.memory(addr.alloc())
            ),
            at: Origin::default(),
        }];
        notes.extend(self.alloc_notes(addr.alloc()));
        notes
    }

    fn fault(&self, replay: &Replay<'_>, id: EventId, f: &Fault) -> ErrorReport {
        match f {
            Fault::UseAfterRelease { obj, api, released } => {
                let mut notes = self.object_notes(replay, *obj);
                if replay.obj(*obj).freed.is_none() {
                    notes.extend(self.note("released here", Some(*released)));
                }
                let msg = format!(
                    "use after release: {api}() was given {}, which was already released",
                    self.ctx.label(*obj)
                );
                self.report(id, "use-after-release", msg, notes)
            }
            Fault::DoubleFree { alloc, first } => {
                let mut notes: Vec<Note> = self
                    .note(
                        "allocated here",
                        self.ctx.kernel.mm.get(*alloc).map(|a| a.allocated),
                    )
                    .into_iter()
                    .collect();
                notes.extend(self.note("first freed here", Some(*first)));
                let msg = format!("double free of {}", self.memory(*alloc));
                self.report(id, "double-free", msg, notes)
            }
            Fault::InvalidFree { addr } => {
                let msg = format!(
                    "invalid free: kfree() of {:#x}, which is not the start of an allocation",
                    addr.0
                );
                self.report(id, "invalid-free", msg, self.addr_notes(*addr))
            }
            Fault::NotAnObject {
                addr,
                expected,
                api,
            } => {
                let msg = format!("{api}() was given {:#x}, which is not a {expected}", addr.0);
                self.report(id, "not-an-object", msg, self.addr_notes(*addr))
            }
            other => {
                let (kind, msg) = plain_fault(other);
                self.report(id, kind, msg, Vec::new())
            }
        }
    }

    fn warning(&self, replay: &Replay<'_>, id: EventId, w: &Warning) -> Option<ErrorReport> {
        let (kind, obj, msg) = match w {
            Warning::Repeated(inner) => return self.warning(replay, id, inner),
            Warning::RefcountUnderflow(o) => (
                "refcount-underflow",
                *o,
                format!(
                    "refcount_t: underflow; use-after-free: a put on {}, whose count was already zero",
                    self.ctx.label(*o)
                ),
            ),
            Warning::RefcountAdditionOnZero(o) => (
                "refcount-addition-on-zero",
                *o,
                format!(
                    "refcount_t: addition on 0; use-after-free: a reference taken on {} after its count reached zero",
                    self.ctx.label(*o)
                ),
            ),
            Warning::RefcountSaturated(o) => (
                "refcount-saturated",
                *o,
                format!(
                    "refcount_t: saturated; leaking memory: {} is never released",
                    self.ctx.label(*o)
                ),
            ),
            _ => return None,
        };
        Some(self.report(id, kind, msg, self.object_notes(replay, obj)))
    }

    fn host_fault(&self, f: &HostFault) -> ErrorReport {
        let (kind, message, notes) = match f.kind {
            MemFault::UseAfterFree { alloc, offset } => (
                "use-after-free",
                format!(
                    "use after free: access at offset {offset} of {}, which was freed",
                    self.memory(alloc)
                ),
                self.alloc_notes(alloc),
            ),
            MemFault::OutOfBounds { alloc, offset, len } => (
                "out-of-bounds",
                format!(
                    "out-of-bounds access: {len} bytes at offset {offset} of {}",
                    self.memory(alloc)
                ),
                self.alloc_notes(alloc),
            ),
            MemFault::Null { addr } => (
                "null-deref",
                format!("NULL pointer dereference (address {:#x})", addr.0),
                Vec::new(),
            ),
            MemFault::Wild { addr } => ("wild-access", wild(addr), Vec::new()),
        };
        ErrorReport {
            event: f.event,
            kind: kind.into(),
            message,
            at: self.ctx.host_origin(f.event, f.site),
            notes,
            count: 1,
        }
    }
}

/// The warning under any repeat, and the object it is about, for the
/// warnings an error is made of.
fn warned_object(w: &Warning) -> Option<(&Warning, ObjId)> {
    match w {
        Warning::Repeated(inner) => warned_object(inner),
        Warning::RefcountUnderflow(o)
        | Warning::RefcountAdditionOnZero(o)
        | Warning::RefcountSaturated(o) => Some((w, *o)),
        _ => None,
    }
}

/// A fault with no related sites: its kind tag and message.
fn plain_fault(f: &Fault) -> (&'static str, String) {
    match f {
        Fault::NullDeref { api } => ("null-deref", format!("NULL pointer dereference in {api}()")),
        Fault::BadCallback { func } => (
            "bad-callback",
            format!("call through {:#x}, which is not a known function", func.0),
        ),
        Fault::Deadlock { api } => ("deadlock", format!("deadlock: {api}")),
        Fault::Bug { what } => ("bug", format!("kernel BUG: {what}")),
        other => ("fault", format!("{other:?}")),
    }
}

/// The message for an access through an address that was never memory.
fn wild(addr: Addr) -> String {
    if addr.is_err() {
        let errno = (addr.0 as i64).wrapping_neg();
        format!("access through an error pointer (ERR_PTR(-{errno}))")
    } else {
        format!("access to {:#x}, which was never allocated", addr.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wild_addresses_name_error_pointers() {
        assert_eq!(
            wild(Addr((-12i64) as u64)),
            "access through an error pointer (ERR_PTR(-12))"
        );
        assert_eq!(
            wild(Addr(0x5_0000_0000)),
            "access to 0x500000000, which was never allocated"
        );
    }
}
