//! Interned names: resources, steps and labels that repeat share one string,
//! and records that name something hold a 4-byte [`NameId`].

use rustc_hash::FxHashMap;

/// A name interned in a model's [`Names`]; [`crate::Kernel::name`] gives
/// its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NameId(u32);

/// The names handed out so far: [`Names::intern`] returns the same
/// [`NameId`] for equal strings, so a run that adds 100,000 actions named
/// `bulk_action` stores that text once and each action 4 bytes.
///
/// Names read from C string literals are also remembered by address: a
/// literal passed on every call (`devm_add_action_or_reset()`'s `#action`)
/// is found again without hashing its text.
#[derive(Debug, Default, Clone)]
pub struct Names {
    texts: Vec<Box<str>>,
    ids: FxHashMap<Box<str>, NameId>,
    literals: FxHashMap<u64, NameId>,
}

impl Names {
    /// The id of the name `s`.
    pub fn intern(&mut self, s: &str) -> NameId {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        let id = NameId(self.texts.len() as u32);
        self.texts.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    /// The text of `id` (empty for an id of another model).
    pub fn get(&self, id: NameId) -> &str {
        self.texts.get(id.0 as usize).map_or("", |t| t)
    }

    /// The name last read from the literal at `addr`, if any. The caller
    /// checks it against the literal's bytes: a literal C code wrote to
    /// (undefined behaviour, but possible here) must read as its new text.
    pub fn literal(&self, addr: u64) -> Option<NameId> {
        self.literals.get(&addr).copied()
    }

    /// The name of the C string `bytes` read from the literal at `addr`,
    /// remembered for [`Names::literal`].
    pub fn remember_literal(&mut self, addr: u64, bytes: &[u8]) -> NameId {
        let id = self.intern(&String::from_utf8_lossy(bytes));
        self.literals.insert(addr, id);
        id
    }
}

/// What a model API accepts as a name: text (interned on the way in) or a
/// name already interned, such as one read from a C literal.
pub trait IntoName {
    /// The interned name.
    fn into_name(self, names: &mut Names) -> NameId;
}

impl IntoName for NameId {
    fn into_name(self, _: &mut Names) -> NameId {
        self
    }
}

impl IntoName for &str {
    fn into_name(self, names: &mut Names) -> NameId {
        names.intern(self)
    }
}

impl IntoName for &&str {
    fn into_name(self, names: &mut Names) -> NameId {
        names.intern(self)
    }
}

impl IntoName for &String {
    fn into_name(self, names: &mut Names) -> NameId {
        names.intern(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_have_one_id() {
        let mut names = Names::default();
        let a = names.intern("bulk_action");
        assert_eq!(a, names.intern(&String::from("bulk_action")));
        assert_ne!(a, names.intern("other"));
        assert_eq!(a, names.remember_literal(64, b"bulk_action"));
        assert_eq!(names.get(a), "bulk_action");
    }

    #[test]
    fn a_literal_is_remembered_by_address() {
        let mut names = Names::default();
        assert_eq!(names.literal(64), None);
        let first = names.remember_literal(64, b"probe");
        assert_eq!(names.literal(64), Some(first));
        assert_eq!(first, names.intern("probe"));
        let changed = names.remember_literal(64, b"prob\xff");
        assert_eq!(names.get(changed), "prob\u{fffd}");
        assert_eq!(names.literal(64), Some(changed));
        assert_eq!(names.literal(72), None);
    }
}
