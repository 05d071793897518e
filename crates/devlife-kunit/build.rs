//! Compiles the kernel prelude (`prelude/kernel.h`) once, at build time, into
//! a saved `devlife_c::Library` that `devlife_kunit::prelude::library` loads:
//! a test file is then compiled on top of it instead of preprocessing,
//! parsing and lowering 35 KB of declarations on every run.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=prelude/kernel.h");
    println!("cargo:rerun-if-changed=build.rs");
    let text = include_str!("prelude/kernel.h");
    // Keep in step with `prelude::NAME` in src/lib.rs.
    let name = "<devlife kernel prelude>";
    let library = match devlife_c::Library::compile(&[devlife_c::Source::new(name, text)]) {
        Ok(library) => library,
        Err(diags) => {
            for d in &diags {
                println!("cargo:warning={d}");
            }
            panic!(
                "the kernel prelude does not compile ({} diagnostics)",
                diags.len()
            );
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("prelude.lib"), library.to_bytes()).expect("OUT_DIR is writable");
}
