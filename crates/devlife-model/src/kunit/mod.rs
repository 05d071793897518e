//! Models of lib/kunit/: test objects and their resources (test.c,
//! resource.c) and `kunit_device` (device.c).

pub mod device;
pub mod platform;
pub mod resource;
#[cfg(test)]
mod resource_tests;
pub mod test;

pub use resource::{KunitListOp, KunitResourceSpec};

use crate::mm::Addr;
use crate::ResId;
use rustc_hash::FxHashMap as HashMap;

/// The size the model gives the record it allocates for a KUnit action
/// (`struct kunit_action_ctx`: a `struct kunit_resource`, the function and
/// its context) until a host says otherwise.
pub const DEFAULT_ACTION_RECORD_SIZE: u32 = 72;

/// KUnit state that outlives one test.
#[derive(Debug, Clone)]
pub struct KunitGlobals {
    /// The running test (`current->kunit_test`), if any.
    pub current: Option<crate::ObjId>,
    /// How many times the model changed `current`.
    pub(crate) current_changes: u64,
    /// Per-resource bookkeeping of every KUnit resource still referenced.
    pub(crate) records: HashMap<ResId, resource::KunitRecord>,
    /// Live KUnit resources by the address of their `struct kunit_resource`.
    pub(crate) by_addr: HashMap<Addr, ResId>,
    /// Whether list changes are journalled for a host (see `kunit_list_changes`).
    pub(crate) mirrored: bool,
    /// Journalled list changes not yet taken by the host.
    pub(crate) list_ops: Vec<KunitListOp>,
    /// Size of the record allocated for each action.
    pub(crate) action_record_size: u32,
}

impl Default for KunitGlobals {
    fn default() -> Self {
        Self {
            current: None,
            current_changes: 0,
            records: HashMap::default(),
            by_addr: HashMap::default(),
            mirrored: false,
            list_ops: Vec::new(),
            action_record_size: DEFAULT_ACTION_RECORD_SIZE,
        }
    }
}
