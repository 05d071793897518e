//! Serializes hash maps in key order, so that a saved [`crate::Library`] is
//! the same bytes for the same library on every build and machine.

use std::collections::HashMap;
use std::hash::BuildHasher;

use serde::ser::{Serialize, Serializer};

/// `serialize_with` helper: the map's entries, sorted by key.
pub(crate) fn map<K, V, H, S>(map: &HashMap<K, V, H>, serializer: S) -> Result<S::Ok, S::Error>
where
    K: Ord + Serialize,
    V: Serialize,
    H: BuildHasher,
    S: Serializer,
{
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    serializer.collect_map(entries)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    #[derive(serde::Serialize)]
    struct Holder {
        #[serde(serialize_with = "super::map")]
        m: HashMap<String, u32>,
    }

    #[test]
    fn same_entries_give_same_bytes_whatever_the_insertion_order() {
        let names: Vec<String> = (0..200).map(|i| format!("n{i}")).collect();
        let forward: HashMap<String, u32> = names.iter().cloned().zip(0..200).collect();
        let backward: HashMap<String, u32> = names.iter().cloned().zip(0..200).rev().collect();
        let a = postcard::to_allocvec(&Holder { m: forward }).expect("serializes");
        let b = postcard::to_allocvec(&Holder { m: backward }).expect("serializes");
        assert_eq!(a, b);
    }
}
