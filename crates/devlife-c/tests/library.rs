//! A unit compiled on a saved [`Library`] behaves as if the library preceded
//! it in one translation unit, and uses only what it reaches of it.

use devlife_c::{compile, Interp, Library, Limits, Program, SimpleEnv, Source, Value};

const LIB: &str = r#"
#define TWICE(x) ((x) * 2)
typedef unsigned long ulong;
struct pair { int a; long b; };
enum color { RED, GREEN = 5 };
int lib_external(int v);
int never_provided(void);
static inline int lib_helper(int v) { return lib_external(v) + 1; }
static inline int lib_unreached(void) { return never_provided(); }
const char *lib_name = "library";
int lib_counter = 7;
"#;

const UNIT: &str = r#"
struct holder { struct pair p; ulong n; };
int run(void)
{
	struct holder h = { .p = { .a = TWICE(GREEN) }, .n = sizeof(struct pair) };
	return lib_helper(h.p.a) + (int)h.n + lib_counter;
}
"#;

fn library() -> Library {
    Library::compile(&[Source::new("lib.h", LIB)]).expect("the library compiles")
}

fn env() -> SimpleEnv {
    let mut env = SimpleEnv::new();
    env.register("lib_external", |_, _, args, _| {
        Ok(Value::int(
            args.first().map_or(0, |v| v.as_i64() as i32) * 10,
        ))
    });
    env
}

fn run(program: Program) -> i64 {
    let mut env = env();
    // Compiled as one unit, the library's own unreached code counts too.
    env.register("never_provided", |_, _, _, _| Ok(Value::int(0)));
    let mut it = Interp::load(program, &mut env, Limits::default()).expect("loads");
    let f = it.function("run").expect("run is defined");
    it.call_function(&mut env, f, &[]).expect("runs").as_i64()
}

#[test]
fn a_unit_on_a_library_runs_as_one_translation_unit() {
    let on_library = library()
        .compile_unit(&[Source::new("unit.c", UNIT)])
        .expect("the unit compiles on the library");
    let whole = compile(&[Source::new("lib.h", LIB), Source::new("unit.c", UNIT)])
        .expect("the unit compiles with the library's text");
    // TWICE(GREEN) = 10; lib_helper(10) = 101; sizeof(struct pair) = 16; + 7.
    assert_eq!(run(on_library), 124);
    assert_eq!(run(whole), 124);
}

#[test]
fn only_what_the_unit_reaches_is_used() {
    let program = library()
        .compile_unit(&[Source::new("unit.c", UNIT)])
        .expect("compiles");
    let externals: Vec<&str> = program
        .used_externals()
        .map(|(_, f)| f.name.as_str())
        .collect();
    // never_provided is called only by lib_unreached, which nothing calls.
    assert_eq!(externals, ["lib_external"]);
    let reached = |name: &str| {
        let g = program.global(name).expect("declared");
        program.global_info(g).expect("exists").reachable
    };
    assert!(reached("lib_counter"));
    assert!(!reached("lib_name"), "nothing reads lib_name");
}

#[test]
fn unreached_library_globals_are_not_allocated() {
    let program = library()
        .compile_unit(&[Source::new("unit.c", UNIT)])
        .expect("compiles");
    let mut env = env();
    let it = Interp::load(program, &mut env, Limits::default()).expect("loads");
    let (_, counter, _) = it.global("lib_counter").expect("declared");
    let (_, name, _) = it.global("lib_name").expect("declared");
    assert_ne!(counter.0, 0);
    assert_eq!(name.0, 0, "an unreached library global has no storage");
    // One allocation for lib_counter; none for lib_name or its string.
    assert_eq!(env.memory.len(), 1);
}

#[test]
fn a_unit_calling_what_nothing_provides_is_reported_where_it_calls_it() {
    let unit = "int run(void) { return never_provided(); }\n";
    let program = library()
        .compile_unit(&[Source::new("unit.c", unit)])
        .expect("compiles");
    let mut env = env();
    let Err(devlife_c::LoadError::Unresolved(diags)) =
        Interp::load(program, &mut env, Limits::default())
    else {
        panic!("never_provided must be unresolved");
    };
    assert_eq!(diags.len(), 1);
    // The call, not the library's declaration (lib.h:7): that is the line
    // the unit's author can do something about.
    assert_eq!(
        (diags[0].file.as_str(), diags[0].line, diags[0].column),
        ("unit.c", 1, 24)
    );
}

#[test]
fn diagnostics_in_the_unit_name_the_unit() {
    let Err(diags) = library().compile_unit(&[Source::new("unit.c", "int x = ;\n")]) else {
        panic!("a syntax error must not compile");
    };
    assert_eq!((diags[0].file.as_str(), diags[0].line), ("unit.c", 1));
}

#[test]
fn a_saved_library_loads_back_to_the_same_bytes() {
    let bytes = library().to_bytes();
    let loaded = Library::from_bytes(&bytes).expect("loads");
    assert_eq!(loaded.to_bytes(), bytes);
    assert_eq!(library().to_bytes(), bytes, "saving is deterministic");
    assert!(Library::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    let program = loaded
        .compile_unit(&[Source::new("unit.c", UNIT)])
        .expect("compiles on the loaded library");
    assert_eq!(run(program), 124);
}
