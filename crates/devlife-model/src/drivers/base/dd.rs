//! Driver binding (drivers/base/dd.c): attaching devices to drivers, probe
//! success and failure, and unbinding (remove, then devres).

use crate::drivers::base::bus::BusMatch;
use crate::drivers::base::core::DevKind;
use crate::drivers::base::driver::DrvKind;
use crate::lib::kref::{Holder, PutOf};
use crate::{errno, DevId, DrvId, Host, KResult, Kernel, Warning};

impl Kernel {
    /// `driver_match_device`: positive for a match, 0 for none, negative
    /// for an error of the bus's own `match`.
    pub(crate) fn driver_match_device(
        &mut self,
        host: &mut dyn Host,
        drv: DrvId,
        dev: DevId,
    ) -> KResult<i32> {
        let bus = self.driver(drv).bus;
        Ok(match self.bus(bus).matcher {
            BusMatch::Everything => 1,
            BusMatch::Platform => match &self.dev(dev).kind {
                DevKind::Platform { name, .. } => i32::from(*name == self.driver(drv).name),
                _ => 0,
            },
            BusMatch::User(f) => {
                let args = [self.obj(dev).addr.0, self.driver(drv).addr.0];
                self.callback(host, f, &args)? as i32
            }
        })
    }

    /// `device_attach` / `__device_attach`: tries the bus's drivers, oldest
    /// first. Returns 1 when bound, 0 when no driver took it.
    pub fn device_attach(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<i32> {
        self.traced(&"__device_attach", host, |k, host| {
            if k.dev(dev).dead {
                return Ok(0);
            }
            if k.dev(dev).driver.is_some() {
                return Ok(1);
            }
            let Some(bus) = k.dev(dev).bus else {
                return Ok(0);
            };
            let mut i = 0;
            while let Some(&drv) = k.bus(bus).drivers.get(i) {
                i += 1;
                let matched = k.driver_match_device(host, drv, dev)?;
                if matched == 0 {
                    continue;
                }
                if matched < 0 {
                    return Ok(matched);
                }
                let ret = k.driver_probe_device(host, drv, dev)?;
                if ret < 0 {
                    return Ok(ret);
                }
                if ret == 0 {
                    return Ok(1);
                }
            }
            Ok(0)
        })
    }

    /// `device_bind_driver`: binds `dev` to `drv`, which the caller chose
    /// (set in `dev->driver`), without a probe: the device joins the
    /// driver's list, so unbinding runs the driver's remove and the devres
    /// as usual. No reference changes. 0, or `-EBUSY` for a device already
    /// bound to another driver.
    pub fn device_bind_driver(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        drv: DrvId,
    ) -> KResult<i32> {
        self.check_live(dev, "device_bind_driver")?;
        self.traced(&"device_bind_driver", host, |k, host| {
            match k.dev(dev).driver {
                Some(other) if other != drv => return Ok(-errno::EBUSY),
                Some(_) if k.driver(drv).devices.contains(&dev) => return Ok(0),
                _ => {}
            }
            k.dev_mut(dev).driver = Some(drv);
            k.driver_mut(drv).devices.push(dev);
            host.driver_changed(k, dev)?;
            Ok(0)
        })
    }

    /// `driver_attach` as the caller calls it. A driver never registered
    /// has no private part, which binding writes to: a fault.
    pub fn driver_attach_now(&mut self, host: &mut dyn Host, drv: DrvId) -> KResult<i32> {
        if !self.driver(drv).registered {
            let api = "driver_attach";
            return Err(self.fault(crate::Fault::NullDeref { api }));
        }
        self.traced(&"driver_attach", host, |k, host| k.driver_attach(host, drv))?;
        Ok(0)
    }

    /// `driver_attach`: binds every matching unbound device on the bus, oldest first.
    pub(crate) fn driver_attach(&mut self, host: &mut dyn Host, drv: DrvId) -> KResult<()> {
        let bus = self.driver(drv).bus;
        let devices = self.bus(bus).devices.clone();
        for dev in devices {
            // A match error skips the device, as a non-match does.
            if self.driver_match_device(host, drv, dev)? <= 0 || self.dev(dev).driver.is_some() {
                continue;
            }
            self.driver_probe_device(host, drv, dev)?;
        }
        Ok(())
    }

    /// `driver_probe_device`: 0 when bound, a positive errno when the probe
    /// callback failed, a negative errno when the core refused.
    fn driver_probe_device(&mut self, host: &mut dyn Host, drv: DrvId, dev: DevId) -> KResult<i32> {
        let d = self.dev(dev);
        if d.dead || !d.added {
            return Ok(-errno::ENODEV);
        }
        if d.driver.is_some() {
            return Ok(-errno::EBUSY);
        }
        self.traced(&"really_probe", host, |k, host| {
            k.really_probe(host, dev, drv)
        })
    }

    /// `really_probe`: refuses a device that already has devres, then runs
    /// the probe; on failure everything the probe added to devres is released.
    fn really_probe(&mut self, host: &mut dyn Host, dev: DevId, drv: DrvId) -> KResult<i32> {
        if !self.dev(dev).devres.is_empty() {
            self.warn(Warning::ResourcesPresentBeforeProbing(dev));
            return Ok(-errno::EBUSY);
        }
        self.dev_mut(dev).driver = Some(drv);
        host.driver_changed(self, dev)?;
        let ret = self.call_driver_probe(host, dev, drv)?;
        if ret != 0 {
            if ![-errno::EPROBE_DEFER, -errno::ENODEV, -errno::ENXIO].contains(&ret) {
                self.warn(Warning::ProbeFailed { dev, drv, err: ret });
            }
            self.device_unbind_cleanup(host, dev)?;
            return Ok(-ret);
        }
        self.driver_mut(drv).devices.push(dev);
        Ok(0)
    }

    /// The address a driver's callbacks receive for `dev`: the
    /// `struct platform_device` for platform drivers, else the `struct device`.
    pub(crate) fn callback_arg(&self, drv: DrvId, dev: DevId) -> u64 {
        let addr = self.obj(dev).addr;
        match self.driver(drv).kind {
            DrvKind::Platform => {
                addr.offset_by(-i64::from(self.layout.platform_device_dev_offset))
                    .0
            }
            DrvKind::Plain => addr.0,
        }
    }

    /// `call_driver_probe`: the bus's own `probe` if it has one, else
    /// `drv->probe` (through `platform_probe` on the platform bus).
    fn call_driver_probe(&mut self, host: &mut dyn Host, dev: DevId, drv: DrvId) -> KResult<i32> {
        host.sync_driver(self, drv)?;
        let bus = self.driver(drv).bus;
        if let Some(probe) = self.bus(bus).ops.probe {
            let arg = self.obj(dev).addr.0;
            return Ok(self.callback(host, probe, &[arg])? as i32);
        }
        let Some(probe) = self.driver(drv).ops.probe else {
            return Ok(0);
        };
        let arg = self.callback_arg(drv, dev);
        let ret = self.callback(host, probe, &[arg])?;
        Ok(ret as i32)
    }

    /// `device_remove`: the bus's own `remove` if it has one, else
    /// `drv->remove` (through `platform_remove` on the platform bus).
    fn device_remove(&mut self, host: &mut dyn Host, dev: DevId, drv: DrvId) -> KResult<()> {
        host.sync_driver(self, drv)?;
        let bus = self.driver(drv).bus;
        if let Some(remove) = self.bus(bus).ops.remove {
            let arg = self.obj(dev).addr.0;
            self.callback(host, remove, &[arg])?;
            return Ok(());
        }
        if let Some(remove) = self.driver(drv).ops.remove {
            let arg = self.callback_arg(drv, dev);
            self.callback(host, remove, &[arg])?;
        }
        Ok(())
    }

    /// `device_unbind_cleanup`: devres (newest first), then the driver and
    /// drvdata pointers are cleared.
    fn device_unbind_cleanup(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.devres_release_all(host, dev)?;
        let d = self.dev_mut(dev);
        d.driver = None;
        d.drvdata = 0;
        host.driver_changed(self, dev)
    }

    /// `device_release_driver`: unbinds the device if it is bound: the
    /// driver's remove, then its devres. No reference changes.
    pub fn device_release_driver(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        self.check_live(dev, "device_release_driver")?;
        let Some(drv) = self.dev(dev).driver else {
            return Ok(());
        };
        self.traced(&"device_release_driver", host, |k, host| {
            k.device_remove(host, dev, drv)?;
            k.device_unbind_cleanup(host, dev)?;
            k.driver_mut(drv).devices.retain(|d| *d != dev);
            Ok(())
        })
    }

    /// `driver_detach`: unbinds the driver's devices, most recently bound
    /// first, holding each one while it is unbound.
    pub(crate) fn driver_detach(&mut self, host: &mut dyn Host, drv: DrvId) -> KResult<()> {
        self.traced(&"driver_detach", host, |k, host| {
            while let Some(&dev) = k.driver(drv).devices.last() {
                let hold = k.kref_get(dev, Holder::Transient(&"driver_detach"));
                if k.dev(dev).driver == Some(drv) {
                    k.device_release_driver(host, dev)?;
                } else {
                    k.driver_mut(drv).devices.pop();
                }
                k.put_device_as(host, dev, PutOf::Ref(hold))?;
            }
            Ok(())
        })
    }

    /// `dev_set_drvdata`.
    pub fn dev_set_drvdata(&mut self, dev: DevId, data: u64) {
        self.dev_mut(dev).drvdata = data;
    }

    /// `dev_get_drvdata`.
    pub fn dev_get_drvdata(&self, dev: DevId) -> u64 {
        self.dev(dev).drvdata
    }
}
