//! DRM (drivers/gpu/drm/): DRM devices and their minors (drm_drv.c),
//! DRM-managed resources (drm_managed.c), open files (drm_file.c) and the
//! KUnit helpers (tests/drm_kunit_helpers.c).

pub mod drm_drv;
pub mod drm_file;
pub mod drm_managed;
pub mod tests;

use std::collections::BTreeSet;

/// DRM state shared by all DRM devices.
#[derive(Debug, Default, Clone)]
pub struct DrmGlobals {
    /// Minor indices reserved (from `drm_minor_alloc` until its release action).
    pub minors_in_use: BTreeSet<u32>,
}
