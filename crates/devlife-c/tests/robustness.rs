//! Arbitrary input never panics the front end or the interpreter, and the
//! parser always ends: with a tree, or with one located syntax error
//! (checked on token soup and on the kernel files cut short at many places).

mod common;

use common::{kernel_file, KERNEL_FILES, KERNEL_PRELUDE};
use devlife_c::pp::{preprocess, PpToken};
use devlife_c::syntax::{parse, Tokens};
use devlife_c::{check_source, compile, Files, Interp, Limits, SimpleEnv, Source, Value};
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
    "short",
    "signed",
    "_Bool",
    "extern",
    "inline",
    "const",
    "volatile",
    "__attribute__",
    "typeof",
    "_Alignof",
    "offsetof",
    "_Generic",
    "asm",
    "T",
    "+=",
    "|",
    "^",
    "&&",
    "||",
    "==",
    "!=",
    "<",
    ">",
    ">>",
];

fn soup_of(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), len).prop_map(|v| v.join(" "))
}

fn soup() -> impl Strategy<Value = String> {
    soup_of(0..80)
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

/// Parses `toks`; on an error, checks that it is located and says what
/// went wrong.
fn parse_checked(toks: &[PpToken]) {
    let tokens = Tokens::new(toks.to_vec());
    let last_line = toks.last().map_or(0, |t| t.site.line);
    if let Err((site, msg)) = parse(tokens, &|n| n == "T") {
        assert!(
            msg.starts_with("syntax error: expected ")
                || msg.starts_with("stray `")
                || msg == "construct nested too deeply",
            "{msg}"
        );
        assert!(
            site.line >= 1 && site.line <= last_line.max(1),
            "{msg} at line {}",
            site.line
        );
    }
}

fn pp_tokens(sources: &[Source<'_>]) -> Vec<PpToken> {
    let mut files = Files::new();
    preprocess(&mut files, sources).tokens
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn token_soup_parses_or_fails_at_a_site(src in soup_of(0..200)) {
        parse_checked(&pp_tokens(&[Source::new("soup.c", &src)]));
    }

    #[test]
    fn soup_in_a_function_parses_or_fails_at_a_site(src in soup_of(0..200)) {
        let src = format!("typedef int T;\nint f(int x) {{\n{src}\n}}\n");
        parse_checked(&pp_tokens(&[Source::new("soup.c", &src)]));
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

#[test]
fn kernel_files_cut_short_anywhere_parse_or_fail_at_a_site() {
    let prelude = pp_tokens(&[Source::new("kernel.h", KERNEL_PRELUDE)]).len();
    for path in KERNEL_FILES {
        let text = kernel_file(path);
        let toks = pp_tokens(&[
            Source::new("kernel.h", KERNEL_PRELUDE),
            Source::new(path, &text),
        ]);
        let own = toks.len() - prelude;
        for k in 0..=60 {
            parse_checked(&toks[..prelude + own * k / 60]);
        }
        // And the file's text cut at a byte, through the whole front end.
        let bytes = text.as_bytes();
        for k in 1..=10 {
            let cut = &bytes[..bytes.len() * k / 10];
            let d = check_source(cut);
            assert!(d.iter().all(|d| d.line >= 1), "{path}: {d:?}");
        }
    }
}
