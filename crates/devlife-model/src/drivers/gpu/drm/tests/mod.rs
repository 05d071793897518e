//! drivers/gpu/drm/tests/.

pub mod drm_kunit_helpers;
