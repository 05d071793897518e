//! The callback host: how the model runs code it does not own.
//!
//! Probe and remove callbacks, devm / drmm / KUnit actions and release
//! callbacks are user code (C functions, for the interpreter; closures, for
//! Rust tests). The model calls them through [`Host::call`], handing over
//! `&mut Kernel`, so the callback can re-enter the model freely: an action
//! calls `put_device`, which releases another device, whose devres runs
//! another action, and so on. The model keeps no borrow of its own state
//! across a callback, so every such chain is safe.

use crate::{KResult, Kernel};
use std::collections::BTreeMap;

/// An opaque reference to a host function (for C, the function's address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FnRef(pub u64);

/// Runs user callbacks on the model's behalf.
pub trait Host {
    /// Calls `f` with `args` (machine words: pointers and integers) and returns
    /// its result (0 for `void` functions). An `Err` unwinds the model call in
    /// progress, as a KUnit assertion or an oops ends the kernel thread.
    fn call(&mut self, kernel: &mut Kernel, f: FnRef, args: &[u64]) -> KResult<u64>;

    /// A readable name for `f`, for logs and explanations.
    fn name_of(&self, f: FnRef) -> String {
        format!("fn@{:#x}", f.0)
    }

    /// Called before the model reads a driver's callbacks, so a host whose
    /// driver structures live in its own memory can refresh them.
    fn sync_driver(&mut self, _kernel: &mut Kernel, _driver: crate::DrvId) -> KResult<()> {
        Ok(())
    }

    /// Called when a device's `driver` or `driver_data` changed (bind,
    /// unbind, failed probe), so a host that mirrors them in its own memory
    /// can update them.
    fn driver_changed(&mut self, _kernel: &mut Kernel, _dev: crate::DevId) -> KResult<()> {
        Ok(())
    }
}

/// A host for Rust callers: callbacks are closures registered by name.
#[derive(Default)]
pub struct RustHost {
    callbacks: BTreeMap<FnRef, Callback>,
    names: BTreeMap<FnRef, String>,
    called: Vec<FnRef>,
}

/// A callback closure as [`RustHost`] stores it.
pub type Callback = Box<dyn FnMut(&mut Kernel, &mut dyn Host, &[u64]) -> KResult<u64>>;

impl RustHost {
    /// An empty host.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `f` under `name` and returns the reference to pass to the model.
    pub fn register(
        &mut self,
        name: &str,
        f: impl FnMut(&mut Kernel, &mut dyn Host, &[u64]) -> KResult<u64> + 'static,
    ) -> FnRef {
        let id = FnRef(0x1000 + self.callbacks.len() as u64 * 16);
        self.callbacks.insert(id, Box::new(f));
        self.names.insert(id, name.to_string());
        id
    }
}

impl RustHost {
    /// The callbacks the model ran, in the order it called them.
    pub fn called(&self) -> &[FnRef] {
        &self.called
    }
}

impl Host for RustHost {
    fn call(&mut self, kernel: &mut Kernel, f: FnRef, args: &[u64]) -> KResult<u64> {
        // Take the closure out while it runs, so it may re-enter this host.
        let Some(mut callback) = self.callbacks.remove(&f) else {
            return Err(crate::Abort::Fault(crate::Fault::BadCallback { func: f }));
        };
        self.called.push(f);
        let result = callback(kernel, self, args);
        self.callbacks.insert(f, callback);
        result
    }

    fn name_of(&self, f: FnRef) -> String {
        self.names
            .get(&f)
            .cloned()
            .unwrap_or_else(|| format!("fn@{:#x}", f.0))
    }
}
