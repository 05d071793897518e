//! How a [`PpState`] is saved: every distinct token text once, in a table
//! that the macro bodies index, and of each body token only what expansion
//! keeps (its kind, text and spacing: an expansion gives every token the
//! invocation's site, a definition's tokens never start a line and have no
//! hideset). Loading keeps the macros as saved and builds each one the
//! first time a unit looks it up ([`SavedMacros::build`]): a test file uses
//! a few dozen of the prelude's macros. A built macro shares each text
//! (`Rc<str>`) among the tokens that spell it.

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::{Builtin, Entry, Macro, PpState, PpToken, TokKind};
use crate::source::Site;

/// [`PpState`] as saved (macros in name order, so the bytes are stable).
#[derive(Serialize, Deserialize)]
pub(super) struct SavedPpState {
    texts: Vec<String>,
    macros: Vec<SavedMacro>,
    next_id: u32,
    counter: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedMacro {
    name: u32,
    id: u32,
    params: Option<Vec<u32>>,
    variadic: bool,
    body: Vec<SavedToken>,
    builtin: Option<Builtin>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedToken {
    kind: TokKind,
    text: u32,
    space: bool,
}

/// A library's macros as saved, built into [`Macro`]s on first use.
#[derive(Debug)]
pub(super) struct SavedMacros {
    texts: Vec<String>,
    /// Each text as built so far, shared by the macros that use it.
    built: RefCell<Vec<Option<Rc<str>>>>,
    macros: Vec<SavedMacro>,
}

impl SavedMacros {
    /// Text `i` (a bad index, which only corrupt bytes give, reads as "").
    fn text(&self, i: u32) -> Rc<str> {
        let mut built = self.built.borrow_mut();
        let Some(slot) = built.get_mut(i as usize) else {
            return Rc::from("");
        };
        Rc::clone(
            slot.get_or_insert_with(|| {
                Rc::from(self.texts.get(i as usize).map_or("", String::as_str))
            }),
        )
    }

    /// Builds saved macro `i`.
    pub(super) fn build(&self, i: u32) -> Macro {
        let Some(m) = self.macros.get(i as usize) else {
            return Macro {
                id: 0,
                params: None,
                variadic: false,
                body: Vec::new(),
                builtin: None,
            };
        };
        let body = m
            .body
            .iter()
            .map(|t| PpToken {
                kind: t.kind,
                text: self.text(t.text),
                site: Site::NONE,
                space: t.space,
                bol: false,
                hideset: None,
            })
            .collect();
        Macro {
            id: m.id,
            params: m
                .params
                .as_ref()
                .map(|ps| ps.iter().map(|&p| self.text(p)).collect()),
            variadic: m.variadic,
            body,
            builtin: m.builtin,
        }
    }
}

/// Numbers distinct texts in order of first use.
#[derive(Default)]
struct TextTable {
    texts: Vec<String>,
    index: FxHashMap<Rc<str>, u32>,
}

impl TextTable {
    fn index(&mut self, text: &Rc<str>) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.to_string());
        self.index.insert(Rc::clone(text), i);
        i
    }
}

impl From<PpState> for SavedPpState {
    fn from(state: PpState) -> SavedPpState {
        let mut table = TextTable::default();
        let mut entries: Vec<(&Rc<str>, Rc<Macro>)> = state
            .macros
            .iter()
            .filter_map(|(name, e)| match e {
                Entry::Ready(m) => Some((name, Rc::clone(m))),
                Entry::Saved(i) => Some((name, Rc::new(state.saved.as_ref()?.build(*i)))),
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let macros = entries
            .into_iter()
            .map(|(name, m)| SavedMacro {
                name: table.index(name),
                id: m.id,
                params: m
                    .params
                    .as_ref()
                    .map(|ps| ps.iter().map(|p| table.index(p)).collect()),
                variadic: m.variadic,
                body: m
                    .body
                    .iter()
                    .map(|t| SavedToken {
                        kind: t.kind,
                        text: table.index(&t.text),
                        space: t.space,
                    })
                    .collect(),
                builtin: m.builtin,
            })
            .collect();
        SavedPpState {
            texts: table.texts,
            macros,
            next_id: state.next_id,
            counter: state.counter,
        }
    }
}

impl From<SavedPpState> for PpState {
    fn from(saved: SavedPpState) -> PpState {
        let saved_macros = SavedMacros {
            built: RefCell::new(vec![None; saved.texts.len()]),
            texts: saved.texts,
            macros: saved.macros,
        };
        let macros = saved_macros
            .macros
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                (saved_macros.text(m.name), Entry::Saved(i))
            })
            .collect();
        PpState {
            macros,
            saved: Some(Rc::new(saved_macros)),
            next_id: saved.next_id,
            counter: saved.counter,
        }
    }
}
