//! Integer and conversion semantics shared by the constant folder and the
//! interpreter. Values are 64-bit patterns normalized for their type.

use crate::ast::{BinOp, CastOp, UnOp};
use crate::types::IntTy;

/// Applies a scalar conversion.
#[inline]
pub fn cast(op: CastOp, v: u64) -> u64 {
    match op {
        CastOp::Nop => v,
        CastOp::Int(it) => it.norm(v),
        CastOp::Bool => u64::from(v != 0),
    }
}

/// Applies a unary operator in representation `it`.
#[inline]
pub fn unop(op: UnOp, it: IntTy, v: u64) -> u64 {
    match op {
        UnOp::Neg => it.norm(v.wrapping_neg()),
        UnOp::BitNot => it.norm(!v),
        UnOp::Not => u64::from(v == 0),
    }
}

/// Applies a binary operator to operands normalized for `it`; `None` on
/// division by zero. Comparisons yield 0 or 1; overflow wraps.
#[inline]
pub fn binop(op: BinOp, it: IntTy, a: u64, b: u64) -> Option<u64> {
    let bits = u32::from(it.size) * 8;
    let r = match op {
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::Div | BinOp::Rem => return divide(op, it, a, b),
        BinOp::Shl => a.wrapping_shl((b as u32) & (bits - 1)),
        BinOp::Shr => {
            let s = (b as u32) & (bits - 1);
            if it.signed {
                (a as i64).wrapping_shr(s) as u64
            } else {
                a.wrapping_shr(s)
            }
        }
        BinOp::And => a & b,
        BinOp::Or => a | b,
        BinOp::Xor => a ^ b,
        BinOp::Eq => return Some(u64::from(a == b)),
        BinOp::Ne => return Some(u64::from(a != b)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            return Some(u64::from(compare(op, it.signed, a, b)))
        }
    };
    Some(it.norm(r))
}

fn compare(op: BinOp, signed: bool, a: u64, b: u64) -> bool {
    let ord = if signed {
        (a as i64).cmp(&(b as i64))
    } else {
        a.cmp(&b)
    };
    match op {
        BinOp::Lt => ord.is_lt(),
        BinOp::Le => ord.is_le(),
        BinOp::Gt => ord.is_gt(),
        _ => ord.is_ge(),
    }
}

fn divide(op: BinOp, it: IntTy, a: u64, b: u64) -> Option<u64> {
    if b == 0 {
        return None;
    }
    let r = match (op, it.signed) {
        (BinOp::Div, true) => (a as i64).wrapping_div(b as i64) as u64,
        (BinOp::Div, false) => a / b,
        (_, true) => (a as i64).wrapping_rem(b as i64) as u64,
        (_, false) => a % b,
    };
    Some(it.norm(r))
}

/// Reads a little-endian scalar of `size` bytes and normalizes it.
#[inline]
pub fn decode(bytes: &[u8], it: IntTy) -> u64 {
    let mut b = [0u8; 8];
    let n = bytes.len().min(8);
    b[..n].copy_from_slice(&bytes[..n]);
    it.norm(u64::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const U32: IntTy = IntTy {
        size: 4,
        signed: false,
    };

    #[test]
    fn wraparound_and_signedness() {
        assert_eq!(binop(BinOp::Add, U32, 0xffff_ffff, 1), Some(0));
        assert_eq!(binop(BinOp::Sub, U32, 0, 1), Some(0xffff_ffff));
        assert_eq!(
            binop(BinOp::Add, IntTy::INT, i32::MAX as u64, 1),
            Some(i32::MIN as i64 as u64)
        );
        assert_eq!(binop(BinOp::Lt, IntTy::INT, -1i64 as u64, 0), Some(1));
        assert_eq!(binop(BinOp::Lt, IntTy::ULONG, -1i64 as u64, 0), Some(0));
        assert_eq!(
            binop(BinOp::Div, IntTy::INT, -7i64 as u64, 2),
            Some(-3i64 as u64)
        );
        assert_eq!(
            binop(BinOp::Rem, IntTy::INT, -7i64 as u64, 2),
            Some(-1i64 as u64)
        );
        assert_eq!(binop(BinOp::Div, IntTy::INT, 1, 0), None);
        assert_eq!(
            binop(BinOp::Shr, IntTy::INT, -8i64 as u64, 1),
            Some(-4i64 as u64)
        );
        assert_eq!(binop(BinOp::Shr, U32, 0xffff_fff8, 1), Some(0x7fff_fffc));
        assert_eq!(
            binop(BinOp::Shl, IntTy::INT, 1, 31),
            Some(i32::MIN as i64 as u64)
        );
    }

    #[test]
    fn unary_and_casts() {
        assert_eq!(unop(UnOp::Neg, U32, 1), 0xffff_ffff);
        assert_eq!(unop(UnOp::BitNot, IntTy::INT, 0), u64::MAX);
        assert_eq!(unop(UnOp::Not, IntTy::INT, 5), 0);
        assert_eq!(cast(CastOp::Bool, 256), 1);
        assert_eq!(
            cast(
                CastOp::Int(IntTy {
                    size: 1,
                    signed: false
                }),
                256
            ),
            0
        );
        assert_eq!(
            decode(
                &[0xff, 0xff],
                IntTy {
                    size: 2,
                    signed: true
                }
            ),
            u64::MAX
        );
    }
}
