//! The HTML format: one self-contained page (inline CSS, no scripts, fonts
//! or anything else from the network) with, per case, the timeline of
//! steps, the refcount table with the holders of every cell, the reference
//! graph at the case's end drawn as inline SVG on a circle, then leaks,
//! cycles, unreleased resources and memory, and errors.

use crate::explanation::{
    CaseReport, ErrorReport, Explanation, GraphNode, NodeState, Origin, RefGraph, Table,
};
use std::f64::consts::PI;
use std::fmt::Write;

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:80em}\
h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em}\
h3{font-size:1.05em;margin-top:1.4em}\
code,pre,td.count{font-family:ui-monospace,monospace}\
table{border-collapse:collapse;margin:.5em 0}\
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}td.count{text-align:right}td.changed{background:#fff5d6;font-weight:bold}\
.status{display:inline-block;padding:0 .5em;border-radius:.3em;color:#fff;font-size:.85em}\
.pass{background:#2e7d32}.fail{background:#c62828}.skip{background:#777}\
ol.timeline li.kept{font-weight:bold}ol.timeline li span{color:#777;font-weight:normal}\
ul.holders{margin:.2em 0 .6em 1.2em;padding:0}ul.holders li.new{color:#1b5e20}\
.leak,.error,.resource{border-left:4px solid #c62828;padding:.3em .8em;margin:.6em 0;background:#fdf3f3}\
.resource{border-color:#ef6c00;background:#fff8ef}\
pre{margin:.2em 0;white-space:pre-wrap}svg{border:1px solid #ddd;background:#fff;max-width:100%}";

/// Renders the explanation as one HTML page.
pub fn render(e: &Explanation) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let title = format!("devlife explanation (kernel {})", e.kernel);
    let _ = writeln!(out, "<title>{}</title>", esc(&title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    for (i, case) in e.cases.iter().enumerate() {
        section(&mut out, i, case);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn section(out: &mut String, i: usize, c: &CaseReport) {
    let status = c.status.as_str();
    let _ = writeln!(
        out,
        "<section>\n<h2>{}.{} <span class=\"status {status}\">{status}</span></h2>",
        esc(&c.suite),
        esc(&c.case)
    );
    timeline(out, c);
    table(out, &c.table);
    holders(out, &c.table);
    out.push_str("<h3>References at the end</h3>\n");
    out.push_str(&svg(i, &c.graph));
    leaks(out, c);
    resources(out, c);
    errors(out, &c.errors);
    out.push_str("</section>\n");
}

fn timeline(out: &mut String, c: &CaseReport) {
    if c.timeline.is_empty() {
        return;
    }
    out.push_str("<h3>Timeline</h3>\n<ol class=\"timeline\">\n");
    let mut number = 1usize;
    let mut renumber = false;
    for s in &c.timeline {
        if s.summarized > 0 {
            let _ = writeln!(
                out,
                "<li class=\"elided\"><span>… {} more steps without a table row ({} events)</span></li>",
                s.summarized, s.events
            );
            number += s.summarized as usize;
            renumber = true;
            continue;
        }
        let value = if renumber {
            format!(" value=\"{number}\"")
        } else {
            String::new()
        };
        renumber = false;
        number += 1;
        let (class, note) = match s.row {
            Some(r) => (" class=\"kept\"", format!("row {}", r + 1)),
            None => ("", "no table row".to_string()),
        };
        let _ = writeln!(
            out,
            "<li{class}{value}>line {}: <code>{}()</code> <span>({} events, {note})</span></li>",
            s.line,
            esc(&s.call),
            s.events
        );
    }
    out.push_str("</ol>\n");
}

fn table(out: &mut String, t: &Table) {
    out.push_str("<h3>Refcounts</h3>\n");
    if t.columns.is_empty() {
        out.push_str("<p>No tracked objects.</p>\n");
        return;
    }
    out.push_str("<table>\n<tr><th>line</th><th>call</th>");
    for c in &t.columns {
        let _ = write!(out, "<th>{}</th>", esc(&c.label));
    }
    out.push_str("</tr>\n");
    let mut prev: Option<&crate::explanation::Row> = None;
    for row in &t.rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td>",
            row.line,
            esc(&row.call)
        );
        for (i, cell) in row.cells.iter().enumerate() {
            let before = prev.and_then(|p| p.cells.get(i)).map(|c| c.count);
            let class = if before == Some(cell.count) {
                "count"
            } else {
                "count changed"
            };
            let _ = write!(
                out,
                "<td class=\"{class}\" title=\"{}\">{}</td>",
                esc(&cell.holders.join("\n")),
                esc(&cell.count.text())
            );
        }
        out.push_str("</tr>\n");
        prev = Some(row);
    }
    out.push_str("</table>\n");
    let note = crate::text::hidden_note(t);
    if !note.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(note.trim_end()));
    }
}

fn holders(out: &mut String, t: &Table) {
    if t.rows.is_empty() {
        return;
    }
    out.push_str("<details open>\n<summary>Who holds each reference</summary>\n");
    for row in &t.rows {
        let _ = writeln!(
            out,
            "<p>After <code>{}()</code> (line {}):</p>",
            esc(&row.call),
            row.line
        );
        for (cell, col) in row.cells.iter().zip(&t.columns) {
            if cell.count == crate::explanation::Count::NotCreated {
                continue;
            }
            let _ = writeln!(
                out,
                "<div>{}: <b>{}</b></div>\n<ul class=\"holders\">",
                esc(&col.label),
                esc(&cell.count.text())
            );
            for h in &cell.holders {
                let class = if cell.taken.contains(h) {
                    " class=\"new\""
                } else {
                    ""
                };
                let _ = writeln!(out, "<li{class}>{}</li>", esc(h));
            }
            for r in &cell.returned {
                let _ = writeln!(out, "<li><s>{}</s> (returned)</li>", esc(r));
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str("</details>\n");
}

fn leaks(out: &mut String, c: &CaseReport) {
    if c.leaks.is_empty() && c.memory.is_empty() {
        out.push_str("<h3>Leaks</h3>\n<p>Nothing the case created outlived it.</p>\n");
        return;
    }
    out.push_str("<h3>Leaks</h3>\n");
    for l in &c.leaks {
        let _ = writeln!(
            out,
            "<div class=\"leak\"><b>{}</b> is never released (refcount {})\n<ul>",
            esc(&l.object),
            l.refcount
        );
        for h in &l.held_by {
            let _ = writeln!(
                out,
                "<li>held by {}<pre>--&gt; {}</pre>{}</li>",
                esc(&h.holder),
                esc(&h.taken.line()),
                esc(&h.returned_by)
            );
        }
        if l.more_held > 0 {
            let _ = writeln!(out, "<li>… and {} more references</li>", l.more_held);
        }
        out.push_str("</ul></div>\n");
    }
    for (i, cycle) in c.cycles.iter().enumerate() {
        let _ = writeln!(
            out,
            "<p><b>Cycle {}:</b> {}.<br>{}.</p>",
            i + 1,
            esc(&cycle.sentences().join("; ")),
            esc(&cycle.verdict())
        );
    }
    for m in &c.memory {
        let owner = m
            .object
            .as_ref()
            .map(|o| format!(", container of {o}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<div class=\"resource\">unfreed {}, {} bytes ({} memory{}){}<pre>--&gt; {}</pre></div>",
            esc(&m.label),
            m.size,
            esc(&m.kind),
            esc(&owner),
            esc(&crate::text::alike(m.count)),
            esc(&m.allocated.line())
        );
    }
}

fn resources(out: &mut String, c: &CaseReport) {
    if c.resources.is_empty() {
        return;
    }
    out.push_str("<h3>Managed resources never released</h3>\n");
    for r in &c.resources {
        let _ = writeln!(
            out,
            "<div class=\"resource\">{}{}<pre>--&gt; {}</pre>{}</div>",
            esc(&r.resource),
            esc(&crate::text::alike(r.count)),
            esc(&r.added.line()),
            esc(&r.released_by)
        );
    }
}

fn errors(out: &mut String, list: &[ErrorReport]) {
    if list.is_empty() {
        return;
    }
    out.push_str("<h3>Errors</h3>\n");
    for e in list {
        let mut pre = format!("--> {}", e.at.line());
        for n in &e.notes {
            pre.push_str(&note(&n.label, &n.at));
        }
        let _ = writeln!(
            out,
            "<div class=\"error\"><b>error:</b> {}{}<pre>{}</pre></div>",
            esc(&e.message),
            esc(&crate::text::repeats(e.count)),
            esc(&pre)
        );
    }
}

fn note(label: &str, at: &Origin) -> String {
    if at.site.is_empty() {
        format!("\nnote: {label}")
    } else {
        format!("\nnote: {label}\n  --> {}", at.line())
    }
}

/// One node's box in the drawing.
struct Placed {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

const NODE_H: f64 = 40.0;

/// The reference graph as inline SVG, nodes on a circle, edges as curves.
fn svg(case: usize, g: &RefGraph) -> String {
    if g.nodes.is_empty() {
        return "<p>No objects.</p>\n".into();
    }
    let placed = layout(&g.nodes);
    let mut bounds = Bounds::default();
    for p in &placed {
        bounds.add(p.x - p.w / 2.0, p.y - p.h / 2.0);
        bounds.add(p.x + p.w / 2.0, p.y + p.h / 2.0);
    }
    let mut body = String::new();
    let mut seen: Vec<(usize, usize)> = Vec::new();
    for e in &g.edges {
        let (Some(a), Some(b)) = (placed.get(e.from), placed.get(e.to)) else {
            continue;
        };
        let k = seen.iter().filter(|p| **p == (e.from, e.to)).count();
        seen.push((e.from, e.to));
        body.push_str(&edge(case, a, b, k, &e.label, e.in_cycle, &mut bounds));
    }
    for (n, p) in g.nodes.iter().zip(&placed) {
        body.push_str(&node(n, p));
    }
    let (x, y, w, h) = bounds.view(12.0);
    format!(
        "<svg width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" font-family=\"monospace\" font-size=\"11\">\n{}{body}</svg>\n",
        num(w),
        num(h),
        num(x),
        num(y),
        num(w),
        num(h),
        markers(case)
    )
}

/// The box everything drawn fits in.
struct Bounds {
    min: (f64, f64),
    max: (f64, f64),
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            min: (f64::INFINITY, f64::INFINITY),
            max: (f64::NEG_INFINITY, f64::NEG_INFINITY),
        }
    }
}

impl Bounds {
    fn add(&mut self, x: f64, y: f64) {
        if x.is_finite() && y.is_finite() {
            self.min = (self.min.0.min(x), self.min.1.min(y));
            self.max = (self.max.0.max(x), self.max.1.max(y));
        }
    }

    /// `x, y, width, height` of the view box, with `pad` around.
    fn view(&self, pad: f64) -> (f64, f64, f64, f64) {
        if self.min.0 > self.max.0 {
            return (0.0, 0.0, pad * 2.0, pad * 2.0);
        }
        (
            self.min.0 - pad,
            self.min.1 - pad,
            self.max.0 - self.min.0 + 2.0 * pad,
            self.max.1 - self.min.1 + 2.0 * pad,
        )
    }

    /// Makes room for a label of `text` at `at`.
    fn add_label(&mut self, at: &LabelAt, text: &str) {
        let w = text_width(text);
        let left = match at.anchor {
            "start" => at.x,
            "end" => at.x - w,
            _ => at.x - w / 2.0,
        };
        self.add(left, at.y - 11.0);
        self.add(left + w, at.y + 3.0);
    }
}

/// Estimated width of monospace text at 11px.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 6.7
}

fn markers(case: usize) -> String {
    let mut s = String::from("<defs>\n");
    for (name, color) in [("arrow", "#555"), ("arrowred", "#c62828")] {
        let _ = writeln!(
            s,
            "<marker id=\"{name}{case}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{color}\"/></marker>"
        );
    }
    s.push_str("</defs>\n");
    s
}

/// Places the nodes evenly on a circle big enough for their boxes.
fn layout(nodes: &[GraphNode]) -> Vec<Placed> {
    let n = nodes.len();
    let widths: Vec<f64> = nodes.iter().map(box_width).collect();
    let widest = widths.iter().copied().fold(0.0, f64::max);
    let radius = if n <= 1 {
        0.0
    } else {
        (n as f64 * (widest * 0.45 + 20.0) / PI).max(130.0)
    };
    let cx = radius + widest / 2.0;
    let cy = radius + NODE_H / 2.0;
    widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let angle = -PI / 2.0 + 2.0 * PI * i as f64 / n as f64;
            Placed {
                x: cx + radius * angle.cos(),
                y: cy + radius * angle.sin(),
                w: *w,
                h: NODE_H,
            }
        })
        .collect()
}

fn box_width(n: &GraphNode) -> f64 {
    let text = text_width(&n.label).max(text_width(&sub_label(n)) * 10.0 / 11.0);
    (text + 16.0).clamp(90.0, 320.0)
}

/// The second line of a node: its count and state.
fn sub_label(n: &GraphNode) -> String {
    match (n.state, n.refcount) {
        (NodeState::Leaked, Some(c)) => format!("refcount {c}, leaked"),
        (NodeState::Live, Some(c)) => format!("refcount {c}"),
        (NodeState::Freed, _) => "freed".into(),
        _ => String::new(),
    }
}

fn node(n: &GraphNode, p: &Placed) -> String {
    let (fill, stroke, dash) = match n.state {
        NodeState::Leaked => ("#fde2e2", "#c62828", ""),
        NodeState::Live => ("#e8eefc", "#3f51b5", ""),
        NodeState::Freed => ("#f2f2f2", "#999", " stroke-dasharray=\"4 3\""),
        NodeState::Pseudo => ("#ffffff", "#777", " stroke-dasharray=\"2 2\""),
    };
    let rx = if n.state == NodeState::Pseudo { 18 } else { 4 };
    let sub = sub_label(n);
    let mut s = format!(
        "<g><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"{stroke}\"{dash}/>",
        esc(&n.label),
        num(p.x - p.w / 2.0),
        num(p.y - p.h / 2.0),
        num(p.w),
        num(p.h)
    );
    let label_y = if sub.is_empty() { p.y + 4.0 } else { p.y - 3.0 };
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        num(p.x),
        num(label_y),
        esc(&n.label)
    );
    if !sub.is_empty() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#666\" font-size=\"10\">{}</text>",
            num(p.x),
            num(p.y + 12.0),
            esc(&sub)
        );
    }
    s.push_str("</g>\n");
    s
}

/// A curved edge from `a` to `b`, the `k`-th between them, bending to its
/// left so that opposite edges do not overlap.
fn edge(
    case: usize,
    a: &Placed,
    b: &Placed,
    k: usize,
    label: &str,
    red: bool,
    bounds: &mut Bounds,
) -> String {
    let (color, marker, width) = if red {
        ("#c62828", format!("arrowred{case}"), "2.5")
    } else {
        ("#555", format!("arrow{case}"), "1.2")
    };
    let bend = 50.0 + 24.0 * k as f64;
    let (d, mid) = if (a.x - b.x).abs() < 0.5 && (a.y - b.y).abs() < 0.5 {
        self_loop(a, bend)
    } else {
        curve(a, b, bend)
    };
    bounds.add_label(&mid, label);
    format!(
        "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\" marker-end=\"url(#{marker})\"/>\n<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>\n",
        num(mid.x),
        num(mid.y),
        mid.anchor,
        esc(label)
    )
}

/// Where an edge's label goes, and which way its text runs from there.
struct LabelAt {
    x: f64,
    y: f64,
    anchor: &'static str,
}

fn curve(a: &Placed, b: &Placed, bend: f64) -> (String, LabelAt) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (nx, ny) = (dy / len, -dx / len);
    let q = ((a.x + b.x) / 2.0 + nx * bend, (a.y + b.y) / 2.0 + ny * bend);
    let p0 = clip(a, q, 2.0);
    let p1 = clip(b, q, 4.0);
    let anchor = if nx > 0.3 {
        "start"
    } else if nx < -0.3 {
        "end"
    } else {
        "middle"
    };
    let mid = LabelAt {
        x: 0.25 * p0.0 + 0.5 * q.0 + 0.25 * p1.0 + nx * 6.0,
        y: 0.25 * p0.1 + 0.5 * q.1 + 0.25 * p1.1 + ny * 6.0 + 4.0,
        anchor,
    };
    let d = format!(
        "M{},{} Q{},{} {},{}",
        num(p0.0),
        num(p0.1),
        num(q.0),
        num(q.1),
        num(p1.0),
        num(p1.1)
    );
    (d, mid)
}

fn self_loop(a: &Placed, bend: f64) -> (String, LabelAt) {
    let top = a.y - a.h / 2.0;
    let d = format!(
        "M{},{} C{},{} {},{} {},{}",
        num(a.x - 15.0),
        num(top),
        num(a.x - 30.0),
        num(top - bend),
        num(a.x + 30.0),
        num(top - bend),
        num(a.x + 15.0),
        num(top)
    );
    let mid = LabelAt {
        x: a.x,
        y: top - bend * 0.75 - 4.0,
        anchor: "middle",
    };
    (d, mid)
}

/// Where the segment from a box's centre towards `to` leaves the box, plus `gap`.
fn clip(p: &Placed, to: (f64, f64), gap: f64) -> (f64, f64) {
    let (vx, vy) = (to.0 - p.x, to.1 - p.y);
    let len = (vx * vx + vy * vy).sqrt().max(1e-9);
    let tx = if vx.abs() > 1e-9 {
        (p.w / 2.0) / vx.abs()
    } else {
        f64::INFINITY
    };
    let ty = if vy.abs() > 1e-9 {
        (p.h / 2.0) / vy.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty).min(1.0);
    let extra = gap / len;
    (p.x + vx * (t + extra), p.y + vy * (t + extra))
}

/// A number for SVG: one decimal, never `-0.0`.
fn num(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    let r = if r == 0.0 || !r.is_finite() { 0.0 } else { r };
    format!("{r:.1}")
}

/// Escapes text for HTML content and attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_numbers() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(num(-0.04), "0.0");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(f64::NAN), "0.0");
    }

    #[test]
    fn clipping_stays_on_the_box_edge() {
        let p = Placed {
            x: 100.0,
            y: 100.0,
            w: 100.0,
            h: 40.0,
        };
        let (x, y) = clip(&p, (300.0, 100.0), 0.0);
        assert_eq!((num(x), num(y)), ("150.0".into(), "100.0".into()));
    }
}
