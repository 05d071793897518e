//! Read-only, non-panicking look-ups for layers that explain a finished run
//! (the report crate). The arena accessors elsewhere index directly and so
//! panic on an id the model never handed out; these return `None` instead,
//! so an explanation never dies on a bad id a host passed in.

use crate::drivers::base::bus::BusId;
use crate::drivers::base::class::ClassId;
use crate::{Kernel, ObjId, Object, RefId, Reference, ResId, Resource};

impl Kernel {
    /// The object with this id, or `None` if the model never created it.
    pub fn try_obj(&self, id: ObjId) -> Option<&Object> {
        self.objects.get(id.0 as usize)
    }

    /// The managed resource with this id, or `None` if it never existed.
    pub fn try_resource(&self, id: ResId) -> Option<&Resource> {
        self.resources.get(id.0 as usize)
    }

    /// The record of a reference, or `None` if it was never taken.
    pub fn try_reference(&self, r: RefId) -> Option<&Reference> {
        self.refs.get(r.index())
    }

    /// How many objects were ever created (ids run from 0 to this, exclusive).
    pub fn object_count(&self) -> usize {
        self.objects.len()
    }

    /// The name of a registered bus (`platform`, `kunit`), if it exists.
    pub fn bus_name(&self, id: BusId) -> Option<&str> {
        self.buses.get(id.0 as usize).map(|b| b.name.as_str())
    }

    /// The name of a registered class (`drm`), if it exists.
    pub fn class_name(&self, id: ClassId) -> Option<&str> {
        self.classes.get(id.0 as usize).map(|c| c.name.as_str())
    }
}
