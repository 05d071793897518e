//! Library pruning: after preprocessing, the top-level declarations of the
//! *library* sources (an embedder's prelude) that nothing reaches are dropped
//! before parsing, so a file pays for the part of the prelude it uses.
//!
//! The token stream is split into top-level items (a declaration ending in
//! `;`, or a function definition ending in its closing `}`). Each library
//! item *defines* some names (a struct, union or enum tag followed by `{`,
//! enum constants, a typedef name, the declarator names of functions and
//! variables) and *uses* every identifier it contains. An item is kept when a
//! kept item, a non-library token or an embedder root uses a name it
//! defines. Over-approximating "defines" only keeps more; the compiler
//! retries without pruning if a pruned unit fails to compile, so a miss
//! can cost time but never change a verdict or a diagnostic.

use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::pp::{PpToken, TokKind};

/// One top-level item of the library: a token range and the names it defines.
struct Item<'t> {
    range: std::ops::Range<usize>,
    defines: Vec<&'t str>,
}

/// The tokens to parse: every non-library token, and the library items that
/// `roots` or the non-library tokens reach, in their original order.
/// Tokens whose site is in a file numbered below `library` are library tokens.
pub(crate) fn prune_library(tokens: Vec<PpToken>, library: u32, roots: &[&str]) -> Vec<PpToken> {
    let is_library = |t: &PpToken| t.site.file.0 < library;
    let items = split_items(&tokens, is_library);
    let keep = reachable(&tokens, &items, is_library, roots);
    let mut dropped = vec![false; tokens.len()];
    for (item, kept) in items.iter().zip(&keep) {
        if !kept {
            dropped[item.range.clone()].fill(true);
        }
    }
    tokens
        .into_iter()
        .zip(dropped)
        .filter_map(|(t, d)| (!d).then_some(t))
        .collect()
}

/// Splits the library's tokens into top-level items.
fn split_items<'t>(tokens: &'t [PpToken], is_library: impl Fn(&PpToken) -> bool) -> Vec<Item<'t>> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !is_library(&tokens[i]) {
            i += 1;
            continue;
        }
        let end = item_end(tokens, i, &is_library);
        items.push(Item {
            range: i..end,
            defines: defined_names(&tokens[i..end]),
        });
        i = end;
    }
    items
}

/// One past the last token of the item starting at `start`: its `;` at
/// nesting depth 0, or the `}` closing a function body.
fn item_end(tokens: &[PpToken], start: usize, is_library: impl Fn(&PpToken) -> bool) -> usize {
    let mut depth = 0usize;
    let mut assigned = false;
    let mut body_open = false;
    for (k, t) in tokens.iter().enumerate().skip(start) {
        if !is_library(t) {
            return k;
        }
        if t.kind != TokKind::Punct {
            continue;
        }
        match &*t.text {
            "(" | "[" => depth += 1,
            "{" => {
                if depth == 0 && !assigned && k > start && tokens[k - 1].is(")") {
                    body_open = true;
                }
                depth += 1;
            }
            ")" | "]" => depth = depth.saturating_sub(1),
            "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 && body_open {
                    return k + 1;
                }
            }
            "=" if depth == 0 => assigned = true,
            ";" if depth == 0 => return k + 1,
            _ => {}
        }
    }
    tokens.len()
}

/// The names an item defines (over-approximated).
fn defined_names(item: &[PpToken]) -> Vec<&str> {
    let mut out = Vec::new();
    let ident = |k: usize| item.get(k).filter(|t| t.kind == TokKind::Ident);
    let is = |k: usize, s: &str| item.get(k).is_some_and(|t| t.is(s));
    let typedef = is(0, "typedef");
    let mut depth = 0usize;
    let mut enum_body: Option<usize> = None;
    for (k, t) in item.iter().enumerate() {
        match t.kind {
            TokKind::Punct => match &*t.text {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => {
                    depth = depth.saturating_sub(1);
                    if enum_body == Some(depth) {
                        enum_body = None;
                    }
                }
                _ => {}
            },
            TokKind::Ident => {
                let name = &*t.text;
                if matches!(name, "struct" | "union" | "enum") {
                    if let Some(tag) = ident(k + 1).filter(|_| is(k + 2, "{")) {
                        out.push(&*tag.text);
                    }
                    if name == "enum" && (is(k + 1, "{") || is(k + 2, "{")) {
                        enum_body = Some(depth);
                    }
                    continue;
                }
                // An enum constant: first identifier of an enumerator.
                let in_enum = enum_body.is_some_and(|d| depth == d + 1);
                if in_enum && k > 0 && (is(k - 1, "{") || is(k - 1, ",")) {
                    out.push(name);
                }
                if declarator_name(item, k, depth, typedef) {
                    out.push(name);
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether the identifier at `k` names what a declaration declares: at
/// depth 0 before `(`, `;`, `,`, `=`, `[` or `)` (a function, a variable, a
/// typedef), or right after `(*` (a function pointer typedef or variable).
fn declarator_name(item: &[PpToken], k: usize, depth: usize, typedef: bool) -> bool {
    let next = item.get(k + 1);
    let next_is = |s: &str| next.is_some_and(|t| t.is(s));
    let after_star = k >= 2 && item[k - 1].is("*") && item[k - 2].is("(");
    if after_star && next_is(")") {
        return true;
    }
    if depth != 0 {
        return false;
    }
    let follows = ["(", ";", ",", "=", "["].iter().any(|s| next_is(s));
    follows || (typedef && next.is_none())
}

/// Which items `roots` and the non-library tokens reach.
fn reachable(
    tokens: &[PpToken],
    items: &[Item<'_>],
    is_library: impl Fn(&PpToken) -> bool,
    roots: &[&str],
) -> Vec<bool> {
    let mut definers: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, item) in items.iter().enumerate() {
        for name in &item.defines {
            definers.entry(name).or_default().push(i);
        }
    }
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut queue: VecDeque<&str> = roots.iter().copied().collect();
    queue.extend(
        tokens
            .iter()
            .filter(|t| t.kind == TokKind::Ident && !is_library(t))
            .map(|t| &*t.text),
    );
    let mut keep = vec![false; items.len()];
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name) {
            continue;
        }
        for &i in definers.get(name).map_or(&[][..], Vec::as_slice) {
            if !keep[i] {
                keep[i] = true;
                queue.extend(
                    tokens[items[i].range.clone()]
                        .iter()
                        .filter(|t| t.kind == TokKind::Ident)
                        .map(|t| &*t.text),
                );
            }
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use crate::source::Files;
    use crate::Source;

    fn pruned(library: &str, user: &str, roots: &[&str]) -> String {
        let mut files = Files::new();
        let out = crate::pp::preprocess(
            &mut files,
            &[Source::new("lib.h", library), Source::new("user.c", user)],
        );
        let kept = super::prune_library(out.tokens, 1, roots);
        crate::parse::render(&kept).text.replace('\n', " ")
    }

    #[test]
    fn unreached_declarations_go_and_reached_ones_stay_in_order() {
        let lib =
            "struct a { int x; };\nstruct b { struct a a; };\nint f(struct b *);\nint g(void);\n";
        let out = pruned(lib, "int h(void) { return f(0); }", &[]);
        assert_eq!(
            out,
            "struct a { int x ; } ; struct b { struct a a ; } ; int f ( struct b * ) ; int h ( void ) { return f ( 0 ) ; }"
        );
    }

    #[test]
    fn roots_enum_constants_typedefs_and_function_pointers_are_found() {
        let lib = "enum e { A, B = 2 };\ntypedef int (*cb_t)(int);\ntypedef struct s { int v; } s_t;\nstatic inline int id(int x) { return x; }\nstruct unused { int u; };\n";
        let out = pruned(lib, "int k = B; cb_t c; s_t v;", &["id"]);
        assert!(out.contains("enum e"), "{out}");
        assert!(out.contains("cb_t"), "{out}");
        assert!(out.contains("s_t"), "{out}");
        assert!(out.contains("id ( int x ) { return x ; }"), "{out}");
        assert!(!out.contains("unused"), "{out}");
    }

    #[test]
    fn pruning_changes_neither_programs_nor_diagnostics() {
        let lib = Source::new(
            "lib.h",
            "struct a { int x; };\nint f(struct a *);\nint g(int);\n",
        );
        let opts = crate::Options {
            library: 1,
            roots: &[],
        };
        let good = [
            lib,
            Source::new("user.c", "int h(struct a *p) { return f(p); }"),
        ];
        let pruned = crate::compile_with(&good, &opts).expect("compiles");
        assert!(pruned.function("f").is_some() && pruned.function("g").is_none());
        let bad = [
            lib,
            Source::new("user.c", "int h(struct a *p) { return f(p) }"),
        ];
        let full = crate::compile(&bad).expect_err("syntax error");
        let with = crate::compile_with(&bad, &opts).expect_err("syntax error");
        let text = |d: &[crate::Diagnostic]| d.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        assert_eq!(text(&with), text(&full));
        assert!(text(&full)[0].contains("user.c:1:"), "{:?}", text(&full));
    }

    #[test]
    fn a_function_body_ends_its_item_and_an_initializer_does_not() {
        let lib = "int t[] = { 1, 2 };\nint u(void) { return 0; }\nint w;\n";
        let out = pruned(lib, "int z(void) { return t[0] + u(); }", &[]);
        assert!(
            out.starts_with("int t [ ] = { 1 , 2 } ; int u ( void ) { return 0 ; }"),
            "{out}"
        );
        assert!(!out.contains("int w"), "{out}");
    }
}
