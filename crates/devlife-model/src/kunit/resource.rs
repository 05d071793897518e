//! KUnit resources and actions (lib/kunit/resource.c): a per-test list,
//! released newest first at cleanup or early on request.

use crate::resource::{Action, KernelAction, ResKind, ResList};
use crate::{FnRef, Host, KResult, Kernel, ObjId, ResId};

impl Kernel {
    fn kunit_add(&mut self, t: ObjId, kind: ResKind, name: String) -> ResId {
        let id = self.res_new(ResList::Kunit, t, kind, name);
        self.test_mut(t).resources.push(id);
        self.kunit_refs.insert(id, 1);
        id
    }

    /// `kunit_add_action`: `action(ctx)` runs at cleanup (or when released).
    pub fn kunit_add_action(&mut self, t: ObjId, action: FnRef, ctx: u64, name: &str) -> ResId {
        self.note_api(&"kunit_add_action");
        self.kunit_add(
            t,
            ResKind::Action {
                action: Action::User(action),
                data: ctx,
            },
            name.into(),
        )
    }

    pub(crate) fn kunit_add_kernel_action(
        &mut self,
        t: ObjId,
        action: KernelAction,
        data: u64,
    ) -> ResId {
        self.kunit_add(
            t,
            ResKind::Action {
                action: Action::Kernel(action),
                data,
            },
            (*action.name()).into(),
        )
    }

    /// `kunit_remove_action`: cancels the newest matching action without running it.
    pub fn kunit_remove_action(&mut self, t: ObjId, action: FnRef, ctx: u64) {
        self.note_api(&"kunit_remove_action");
        if let Some(res) = self.kunit_find_action(t, Action::User(action), ctx) {
            self.test_mut(t).resources.retain(|r| *r != res);
            self.kunit_refs.remove(&res);
            self.res_unlink(res);
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

    /// `kunit_add_resource`: a resource whose `struct kunit_resource` the host
    /// owns at `addr`; `free` runs when its last reference goes.
    pub fn kunit_add_resource(
        &mut self,
        t: ObjId,
        addr: u64,
        free: Option<FnRef>,
        data: u64,
        name: &str,
    ) -> ResId {
        self.kunit_add(t, ResKind::KunitResource { free, data, addr }, name.into())
    }

    /// `kunit_get_resource`.
    pub fn kunit_get_resource(&mut self, res: ResId) {
        *self.kunit_refs.entry(res).or_insert(0) += 1;
    }

    /// `kunit_put_resource`: at zero the free callback runs.
    pub fn kunit_put_resource(&mut self, host: &mut dyn Host, res: ResId) -> KResult<()> {
        let count = self.kunit_refs.entry(res).or_insert(1);
        *count -= 1;
        if *count == 0 {
            self.kunit_refs.remove(&res);
            self.res_release(host, res)?;
        }
        Ok(())
    }

    /// `kunit_remove_resource`: unlinks it (if listed) and drops the list's reference.
    pub fn kunit_remove_resource(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        res: ResId,
    ) -> KResult<()> {
        let before = self.test(t).resources.len();
        self.test_mut(t).resources.retain(|r| *r != res);
        if self.test(t).resources.len() != before {
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
        let t = self.resource(res).owner;
        self.test_mut(t).resources.retain(|r| *r != res);
        self.kunit_put_resource(host, res)
    }

    /// Runs a KUnit resource's free callback (`free(res)`).
    pub(crate) fn kunit_resource_free(
        &mut self,
        host: &mut dyn Host,
        _res: ResId,
        free: Option<FnRef>,
    ) -> KResult<()> {
        if let (Some(f), ResKind::KunitResource { addr, .. }) =
            (free, self.resource(_res).kind.clone())
        {
            self.callback(host, f, &[addr])?;
        }
        Ok(())
    }

    /// The test's listed resources, oldest first.
    pub fn kunit_resources(&self, t: ObjId) -> &[ResId] {
        &self.test(t).resources
    }
}
