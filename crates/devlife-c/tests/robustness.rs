//! Arbitrary input never panics the front end or the interpreter.

use devlife_c::{check_source, compile, Interp, Limits, SimpleEnv, Source, Value};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "int",
    "char",
    "long",
    "unsigned",
    "struct",
    "union",
    "enum",
    "typedef",
    "static",
    "void",
    "*",
    "&",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    "=",
    "+",
    "-",
    "<<",
    "?",
    ":",
    "->",
    ".",
    "x",
    "y",
    "f",
    "s",
    "0",
    "1",
    "42",
    "'a'",
    "\"str\"",
    "if",
    "else",
    "while",
    "for",
    "do",
    "switch",
    "case",
    "default",
    "break",
    "continue",
    "return",
    "sizeof",
    "#define",
    "#if",
    "#endif",
    "#",
    "##",
    "\n",
    " ",
    "__LINE__",
    "...",
    "__VA_ARGS__",
    "({",
    "})",
    "goto",
    "++",
    "--",
    "!",
    "~",
    "/",
    "%",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80).prop_map(|v| v.join(" "))
}

/// Compiles, and if that works, runs every zero-parameter function briefly.
fn compile_and_run(src: &str) {
    let Ok(prog) = compile(&[Source::new("fuzz.c", src)]) else {
        return;
    };
    let names: Vec<String> = prog
        .functions()
        .filter(|(_, f)| f.body.is_some())
        .map(|(_, f)| f.name.clone())
        .collect();
    let mut env = SimpleEnv::new();
    for (_, f) in prog.used_externals() {
        env.register(&f.name, |_, _, _, _| Ok(Value::long(0)));
    }
    let limits = Limits {
        max_steps: 10_000,
        max_depth: 32,
    };
    let Ok(mut it) = Interp::load(prog, &mut env, limits) else {
        return;
    };
    for n in names {
        if let Some(f) = it.function(&n) {
            let _ = it.call_function(
                &mut env,
                f,
                &[Value::long(1), Value::long(2), Value::long(3)],
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = check_source(&bytes);
    }

    #[test]
    fn token_soup_never_panics(src in soup()) {
        compile_and_run(&src);
    }

    #[test]
    fn wrapped_soup_never_panics(body in soup()) {
        compile_and_run(&format!("int g; int f(int a, int b) {{ {body} }}"));
    }
}

#[test]
fn pathological_inputs_are_diagnosed() {
    for src in [
        "(".repeat(100_000),
        format!("int x = {}1{};", "(".repeat(5000), ")".repeat(5000)),
        format!("void f(void) {{ {} }}", "{".repeat(3000)),
        format!("int x = {}1;", "-".repeat(20_000)),
        "#define A A A\nA".to_string(),
        "\"unterminated".to_string(),
        "/* unterminated".to_string(),
        "int a[99999999999];".to_string(),
        format!("int x = {}1{};", "{".repeat(50_000), "}".repeat(50_000)),
        format!("{}int x;{}", "struct a { ".repeat(5000), " };".repeat(5000)),
        format!("int {}x{};", "(".repeat(50_000), ")".repeat(50_000)),
    ] {
        let _ = check_source(src.as_bytes());
    }
}
