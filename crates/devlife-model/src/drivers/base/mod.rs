//! The driver core, drivers/base/, one module per kernel file.

pub mod bus;
pub mod class;
pub mod core;
pub mod dd;
pub mod devres;
pub mod driver;
pub mod platform;
