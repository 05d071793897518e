//! Lowering of the syntax tree ([`crate::syntax`]) to the typed AST
//! ([`crate::ast`]).
//!
//! Names are resolved to slots, types and member offsets are computed, and
//! every implicit conversion becomes explicit. Anything outside the supported
//! subset becomes a diagnostic naming the construct.

mod consteval;
mod decl;
mod expr;
mod fixup;
mod init;
pub mod lit;
mod stmt;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::ast::{Expr, ExprKind, FuncId, Function, Global, GlobalId, Local};
use crate::source::Site;
use crate::syntax::{Kind, Node, Tree};
use crate::types::{TypeId, TypeTable};

/// Marker: an error was recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reported;

/// Result of a lowering step; errors are already recorded.
pub(crate) type LResult<T> = Result<T, Reported>;

/// Maximum nesting of expressions and statements.
const MAX_NEST: u32 = 256;
/// Maximum errors recorded.
const MAX_ERRORS: usize = 50;

/// An ordinary identifier's meaning.
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) enum Sym {
    Local(u32),
    Global(GlobalId),
    Func(FuncId),
    Typedef(TypeId),
    Enum(u64, TypeId),
}

/// The names declared in one scope: ordinary identifiers and tags.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Scope {
    #[serde(serialize_with = "crate::sorted::map")]
    names: FxHashMap<String, Sym>,
    #[serde(serialize_with = "crate::sorted::map")]
    tags: FxHashMap<String, TypeId>,
}

/// Per-function lowering state.
pub(crate) struct FnCtx {
    pub locals: Vec<Local>,
    pub addr_taken: Vec<bool>,
    pub ret: TypeId,
    pub name: String,
    /// Locals declared in each open block.
    pub blocks: Vec<Vec<u32>>,
    /// Enclosing breakable statements: true for loops, false for switches.
    pub breakable: Vec<bool>,
}

/// What lowering produces.
pub(crate) struct Lowered {
    pub types: TypeTable,
    pub funcs: Vec<Function>,
    pub globals: Vec<Global>,
    pub strings: Vec<Vec<u8>>,
    pub string_sites: Vec<Site>,
    /// What is declared at file scope.
    pub file_scope: Scope,
}

impl Scope {
    /// The typedef `name`.
    pub(crate) fn typedef(&self, name: &str) -> Option<TypeId> {
        match self.names.get(name) {
            Some(Sym::Typedef(t)) => Some(*t),
            _ => None,
        }
    }

    /// The value of the enumeration constant `name`.
    pub(crate) fn enum_const(&self, name: &str) -> Option<i64> {
        match self.names.get(name) {
            Some(Sym::Enum(v, _)) => Some(*v as i64),
            _ => None,
        }
    }

    /// The function `name`.
    pub(crate) fn func(&self, name: &str) -> Option<FuncId> {
        match self.names.get(name) {
            Some(Sym::Func(f)) => Some(*f),
            _ => None,
        }
    }

    /// The global `name`.
    pub(crate) fn global(&self, name: &str) -> Option<GlobalId> {
        match self.names.get(name) {
            Some(Sym::Global(g)) => Some(*g),
            _ => None,
        }
    }

    /// The type the tag `name` names.
    pub(crate) fn tag(&self, name: &str) -> Option<TypeId> {
        self.tags.get(name).copied()
    }
}

pub(crate) struct Lowerer {
    pub types: TypeTable,
    scopes: Vec<Scope>,
    pub funcs: Vec<Function>,
    pub globals: Vec<Global>,
    pub strings: Vec<Vec<u8>>,
    string_sites: Vec<Site>,
    string_ids: FxHashMap<Vec<u8>, u32>,
    pub errors: Vec<(Site, String)>,
    pub fctx: Option<FnCtx>,
    nest: u32,
}

/// What lowering carries from one tree to the next: everything declared at
/// file scope so far. A library's state is saved after its files so that
/// later units are lowered on top of it without lowering it again.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct LowerState {
    types: TypeTable,
    file_scope: Scope,
    funcs: Vec<Function>,
    globals: Vec<Global>,
    strings: Vec<Vec<u8>>,
    string_sites: Vec<Site>,
    #[serde(serialize_with = "crate::sorted::map")]
    string_ids: FxHashMap<Vec<u8>, u32>,
}

/// Lowers the top-level items of `tree` on top of `state` and returns the
/// state after them.
pub(crate) fn lower_from(
    state: LowerState,
    tree: &Tree,
) -> Result<LowerState, Vec<(Site, String)>> {
    let mut l = Lowerer {
        types: state.types,
        scopes: vec![state.file_scope],
        funcs: state.funcs,
        globals: state.globals,
        strings: state.strings,
        string_sites: state.string_sites,
        string_ids: state.string_ids,
        errors: Vec::new(),
        fctx: None,
        nest: 0,
    };
    for item in tree.root().named_children() {
        let _ = l.top_level(item);
        if l.errors.len() >= MAX_ERRORS {
            break;
        }
    }
    if !l.errors.is_empty() {
        return Err(l.errors);
    }
    Ok(LowerState {
        types: l.types,
        file_scope: l.scopes.swap_remove(0),
        funcs: l.funcs,
        globals: l.globals,
        strings: l.strings,
        string_sites: l.string_sites,
        string_ids: l.string_ids,
    })
}

impl LowerState {
    /// Whether `name` is a typedef name at file scope.
    pub(crate) fn is_typedef(&self, name: &str) -> bool {
        matches!(self.file_scope.names.get(name), Some(Sym::Typedef(_)))
    }

    /// What of a unit compiled on this state comes from it.
    pub(crate) fn library_part(&self) -> crate::reach::LibraryPart {
        crate::reach::LibraryPart::of(&self.funcs, &self.globals, self.strings.len())
    }

    /// The declarations as a [`Lowered`] unit.
    pub(crate) fn finish(self) -> Lowered {
        Lowered {
            types: self.types,
            funcs: self.funcs,
            globals: self.globals,
            strings: self.strings,
            string_sites: self.string_sites,
            file_scope: self.file_scope,
        }
    }
}

impl Lowerer {
    /// The text of a node's first token (all of a one-token node's text).
    pub fn text<'t>(&self, n: Node<'t>) -> &'t str {
        n.text()
    }

    /// The original site of a node.
    pub fn site(&self, n: Node<'_>) -> Site {
        n.site()
    }

    /// Records an error at a node.
    pub fn err<T>(&mut self, n: Node<'_>, msg: impl Into<String>) -> LResult<T> {
        let site = self.site(n);
        self.err_at(site, msg)
    }

    /// Records an error at a site.
    pub fn err_at<T>(&mut self, site: Site, msg: impl Into<String>) -> LResult<T> {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push((site, msg.into()));
        }
        Err(Reported)
    }

    /// Records "unsupported C construct `what`".
    pub fn unsupported<T>(&mut self, n: Node<'_>, what: &str) -> LResult<T> {
        self.err(n, format!("unsupported C construct `{what}`"))
    }

    /// Runs `f` one nesting level deeper (bounded, with stack growth).
    pub fn nested<T>(
        &mut self,
        n: Node<'_>,
        f: impl FnOnce(&mut Self) -> LResult<T>,
    ) -> LResult<T> {
        if self.nest >= MAX_NEST {
            return self.err(n, "construct nested too deeply");
        }
        self.nest += 1;
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || f(self));
        self.nest -= 1;
        r
    }

    fn top_level(&mut self, n: Node<'_>) -> LResult<()> {
        match n.kind() {
            Kind::FunctionDefinition => self.function_def(n),
            Kind::Declaration => self.declaration(n).map(drop),
            Kind::TypeDefinition => self.type_definition(n),
            Kind::StructSpecifier | Kind::UnionSpecifier | Kind::EnumSpecifier => {
                self.type_spec(n).map(drop)
            }
            Kind::ExpressionStatement if n.named_child_count() == 0 => Ok(()),
            Kind::ExpressionStatement => self.err(n, "expression statement outside of a function"),
            k => self.unsupported(n, k.name()),
        }
    }

    // ----- scopes -----

    pub fn push_scope(&mut self) {
        self.scopes.push(Scope::default());
    }

    pub fn pop_scope(&mut self) {
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }

    pub fn at_file_scope(&self) -> bool {
        self.scopes.len() == 1
    }

    pub fn lookup(&self, name: &str) -> Option<Sym> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.names.get(name).copied())
    }

    pub fn lookup_file(&self, name: &str) -> Option<Sym> {
        self.scopes.first().and_then(|s| s.names.get(name).copied())
    }

    pub fn bind(&mut self, name: &str, sym: Sym) {
        if let Some(s) = self.scopes.last_mut() {
            s.names.insert(name.to_string(), sym);
        }
    }

    pub fn bind_file(&mut self, name: &str, sym: Sym) {
        if let Some(s) = self.scopes.first_mut() {
            s.names.insert(name.to_string(), sym);
        }
    }

    pub fn lookup_tag(&self, name: &str) -> Option<TypeId> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.tags.get(name).copied())
    }

    pub fn lookup_tag_here(&self, name: &str) -> Option<TypeId> {
        self.scopes.last().and_then(|s| s.tags.get(name).copied())
    }

    pub fn bind_tag(&mut self, name: &str, ty: TypeId) {
        if let Some(s) = self.scopes.last_mut() {
            s.tags.insert(name.to_string(), ty);
        }
    }

    // ----- objects -----

    /// Interns a string literal (bytes without the NUL).
    pub fn intern_string(&mut self, bytes: Vec<u8>, site: Site) -> u32 {
        if let Some(&id) = self.string_ids.get(&bytes) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(bytes.clone());
        self.string_sites.push(site);
        self.string_ids.insert(bytes, id);
        id
    }

    /// Creates a local in the current function and block.
    pub fn new_local(&mut self, name: &str, ty: TypeId, site: Site) -> Option<u32> {
        let in_memory = self.types.is_aggregate(ty);
        let size = self.types.size_of(ty).unwrap_or(0);
        let f = self.fctx.as_mut()?;
        let id = u32::try_from(f.locals.len()).ok()?;
        f.locals.push(Local {
            name: name.to_string(),
            ty,
            in_memory,
            size,
            site,
        });
        f.addr_taken.push(false);
        if let Some(b) = f.blocks.last_mut() {
            b.push(id);
        }
        Some(id)
    }

    /// Updates a local's type (array size completed by its initializer).
    pub fn retype_local(&mut self, id: u32, ty: TypeId) {
        let size = self.types.size_of(ty).unwrap_or(0);
        if let Some(l) = self
            .fctx
            .as_mut()
            .and_then(|f| f.locals.get_mut(id as usize))
        {
            l.ty = ty;
            l.size = size;
        }
    }

    /// Marks a local as address-taken (it will live in memory).
    pub fn mark_addr_taken(&mut self, e: &Expr) {
        if let ExprKind::LocalReg(id) = e.kind {
            if let Some(slot) = self
                .fctx
                .as_mut()
                .and_then(|f| f.addr_taken.get_mut(id as usize))
            {
                *slot = true;
            }
        }
    }

    /// Makes an expression node.
    pub fn mk(&self, kind: ExprKind, ty: TypeId, site: Site) -> Expr {
        Expr { kind, ty, site }
    }

    /// Named children of a node.
    pub fn kids<'t>(&self, n: Node<'t>) -> SmallVec<[Node<'t>; 8]> {
        n.named_children().collect()
    }
}

#[cfg(test)]
mod tests;
