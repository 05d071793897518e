//! The arena of refcounted objects.

use crate::drivers::base::core::Device;
use crate::drivers::base::core::GlueDir;
use crate::drivers::gpu::drm::drm_drv::DrmDevice;
use crate::drivers::gpu::drm::drm_file::DrmFile;
use crate::kunit::test::KunitTest;
use crate::lib::kref::RefId;
use crate::mm::{Addr, AllocId};
use crate::trace::EventId;

/// Identifies one refcounted object. Ids are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjId(pub u32);

/// What kind of object it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjKind {
    /// A `struct device`.
    Device,
    /// A class glue directory (a bare kobject between a device and its class children).
    GlueDir,
    /// A `struct drm_device`.
    DrmDevice,
    /// An open DRM file.
    DrmFile,
    /// A running KUnit test case (`struct kunit`); it owns KUnit resources.
    KunitTest,
    /// A `struct kref` in the caller's own structure, named by the
    /// expression that reached it (`&obj->ref`).
    Kref,
    /// A `struct kobject` in the caller's own structure.
    Kobject,
}

/// Kind-specific state.
#[derive(Debug, Clone)]
pub enum Body {
    /// A device.
    Device(Box<Device>),
    /// A glue directory.
    Glue(GlueDir),
    /// A DRM device.
    Drm(Box<DrmDevice>),
    /// A DRM file.
    File(DrmFile),
    /// A KUnit test.
    Test(Box<KunitTest>),
    /// A caller's kref: the count is all there is.
    Kref,
    /// A caller's kobject.
    Kobject(crate::lib::kobject::Kobject),
}

/// One refcounted object.
#[derive(Debug, Clone)]
pub struct Object {
    /// Its kind.
    pub kind: ObjKind,
    /// Its name (`test`, `card0`, `drm`, ...).
    pub name: String,
    /// The reference count.
    pub count: i32,
    /// The references still held, oldest first.
    pub refs: Vec<RefId>,
    /// The allocation holding the object, if the model knows it.
    pub container: Option<AllocId>,
    /// The address of the object's structure (the `struct device`, ...).
    pub addr: Addr,
    /// The event that created it.
    pub created: EventId,
    /// The event at which its count reached zero, once it did.
    pub released: Option<EventId>,
    /// Kind-specific state.
    pub body: Body,
}

impl Object {
    /// Whether its release has run (or started).
    pub fn is_released(&self) -> bool {
        self.released.is_some()
    }

    /// A short label for tables: `device 'test'`.
    pub fn label(&self) -> String {
        let kind = match self.kind {
            ObjKind::Device => "device",
            ObjKind::GlueDir => "glue dir",
            ObjKind::DrmDevice => "drm_device",
            ObjKind::DrmFile => "drm file",
            ObjKind::KunitTest => "kunit test",
            ObjKind::Kref => "kref",
            ObjKind::Kobject => "kobject",
        };
        format!("{kind} '{}'", self.name)
    }
}
