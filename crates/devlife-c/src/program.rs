//! [`Program`]: the result of compiling C sources, with introspection.

use std::collections::BTreeMap;

use crate::ast::{FuncId, Function, Global, GlobalId};
use crate::diagnostics::Diagnostic;
use crate::pp::Include;
use crate::source::{Files, Site, Source};
use crate::types::{TypeId, TypeKind, TypeTable};

/// A compiled translation unit: types, functions, globals, string literals.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) files: Files,
    pub(crate) types: TypeTable,
    pub(crate) funcs: Vec<Function>,
    pub(crate) globals: Vec<Global>,
    pub(crate) strings: Vec<Vec<u8>>,
    pub(crate) string_sites: Vec<Site>,
    pub(crate) func_names: BTreeMap<String, FuncId>,
    pub(crate) global_names: BTreeMap<String, GlobalId>,
    pub(crate) typedefs: BTreeMap<String, TypeId>,
    pub(crate) tags: BTreeMap<String, TypeId>,
    pub(crate) enum_consts: BTreeMap<String, i64>,
    pub(crate) includes: Vec<Include>,
}

/// Preprocesses, parses and lowers `sources` as one translation unit (in
/// order: typically the embedder's prelude first, then the user file).
pub fn compile(sources: &[Source<'_>]) -> Result<Program, Vec<Diagnostic>> {
    compile_with(sources, &Options::default())
}

/// How [`compile_with`] treats its sources.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// The first `library` sources are a library (an embedder's prelude):
    /// their top-level declarations are compiled only if the other sources,
    /// or the names in `roots`, reach them (see the `select` module).
    pub library: usize,
    /// Names the embedder needs whatever the other sources use (struct tags
    /// whose layout it reads, functions it calls by name).
    pub roots: &'a [&'a str],
}

/// [`compile`] with [`Options`]. If a pruned unit does not compile, the
/// whole unit is compiled again unpruned, so pruning never changes a
/// diagnostic.
pub fn compile_with(
    sources: &[Source<'_>],
    opts: &Options<'_>,
) -> Result<Program, Vec<Diagnostic>> {
    if opts.library == 0 {
        return compile_unit(sources, None);
    }
    let library = u32::try_from(opts.library).unwrap_or(u32::MAX);
    compile_unit(sources, Some((library, opts.roots))).or_else(|_| compile_unit(sources, None))
}

fn compile_unit(
    sources: &[Source<'_>],
    prune: Option<(u32, &[&str])>,
) -> Result<Program, Vec<Diagnostic>> {
    let mut files = Files::new();
    let mut pp = crate::pp::preprocess(&mut files, sources);
    if let Some((library, roots)) = prune {
        pp.tokens = crate::select::prune_library(std::mem::take(&mut pp.tokens), library, roots);
    }
    let mut errors = pp.errors;
    for t in &pp.tokens {
        if t.kind == crate::pp::TokKind::Invalid && errors.len() < 50 {
            let msg = if t.text.starts_with("/*") {
                "unterminated comment".to_string()
            } else if t.text.starts_with(['"', '\'']) {
                "unterminated string or character literal".to_string()
            } else {
                format!("stray `{}` in program", t.text)
            };
            errors.push((t.site, msg));
        }
    }
    let diags = |files: &Files, errs: Vec<(Site, String)>| -> Vec<Diagnostic> {
        errs.iter()
            .map(|(s, m)| Diagnostic::new(files, *s, m))
            .collect()
    };
    if !errors.is_empty() {
        return Err(diags(&files, errors));
    }
    let rendered = crate::parse::render(&pp.tokens);
    let Some(tree) = crate::parse::parse_text(&rendered.text) else {
        return Err(diags(&files, vec![(Site::NONE, "parser failed".into())]));
    };
    let syntax = crate::parse::syntax_errors(&tree, &rendered);
    if !syntax.is_empty() {
        return Err(diags(&files, syntax));
    }
    let lowered = crate::lower::lower(tree.root_node(), &rendered).map_err(|e| diags(&files, e))?;
    Ok(Program::assemble(files, lowered, pp.includes))
}

impl Program {
    fn assemble(files: Files, l: crate::lower::Lowered, includes: Vec<Include>) -> Program {
        let func_names = l
            .funcs
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), FuncId(i as u32)))
            .collect();
        let global_names = l
            .globals
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.clone(), GlobalId(i as u32)))
            .collect();
        Program {
            files,
            types: l.types,
            funcs: l.funcs,
            globals: l.globals,
            strings: l.strings,
            string_sites: l.string_sites,
            func_names,
            global_names,
            typedefs: l.typedefs,
            tags: l.tags,
            enum_consts: l.enum_consts,
            includes,
        }
    }

    /// The file table (names of the sources).
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The type table.
    pub fn types(&self) -> &TypeTable {
        &self.types
    }

    /// Looks up a function (defined or declared) by name.
    pub fn function(&self, name: &str) -> Option<FuncId> {
        self.func_names.get(name).copied()
    }

    /// A function's description.
    pub fn function_info(&self, id: FuncId) -> Option<&Function> {
        self.funcs.get(id.0 as usize)
    }

    /// All functions in declaration order.
    pub fn functions(&self) -> impl Iterator<Item = (FuncId, &Function)> {
        self.funcs
            .iter()
            .enumerate()
            .map(|(i, f)| (FuncId(i as u32), f))
    }

    /// Looks up a global by name (function-local statics are `func.name`).
    pub fn global(&self, name: &str) -> Option<GlobalId> {
        self.global_names.get(name).copied()
    }

    /// A global's description.
    pub fn global_info(&self, id: GlobalId) -> Option<&Global> {
        self.globals.get(id.0 as usize)
    }

    /// All globals in declaration order.
    pub fn globals(&self) -> impl Iterator<Item = (GlobalId, &Global)> {
        self.globals
            .iter()
            .enumerate()
            .map(|(i, g)| (GlobalId(i as u32), g))
    }

    /// The type of a file-scope struct or union tag.
    pub fn struct_type(&self, tag: &str) -> Option<TypeId> {
        self.tags
            .get(tag)
            .copied()
            .filter(|t| matches!(self.types.kind(*t), TypeKind::Struct(_)))
    }

    /// A file-scope typedef.
    pub fn typedef(&self, name: &str) -> Option<TypeId> {
        self.typedefs.get(name).copied()
    }

    /// A file-scope enum constant.
    pub fn enum_const(&self, name: &str) -> Option<i64> {
        self.enum_consts.get(name).copied()
    }

    /// Size in bytes of a type.
    pub fn size_of(&self, ty: TypeId) -> Option<u64> {
        self.types.size_of(ty)
    }

    /// Offset and type of a member path (e.g. `driver.name`) in `struct tag`.
    pub fn field_offset(&self, tag: &str, path: &str) -> Option<(u64, TypeId)> {
        self.types.member_path(self.struct_type(tag)?, path)
    }

    /// The `#include` lines that were skipped.
    pub fn includes(&self) -> &[Include] {
        &self.includes
    }

    /// Functions that C code uses but does not define (to be provided by the env).
    pub fn used_externals(&self) -> impl Iterator<Item = (FuncId, &Function)> {
        self.functions().filter(|(_, f)| f.body.is_none() && f.used)
    }
}
