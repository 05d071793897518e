//! The one place where [`Diagnostic`]s and [`Trap`]s are rendered to text,
//! Miri-style: a message, then `--> file:line:col`.

use crate::env::Trap;
use crate::source::{Files, Site};

/// A compile-time error (preprocessing, parsing or lowering), pointing at the
/// user's original source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// File name.
    pub file: String,
    /// 1-based line (0 if unknown).
    pub line: u32,
    /// 1-based byte column (0 if unknown).
    pub column: u32,
    /// Message; names the offending construct and ends with `at file:line:col`.
    pub message: String,
}

impl Diagnostic {
    /// Builds a diagnostic at `site`, appending ` at file:line:col` to the message.
    pub fn new(files: &Files, site: Site, message: &str) -> Diagnostic {
        Diagnostic {
            file: files.name(site.file).to_string(),
            line: site.line,
            column: site.column,
            message: format!("{message} at {}", files.render_site(site)),
        }
    }

    /// `file:line:col`.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}\n  --> {}", self.message, self.location())
    }
}

/// Renders diagnostics, one block per diagnostic.
pub fn render_diagnostics(diags: &[Diagnostic]) -> String {
    diags.iter().map(|d| format!("{d}\n")).collect()
}

/// The one-line message of a trap (without locations of other sites).
pub fn trap_message(t: &Trap) -> String {
    match t {
        Trap::NullDeref { addr, .. } => format!("null pointer dereference (address {addr})"),
        Trap::InvalidAddress { addr, .. } => format!("access through invalid pointer {addr}"),
        Trap::UseAfterFree { addr, label, .. } => {
            format!("use after free of `{label}` (address {addr})")
        }
        Trap::OutOfBounds {
            addr,
            len,
            size,
            label,
            ..
        } => format!(
            "out-of-bounds access of {len} byte(s) at offset {} of `{label}` (size {size})",
            addr.offset()
        ),
        Trap::DoubleFree { label, .. } => format!("double free of `{label}`"),
        Trap::InvalidFree { addr, .. } => format!("free of invalid pointer {addr}"),
        Trap::AllocFailed { size, .. } => format!("allocation of {size} bytes failed"),
        Trap::DivByZero { .. } => "integer division by zero".to_string(),
        Trap::StepLimit { limit, .. } => {
            format!("step limit of {limit} exceeded (infinite loop?)")
        }
        Trap::DepthLimit { limit, .. } => {
            format!("call depth limit of {limit} exceeded (unbounded recursion?)")
        }
        Trap::BadFunctionPointer { addr, .. } => {
            format!("call through non-function pointer {addr}")
        }
        Trap::UnknownFunction { name, .. } => format!("call to unknown function `{name}`"),
        Trap::Unsupported { what, .. } => format!("unsupported: {what}"),
        Trap::Env { .. } => "aborted by the environment".to_string(),
    }
}

/// Renders a trap with all the sites it carries.
pub fn render_trap(t: &Trap, files: &Files) -> String {
    let mut s = format!(
        "error: {}\n  --> {}",
        trap_message(t),
        files.render_site(t.site())
    );
    let mut note = |what: &str, site: Site| {
        s.push_str(&format!(
            "\n  = note: {what} at {}",
            files.render_site(site)
        ));
    };
    match t {
        Trap::UseAfterFree {
            alloc_site,
            free_site,
            ..
        }
        | Trap::DoubleFree {
            alloc_site,
            free_site,
            ..
        } => {
            note("allocated", *alloc_site);
            note("freed", *free_site);
        }
        Trap::OutOfBounds { alloc_site, .. } => note("allocated", *alloc_site),
        _ => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Addr;

    #[test]
    fn renders_diagnostic_and_trap() {
        let mut files = Files::new();
        let f = files.add("foo.c");
        let d = Diagnostic::new(
            &files,
            Site::new(f, 12, 5),
            "unsupported C construct `goto`",
        );
        assert_eq!(d.message, "unsupported C construct `goto` at foo.c:12:5");
        assert_eq!(
            d.to_string(),
            "error: unsupported C construct `goto` at foo.c:12:5\n  --> foo.c:12:5"
        );
        let t = Trap::UseAfterFree {
            addr: Addr::new(1, 0),
            label: "priv".into(),
            alloc_site: Site::new(f, 1, 1),
            free_site: Site::new(f, 2, 3),
            site: Site::new(f, 4, 9),
        };
        assert_eq!(
            render_trap(&t, &files),
            "error: use after free of `priv` (address 0x100000000)\n  --> foo.c:4:9\n  = note: allocated at foo.c:1:1\n  = note: freed at foo.c:2:3"
        );
        assert_eq!(
            render_diagnostics(std::slice::from_ref(&d)),
            format!("{d}\n")
        );
    }
}
