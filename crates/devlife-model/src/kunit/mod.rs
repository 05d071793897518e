//! Models of lib/kunit/: test objects and their resources (test.c,
//! resource.c) and `kunit_device` (device.c).

pub mod device;
pub mod platform;
pub mod resource;
pub mod test;

/// KUnit state that outlives one test.
#[derive(Debug, Default, Clone)]
pub struct KunitGlobals {
    /// The running test (`current->kunit_test`), if any.
    pub current: Option<crate::ObjId>,
}
