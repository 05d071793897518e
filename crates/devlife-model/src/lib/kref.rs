//! `struct kref` / `refcount_t` with holder attribution
//! (include/linux/kref.h, lib/refcount.c).
//!
//! Every reference taken is a [`Reference`] record that says who holds it and
//! which event took it; every put names the reference it returns. The count
//! follows the kernel's checked arithmetic: an increment of 0, an overflow or a
//! decrement at or below 0 saturates the counter and records the kernel's
//! warning instead of panicking, and a saturated object is never released.

use crate::mm::Addr;
use crate::object::{Body, ObjKind};
use crate::trace::{EventId, EventKind, FuncName};
use crate::warning::Fault;
use crate::{BusId, ClassId, FnRef, Host, KResult, Kernel, ObjId, ResId, Warning};

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

/// Krefs in the caller's own structures (`struct foo { struct kref ref; }`):
/// each becomes an object at the kref's address the first time the kernel
/// sees it, so its references have holders and its release a site. The
/// count is also written back to the `refcount_t` in memory, where C code
/// may read it.
impl Kernel {
    /// `kref_init`: count 1, held by the caller. A kref whose count had
    /// reached zero starts a new object (the memory is being reused).
    pub fn kref_init_at(&mut self, addr: Addr, name: &str) -> KResult<()> {
        self.kref_memory_live(addr, "kref_init")?;
        self.check_not_other_object(addr, ObjKind::Kref, "kref_init")?;
        let obj = match self.object_at(addr) {
            Some(obj) if !self.obj(obj).is_released() => obj,
            _ => self.new_kref(addr, name),
        };
        self.kref_init(obj, Holder::Caller(&"kref_init"));
        self.kref_write_back(obj);
        Ok(())
    }

    /// `kref_get`: one more reference, held by the caller; on a count of
    /// zero, the kernel's "addition on 0" warning.
    pub fn kref_get_at(&mut self, addr: Addr, name: &str) -> KResult<()> {
        let obj = self.kref_at(addr, name, "kref_get")?;
        self.kref_get(obj, Holder::Caller(&"kref_get"));
        self.kref_write_back(obj);
        Ok(())
    }

    /// `kref_get_unless_zero`: a reference unless the count is zero.
    pub fn kref_get_unless_zero_at(&mut self, addr: Addr, name: &str) -> KResult<bool> {
        let obj = self.kref_at(addr, name, "kref_get_unless_zero")?;
        if self.obj(obj).count == 0 {
            return Ok(false);
        }
        self.kref_get(obj, Holder::Caller(&"kref_get_unless_zero"));
        self.kref_write_back(obj);
        Ok(true)
    }

    /// `kref_put`: returns the caller's newest reference; when the count
    /// reaches zero, `release(kref)` runs. True when it ran.
    pub fn kref_put_at(
        &mut self,
        host: &mut dyn Host,
        addr: Addr,
        release: FnRef,
        name: &str,
    ) -> KResult<bool> {
        let obj = self.kref_at(addr, name, "kref_put")?;
        let released = self.kref_put(obj, PutOf::NewestCaller);
        self.kref_write_back(obj);
        if !released {
            return Ok(false);
        }
        let at = self.log.next_id();
        self.obj_mut(obj).released = Some(at);
        let site = self.site;
        self.log.push(site, EventKind::Released(obj));
        self.callback(host, release, &[addr.0])?;
        Ok(true)
    }

    /// `kref_read`: the count.
    pub fn kref_read_at(&mut self, addr: Addr, name: &str) -> KResult<i32> {
        let obj = self.kref_at(addr, name, "kref_read")?;
        Ok(self.obj(obj).count)
    }

    /// The kref object at `addr`: the one the model knows, or a new one
    /// whose count is what memory holds (a `KREF_INIT(n)` initializer, or
    /// zero for a kref never initialised).
    fn kref_at(&mut self, addr: Addr, name: &str, api: &'static str) -> KResult<ObjId> {
        self.kref_memory_live(addr, api)?;
        self.check_not_other_object(addr, ObjKind::Kref, api)?;
        if let Some(obj) = self.object_at(addr) {
            return Ok(obj);
        }
        let mut bytes = [0u8; 4];
        if self.mm.read(addr, &mut bytes).is_err() {
            let fault = Fault::NotAnObject {
                addr,
                expected: "struct kref",
                api,
            };
            return Err(self.fault(fault));
        }
        let count = i32::from_le_bytes(bytes);
        let obj = self.new_kref(addr, name);
        if count != 0 {
            self.kref_init(obj, Holder::Caller(&"KREF_INIT"));
            for _ in 1..count.clamp(1, 64) {
                self.kref_get(obj, Holder::Caller(&"KREF_INIT"));
            }
            self.obj_mut(obj).count = count;
        }
        Ok(obj)
    }

    /// The fault of handing `api` the address of a modelled object of
    /// another kind (a device, a drm_device...) as if it were a `kind`.
    pub(crate) fn check_not_other_object(
        &mut self,
        addr: Addr,
        kind: ObjKind,
        api: &'static str,
    ) -> KResult<()> {
        match self.object_at(addr) {
            Some(obj) if self.obj(obj).kind != kind => {
                let expected = match kind {
                    ObjKind::Kobject => "struct kobject of the test's own",
                    _ => "struct kref of the test's own",
                };
                Err(self.fault(Fault::NotAnObject {
                    addr,
                    expected,
                    api,
                }))
            }
            _ => Ok(()),
        }
    }

    fn new_kref(&mut self, addr: Addr, name: &str) -> ObjId {
        let name = name.strip_prefix('&').unwrap_or(name).trim().to_string();
        let obj = self.new_object(ObjKind::Kref, name, Body::Kref);
        self.place(obj, addr, Some(addr.alloc()));
        obj
    }

    /// A kref in freed memory is a use after free, reported against the
    /// kref the model knew there, if any.
    fn kref_memory_live(&mut self, addr: Addr, api: &'static str) -> KResult<()> {
        let Some(freed) = self.mm.get(addr.alloc()).and_then(|a| a.freed) else {
            return Ok(());
        };
        let fault = match self.object_at(addr) {
            Some(obj) => Fault::UseAfterRelease {
                obj,
                api,
                released: self.obj(obj).released.unwrap_or(freed),
            },
            None => Fault::NotAnObject {
                addr,
                expected: "struct kref",
                api,
            },
        };
        Err(self.fault(fault))
    }

    /// Writes the count to the `refcount_t` at the kref's address.
    fn kref_write_back(&mut self, obj: ObjId) {
        let (addr, count) = (self.obj(obj).addr, self.obj(obj).count);
        let _ = self.mm.write(addr, &count.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use crate::mm::{Addr, AllocKind};
    use crate::trace::EventKind;
    use crate::warning::{Abort, Fault};
    use crate::{Kernel, Profile, RustHost, Warning};
    use std::cell::RefCell;
    use std::rc::Rc;

    fn count_in_memory(k: &Kernel, addr: Addr) -> i32 {
        let mut b = [0u8; 4];
        k.mm.read(addr, &mut b).unwrap();
        i32::from_le_bytes(b)
    }

    fn warnings(k: &Kernel) -> Vec<Warning> {
        let events = k.log.events().iter();
        events
            .filter_map(|e| match &e.kind {
                EventKind::Warning(w) => Some((**w).clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_test_kref_counts_releases_once_and_mirrors_its_count() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let release = host.register("thing_release", move |_, _, args| {
            s.borrow_mut().push(args[0]);
            Ok(0)
        });
        let thing = k.kmalloc(16, AllocKind::Kmalloc, "thing");
        let kref = thing.offset_by(8);
        k.kref_init_at(kref, "&t->ref").unwrap();
        k.kref_get_at(kref, "&t->ref").unwrap();
        assert_eq!(k.kref_read_at(kref, "&t->ref"), Ok(2));
        assert_eq!(count_in_memory(&k, kref), 2);
        assert_eq!(
            k.kref_put_at(&mut host, kref, release, "&t->ref"),
            Ok(false)
        );
        assert_eq!(k.kref_put_at(&mut host, kref, release, "&t->ref"), Ok(true));
        assert_eq!(*seen.borrow(), [kref.0]);
        let obj = k.object_at(kref).unwrap();
        assert_eq!(k.obj(obj).label(), "kref 't->ref'");
        assert!(k.obj(obj).is_released());
        assert_eq!(k.kref_get_unless_zero_at(kref, "&t->ref"), Ok(false));
        k.kfree(thing).unwrap();
        assert!(matches!(
            k.kref_put_at(&mut host, kref, release, "&t->ref"),
            Err(Abort::Fault(Fault::UseAfterRelease {
                api: "kref_put",
                ..
            }))
        ));
        assert_eq!(seen.borrow().len(), 1);
    }

    #[test]
    fn a_kref_first_seen_takes_its_count_from_memory_and_warns_at_zero() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let release = host.register("never", |_, _, _| panic!("must not run"));
        let statik = k.kmalloc(4, AllocKind::Kmalloc, "static_thing");
        k.mm.write(statik, &3i32.to_le_bytes()).unwrap();
        assert_eq!(k.kref_read_at(statik, "&s.ref"), Ok(3));
        let zeroed = k.kmalloc(4, AllocKind::Kmalloc, "zeroed");
        k.kref_get_at(zeroed, "&z").unwrap();
        assert_eq!(
            k.kref_put_at(&mut host, zeroed, release, "&z"),
            Ok(false),
            "a saturated count is never released"
        );
        let w = warnings(&k);
        assert!(matches!(w[0], Warning::RefcountAdditionOnZero(_)), "{w:?}");
        assert_eq!(count_in_memory(&k, zeroed), super::REFCOUNT_SATURATED);
    }
}
