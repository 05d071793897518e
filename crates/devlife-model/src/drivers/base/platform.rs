//! Platform devices and drivers (drivers/base/platform.c).

use crate::drivers::base::bus::BusMatch;
use crate::drivers::base::core::{DevKind, DevRelease};
use crate::drivers::base::driver::{DriverOps, DrvKind};
use crate::lib::kref::PutOf;
use crate::mm::Addr;
use crate::{DevId, DrvId, Host, KResult, Kernel};

/// `PLATFORM_DEVID_NONE`: the device is named after the platform name alone.
pub const PLATFORM_DEVID_NONE: i32 = -1;
/// `PLATFORM_DEVID_AUTO`: the kernel picks an id (`name.N.auto`).
pub const PLATFORM_DEVID_AUTO: i32 = -2;

/// What a caller-owned `struct platform_device` says before it is registered.
#[derive(Debug, Clone, Default)]
pub struct PlatformFields {
    /// `name`.
    pub name: String,
    /// `id`.
    pub id: i32,
    /// `dev.parent`.
    pub parent: Option<DevId>,
    /// `dev.release`.
    pub release: Option<crate::FnRef>,
}

impl Kernel {
    /// `platform_bus_init`: the platform bus and its `platform` device.
    pub(crate) fn platform_bus_init(&mut self, host: &mut dyn Host) {
        let dev = self.bus_root_device(host, "platform");
        self.platform_bus_dev = Some(dev);
        self.platform_bus = Some(self.bus_register("platform", BusMatch::Platform, true));
    }

    /// The `platform` bus device every platform device sits under by default.
    pub fn platform_bus_device(&self) -> DevId {
        self.platform_bus_dev.expect("booted")
    }

    /// `platform_device_alloc`: a platform object with count 1, not yet added.
    pub fn platform_device_alloc(&mut self, name: &str, id: i32) -> DevId {
        let size = self.layout.platform_device_size;
        let off = self.layout.platform_device_dev_offset;
        let kind = DevKind::Platform {
            name: name.into(),
            id,
        };
        let dev = self.alloc_device_container(kind, size, off, "struct platform_object");
        self.dev_mut(dev).release = DevRelease::Platform;
        self.device_initialize(dev, &"platform_device_alloc");
        dev
    }

    /// The address of the `struct platform_device` around `dev`.
    pub fn platform_device_addr(&self, dev: DevId) -> Addr {
        self.obj(dev)
            .addr
            .offset_by(-i64::from(self.layout.platform_device_dev_offset))
    }

    /// The platform device whose `struct platform_device` is at `addr`.
    pub fn platform_device_at(&self, addr: Addr) -> Option<DevId> {
        self.device_at(addr.offset_by(i64::from(self.layout.platform_device_dev_offset)))
            .filter(|d| matches!(self.dev(*d).kind, DevKind::Platform { .. }))
    }

    /// `platform_device_add`: names the device, puts it under the platform
    /// bus device and adds it (probing a matching driver synchronously).
    pub fn platform_device_add(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<i32> {
        self.check_live(dev, "platform_device_add")?;
        self.traced(&"platform_device_add", host, |k, host| {
            if k.dev(dev).parent.is_none() {
                let pb = k.platform_bus_device();
                k.dev_mut(dev).parent = Some(pb);
            }
            k.dev_mut(dev).bus = k.platform_bus;
            let name = k.platform_device_name(dev);
            k.dev_set_name(dev, &name);
            k.device_add(host, dev)
        })
    }

    fn platform_device_name(&mut self, dev: DevId) -> String {
        let DevKind::Platform { name, id } = self.dev(dev).kind.clone() else {
            return self.dev_name(dev).to_string();
        };
        match id {
            PLATFORM_DEVID_NONE => name,
            PLATFORM_DEVID_AUTO => {
                self.platform_auto_id += 1;
                format!("{name}.{}.auto", self.platform_auto_id - 1)
            }
            id => format!("{name}.{id}"),
        }
    }

    /// `platform_device_register`: initialise (again, if allocated) and add.
    pub fn platform_device_register(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<i32> {
        self.device_initialize(dev, &"platform_device_register");
        self.platform_device_add(host, dev)
    }

    /// `platform_device_register` of a `struct platform_device` the caller
    /// owns (a static one), whose `struct device` is at `dev_addr`: the
    /// device is made at that address with the name, id, parent and release
    /// the structure holds, then initialised and added. Its release is the
    /// structure's own `dev.release`; without one the kernel warns and
    /// nothing is freed.
    pub fn platform_device_register_at(
        &mut self,
        host: &mut dyn Host,
        dev_addr: Addr,
        pdev: PlatformFields,
    ) -> KResult<(DevId, i32)> {
        let kind = DevKind::Platform {
            name: pdev.name,
            id: pdev.id,
        };
        let dev = match self.device_at(dev_addr) {
            Some(dev) if !self.obj(dev).is_released() => dev,
            _ => self.alloc_device(kind, dev_addr, None),
        };
        self.dev_mut(dev).release = pdev.release.map_or(DevRelease::None, DevRelease::User);
        self.dev_mut(dev).parent = pdev.parent;
        let err = self.platform_device_register(host, dev)?;
        Ok((dev, err))
    }

    /// `platform_device_add_data`: a copy of `data` becomes
    /// `dev->platform_data` (replacing and freeing an earlier copy), freed by
    /// `platform_device_release`. Empty data sets NULL.
    pub fn platform_device_add_data(&mut self, dev: DevId, data: &[u8]) -> KResult<Addr> {
        self.check_live(dev, "platform_device_add_data")?;
        if let Some(old) = self.dev_mut(dev).platform_data.take() {
            self.kfree(Addr::new(old, 0))?;
        }
        let Some(size) = crate::mm::kmalloc_size(data.len() as u64).filter(|s| *s > 0) else {
            return Ok(Addr::NULL);
        };
        let copy = self.kmalloc(size, crate::AllocKind::Kmalloc, "platform_data");
        let _ = self.mm.write(copy, data);
        self.dev_mut(dev).platform_data = Some(copy.alloc());
        Ok(copy)
    }

    /// `platform_device_register_simple`: `platform_device_register_full`
    /// with no parent and no data.
    pub fn platform_device_register_simple(
        &mut self,
        host: &mut dyn Host,
        name: &str,
        id: i32,
    ) -> KResult<Result<DevId, i32>> {
        let info = PlatformFields {
            name: name.into(),
            id,
            ..PlatformFields::default()
        };
        self.platform_device_register_full(host, info, &[])
    }

    /// `platform_device_register_full` (and `_data`, `_resndata`): alloc,
    /// set the parent, copy the data, add; on failure the device is put and
    /// the error returned.
    pub fn platform_device_register_full(
        &mut self,
        host: &mut dyn Host,
        info: PlatformFields,
        data: &[u8],
    ) -> KResult<Result<DevId, i32>> {
        self.traced(&"platform_device_register_full", host, |k, host| {
            let dev = k.platform_device_alloc(&info.name, info.id);
            k.dev_mut(dev).parent = info.parent;
            k.platform_device_add_data(dev, data)?;
            let err = k.platform_device_add(host, dev)?;
            if err != 0 {
                k.put_device_as(host, dev, PutOf::OldestCaller)?;
                return Ok(Err(err));
            }
            Ok(Ok(dev))
        })
    }

    /// `platform_device_del`.
    pub fn platform_device_del(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.check_live(dev, "platform_device_del")?;
        self.traced(&"platform_device_del", host, |k, host| {
            k.device_del(host, dev)
        })
    }

    /// `platform_device_put`.
    pub fn platform_device_put(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.check_live(dev, "platform_device_put")?;
        self.traced(&"platform_device_put", host, |k, host| {
            k.put_device_as(host, dev, PutOf::OldestCaller)
        })
    }

    /// `platform_device_unregister`: del, then the creator's reference goes.
    pub fn platform_device_unregister(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.check_live(dev, "platform_device_unregister")?;
        self.traced(&"platform_device_unregister", host, |k, host| {
            k.device_del(host, dev)?;
            k.put_device_as(host, dev, PutOf::OldestCaller)
        })
    }

    /// Makes a platform driver known (its `struct platform_driver` at `addr`).
    pub fn platform_driver_new(&mut self, name: &str, ops: DriverOps, addr: Addr) -> DrvId {
        let bus = self.platform_bus.expect("booted");
        self.driver_new(name, bus, DrvKind::Platform, ops, addr)
    }

    /// `platform_driver_register`: binds every platform device of the same name.
    pub fn platform_driver_register(&mut self, host: &mut dyn Host, drv: DrvId) -> KResult<i32> {
        self.driver_register(host, drv)
    }

    /// `platform_driver_unregister`: unbinds its devices.
    pub fn platform_driver_unregister(&mut self, host: &mut dyn Host, drv: DrvId) -> KResult<()> {
        self.driver_unregister(host, drv)
    }
}
