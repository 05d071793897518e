//! How a [`PpState`] is saved: every distinct token text once, in a table
//! that the macro bodies index. Loading then allocates each text once and
//! shares it (`Rc<str>`) among the tokens that spell it, instead of one
//! allocation per token.

use rustc_hash::FxHashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::{Builtin, Macro, PpState, PpToken, TokKind};
use crate::source::Site;

/// [`PpState`] as saved (macros in name order, so the bytes are stable).
#[derive(Serialize, Deserialize)]
pub(super) struct SavedPpState {
    texts: Vec<String>,
    macros: Vec<SavedMacro>,
    next_id: u32,
    counter: u64,
}

#[derive(Serialize, Deserialize)]
struct SavedMacro {
    name: u32,
    id: u32,
    params: Option<Vec<u32>>,
    variadic: bool,
    body: Vec<SavedToken>,
    builtin: Option<Builtin>,
}

#[derive(Serialize, Deserialize)]
struct SavedToken {
    kind: TokKind,
    text: u32,
    site: Site,
    space: bool,
    bol: bool,
    hideset: Option<Vec<u32>>,
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
        let mut names: Vec<&Rc<str>> = state.macros.keys().collect();
        names.sort();
        let macros = names
            .into_iter()
            .map(|name| {
                let m = &state.macros[name];
                SavedMacro {
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
                            site: t.site,
                            space: t.space,
                            bol: t.bol,
                            hideset: t.hideset.as_ref().map(|h| h.to_vec()),
                        })
                        .collect(),
                    builtin: m.builtin,
                }
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
        let texts: Vec<Rc<str>> = saved.texts.into_iter().map(Rc::from).collect();
        // A bad index can only come from corrupt bytes: it reads as "".
        let text = |i: u32| {
            texts
                .get(i as usize)
                .cloned()
                .unwrap_or_else(|| Rc::from(""))
        };
        let macros = saved
            .macros
            .into_iter()
            .map(|m| {
                let body = m
                    .body
                    .into_iter()
                    .map(|t| PpToken {
                        kind: t.kind,
                        text: text(t.text),
                        site: t.site,
                        space: t.space,
                        bol: t.bol,
                        hideset: t.hideset.map(Rc::from),
                    })
                    .collect();
                let mac = Macro {
                    id: m.id,
                    params: m.params.map(|ps| ps.into_iter().map(text).collect()),
                    variadic: m.variadic,
                    body,
                    builtin: m.builtin,
                };
                (text(m.name), Rc::new(mac))
            })
            .collect();
        PpState {
            macros,
            next_id: saved.next_id,
            counter: saved.counter,
        }
    }
}
