//! Unit tests of the parser, one construct at a time. Trees are written as
//! S-expressions: `(kind field: (kind ...) ...)`, a leaf with its text, an
//! anonymous token as its quoted text.

use super::{parse, Field, Kind, Node, Tokens};
use crate::pp::preprocess;
use crate::source::{Files, Source};

fn sexp(n: Node<'_>, out: &mut String) {
    if let Some(f) = n.field().name() {
        out.push_str(f);
        out.push_str(": ");
    }
    if n.kind() == Kind::Token {
        out.push_str(&format!("{:?}", n.text()));
        return;
    }
    out.push('(');
    out.push_str(n.kind().name());
    let atom = matches!(
        n.kind(),
        Kind::Identifier
            | Kind::TypeIdentifier
            | Kind::FieldIdentifier
            | Kind::StatementIdentifier
            | Kind::PrimitiveType
            | Kind::StorageClassSpecifier
            | Kind::TypeQualifier
            | Kind::GnuAsmQualifier
            | Kind::NumberLiteral
            | Kind::StringLiteral
            | Kind::CharLiteral
    );
    if atom {
        out.push(' ');
        out.push_str(n.text());
    }
    for k in n.children() {
        out.push(' ');
        sexp(k, out);
    }
    out.push(')');
}

/// Parses `src`, with `lib` the library's typedef names.
fn parse_with(src: &str, lib: &[&str]) -> Result<String, (u32, u32, String)> {
    let mut files = Files::new();
    let pp = preprocess(&mut files, &[Source::new("t.c", src)]);
    assert!(pp.errors.is_empty(), "{:?}", pp.errors);
    let tokens = Tokens::new(pp.tokens);
    let tree = parse(tokens, &|n| lib.contains(&n)).map_err(|(s, m)| (s.line, s.column, m))?;
    let mut out = String::new();
    for (i, item) in tree.root().children().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        sexp(item, &mut out);
    }
    Ok(out)
}

/// The top-level items of `src` as S-expressions, one per line.
fn tree(src: &str) -> String {
    match parse_with(src, &[]) {
        Ok(t) => t,
        Err(e) => panic!("{src:?} does not parse: {e:?}"),
    }
}

/// The statements of the body of `void f(void) { body }`.
fn body(body: &str) -> String {
    let t = tree(&format!("void f(void) {{\n{body}\n}}"));
    let start = t.find("body: (compound_statement").expect("a body") + 26;
    let inner = &t[start..t.len() - 2];
    inner.trim().to_string()
}

/// The syntax error of `src`: line, column and message.
fn error(src: &str) -> (u32, u32, String) {
    match parse_with(src, &[]) {
        Ok(t) => panic!("{src:?} parses: {t}"),
        Err(e) => e,
    }
}

#[test]
fn declarations_with_several_declarators() {
    assert_eq!(
        tree("int x, *p = 0, a[3];"),
        "(declaration type: (primitive_type int) declarator: (identifier x) \
         declarator: (init_declarator declarator: (pointer_declarator declarator: (identifier p)) \
         value: (number_literal 0)) declarator: (array_declarator declarator: (identifier a) \
         size: (number_literal 3)))"
    );
}

#[test]
fn sized_types_take_their_keywords_and_leave_a_builtin_typedef_name() {
    assert_eq!(
        tree("unsigned long long x; long int unsigned y; typedef unsigned long size_t;"),
        "(declaration type: (sized_type_specifier) declarator: (identifier x))\n\
         (declaration type: (sized_type_specifier type: (primitive_type int)) declarator: (identifier y))\n\
         (type_definition type: (sized_type_specifier) declarator: (primitive_type size_t))"
    );
    assert_eq!(
        tree("typedef _Bool bool;"),
        "(type_definition type: (primitive_type _Bool) declarator: (primitive_type bool))"
    );
}

#[test]
fn gnu_spellings_are_their_keywords_and_extension_and_restrict_are_dropped() {
    assert_eq!(
        tree("__extension__ static __inline__ const int * __restrict f;"),
        "(declaration (storage_class_specifier __inline__) (type_qualifier const) \
         type: (primitive_type int) declarator: (pointer_declarator declarator: (identifier f)))"
            .replace(
                "(declaration (storage",
                "(declaration (storage_class_specifier static) (storage"
            )
    );
}

#[test]
fn a_typedef_name_makes_a_cast_where_tree_sitter_guesses() {
    let t = tree("typedef int T;\nint f(int x) { return (T)-x + (T)(x) + sizeof(T) + sizeof(x); }");
    assert!(t.contains(
        "(cast_expression type: (type_descriptor type: (type_identifier T)) \
         value: (unary_expression operator: \"-\" argument: (identifier x)))"
    ));
    assert!(t.contains(
        "(cast_expression type: (type_descriptor type: (type_identifier T)) \
         value: (parenthesized_expression (identifier x)))"
    ));
    assert!(t.contains("(sizeof_expression type: (type_descriptor type: (type_identifier T)))"));
    assert!(t.contains("(sizeof_expression value: (parenthesized_expression (identifier x)))"));
}

#[test]
fn names_in_blocks_hide_typedef_names_until_the_block_ends() {
    let t = tree("typedef int T;\nvoid f(void) { { int T = 1; T * 2; } T * x; }");
    assert!(t.contains(
        "(expression_statement (binary_expression left: (identifier T) operator: \"*\" \
         right: (number_literal 2)))"
    ));
    assert!(t.contains(
        "(declaration type: (type_identifier T) declarator: (pointer_declarator \
         declarator: (identifier x)))"
    ));
    // A parameter hides a typedef name in the function's body.
    let t = tree("typedef int T;\nint g(int T) { return (T) + 1; }");
    assert!(t.contains("(binary_expression left: (parenthesized_expression (identifier T))"));
    // A block-scope typedef is a type name in its block only.
    let t = tree("int U;\nvoid h(void) { { typedef int U; U * a; } U * 2; }");
    assert!(t.contains("(declaration type: (type_identifier U)"));
    assert!(t.contains("(binary_expression left: (identifier U)"));
}

#[test]
fn a_unit_starts_from_the_librarys_typedef_names() {
    let t = parse_with("int f(long x) { return (u8)-x; }", &["u8"]).expect("parses");
    assert!(t.contains("(cast_expression type: (type_descriptor type: (type_identifier u8))"));
    let t = parse_with("int f(long x) { return (u8)-x; }", &[]).expect("parses");
    assert!(t.contains("(binary_expression left: (parenthesized_expression (identifier u8))"));
}

#[test]
fn an_unknown_name_before_a_name_is_a_type_so_the_lowerer_can_name_it() {
    assert_eq!(
        body("foo_t x;"),
        "(declaration type: (type_identifier foo_t) declarator: (identifier x))"
    );
    assert_eq!(
        body("x = (foo_t) y;"),
        "(expression_statement (assignment_expression left: (identifier x) operator: \"=\" \
         right: (cast_expression type: (type_descriptor type: (type_identifier foo_t)) \
         value: (identifier y))))"
    );
    assert_eq!(
        tree("DEFINE_THING(x);"),
        "(expression_statement (call_expression function: (identifier DEFINE_THING) \
         arguments: (argument_list (identifier x))))"
    );
}

#[test]
fn function_pointers_and_abstract_declarators() {
    assert_eq!(
        tree("void (*signal(int, void (*)(int)))(int);"),
        "(declaration type: (primitive_type void) declarator: (function_declarator \
         declarator: (parenthesized_declarator (pointer_declarator declarator: \
         (function_declarator declarator: (identifier signal) parameters: (parameter_list \
         (parameter_declaration type: (primitive_type int)) (parameter_declaration \
         type: (primitive_type void) declarator: (abstract_function_declarator declarator: \
         (abstract_parenthesized_declarator (abstract_pointer_declarator)) parameters: \
         (parameter_list (parameter_declaration type: (primitive_type int))))))))) \
         parameters: (parameter_list (parameter_declaration type: (primitive_type int)))))"
    );
    assert_eq!(
        body("(void)sizeof(int *[3]);"),
        "(expression_statement (cast_expression type: (type_descriptor type: (primitive_type void)) \
         value: (sizeof_expression type: (type_descriptor type: (primitive_type int) \
         declarator: (abstract_pointer_declarator declarator: (abstract_array_declarator \
         size: (number_literal 3)))))))"
    );
    assert_eq!(
        tree("void f(int a[*], int (int));"),
        "(declaration type: (primitive_type void) declarator: (function_declarator declarator: \
         (identifier f) parameters: (parameter_list (parameter_declaration type: (primitive_type int) \
         declarator: (array_declarator declarator: (identifier a) size: \"*\")) \
         (parameter_declaration type: (primitive_type int) declarator: (abstract_function_declarator \
         parameters: (parameter_list (parameter_declaration type: (primitive_type int))))))))"
    );
}

#[test]
fn structs_with_bit_fields_and_attributes() {
    assert_eq!(
        tree("struct __attribute__((packed)) s { int a : 3, b; int : 0; } __attribute__((aligned(8)));"),
        "(struct_specifier (attribute_specifier (argument_list (identifier packed))) name: (type_identifier s) body: (field_declaration_list \
         (field_declaration type: (primitive_type int) declarator: (field_identifier a) \
         (bitfield_clause (number_literal 3)) declarator: (field_identifier b)) \
         (field_declaration type: (primitive_type int) (bitfield_clause (number_literal 0)))) \
         (attribute_specifier (argument_list (call_expression function: (identifier aligned) \
         arguments: (argument_list (number_literal 8))))))"
    );
    assert!(
        tree("void f(void) __attribute__((const, noreturn));").contains(
            "(attribute_specifier (argument_list (identifier const) (identifier noreturn)))"
        )
    );
}

#[test]
fn enums_and_their_constants() {
    assert_eq!(
        tree("enum e { A, B = 2, };"),
        "(enum_specifier name: (type_identifier e) body: (enumerator_list (enumerator \
         name: (identifier A)) (enumerator name: (identifier B) value: (number_literal 2))))"
    );
    // An enumerator hides a typedef name.
    let t = tree("typedef int T;\nvoid f(void) { enum { T }; int x = (T) - 1; }");
    assert!(t.contains("(binary_expression left: (parenthesized_expression (identifier T))"));
}

#[test]
fn designated_and_nested_initializers() {
    assert_eq!(
        tree("struct s v = { .a.b = 1, [2 ... 3] = { 4 }, [0] = 5, x: 6, 7, };"),
        "(declaration type: (struct_specifier name: (type_identifier s)) declarator: \
         (init_declarator declarator: (identifier v) value: (initializer_list (initializer_pair \
         designator: (field_designator (field_identifier a)) designator: (field_designator \
         (field_identifier b)) value: (number_literal 1)) (initializer_pair designator: \
         (subscript_range_designator start: (number_literal 2) end: (number_literal 3)) \
         value: (initializer_list (number_literal 4))) (initializer_pair designator: \
         (subscript_designator (number_literal 0)) value: (number_literal 5)) \
         (initializer_pair designator: (field_identifier x) value: (number_literal 6)) \
         (number_literal 7))))"
    );
}

#[test]
fn compound_literals_casts_and_statement_expressions() {
    assert_eq!(
        body("x = (struct p){ 1 }.a + ({ int t = 2; t; });"),
        "(expression_statement (assignment_expression left: (identifier x) operator: \"=\" \
         right: (binary_expression left: (field_expression argument: \
         (compound_literal_expression type: (type_descriptor type: (struct_specifier \
         name: (type_identifier p))) value: (initializer_list (number_literal 1))) \
         operator: \".\" field: (field_identifier a)) operator: \"+\" right: \
         (parenthesized_expression (compound_statement (declaration type: (primitive_type int) \
         declarator: (init_declarator declarator: (identifier t) value: (number_literal 2))) \
         (expression_statement (identifier t)))))))"
    );
}

#[test]
fn precedence_associativity_and_tree_sitters_shapes() {
    assert_eq!(
        body("a = b = c ? d : e ? f : g;"),
        "(expression_statement (assignment_expression left: (identifier a) operator: \"=\" \
         right: (assignment_expression left: (identifier b) operator: \"=\" right: \
         (conditional_expression condition: (identifier c) consequence: (identifier d) \
         alternative: (conditional_expression condition: (identifier e) consequence: \
         (identifier f) alternative: (identifier g))))))"
    );
    // A comma expression nests to the right; `?:` may omit its middle.
    assert_eq!(
        body("a, b, c ?: d;"),
        "(expression_statement (comma_expression left: (identifier a) right: \
         (comma_expression left: (identifier b) right: (conditional_expression \
         condition: (identifier c) alternative: (identifier d)))))"
    );
    assert_eq!(
        body("x = a - b - c * -*p++;"),
        "(expression_statement (assignment_expression left: (identifier x) operator: \"=\" \
         right: (binary_expression left: (binary_expression left: (identifier a) operator: \"-\" \
         right: (identifier b)) operator: \"-\" right: (binary_expression left: (identifier c) \
         operator: \"*\" right: (unary_expression operator: \"-\" argument: (pointer_expression \
         operator: \"*\" argument: (update_expression argument: (identifier p) operator: \"++\")))))))"
    );
    assert_eq!(
        body("x = sizeof a + 1;"),
        "(expression_statement (assignment_expression left: (identifier x) operator: \"=\" \
         right: (binary_expression left: (sizeof_expression value: (identifier a)) operator: \
         \"+\" right: (number_literal 1))))"
    );
}

#[test]
fn postfix_chains() {
    assert_eq!(
        body("a[1]->b.c(2)(3)--;"),
        "(expression_statement (update_expression argument: (call_expression function: \
         (call_expression function: (field_expression argument: (field_expression argument: \
         (subscript_expression argument: (identifier a) index: (number_literal 1)) operator: \
         \"->\" field: (field_identifier b)) operator: \".\" field: (field_identifier c)) \
         arguments: (argument_list (number_literal 2))) arguments: (argument_list \
         (number_literal 3))) operator: \"--\"))"
    );
}

#[test]
fn strings_concatenate_with_names_between() {
    assert_eq!(
        body("s = \"a\" \"b\"; s = \"a\" X \"b\"; s = Y \"c\";"),
        "(expression_statement (assignment_expression left: (identifier s) operator: \"=\" \
         right: (concatenated_string (string_literal \"a\") (string_literal \"b\"))))\n\
         (expression_statement (assignment_expression left: (identifier s) operator: \"=\" \
         right: (concatenated_string (string_literal \"a\") (identifier X) (string_literal \"b\"))))\n\
         (expression_statement (assignment_expression left: (identifier s) operator: \"=\" \
         right: (concatenated_string (identifier Y) (string_literal \"c\"))))"
            .replace('\n', " ")
    );
}

#[test]
fn offsetof_becomes_a_constant_member_address() {
    assert_eq!(
        body("x = __builtin_offsetof(struct s, a.b[1]);"),
        "(expression_statement (assignment_expression left: (identifier x) operator: \"=\" \
         right: (parenthesized_expression (cast_expression type: (type_descriptor type: \
         (sized_type_specifier)) value: (pointer_expression operator: \"&\" argument: \
         (subscript_expression argument: (field_expression argument: (field_expression \
         argument: (parenthesized_expression (cast_expression type: (type_descriptor type: \
         (struct_specifier name: (type_identifier s)) declarator: (abstract_pointer_declarator)) \
         value: (number_literal 0))) operator: \"->\" field: (field_identifier a)) operator: \
         \".\" field: (field_identifier b)) index: (number_literal 1)))))))"
    );
    // Without a comma it is left as written: tree-sitter-c's keyword form.
    let (_, _, msg) = error("int x = offsetof(struct s);");
    assert_eq!(
        msg,
        "syntax error: expected `,` after the type in `offsetof`, found `)`"
    );
}

#[test]
fn typeof_alignof_generic_and_asm() {
    assert_eq!(
        body("typeof(x) y;"),
        "(declaration type: (macro_type_specifier name: (identifier typeof) type: \
         (type_descriptor type: (type_identifier x))) declarator: (identifier y))"
    );
    assert_eq!(
        body("n = _Alignof(long) + _Generic(n, int: 1, long: 2);"),
        "(expression_statement (assignment_expression left: (identifier n) operator: \"=\" \
         right: (binary_expression left: (alignof_expression type: (type_descriptor type: \
         (sized_type_specifier))) operator: \"+\" right: (generic_expression (identifier n) \
         (type_descriptor type: (primitive_type int)) (number_literal 1) (type_descriptor \
         type: (primitive_type long)) (number_literal 2)))))"
            .replace("(primitive_type long)", "(sized_type_specifier)")
    );
    assert_eq!(
        body("asm volatile(\"nop\" : \"=r\"(x) : [v] \"r\"(y) : \"memory\");"),
        "(expression_statement (gnu_asm_expression (gnu_asm_qualifier volatile) \
         assembly_code: (string_literal \"nop\") output_operands: \
         (gnu_asm_output_operand_list operand: (gnu_asm_output_operand constraint: \
         (string_literal \"=r\") value: (identifier x))) input_operands: \
         (gnu_asm_input_operand_list operand: (gnu_asm_input_operand symbol: (identifier v) \
         constraint: (string_literal \"r\") value: (identifier y))) clobbers: \
         (gnu_asm_clobber_list register: (string_literal \"memory\"))))"
    );
}

#[test]
fn statements() {
    assert_eq!(
        body("if (a) b; else if (c) d; else { }"),
        "(if_statement condition: (parenthesized_expression (identifier a)) consequence: \
         (expression_statement (identifier b)) alternative: (else_clause (if_statement \
         condition: (parenthesized_expression (identifier c)) consequence: \
         (expression_statement (identifier d)) alternative: (else_clause (compound_statement)))))"
    );
    assert_eq!(
        body("switch (x) { case 1: case 2: y; break; default: ; }"),
        "(switch_statement condition: (parenthesized_expression (identifier x)) body: \
         (compound_statement (case_statement value: (number_literal 1)) (case_statement \
         value: (number_literal 2) (expression_statement (identifier y)) (break_statement)) \
         (case_statement (expression_statement))))"
    );
    assert_eq!(
        body("for (int i = 0; i < n; i++) continue; for (;;) break; while (x) do ; while (y);"),
        "(for_statement initializer: (declaration type: (primitive_type int) declarator: \
         (init_declarator declarator: (identifier i) value: (number_literal 0))) condition: \
         (binary_expression left: (identifier i) operator: \"<\" right: (identifier n)) update: \
         (update_expression argument: (identifier i) operator: \"++\") body: \
         (continue_statement)) (for_statement body: (break_statement)) (while_statement \
         condition: (parenthesized_expression (identifier x)) body: (do_statement body: \
         (expression_statement) condition: (parenthesized_expression (identifier y))))"
    );
    assert_eq!(
        body("goto out; out: return 1, 2;"),
        "(goto_statement label: (statement_identifier out)) (labeled_statement label: \
         (statement_identifier out) (return_statement (comma_expression left: \
         (number_literal 1) right: (number_literal 2))))"
    );
}

#[test]
fn tokens_and_sites_of_nodes() {
    let mut files = Files::new();
    let pp = preprocess(&mut files, &[Source::new("t.c", "int\nf(void)\n{\n}\n")]);
    let tree = parse(Tokens::new(pp.tokens), &|_| false).expect("parses");
    let f = tree.root().named_child(0).expect("a definition");
    assert_eq!(f.kind(), Kind::FunctionDefinition);
    assert_eq!((f.site().line, f.end_site().line), (1, 4));
    assert_eq!(f.child(Field::Body).map(|b| b.token_range()), Some(5..7));
    assert_eq!(f.named_child_count(), 3);
}

#[test]
fn syntax_errors_name_what_was_expected_where() {
    // A missing `;` is reported where its line ends; the next line's
    // token (perhaps from a macro's expansion) is not named.
    assert_eq!(
        error("int f(void) {\n  return 0\n}\n"),
        (2, 10, "syntax error: expected `;` after `return`".into())
    );
    assert_eq!(
        error("int f(void) { return 0 }"),
        (
            1,
            24,
            "syntax error: expected `;` after `return`, found `}`".into()
        )
    );
    assert_eq!(
        error("int f(void) {\n  int x = (1 + ;\n}"),
        (
            2,
            16,
            "syntax error: expected an expression, found `;`".into()
        )
    );
    assert_eq!(
        error("int f(void) { g(1, 2; }"),
        (
            1,
            21,
            "syntax error: expected `)` after the arguments, found `;`".into()
        )
    );
    assert_eq!(
        error("int f(void) {\n  if (x) {\n    y();\n"),
        (
            3,
            8,
            "syntax error: expected `}` at the end of the block, found end of file \
             (to close the `{` on line 2)"
                .into()
        )
    );
    assert_eq!(
        error("int x;\n42;"),
        (
            2,
            1,
            "syntax error: expected a declaration, found `42`".into()
        )
    );
    assert_eq!(
        error("struct s { int a }"),
        (
            1,
            18,
            "syntax error: expected `;` after the member, found `}`".into()
        )
    );
    assert_eq!(error("int a # b;").2, "stray `#` in program");
}

#[test]
fn nesting_is_bounded_by_a_diagnostic() {
    for src in [
        format!("int x = {}1{};", "(".repeat(5000), ")".repeat(5000)),
        format!("int x = {}1;", "-".repeat(5000)),
        format!("void f(void) {{ {} }}", "{".repeat(5000)),
        format!("int x = {}1{};", "{".repeat(5000), "}".repeat(5000)),
        format!("int {}x{};", "(".repeat(5000), ")".repeat(5000)),
        format!("int {}x;", "*".repeat(5000)),
        format!("{}int x;{}", "struct a { ".repeat(5000), " };".repeat(5000)),
        format!("int x = 1{};", " ? 1 : 1".repeat(5000)),
    ] {
        assert_eq!(error(&src).2, "construct nested too deeply");
    }
    // The bound is the lowerer's: 200 levels parse.
    let src = format!("int x = {}1{};", "(".repeat(200), ")".repeat(200));
    assert!(parse_with(&src, &[]).is_ok());
}
