//! DRM-managed resources (drivers/gpu/drm/drm_managed.c): actions and memory
//! tied to a drm_device, released newest first when its last reference goes.

use crate::mm::{Addr, AllocKind};
use crate::resource::{Action, KernelAction, ResKind, ResList};
use crate::{Fault, FnRef, Host, IntoName, KResult, Kernel, ObjId, ResId, Warning};

impl Kernel {
    fn drmres_add(&mut self, drm: ObjId, kind: ResKind, name: impl IntoName) -> ResId {
        let id = self.res_new(ResList::Drmres, drm, kind, name);
        self.drm_mut(drm).drmres.push(id);
        id
    }

    pub(crate) fn drmm_add_kernel_action(
        &mut self,
        drm: ObjId,
        action: KernelAction,
        data: u64,
    ) -> ResId {
        let kind = ResKind::Action {
            action: Action::Kernel(action),
            data,
        };
        self.drmres_add(drm, kind, action.name())
    }

    /// drmm memory with a name (the minor, the unique string...).
    pub(crate) fn drmm_alloc_named(&mut self, drm: ObjId, size: u32, what: &str) -> Addr {
        let addr = self.kmalloc(size, AllocKind::Drmm, format!("drmm {what}"));
        self.drmres_add(
            drm,
            ResKind::Memory {
                alloc: addr.alloc(),
            },
            "kmalloc",
        );
        addr
    }

    /// `drmm_add_action`: `action(drm, data)` runs when the drm_device is
    /// released. Adding after `drm_dev_init_release` ran dereferences NULL.
    pub fn drmm_add_action(
        &mut self,
        drm: ObjId,
        action: FnRef,
        data: u64,
        name: impl IntoName,
    ) -> KResult<i32> {
        self.check_live(drm, "drmm_add_action")?;
        if self.drm(drm).parent.is_none() {
            return Err(self.fault(Fault::NullDeref {
                api: "drmm_add_action",
            }));
        }
        let kind = ResKind::Action {
            action: Action::User(action),
            data,
        };
        self.drmres_add(drm, kind, name);
        Ok(0)
    }

    /// `drmm_add_action_or_reset`: the model never runs out of memory.
    pub fn drmm_add_action_or_reset(
        &mut self,
        drm: ObjId,
        action: FnRef,
        data: u64,
        name: impl IntoName,
    ) -> KResult<i32> {
        self.drmm_add_action(drm, action, data, name)
    }

    /// `drmm_release_action` (6.12): runs the *oldest* matching action now,
    /// with the caller's data (NULL data matches any entry).
    pub fn drmm_release_action(
        &mut self,
        host: &mut dyn Host,
        drm: ObjId,
        action: FnRef,
        data: u64,
    ) -> KResult<()> {
        self.note_api(&"drmm_release_action");
        self.check_live(drm, "drmm_release_action")?;
        let found = self.drm(drm).drmres.iter().position(|r| {
            matches!(self.resource(*r).kind, ResKind::Action { action: Action::User(f), data: d } if f == action && (data == 0 || d == data))
        });
        let Some(pos) = found else {
            self.warn(Warning::DrmresNotFound {
                drm,
                api: "drmm_release_action",
            });
            return Ok(());
        };
        let id = self.drm_mut(drm).drmres.remove(pos);
        self.traced(&"drmm_release_action", host, |k, host| {
            k.resources[id.0 as usize].kind = ResKind::Action {
                action: Action::User(action),
                data,
            };
            k.res_release(host, id)
        })
    }

    /// `drmm_kzalloc`: memory freed when the drm_device is released.
    pub fn drmm_kzalloc(&mut self, drm: ObjId, size: u32) -> KResult<Addr> {
        self.check_live(drm, "drmm_kzalloc")?;
        Ok(self.drmm_alloc_named(drm, size, "drmm_kzalloc"))
    }

    /// `drmm_kfree`: frees drmm memory early (newest matching entry).
    pub fn drmm_kfree(&mut self, drm: ObjId, addr: Addr) -> KResult<()> {
        self.check_live(drm, "drmm_kfree")?;
        if addr.is_null() {
            return Ok(());
        }
        let found = self
            .drm(drm)
            .drmres
            .iter()
            .rposition(|r| matches!(self.resource(*r).kind, ResKind::Memory { alloc } if Addr::new(alloc, 0) == addr));
        match found {
            Some(pos) => {
                let id = self.drm_mut(drm).drmres.remove(pos);
                self.res_unlink(id);
                self.kfree(addr)
            }
            None => {
                self.warn(Warning::DrmresNotFound {
                    drm,
                    api: "drmm_kfree",
                });
                Ok(())
            }
        }
    }

    /// `drmm_mode_config_init`: installs `drm_mode_config_init_release`.
    pub fn drmm_mode_config_init(&mut self, drm: ObjId) -> KResult<i32> {
        self.check_live(drm, "drmm_mode_config_init")?;
        self.drmm_add_kernel_action(drm, KernelAction::DrmModeConfigInitRelease, 0);
        Ok(0)
    }

    /// `drm_managed_release`: every drmres entry, newest first.
    pub(crate) fn drm_managed_release(&mut self, host: &mut dyn Host, drm: ObjId) -> KResult<()> {
        self.traced(&"drm_managed_release", host, |k, host| {
            while let Some(id) = k.drm_mut(drm).drmres.pop() {
                k.res_release(host, id)?;
            }
            Ok(())
        })
    }

    /// The drm_device's drmres entries still listed, oldest first.
    pub fn drmres_list(&self, drm: ObjId) -> &[ResId] {
        &self.drm(drm).drmres
    }
}
