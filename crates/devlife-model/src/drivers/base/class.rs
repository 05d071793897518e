//! Device classes (drivers/base/class.c): only what glue directories need.

use crate::Kernel;

/// Identifies a registered class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClassId(pub u16);

/// A `struct class`.
#[derive(Debug, Clone)]
pub struct Class {
    /// Its name (`drm`); also the name of its glue directories.
    pub name: String,
}

impl Kernel {
    /// `class_register`.
    pub fn class_register(&mut self, name: &str) -> ClassId {
        self.classes.push(Class { name: name.into() });
        ClassId(self.classes.len() as u16 - 1)
    }

    /// The class with this id.
    pub fn class(&self, id: ClassId) -> &Class {
        &self.classes[id.0 as usize]
    }
}
