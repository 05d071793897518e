//! `struct kobject` in the caller's own structures (lib/kobject.c):
//! `kobject_init`, `kobject_add`, `kobject_get`/`kobject_put`,
//! `kobject_del`, and the cleanup that runs `ktype->release`.
//!
//! A device's own kobject is the device (`drivers::base::core`); a kobject
//! added under a device holds a reference on that device, as in sysfs.

use crate::lib::kref::{Holder, PutOf, RefId};
use crate::mm::Addr;
use crate::object::{Body, ObjKind};
use crate::trace::EventKind;
use crate::warning::Fault;
use crate::{errno, FnRef, Host, KResult, Kernel, ObjId, Warning};

/// The sysfs directory of kobjects added with no parent (`/sys`), for name
/// uniqueness; devices without one live in `/sys/devices`.
pub(crate) const SYSFS_TOP: u32 = u32::MAX - 1;

/// The state of a caller's kobject.
#[derive(Debug, Clone, Default)]
pub struct Kobject {
    /// `ktype->release`, as it was at `kobject_init`.
    pub release: Option<FnRef>,
    /// The kobject parent while in sysfs (a device or another kobject).
    pub parent: Option<ObjId>,
    /// The reference the sysfs link holds on the parent.
    pub parent_ref: Option<RefId>,
    /// `state_in_sysfs`.
    pub in_sysfs: bool,
}

impl Kernel {
    /// The caller's kobject `obj`.
    pub fn kobject(&self, obj: ObjId) -> Option<&Kobject> {
        match &self.obj(obj).body {
            Body::Kobject(k) => Some(k),
            _ => None,
        }
    }

    fn kobject_mut(&mut self, obj: ObjId) -> &mut Kobject {
        match &mut self.obj_mut(obj).body {
            Body::Kobject(k) => k,
            _ => unreachable!("object {obj:?} is not a kobject"),
        }
    }

    /// The caller's kobject at `addr`, if `kobject_init` made one there
    /// and it was not released.
    pub fn kobject_at(&self, addr: Addr) -> Option<ObjId> {
        self.object_at(addr)
            .filter(|o| self.obj(*o).kind == ObjKind::Kobject && !self.obj(*o).is_released())
    }

    /// `kobject_init`: count 1, held by the caller, with `ktype->release`.
    /// Initialising a live kobject again resets it, with the kernel's error.
    pub fn kobject_init_at(
        &mut self,
        addr: Addr,
        release: Option<FnRef>,
        text: &str,
    ) -> KResult<ObjId> {
        self.check_not_other_object(addr, ObjKind::Kobject, "kobject_init")?;
        let obj = match self.kobject_at(addr) {
            Some(obj) => {
                self.warn(Warning::KobjectReinit(obj));
                obj
            }
            None => self.new_kobject(addr, text),
        };
        self.kobject_mut(obj).release = release;
        self.kref_init(obj, Holder::Caller(&"kobject_init"));
        Ok(obj)
    }

    /// `kobject_add`: names the kobject and links it under `parent` (no
    /// parent: the top of sysfs), taking a reference on the parent.
    /// `-EINVAL` for an uninitialised kobject or an empty name, `-EEXIST`
    /// when the directory already has that name.
    pub fn kobject_add_at(&mut self, addr: Addr, parent: Option<ObjId>, name: &str) -> i32 {
        let Some(obj) = self.kobject_at(addr) else {
            self.warn(Warning::KobjectNotInitialized {
                addr,
                api: "kobject_add",
            });
            return -errno::EINVAL;
        };
        if name.is_empty() {
            self.warn(Warning::KobjectEmptyName(obj));
            return -errno::EINVAL;
        }
        self.obj_mut(obj).name = name.to_string();
        let dir = parent.map_or(SYSFS_TOP, |p| p.0);
        if self
            .sysfs
            .get(&dir)
            .is_some_and(|names| names.contains_key(name))
        {
            let path = self.sysfs_dup_path(parent, name, false);
            self.warn(Warning::DuplicateName { path });
            return -errno::EEXIST;
        }
        if let Some(p) = parent {
            let r = self.kref_get(p, Holder::KobjectParent { child: obj });
            self.kobject_mut(obj).parent_ref = Some(r);
        }
        self.sysfs
            .entry(dir)
            .or_default()
            .insert(name.to_string(), obj);
        let k = self.kobject_mut(obj);
        k.parent = parent;
        k.in_sysfs = true;
        0
    }

    /// `kobject_get` on the caller's kobject: one more reference, held by
    /// the caller. On a kobject never initialised, the kernel's warning and
    /// the refcount's "addition on 0".
    pub fn kobject_get_at(&mut self, addr: Addr) -> KResult<()> {
        let obj = self.kobject_for(addr, "kobject_get")?;
        self.kref_get(obj, Holder::Caller(&"kobject_get"));
        Ok(())
    }

    /// `kobject_put` on the caller's kobject; at zero, `kobject_cleanup`.
    pub fn kobject_put_at(&mut self, host: &mut dyn Host, addr: Addr) -> KResult<()> {
        let obj = self.kobject_for(addr, "kobject_put")?;
        self.kobject_put_as(host, obj, PutOf::NewestCaller)
    }

    /// A put of the caller's kobject choosing the reference `which`.
    pub(crate) fn kobject_put_as(
        &mut self,
        host: &mut dyn Host,
        obj: ObjId,
        which: PutOf,
    ) -> KResult<()> {
        if !self.kref_put(obj, which) {
            return Ok(());
        }
        self.nested(host, |k, host| {
            k.traced(&"kobject_cleanup", host, |k, host| {
                k.kobject_cleanup(host, obj)
            })
        })
    }

    /// `kobject_cleanup`: leaves sysfs if still there (the parent's
    /// reference is dropped last), runs `ktype->release`, drops the parent.
    fn kobject_cleanup(&mut self, host: &mut dyn Host, obj: ObjId) -> KResult<()> {
        let at = self.log.next_id();
        self.obj_mut(obj).released = Some(at);
        let site = self.site;
        self.log.push(site, EventKind::Released(obj));
        let postponed = self.kobject_unlink(obj);
        if let Some(release) = self.kobject(obj).and_then(|k| k.release) {
            let addr = self.obj(obj).addr.0;
            self.callback(host, release, &[addr])?;
        }
        match postponed {
            Some((parent, r)) => self.kobject_put(host, parent, r),
            None => Ok(()),
        }
    }

    /// `kobject_del`: leaves sysfs and drops the reference on the parent.
    pub fn kobject_del_at(&mut self, host: &mut dyn Host, addr: Addr) -> KResult<()> {
        let Some(obj) = self
            .object_at(addr)
            .filter(|o| self.obj(*o).kind == ObjKind::Kobject)
        else {
            return Ok(());
        };
        self.check_live(obj, "kobject_del")?;
        match self.kobject_unlink(obj) {
            Some((parent, r)) => self.kobject_put(host, parent, r),
            None => Ok(()),
        }
    }

    /// Takes the kobject out of its sysfs directory; returns the parent
    /// reference for the caller to drop.
    fn kobject_unlink(&mut self, obj: ObjId) -> Option<(ObjId, RefId)> {
        let k = self.kobject(obj)?;
        if !k.in_sysfs {
            return None;
        }
        let dir = k.parent.map_or(SYSFS_TOP, |p| p.0);
        self.sysfs_remove(dir, obj);
        let k = self.kobject_mut(obj);
        k.in_sysfs = false;
        let parent = k.parent.take()?;
        let r = k.parent_ref.take()?;
        Some((parent, r))
    }

    /// The caller's kobject at `addr` for `api`: a released one is a use
    /// after free; one never initialised gets the kernel's warning and an
    /// object with a count of zero.
    fn kobject_for(&mut self, addr: Addr, api: &'static str) -> KResult<ObjId> {
        if let Some(obj) = self
            .object_at(addr)
            .filter(|o| self.obj(*o).kind == ObjKind::Kobject)
        {
            self.check_live(obj, api)?;
            return Ok(obj);
        }
        if addr.is_null() {
            return Err(self.fault(Fault::NullDeref { api }));
        }
        self.check_not_other_object(addr, ObjKind::Kobject, api)?;
        self.warn(Warning::KobjectNotInitialized { addr, api });
        Ok(self.new_kobject(addr, ""))
    }

    /// A kobject at `addr`, named by the expression that reached it until
    /// `kobject_add` names it.
    fn new_kobject(&mut self, addr: Addr, text: &str) -> ObjId {
        let name = text.strip_prefix('&').unwrap_or(text).trim().to_string();
        let obj = self.new_object(ObjKind::Kobject, name, Body::Kobject(Kobject::default()));
        self.place(obj, addr, Some(addr.alloc()));
        obj
    }
}

#[cfg(test)]
mod tests {
    use crate::mm::AllocKind;
    use crate::Addr;
    use crate::{errno, Kernel, Profile, RustHost, Warning};
    use std::cell::Cell;
    use std::rc::Rc;

    fn warned(k: &Kernel, pred: impl Fn(&Warning) -> bool) -> bool {
        k.log.events().iter().any(|e| match &e.kind {
            crate::EventKind::Warning(w) => pred(w),
            _ => false,
        })
    }

    /// A chain of `n` kobjects, each the parent of the next, with only the
    /// leaf's own reference left: putting it releases the whole chain.
    fn kobject_chain(k: &mut Kernel, host: &mut RustHost, n: usize) -> (Vec<crate::ObjId>, Addr) {
        let mut objs = Vec::new();
        let mut prev: Option<Addr> = None;
        for i in 0..n {
            let a = k.kmalloc(64, AllocKind::Kmalloc, "link");
            let obj = k.kobject_init_at(a, None, "link").unwrap();
            let parent = prev.map(|p| k.kobject_at(p).unwrap());
            assert_eq!(k.kobject_add_at(a, parent, &format!("k{i}")), 0);
            if let Some(p) = prev {
                k.kobject_put_at(host, p).unwrap();
            }
            objs.push(obj);
            prev = Some(a);
        }
        (objs, prev.unwrap())
    }

    #[test]
    fn a_release_cascade_deeper_than_the_nesting_bound_stops_with_its_abort() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        k.set_max_nesting(50);
        let (objs, leaf) = kobject_chain(&mut k, &mut host, 100);
        assert_eq!(
            k.kobject_put_at(&mut host, leaf),
            Err(crate::Abort::NestingLimit(50))
        );
        assert!(k.obj(objs[99]).is_released());
        assert!(!k.obj(objs[0]).is_released(), "the cascade stopped early");
    }

    #[test]
    fn a_duplicate_name_deep_in_a_tree_prints_its_path_cut_at_path_max() {
        // sysfs_warn_dup() formats the parent's path into a PATH_MAX buffer.
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let (objs, _) = kobject_chain(&mut k, &mut host, 1500);
        let parent = Some(objs[1499]);
        for _ in 0..2 {
            let a = k.kmalloc(64, AllocKind::Kmalloc, "twin");
            k.kobject_init_at(a, None, "twin").unwrap();
            let _ = k.kobject_add_at(a, parent, "same");
        }
        let paths: Vec<&String> = k
            .log
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                crate::EventKind::Warning(w) => match &**w {
                    Warning::DuplicateName { path } => Some(path),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        assert_eq!(paths.len(), 1);
        let (dir, name) = paths[0].rsplit_once('/').unwrap();
        assert_eq!(name, "same");
        assert_eq!(dir.len(), 4095);
        assert!(dir.starts_with("/k0/k1/k2/"), "{dir:.40}");
    }

    #[test]
    fn a_release_cascade_far_deeper_than_the_threads_stack_completes() {
        // Test threads get 2 MB of stack; 20,000 nested releases need far
        // more (several KB each in a debug build): the model grows its stack.
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        k.set_max_nesting(100_000);
        let (objs, leaf) = kobject_chain(&mut k, &mut host, 20_000);
        k.kobject_put_at(&mut host, leaf).unwrap();
        assert!(objs.iter().all(|o| k.obj(*o).is_released()));
    }

    #[test]
    fn a_child_kobject_holds_its_device_until_its_cleanup() {
        for profile in [Profile::V6_1, Profile::V6_12] {
            let mut k = Kernel::new(profile);
            let mut host = RustHost::new();
            let released = Rc::new(Cell::new(0));
            let r = released.clone();
            let release = host.register("foo_release", move |_, _, _| {
                r.set(r.get() + 1);
                Ok(0)
            });
            let dev = k
                .root_device_register(&mut host, "parent")
                .unwrap()
                .unwrap();
            let foo = k.kmalloc(64, AllocKind::Kmalloc, "foo");
            let child = k.kobject_init_at(foo, Some(release), "&foo->kobj").unwrap();
            assert_eq!(k.kobject_add_at(foo, Some(dev), "child"), 0);
            assert_eq!(k.kref_read(dev), 2);
            k.root_device_unregister(&mut host, dev).unwrap();
            assert_eq!(k.kref_read(dev), 1);
            assert!(!k.obj(dev).is_released());
            k.kobject_put_at(&mut host, foo).unwrap();
            assert_eq!(released.get(), 1);
            assert!(k.obj(child).is_released() && k.obj(dev).is_released());
        }
    }

    #[test]
    fn names_are_unique_per_directory_and_an_empty_one_is_refused() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let (a, b) = (
            k.kmalloc(64, AllocKind::Kmalloc, "a"),
            k.kmalloc(64, AllocKind::Kmalloc, "b"),
        );
        k.kobject_init_at(a, None, "a").unwrap();
        k.kobject_init_at(b, None, "b").unwrap();
        assert_eq!(k.kobject_add_at(a, None, "dup"), 0);
        assert_eq!(k.kobject_add_at(b, None, "dup"), -errno::EEXIST);
        assert_eq!(k.kobject_add_at(b, None, ""), -errno::EINVAL);
        k.kobject_del_at(&mut host, a).unwrap();
        assert_eq!(
            k.kobject_add_at(b, None, "dup"),
            0,
            "the name is free again"
        );
        let c = k.kmalloc(64, AllocKind::Kmalloc, "c");
        assert_eq!(k.kobject_add_at(c, None, "c"), -errno::EINVAL);
        assert!(warned(&k, |w| matches!(
            w,
            Warning::KobjectNotInitialized {
                api: "kobject_add",
                ..
            }
        )));
        k.kobject_init_at(b, None, "b").unwrap();
        assert!(warned(&k, |w| matches!(w, Warning::KobjectReinit(_))));
    }

    #[test]
    fn a_modelled_device_is_not_taken_for_the_tests_own_kobject_or_kref() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let dev = k.root_device_register(&mut host, "d").unwrap().unwrap();
        let at = k.obj(dev).addr;
        let not_object = |r: crate::KResult<()>| {
            matches!(
                r,
                Err(crate::Abort::Fault(crate::Fault::NotAnObject { .. }))
            )
        };
        assert!(not_object(k.kobject_init_at(at, None, "dev").map(drop)));
        assert!(not_object(k.kref_init_at(at, "dev")));
        assert_eq!(k.kref_read(dev), 1, "the device's count is untouched");
    }

    #[test]
    fn a_put_after_cleanup_is_a_use_after_free() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let foo = k.kmalloc(64, AllocKind::Kmalloc, "foo");
        k.kobject_init_at(foo, None, "foo").unwrap();
        k.kobject_put_at(&mut host, foo).unwrap();
        assert!(matches!(
            k.kobject_put_at(&mut host, foo),
            Err(crate::Abort::Fault(crate::Fault::UseAfterRelease {
                api: "kobject_put",
                ..
            }))
        ));
    }
}
