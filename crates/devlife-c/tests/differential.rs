//! The parser's tree against tree-sitter-c's, on the code devlife runs.
//!
//! devlife parsed with tree-sitter-c before it had its own parser, and the
//! lowerer was written against tree-sitter-c's tree; the parser builds the
//! same shape. For each file below, the preprocessed tokens are parsed by
//! both (tree-sitter-c reads them rendered as text, one token per word),
//! and the trees must agree node for node: kind, field, and the tokens each
//! node spans. tree-sitter-c's nodes inside a literal (`string_content`,
//! `escape_sequence`) are below token granularity and are not compared.
//!
//! Where tree-sitter-c has to guess what a name is, the parser knows, and
//! the trees differ on purpose. Those differences are listed in
//! [`ALLOWED`], each with its reason; any other difference fails the test.

mod common;

use std::collections::BTreeMap;

use common::{kernel_file, workspace_root, KERNEL_FILES, KERNEL_PRELUDE};
use devlife_c::pp::preprocess;
use devlife_c::syntax::{parse, Kind, Node, Tokens};
use devlife_c::{Files, Source};

/// A node of either tree, reduced to what is compared.
#[derive(Debug)]
struct Cst {
    /// Kind (for an anonymous token with a field: its text).
    kind: String,
    field: Option<&'static str>,
    /// Token span.
    first: usize,
    end: usize,
    kids: Vec<Cst>,
}

/// A deliberate difference: tree-sitter-c's node and the parser's at the
/// same place; `matches` recognizes it.
struct Allowed {
    name: &'static str,
    reason: &'static str,
    matches: fn(ts: &Cst, ours: &Cst) -> bool,
}

/// A parenthesized name: `( identifier )`.
fn paren_name(n: &Cst) -> bool {
    n.kind == "parenthesized_expression" && n.kids.len() == 1 && n.kids[0].kind == "identifier"
}

/// A type name that is one type identifier: `type_descriptor(type_identifier)`.
fn type_name(n: &Cst) -> bool {
    n.kind == "type_descriptor" && n.kids.len() == 1 && n.kids[0].kind == "type_identifier"
}

/// Whether `n` or a node below it satisfies `f`.
fn any(n: &Cst, f: &dyn Fn(&Cst) -> bool) -> bool {
    f(n) || n.kids.iter().any(|k| any(k, f))
}

/// The parser's casts to a lone typedef name in `ours`, each with a
/// parenthesized name at the same place in `ts` (`shape` says which).
fn typedef_casts(ts: &Cst, ours: &Cst, shape: fn(&Cst) -> bool) -> bool {
    ts.first == ours.first
        && ts.end == ours.end
        && any(ours, &|c| {
            c.kind == "cast_expression"
                && c.kids.first().is_some_and(type_name)
                && any(ts, &|t| t.first == c.first && shape(t))
        })
}

/// The deliberate differences. A cast changes the shape of the expression
/// around it (tree-sitter-c reads `a + (T) - 1` as `(a + (T)) - 1`), so a
/// difference is recognized at the smallest node where the trees differ;
/// the first difference that matches names it.
const ALLOWED: &[Allowed] = &[
    Allowed {
        name: "cast of a parenthesized operand to a typedef name",
        reason: "`(T)(x)`: tree-sitter-c reads a call of a parenthesized name; the parser \
                 knows `T` is a typedef name and reads a cast",
        matches: |ts, ours| {
            typedef_casts(ts, ours, |t| {
                t.kind == "call_expression" && t.kids.first().is_some_and(paren_name)
            })
        },
    },
    Allowed {
        name: "cast of a unary operand to a typedef name",
        reason: "`(T) -x`: tree-sitter-c cannot know that `T` is a type and reads a \
                 subtraction from a parenthesized name; the parser knows the typedef \
                 names in scope and reads a cast",
        matches: |ts, ours| typedef_casts(ts, ours, paren_name),
    },
    Allowed {
        name: "sizeof of a typedef name",
        reason: "`sizeof(T)`: tree-sitter-c reads the size of a parenthesized expression; \
                 the parser knows `T` is a typedef name and reads the size of a type",
        matches: |ts, ours| {
            ts.kind == "sizeof_expression"
                && ts.kids.first().is_some_and(paren_name)
                && ours.kind == "sizeof_expression"
                && ours.kids.first().is_some_and(type_name)
        },
    },
    Allowed {
        name: "multiplication statement",
        reason: "`a * b;` in a block where `a` is not a typedef name: tree-sitter-c guesses \
                 a declaration of `b` with an unknown type; the parser reads a \
                 multiplication, as C does",
        matches: |ts, ours| {
            ts.kind == "declaration"
                && ours.kind == "expression_statement"
                && ours
                    .kids
                    .first()
                    .is_some_and(|e| e.kind == "binary_expression")
        },
    },
];

fn ours(n: Node<'_>, tokens: &Tokens) -> Cst {
    let r = n.token_range();
    let kind = match n.kind() {
        Kind::Token => n.text().to_string(),
        k => k.name().to_string(),
    };
    let _ = tokens;
    Cst {
        kind,
        field: n.field().name(),
        first: r.start,
        end: r.end,
        kids: n.children().map(|c| ours(c, tokens)).collect(),
    }
}

/// tree-sitter-c's tree over the rendered tokens, in token indices.
fn theirs(n: tree_sitter::Node<'_>, field: Option<&'static str>, starts: &[u32]) -> Cst {
    let tok = |b: usize| {
        starts
            .partition_point(|&s| s as usize <= b)
            .saturating_sub(1)
    };
    let (first, end) = if n.start_byte() == n.end_byte() {
        let t = starts.partition_point(|&s| (s as usize) < n.start_byte());
        (t, t)
    } else {
        (tok(n.start_byte()), tok(n.end_byte() - 1) + 1)
    };
    let mut kids = Vec::new();
    if !matches!(n.kind(), "string_literal" | "char_literal") {
        let mut c = n.walk();
        for (i, k) in n.children(&mut c).enumerate() {
            let f = n.field_name_for_child(i as u32);
            if (k.is_named() || f.is_some()) && k.kind() != "comment" {
                kids.push(theirs(k, f, starts));
            }
        }
    }
    Cst {
        kind: n.kind().to_string(),
        field,
        first,
        end,
        kids,
    }
}

/// The outcome of comparing one file.
#[derive(Default)]
struct Report {
    nodes: usize,
    allowed: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

fn same(a: &Cst, b: &Cst) -> bool {
    a.kind == b.kind && a.field == b.field && a.first == b.first && a.end == b.end
}

fn compare(ts: &Cst, ours: &Cst, text: &str, starts: &[u32], r: &mut Report) {
    if r.failures.len() >= 5 {
        return;
    }
    let shallow = same(ts, ours) && ts.kids.len() == ours.kids.len();
    if !shallow || !ts.kids.iter().zip(&ours.kids).all(|(a, b)| same(a, b)) {
        if let Some(a) = ALLOWED.iter().find(|a| (a.matches)(ts, ours)) {
            *r.allowed.entry(a.name).or_default() += 1;
            return;
        }
    }
    if !shallow || ts.kids.len() != ours.kids.len() {
        let from = starts.get(ts.first.min(ours.first)).copied().unwrap_or(0) as usize;
        let to = starts
            .get(ts.end.max(ours.end))
            .copied()
            .map_or(text.len(), |e| e as usize);
        let snippet: String = text.get(from..to).unwrap_or("").chars().take(300).collect();
        r.failures.push(format!(
            "at `{snippet}`:\n  tree-sitter-c: {}\n  parser:        {}",
            render(ts),
            render(ours)
        ));
        return;
    }
    r.nodes += 1;
    for (a, b) in ts.kids.iter().zip(&ours.kids) {
        compare(a, b, text, starts, r);
    }
}

/// A node and its children, one level deep.
fn render(n: &Cst) -> String {
    let one = |n: &Cst| {
        let f = n.field.map(|f| format!("{f}: ")).unwrap_or_default();
        format!("{f}{}[{}..{}]", n.kind, n.first, n.end)
    };
    let kids: Vec<String> = n.kids.iter().map(one).collect();
    format!("{} ({})", one(n), kids.join(", "))
}

/// Compares the two parsers on `sources` preprocessed as one unit.
fn check(sources: &[Source<'_>]) -> Result<Report, String> {
    let mut files = Files::new();
    let pp = preprocess(&mut files, sources);
    assert!(
        pp.errors.is_empty(),
        "preprocessing failed: {:?}",
        pp.errors
    );
    let tokens = Tokens::new(pp.tokens);
    let (text, starts) = tokens.render();
    let mut ts = tree_sitter::Parser::new();
    ts.set_language(&tree_sitter_c::LANGUAGE.into())
        .expect("tree-sitter-c loads");
    let ts_tree = ts.parse(&text, None).expect("tree-sitter parses");
    if ts_tree.root_node().has_error() {
        return Err("tree-sitter-c finds a syntax error".into());
    }
    let tree = parse(tokens, &|_| false).map_err(|e| format!("parse error: {e:?}"))?;
    let mut r = Report::default();
    let a = theirs(ts_tree.root_node(), None, &starts);
    let b = ours(tree.root(), tree.tokens());
    compare(&a, &b, &text, &starts, &mut r);
    Ok(r)
}

fn prelude() -> Source<'static> {
    Source::new("kernel.h", KERNEL_PRELUDE)
}

/// Test files of the CLI that are malformed on purpose.
const MALFORMED: &[&str] = &["malformed.c", "parser-blowup.c"];

#[test]
fn the_parser_builds_tree_sitter_cs_tree() {
    let mut inputs: Vec<(String, String)> = Vec::new();
    for path in KERNEL_FILES {
        inputs.push((path.to_string(), kernel_file(path)));
    }
    let root = workspace_root();
    let mut dirs: Vec<std::path::PathBuf> = vec![
        root.join("examples"),
        root.join("benches"),
        root.join("crates/devlife/tests/data"),
    ];
    dirs.sort();
    for dir in dirs {
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .expect("directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "c"))
            .collect();
        names.sort();
        for p in names {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if MALFORMED.contains(&name) {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("readable");
            inputs.push((p.display().to_string(), text));
        }
    }
    let mut total = Report::default();
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    match check(&[prelude()]) {
        Ok(r) => {
            lines.push(format!("{:>6} nodes  kernel.h (the prelude)", r.nodes));
            merge(&mut total, r, "kernel.h", &mut failures);
        }
        Err(e) => failures.push(format!("kernel.h: {e}")),
    }
    inputs.push((
        "tests/data/constructs.c".to_string(),
        include_str!("data/constructs.c").to_string(),
    ));
    for (name, text) in &inputs {
        match check(&[prelude(), Source::new(name, text)]) {
            Ok(r) => {
                lines.push(format!("{:>6} nodes  prelude + {name}", r.nodes));
                merge(&mut total, r, name, &mut failures);
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!("{}", lines.join("\n"));
    for (name, n) in &total.allowed {
        let reason = ALLOWED
            .iter()
            .find(|a| a.name == *name)
            .map_or("", |a| a.reason);
        println!("allowed: {name}: {n} ({reason})");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(total.nodes > 50_000, "compared {} nodes", total.nodes);
}

fn merge(total: &mut Report, r: Report, name: &str, failures: &mut Vec<String>) {
    total.nodes += r.nodes;
    for (k, v) in r.allowed {
        *total.allowed.entry(k).or_default() += v;
    }
    for f in r.failures {
        failures.push(format!("{name}: {f}"));
    }
}
