//! Buses (drivers/base/bus.c): their device and driver lists, and the probe
//! a device gets when it is added.

use crate::lib::kref::{Holder, PutOf};
use crate::{DevId, DrvId, Host, KResult, Kernel};

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
        });
        BusId(self.buses.len() as u16 - 1)
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
