//! [`Program`]: the result of compiling C sources, with introspection.

use crate::ast::{FuncId, Function, Global, GlobalId};
use crate::diagnostics::Diagnostic;
use crate::lower::{LowerState, Scope};
use crate::pp::{Include, PpState};
use crate::reach::LibraryPart;
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
    /// Whether each string literal is reachable (only those are allocated).
    pub(crate) string_reachable: Vec<bool>,
    /// What is declared at file scope (functions, globals, typedefs, enum
    /// constants, tags).
    pub(crate) names: Scope,
    pub(crate) includes: Vec<Include>,
}

/// Preprocesses, parses and lowers `sources` as one translation unit (in
/// order: macros and declarations of earlier sources are visible in later
/// ones).
pub fn compile(sources: &[Source<'_>]) -> Result<Program, Vec<Diagnostic>> {
    let front = front(Files::new(), None, LowerState::default(), sources)?;
    Ok(Program::assemble(front, &LibraryPart::default()))
}

/// A library (an embedder's prelude) compiled once: its file names, the
/// macros it defines and every declaration it makes. Units compiled on it
/// with [`Library::compile_unit`] see all of it, as if it preceded them in
/// one translation unit, without preprocessing, parsing or lowering it
/// again. It serializes to bytes, so an embedder can compile it at build
/// time.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Library {
    files: Files,
    macros: PpState,
    decls: LowerState,
    includes: Vec<Include>,
}

impl Library {
    /// Compiles `sources` as a library.
    pub fn compile(sources: &[Source<'_>]) -> Result<Library, Vec<Diagnostic>> {
        let front = front(Files::new(), None, LowerState::default(), sources)?;
        Ok(Library {
            files: front.files,
            macros: front.macros,
            decls: front.decls,
            includes: front.includes,
        })
    }

    /// Compiles `sources` on top of the library (clone the library first
    /// to compile more units on it). Only what they reach of the library
    /// counts as used (see [`Program::used_externals`]).
    pub fn compile_unit(self, sources: &[Source<'_>]) -> Result<Program, Vec<Diagnostic>> {
        let lib = self.decls.library_part();
        let mut front = front(self.files, Some(self.macros), self.decls, sources)?;
        let mut includes = self.includes;
        includes.append(&mut front.includes);
        front.includes = includes;
        Ok(Program::assemble(front, &lib))
    }

    /// The library as bytes (for [`Library::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing plain owned data into a vector cannot fail.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// A library saved by [`Library::to_bytes`] with the same build of
    /// this crate.
    pub fn from_bytes(bytes: &[u8]) -> Result<Library, String> {
        postcard::from_bytes(bytes).map_err(|e| format!("not a saved library: {e}"))
    }
}

/// A unit after the front end: preprocessed, parsed and lowered.
struct Front {
    files: Files,
    macros: PpState,
    decls: LowerState,
    includes: Vec<Include>,
}

/// Preprocesses, parses and lowers `sources`, continuing from the given
/// preprocessor and declaration states.
fn front(
    mut files: Files,
    macros: Option<PpState>,
    decls: LowerState,
    sources: &[Source<'_>],
) -> Result<Front, Vec<Diagnostic>> {
    let mut sink = crate::syntax::TokenSink::default();
    let budget = crate::pp::EXPANSION_BUDGET;
    let (macros, pp) = crate::pp::preprocess_into(&mut files, macros, sources, budget, &mut sink);
    let (tokens, invalid) = sink.finish();
    let mut errors = pp.errors;
    for (site, text) in invalid {
        if errors.len() < 50 {
            errors.push((site, invalid_token_message(&text)));
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
    let tree = crate::syntax::parse(tokens, &|name| decls.is_typedef(name))
        .map_err(|e| diags(&files, vec![e]))?;
    let decls = crate::lower::lower_from(decls, &tree).map_err(|e| diags(&files, e))?;
    Ok(Front {
        files,
        macros,
        decls,
        includes: pp.includes,
    })
}

/// The diagnostic for a malformed token that reached the parser.
fn invalid_token_message(text: &str) -> String {
    if text.starts_with("/*") {
        "unterminated comment".to_string()
    } else if text.starts_with(['"', '\'']) {
        "unterminated string or character literal".to_string()
    } else {
        format!("stray `{text}` in program")
    }
}

impl Program {
    fn assemble(front: Front, lib: &LibraryPart) -> Program {
        let (files, includes) = (front.files, front.includes);
        let mut l = front.decls.finish();
        let string_reachable =
            crate::reach::mark(&mut l.funcs, &mut l.globals, l.strings.len(), lib);
        Program {
            files,
            types: l.types,
            funcs: l.funcs,
            globals: l.globals,
            strings: l.strings,
            string_sites: l.string_sites,
            string_reachable,
            names: l.file_scope,
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
        self.names.func(name)
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
        self.names.global(name).or_else(|| {
            // A function-local static, `func.name`, is not in file scope.
            let i = self.globals.iter().rposition(|g| g.name == name)?;
            Some(GlobalId(u32::try_from(i).ok()?))
        })
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
        self.names
            .tag(tag)
            .filter(|t| matches!(self.types.kind(*t), TypeKind::Struct(_)))
    }

    /// A file-scope typedef.
    pub fn typedef(&self, name: &str) -> Option<TypeId> {
        self.names.typedef(name)
    }

    /// A file-scope enum constant.
    pub fn enum_const(&self, name: &str) -> Option<i64> {
        self.names.enum_const(name)
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
