//! KUnit resources and actions (lib/kunit/resource.c, include/kunit/resource.h):
//! a per-test list, oldest first, released newest first at cleanup or early
//! on request.
//!
//! Every resource has a `struct kunit_resource` somewhere in memory: the host
//! owns it (`kunit_add_resource` with a static or stack structure), or KUnit
//! allocated it (`kunit_alloc_resource`, and the record behind every action)
//! and frees it once the resource's last reference is gone. The list holds
//! one reference; `kunit_find_resource` and `kunit_get_resource` take more.
//!
//! A host that keeps its own copy of the lists (C code walks
//! `test->resources`) replays the changes from [`Kernel::kunit_list_changes`].

use crate::mm::{Addr, AllocKind};
use crate::resource::{Action, KernelAction, ResKind, ResList};
use crate::{errno, Fault, FnRef, Host, KResult, Kernel, ObjId, ObjKind, ResId};

/// A change to one test's resource list, for a host that mirrors the lists
/// in its own memory. `test` is the address of the test's structure and
/// `res`, `prev` and `next` those of resources' structures; `None` stands
/// for the list head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KunitListOp {
    /// The test's list was set up empty (`kunit_init_test`).
    Init {
        /// The test.
        test: Addr,
    },
    /// `res` was appended after `prev`, the tail until then.
    Added {
        /// The test.
        test: Addr,
        /// The new tail.
        res: Addr,
        /// The tail before it.
        prev: Option<Addr>,
    },
    /// `res` was unlinked from between `prev` and `next`; it now points at itself.
    Unlinked {
        /// The test.
        test: Addr,
        /// The resource unlinked.
        res: Addr,
        /// Its predecessor.
        prev: Option<Addr>,
        /// Its successor.
        next: Option<Addr>,
    },
}

/// What the model keeps about one KUnit resource until its last reference goes.
#[derive(Debug, Clone)]
pub(crate) struct KunitRecord {
    /// Its `struct kunit_resource`.
    pub(crate) addr: Addr,
    /// KUnit allocated the structure and frees it with the resource (`should_kfree`).
    pub(crate) owned: bool,
    /// The free callback was cleared (`kunit_remove_action`): nothing runs at release.
    pub(crate) cancelled: bool,
    /// The name of a named resource.
    pub(crate) name: Option<String>,
    /// On its test's list.
    pub(crate) listed: bool,
}

/// How to add a KUnit resource (`__kunit_add_resource` and its wrappers).
#[derive(Debug, Clone, Copy, Default)]
pub struct KunitResourceSpec<'a> {
    /// Address of its `struct kunit_resource`.
    pub addr: Addr,
    /// `init(res, data)`, run before it is listed; a non-zero result fails the add.
    pub init: Option<FnRef>,
    /// `free(res)`, run when its last reference goes.
    pub free: Option<FnRef>,
    /// Handed to `init`; without `init`, the resource's data.
    pub data: u64,
    /// KUnit allocated the structure and frees it after `free` (`should_kfree`).
    pub owned: bool,
    /// The name of a named resource.
    pub name: Option<&'a str>,
}

impl Kernel {
    /// Lists a new resource on `t` with the list's reference.
    fn kunit_add(&mut self, t: ObjId, kind: ResKind, name: &str, record: KunitRecord) -> ResId {
        let id = self.res_new(ResList::Kunit, t, kind, name);
        self.kunit_refs.insert(id, 1);
        if !record.addr.is_null() {
            self.kunit.by_addr.insert(record.addr, id);
        }
        self.kunit.records.insert(id, record);
        self.kunit_list_push(t, id);
        id
    }

    /// The address of a resource's structure (NULL once it is gone).
    fn kunit_res_addr(&self, res: ResId) -> Addr {
        self.kunit.records.get(&res).map_or(Addr::NULL, |r| r.addr)
    }

    /// Appends `res` to the tail of `t`'s list.
    fn kunit_list_push(&mut self, t: ObjId, res: ResId) {
        let prev = self
            .test(t)
            .resources
            .last()
            .map(|p| self.kunit_res_addr(*p));
        self.test_mut(t).resources.push(res);
        self.kunit_set_listed(res, true);
        if self.kunit.mirrored {
            let op = KunitListOp::Added {
                test: self.obj(t).addr,
                res: self.kunit_res_addr(res),
                prev,
            };
            self.kunit.list_ops.push(op);
        }
    }

    /// Unlinks `res` from its test's list; false if it was not listed.
    fn kunit_list_unlink(&mut self, res: ResId) -> bool {
        if !self.kunit.records.get(&res).is_some_and(|r| r.listed) {
            return false;
        }
        self.kunit_set_listed(res, false);
        let t = self.resource(res).owner;
        let Some(pos) = self.test(t).resources.iter().rposition(|r| *r == res) else {
            return false;
        };
        let list = &self.test(t).resources;
        let prev = pos.checked_sub(1).map(|i| list[i]);
        let next = list.get(pos + 1).copied();
        self.test_mut(t).resources.remove(pos);
        if self.kunit.mirrored {
            let op = KunitListOp::Unlinked {
                test: self.obj(t).addr,
                res: self.kunit_res_addr(res),
                prev: prev.map(|p| self.kunit_res_addr(p)),
                next: next.map(|n| self.kunit_res_addr(n)),
            };
            self.kunit.list_ops.push(op);
        }
        true
    }

    fn kunit_set_listed(&mut self, res: ResId, listed: bool) {
        if let Some(r) = self.kunit.records.get_mut(&res) {
            r.listed = listed;
        }
    }

    /// The record KUnit keeps for an action (`struct kunit_action_ctx`). It
    /// is allocated only once a host mirrors the lists (the host needs its
    /// node); until then an action has no structure and costs no memory.
    fn kunit_action_record(&mut self) -> KunitRecord {
        let addr = if self.kunit.mirrored {
            self.kunit_alloc_record()
        } else {
            Addr::NULL
        };
        KunitRecord {
            addr,
            owned: !addr.is_null(),
            cancelled: false,
            name: None,
            listed: false,
        }
    }

    fn kunit_alloc_record(&mut self) -> Addr {
        let size = self.kunit.action_record_size;
        self.kmalloc(size, AllocKind::Kmalloc, "struct kunit_action_ctx")
    }

    /// Gives a listed resource that has no structure yet a KUnit-allocated one.
    fn kunit_give_record(&mut self, res: ResId) {
        if !self.kunit_res_addr(res).is_null() {
            return;
        }
        let addr = self.kunit_alloc_record();
        if let Some(r) = self.kunit.records.get_mut(&res) {
            r.addr = addr;
            r.owned = true;
            self.kunit.by_addr.insert(addr, res);
        }
    }

    /// `kunit_add_action`: `action(ctx)` runs at cleanup (or when released).
    pub fn kunit_add_action(&mut self, t: ObjId, action: FnRef, ctx: u64, name: &str) -> ResId {
        self.note_api(&"kunit_add_action");
        let record = self.kunit_action_record();
        let kind = ResKind::Action {
            action: Action::User(action),
            data: ctx,
        };
        self.kunit_add(t, kind, name, record)
    }

    pub(crate) fn kunit_add_kernel_action(
        &mut self,
        t: ObjId,
        action: KernelAction,
        data: u64,
    ) -> ResId {
        let record = self.kunit_action_record();
        let kind = ResKind::Action {
            action: Action::Kernel(action),
            data,
        };
        self.kunit_add(t, kind, action.name(), record)
    }

    /// `kunit_remove_action`: cancels the newest matching action without
    /// running it; its record is freed once unreferenced.
    pub fn kunit_remove_action(&mut self, t: ObjId, action: FnRef, ctx: u64) {
        self.note_api(&"kunit_remove_action");
        let Some(res) = self.kunit_find_action(t, Action::User(action), ctx) else {
            return;
        };
        if let Some(r) = self.kunit.records.get_mut(&res) {
            r.cancelled = true;
        }
        self.kunit_list_unlink(res);
        if self.kunit_unref(res) {
            self.kunit_discard(res);
        }
    }

    /// `kunit_release_action`: runs the newest matching action now.
    pub fn kunit_release_action(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        action: FnRef,
        ctx: u64,
    ) -> KResult<()> {
        self.note_api(&"kunit_release_action");
        self.kunit_release_matching(host, t, Action::User(action), ctx)
    }

    pub(crate) fn kunit_release_matching(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        action: Action,
        ctx: u64,
    ) -> KResult<()> {
        match self.kunit_find_action(t, action, ctx) {
            Some(res) => self.traced(&"kunit_release_action", host, |k, host| {
                k.kunit_resource_unlink_and_put(host, res)
            }),
            None => Ok(()),
        }
    }

    /// `__kunit_add_resource` (and `kunit_add_resource`, `kunit_alloc_resource`):
    /// runs `init` if given, then lists the resource with one reference.
    /// Returns `init`'s error instead, listing nothing.
    pub fn kunit_add_resource(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        spec: KunitResourceSpec<'_>,
    ) -> KResult<Result<ResId, i32>> {
        if let Some(init) = spec.init {
            let ret = self.callback(host, init, &[spec.addr.0, spec.data])? as i32;
            if ret != 0 {
                return Ok(Err(ret));
            }
        }
        let record = KunitRecord {
            addr: spec.addr,
            owned: spec.owned,
            cancelled: false,
            name: spec.name.map(str::to_string),
            listed: false,
        };
        let kind = ResKind::KunitResource {
            free: spec.free,
            data: spec.data,
            addr: spec.addr.0,
        };
        let label = spec.name.unwrap_or("kunit_resource");
        Ok(Ok(self.kunit_add(t, kind, label, record)))
    }

    /// `kunit_add_named_resource`: as [`Kernel::kunit_add_resource`], but
    /// `-EINVAL` without a name and `-EEXIST` if `t` already lists one so named.
    pub fn kunit_add_named_resource(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        spec: KunitResourceSpec<'_>,
    ) -> KResult<Result<ResId, i32>> {
        let Some(name) = spec.name else {
            return Ok(Err(-errno::EINVAL));
        };
        if self.kunit_named(t, name).is_some() {
            return Ok(Err(-errno::EEXIST));
        }
        self.kunit_add_resource(host, t, spec)
    }

    /// The newest listed resource of `t` named `name`, without taking a reference.
    fn kunit_named(&self, t: ObjId, name: &str) -> Option<ResId> {
        let named =
            |r: &&ResId| self.kunit.records.get(r).and_then(|x| x.name.as_deref()) == Some(name);
        self.test(t).resources.iter().rev().find(named).copied()
    }

    /// `kunit_find_resource`: asks `matches(test, res, data)` of each listed
    /// resource, newest first; the first match gets a reference for the caller.
    pub fn kunit_find_resource(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        matches: FnRef,
        data: u64,
    ) -> KResult<Option<ResId>> {
        let test = self.obj(t).addr.0;
        let listed: Vec<ResId> = self.test(t).resources.iter().rev().copied().collect();
        for res in listed {
            let addr = self.kunit_res_addr(res).0;
            // A C `bool`: only the low byte is defined.
            if self.callback(host, matches, &[test, addr, data])? & 0xff != 0 {
                self.kunit_get_resource(res);
                return Ok(Some(res));
            }
        }
        Ok(None)
    }

    /// `kunit_find_named_resource`: the newest listed resource named `name`,
    /// with a reference for the caller.
    pub fn kunit_find_named_resource(&mut self, t: ObjId, name: &str) -> Option<ResId> {
        let found = self.kunit_named(t, name);
        if let Some(res) = found {
            self.kunit_get_resource(res);
        }
        found
    }

    /// `kunit_destroy_resource`: finds a match, unlinks it and drops both the
    /// list's reference and the one the search took. 0, or `-ENOENT`.
    pub fn kunit_destroy_resource(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        matches: FnRef,
        data: u64,
    ) -> KResult<i32> {
        match self.kunit_find_resource(host, t, matches, data)? {
            Some(res) => self.kunit_destroy_found(host, res),
            None => Ok(-errno::ENOENT),
        }
    }

    /// `kunit_destroy_named_resource`: [`Kernel::kunit_destroy_resource`] by name.
    pub fn kunit_destroy_named_resource(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        name: &str,
    ) -> KResult<i32> {
        match self.kunit_find_named_resource(t, name) {
            Some(res) => self.kunit_destroy_found(host, res),
            None => Ok(-errno::ENOENT),
        }
    }

    fn kunit_destroy_found(&mut self, host: &mut dyn Host, res: ResId) -> KResult<i32> {
        self.kunit_remove_resource(host, res)?;
        self.kunit_put_resource(host, res)?;
        Ok(0)
    }

    /// `kunit_get_resource`: one more reference.
    pub fn kunit_get_resource(&mut self, res: ResId) {
        if let Some(count) = self.kunit_refs.get_mut(&res) {
            *count = count.saturating_add(1);
        }
    }

    /// `kunit_put_resource`: one reference less; at zero the free callback
    /// (or action) runs, then KUnit frees the structure if it allocated it.
    /// A put on a resource already gone is a fault.
    pub fn kunit_put_resource(&mut self, host: &mut dyn Host, res: ResId) -> KResult<()> {
        if !self.kunit_refs.contains_key(&res) {
            return Err(self.fault(Fault::Bug {
                what: "kunit_put_resource on a resource whose last reference is gone",
            }));
        }
        if self.kunit_unref(res) {
            self.kunit_resource_final(host, res)?;
        }
        Ok(())
    }

    /// Drops one reference; true when it was the last.
    fn kunit_unref(&mut self, res: ResId) -> bool {
        let Some(count) = self.kunit_refs.get_mut(&res) else {
            return false;
        };
        *count -= 1;
        if *count > 0 {
            return false;
        }
        self.kunit_refs.remove(&res);
        // A resource freed while listed (too many puts) leaves the list too.
        self.kunit_list_unlink(res);
        true
    }

    /// The last reference is gone: run the release, then free the structure.
    fn kunit_resource_final(&mut self, host: &mut dyn Host, res: ResId) -> KResult<()> {
        if self.kunit.records.get(&res).is_some_and(|r| r.cancelled) {
            self.kunit_discard(res);
            return Ok(());
        }
        let record = self.kunit_forget(res);
        self.res_release(host, res)?;
        match record {
            Some(r) if r.owned => self.kfree(r.addr),
            _ => Ok(()),
        }
    }

    /// The last reference of a cancelled resource is gone: nothing runs.
    fn kunit_discard(&mut self, res: ResId) {
        let record = self.kunit_forget(res);
        self.res_unlink(res);
        if let Some(r) = record.filter(|r| r.owned) {
            // The record was allocated by the model and never handed out to be freed.
            let _ = self.kfree(r.addr);
        }
    }

    /// Drops the bookkeeping of a resource whose last reference is gone.
    fn kunit_forget(&mut self, res: ResId) -> Option<KunitRecord> {
        let record = self.kunit.records.remove(&res)?;
        if self.kunit.by_addr.get(&record.addr) == Some(&res) {
            self.kunit.by_addr.remove(&record.addr);
        }
        Some(record)
    }

    /// `kunit_remove_resource`: unlinks it if listed and drops the list's
    /// reference; a resource no longer listed is left alone.
    pub fn kunit_remove_resource(&mut self, host: &mut dyn Host, res: ResId) -> KResult<()> {
        if self.kunit_list_unlink(res) {
            self.kunit_put_resource(host, res)?;
        }
        Ok(())
    }

    /// Unlinks a resource that was popped or found, and drops the list's reference.
    pub(crate) fn kunit_resource_unlink_and_put(
        &mut self,
        host: &mut dyn Host,
        res: ResId,
    ) -> KResult<()> {
        self.kunit_remove_resource(host, res)
    }

    /// Runs a KUnit resource's free callback (`free(res)`).
    pub(crate) fn kunit_resource_free(
        &mut self,
        host: &mut dyn Host,
        res: ResId,
        free: Option<FnRef>,
    ) -> KResult<()> {
        if let (Some(f), ResKind::KunitResource { addr, .. }) =
            (free, self.resource(res).kind.clone())
        {
            self.callback(host, f, &[addr])?;
        }
        Ok(())
    }

    /// The test's listed resources, oldest first.
    pub fn kunit_resources(&self, t: ObjId) -> &[ResId] {
        &self.test(t).resources
    }

    /// The live KUnit resource whose `struct kunit_resource` is at `addr`.
    pub fn kunit_resource_at(&self, addr: Addr) -> Option<ResId> {
        self.kunit.by_addr.get(&addr).copied()
    }

    /// The address of a live KUnit resource's `struct kunit_resource`.
    pub fn kunit_resource_addr(&self, res: ResId) -> Option<Addr> {
        self.kunit.records.get(&res).map(|r| r.addr)
    }

    /// A live KUnit resource's reference count (0 once it is gone).
    pub fn kunit_resource_refs(&self, res: ResId) -> i32 {
        self.kunit_refs.get(&res).copied().unwrap_or(0)
    }

    /// Sets the size of the record allocated for each KUnit action, so a
    /// host can read it as its own `struct kunit_resource`.
    pub fn kunit_set_action_record_size(&mut self, size: u32) {
        self.kunit.action_record_size = size.max(1);
    }

    /// The changes to every test's resource list since the last call, in
    /// order. The first call starts the journal and describes the lists as
    /// they are: each live test's `Init`, then its resources as `Added`.
    /// From then on every action has a record in memory to link.
    pub fn kunit_list_changes(&mut self) -> Vec<KunitListOp> {
        if !self.kunit_lists_changed() {
            return Vec::new();
        }
        if self.kunit.mirrored {
            return std::mem::take(&mut self.kunit.list_ops);
        }
        self.kunit.mirrored = true;
        let tests: Vec<ObjId> = self
            .live_objects()
            .filter(|(_, o)| o.kind == ObjKind::KunitTest)
            .map(|(id, _)| id)
            .collect();
        let mut ops = Vec::new();
        for t in tests {
            for res in self.test(t).resources.clone() {
                self.kunit_give_record(res);
            }
            let test = self.obj(t).addr;
            ops.push(KunitListOp::Init { test });
            let mut prev = None;
            for res in &self.test(t).resources {
                let res = self.kunit_res_addr(*res);
                ops.push(KunitListOp::Added { test, res, prev });
                prev = Some(res);
            }
        }
        ops
    }

    /// Whether [`Kernel::kunit_list_changes`] has anything to say: the
    /// journal has not started, or holds changes.
    #[inline]
    pub fn kunit_lists_changed(&self) -> bool {
        !self.kunit.mirrored || !self.kunit.list_ops.is_empty()
    }

    /// Journals a test's fresh, empty list.
    pub(crate) fn kunit_list_init(&mut self, t: ObjId) {
        if self.kunit.mirrored {
            let test = self.obj(t).addr;
            self.kunit.list_ops.push(KunitListOp::Init { test });
        }
    }
}
