//! Models of drivers/: the driver core (`base`) and DRM (`gpu::drm`).

pub mod base;
pub mod gpu;
