//! Kernel warnings (the kernel prints them and goes on) and faults (undefined
//! behaviour the model caught; the current KUnit case dies, as on an oops).

use crate::drivers::base::driver::DrvId;
use crate::host::FnRef;
use crate::mm::{Addr, AllocId};
use crate::trace::EventId;
use crate::ObjId;

/// A warning the kernel would print, then continue.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// `refcount_t: addition on 0; use-after-free.`
    RefcountAdditionOnZero(ObjId),
    /// `refcount_t: saturated; leaking memory.`
    RefcountSaturated(ObjId),
    /// `refcount_t: underflow; use-after-free.`
    RefcountUnderflow(ObjId),
    /// A repeat of a once-per-boot warning: the kernel stays silent, the model records it.
    Repeated(Box<Warning>),
    /// `kobject_init` of an initialized kobject (the count is reset to 1).
    KobjectReinit(ObjId),
    /// `kobject_get`, `kobject_put` or `kobject_add` on a kobject that was
    /// never initialised.
    KobjectNotInitialized {
        /// The kobject's address.
        addr: crate::mm::Addr,
        /// The API.
        api: &'static str,
    },
    /// `kobject_add` with an empty name (`-EINVAL`).
    KobjectEmptyName(ObjId),
    /// A device released with no release function; its memory leaks.
    NoReleaseFunction(ObjId),
    /// A devres lookup (`devm_remove_action`, `devm_release_action`,
    /// `devm_kfree`, a group call) found nothing.
    DevresNotFound {
        /// The device.
        dev: ObjId,
        /// The API that looked.
        api: &'static str,
    },
    /// `really_probe` found devres on a device about to be probed.
    ResourcesPresentBeforeProbing(ObjId),
    /// A driver's probe callback failed.
    ProbeFailed {
        /// The device.
        dev: ObjId,
        /// The driver.
        drv: DrvId,
        /// The (negative) error.
        err: i32,
    },
    /// `driver_register` of a name already on the bus.
    DriverAlreadyRegistered(DrvId),
    /// `driver_unregister` of a driver that is not registered.
    UnexpectedDriverUnregister,
    /// sysfs refused a duplicate name in one directory.
    DuplicateName {
        /// The full sysfs path that already exists.
        path: String,
    },
    /// `drm_dev_init` with a NULL parent.
    DrmNoParent,
    /// `drmm_add_final_kfree` called twice.
    DrmFinalKfreeTwice(ObjId),
    /// `drm_dev_register` of a device whose container is unknown.
    DrmNoFinalKfree(ObjId),
    /// `drmm_release_action` / `drmm_kfree` found nothing.
    DrmresNotFound {
        /// The drm_device.
        drm: ObjId,
        /// The API that looked.
        api: &'static str,
    },
    /// A `kunit_kfree` of memory KUnit does not manage (6.1 fails the test).
    KunitKfreeUnknown(u64),
}

impl Warning {
    /// Whether the kernel prints this kind only once per boot.
    pub fn is_once(&self) -> bool {
        matches!(
            self,
            Self::RefcountAdditionOnZero(_)
                | Self::RefcountSaturated(_)
                | Self::RefcountUnderflow(_)
        )
    }

    /// The lines the kernel's log shows for this warning (without the
    /// backtrace), in the wording of `profile`'s kernel; empty for warnings
    /// the model records but whose text is not modelled.
    pub fn log_lines(&self, profile: crate::Profile) -> Vec<String> {
        let kobject = if profile.version >= crate::profile::KernelVersion::new(6, 2) {
            "kobject: "
        } else {
            ""
        };
        match self {
            Self::RefcountAdditionOnZero(_) => {
                vec!["refcount_t: addition on 0; use-after-free.".into()]
            }
            Self::RefcountSaturated(_) => vec!["refcount_t: saturated; leaking memory.".into()],
            Self::RefcountUnderflow(_) => vec!["refcount_t: underflow; use-after-free.".into()],
            Self::DuplicateName { path } => {
                let name = path.rsplit('/').next().unwrap_or(path);
                vec![
                    format!("sysfs: cannot create duplicate filename '{path}'"),
                    format!("{kobject}kobject_add_internal failed for {name} with -EEXIST, don't try to register things with the same name in the same directory."),
                ]
            }
            Self::KobjectReinit(_) => vec![format!(
                "{kobject}kobject (____ptrval____): tried to init an initialized object, something is seriously wrong."
            )],
            Self::KobjectNotInitialized { api: "kobject_add", .. } => vec![format!(
                "{kobject}kobject '(null)' (____ptrval____): tried to add an uninitialized object, something is seriously wrong."
            )],
            Self::KobjectNotInitialized { api, .. } => vec![format!(
                "kobject: '(null)' (____ptrval____): is not initialized, yet {api}() is being called."
            )],
            Self::KobjectEmptyName(_) => {
                vec!["kobject: (____ptrval____): attempted to be registered with empty name!".into()]
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn repeated(self) -> Warning {
        Warning::Repeated(Box::new(self))
    }
}

/// Undefined behaviour the model caught.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// An object handed to the kernel after it was released.
    UseAfterRelease {
        /// The object.
        obj: ObjId,
        /// The API it was handed to.
        api: &'static str,
        /// When it was released.
        released: EventId,
    },
    /// Memory freed twice.
    DoubleFree {
        /// The allocation.
        alloc: AllocId,
        /// The first free.
        first: EventId,
    },
    /// `kfree` of an address that is not the start of an allocation.
    InvalidFree {
        /// The address.
        addr: Addr,
    },
    /// An address handed to the kernel that is not the object the API expects.
    NotAnObject {
        /// The address.
        addr: Addr,
        /// What the API expected (`struct device`, ...).
        expected: &'static str,
        /// The API.
        api: &'static str,
    },
    /// A NULL pointer the kernel dereferences.
    NullDeref {
        /// The API.
        api: &'static str,
    },
    /// A callback the host does not know.
    BadCallback {
        /// The callback.
        func: FnRef,
    },
    /// The kernel would deadlock (e.g. `drm_dev_unplug` inside `drm_dev_enter`).
    Deadlock {
        /// What deadlocks.
        api: &'static str,
    },
    /// A kernel `BUG()`.
    Bug {
        /// What the kernel checks.
        what: &'static str,
    },
}

/// Why a model call stopped early.
#[derive(Debug, Clone, PartialEq)]
pub enum Abort {
    /// The model caught undefined behaviour.
    Fault(Fault),
    /// The host unwound (a KUnit assertion failed, a step limit was hit...);
    /// the code is the host's own.
    Host(u64),
    /// A chain of releases and callbacks nested deeper than the bound set
    /// with `Kernel::set_max_nesting` (the bound).
    NestingLimit(u32),
}
