//! Fuzz target: arbitrary bytes as a KUnit test file, through the whole
//! pipeline (preprocess, parse, lower, run every case against the model).
//! Must never panic or hang: bad input is a diagnostic, runaway code hits
//! the step and depth limits.
#![no_main]

use devlife_kunit::{run_file, Filter, Limits};
use devlife_model::Profile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = devlife_c::check_source(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let limits = Limits {
            steps: 100_000,
            depth: 64,
            allocations: 100_000,
            output: 1 << 20,
            nesting: 1_000,
        };
        let _ = run_file("fuzz.c", text, Profile::V6_12, &Filter::default(), limits);
    }
});
