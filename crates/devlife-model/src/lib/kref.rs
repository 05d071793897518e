//! `struct kref` / `refcount_t` with holder attribution
//! (include/linux/kref.h, lib/refcount.c).
//!
//! Every reference taken is a [`Reference`] record that says who holds it and
//! which event took it; every put names the reference it returns. The count
//! follows the kernel's checked arithmetic: an increment of 0, an overflow or a
//! decrement at or below 0 saturates the counter and records the kernel's
//! warning instead of panicking, and a saturated object is never released.

use crate::trace::{EventId, EventKind, FuncName};
use crate::{BusId, ClassId, Kernel, ObjId, ResId, Warning};

/// Identifies one reference ever taken (non-zero, so `Option<RefId>` is 4 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RefId(std::num::NonZeroU32);

impl RefId {
    /// The id of the `i`-th reference (0-based).
    pub fn from_index(i: usize) -> RefId {
        RefId(std::num::NonZeroU32::MIN.saturating_add(i as u32))
    }

    /// The 0-based index of this reference.
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// The value a saturated `refcount_t` sticks at (`INT_MIN / 2`).
pub const REFCOUNT_SATURATED: i32 = i32::MIN / 2;

/// Who holds a reference, and so what would return it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holder {
    /// Code outside the model (the test or the driver), through this API call.
    Caller(FuncName),
    /// A kernel function holding the object for the duration of the call.
    Transient(FuncName),
    /// The device's node in its parent's children list.
    ChildrenList {
        /// The parent whose list it is.
        parent: ObjId,
    },
    /// The device's node in its bus's device list.
    BusList {
        /// The bus.
        bus: BusId,
    },
    /// The device's node in its class's device list.
    ClassList {
        /// The class.
        class: ClassId,
    },
    /// A registered child device holds its parent (`device_add`).
    Child {
        /// The child device.
        child: ObjId,
    },
    /// A kobject's sysfs parent link (`kobject_add`).
    KobjectParent {
        /// The child kobject (a device or a class glue directory).
        child: ObjId,
    },
    /// A managed resource (devres, drmres or KUnit action) that returns it when released.
    Resource(ResId),
    /// An open DRM file.
    File(ObjId),
}

/// One reference on an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The object referenced.
    pub target: ObjId,
    /// Who holds it now.
    pub holder: Holder,
    /// The event that took it.
    pub taken: EventId,
    /// The event that returned it, once returned.
    pub returned: Option<EventId>,
}

/// How a put chooses the reference it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOf {
    /// Exactly this reference.
    Ref(RefId),
    /// The newest reference held by the caller (an explicit `put_device`).
    NewestCaller,
    /// The oldest reference held by the caller (an unregister's final put,
    /// which returns the creator's initial reference).
    OldestCaller,
}

impl Kernel {
    /// `kref_init`: the object's initial reference, held by `holder`.
    pub(crate) fn kref_init(&mut self, obj: ObjId, holder: Holder) -> RefId {
        let r = self.new_ref(obj, holder);
        let o = self.obj_mut(obj);
        o.count = 1;
        o.refs.clear();
        o.refs.push(r);
        let site = self.site;
        self.log
            .push(site, EventKind::Created { obj, reference: r });
        r
    }

    fn new_ref(&mut self, target: ObjId, holder: Holder) -> RefId {
        let id = RefId::from_index(self.refs.len());
        self.refs.push(Reference {
            target,
            holder,
            taken: self.log.next_id(),
            returned: None,
        });
        id
    }

    /// `kref_get`: takes a reference for `holder`.
    pub(crate) fn kref_get(&mut self, obj: ObjId, holder: Holder) -> RefId {
        let r = self.new_ref(obj, holder);
        let count = self.obj(obj).count;
        let new = if count == 0 {
            self.warn(Warning::RefcountAdditionOnZero(obj));
            REFCOUNT_SATURATED
        } else if count < 0 || count == i32::MAX {
            self.warn(Warning::RefcountSaturated(obj));
            REFCOUNT_SATURATED
        } else {
            count + 1
        };
        let o = self.obj_mut(obj);
        o.count = new;
        o.refs.push(r);
        let site = self.site;
        self.log.push(
            site,
            EventKind::Get {
                obj,
                reference: r,
                count: new,
            },
        );
        r
    }

    /// `kref_put`: returns a reference. Yields `true` when the count reached
    /// zero, in which case the caller runs the object's release.
    pub(crate) fn kref_put(&mut self, obj: ObjId, which: PutOf) -> bool {
        let chosen = self.choose_ref(obj, which);
        if let Some(r) = chosen {
            self.refs[r.index()].returned = Some(self.log.next_id());
            self.obj_mut(obj).refs.retain(|x| *x != r);
        }
        let count = self.obj(obj).count;
        let (new, released) = if count <= 0 {
            self.warn(Warning::RefcountUnderflow(obj));
            (REFCOUNT_SATURATED, false)
        } else {
            (count - 1, count == 1)
        };
        self.obj_mut(obj).count = new;
        let site = self.site;
        self.log.push(
            site,
            EventKind::Put {
                obj,
                reference: chosen,
                count: new,
            },
        );
        released
    }

    fn choose_ref(&self, obj: ObjId, which: PutOf) -> Option<RefId> {
        let held = &self.obj(obj).refs;
        let is_caller = |r: &&RefId| matches!(self.refs[r.index()].holder, Holder::Caller(_));
        match which {
            PutOf::Ref(r) => held.contains(&r).then_some(r),
            PutOf::NewestCaller => held
                .iter()
                .rev()
                .find(is_caller)
                .or_else(|| held.last())
                .copied(),
            PutOf::OldestCaller => held.iter().find(is_caller).or_else(|| held.last()).copied(),
        }
    }

    /// Hands a reference to a new holder without changing the count.
    pub(crate) fn kref_handover(&mut self, r: RefId, to: Holder) {
        self.refs[r.index()].holder = to;
        let site = self.site;
        self.log.push(site, EventKind::Handover(Box::new((r, to))));
    }

    /// `kref_read`: the current count of `obj`.
    pub fn kref_read(&self, obj: ObjId) -> i32 {
        self.obj(obj).count
    }

    /// The references on `obj` that are still held, oldest first.
    pub fn held_refs(&self, obj: ObjId) -> impl Iterator<Item = (RefId, &Reference)> {
        self.obj(obj)
            .refs
            .iter()
            .map(move |r| (*r, &self.refs[r.index()]))
    }

    /// The record of a reference.
    pub fn reference(&self, r: RefId) -> &Reference {
        &self.refs[r.index()]
    }
}
