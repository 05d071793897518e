//! Decoding of integer, character and string literals.

use std::borrow::Cow;

use crate::types::TypeId;

/// A decoded integer literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntLit {
    /// The value (in the literal's type, non-negative).
    pub value: u64,
    /// Whether the literal's type is unsigned.
    pub unsigned: bool,
    /// The literal's C type.
    pub ty: TypeId,
}

/// Parses an integer literal (decimal, hex, octal, binary; `u`/`l`/`ll` suffixes).
pub fn parse_int_literal(text: &str) -> Result<IntLit, String> {
    let t = text.trim();
    // Most literals are plain decimals.
    let plain = !t.is_empty() && t.len() < 19 && t.bytes().all(|b| b.is_ascii_digit());
    if plain && (t.len() == 1 || !t.starts_with('0')) {
        let value = t.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
        return Ok(type_literal(value, false, 0, true));
    }
    let lower = if t.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(t.to_ascii_lowercase())
    } else {
        Cow::Borrowed(t)
    };
    let (radix, digits_start) = if lower.starts_with("0x") {
        (16, 2)
    } else if lower.starts_with("0b") {
        (2, 2)
    } else if lower.starts_with('0') && lower.len() > 1 {
        (8, 1)
    } else {
        (10, 0)
    };
    let body = &lower[digits_start..];
    let split = body
        .find(|c: char| !(c.is_digit(radix.max(10)) || (radix == 16 && c.is_ascii_hexdigit())))
        .unwrap_or(body.len());
    let (digits, suffix) = body.split_at(split);
    let is_float = if radix == 16 {
        suffix.starts_with('.') || suffix.starts_with('p')
    } else {
        suffix.starts_with('.') || suffix.starts_with('e') || suffix.starts_with('f')
    };
    if is_float {
        return Err(format!("floating-point literal `{t}` is not supported"));
    }
    if digits.is_empty() && radix != 8 {
        return Err(format!("invalid integer literal `{t}`"));
    }
    let digits = if digits.contains('\'') {
        Cow::Owned(digits.replace('\'', ""))
    } else {
        Cow::Borrowed(digits)
    };
    let value = if digits.is_empty() {
        0
    } else {
        u64::from_str_radix(&digits, radix)
            .map_err(|_| format!("invalid or too large integer literal `{t}`"))?
    };
    let (u, l) =
        suffix_flags(suffix).ok_or_else(|| format!("invalid suffix on integer literal `{t}`"))?;
    Ok(type_literal(value, u, l, radix == 10))
}

fn suffix_flags(s: &str) -> Option<(bool, u8)> {
    let u = s.contains('u');
    let l = s.matches('l').count() as u8;
    let rest: String = s.chars().filter(|c| *c != 'u' && *c != 'l').collect();
    (rest.is_empty() && s.matches('u').count() <= 1 && l <= 2).then_some((u, l))
}

fn type_literal(value: u64, u: bool, l: u8, decimal: bool) -> IntLit {
    let fits_int = value <= i32::MAX as u64;
    let fits_uint = value <= u32::MAX as u64;
    let fits_long = value <= i64::MAX as u64;
    let (ty, unsigned) = if u {
        if l == 0 && fits_uint {
            (TypeId::UINT, true)
        } else {
            (TypeId::ULONG, true)
        }
    } else if l == 0 && fits_int {
        (TypeId::INT, false)
    } else if l == 0 && !decimal && fits_uint {
        (TypeId::UINT, true)
    } else if fits_long {
        (TypeId::LONG, false)
    } else {
        (TypeId::ULONG, true)
    };
    IntLit {
        value,
        unsigned,
        ty,
    }
}

/// Decodes one escape sequence starting after the backslash; returns the
/// byte value and the number of bytes consumed.
fn escape(b: &[u8]) -> Result<(u32, usize), String> {
    let Some(&c) = b.first() else {
        return Err("incomplete escape sequence".into());
    };
    let simple = match c {
        b'n' => Some(10),
        b't' => Some(9),
        b'r' => Some(13),
        b'a' => Some(7),
        b'b' => Some(8),
        b'f' => Some(12),
        b'v' => Some(11),
        b'e' => Some(27),
        b'\\' | b'\'' | b'"' | b'?' => Some(u32::from(c)),
        _ => None,
    };
    if let Some(v) = simple {
        return Ok((v, 1));
    }
    if (b'0'..=b'7').contains(&c) {
        let n = b
            .iter()
            .take(3)
            .take_while(|d| (b'0'..=b'7').contains(*d))
            .count();
        let v = b[..n].iter().fold(0u32, |a, d| a * 8 + u32::from(d - b'0'));
        return Ok((v & 0xff, n));
    }
    if c == b'x' {
        let n = b[1..].iter().take_while(|d| d.is_ascii_hexdigit()).count();
        if n == 0 {
            return Err("\\x used with no following hex digits".into());
        }
        let v = b[1..=n].iter().fold(0u32, |a, d| {
            a.wrapping_mul(16)
                .wrapping_add((*d as char).to_digit(16).unwrap_or(0))
        });
        return Ok((v & 0xff, n + 1));
    }
    Err(format!("unknown escape sequence `\\{}`", c as char))
}

/// Decodes the contents between the quotes.
fn decode(inner: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        if inner[i] == b'\\' {
            let (v, n) = escape(&inner[i + 1..])?;
            out.push(v as u8);
            i += 1 + n;
        } else {
            out.push(inner[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn strip_quotes(text: &str, q: char) -> Result<&str, String> {
    if text.starts_with(['L', 'u', 'U']) {
        return Err(format!("wide or unicode literal `{text}` is not supported"));
    }
    text.strip_prefix(q)
        .and_then(|t| t.strip_suffix(q))
        .ok_or_else(|| format!("malformed literal `{text}`"))
}

/// Decodes a character literal to its `int` value (`char` is signed).
pub fn parse_char(text: &str) -> Result<i64, String> {
    let inner = strip_quotes(text, '\'')?;
    let bytes = decode(inner.as_bytes())?;
    match bytes.as_slice() {
        [b] => Ok(i64::from(*b as i8)),
        [] => Err("empty character literal".into()),
        _ => Err(format!("multi-character literal {text} is not supported")),
    }
}

/// Decodes a string literal (without the terminating NUL).
pub fn parse_string(text: &str) -> Result<Vec<u8>, String> {
    decode(strip_quotes(text, '"')?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_literals() {
        let l = |s| parse_int_literal(s).map(|l| (l.value, l.ty));
        assert_eq!(l("42"), Ok((42, TypeId::INT)));
        assert_eq!(l("0x10UL"), Ok((16, TypeId::ULONG)));
        assert_eq!(l("010"), Ok((8, TypeId::INT)));
        assert_eq!(l("0"), Ok((0, TypeId::INT)));
        assert_eq!(l("0xffffffff"), Ok((0xffff_ffff, TypeId::UINT)));
        assert_eq!(l("4294967295"), Ok((0xffff_ffff, TypeId::LONG)));
        assert_eq!(l("5u"), Ok((5, TypeId::UINT)));
        assert_eq!(l("5ll"), Ok((5, TypeId::LONG)));
        assert_eq!(l("0b101"), Ok((5, TypeId::INT)));
        assert_eq!(l("18446744073709551615u"), Ok((u64::MAX, TypeId::ULONG)));
        assert!(l("1.5").is_err());
        assert!(l("1e5").is_err());
        assert!(l("99999999999999999999").is_err());
        assert!(l("5q").is_err());
        assert!(l("09").is_err());
    }

    #[test]
    fn char_and_string_literals() {
        assert_eq!(parse_char("'a'"), Ok(97));
        assert_eq!(parse_char("'\\n'"), Ok(10));
        assert_eq!(parse_char("'\\xff'"), Ok(-1));
        assert_eq!(parse_char("'\\0'"), Ok(0));
        assert_eq!(parse_char("'\\''"), Ok(39));
        assert!(parse_char("'ab'").is_err());
        assert!(parse_char("L'a'").is_err());
        assert_eq!(parse_string("\"a\\tb\\101\\x42\""), Ok(b"a\tbAB".to_vec()));
        assert!(parse_string("\"\\q\"").is_err());
    }
}
