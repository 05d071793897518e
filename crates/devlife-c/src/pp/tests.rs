use super::*;
use crate::source::Source;

fn pp_all(src: &str) -> PpOutput {
    let mut files = Files::new();
    preprocess(&mut files, &[Source::new("t.c", src)])
}

/// Output tokens joined by single spaces.
fn pp(src: &str) -> String {
    let out = pp_all(src);
    assert!(out.errors.is_empty(), "errors: {:?}", out.errors);
    join(&out.tokens)
}

fn join(toks: &[PpToken]) -> String {
    toks.iter()
        .map(|t| t.text.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn object_and_function_macros() {
    assert_eq!(pp("#define A 1 + 2\nint x = A;"), "int x = 1 + 2 ;");
    assert_eq!(
        pp("#define F(a, b) ((a) * (b))\nF(1, 2+3)"),
        "( ( 1 ) * ( 2 + 3 ) )"
    );
    assert_eq!(pp("#define F(a) a\nF"), "F");
    assert_eq!(pp("#define F() 7\nF()"), "7");
    assert_eq!(pp("#define F(x) [x]\nF()"), "[ ]");
}

#[test]
fn stringification_normalizes_whitespace() {
    assert_eq!(
        pp("#define S(x) #x\nS(   a    +\n   b   \"str\\n\"  'c'   )"),
        r#""a + b \"str\\n\" 'c'""#
    );
    assert_eq!(
        pp("#define S(x) #x\nS( /* c */ x /* d */ y\n z)"),
        "\"x y z\""
    );
    assert_eq!(pp("#define S(x) #x\nS()"), "\"\"");
    assert_eq!(
        pp("#define S(x) #x\n#define XS(x) S(x)\nXS(__LINE__)"),
        "\"3\""
    );
}

#[test]
fn token_pasting() {
    assert_eq!(
        pp("#define C(a,b) a##b\nC(x, 1) C(, y) C(z, ) C(,)"),
        "x1 y z"
    );
    assert_eq!(pp("#define C(a,b) p a ## b q\nC(,)"), "p q");
    assert_eq!(pp("#define C(a,b,c) a ## b ## c\nC(x,,z)"), "xz");
    assert_eq!(pp("#define C(a,b) a##b\nC(__LI, NE__)"), "2");
    let bad = pp_all("#define C(a,b) a##b\nC(+, /)");
    assert_eq!(bad.errors.len(), 1);
    assert!(bad.errors[0].1.contains("pasting"));
}

#[test]
fn variadic_macros() {
    let src = "#define E(x, ...) g(x, ## __VA_ARGS__)\nE(1); E(1,); E(1,2,3); E();";
    assert_eq!(pp(src), "g ( 1 ) ; g ( 1 , ) ; g ( 1 , 2 , 3 ) ; g ( ) ;");
    let src = "#define V(...) f(0, ##__VA_ARGS__)\nV() V(1) V(,)";
    assert_eq!(pp(src), "f ( 0 ) f ( 0 , 1 ) f ( 0 , , )");
    assert_eq!(
        pp("#define V(...) f(__VA_ARGS__)\nV(a, (b, c), d)"),
        "f ( a , ( b , c ) , d )"
    );
    assert_eq!(
        pp("#define N(fmt, args...) p(fmt, ## args)\nN(1) N(1, 2)"),
        "p ( 1 ) p ( 1 , 2 )"
    );
    assert_eq!(
        pp("#define O(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)\nO(1) O(1, 2)"),
        "f ( 1 ) f ( 1 , 2 )"
    );
}

#[test]
fn blue_paint_stops_recursion() {
    assert_eq!(pp("#define foo foo a\nfoo"), "foo a");
    assert_eq!(pp("#define f(x) x f\nf(1)(2)"), "1 f ( 2 )");
    assert_eq!(pp("#define a b\n#define b a\na b"), "a b");
    // C standard example
    let src = "#define x 3\n#define f(a) f(x * (a))\n#undef x\n#define x 2\n#define g f\n#define z z[0]\nf(y+1) + f(f(z)) % g(z)";
    assert_eq!(
        pp(src),
        "f ( 2 * ( y + 1 ) ) + f ( 2 * ( f ( 2 * ( z [ 0 ] ) ) ) ) % f ( 2 * ( z [ 0 ] ) )"
    );
}

#[test]
fn counter_and_file() {
    assert_eq!(pp("__COUNTER__ __COUNTER__ __FILE__"), "0 1 \"t.c\"");
    assert_eq!(pp("#define F(x) x x\nF(__COUNTER__)"), "0 0");
}

#[test]
fn line_follows_gcc() {
    // Expected values produced by `gcc -E -P` (GCC 12).
    let src = "#define M(a, b) f(a, b, __LINE__)\n\
#define P(x) x\n\
#define Q(x) M(x, __LINE__)\n\
#define CALL(m) m(1,2)\n\
P(\n\
M(1,2));\n\
M(__LINE__,\n\
__LINE__);\n\
Q(\n\
__LINE__);\n\
P(\n\
Q(1));\n\
CALL(\n\
M);\n\
M\n\
(3,4);\n\
int y = M(L,\n\
  1\n\
  );\n";
    assert_eq!(
        pp(src),
        "f ( 1 , 2 , 6 ) ; f ( 7 , 8 , 7 ) ; f ( 10 , 9 , 9 ) ; f ( 1 , 12 , 12 ) ; \
f ( 1 , 2 , 13 ) ; f ( 3 , 4 , 15 ) ; int y = f ( L , 1 , 17 ) ;"
    );
}

#[test]
fn line_matches_gcc_when_available() {
    let src = "#define M(a, b) f(a, b, __LINE__)\n#define L __LINE__\n#define P(x) x\n\
int x = M(1,\n  2);\nint y = M(L,\n  L\n  );\nP(\nM(L,\nL));\nM\n(1,2);\n";
    let dir = std::env::temp_dir().join(format!("devlife-c-line-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let file = dir.join("l.c");
    if std::fs::write(&file, src).is_err() {
        return;
    }
    let Ok(out) = std::process::Command::new("gcc")
        .arg("-E")
        .arg("-P")
        .arg(&file)
        .output()
    else {
        return; // gcc not installed
    };
    let gcc_text = String::from_utf8_lossy(&out.stdout).to_string();
    let gcc_toks = join(&lex::lex(crate::source::FileId(0), gcc_text.as_bytes()));
    assert_eq!(pp(src), gcc_toks);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn expanded_tokens_map_to_invocation() {
    let out = pp_all("#define F(a) (a + 1)\nint x =\n  F(\n  2);");
    let sites: Vec<_> = out
        .tokens
        .iter()
        .map(|t| (t.text.to_string(), t.site.line, t.site.column))
        .collect();
    assert_eq!(sites[0], ("int".into(), 2, 1));
    for s in &sites[3..] {
        if s.0 != ";" {
            assert_eq!((s.1, s.2), (3, 3), "{s:?}");
        }
    }
}

#[test]
fn prelude_macros_visible_in_user_file() {
    let mut files = Files::new();
    let out = preprocess(
        &mut files,
        &[
            Source::new("prelude.h", "#define TWICE(x) ((x) * 2)\n#define LOC __FILE__ \":\" S(__LINE__)\n#define S(x) #x"),
            Source::new("user.c", "#include <linux/device.h>\nint a = TWICE(3);\nconst char *w = __FILE__;"),
        ],
    );
    assert!(out.errors.is_empty());
    assert_eq!(
        join(&out.tokens),
        "int a = ( ( 3 ) * 2 ) ; const char * w = \"user.c\" ;"
    );
    assert_eq!(out.includes.len(), 1);
    assert_eq!(out.includes[0].header, "<linux/device.h>");
    assert_eq!(files.name(out.tokens[0].site.file), "user.c");
}

#[test]
fn conditionals() {
    let src = "#define A 2\n#if A == 2 && defined(A) && !defined B\nyes\n#elif 1\nno1\n#else\nno2\n#endif\n\
#ifdef B\nno3\n#elif A > 1\nyes2\n#endif\n#ifndef B\nyes3\n#endif\n#if 0\n#if 1\nno4\n#endif\ndon't\n#else\nyes4\n#endif\n\
#if __has_attribute(x) || __has_include(<a.h>)\nno5\n#endif";
    assert_eq!(pp(src), "yes yes2 yes3 yes4");
}

#[test]
fn undef_error_pragma() {
    assert_eq!(
        pp("#define A 1\n#undef A\nA\n#pragma once\n_Pragma(\"x\") b"),
        "A b"
    );
    let out = pp_all("#error stop here\n");
    assert_eq!(out.errors.len(), 1);
    assert!(out.errors[0].1.contains("stop here"));
    assert_eq!(out.errors[0].0.line, 1);
}

#[test]
fn malformed_input_reports_errors() {
    for src in [
        "#if\n#endif",
        "#endif",
        "#else",
        "#if 1",
        "#define",
        "#define F(a, a) a",
        "#define F(a b) a",
        "#define F(a) #b",
        "#define F(a) x\nF(1, 2)",
        "#define F(a) x\nF(1",
        "#bogus",
        "#if 1/0\n#endif",
    ] {
        let out = pp_all(src);
        assert!(!out.errors.is_empty(), "no error for {src:?}");
    }
}

#[test]
fn exponential_expansion_is_bounded() {
    let mut src = String::from("#define a0 x x\n");
    for i in 1..40 {
        src.push_str(&format!("#define a{i} a{} a{}\n", i - 1, i - 1));
    }
    src.push_str("a39\n");
    let mut files = Files::new();
    let out = preprocess_with_budget(&mut files, &[Source::new("t.c", &src)], 20_000);
    assert!(out.errors.iter().any(|e| e.1.contains("too large")));
}

#[test]
fn deeply_nested_arguments_are_bounded() {
    let src = format!("#define F(x) x\n{}1{}", "F(".repeat(5000), ")".repeat(5000));
    let out = pp_all(&src);
    assert!(!out.errors.is_empty());
}

#[test]
fn hideset_union_is_the_sorted_set_union_and_shares_when_nothing_is_added() {
    let set = |v: &[u32]| -> Hideset { Some(Rc::from(v.to_vec())) };
    let ids = |h: &Hideset| h.as_deref().map(<[u32]>::to_vec).unwrap_or_default();
    let cases: [(&[u32], &[u32], &[u32]); 5] = [
        (&[1, 4, 9], &[2, 4, 10], &[1, 2, 4, 9, 10]),
        (&[1, 2, 3], &[2], &[1, 2, 3]),
        (&[5], &[1, 5, 7], &[1, 5, 7]),
        (&[3], &[3], &[3]),
        (&[2, 8], &[1, 9], &[1, 2, 8, 9]),
    ];
    for (a, b, want) in cases {
        assert_eq!(
            ids(&super::hs_union(&set(a), &set(b))),
            want,
            "{a:?} ∪ {b:?}"
        );
        assert_eq!(
            ids(&super::hs_union(&set(b), &set(a))),
            want,
            "{b:?} ∪ {a:?}"
        );
    }
    let big = set(&[1, 2, 3]);
    let shared = super::hs_union(&big, &set(&[2]));
    assert!(Rc::ptr_eq(
        big.as_ref().expect("some"),
        shared.as_ref().expect("some")
    ));
    assert_eq!(ids(&super::hs_union(&None, &set(&[4]))), [4]);
}
