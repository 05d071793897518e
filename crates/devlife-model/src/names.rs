//! Interned names: resources, steps and labels that repeat share one string.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// A shared, immutable name.
pub type Name = Arc<str>;

/// The set of names handed out so far; [`Names::intern`] returns the same
/// [`Name`] for equal strings, so a run that adds 100,000 actions named
/// `bulk_action` stores that text once.
///
/// Names read from C string literals are also remembered by address: a
/// literal passed on every call (`devm_add_action_or_reset()`'s `#action`)
/// is found again without hashing its text.
#[derive(Debug, Default, Clone)]
pub struct Names {
    set: FxHashSet<Name>,
    literals: FxHashMap<u64, Name>,
    /// The name [`Names::intern_literal`] returned last: interning its own
    /// text again (the model stores the name a shim just read) is a pointer
    /// comparison.
    last_literal: Option<Name>,
}

impl Names {
    /// The shared name equal to `s`.
    pub fn intern(&mut self, s: &str) -> Name {
        if let Some(last) = &self.last_literal {
            // Interned text never moves or changes while the set holds it.
            if std::ptr::eq(last.as_ptr(), s.as_ptr()) && last.len() == s.len() {
                return Arc::clone(last);
            }
        }
        if let Some(n) = self.set.get(s) {
            return Arc::clone(n);
        }
        let n: Name = Arc::from(s);
        self.set.insert(Arc::clone(&n));
        n
    }

    /// The shared name of the C string `bytes` read from the literal at
    /// `addr`. Checked against the bytes, so a literal the C code wrote to
    /// (undefined behaviour, but possible here) still gets its current text.
    pub fn intern_literal(&mut self, addr: u64, bytes: &[u8]) -> Name {
        if let Some(n) = self.literals.get(&addr) {
            if n.as_bytes() == bytes {
                self.last_literal = Some(Arc::clone(n));
                return Arc::clone(n);
            }
        }
        let n = self.intern(&String::from_utf8_lossy(bytes));
        self.literals.insert(addr, Arc::clone(&n));
        self.last_literal = Some(Arc::clone(&n));
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_allocation() {
        let mut names = Names::default();
        let a = names.intern("bulk_action");
        let b = names.intern(&String::from("bulk_action"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &names.intern("other")));
        assert!(Arc::ptr_eq(&a, &names.intern_literal(64, b"bulk_action")));
    }

    #[test]
    fn a_literal_read_again_is_checked_against_its_bytes() {
        let mut names = Names::default();
        let first = names.intern_literal(64, b"probe");
        assert!(Arc::ptr_eq(&first, &names.intern_literal(64, b"probe")));
        assert!(Arc::ptr_eq(&first, &names.intern(&first)));
        assert!(Arc::ptr_eq(&first, &names.intern("probe")));
        assert_eq!(&*names.intern_literal(64, b"prob\xff"), "prob\u{fffd}");
        assert_eq!(&*names.intern_literal(64, b"remove"), "remove");
    }
}
