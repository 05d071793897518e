//! Drivers (drivers/base/driver.c, bus.c's driver half): registration,
//! which attaches the driver to matching devices, and unregistration, which
//! detaches it from every device it drives.

use crate::mm::Addr;
use crate::{BusId, Fault, FnRef, Host, KResult, Kernel, Warning};

/// Identifies a driver the model knows (registered now or before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DrvId(pub u32);

/// How the driver's callbacks are called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrvKind {
    /// A bare `struct device_driver`: `probe(dev)`, `remove(dev)`.
    Plain,
    /// A `struct platform_driver`: `probe(pdev)`, `remove(pdev)`.
    Platform,
}

/// A driver's callbacks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DriverOps {
    /// `probe`.
    pub probe: Option<FnRef>,
    /// `remove`.
    pub remove: Option<FnRef>,
}

/// A `struct device_driver` (or the one inside a `struct platform_driver`).
#[derive(Debug, Clone)]
pub struct Driver {
    /// `drv->name`.
    pub name: String,
    /// Its bus.
    pub bus: BusId,
    /// How callbacks are called.
    pub kind: DrvKind,
    /// The callbacks.
    pub ops: DriverOps,
    /// Where the host keeps the structure (the `struct device_driver`, or
    /// for platform drivers the `struct platform_driver`).
    pub addr: Addr,
    /// Registered (its private part exists).
    pub registered: bool,
    /// Whether it was ever unregistered (its private part was freed).
    pub unregistered_once: bool,
    /// Devices bound to it, in binding order.
    pub devices: Vec<crate::DevId>,
}

impl Kernel {
    /// Makes a driver known to the model (not yet registered).
    pub fn driver_new(
        &mut self,
        name: &str,
        bus: BusId,
        kind: DrvKind,
        ops: DriverOps,
        addr: Addr,
    ) -> DrvId {
        let id = DrvId(self.drivers.len() as u32);
        self.drivers.push(Driver {
            name: name.into(),
            bus,
            kind,
            ops,
            addr,
            registered: false,
            unregistered_once: false,
            devices: Vec::new(),
        });
        if !addr.is_null() {
            self.drivers_by_addr.insert(addr, id);
        }
        id
    }

    /// The driver whose structure is at `addr`.
    pub fn driver_at(&self, addr: Addr) -> Option<DrvId> {
        self.drivers_by_addr.get(&addr).copied()
    }

    /// The driver with this id.
    pub fn driver(&self, id: DrvId) -> &Driver {
        &self.drivers[id.0 as usize]
    }

    /// Mutable access to a driver (hosts refresh callbacks through it).
    pub fn driver_mut(&mut self, id: DrvId) -> &mut Driver {
        &mut self.drivers[id.0 as usize]
    }

    /// `driver_register`: refuses a duplicate name on the bus (-EBUSY), else
    /// joins the bus and binds every matching unbound device.
    pub fn driver_register(&mut self, host: &mut dyn Host, drv: DrvId) -> KResult<i32> {
        self.traced(&"driver_register", host, |k, host| {
            let bus = k.driver(drv).bus;
            let name = k.driver(drv).name.clone();
            let dup = k
                .bus(bus)
                .drivers
                .iter()
                .any(|d| *d != drv && k.driver(*d).name == name);
            if dup || k.driver(drv).registered {
                k.warn(Warning::DriverAlreadyRegistered(drv));
                return Ok(-crate::errno::EBUSY);
            }
            let d = k.driver_mut(drv);
            d.registered = true;
            k.bus_mut(bus).drivers.push(drv);
            if k.bus(bus).autoprobe {
                k.driver_attach(host, drv)?;
            }
            Ok(0)
        })
    }

    /// `driver_register` on a bus that is not registered: the kernel's
    /// error, `-EINVAL`.
    pub fn driver_register_on_unknown_bus(&mut self, driver: &str, bus: &str) -> i32 {
        self.printk(format!(
            "Driver '{driver}' was unable to register with bus_type '{bus}' because the bus was not initialized."
        ));
        -crate::errno::EINVAL
    }

    /// `driver_unregister` of a driver the kernel never registered: its
    /// warning, and nothing else.
    pub fn driver_unregister_unknown(&mut self) {
        self.warn(Warning::UnexpectedDriverUnregister);
    }

    /// `driver_unregister`: detaches every bound device (remove, then devres),
    /// then leaves the bus. A second unregister touches freed memory.
    pub fn driver_unregister(&mut self, host: &mut dyn Host, drv: DrvId) -> KResult<()> {
        self.traced(&"driver_unregister", host, |k, host| {
            if !k.driver(drv).registered {
                if k.driver(drv).unregistered_once {
                    return Err(k.fault(Fault::Bug {
                        what: "driver_unregister of a driver already unregistered (its private part was freed)",
                    }));
                }
                k.warn(Warning::UnexpectedDriverUnregister);
                return Ok(());
            }
            k.driver_detach(host, drv)?;
            let bus = k.driver(drv).bus;
            k.bus_mut(bus).drivers.retain(|d| *d != drv);
            let d = k.driver_mut(drv);
            d.registered = false;
            d.unregistered_once = true;
            Ok(())
        })
    }
}
