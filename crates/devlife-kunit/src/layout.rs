//! Offsets of the kernel structure members the binding reads or writes, taken
//! from the prelude's declarations so C code and the model agree.

/// Member offsets and sizes, in bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layouts {
    /// `struct device`: `driver`.
    pub device_driver: u32,
    /// `struct device`: `driver_data`.
    pub device_driver_data: u32,
    /// `struct device`: `parent`.
    pub device_parent: u32,
    /// `struct device`: `release`.
    pub device_release: u32,
    /// `struct device`: `init_name`.
    pub device_init_name: u32,
    /// `struct device`: `bus`.
    pub device_bus: u32,
    /// `struct device_driver`: `bus`.
    pub driver_bus: u32,
    /// `struct bus_type`: `match`, `probe`, `remove`.
    pub bus_ops: [u32; 3],
    /// `struct device`: `platform_data`.
    pub device_platform_data: u32,
    /// `struct device`: `kobj.kref`.
    pub device_kref: u32,
    /// `struct kunit_resource`: `refcount`.
    pub kunit_resource_kref: u32,
    /// `struct kobject`: the members the kobject shims keep up to date.
    pub kobject: KobjectLayout,
    /// `struct device_driver`: `name`.
    pub driver_name: u32,
    /// `struct device_driver`: `probe`.
    pub driver_probe: u32,
    /// `struct device_driver`: `remove`.
    pub driver_remove: u32,
    /// `struct platform_driver`: `probe`.
    pub pdrv_probe: u32,
    /// `struct platform_driver`: `remove`.
    pub pdrv_remove: u32,
    /// `struct platform_driver`: `driver` (the embedded `struct device_driver`).
    pub pdrv_driver: u32,
    /// `struct platform_device`: `name`.
    pub pdev_name: u32,
    /// `struct platform_device`: `id`.
    pub pdev_id: u32,
    /// `struct platform_device`: `dev`.
    pub pdev_dev: u32,
    /// `sizeof(struct platform_device)`.
    pub pdev_size: u32,
    /// `sizeof(struct device)`.
    pub device_size: u32,
    /// `sizeof(struct device_driver)`.
    pub driver_size: u32,
    /// `struct kunit`: `priv`.
    pub kunit_priv: u32,
    /// `struct kunit`: `name`.
    pub kunit_name: u32,
    /// `struct kunit`: `status`.
    pub kunit_status: u32,
    /// `sizeof(struct kunit)`.
    pub kunit_size: u32,
    /// `struct kunit`: `log`.
    pub kunit_log: u32,
    /// `struct kunit`: `status_comment`.
    pub kunit_status_comment: u32,
    /// `struct kunit`: `resources` (a `list_head`).
    pub kunit_resources: u32,
    /// `struct list_head`: `prev`.
    pub list_prev: u32,
    /// `struct kunit_suite`: `name`.
    pub suite_name: u32,
    /// `struct kunit_suite`: `suite_init`.
    pub suite_suite_init: u32,
    /// `struct kunit_suite`: `suite_exit`.
    pub suite_suite_exit: u32,
    /// `struct kunit_suite`: `init`.
    pub suite_init: u32,
    /// `struct kunit_suite`: `exit`.
    pub suite_exit: u32,
    /// `struct kunit_suite`: `test_cases`.
    pub suite_cases: u32,
    /// `struct kunit_case`: `run_case`.
    pub case_run: u32,
    /// `struct kunit_case`: `name`.
    pub case_name: u32,
    /// `sizeof(struct kunit_case)`.
    pub case_size: u32,
    /// `struct task_struct`: `kunit_test`.
    pub task_kunit_test: u32,
    /// `sizeof(struct task_struct)`.
    pub task_size: u32,
    /// `struct task_struct`: devlife's hidden `__devlife_seen_test`.
    pub task_seen_test: u32,
    /// `struct task_struct`: devlife's hidden `__devlife_seen_changes`.
    pub task_seen_changes: u32,
    /// `struct drm_device`: `dev`.
    pub drm_dev: u32,
    /// `struct drm_device`: `driver`.
    pub drm_driver: u32,
    /// `sizeof(struct drm_device)`.
    pub drm_size: u32,
    /// `struct drm_device`: `primary`, `render`, `accel`.
    pub drm_minors: [u32; 3],
    /// `struct drm_minor`: `index`, `type`, `kdev`, `dev`.
    pub minor_fields: [u32; 4],
    /// `sizeof(struct file)`.
    pub file_size: u32,
    /// `struct drm_driver`: `name`.
    pub drmdrv_name: u32,
    /// `struct drm_driver`: `major`, `minor`, `patchlevel`.
    pub drmdrv_version: u32,
    /// `struct drm_driver`: `driver_features`.
    pub drmdrv_features: u32,
    /// `struct drm_driver`: `release`.
    pub drmdrv_release: u32,
    /// `sizeof(struct drm_driver)`.
    pub drmdrv_size: u32,
    /// `struct kunit_resource`.
    pub res: ResLayout,
    /// `struct string_stream`.
    pub stream: StreamLayout,
    /// `struct kunit_try_catch`.
    pub try_catch: TryCatchLayout,
}

/// Where the members of `struct kunit_resource` are.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResLayout {
    /// `data`.
    pub data: i64,
    /// `name`.
    pub name: i64,
    /// `free`.
    pub free: i64,
    /// `should_kfree`.
    pub should_kfree: i64,
    /// `node` (its place in the test's `resources` list).
    pub node: i64,
    /// `sizeof(struct kunit_resource)`.
    pub size: u32,
}

/// Where the members of `struct kunit_try_catch` are.
#[derive(Debug, Clone, Copy, Default)]
pub struct TryCatchLayout {
    /// `try_result`.
    pub result: i64,
    /// `try`.
    pub try_fn: i64,
    /// `catch`.
    pub catch_fn: i64,
    /// `context`.
    pub context: i64,
}

/// Where the members of `struct string_stream` are, and its size.
#[derive(Debug, Clone, Copy, Default)]
pub struct StreamLayout {
    /// `length`.
    pub length: i64,
    /// `buf`.
    pub buf: i64,
    /// `capacity`.
    pub capacity: i64,
    /// `test`.
    pub test: i64,
    /// `append_newlines`.
    pub append_newlines: i64,
    /// `sizeof(struct string_stream)`.
    pub size: u32,
}

/// Members of `struct kobject` and `struct kobj_type`.
#[derive(Debug, Clone, Copy, Default)]
pub struct KobjectLayout {
    /// `name`.
    pub name: i64,
    /// `parent`.
    pub parent: i64,
    /// `ktype`.
    pub ktype: i64,
    /// `kref`.
    pub kref: i64,
    /// `state_initialized`.
    pub state_initialized: i64,
    /// `state_in_sysfs`.
    pub state_in_sysfs: i64,
    /// `struct kobj_type`: `release`.
    pub ktype_release: i64,
}
