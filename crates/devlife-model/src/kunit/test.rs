//! `struct kunit` (lib/kunit/test.c): a running test case that owns KUnit
//! resources, and the cleanup that releases them newest first.

use crate::lib::kref::Holder;
use crate::mm::{Addr, AllocKind};
use crate::resource::{Action, KernelAction, ResKind};
use crate::{Body, Host, KResult, Kernel, ObjId, ObjKind, ResId};

/// The model's side of one `struct kunit`.
#[derive(Debug, Clone, Default)]
pub struct KunitTest {
    /// The KUnit resource list, oldest first.
    pub resources: Vec<ResId>,
}

impl Kernel {
    /// `kunit_init_test`: a test named `name` whose `struct kunit` is at `addr`.
    pub fn kunit_init_test(&mut self, name: &str, addr: Addr) -> ObjId {
        let t = self.new_object(ObjKind::KunitTest, name.into(), Body::Test(Box::default()));
        self.place(t, addr, None);
        self.kref_init(t, Holder::Caller(&"kunit_init_test"));
        self.kunit_list_init(t);
        t
    }

    /// The test with this id.
    pub fn test(&self, t: ObjId) -> &KunitTest {
        match &self.obj(t).body {
            Body::Test(x) => x,
            _ => unreachable!("object {t:?} is not a test"),
        }
    }

    pub(crate) fn test_mut(&mut self, t: ObjId) -> &mut KunitTest {
        match &mut self.obj_mut(t).body {
            Body::Test(x) => x,
            _ => unreachable!("object {t:?} is not a test"),
        }
    }

    /// The test whose `struct kunit` is at `addr`.
    pub fn test_at(&self, addr: Addr) -> Option<ObjId> {
        self.object_at(addr)
            .filter(|t| self.obj(*t).kind == ObjKind::KunitTest && !self.obj(*t).is_released())
    }

    /// Sets `current->kunit_test`.
    pub fn set_current_test(&mut self, t: Option<ObjId>) {
        self.kunit.current = t;
        self.kunit.current_changes += 1;
    }

    /// How many times the model has set `current->kunit_test` (the runner,
    /// `kunit_cleanup`), so a host that mirrors it can tell whose change is newer.
    pub fn current_test_changes(&self) -> u64 {
        self.kunit.current_changes
    }

    /// `kunit_get_current_test` / `current->kunit_test`.
    pub fn current_test(&self) -> Option<ObjId> {
        self.kunit.current
    }

    /// `kunit_cleanup`: releases the test's resources newest first, including
    /// any added while cleaning up, then clears `current->kunit_test`.
    pub fn kunit_cleanup(&mut self, host: &mut dyn Host, t: ObjId) -> KResult<()> {
        self.traced(&"kunit_cleanup", host, |k, host| {
            while let Some(&res) = k.test(t).resources.last() {
                k.kunit_resource_unlink_and_put(host, res)?;
                if k.test(t).resources.last() == Some(&res) {
                    // Listed without KUnit's bookkeeping: drop it unreleased.
                    k.test_mut(t).resources.pop();
                }
            }
            k.set_current_test(None);
            Ok(())
        })
    }

    /// Ends a test object: the runner drops it after cleanup.
    pub fn kunit_test_done(&mut self, t: ObjId) {
        if self.kref_put(t, crate::lib::kref::PutOf::OldestCaller) {
            let at = self.log.next_id();
            self.obj_mut(t).released = Some(at);
        }
    }

    /// `kunit_kzalloc` (6.12): `kzalloc` plus a KUnit action that frees it.
    pub fn kunit_kzalloc(&mut self, t: ObjId, size: u32) -> KResult<Addr> {
        if size == 0 {
            return Ok(crate::drivers::base::devres::ZERO_SIZE_PTR);
        }
        let name = format!("kunit_kzalloc in '{}'", self.obj(t).name);
        let addr = self.kmalloc(size, AllocKind::Kunit, name);
        self.kunit_add_kernel_action(t, KernelAction::KunitKfree, addr.0);
        Ok(addr)
    }

    /// `kunit_kfree` (6.12): releases the matching `kunit_kzalloc` action,
    /// freeing the memory now. Returns false if KUnit did not allocate it.
    pub fn kunit_kfree(&mut self, host: &mut dyn Host, t: ObjId, addr: Addr) -> KResult<bool> {
        if addr.is_null() {
            return Ok(true);
        }
        let found = self.kunit_find_action(t, Action::Kernel(KernelAction::KunitKfree), addr.0);
        match found {
            Some(res) => {
                self.kunit_resource_unlink_and_put(host, res)?;
                Ok(true)
            }
            None => {
                self.warn(crate::Warning::KunitKfreeUnknown(addr.0));
                Ok(false)
            }
        }
    }

    /// The newest listed action of `t` with this callback and data.
    pub(crate) fn kunit_find_action(&self, t: ObjId, action: Action, data: u64) -> Option<ResId> {
        self.test(t).resources.iter().rev().copied().find(|r| {
            matches!(self.resource(*r).kind, ResKind::Action { action: a, data: d } if a == action && d == data)
        })
    }
}
