//! printf-style formatting of C format strings with C arguments, as the
//! kernel's vsnprintf does for the conversions tests use.

use crate::env::KernelEnv;
use devlife_c::env::Trap;
use devlife_c::source::Site;
use devlife_c::value::Value;
use devlife_model::Addr;

/// Formats the C string at `fmt` with `args`.
pub fn format_c(
    env: &mut KernelEnv<'_>,
    fmt: Addr,
    args: &[Value],
    site: Site,
) -> Result<String, Trap> {
    if fmt.is_null() {
        return Ok(String::new());
    }
    let fmt = env.read_str(fmt, site)?;
    format_str(env, &fmt, args, site)
}

/// The largest field width the kernel's `vsnprintf` honours (it clamps a
/// larger one, with a warning).
const FIELD_WIDTH_MAX: usize = (1 << 23) - 1;
/// The largest precision it honours.
const PRECISION_MAX: usize = (1 << 15) - 1;

/// Reads a decimal count (a width or precision), clamped to `max` as the
/// kernel clamps it: `%99999999999d` must not ask for 100 GB of padding.
fn read_count(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, max: usize) -> usize {
    let mut n = 0usize;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(d as usize).min(max);
        chars.next();
    }
    n
}

/// One conversion's flags, width and length modifier.
#[derive(Default)]
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
    long: u8,
}

/// Formats `fmt` (already read) with `args`.
pub fn format_str(
    env: &mut KernelEnv<'_>,
    fmt: &str,
    args: &[Value],
    site: Site,
) -> Result<String, Trap> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.left = true,
                '0' => spec.zero = true,
                '+' => spec.plus = true,
                '#' => spec.alt = true,
                ' ' => {}
                _ => break,
            }
            chars.next();
        }
        spec.width = read_count(&mut chars, FIELD_WIDTH_MAX);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(read_count(&mut chars, PRECISION_MAX));
        }
        while let Some(&l) = chars.peek() {
            match l {
                'l' => spec.long += 1,
                'z' | 'h' | 't' | 'j' => spec.long = spec.long.max(1),
                _ => break,
            }
            chars.next();
        }
        let Some(conv) = chars.next() else {
            out.push('%');
            break;
        };
        let text = match conv {
            '%' => "%".to_string(),
            'd' | 'i' => {
                let v = args.next().map_or(0, |v| v.bits as i64);
                let v = if spec.long == 0 {
                    i64::from(v as i32)
                } else {
                    v
                };
                let s = v.to_string();
                if spec.plus && v >= 0 {
                    format!("+{s}")
                } else {
                    s
                }
            }
            'u' => {
                let v = args.next().map_or(0, |v| v.bits);
                let v = if spec.long == 0 {
                    u64::from(v as u32)
                } else {
                    v
                };
                v.to_string()
            }
            'x' | 'X' => {
                let v = args.next().map_or(0, |v| v.bits);
                let v = if spec.long == 0 {
                    u64::from(v as u32)
                } else {
                    v
                };
                let s = if conv == 'x' {
                    format!("{v:x}")
                } else {
                    format!("{v:X}")
                };
                if spec.alt && v != 0 {
                    format!("0x{s}")
                } else {
                    s
                }
            }
            'c' => char::from(args.next().map_or(0, |v| v.bits as u8)).to_string(),
            's' => {
                let p = Addr(args.next().map_or(0, |v| v.bits));
                let s = env.read_str(p, site)?;
                match spec.precision {
                    Some(n) => s.chars().take(n).collect(),
                    None => s,
                }
            }
            'p' => {
                let v = args.next().map_or(0, |v| v.bits);
                while chars.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
                    chars.next();
                }
                format!("{v:016x}")
            }
            other => format!("%{other}"),
        };
        out.push_str(&pad(&text, &spec, conv));
    }
    Ok(out)
}

fn pad(text: &str, spec: &Spec, conv: char) -> String {
    let len = text.chars().count();
    if len >= spec.width {
        return text.to_string();
    }
    let fill = spec.width - len;
    if spec.left {
        format!("{text}{}", " ".repeat(fill))
    } else if spec.zero && !matches!(conv, 's' | 'c') {
        match text.strip_prefix('-') {
            Some(rest) => format!("-{}{rest}", "0".repeat(fill)),
            None => format!("{}{text}", "0".repeat(fill)),
        }
    } else {
        format!("{}{text}", " ".repeat(fill))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(s: &str, max: usize) -> (usize, String) {
        let mut chars = s.chars().peekable();
        let n = read_count(&mut chars, max);
        (n, chars.collect())
    }

    #[test]
    fn widths_and_precisions_are_clamped_like_the_kernels() {
        assert_eq!(count("12d", FIELD_WIDTH_MAX), (12, "d".into()));
        assert_eq!(count("d", FIELD_WIDTH_MAX), (0, "d".into()));
        // Found by fuzzing: this width asked for 100 GB and aborted.
        assert_eq!(
            count("99999999999d", FIELD_WIDTH_MAX),
            (FIELD_WIDTH_MAX, "d".into())
        );
        let huge = "9".repeat(40);
        assert_eq!(count(&huge, PRECISION_MAX), (PRECISION_MAX, String::new()));
        let spec = Spec {
            width: FIELD_WIDTH_MAX,
            ..Spec::default()
        };
        assert_eq!(pad("x", &spec, 'd').len(), FIELD_WIDTH_MAX);
    }
}
