//! The reference graph at the case's end and the cycles among leaked
//! objects: an edge A → B says A holds a reference on B (through a managed
//! action, a child link, a list node, an open file...). A cycle of such
//! edges among leaked objects is why none of them is ever released.

use crate::describe::{Ctx, Owner};
use crate::explanation::{Cycle, CycleLink, GraphEdge, GraphNode, NodeState, RefGraph};
use crate::leaks::is_leaked;
use crate::replay::Replay;
use devlife_model::ObjId;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};

/// At most this many cycles are reported per case.
const MAX_CYCLES: usize = 32;
/// At most this many search steps are spent finding them.
const SEARCH_BUDGET: usize = 100_000;

/// The graph and its cycles.
pub(crate) struct Analysis {
    /// The reference graph.
    pub graph: RefGraph,
    /// The elementary cycles among leaked objects.
    pub cycles: Vec<Cycle>,
    /// The objects of each cycle.
    pub members: Vec<BTreeSet<ObjId>>,
}

/// One reference still held at the end.
struct RawEdge {
    from: Owner,
    to: ObjId,
    label: String,
    breaker: Option<String>,
}

/// Builds the reference graph over the leaked objects, their holders and
/// the tracked `columns`, and finds its cycles.
pub(crate) fn analyse(
    ctx: &Ctx<'_>,
    replay: &Replay<'_>,
    created: &[ObjId],
    columns: &[ObjId],
) -> Analysis {
    let leaked: Vec<ObjId> = created
        .iter()
        .copied()
        .filter(|o| is_leaked(ctx, replay, *o))
        .collect();
    let raw = raw_edges(ctx, replay, &leaked);
    let mut owners: BTreeSet<Owner> = columns.iter().map(|c| Owner::Obj(*c)).collect();
    owners.extend(leaked.iter().map(|o| Owner::Obj(*o)));
    owners.extend(raw.iter().map(|e| e.from));
    let mut g: DiGraph<Owner, usize> = DiGraph::new();
    let index: BTreeMap<Owner, NodeIndex> = owners.iter().map(|o| (*o, g.add_node(*o))).collect();
    let mut edges: Vec<GraphEdge> = Vec::new();
    let mut position = BTreeMap::new();
    for (i, e) in raw.iter().enumerate() {
        let (Some(&a), Some(&b)) = (index.get(&e.from), index.get(&Owner::Obj(e.to))) else {
            continue;
        };
        g.add_edge(a, b, i);
        position.insert(i, edges.len());
        edges.push(GraphEdge {
            from: a.index(),
            to: b.index(),
            label: e.label.clone(),
            in_cycle: false,
        });
    }
    let leaked_set: BTreeSet<ObjId> = leaked.iter().copied().collect();
    let found = find_cycles(&g, &leaked_set);
    let mut cycles = Vec::new();
    let mut members = Vec::new();
    for path in found {
        for e in &path {
            if let Some(edge) = position.get(e).and_then(|p| edges.get_mut(*p)) {
                edge.in_cycle = true;
            }
        }
        let (cycle, objs) = describe_cycle(ctx, &raw, &path);
        cycles.push(cycle);
        members.push(objs);
    }
    let nodes = owners
        .iter()
        .map(|o| node(ctx, replay, *o, &leaked_set))
        .collect();
    Analysis {
        graph: RefGraph { nodes, edges },
        cycles,
        members,
    }
}

fn raw_edges(ctx: &Ctx<'_>, replay: &Replay<'_>, leaked: &[ObjId]) -> Vec<RawEdge> {
    let mut out = Vec::new();
    // References alike (a loop's million get_device() calls) are one edge.
    let mut seen: BTreeSet<(Owner, ObjId, String)> = BTreeSet::new();
    for &obj in leaked {
        for r in &replay.obj(obj).refs {
            let Some(s) = replay.reference(*r) else {
                continue;
            };
            let from = ctx.owner(s.holder);
            let label = ctx.holder_short(obj, &s);
            if !seen.insert((from, obj, label.clone())) {
                continue;
            }
            out.push(RawEdge {
                from,
                to: obj,
                label,
                breaker: ctx.breaker(obj, s.holder),
            });
        }
    }
    out
}

fn node(ctx: &Ctx<'_>, replay: &Replay<'_>, owner: Owner, leaked: &BTreeSet<ObjId>) -> GraphNode {
    let (state, refcount) = match owner {
        Owner::Obj(o) => {
            let s = replay.obj(o);
            if leaked.contains(&o) {
                (NodeState::Leaked, Some(s.count))
            } else if s.is_alive() {
                (NodeState::Live, Some(s.count))
            } else {
                (NodeState::Freed, None)
            }
        }
        _ => (NodeState::Pseudo, None),
    };
    GraphNode {
        key: Ctx::owner_key(owner),
        label: ctx.owner_label(owner),
        state,
        refcount,
    }
}

/// Every elementary cycle among leaked objects, as lists of edge weights
/// (indices into the raw edges), each starting at its smallest object.
fn find_cycles(g: &DiGraph<Owner, usize>, leaked: &BTreeSet<ObjId>) -> Vec<Vec<usize>> {
    let is_leaked = |n: NodeIndex| matches!(g[n], Owner::Obj(o) if leaked.contains(&o));
    let mut sub: DiGraph<NodeIndex, usize> = DiGraph::new();
    let mut map = BTreeMap::new();
    for n in g.node_indices().filter(|n| is_leaked(*n)) {
        map.insert(n, sub.add_node(n));
    }
    for e in g.edge_indices() {
        let Some((a, b)) = g.edge_endpoints(e) else {
            continue;
        };
        if let (Some(&x), Some(&y)) = (map.get(&a), map.get(&b)) {
            sub.add_edge(x, y, g[e]);
        }
    }
    let mut sccs = tarjan_scc(&sub);
    sccs.iter_mut().for_each(|c| c.sort());
    sccs.sort();
    let mut out = Vec::new();
    let mut budget = SEARCH_BUDGET;
    for scc in sccs {
        let allowed: BTreeSet<usize> = scc.iter().map(|n| n.index()).collect();
        let succ = successors(&sub, &allowed);
        for s in &allowed {
            cycles_from(*s, &succ, &allowed, &mut budget, &mut out);
        }
    }
    out
}

/// Each node's distinct successors inside `allowed`, with the first edge to each.
fn successors(
    sub: &DiGraph<NodeIndex, usize>,
    allowed: &BTreeSet<usize>,
) -> BTreeMap<usize, Vec<(usize, usize)>> {
    let mut succ: BTreeMap<usize, BTreeMap<usize, usize>> = BTreeMap::new();
    for e in sub.edge_indices() {
        let Some((a, b)) = sub.edge_endpoints(e) else {
            continue;
        };
        if allowed.contains(&a.index()) && allowed.contains(&b.index()) {
            let w = sub[e];
            let slot = succ
                .entry(a.index())
                .or_default()
                .entry(b.index())
                .or_insert(w);
            *slot = (*slot).min(w);
        }
    }
    succ.into_iter()
        .map(|(a, m)| (a, m.into_iter().collect()))
        .collect()
}

/// The elementary cycles through `s` whose other nodes are all greater than
/// `s`, found by an iterative depth-first walk.
fn cycles_from(
    s: usize,
    succ: &BTreeMap<usize, Vec<(usize, usize)>>,
    allowed: &BTreeSet<usize>,
    budget: &mut usize,
    out: &mut Vec<Vec<usize>>,
) {
    let mut stack: Vec<(usize, usize)> = vec![(s, 0)];
    let mut on_path: BTreeSet<usize> = BTreeSet::from([s]);
    let mut path: Vec<usize> = Vec::new();
    while let Some(top) = stack.last_mut() {
        if *budget == 0 || out.len() >= MAX_CYCLES {
            return;
        }
        *budget -= 1;
        let (n, i) = (top.0, top.1);
        let Some(&(m, e)) = succ.get(&n).and_then(|l| l.get(i)) else {
            stack.pop();
            on_path.remove(&n);
            if !stack.is_empty() {
                path.pop();
            }
            continue;
        };
        top.1 += 1;
        if m == s {
            let mut cycle = path.clone();
            cycle.push(e);
            out.push(cycle);
        } else if m > s && allowed.contains(&m) && on_path.insert(m) {
            path.push(e);
            stack.push((m, 0));
        }
    }
}

fn describe_cycle(ctx: &Ctx<'_>, raw: &[RawEdge], path: &[usize]) -> (Cycle, BTreeSet<ObjId>) {
    let mut objects = Vec::new();
    let mut links = Vec::new();
    let mut members = BTreeSet::new();
    let mut broken_by: Vec<String> = Vec::new();
    for e in path.iter().filter_map(|i| raw.get(*i)) {
        if let Some(b) = e.breaker.as_ref().filter(|b| !broken_by.contains(b)) {
            broken_by.push(b.clone());
        }
        let from = match e.from {
            Owner::Obj(o) => {
                members.insert(o);
                ctx.label(o)
            }
            other => ctx.owner_label(other),
        };
        objects.push(from.clone());
        links.push(CycleLink {
            from,
            to: ctx.label(e.to),
            via: e.label.clone(),
        });
    }
    let cycle = Cycle {
        objects,
        links,
        broken_by,
    };
    (cycle, members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn succ(edges: &[(usize, usize)]) -> BTreeMap<usize, Vec<(usize, usize)>> {
        let mut m: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for (i, (a, b)) in edges.iter().enumerate() {
            m.entry(*a).or_default().push((*b, i));
        }
        m
    }

    #[test]
    fn finds_each_elementary_cycle_once() {
        // 0 ⇄ 1, 1 ⇄ 2, and 0 → 2 → 0 through 1? no: 2 → 0 directly.
        let edges = [(0, 1), (1, 0), (1, 2), (2, 1), (2, 0)];
        let s = succ(&edges);
        let allowed: BTreeSet<usize> = [0, 1, 2].into();
        let mut out = Vec::new();
        let mut budget = 1000;
        for n in &allowed {
            cycles_from(*n, &s, &allowed, &mut budget, &mut out);
        }
        assert_eq!(out, vec![vec![0, 1], vec![0, 2, 4], vec![2, 3]]);
    }

    #[test]
    fn budget_bounds_the_search() {
        let edges: Vec<(usize, usize)> = (0..6)
            .flat_map(|a| (0..6).map(move |b| (a, b)))
            .filter(|(a, b)| a != b)
            .collect();
        let s = succ(&edges);
        let allowed: BTreeSet<usize> = (0..6).collect();
        let mut out = Vec::new();
        let mut budget = 50;
        cycles_from(0, &s, &allowed, &mut budget, &mut out);
        assert_eq!(budget, 0);
        assert!(out.len() < MAX_CYCLES);
    }
}
