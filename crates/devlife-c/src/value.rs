//! Runtime values: [`Addr`] (encoded pointers) and [`Value`] (a scalar with its C type).

use crate::types::TypeId;

/// A 64-bit address: `(alloc_id << 32) | offset`.
///
/// Allocation id 0 is never used, so `NULL`, small integers and `ERR_PTR`
/// style values (whose high half exceeds every real allocation id) never
/// point into memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr(pub u64);

impl Addr {
    /// The null pointer.
    pub const NULL: Addr = Addr(0);

    /// Builds an address from an allocation id and an offset.
    pub fn new(alloc: u32, offset: u32) -> Addr {
        Addr((u64::from(alloc) << 32) | u64::from(offset))
    }

    /// The allocation id (high 32 bits).
    pub fn alloc(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The offset within the allocation (low 32 bits).
    pub fn offset(self) -> u32 {
        self.0 as u32
    }

    /// Whether this is the null pointer.
    pub fn is_null(self) -> bool {
        self.0 == 0
    }

    /// The address `n` bytes further (wrapping).
    pub fn wrapping_add(self, n: u64) -> Addr {
        Addr(self.0.wrapping_add(n))
    }
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// A scalar C value: the raw bits (sign- or zero-extended to 64 bits
/// according to the type) and the C type.
///
/// Interpret `ty` with the program's [`crate::TypeTable`]; the helpers here
/// cover the common cases without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Value {
    /// The bits, already normalized for `ty` (signed types sign-extended).
    pub bits: u64,
    /// The C type of the value.
    pub ty: TypeId,
}

impl Value {
    /// The value of a `void` expression.
    pub const VOID: Value = Value {
        bits: 0,
        ty: TypeId::VOID,
    };

    /// An `int`.
    pub fn int(v: i32) -> Value {
        Value {
            bits: i64::from(v) as u64,
            ty: TypeId::INT,
        }
    }

    /// A `long`.
    pub fn long(v: i64) -> Value {
        Value {
            bits: v as u64,
            ty: TypeId::LONG,
        }
    }

    /// An `unsigned long`.
    pub fn ulong(v: u64) -> Value {
        Value {
            bits: v,
            ty: TypeId::ULONG,
        }
    }

    /// A `_Bool`.
    pub fn bool(v: bool) -> Value {
        Value {
            bits: u64::from(v),
            ty: TypeId::BOOL,
        }
    }

    /// A `void *`.
    pub fn ptr(a: Addr) -> Value {
        Value {
            bits: a.0,
            ty: TypeId::VOID_PTR,
        }
    }

    /// The bits as an unsigned integer.
    pub fn as_u64(self) -> u64 {
        self.bits
    }

    /// The bits as a signed integer (correct for every normalized type).
    pub fn as_i64(self) -> i64 {
        self.bits as i64
    }

    /// The bits as an address.
    pub fn as_addr(self) -> Addr {
        Addr(self.bits)
    }

    /// C truthiness (non-zero).
    pub fn as_bool(self) -> bool {
        self.bits != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_encoding() {
        let a = Addr::new(3, 16);
        assert_eq!(a.alloc(), 3);
        assert_eq!(a.offset(), 16);
        assert_eq!(a.wrapping_add(4).offset(), 20);
        assert!(Addr::NULL.is_null());
        let err = Addr(-12i64 as u64);
        assert_eq!(err.alloc(), u32::MAX);
        assert_eq!(format!("{}", Addr(255)), "0xff");
    }

    #[test]
    fn value_helpers() {
        assert_eq!(Value::int(-1).as_i64(), -1);
        assert_eq!(Value::int(-1).as_u64(), u64::MAX);
        assert!(Value::bool(true).as_bool());
        assert_eq!(Value::ptr(Addr(8)).as_addr(), Addr(8));
        assert_eq!(Value::ulong(5).ty, TypeId::ULONG);
        assert_eq!(Value::long(-5).as_i64(), -5);
    }
}
