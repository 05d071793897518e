//! Allocations and their lifecycle (the model of mm/slab_common.c's kmalloc/kfree).

use crate::trace::EventId;
use std::borrow::Cow;

/// `KMALLOC_MAX_SIZE` on x86 and UML, in v6.1 and v6.12 alike (4 MiB):
/// `kmalloc()` of more fails, and so does every API built on it.
pub const KMALLOC_MAX_SIZE: u64 = 4 << 20;

/// The size a `kmalloc()` of `size` bytes allocates, or `None` when the
/// kernel returns NULL for it.
pub fn kmalloc_size(size: u64) -> Option<u32> {
    u32::try_from(size)
        .ok()
        .filter(|_| size <= KMALLOC_MAX_SIZE)
}

/// Identifies one allocation. Ids start at 1 and are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AllocId(pub u32);

/// A kernel address: an allocation and an offset into it.
///
/// Encoded as `(allocation << 32) | offset`, so NULL is 0, and small integers
/// (`ZERO_SIZE_PTR` = 16) and `ERR_PTR` values (high half all ones) are never
/// valid memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Addr(pub u64);

impl Addr {
    /// The NULL pointer.
    pub const NULL: Addr = Addr(0);

    /// The address `offset` bytes into `alloc`.
    pub fn new(alloc: AllocId, offset: u32) -> Addr {
        Addr((u64::from(alloc.0) << 32) | u64::from(offset))
    }

    /// The allocation this address points into (meaningless for NULL).
    pub fn alloc(self) -> AllocId {
        AllocId((self.0 >> 32) as u32)
    }

    /// The offset into the allocation.
    pub fn offset(self) -> u32 {
        self.0 as u32
    }

    /// Whether this is NULL.
    pub fn is_null(self) -> bool {
        self.0 == 0
    }

    /// Whether this is an `ERR_PTR` value (the last 4095 addresses).
    pub fn is_err(self) -> bool {
        self.0 >= (-4095i64) as u64
    }

    /// This address moved by `delta` bytes within its allocation.
    pub fn offset_by(self, delta: i64) -> Addr {
        Addr(self.0.wrapping_add(delta as u64))
    }
}

/// What an allocation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllocKind {
    /// `kmalloc` family memory the caller frees with `kfree`.
    Kmalloc,
    /// Memory owned by a devres entry (`devm_kzalloc`).
    Devm,
    /// Memory owned by a drmres entry (`drmm_kzalloc`).
    Drmm,
    /// Memory owned by a KUnit test (`kunit_kzalloc`).
    Kunit,
    /// The container of a modelled kernel object (root device, platform device...).
    Object,
    /// A global or static variable of the host program.
    Global,
    /// A local variable of the host program.
    Stack,
    /// A string literal of the host program (read-only).
    Literal,
}

/// One allocation's record.
#[derive(Debug, Clone)]
pub struct Allocation {
    /// What it is for.
    pub kind: AllocKind,
    /// A readable description (`"root device 'test'"`, `"kunit_kzalloc"`...).
    pub label: Cow<'static, str>,
    /// Size in bytes.
    pub size: u32,
    /// Contents while live; emptied when freed.
    pub bytes: Vec<u8>,
    /// The event that allocated it.
    pub allocated: EventId,
    /// The event that freed it, once freed.
    pub freed: Option<EventId>,
}

impl Allocation {
    /// Whether it has not been freed.
    pub fn is_live(&self) -> bool {
        self.freed.is_none()
    }
}

/// Why a memory access failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemFault {
    /// An access through NULL or a small integer.
    Null {
        /// The address used.
        addr: Addr,
    },
    /// An access to memory that was freed.
    UseAfterFree {
        /// The freed allocation.
        alloc: AllocId,
        /// The offset accessed.
        offset: u32,
    },
    /// An access past the end of a live allocation.
    OutOfBounds {
        /// The allocation.
        alloc: AllocId,
        /// The first byte accessed.
        offset: u32,
        /// Bytes accessed.
        len: u32,
    },
    /// An address that was never allocated (including `ERR_PTR` values).
    Wild {
        /// The address used.
        addr: Addr,
    },
}

/// All allocations ever made.
#[derive(Debug, Default, Clone)]
pub struct Memory {
    allocs: Vec<Allocation>,
    live: usize,
}

impl Memory {
    /// Records a new zeroed allocation; the caller logs the event.
    pub fn alloc(
        &mut self,
        size: u32,
        kind: AllocKind,
        label: Cow<'static, str>,
        at: EventId,
    ) -> AllocId {
        self.allocs.push(Allocation {
            kind,
            label,
            size,
            bytes: vec![0; size as usize],
            allocated: at,
            freed: None,
        });
        self.live += 1;
        AllocId(self.allocs.len() as u32)
    }

    /// Marks an allocation freed. Returns the earlier free event if it was
    /// already freed (a double free), or `None` on success.
    pub fn free(&mut self, id: AllocId, at: EventId) -> Result<(), Option<EventId>> {
        let Some(a) = self.get_mut(id) else {
            return Err(None);
        };
        if let Some(earlier) = a.freed {
            return Err(Some(earlier));
        }
        a.freed = Some(at);
        a.bytes = Vec::new();
        self.live -= 1;
        Ok(())
    }

    /// The record of an allocation.
    pub fn get(&self, id: AllocId) -> Option<&Allocation> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.allocs.get(i))
    }

    fn get_mut(&mut self, id: AllocId) -> Option<&mut Allocation> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.allocs.get_mut(i))
    }

    /// Whether `id` exists and is not freed.
    pub fn is_live(&self, id: AllocId) -> bool {
        self.get(id).is_some_and(Allocation::is_live)
    }

    /// Number of allocations ever made.
    pub fn total(&self) -> usize {
        self.allocs.len()
    }

    /// Number of allocations not yet freed.
    pub fn live_count(&self) -> usize {
        self.live
    }

    /// Every allocation, with its id, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (AllocId, &Allocation)> {
        self.allocs
            .iter()
            .enumerate()
            .map(|(i, a)| (AllocId(i as u32 + 1), a))
    }

    #[inline]
    fn check(&self, addr: Addr, len: usize) -> Result<(AllocId, usize), MemFault> {
        if addr.0 < 1 << 32 {
            return Err(MemFault::Null { addr });
        }
        let id = addr.alloc();
        let a = self.get(id).ok_or(MemFault::Wild { addr })?;
        let offset = addr.offset();
        if !a.is_live() {
            return Err(MemFault::UseAfterFree { alloc: id, offset });
        }
        let end = offset as usize + len;
        if end > a.bytes.len() {
            return Err(MemFault::OutOfBounds {
                alloc: id,
                offset,
                len: len as u32,
            });
        }
        Ok((id, offset as usize))
    }

    /// Copies `buf.len()` bytes out of memory at `addr`.
    pub fn read(&self, addr: Addr, buf: &mut [u8]) -> Result<(), MemFault> {
        let (id, off) = self.check(addr, buf.len())?;
        let a = &self.allocs[id.0 as usize - 1];
        buf.copy_from_slice(&a.bytes[off..off + buf.len()]);
        Ok(())
    }

    /// Copies `bytes` into memory at `addr`.
    pub fn write(&mut self, addr: Addr, bytes: &[u8]) -> Result<(), MemFault> {
        let (id, off) = self.check(addr, bytes.len())?;
        let a = &mut self.allocs[id.0 as usize - 1];
        a.bytes[off..off + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    /// Reads a little-endian scalar of `size` bytes (at most 8),
    /// zero-extended: a load of C code.
    #[inline]
    pub fn read_scalar(&self, addr: Addr, size: u8) -> Result<u64, MemFault> {
        let n = usize::from(size.min(8));
        let (id, off) = self.check(addr, n)?;
        let bytes = &self.allocs[id.0 as usize - 1].bytes[off..off + n];
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(bytes);
        Ok(u64::from_le_bytes(b))
    }

    /// Writes the low `size` bytes (at most 8) of `value`, little-endian:
    /// a store of C code.
    #[inline]
    pub fn write_scalar(&mut self, addr: Addr, size: u8, value: u64) -> Result<(), MemFault> {
        let n = usize::from(size.min(8));
        let (id, off) = self.check(addr, n)?;
        let bytes = &mut self.allocs[id.0 as usize - 1].bytes[off..off + n];
        bytes.copy_from_slice(&value.to_le_bytes()[..n]);
        Ok(())
    }

    /// Reads a little-endian 64-bit word.
    pub fn read_u64(&self, addr: Addr) -> Result<u64, MemFault> {
        let mut b = [0u8; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Writes a little-endian 64-bit word.
    pub fn write_u64(&mut self, addr: Addr, value: u64) -> Result<(), MemFault> {
        self.write(addr, &value.to_le_bytes())
    }

    /// Reads a NUL-terminated string (at most `max` bytes), lossily as UTF-8.
    pub fn read_c_string(&self, addr: Addr, max: usize) -> Result<String, MemFault> {
        Ok(String::from_utf8_lossy(self.c_str_bytes(addr, max)?).into_owned())
    }

    /// Whether `addr` holds the NUL-terminated string `s`, in a live allocation.
    pub fn holds_c_str(&self, addr: Addr, s: &[u8]) -> bool {
        self.check(addr, s.len() + 1).is_ok_and(|(id, off)| {
            let bytes = &self.allocs[id.0 as usize - 1].bytes[off..=off + s.len()];
            bytes[..s.len()] == *s && bytes[s.len()] == 0
        })
    }

    /// The bytes of a NUL-terminated string (at most `max`, without the NUL),
    /// borrowed from memory.
    pub fn c_str_bytes(&self, addr: Addr, max: usize) -> Result<&[u8], MemFault> {
        let (id, off) = self.check(addr, 0)?;
        let bytes = &self.allocs[id.0 as usize - 1].bytes[off..];
        let end = bytes
            .iter()
            .take(max)
            .position(|&b| b == 0)
            .ok_or(MemFault::OutOfBounds {
                alloc: id,
                offset: off as u32,
                len: bytes.len().min(max) as u32 + 1,
            })?;
        Ok(&bytes[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmalloc_stops_at_kmalloc_max_size() {
        assert_eq!(kmalloc_size(0), Some(0));
        assert_eq!(kmalloc_size(4 << 20), Some(4 << 20));
        assert_eq!(kmalloc_size((4 << 20) + 1), None);
        assert_eq!(kmalloc_size(u64::MAX), None);
    }

    #[test]
    fn freed_memory_reports_use_after_free_and_double_free() {
        let mut m = Memory::default();
        let id = m.alloc(8, AllocKind::Kmalloc, "buf".into(), 0);
        let a = Addr::new(id, 0);
        m.write_u64(a, 7).unwrap();
        assert_eq!(m.read_u64(a), Ok(7));
        assert_eq!(m.free(id, 3), Ok(()));
        assert_eq!(
            m.read_u64(a),
            Err(MemFault::UseAfterFree {
                alloc: id,
                offset: 0
            })
        );
        assert_eq!(m.free(id, 4), Err(Some(3)));
        assert_eq!(m.live_count(), 0);
    }

    #[test]
    fn null_err_and_out_of_bounds_are_distinguished() {
        let mut m = Memory::default();
        let id = m.alloc(4, AllocKind::Kmalloc, "buf".into(), 0);
        assert!(matches!(m.read_u64(Addr(16)), Err(MemFault::Null { .. })));
        assert!(matches!(
            m.read_u64(Addr((-12i64) as u64)),
            Err(MemFault::Wild { .. })
        ));
        assert!(Addr((-12i64) as u64).is_err());
        assert!(matches!(
            m.read_u64(Addr::new(id, 0)),
            Err(MemFault::OutOfBounds { .. })
        ));
    }

    #[test]
    fn c_strings_stop_at_nul() {
        let mut m = Memory::default();
        let id = m.alloc(6, AllocKind::Literal, "lit".into(), 0);
        m.write(Addr::new(id, 0), b"test\0x").unwrap();
        assert_eq!(m.read_c_string(Addr::new(id, 0), 64).unwrap(), "test");
        assert!(m.holds_c_str(Addr::new(id, 0), b"test"));
        assert!(!m.holds_c_str(Addr::new(id, 0), b"tes"));
        assert!(!m.holds_c_str(Addr::new(id, 1), b"test"));
        assert!(!m.holds_c_str(Addr::new(id, 2), b"st\0x"));
    }
}
