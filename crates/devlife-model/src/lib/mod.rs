//! Models of lib/: reference counts (`kref`, `refcount_t`). The kobject
//! parts that matter for devices (sysfs parent links, glue directories) are
//! modelled with the device core in `drivers::base::core`.

pub mod kref;
