//! Models of drivers/gpu/.

pub mod drm;
