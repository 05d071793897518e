//! A reusable byte-vector memory ([`Memory`]) with liveness tracking, and
//! [`SimpleEnv`], an [`Env`] built on it with externals as Rust closures.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::ast::FuncId;
use crate::env::{AllocKind, Env, Trap};
use crate::interp::Interp;
use crate::source::Site;
use crate::value::{Addr, Value};

/// First allocation id reserved for functions; data allocations stay below.
pub const FUNC_ALLOC_BASE: u32 = 0x7F00_0000;

/// Largest single allocation [`Memory`] accepts (256 MiB).
pub const MAX_ALLOC_SIZE: u64 = 1 << 28;

/// One allocation of a [`Memory`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Contents (emptied when freed).
    pub bytes: Vec<u8>,
    /// Size in bytes (kept after free).
    pub size: u64,
    /// What the allocation is for.
    pub kind: AllocKind,
    /// Label (variable name, literal, or embedder text).
    pub label: String,
    /// Where it was allocated.
    pub alloc_site: Site,
    /// Where it was freed, if it was.
    pub free_site: Option<Site>,
}

impl Allocation {
    /// Whether the allocation is still live.
    pub fn is_live(&self) -> bool {
        self.free_site.is_none()
    }
}

/// Byte-vector memory: allocation ids are never reused, so every access to
/// freed memory is reported with its allocation and free sites.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    allocs: Vec<Allocation>,
}

impl Memory {
    /// An empty memory.
    pub fn new() -> Memory {
        Memory::default()
    }

    /// Allocates `size` zeroed bytes.
    pub fn alloc(
        &mut self,
        size: u64,
        kind: AllocKind,
        label: &str,
        site: Site,
    ) -> Result<Addr, Trap> {
        let id = self.allocs.len() as u64 + 1;
        if size > MAX_ALLOC_SIZE || id >= u64::from(FUNC_ALLOC_BASE) {
            return Err(Trap::AllocFailed { size, site });
        }
        self.allocs.push(Allocation {
            bytes: vec![0; size as usize],
            size,
            kind,
            label: label.to_string(),
            alloc_site: site,
            free_site: None,
        });
        Ok(Addr::new(id as u32, 0))
    }

    /// Frees the allocation starting at `addr`.
    pub fn free(&mut self, addr: Addr, site: Site) -> Result<(), Trap> {
        if addr.alloc() == 0 || addr.offset() != 0 {
            return Err(Trap::InvalidFree { addr, site });
        }
        let Some(a) = self.allocs.get_mut(addr.alloc() as usize - 1) else {
            return Err(Trap::InvalidFree { addr, site });
        };
        if let Some(free_site) = a.free_site {
            return Err(Trap::DoubleFree {
                addr,
                label: a.label.clone(),
                alloc_site: a.alloc_site,
                free_site,
                site,
            });
        }
        a.free_site = Some(site);
        a.bytes = Vec::new();
        Ok(())
    }

    /// The allocation with this id.
    pub fn allocation(&self, id: u32) -> Option<&Allocation> {
        self.allocs.get((id as usize).checked_sub(1)?)
    }

    /// The allocation an address points into (live or freed).
    pub fn allocation_of(&self, addr: Addr) -> Option<&Allocation> {
        self.allocation(addr.alloc())
    }

    /// Whether `addr` points into a live allocation.
    pub fn is_live(&self, addr: Addr) -> bool {
        self.allocation_of(addr).is_some_and(Allocation::is_live)
    }

    /// Live allocations in allocation order.
    pub fn live(&self) -> impl Iterator<Item = (Addr, &Allocation)> {
        self.allocs
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_live())
            .map(|(i, a)| (Addr::new(i as u32 + 1, 0), a))
    }

    /// Number of allocations ever made.
    pub fn len(&self) -> usize {
        self.allocs.len()
    }

    /// Whether no allocation was ever made.
    pub fn is_empty(&self) -> bool {
        self.allocs.is_empty()
    }

    /// Checks that `len` bytes at `addr` are accessible; returns the
    /// allocation index and byte offset.
    pub fn check(&self, addr: Addr, len: u64, site: Site) -> Result<(usize, usize), Trap> {
        let id = addr.alloc();
        if id == 0 {
            return Err(Trap::NullDeref { addr, site });
        }
        let idx = id as usize - 1;
        let Some(a) = self.allocs.get(idx) else {
            return Err(Trap::InvalidAddress { addr, site });
        };
        if let Some(free_site) = a.free_site {
            return Err(Trap::UseAfterFree {
                addr,
                label: a.label.clone(),
                alloc_site: a.alloc_site,
                free_site,
                site,
            });
        }
        let off = u64::from(addr.offset());
        if off.saturating_add(len) > a.size {
            return Err(Trap::OutOfBounds {
                addr,
                len,
                size: a.size,
                label: a.label.clone(),
                alloc_site: a.alloc_site,
                site,
            });
        }
        Ok((idx, off as usize))
    }

    /// Reads `buf.len()` bytes at `addr`.
    pub fn read(&self, addr: Addr, buf: &mut [u8], site: Site) -> Result<(), Trap> {
        let (idx, off) = self.check(addr, buf.len() as u64, site)?;
        let src = self.allocs[idx].bytes.get(off..off + buf.len());
        match src {
            Some(s) => {
                buf.copy_from_slice(s);
                Ok(())
            }
            None => Err(Trap::InvalidAddress { addr, site }),
        }
    }

    /// Writes `bytes` at `addr`.
    pub fn write(&mut self, addr: Addr, bytes: &[u8], site: Site) -> Result<(), Trap> {
        let (idx, off) = self.check(addr, bytes.len() as u64, site)?;
        match self.allocs[idx].bytes.get_mut(off..off + bytes.len()) {
            Some(d) => {
                d.copy_from_slice(bytes);
                Ok(())
            }
            None => Err(Trap::InvalidAddress { addr, site }),
        }
    }
}

/// An external function for [`SimpleEnv`].
pub type ExternFn = dyn Fn(&mut SimpleEnv, &mut Interp, &[Value], Site) -> Result<Value, Trap>;

/// An [`Env`] with its own [`Memory`] and externals registered as closures.
#[derive(Default)]
pub struct SimpleEnv {
    /// The memory all C objects live in.
    pub memory: Memory,
    externals: BTreeMap<String, Rc<ExternFn>>,
}

impl SimpleEnv {
    /// An env with no externals.
    pub fn new() -> SimpleEnv {
        SimpleEnv::default()
    }

    /// Registers (or replaces) an external function.
    pub fn register<F>(&mut self, name: &str, f: F)
    where
        F: Fn(&mut SimpleEnv, &mut Interp, &[Value], Site) -> Result<Value, Trap> + 'static,
    {
        self.externals.insert(name.to_string(), Rc::new(f));
    }

    /// Registers `memcpy`, `memset`, `strlen` and `strcmp`.
    pub fn register_libc(&mut self) {
        self.register("memcpy", |env, _, args, site| {
            let (d, s, n) = (
                arg(args, 0).as_addr(),
                arg(args, 1).as_addr(),
                arg(args, 2).as_u64(),
            );
            let mut buf = vec![0; n.min(MAX_ALLOC_SIZE) as usize];
            env.memory.read(s, &mut buf, site)?;
            env.memory.write(d, &buf, site)?;
            Ok(Value::ptr(d))
        });
        self.register("memset", |env, _, args, site| {
            let (d, c, n) = (
                arg(args, 0).as_addr(),
                arg(args, 1).as_u64(),
                arg(args, 2).as_u64(),
            );
            let buf = vec![c as u8; n.min(MAX_ALLOC_SIZE) as usize];
            env.memory.write(d, &buf, site)?;
            Ok(Value::ptr(d))
        });
        self.register("strlen", |env, _, args, site| {
            let s = crate::env::read_c_bytes(env, arg(args, 0).as_addr(), site)?;
            Ok(Value::ulong(s.len() as u64))
        });
        self.register("strcmp", |env, _, args, site| {
            let a = crate::env::read_c_bytes(env, arg(args, 0).as_addr(), site)?;
            let b = crate::env::read_c_bytes(env, arg(args, 1).as_addr(), site)?;
            Ok(Value::int(match a.cmp(&b) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            }))
        });
    }
}

/// The `i`th argument, or `0` if missing.
pub fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).copied().unwrap_or(Value::long(0))
}

impl Env for SimpleEnv {
    fn alloc(&mut self, size: u64, kind: AllocKind, label: &str, site: Site) -> Result<Addr, Trap> {
        self.memory.alloc(size, kind, label, site)
    }

    fn free_stack(&mut self, addr: Addr, site: Site) {
        let _ = self.memory.free(addr, site);
    }

    fn read(&mut self, addr: Addr, buf: &mut [u8], site: Site) -> Result<(), Trap> {
        self.memory.read(addr, buf, site)
    }

    fn write(&mut self, addr: Addr, bytes: &[u8], site: Site) -> Result<(), Trap> {
        self.memory.write(addr, bytes, site)
    }

    fn call_external(
        &mut self,
        interp: &mut Interp,
        f: FuncId,
        args: &[Value],
        site: Site,
    ) -> Result<Value, Trap> {
        let name = interp.function_name(f);
        let Some(external) = self.externals.get(name).cloned() else {
            return Err(Trap::UnknownFunction {
                name: name.to_string(),
                site,
            });
        };
        external(self, interp, args, site)
    }

    fn is_external(&self, name: &str) -> bool {
        self.externals.contains_key(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(line: u32) -> Site {
        Site::new(crate::source::FileId(0), line, 1)
    }

    #[test]
    fn alloc_read_write_free() {
        let mut m = Memory::new();
        let a = m
            .alloc(8, AllocKind::Heap, "obj", s(1))
            .unwrap_or(Addr::NULL);
        assert_eq!(a.alloc(), 1);
        assert!(m.write(a.wrapping_add(4), &[1, 2, 3, 4], s(2)).is_ok());
        let mut b = [0u8; 2];
        assert!(m.read(a.wrapping_add(5), &mut b, s(3)).is_ok());
        assert_eq!(b, [2, 3]);
        assert!(matches!(
            m.read(a.wrapping_add(7), &mut b, s(4)),
            Err(Trap::OutOfBounds { .. })
        ));
        assert!(m.free(a, s(5)).is_ok());
        match m.read(a, &mut b, s(6)) {
            Err(Trap::UseAfterFree {
                alloc_site,
                free_site,
                ..
            }) => {
                assert_eq!(alloc_site.line, 1);
                assert_eq!(free_site.line, 5);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(m.free(a, s(7)), Err(Trap::DoubleFree { .. })));
        assert_eq!(m.live().count(), 0);
    }

    #[test]
    fn bad_addresses() {
        let mut m = Memory::new();
        let mut b = [0u8; 1];
        assert!(matches!(
            m.read(Addr(16), &mut b, s(1)),
            Err(Trap::NullDeref { .. })
        ));
        assert!(matches!(
            m.read(Addr(-12i64 as u64), &mut b, s(1)),
            Err(Trap::InvalidAddress { .. })
        ));
        assert!(matches!(
            m.free(Addr(5), s(1)),
            Err(Trap::InvalidFree { .. })
        ));
        assert!(matches!(
            m.alloc(MAX_ALLOC_SIZE + 1, AllocKind::Heap, "x", s(1)),
            Err(Trap::AllocFailed { .. })
        ));
    }
}
