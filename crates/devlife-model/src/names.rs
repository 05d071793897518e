//! Interned names: resources, steps and labels that repeat share one string.

use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;

/// A shared, immutable name. A model lives on one thread, so the count is
/// not atomic.
pub type Name = Rc<str>;

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
    /// The name [`Names::literal`] or [`Names::remember_literal`] returned last: interning its own
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
                return Rc::clone(last);
            }
        }
        if let Some(n) = self.set.get(s) {
            return Rc::clone(n);
        }
        let n: Name = Rc::from(s);
        self.set.insert(Rc::clone(&n));
        n
    }

    /// The name last read from the literal at `addr`, if any. The caller
    /// checks it against the literal's bytes: a literal C code wrote to
    /// (undefined behaviour, but possible here) must read as its new text.
    pub fn literal(&mut self, addr: u64) -> Option<Name> {
        let n = self.literals.get(&addr)?;
        self.last_literal = Some(Rc::clone(n));
        Some(Rc::clone(n))
    }

    /// The shared name of the C string `bytes` read from the literal at
    /// `addr`, remembered for [`Names::literal`].
    pub fn remember_literal(&mut self, addr: u64, bytes: &[u8]) -> Name {
        let n = self.intern(&String::from_utf8_lossy(bytes));
        self.literals.insert(addr, Rc::clone(&n));
        self.last_literal = Some(Rc::clone(&n));
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
        assert!(Rc::ptr_eq(&a, &b));
        assert!(!Rc::ptr_eq(&a, &names.intern("other")));
        assert!(Rc::ptr_eq(&a, &names.remember_literal(64, b"bulk_action")));
    }

    #[test]
    fn a_literal_is_remembered_by_address() {
        let mut names = Names::default();
        assert_eq!(names.literal(64), None);
        let first = names.remember_literal(64, b"probe");
        assert!(Rc::ptr_eq(&first, &names.literal(64).unwrap()));
        assert!(Rc::ptr_eq(&first, &names.intern(&first)));
        assert!(Rc::ptr_eq(&first, &names.intern("probe")));
        assert_eq!(&*names.remember_literal(64, b"prob\xff"), "prob\u{fffd}");
        assert_eq!(&*names.literal(64).unwrap(), "prob\u{fffd}");
        assert_eq!(names.literal(72), None);
    }
}
