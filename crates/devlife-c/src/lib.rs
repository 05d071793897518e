//! `devlife-c`: the C front end of devlife.
//!
//! It runs C source — such as Linux KUnit test files, unmodified — against an
//! embedder-supplied environment. The pipeline is:
//!
//! 1. **Preprocess** ([`pp`]): a token-based C preprocessor (object- and
//!    function-like macros, `#`/`##`, `__VA_ARGS__` and GNU `, ## __VA_ARGS__`,
//!    `__FILE__`/`__LINE__`/`__COUNTER__`, conditionals). The embedder's
//!    *prelude* and the user file are preprocessed together, in order, as one
//!    translation unit; `#include` lines are recorded and skipped. Every token
//!    keeps its original site; tokens produced by a macro expansion carry the
//!    site of the invocation (the macro name), so `__LINE__` matches GCC.
//! 2. **Parse** ([`syntax`]): a recursive-descent parser reads the
//!    preprocessor's tokens into a compact concrete syntax tree shaped like
//!    tree-sitter-c's; the first syntax error becomes a [`Diagnostic`] at
//!    its original site, naming what was expected.
//! 3. **Lower** (private `lower` module): the tree becomes a compact typed AST
//!    ([`ast`]) with resolved variable slots, member offsets and explicit
//!    conversions; unsupported constructs are diagnostics naming them.
//! 4. **Interpret** ([`Interp`]): each function is compiled on first call
//!    into closures with names, offsets and conversions resolved, and run with step and
//!    call-depth [`Limits`].
//!
//! # The `Env` contract
//!
//! All memory and all external functions belong to the embedder, through the
//! [`Env`] trait: the interpreter allocates globals, string literals and
//! address-taken locals with [`Env::alloc`], reads and writes every byte of C
//! memory with [`Env::read`]/[`Env::write`], releases locals with
//! [`Env::free_stack`] when their scope ends, and calls functions that C
//! declares but does not define through [`Env::call_external`]. Externals get
//! `&mut Interp` and may call back into C ([`Interp::call_function`],
//! [`Interp::call_pointer`]), re-entrantly. Pointers are 64-bit [`Addr`]s
//! `(alloc_id << 32) | offset`; functions have stable addresses in a reserved
//! allocation-id range ([`memory::FUNC_ALLOC_BASE`]). [`SimpleEnv`] and
//! [`Memory`] are a ready-made env and a reusable memory store.
//!
//! # Invariant
//!
//! This crate knows nothing of the Linux kernel, devices or KUnit: every
//! kernel-specific name arrives through the prelude (C text) and the [`Env`]
//! implementation of another crate.
//!
//! # Notes for embedders
//!
//! - **Prelude**: pass it as the first [`Source`] to [`compile`], the user
//!   file second; macros, types and declarations of the prelude are visible
//!   in the user file, and diagnostics name the file they point into.
//! - **`__LINE__`/`__FILE__`** inside a macro body give the line/file of the
//!   invocation's macro name (for multi-line invocations too, as GCC 12);
//!   inside a macro argument, the argument token's own line.
//! - **Sites**: 1-based lines and byte columns. Code produced by a macro
//!   expansion is reported at the invocation.
//! - **Functions as pointers**: [`Interp::function_addr`] gives a function's
//!   address, [`Interp::function_at`] maps a pointer back, and
//!   [`Interp::call_pointer`] calls through it (externals dispatch to
//!   [`Env::call_external`]).
//! - **Externals**: every function the C code uses but does not define must
//!   satisfy [`Env::is_external`] ([`Interp::load`] reports the others).
//!   Arguments arrive converted to the declared parameter types; variadic
//!   arguments get the default promotions.
//! - **Memory**: [`Env::alloc`] must return zero-filled memory. Scalar locals
//!   whose address is never taken live in interpreter registers, not in
//!   env memory.
//! - **Limits**: the step count is reset at each outermost call; nested
//!   re-entrant calls share it.
//!
//! ```
//! use devlife_c::{compile, Interp, Limits, SimpleEnv, Source, Value};
//!
//! let prog = compile(&[
//!     Source::new("prelude.h", "#define TWICE(x) ((x) * 2)\nlong host(long);"),
//!     Source::new("user.c", "long f(long n) { return host(TWICE(n)); }"),
//! ])
//! .expect("compiles");
//! let mut env = SimpleEnv::new();
//! env.register("host", |_, _, args, _| Ok(Value::long(args[0].as_i64() + 1)));
//! let mut it = Interp::load(prog, &mut env, Limits::default()).expect("loads");
//! let f = it.function("f").expect("defined");
//! let r = it.call_function(&mut env, f, &[Value::long(20)]).expect("runs");
//! assert_eq!(r.as_i64(), 41);
//! ```

pub mod ast;
pub mod diagnostics;
pub mod env;
pub mod interp;
mod lower;
pub mod memory;
pub mod ops;
pub mod pp;
pub mod program;
mod reach;
mod sorted;
pub mod source;
pub mod syntax;
pub mod types;
pub mod value;
mod visit;

pub use ast::{FuncId, GlobalId};
pub use diagnostics::Diagnostic;
pub use env::{read_c_bytes, read_c_string, AllocKind, Env, Trap};
pub use interp::{Interp, Limits, LoadError};
pub use memory::{Memory, SimpleEnv};
pub use program::{compile, Library, Program};
pub use source::{FileId, Files, Site, Source};
pub use types::{TypeId, TypeKind, TypeTable};
pub use value::{Addr, Value};

/// Preprocesses, parses and lowers arbitrary bytes as a C file named
/// `input.c`, returning its diagnostics. Never panics; meant for fuzzing.
pub fn check_source(bytes: &[u8]) -> Vec<Diagnostic> {
    match compile(&[Source {
        name: "input.c",
        text: bytes,
    }]) {
        Ok(_) => Vec::new(),
        Err(d) => d,
    }
}

/// Renders the preprocessed text of `sources` (the tokens the parser reads,
/// one line per original line) and the preprocessor's diagnostics; useful
/// to debug preludes.
pub fn preprocess_to_string(sources: &[Source<'_>]) -> (String, Vec<Diagnostic>) {
    let mut files = Files::new();
    let out = pp::preprocess(&mut files, sources);
    let diags = out
        .errors
        .iter()
        .map(|(s, m)| Diagnostic::new(&files, *s, m))
        .collect();
    (syntax::Tokens::new(out.tokens).render().0, diags)
}
