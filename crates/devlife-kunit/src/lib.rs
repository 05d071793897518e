//! Runs KUnit test files written in C against the devlife model.
//!
//! This is the binding layer between the C front end (`devlife-c`, which
//! knows no kernel) and the model (`devlife-model`, which knows no C):
//!
//! - [`prelude`]: devlife's stand-in for the kernel headers, in C;
//! - [`shims`]: C function names mapped to model calls;
//! - [`env`]: the interpreter's memory is the model's memory, and model
//!   callbacks run C functions;
//! - [`runner`]: KUnit's order of suite/case init, body, exit and cleanup;
//! - [`ktap`] and [`assert`]: output worded like the kernel's.

pub mod assert;
mod callc;
pub mod env;
mod format;
pub mod ktap;
pub mod layout;
pub mod runner;
pub mod shims;

pub use runner::{CaseRecord, Filter, MemFaultRecord, RunResults, Step};

use devlife_model::{Kernel, Profile};

/// devlife's kernel prelude: the C declarations that stand in for every
/// kernel header a test file includes.
pub mod prelude {
    use devlife_c::Library;

    /// The prelude's text.
    pub const TEXT: &str = include_str!("../prelude/kernel.h");
    /// The name diagnostics use for it (build.rs uses the same).
    pub const NAME: &str = "<devlife kernel prelude>";
    /// The prelude compiled by build.rs.
    const SAVED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/prelude.lib"));

    /// What a thread has done with the saved prelude so far.
    enum Loaded {
        /// Nothing.
        Never,
        /// Loaded it once and handed it out.
        Once,
        /// Loaded it again, and keeps this copy to clone from.
        Kept(Box<Library>),
    }

    thread_local! {
        /// The thread's use of the saved prelude (a `Library` shares token
        /// texts through `Rc`, so it stays on its thread).
        static LOADED: std::cell::RefCell<Loaded> = const { std::cell::RefCell::new(Loaded::Never) };
    }

    /// The compiled prelude, as build.rs saved it. Loading the bytes costs
    /// about four times what cloning a loaded library does, but cloning
    /// is pure overhead for the usual run of one file: the first call on
    /// a thread loads and keeps nothing, the second loads and keeps a copy,
    /// later ones clone it.
    pub fn library() -> Result<Library, String> {
        LOADED.with(|loaded| {
            let mut loaded = loaded.borrow_mut();
            match &*loaded {
                Loaded::Kept(library) => Ok((**library).clone()),
                Loaded::Never => {
                    *loaded = Loaded::Once;
                    Library::from_bytes(SAVED)
                }
                Loaded::Once => {
                    let library = Library::from_bytes(SAVED)?;
                    *loaded = Loaded::Kept(Box::new(library.clone()));
                    Ok(library)
                }
            }
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use devlife_c::Source;

        #[test]
        fn saved_prelude_is_the_compiled_text() {
            let saved = library().expect("the saved prelude loads");
            let fresh = Library::compile(&[Source::new(NAME, TEXT)]).expect("the prelude compiles");
            assert_eq!(saved.to_bytes(), fresh.to_bytes());
            for _ in 0..2 {
                let again = library().expect("the prelude is loaded again, then cloned");
                assert_eq!(again.to_bytes(), fresh.to_bytes());
            }
        }
    }
}

/// Why a file could not be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The C could not be parsed, or uses what devlife does not support:
    /// each entry is `file:line:column: message`.
    Diagnostics(Vec<String>),
    /// The file registers no KUnit suite.
    NoSuite,
}

/// A test file run to completion.
pub struct Run {
    /// The KTAP the kernel would print.
    pub ktap: String,
    /// Per-suite and per-case results.
    pub results: RunResults,
    /// The model after the run, with its event log.
    pub kernel: Kernel,
    /// The interpreter the cases ran on, with the compiled program.
    pub interp: devlife_c::Interp,
    /// File names by the `file` index of event sites.
    pub files: Vec<String>,
}

/// Limits on the interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Statements and expressions evaluated before giving up.
    pub steps: u64,
    /// Nested C calls before giving up.
    pub depth: u32,
    /// Allocations (kernel objects, C globals, locals and heap) before giving up.
    pub allocations: u64,
    /// Bytes of log output before giving up.
    pub output: u64,
    /// Releases and callbacks nested in one another (a chain of kobjects
    /// each releasing its parent, say) before giving up.
    pub nesting: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            steps: 50_000_000,
            depth: 256,
            allocations: 2_000_000,
            output: 16 << 20,
            nesting: devlife_model::DEFAULT_MAX_NESTING,
        }
    }
}

/// A test file compiled and loaded into a fresh model, its suites not yet
/// run: [`load_file`] then [`Loaded::run`] is [`run_file`], for callers
/// that time the cases apart from compiling them.
pub struct Loaded {
    kernel: Kernel,
    interp: devlife_c::Interp,
    state: env::BindState,
    files: Vec<String>,
    module: String,
}

/// Compiles `text` (the file `name`) on the kernel prelude and loads it
/// into a fresh model of `profile`.
pub fn load_file(
    name: &str,
    text: &str,
    profile: Profile,
    limits: Limits,
) -> Result<Loaded, LoadError> {
    let mut kernel = Kernel::new(profile);
    let (mut interp, state, files) = callc::load(&mut kernel, name, text, limits)?;
    if callc::registered_suites(&mut interp, &mut kernel).is_empty() {
        return Err(LoadError::NoSuite);
    }
    Ok(Loaded {
        kernel,
        interp,
        state,
        files,
        module: ktap::module_name(name),
    })
}

impl Loaded {
    /// Runs the suites and cases `filter` selects, in KUnit's order.
    pub fn run(mut self, filter: &Filter) -> Run {
        let results = runner::run_suites(
            &mut self.interp,
            &mut self.kernel,
            &mut self.state,
            &self.module,
            filter,
        );
        let ktap = ktap::render(&results.suites);
        Run {
            ktap,
            results,
            kernel: self.kernel,
            interp: self.interp,
            files: self.files,
        }
    }
}

/// Compiles, loads and runs a test file: [`load_file`], then [`Loaded::run`].
pub fn run_file(
    name: &str,
    text: &str,
    profile: Profile,
    filter: &Filter,
    limits: Limits,
) -> Result<Run, LoadError> {
    Ok(load_file(name, text, profile, limits)?.run(filter))
}
