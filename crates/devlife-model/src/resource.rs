//! Managed resources: devres entries, drmres entries and KUnit resources share
//! one arena, so explanations can follow "who would release this" uniformly.

use crate::host::FnRef;
use crate::mm::AllocId;
use crate::trace::EventId;
use crate::ObjId;

/// Identifies one managed resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResId(pub u32);

/// Which list a resource lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResList {
    /// A device's devres list (drivers/base/devres.c).
    Devres,
    /// A DRM device's drmres list (drivers/gpu/drm/drm_managed.c).
    Drmres,
    /// A KUnit test's resource list (lib/kunit/resource.c).
    Kunit,
}

/// A callback a resource runs when released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Host code.
    User(FnRef),
    /// A kernel function the model runs itself.
    Kernel(KernelAction),
}

/// Kernel functions installed as managed actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KernelAction {
    /// `devm_drm_dev_init_release`: drops the drm_device's initial reference.
    DevmDrmDevInitRelease,
    /// `drm_dev_init_release`: drops the drm_device's reference on its parent.
    DrmDevInitRelease,
    /// `drm_minor_alloc_release`: drops the minor's device and frees its index.
    DrmMinorAllocRelease,
    /// `drm_mode_config_init_release`.
    DrmModeConfigInitRelease,
    /// KUnit's `device_unregister` wrapper.
    KunitDeviceUnregister,
    /// KUnit's `driver_unregister` wrapper.
    KunitDriverUnregister,
    /// KUnit's `kfree` wrapper (`kunit_kzalloc` memory).
    KunitKfree,
    /// `platform_device_unregister` (KUnit platform helpers).
    PlatformDeviceUnregister,
    /// `platform_device_put` (KUnit platform helpers).
    PlatformDevicePut,
    /// `platform_driver_unregister` (KUnit platform helpers).
    PlatformDriverUnregister,
}

impl KernelAction {
    /// The kernel function's name.
    pub fn name(self) -> crate::trace::FuncName {
        match self {
            Self::DevmDrmDevInitRelease => &"devm_drm_dev_init_release",
            Self::DrmDevInitRelease => &"drm_dev_init_release",
            Self::DrmMinorAllocRelease => &"drm_minor_alloc_release",
            Self::DrmModeConfigInitRelease => &"drm_mode_config_init_release",
            Self::KunitDeviceUnregister => &"device_unregister_wrapper",
            Self::KunitDriverUnregister => &"driver_unregister_wrapper",
            Self::KunitKfree => &"kfree_action_wrapper",
            Self::PlatformDeviceUnregister => &"platform_device_unregister",
            Self::PlatformDevicePut => &"platform_device_put",
            Self::PlatformDriverUnregister => &"platform_driver_unregister",
        }
    }
}

/// What a resource is.
#[derive(Debug, Clone, PartialEq)]
pub enum ResKind {
    /// An action: `action(data)` runs at release.
    Action {
        /// The callback.
        action: Action,
        /// Its argument.
        data: u64,
    },
    /// Managed memory, freed at release.
    Memory {
        /// The allocation.
        alloc: AllocId,
    },
    /// A devres group's open marker.
    GroupOpen {
        /// The group id.
        id: u64,
        /// The group's own memory (`struct devres_group`).
        group: AllocId,
    },
    /// A devres group's close marker.
    GroupClose {
        /// The group id.
        id: u64,
    },
    /// A raw devres entry (`devres_alloc`): `release(dev, data)` runs, then
    /// the node is freed.
    Devres {
        /// The release callback.
        release: FnRef,
        /// The node's data (the pointer `devres_alloc` returned).
        alloc: AllocId,
    },
    /// A KUnit resource with a free callback (`kunit_alloc_resource` and friends).
    KunitResource {
        /// The free callback, if any.
        free: Option<FnRef>,
        /// The resource's data pointer.
        data: u64,
        /// The `struct kunit_resource` address, when the host owns it.
        addr: u64,
    },
}

/// Where a resource is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResState {
    /// On its list, waiting.
    Listed,
    /// Released (its callback ran or its memory was freed) at this event.
    Released(EventId),
    /// Unlinked without running, at this event.
    Removed(EventId),
}

/// One managed resource.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Which list.
    pub list: ResList,
    /// The object whose list it is on (device, drm_device or KUnit test).
    pub owner: ObjId,
    /// What it is.
    pub kind: ResKind,
    /// Its name: the action's name, `"kmalloc"`, ... (interned: every
    /// resource with the same name shares one string).
    pub name: NameId,
    /// The event that added it.
    pub added: EventId,
    /// Its state.
    pub state: ResState,
}

impl Resource {
    /// Whether it is still waiting on its list.
    pub fn is_listed(&self) -> bool {
        self.state == ResState::Listed
    }
}

use crate::lib::kref::{Holder, PutOf, RefId};
use crate::mm::Addr;
use crate::names::NameId;
use crate::{Host, KResult, Kernel};

impl Kernel {
    /// The reference on `obj` that `holder` holds, if any.
    pub(crate) fn ref_held_by(&self, obj: ObjId, holder: Holder) -> Option<RefId> {
        self.obj(obj)
            .refs
            .iter()
            .copied()
            .find(|r| self.reference(*r).holder == holder)
    }

    /// Runs a released resource's action: host code gets `(data)`, or
    /// `(drm, data)` for drmm actions; kernel actions are modelled here.
    pub(crate) fn run_action(
        &mut self,
        host: &mut dyn Host,
        list: ResList,
        owner: ObjId,
        action: Action,
        data: u64,
        res: ResId,
    ) -> KResult<()> {
        match action {
            Action::User(f) => {
                if list == ResList::Drmres {
                    let drm = self.obj(owner).addr.0;
                    self.callback(host, f, &[drm, data])?;
                } else {
                    self.callback(host, f, &[data])?;
                }
                Ok(())
            }
            Action::Kernel(ka) => self.traced(ka.name(), host, |k, host| {
                k.run_kernel_action(host, ka, owner, data, res)
            }),
        }
    }

    fn run_kernel_action(
        &mut self,
        host: &mut dyn Host,
        ka: KernelAction,
        owner: ObjId,
        data: u64,
        res: ResId,
    ) -> KResult<()> {
        match ka {
            KernelAction::DevmDrmDevInitRelease => {
                let drm = self
                    .object_at(Addr(data))
                    .ok_or_else(|| self.not_an_object(data, "struct drm_device", ka.name()))?;
                let which = self
                    .ref_held_by(drm, Holder::Resource(res))
                    .map_or(PutOf::NewestCaller, PutOf::Ref);
                self.drm_dev_put_as(host, drm, which)
            }
            KernelAction::DrmDevInitRelease => self.drm_dev_init_release(host, owner, res),
            KernelAction::DrmMinorAllocRelease => {
                self.drm_minor_alloc_release(host, owner, data, res)
            }
            KernelAction::DrmModeConfigInitRelease => Ok(()),
            KernelAction::KunitDeviceUnregister => {
                let dev = self
                    .device_at(Addr(data))
                    .ok_or_else(|| self.not_an_object(data, "struct device", ka.name()))?;
                self.device_unregister(host, dev)
            }
            KernelAction::KunitDriverUnregister => {
                let drv = self
                    .driver_at(Addr(data))
                    .ok_or_else(|| self.not_an_object(data, "struct device_driver", ka.name()))?;
                self.driver_unregister(host, drv)
            }
            KernelAction::KunitKfree => self.kfree(Addr(data)),
            KernelAction::PlatformDeviceUnregister | KernelAction::PlatformDevicePut => {
                let dev = self
                    .platform_device_at(Addr(data))
                    .ok_or_else(|| self.not_an_object(data, "struct platform_device", ka.name()))?;
                if ka == KernelAction::PlatformDevicePut {
                    self.platform_device_put(host, dev)
                } else {
                    self.platform_device_unregister(host, dev)
                }
            }
            KernelAction::PlatformDriverUnregister => {
                let drv = self
                    .driver_at(Addr(data))
                    .ok_or_else(|| self.not_an_object(data, "struct platform_driver", ka.name()))?;
                self.platform_driver_unregister(host, drv)
            }
        }
    }

    fn not_an_object(&self, addr: u64, expected: &'static str, api: &'static str) -> crate::Abort {
        crate::Abort::Fault(crate::Fault::NotAnObject {
            addr: Addr(addr),
            expected,
            api,
        })
    }
}
