//! The terminal format: per case, the refcount table (ASCII, like the
//! thread's), who holds the references that changed, then leaks with their
//! holders and cycles, unreleased resources and memory, and errors with
//! Miri-like `-->` site lines.

use crate::explanation::{
    CaseReport, Count, ErrorReport, Explanation, Leak, LeakedMemory, Origin, PendingResource, Row,
    Table,
};
use std::fmt::Write;

/// The thread's table look: `+---+` borders, a rule under the header, no
/// rules between rows.
const PRESET: &str = "||--+-++|    ++++++";

/// Renders the whole explanation as terminal text.
pub fn render(e: &Explanation) -> String {
    let mut out = format!("devlife explanation (kernel {})\n", e.kernel);
    for case in &e.cases {
        out.push('\n');
        out.push_str(&render_case(case));
    }
    out
}

/// Renders one case.
pub fn render_case(c: &CaseReport) -> String {
    let title = format!("{}.{}: {}", c.suite, c.case, c.status.as_str());
    let mut out = format!("{title}\n{}\n", "=".repeat(title.chars().count()));
    out.push_str(&table(&c.table));
    out.push_str(&holders(&c.table));
    leaks(&mut out, c);
    resources(&mut out, &c.resources);
    memory(&mut out, &c.memory);
    errors(&mut out, &c.errors);
    out
}

/// The refcount table alone, as ASCII.
pub fn table(t: &Table) -> String {
    if t.columns.is_empty() {
        return "(no tracked objects)\n".into();
    }
    let mut ct = comfy_table::Table::new();
    ct.load_preset(PRESET);
    let mut header = vec!["line".to_string(), "call".to_string()];
    header.extend(t.columns.iter().map(|c| c.label.clone()));
    ct.set_header(header);
    for row in &t.rows {
        let mut cells = vec![row.line.to_string(), row.call.clone()];
        cells.extend(row.cells.iter().map(|c| c.count.text()));
        ct.add_row(cells);
    }
    format!("{ct}\n{}", hidden_note(t))
}

/// The lines saying how many tracked objects and rows the table leaves
/// out, if any.
pub(crate) fn hidden_note(t: &Table) -> String {
    let mut out = String::new();
    if t.hidden_columns > 0 {
        let _ = writeln!(
            out,
            "({} more tracked objects not shown: the table keeps {} columns, those alive at the end first, then the earliest; raise with --max-columns)",
            t.hidden_columns,
            t.columns.len()
        );
    }
    if t.hidden_rows > 0 {
        let _ = writeln!(
            out,
            "({} more steps changed a shown count after the table's {} rows; raise with --max-rows)",
            t.hidden_rows,
            t.rows.len()
        );
    }
    out
}

/// Who holds the references of each cell that changed, row by row.
fn holders(t: &Table) -> String {
    let mut out = String::new();
    let mut prev: Option<&Row> = None;
    for row in &t.rows {
        let mut block = String::new();
        for (i, cell) in row.cells.iter().enumerate() {
            let before = prev.and_then(|p| p.cells.get(i)).map(|c| c.count);
            let changed = cell.count != Count::NotCreated
                && (before != Some(cell.count) || !cell.returned.is_empty());
            let label = t.columns.get(i).map_or("?", |c| c.label.as_str());
            if changed {
                cell_block(&mut block, label, cell);
            }
        }
        if !block.is_empty() {
            let _ = writeln!(out, "  after {} (line {}):", row.call, row.line);
            out.push_str(&block);
        }
        prev = Some(row);
    }
    if out.is_empty() {
        return out;
    }
    format!("\nwho holds the references:\n{out}")
}

fn cell_block(out: &mut String, label: &str, cell: &crate::explanation::TableCell) {
    let _ = writeln!(out, "    {label}: {}", cell.count.text());
    for h in &cell.holders {
        let mark = if cell.taken.contains(h) { "+" } else { "-" };
        let _ = writeln!(out, "      {mark} {h}");
    }
    for r in &cell.returned {
        let _ = writeln!(out, "      returned: {r}");
    }
}

fn site_line(out: &mut String, indent: &str, o: &Origin) {
    let _ = writeln!(out, "{indent}--> {}", o.line());
}

fn leaks(out: &mut String, c: &CaseReport) {
    for leak in &c.leaks {
        leak_block(out, leak);
    }
    for (i, cycle) in c.cycles.iter().enumerate() {
        let _ = writeln!(
            out,
            "\ncycle {}: {}",
            i + 1,
            cycle.sentences().join(";\n  ")
        );
        let _ = writeln!(out, "  = {}", cycle.verdict());
    }
}

fn leak_block(out: &mut String, leak: &Leak) {
    let _ = writeln!(
        out,
        "\nleak: {} is never released (refcount {})",
        leak.object, leak.refcount
    );
    for h in &leak.held_by {
        let _ = writeln!(out, "  = held by {}", h.holder);
        site_line(out, "    ", &h.taken);
        let _ = writeln!(out, "    = {}", h.returned_by);
    }
    if leak.more_held > 0 {
        let _ = writeln!(out, "  = … and {} more references", leak.more_held);
    }
    if let Some(i) = leak.cycle {
        let _ = writeln!(out, "  = part of cycle {}", i + 1);
    }
}

/// ` (N times here)` for an error that happened `count` times.
pub(crate) fn repeats(count: usize) -> String {
    match count {
        0 | 1 => String::new(),
        n => format!(" ({n} times here)"),
    }
}

/// ` (and N more alike)` for an entry standing for `count`.
pub(crate) fn alike(count: usize) -> String {
    match count {
        0 | 1 => String::new(),
        n => format!(" (and {} more alike)", n - 1),
    }
}

fn resources(out: &mut String, list: &[PendingResource]) {
    for r in list {
        let _ = writeln!(out, "\nunreleased: {}{}", r.resource, alike(r.count));
        site_line(out, "  ", &r.added);
        let _ = writeln!(out, "  = {}", r.released_by);
    }
}

fn memory(out: &mut String, list: &[LeakedMemory]) {
    for m in list {
        let owner = m
            .object
            .as_ref()
            .map(|o| format!(", container of {o}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "\nunfreed: {}, {} bytes ({} memory{owner}){}",
            m.label,
            m.size,
            m.kind,
            alike(m.count)
        );
        site_line(out, "  ", &m.allocated);
    }
}

fn errors(out: &mut String, list: &[ErrorReport]) {
    for e in list {
        let _ = writeln!(out, "\nerror: {}{}", e.message, repeats(e.count));
        site_line(out, "  ", &e.at);
        for n in &e.notes {
            let _ = writeln!(out, "note: {}", n.label);
            if !n.at.site.is_empty() {
                site_line(out, "  ", &n.at);
            }
        }
    }
}
