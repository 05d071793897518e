//! Interned names: resources, steps and labels that repeat share one string.

use rustc_hash::FxHashSet;
use std::sync::Arc;

/// A shared, immutable name.
pub type Name = Arc<str>;

/// The set of names handed out so far; [`Names::intern`] returns the same
/// [`Name`] for equal strings, so a run that adds 100,000 actions named
/// `bulk_action` stores that text once.
#[derive(Debug, Default, Clone)]
pub struct Names {
    set: FxHashSet<Name>,
}

impl Names {
    /// The shared name equal to `s`.
    pub fn intern(&mut self, s: &str) -> Name {
        if let Some(n) = self.set.get(s) {
            return Arc::clone(n);
        }
        let n: Name = Arc::from(s);
        self.set.insert(Arc::clone(&n));
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
    }
}
