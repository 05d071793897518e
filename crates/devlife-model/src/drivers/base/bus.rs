//! Buses (drivers/base/bus.c): their device and driver lists, and the probe
//! a device gets when it is added.

use crate::lib::kref::{Holder, PutOf};
use crate::mm::Addr;
use crate::{errno, DevId, DrvId, FnRef, Host, KResult, Kernel, Warning};

/// Identifies a registered bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusId(pub u16);

/// How a bus matches devices to drivers (`bus->match`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusMatch {
    /// No `match`: every driver matches every device (the kunit bus).
    Everything,
    /// `platform_match`: by name.
    Platform,
    /// The caller's own `match(dev, drv)`: positive for a match, 0 for
    /// none, negative for an error.
    User(FnRef),
}

/// The callbacks of a `struct bus_type` the caller owns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BusOps {
    /// `match`, if set (none: every driver matches every device).
    pub matcher: Option<FnRef>,
    /// `probe`, if set: called instead of the driver's.
    pub probe: Option<FnRef>,
    /// `remove`, if set: called instead of the driver's.
    pub remove: Option<FnRef>,
}

/// A `struct bus_type` and its private lists.
#[derive(Debug, Clone)]
pub struct Bus {
    /// Its name (`platform`, `kunit`).
    pub name: String,
    /// Its match rule.
    pub matcher: BusMatch,
    /// Whether the bus has its own probe/remove wrappers (platform does).
    pub platform_callbacks: bool,
    /// Devices on the bus, oldest first.
    pub devices: Vec<DevId>,
    /// Registered drivers, oldest first.
    pub drivers: Vec<DrvId>,
    /// `drivers_autoprobe`.
    pub autoprobe: bool,
    /// The caller's `probe` and `remove`, for a bus the caller registered.
    pub ops: BusOps,
    /// Where the caller keeps its `struct bus_type` (NULL for the kernel's).
    pub addr: Addr,
    /// Registered and not yet unregistered.
    pub registered: bool,
}

impl Kernel {
    /// `bus_register`.
    pub fn bus_register(
        &mut self,
        name: &str,
        matcher: BusMatch,
        platform_callbacks: bool,
    ) -> BusId {
        self.buses.push(Bus {
            name: name.into(),
            matcher,
            platform_callbacks,
            devices: Vec::new(),
            drivers: Vec::new(),
            autoprobe: true,
            ops: BusOps::default(),
            addr: Addr::NULL,
            registered: true,
        });
        BusId(self.buses.len() as u16 - 1)
    }

    /// `bus_register` of a `struct bus_type` the caller owns at `addr`.
    /// A name another registered bus has is `-EEXIST`, with sysfs's
    /// duplicate-name error.
    pub fn bus_register_at(&mut self, addr: Addr, name: &str, ops: BusOps) -> Result<BusId, i32> {
        if self.buses.iter().any(|b| b.registered && b.name == name) {
            let path = format!("/bus/{name}");
            self.warn(Warning::DuplicateName { path });
            return Err(-errno::EEXIST);
        }
        let matcher = ops.matcher.map_or(BusMatch::Everything, BusMatch::User);
        let bus = self.bus_register(name, matcher, false);
        let b = self.bus_mut(bus);
        b.ops = ops;
        b.addr = addr;
        Ok(bus)
    }

    /// The registered bus whose `struct bus_type` the caller keeps at `addr`.
    pub fn bus_at(&self, addr: Addr) -> Option<BusId> {
        let i = self
            .buses
            .iter()
            .rposition(|b| b.registered && !addr.is_null() && b.addr == addr)?;
        Some(BusId(i as u16))
    }

    /// The kernel's own bus with this name (`platform`, `kunit`).
    pub fn kernel_bus(&self, name: &str) -> Option<BusId> {
        let i = self
            .buses
            .iter()
            .position(|b| b.registered && b.addr.is_null() && b.name == name)?;
        Some(BusId(i as u16))
    }

    /// `bus_unregister`: the bus is gone; its devices and drivers should
    /// have been unregistered first.
    pub fn bus_unregister(&mut self, bus: BusId) {
        self.bus_mut(bus).registered = false;
    }

    /// Puts a device the caller initialised on `bus` (`dev->bus`, read
    /// before `device_add`).
    pub fn set_bus(&mut self, dev: DevId, bus: Option<BusId>) {
        self.dev_mut(dev).bus = bus;
    }

    /// The bus with this id.
    pub fn bus(&self, id: BusId) -> &Bus {
        &self.buses[id.0 as usize]
    }

    pub(crate) fn bus_mut(&mut self, id: BusId) -> &mut Bus {
        &mut self.buses[id.0 as usize]
    }

    /// `bus_add_device`: the bus's device list takes a reference.
    pub(crate) fn bus_add_device(&mut self, dev: DevId) {
        let Some(bus) = self.dev(dev).bus else {
            return;
        };
        let r = self.kref_get(dev, Holder::BusList { bus });
        self.dev_mut(dev).links.bus_node = Some(r);
        self.bus_mut(bus).devices.push(dev);
    }

    /// `bus_probe_device`: try the bus's drivers on a new device.
    pub(crate) fn bus_probe_device(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        let Some(bus) = self.dev(dev).bus else {
            return Ok(());
        };
        if self.bus(bus).autoprobe {
            self.device_attach(host, dev)?;
        }
        Ok(())
    }

    /// `bus_remove_device`: off the bus list, then the driver is released.
    pub(crate) fn bus_remove_device(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<()> {
        let Some(bus) = self.dev(dev).bus else {
            return Ok(());
        };
        self.traced(&"bus_remove_device", host, |k, host| {
            if let Some(r) = k.dev_mut(dev).links.bus_node.take() {
                k.bus_mut(bus).devices.retain(|d| *d != dev);
                k.put_device_as(host, dev, PutOf::Ref(r))?;
            }
            k.device_release_driver(host, dev)
        })
    }
}
