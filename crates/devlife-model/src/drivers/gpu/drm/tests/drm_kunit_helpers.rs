//! The KUnit DRM helpers (drivers/gpu/drm/tests/drm_kunit_helpers.c): a
//! kunit device to parent DRM devices, and a devm-allocated drm_device with
//! mode config on it.

use crate::drivers::gpu::drm::drm_drv::DrmDriver;
use crate::{DevId, Host, KResult, Kernel, ObjId};

impl Kernel {
    /// `drm_kunit_helper_alloc_device`: a kunit device (and driver) named
    /// `drm-kunit-mock-device`.
    pub fn drm_kunit_helper_alloc_device(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
    ) -> KResult<Result<DevId, i32>> {
        self.note_api(&"drm_kunit_helper_alloc_device");
        self.traced(&"drm_kunit_helper_alloc_device", host, |k, host| {
            k.kunit_device_register(host, t, "drm-kunit-mock-device")
        })
    }

    /// `drm_kunit_helper_free_device`.
    pub fn drm_kunit_helper_free_device(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        dev: DevId,
    ) -> KResult<()> {
        self.note_api(&"drm_kunit_helper_free_device");
        self.traced(&"drm_kunit_helper_free_device", host, |k, host| {
            k.kunit_device_unregister(host, t, dev)
        })
    }

    /// `__drm_kunit_helper_alloc_drm_device_with_driver`: `__devm_drm_dev_alloc`,
    /// then `drmm_mode_config_init`.
    pub fn drm_kunit_helper_alloc_drm_device_with_driver(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        size: u32,
        offset: u32,
        driver: DrmDriver,
    ) -> KResult<Result<ObjId, i32>> {
        self.traced(
            &"__drm_kunit_helper_alloc_drm_device_with_driver",
            host,
            |k, host| {
                let drm = match k.devm_drm_dev_alloc(host, dev, driver, size, offset)? {
                    Ok(drm) => drm,
                    Err(e) => return Ok(Err(e)),
                };
                let err = k.drmm_mode_config_init(drm)?;
                if err != 0 {
                    return Ok(Err(err));
                }
                Ok(Ok(drm))
            },
        )
    }

    /// `__drm_kunit_helper_alloc_drm_device`: the driver structure is devm
    /// memory on `dev` (added before the drm_device's devm action, so
    /// released after it) with `features`.
    pub fn drm_kunit_helper_alloc_drm_device(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        size: u32,
        offset: u32,
        features: u32,
    ) -> KResult<Result<ObjId, i32>> {
        self.traced(&"__drm_kunit_helper_alloc_drm_device", host, |k, host| {
            let addr = k.devm_kzalloc(dev, 64)?;
            let driver = DrmDriver {
                addr,
                features,
                ..DrmDriver::default()
            };
            k.drm_kunit_helper_alloc_drm_device_with_driver(host, dev, size, offset, driver)
        })
    }
}
