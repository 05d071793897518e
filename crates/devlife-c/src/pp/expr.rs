//! Evaluation of `#if` constant expressions (after `defined` and macro
//! replacement; remaining identifiers are 0).

use super::lex::{PpToken, TokKind};

/// A value of intmax_t or uintmax_t.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PpVal {
    /// The bits.
    pub v: u64,
    /// Whether the value is unsigned.
    pub unsigned: bool,
}

const MAX_DEPTH: u32 = 200;

struct Parser<'a> {
    toks: &'a [PpToken],
    i: usize,
    depth: u32,
}

/// Evaluates a `#if` expression; `Err` carries a message.
pub fn eval(toks: &[PpToken]) -> Result<bool, String> {
    if toks.is_empty() {
        return Err("#if with no expression".into());
    }
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
    };
    let v = p.cond()?;
    if let Some(t) = p.toks.get(p.i) {
        return Err(format!("unexpected `{}` in #if expression", t.text));
    }
    Ok(v.v != 0)
}

fn sval(v: i64) -> PpVal {
    PpVal {
        v: v as u64,
        unsigned: false,
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.toks
            .get(self.i)
            .filter(|t| t.kind == TokKind::Punct)
            .map(|t| &*t.text)
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.peek() == Some(s) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn cond(&mut self) -> Result<PpVal, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("#if expression nested too deeply".into());
        }
        let c = self.binary(0)?;
        let r = if self.eat("?") {
            let a = self.cond()?;
            if !self.eat(":") {
                return Err("expected `:` in #if expression".into());
            }
            let b = self.cond()?;
            let unsigned = a.unsigned || b.unsigned;
            let v = if c.v != 0 { a.v } else { b.v };
            PpVal { v, unsigned }
        } else {
            c
        };
        self.depth -= 1;
        Ok(r)
    }

    fn binary(&mut self, min_prec: u8) -> Result<PpVal, String> {
        let mut l = self.unary()?;
        while let Some(op) = self.peek() {
            let Some(prec) = prec(op) else { break };
            if prec < min_prec {
                break;
            }
            let op = op.to_string();
            self.i += 1;
            let r = self.binary(prec + 1)?;
            l = apply(&op, l, r)?;
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<PpVal, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("#if expression nested too deeply".into());
        }
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<PpVal, String> {
        if self.eat("-") {
            let v = self.unary()?;
            return Ok(PpVal {
                v: v.v.wrapping_neg(),
                ..v
            });
        }
        if self.eat("+") {
            return self.unary();
        }
        if self.eat("~") {
            let v = self.unary()?;
            return Ok(PpVal { v: !v.v, ..v });
        }
        if self.eat("!") {
            let v = self.unary()?;
            return Ok(sval(i64::from(v.v == 0)));
        }
        if self.eat("(") {
            let v = self.cond()?;
            if !self.eat(")") {
                return Err("expected `)` in #if expression".into());
            }
            return Ok(v);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<PpVal, String> {
        let Some(t) = self.toks.get(self.i) else {
            return Err("unexpected end of #if expression".into());
        };
        self.i += 1;
        match t.kind {
            TokKind::Ident => Ok(sval(0)),
            TokKind::Number => {
                parse_int(&t.text).ok_or_else(|| format!("invalid integer `{}` in #if", t.text))
            }
            TokKind::Char => crate::lower::lit::parse_char(&t.text)
                .map(sval)
                .map_err(|e| format!("{e} in #if")),
            _ => Err(format!("unexpected `{}` in #if expression", t.text)),
        }
    }
}

fn prec(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "^" => 4,
        "&" => 5,
        "==" | "!=" => 6,
        "<" | ">" | "<=" | ">=" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "%" => 10,
        _ => return None,
    })
}

fn apply(op: &str, l: PpVal, r: PpVal) -> Result<PpVal, String> {
    let u = l.unsigned || r.unsigned;
    let cmp = |b: bool| Ok(sval(i64::from(b)));
    let lt = if u {
        l.v < r.v
    } else {
        (l.v as i64) < (r.v as i64)
    };
    let gt = if u {
        l.v > r.v
    } else {
        (l.v as i64) > (r.v as i64)
    };
    let v = match op {
        "||" => return cmp(l.v != 0 || r.v != 0),
        "&&" => return cmp(l.v != 0 && r.v != 0),
        "==" => return cmp(l.v == r.v),
        "!=" => return cmp(l.v != r.v),
        "<" => return cmp(lt),
        ">" => return cmp(gt),
        "<=" => return cmp(!gt),
        ">=" => return cmp(!lt),
        "|" => l.v | r.v,
        "^" => l.v ^ r.v,
        "&" => l.v & r.v,
        "<<" => l.v.wrapping_shl(r.v as u32),
        ">>" if l.unsigned => l.v.wrapping_shr(r.v as u32),
        ">>" => (l.v as i64).wrapping_shr(r.v as u32) as u64,
        "+" => l.v.wrapping_add(r.v),
        "-" => l.v.wrapping_sub(r.v),
        "*" => l.v.wrapping_mul(r.v),
        "/" | "%" => return divide(op, l, r, u),
        _ => return Err(format!("unsupported operator `{op}` in #if")),
    };
    let unsigned = if op == "<<" || op == ">>" {
        l.unsigned
    } else {
        u
    };
    Ok(PpVal { v, unsigned })
}

fn divide(op: &str, l: PpVal, r: PpVal, u: bool) -> Result<PpVal, String> {
    if r.v == 0 {
        return Err("division by zero in #if".into());
    }
    let v = match (op, u) {
        ("/", true) => l.v / r.v,
        ("%", true) => l.v % r.v,
        ("/", false) => (l.v as i64).wrapping_div(r.v as i64) as u64,
        _ => (l.v as i64).wrapping_rem(r.v as i64) as u64,
    };
    Ok(PpVal { v, unsigned: u })
}

/// Parses an integer pp-number with optional `u`/`l` suffixes.
pub fn parse_int(text: &str) -> Option<PpVal> {
    let lit = crate::lower::lit::parse_int_literal(text).ok()?;
    Some(PpVal {
        v: lit.value,
        unsigned: lit.unsigned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn ev(s: &str) -> Result<bool, String> {
        eval(&super::super::lex::lex(FileId(0), s.as_bytes()))
    }

    #[test]
    fn arithmetic_and_logic() {
        assert_eq!(ev("1 + 2 * 3 == 7"), Ok(true));
        assert_eq!(ev("(1 << 4) - 16 || 0"), Ok(false));
        assert_eq!(ev("-1 < 0"), Ok(true));
        assert_eq!(ev("-1 < 0u"), Ok(false));
        assert_eq!(ev("FOO ? 1 : 2"), Ok(true));
        assert_eq!(ev("!FOO && 'a' == 97"), Ok(true));
        assert_eq!(ev("0x10 % 3 == 1"), Ok(true));
    }

    #[test]
    fn errors() {
        assert!(ev("1 / 0").is_err());
        assert!(ev("(1").is_err());
        assert!(ev("1 2").is_err());
        assert!(ev("").is_err());
        assert!(ev(&"(".repeat(1000)).is_err());
    }
}
