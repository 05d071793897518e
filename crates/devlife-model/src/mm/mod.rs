//! Kernel memory: every allocation, its bytes, and when it was made and freed.
//!
//! Mirrors the allocator-facing part of mm/ (slab): `kmalloc`/`kfree` and the
//! containers the driver core allocates for its objects. Freed allocations
//! keep their record (kind, label, the events that allocated and freed them) so
//! later layers can report a use-after-free or a double free with both sites.

pub mod slab;

pub use slab::{
    kmalloc_size, Addr, AllocId, AllocKind, Allocation, MemFault, Memory, KMALLOC_MAX_SIZE,
};
