//! The Graphviz format: per case, a cluster with the objects as nodes and
//! the references still held at the case's end as labelled edges (holder →
//! object). Leaked objects are red, freed ones grey and dashed, pseudo-nodes
//! (test code, bus and class lists) ellipses; cycle edges are red and bold.

use crate::explanation::{CaseReport, Explanation, GraphNode, NodeState};
use std::fmt::Write;

/// Renders the explanation as one `digraph`.
pub fn render(e: &Explanation) -> String {
    let mut out = String::from("digraph devlife {\n");
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, fontname=\"monospace\", label={}];",
        quote(&format!("devlife, kernel {}", e.kernel))
    );
    out.push_str("  node [shape=box, fontname=\"monospace\"];\n");
    out.push_str("  edge [fontname=\"monospace\", fontsize=10];\n");
    for (i, case) in e.cases.iter().enumerate() {
        cluster(&mut out, i, case);
    }
    out.push_str("}\n");
    out
}

fn cluster(out: &mut String, i: usize, c: &CaseReport) {
    let _ = writeln!(out, "  subgraph cluster_{i} {{");
    let _ = writeln!(
        out,
        "    label={};",
        quote(&format!("{}.{} ({})", c.suite, c.case, c.status.as_str()))
    );
    for n in &c.graph.nodes {
        let _ = writeln!(out, "    {} [{}];", node_id(i, &n.key), node_attrs(n));
    }
    for e in &c.graph.edges {
        let (Some(a), Some(b)) = (c.graph.nodes.get(e.from), c.graph.nodes.get(e.to)) else {
            continue;
        };
        let style = if e.in_cycle {
            ", color=red, fontcolor=red, penwidth=2, style=bold"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    {} -> {} [label={}{style}];",
            node_id(i, &a.key),
            node_id(i, &b.key),
            quote(&e.label)
        );
    }
    out.push_str("  }\n");
}

fn node_id(case: usize, key: &str) -> String {
    quote(&format!("c{case}_{key}"))
}

fn node_attrs(n: &GraphNode) -> String {
    let label = match (n.state, n.refcount) {
        (NodeState::Leaked, Some(c)) => format!("{}\\nrefcount {c}, leaked", escape(&n.label)),
        (NodeState::Live, Some(c)) => format!("{}\\nrefcount {c}", escape(&n.label)),
        (NodeState::Freed, _) => format!("{}\\nfreed", escape(&n.label)),
        _ => escape(&n.label),
    };
    let style = match n.state {
        NodeState::Leaked => ", color=red",
        NodeState::Live => "",
        NodeState::Freed => ", color=grey, fontcolor=grey, style=dashed",
        NodeState::Pseudo => ", shape=ellipse, style=dashed",
    };
    format!("label=\"{label}\"{style}")
}

/// A DOT string literal.
fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// Escapes quotes, backslashes and newlines for a DOT string.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }
}
