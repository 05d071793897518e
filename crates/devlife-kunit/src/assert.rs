//! KUnit's failure messages (lib/kunit/assert.c's wording): the lines a
//! failed expectation or assertion prints, so devlife's KTAP reads like the
//! kernel's.

/// Whether a failed check ends the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `KUNIT_EXPECT_*`: record and go on.
    Expectation,
    /// `KUNIT_ASSERT_*`: record and end the case.
    Assertion,
}

impl Kind {
    /// From the prelude's `enum kunit_assert_type` value.
    pub fn from_c(v: u64) -> Kind {
        if v == 0 {
            Kind::Assertion
        } else {
            Kind::Expectation
        }
    }

    fn word(self) -> &'static str {
        match self {
            Kind::Expectation => "EXPECTATION",
            Kind::Assertion => "ASSERTION",
        }
    }
}

/// What was checked and how it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// `KUNIT_*_EQ` and friends on integers.
    Binary {
        /// The operator text (`==`, `>`, ...).
        op: String,
        /// Left operand's source text and value.
        left: (String, i64),
        /// Right operand's source text and value.
        right: (String, i64),
    },
    /// `KUNIT_*_PTR_EQ` / `_PTR_NE`.
    Pointer {
        /// The operator text.
        op: String,
        /// Left operand's source text and value.
        left: (String, u64),
        /// Right operand's source text and value.
        right: (String, u64),
    },
    /// `KUNIT_*_STREQ` / `_STRNEQ`.
    String {
        /// The operator text.
        op: String,
        /// Left operand's source text and value.
        left: (String, String),
        /// Right operand's source text and value.
        right: (String, String),
    },
    /// `KUNIT_*_TRUE` / `_FALSE`.
    Boolean {
        /// The condition's source text.
        text: String,
        /// What it should have been.
        expected: bool,
    },
    /// `KUNIT_*_NOT_NULL`.
    NotNull {
        /// The pointer's source text.
        text: String,
    },
    /// `KUNIT_*_NULL`.
    Null {
        /// The pointer's source text.
        text: String,
        /// Its value.
        value: u64,
    },
    /// `KUNIT_*_NOT_ERR_OR_NULL` on an `ERR_PTR`.
    IsErr {
        /// The pointer's source text.
        text: String,
        /// The error (negative).
        err: i64,
    },
    /// `KUNIT_FAIL`: the message alone.
    Fail,
}

/// Whether `text` is the literal spelling of `value` (`"0"` for 0).
fn is_literal(text: &str, value: i64) -> bool {
    text == value.to_string()
}

fn is_str_literal(text: &str, value: &str) -> bool {
    text.len() >= 2
        && text.starts_with('"')
        && text.ends_with('"')
        && &text[1..text.len() - 1] == value
}

/// The lines KUnit prints for a failed check in `case` at `file:line`,
/// each ready for the kernel log (the first carries `    # case: `).
pub fn failure_lines(
    case: &str,
    kind: Kind,
    file: &str,
    line: u32,
    failure: &Failure,
    message: Option<&str>,
) -> Vec<String> {
    let mut text = format!("{} FAILED at {file}:{line}\n", kind.word());
    body(&mut text, failure, message);
    let mut lines: Vec<String> = text
        .trim_end_matches('\n')
        .split('\n')
        .map(str::to_string)
        .collect();
    if let Some(first) = lines.first_mut() {
        *first = format!("    # {case}: {first}");
    }
    lines
}

fn body(out: &mut String, failure: &Failure, message: Option<&str>) {
    const IND: &str = "    ";
    const IND2: &str = "        ";
    match failure {
        Failure::Binary { op, left, right } => {
            out.push_str(&format!("{IND}Expected {} {op} {}, but\n", left.0, right.0));
            for (text, v) in [left, right] {
                if !is_literal(text, *v) {
                    out.push_str(&format!("{IND2}{text} == {v} ({:#x})\n", *v as u64));
                }
            }
        }
        Failure::Pointer { op, left, right } => {
            out.push_str(&format!("{IND}Expected {} {op} {}, but\n", left.0, right.0));
            for (text, v) in [left, right] {
                out.push_str(&format!("{IND2}{text} == {:016x}\n", v));
            }
        }
        Failure::String { op, left, right } => {
            out.push_str(&format!("{IND}Expected {} {op} {}, but\n", left.0, right.0));
            for (text, v) in [left, right] {
                if !is_str_literal(text, v) {
                    out.push_str(&format!("{IND2}{text} == \"{v}\"\n"));
                }
            }
        }
        Failure::Boolean { text, expected } => {
            let (want, got) = if *expected {
                ("true", "false")
            } else {
                ("false", "true")
            };
            out.push_str(&format!(
                "{IND}Expected {text} to be {want}, but is {got}\n"
            ));
        }
        Failure::NotNull { text } => {
            out.push_str(&format!("{IND}Expected {text} is not null, but is\n"))
        }
        Failure::Null { text, value } => out.push_str(&format!(
            "{IND}Expected {text} == NULL, but\n{IND2}{text} == {value:016x}\n"
        )),
        Failure::IsErr { text, err } => out.push_str(&format!(
            "{IND}Expected {text} is not error, but is: {err}\n"
        )),
        Failure::Fail => {}
    }
    if let Some(m) = message {
        out.push_str(m);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_failure_matches_the_kernels_recorded_text() {
        let lines = failure_lines(
            "platform_device_devm_register_get_unregister_with_devm_test",
            Kind::Expectation,
            "drivers/base/test/platform-device-test.c",
            107,
            &Failure::Binary {
                op: ">".into(),
                left: ("ret".into(), 0),
                right: ("0".into(), 0),
            },
            None,
        );
        assert_eq!(
            lines,
            [
                "    # platform_device_devm_register_get_unregister_with_devm_test: EXPECTATION FAILED at drivers/base/test/platform-device-test.c:107",
                "    Expected ret > 0, but",
                "        ret == 0 (0x0)",
            ]
        );
    }

    #[test]
    fn negative_values_print_as_unsigned_hex() {
        let lines = failure_lines(
            "c",
            Kind::Assertion,
            "f.c",
            3,
            &Failure::Binary {
                op: "==".into(),
                left: ("ret".into(), -12),
                right: ("0".into(), 0),
            },
            None,
        );
        assert_eq!(lines[0], "    # c: ASSERTION FAILED at f.c:3");
        assert_eq!(lines[2], "        ret == -12 (0xfffffffffffffff4)");
    }

    #[test]
    fn booleans_and_err_pointers() {
        let b = failure_lines(
            "c",
            Kind::Assertion,
            "f.c",
            1,
            &Failure::Boolean {
                text: "x".into(),
                expected: true,
            },
            None,
        );
        assert_eq!(b[1], "    Expected x to be true, but is false");
        let e = failure_lines(
            "c",
            Kind::Assertion,
            "f.c",
            1,
            &Failure::IsErr {
                text: "p".into(),
                err: -12,
            },
            None,
        );
        assert_eq!(e[1], "    Expected p is not error, but is: -12");
    }
}
