use crate::diagnostics::Diagnostic;
use crate::program::compile;
use crate::source::Source;

fn diags(src: &str) -> Vec<Diagnostic> {
    match compile(&[Source::new("foo.c", src)]) {
        Ok(_) => Vec::new(),
        Err(d) => d,
    }
}

/// Asserts exactly that the first diagnostic is at `line:col` and mentions `what`.
fn expect(src: &str, line: u32, col: u32, what: &str) {
    let d = diags(src);
    let Some(first) = d.first() else {
        panic!("no diagnostic for {src:?}");
    };
    assert_eq!(
        (first.file.as_str(), first.line, first.column),
        ("foo.c", line, col),
        "{first}"
    );
    assert!(first.message.contains(what), "{first}");
    assert!(
        first.message.ends_with(&format!("at foo.c:{line}:{col}")),
        "{first}"
    );
}

#[test]
fn unsupported_constructs_are_named() {
    expect(
        "void f(void) {\n    goto out;\nout:\n    return;\n}",
        2,
        5,
        "unsupported C construct `goto`",
    );
    expect("double d;", 1, 1, "floating-point type");
    expect(
        "int f(void) { return 1.5; }",
        1,
        22,
        "floating-point literal",
    );
    expect("struct s { int a : 3; };", 1, 18, "bit-field");
    expect(
        "void f(int n) { int a[n]; }",
        1,
        23,
        "variable-length array",
    );
    expect(
        "struct s { int a; };\nvoid g(struct s v) {}",
        2,
        8,
        "struct parameter",
    );
    expect(
        "struct s { int a; };\nstruct s g(void) { struct s x; return x; }",
        2,
        10,
        "returning a struct",
    );
    expect(
        "struct __attribute__((packed)) s { int a; };",
        1,
        8,
        "packed",
    );
    expect("void f(void) { asm(\"nop\"); }", 1, 16, "asm");
}

#[test]
fn semantic_errors_point_at_source() {
    expect(
        "int f(void) { return y; }",
        1,
        22,
        "undeclared identifier `y`",
    );
    expect(
        "struct s { int a; };\nint f(struct s *p) {\n  return p->b;\n}",
        3,
        10,
        "no member named `b`",
    );
    expect("int f(void) { break; }", 1, 15, "`break` outside");
    expect(
        "int g(int);\nint f(void) { return g(1, 2); }",
        2,
        22,
        "takes 1 arguments but 2",
    );
    expect(
        "struct t;\nint f(struct t *p) { return sizeof(*p); }",
        2,
        29,
        "incomplete type",
    );
    expect(
        "int f(int x) { switch (x) { case 1: case 1: return 0; } return 1; }",
        1,
        42,
        "duplicate case",
    );
    expect("int f(int x) { return x(); }", 1, 23, "not a function");
    expect(
        "struct t;\nstruct t v = {};",
        2,
        14,
        "initializer for incomplete type `struct t`",
    );
    expect(
        "struct t;\nstruct u { struct t *p; int n; };\nstruct t w = { 1 };",
        3,
        16,
        "initializer for incomplete type `struct t`",
    );
    expect("int x; int x = 1; int x = 2;", 1, 27, "redefinition");
}

#[test]
fn syntax_errors_point_at_source() {
    let d = diags("int f(void) {\n  int x = ;\n  return 0;\n}\n");
    assert_eq!(d.first().map(|d| d.line), Some(2));
    assert!(d[0].message.starts_with("syntax error"), "{}", d[0]);
    let d = diags("int f(void) {\n  return 0\n}\n");
    assert!(!d.is_empty());
    assert_eq!(d[0].line, 2);
}

#[test]
fn errors_inside_macros_point_at_invocation() {
    let src = "#define BAD(x) ((x) + undefined_thing)\nint f(int a) {\n  return\n    BAD(a);\n}";
    expect(src, 4, 5, "undeclared identifier `undefined_thing`");
}

#[test]
fn prelude_and_user_file_are_distinguished() {
    let r = compile(&[
        Source::new("prelude.h", "#define CHECK(x) check_it(x)\nint ok(void);"),
        Source::new("user.c", "int f(void) {\n  return CHECK(1);\n}"),
    ]);
    let d = r.err().unwrap_or_default();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].file.as_str(), d[0].line, d[0].column),
        ("user.c", 2, 10)
    );
}

#[test]
fn preprocessor_errors_are_diagnostics() {
    expect("#error nope\nint x;", 1, 1, "#error nope");
    expect("int x = 1;\n#if\n#endif", 2, 2, "#if with no expression");
    expect("int a = 'ab';", 1, 9, "multi-character");
    expect("int a = 1 @ 2;", 1, 11, "stray `@`");
}

#[test]
fn typedef_casts_and_sizeof_resolve() {
    let src = "typedef unsigned long long u64; typedef unsigned char u8;\n\
               u64 f(u64 z) { return (u64)-12 + (u8)(z) + sizeof(u8) + sizeof(u64); }";
    assert!(diags(src).is_empty(), "{:?}", diags(src));
}

#[test]
fn typeof_of_a_variable() {
    let src = "int f(void) { long x = 3; typeof(x) y = x; return sizeof(y); }";
    assert!(diags(src).is_empty(), "{:?}", diags(src));
}
