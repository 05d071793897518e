//! `kunit_device` (lib/kunit/device.c): devices on the `kunit` bus, owned by
//! a test, unregistered by a KUnit action. The kunit bus has no `match`, so
//! every device binds to the oldest kunit driver, and its devres is released
//! at unbind under every profile.

use crate::drivers::base::bus::BusMatch;
use crate::drivers::base::core::{DevKind, DevRelease};
use crate::drivers::base::driver::{DriverOps, DrvKind};
use crate::lib::kref::PutOf;
use crate::resource::{Action, KernelAction};
use crate::{DevId, DrvId, Host, KResult, Kernel, ObjId};

impl Kernel {
    /// `kunit_bus_init`: the `kunit` root device and the `kunit` bus.
    pub(crate) fn kunit_bus_init(&mut self, host: &mut dyn Host) {
        let dev = self.bus_root_device(host, "kunit");
        self.kunit_bus_dev = Some(dev);
        self.kunit_bus = Some(self.bus_register("kunit", BusMatch::Everything, false));
    }

    /// The `kunit` root device.
    pub fn kunit_bus_device(&self) -> DevId {
        self.kunit_bus_dev.expect("booted")
    }

    /// `kunit_driver_create`: a registered kunit driver, unregistered by a
    /// KUnit action at test end. Returns the driver or a negative errno.
    pub fn kunit_driver_create(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        name: &str,
    ) -> KResult<Result<DrvId, i32>> {
        self.note_api(&"kunit_driver_create");
        self.traced(&"kunit_driver_create", host, |k, host| {
            let size = k.layout.device_driver_size;
            let mem = k.kunit_kzalloc(t, size)?;
            let bus = k.kunit_bus.expect("booted");
            let drv = k.driver_new(name, bus, DrvKind::Plain, DriverOps::default(), mem);
            let err = k.driver_register(host, drv)?;
            if err != 0 {
                k.kunit_kfree(host, t, mem)?;
                return Ok(Err(err));
            }
            k.kunit_add_kernel_action(t, KernelAction::KunitDriverUnregister, mem.0);
            Ok(Ok(drv))
        })
    }

    fn kunit_device_register_internal(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        name: &str,
    ) -> KResult<Result<DevId, i32>> {
        let size = self.layout.kunit_device_size;
        let kind = DevKind::Kunit {
            test: t,
            owned_driver: None,
        };
        let full = format!("{}.{}", self.obj(t).name, name);
        let dev = self.alloc_device_container(kind, size, 0, "struct kunit_device");
        self.dev_set_name(dev, &full);
        let parent = self.kunit_bus_device();
        let bus = self.kunit_bus;
        let d = self.dev_mut(dev);
        d.release = DevRelease::KunitDevice;
        d.parent = Some(parent);
        d.bus = bus;
        let err = self.device_register(host, dev)?;
        if err != 0 {
            self.put_device_as(host, dev, PutOf::OldestCaller)?;
            return Ok(Err(err));
        }
        let addr = self.obj(dev).addr;
        self.kunit_add_kernel_action(t, KernelAction::KunitDeviceUnregister, addr.0);
        Ok(Ok(dev))
    }

    /// `kunit_device_register_with_driver`: the driver argument is not used
    /// by the kernel; the device binds to the oldest kunit driver.
    pub fn kunit_device_register_with_driver(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        name: &str,
        _drv: DrvId,
    ) -> KResult<Result<DevId, i32>> {
        self.note_api(&"kunit_device_register_with_driver");
        self.traced(&"kunit_device_register_with_driver", host, |k, host| {
            k.kunit_device_register_internal(host, t, name)
        })
    }

    /// `kunit_device_register`: a new driver named `name`, then a device bound to it.
    pub fn kunit_device_register(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        name: &str,
    ) -> KResult<Result<DevId, i32>> {
        self.note_api(&"kunit_device_register");
        self.traced(&"kunit_device_register", host, |k, host| {
            let drv = match k.kunit_driver_create(host, t, name)? {
                Ok(drv) => drv,
                Err(e) => return Ok(Err(e)),
            };
            let dev = match k.kunit_device_register_internal(host, t, name)? {
                Ok(dev) => dev,
                Err(e) => {
                    let addr = k.driver(drv).addr;
                    k.kunit_release_matching(
                        host,
                        t,
                        Action::Kernel(KernelAction::KunitDriverUnregister),
                        addr.0,
                    )?;
                    return Ok(Err(e));
                }
            };
            if let DevKind::Kunit { owned_driver, .. } = &mut k.dev_mut(dev).kind {
                *owned_driver = Some(drv);
            }
            Ok(Ok(dev))
        })
    }

    /// `kunit_device_unregister`: runs the device's unregister action now,
    /// then the unregister action of the driver it owns, if any.
    pub fn kunit_device_unregister(
        &mut self,
        host: &mut dyn Host,
        t: ObjId,
        dev: DevId,
    ) -> KResult<()> {
        self.note_api(&"kunit_device_unregister");
        self.check_live(dev, "kunit_device_unregister")?;
        self.traced(&"kunit_device_unregister", host, |k, host| {
            let owned = match k.dev(dev).kind {
                DevKind::Kunit { owned_driver, .. } => owned_driver,
                _ => None,
            };
            let addr = k.obj(dev).addr;
            k.kunit_release_matching(
                host,
                t,
                Action::Kernel(KernelAction::KunitDeviceUnregister),
                addr.0,
            )?;
            if let Some(drv) = owned {
                let daddr = k.driver(drv).addr;
                k.kunit_release_matching(
                    host,
                    t,
                    Action::Kernel(KernelAction::KunitDriverUnregister),
                    daddr.0,
                )?;
            }
            Ok(())
        })
    }
}
