//! KUnit's platform helpers (lib/kunit/platform.c): platform devices and
//! drivers whose teardown is a KUnit action.

use crate::resource::{Action, KernelAction, ResKind};
use crate::{DevId, DrvId, Host, KResult, Kernel, ObjId};

impl Kernel {
    /// `kunit_platform_device_alloc`: a platform device put at test end.
    pub fn kunit_platform_device_alloc(&mut self, t: ObjId, name: &str, id: i32) -> DevId {
        self.note_api(&"kunit_platform_device_alloc");
        let dev = self.platform_device_alloc(name, id);
        let addr = self.platform_device_addr(dev);
        self.kunit_add_kernel_action(t, KernelAction::PlatformDevicePut, addr.0);
        dev
    }

    /// `kunit_platform_device_add`: adds the device; on success its test-end
    /// action becomes `platform_device_unregister` (the reference moves to
    /// the registration). On failure the put stays.
    pub fn kunit_platform_device_add(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        dev: DevId,
    ) -> KResult<i32> {
        self.note_api(&"kunit_platform_device_add");
        let ret = self.platform_device_add(host, dev)?;
        if ret != 0 {
            return Ok(ret);
        }
        let addr = self.platform_device_addr(dev).0;
        let unregister = KernelAction::PlatformDeviceUnregister;
        match self.kunit_find_action(t, Action::Kernel(KernelAction::PlatformDevicePut), addr) {
            Some(res) => {
                let name = self.names.intern(unregister.name());
                let r = &mut self.resources[res.0 as usize];
                r.kind = ResKind::Action {
                    action: Action::Kernel(unregister),
                    data: addr,
                };
                r.name = name;
            }
            None => {
                self.kunit_add_kernel_action(t, unregister, addr);
            }
        }
        Ok(0)
    }

    /// `kunit_platform_driver_register`: registers the driver and
    /// unregisters it at test end.
    pub fn kunit_platform_driver_register(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        drv: DrvId,
    ) -> KResult<i32> {
        self.note_api(&"kunit_platform_driver_register");
        let ret = self.platform_driver_register(host, drv)?;
        if ret == 0 {
            let addr = self.driver(drv).addr.0;
            self.kunit_add_kernel_action(t, KernelAction::PlatformDriverUnregister, addr);
        }
        Ok(ret)
    }
}
