//! Trims the prelude to what a file can reach before it is parsed.
//!
//! Most of the prelude is one-line function prototypes; a test file uses a
//! few of them. Parsing and lowering the rest costs most of a small file's
//! run time, so the prototypes of functions the file cannot reach are
//! blanked (lines are kept, so diagnostics still point at the right line).
//! Reachable means: named in the file, in a kept prelude line (structures,
//! inline functions), or in the body of a macro that is itself reachable.
//! Over-approximating is harmless; only prototypes are ever dropped.

use rustc_hash::{FxHashMap, FxHashSet};

/// Identifiers in `text` (comments and literals are not skipped: a name
/// there only keeps a prototype that could have gone).
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    std::iter::from_fn(move || loop {
        let start = at + bytes.get(at..)?.iter().position(|&b| word(b))?;
        let len = bytes[start..].iter().position(|&b| !word(b));
        at = len.map_or(bytes.len(), |n| start + n);
        // Both ends sit next to ASCII bytes, so they are char boundaries.
        let w = &text[start..at];
        if !w.starts_with(|c: char| c.is_ascii_digit()) {
            return Some(w);
        }
    })
}

/// The function a one-line prototype declares, if `line` is one.
fn prototype_name(line: &str) -> Option<&str> {
    let line = line.trim_end();
    if !line.ends_with(");")
        || line.starts_with(['#', ' ', '\t', '/', '*', '}'])
        || line.contains('{')
    {
        return None;
    }
    if line.starts_with("typedef") || line.starts_with("struct") && !line.contains('(') {
        return None;
    }
    let head = &line[..line.find('(')?];
    let name = head
        .trim_end()
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()?;
    (!name.is_empty() && !head.contains('(')).then_some(name)
}

/// The prelude with unreachable prototypes blanked.
pub fn prune_prelude(prelude: &str, file: &str) -> String {
    let lines: Vec<&str> = prelude.lines().collect();
    let mut macros: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    let mut prototypes: Vec<Option<&str>> = vec![None; lines.len()];
    let mut used: FxHashSet<&str> = identifiers(file).collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(def) = line.trim_start().strip_prefix("#define") {
            let name = identifiers(def).next().unwrap_or_default();
            let body = macros.entry(name).or_default();
            let mut j = i;
            loop {
                body.extend(identifiers(lines[j]));
                if !lines[j].trim_end().ends_with('\\') || j + 1 >= lines.len() {
                    break;
                }
                j += 1;
            }
            i = j + 1;
            continue;
        }
        match prototype_name(line) {
            Some(name) => prototypes[i] = Some(name),
            None => used.extend(identifiers(line)),
        }
        i += 1;
    }
    close_over_macros(&mut used, &macros);
    lines
        .iter()
        .zip(&prototypes)
        .map(|(line, proto)| match proto {
            Some(name) if !used.contains(name) => "",
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adds the identifiers of every reachable macro's body, to a fixed point.
fn close_over_macros<'a>(used: &mut FxHashSet<&'a str>, macros: &FxHashMap<&'a str, Vec<&'a str>>) {
    let mut pending: Vec<&str> = used.iter().copied().collect();
    while let Some(name) = pending.pop() {
        if let Some(body) = macros.get(name) {
            for id in body {
                if used.insert(id) {
                    pending.push(id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prototypes_are_recognised() {
        assert_eq!(
            prototype_name("void put_device(struct device *dev);"),
            Some("put_device")
        );
        assert_eq!(
            prototype_name("struct device *get_device(struct device *dev);"),
            Some("get_device")
        );
        assert_eq!(prototype_name("#define X(a) f(a);"), None);
        assert_eq!(
            prototype_name("static inline int f(void) { return 0; }"),
            None
        );
        assert_eq!(prototype_name("typedef void (*cb_t)(void *);"), None);
        assert_eq!(prototype_name("\tint x;"), None);
    }

    #[test]
    fn unreachable_prototypes_go_and_reachable_ones_stay() {
        let prelude = "void a(void);\nvoid b(void);\nvoid __c(int);\n#define c(x) __c(x)\nvoid d(void);\nstatic inline void e(void) { d(); }";
        let out = prune_prelude(prelude, "int main() { a(); c(1); }");
        assert_eq!(out, "void a(void);\n\nvoid __c(int);\n#define c(x) __c(x)\nvoid d(void);\nstatic inline void e(void) { d(); }");
    }

    #[test]
    fn the_real_prelude_keeps_its_line_count() {
        let out = prune_prelude(crate::prelude::TEXT, "");
        assert_eq!(out.lines().count(), crate::prelude::TEXT.lines().count());
        assert!(out.len() < crate::prelude::TEXT.len());
    }
}
