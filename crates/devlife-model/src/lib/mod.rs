//! Models of lib/: reference counts (`kref`, `refcount_t`) and the
//! kobjects of the caller's own structures. The kobject parts that matter
//! for devices (sysfs parent links, glue directories) are modelled with the
//! device core in `drivers::base::core`.

pub mod kobject;
pub mod kref;
