use std::cell::RefCell;
use std::rc::Rc;

use super::*;
use crate::memory::SimpleEnv;
use crate::source::Source;

fn compile_ok(src: &str) -> Program {
    match crate::program::compile(&[Source::new("t.c", src)]) {
        Ok(p) => p,
        Err(d) => panic!("{}", crate::diagnostics::render_diagnostics(&d)),
    }
}

fn setup(src: &str) -> (Interp, SimpleEnv, Rc<RefCell<Vec<i64>>>) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut env = SimpleEnv::new();
    env.register_libc();
    let l = Rc::clone(&log);
    env.register("record", move |_, _, args, _| {
        l.borrow_mut().push(args.first().map_or(0, |v| v.as_i64()));
        Ok(Value::VOID)
    });
    let prog = compile_ok(&format!("void record(long v);\n{src}"));
    let it = match Interp::load(prog, &mut env, Limits::default()) {
        Ok(it) => it,
        Err(e) => panic!("load failed: {e:?}"),
    };
    (it, env, log)
}

fn call(src: &str, f: &str, args: &[Value]) -> Result<Value, Trap> {
    let (mut it, mut env, _) = setup(src);
    let Some(id) = it.function(f) else {
        panic!("no function {f}")
    };
    it.call_function(&mut env, id, args)
}

fn int_of(src: &str) -> i64 {
    match call(src, "main", &[]) {
        Ok(v) => v.as_i64(),
        Err(t) => panic!("trap: {t:?}"),
    }
}

#[test]
fn arithmetic_and_control_flow() {
    assert_eq!(
        int_of("int main(void) { int a = 6, b = 7; return a * b; }"),
        42
    );
    assert_eq!(
        int_of("int main(void) { int s = 0; for (int i = 0; i < 10; i++) { if (i % 2) continue; s += i; } return s; }"),
        20
    );
    assert_eq!(
        int_of("int main(void) { int i = 0; while (1) { if (++i == 5) break; } return i; }"),
        5
    );
    assert_eq!(
        int_of("int main(void) { int i = 10; do { i -= 3; } while (i > 0); return i; }"),
        -2
    );
    assert_eq!(
        int_of("int main(void) { int x = 5; return x > 3 ? x << 2 : -1; }"),
        20
    );
    assert_eq!(
        int_of("int main(void) { int x = 0; return (x++, x++, x); }"),
        2
    );
    assert_eq!(int_of("static int f(int n) { return n <= 1 ? 1 : n * f(n - 1); } int main(void) { return f(5); }"), 120);
}

#[test]
fn unsigned_wraparound_and_conversions() {
    assert_eq!(
        int_of("int main(void) { unsigned int u = 0; u--; return u == 4294967295u; }"),
        1
    );
    assert_eq!(
        int_of("int main(void) { unsigned char c = 255; c++; return c; }"),
        0
    );
    assert_eq!(
        int_of("int main(void) { int i = -1; unsigned int u = 1; return i < u; }"),
        0
    );
    assert_eq!(
        int_of("int main(void) { long l = -1; unsigned int u = 1; return l < u; }"),
        1
    );
    assert_eq!(int_of("int main(void) { char c = 200; return c; }"), -56);
    assert_eq!(int_of("int main(void) { unsigned long x = (unsigned long)-12; return x == 0xFFFFFFFFFFFFFFF4UL; }"), 1);
    assert_eq!(
        int_of("int main(void) { short s = 40000; return s; }"),
        -25536
    );
    assert_eq!(int_of("int main(void) { _Bool b = 5; return b + 1; }"), 2);
    assert_eq!(
        int_of("int main(void) { int x = 7; x /= 2; x <<= 3; x |= 1; x ^= 8; return x; }"),
        17
    );
    assert_eq!(
        int_of("int main(void) { unsigned char c = 250; c += 10; return c; }"),
        4
    );
    assert_eq!(
        int_of("int main(void) { int x = 2147483647; x++; return x < 0; }"),
        1
    );
}

#[test]
fn pointers_arrays_and_structs() {
    let src = r#"
        struct point { int x, y; };
        struct box { char tag; struct point p[2]; long n; };
        int main(void) {
            struct box b = { 'a', { { 1, 2 }, { 3, 4 } }, 9 };
            struct point *q = &b.p[1];
            int arr[4] = { 10, 20, 30 };
            int *ip = arr;
            ip += 2;
            *ip += 5;
            q->y++;
            return b.p[1].y * 1000 + arr[2] + (int)(ip - arr) + arr[3] + b.n;
        }
    "#;
    assert_eq!(int_of(src), 5000 + 35 + 2 + 9);
}

#[test]
fn struct_assignment_copies() {
    let src = r#"
        struct s { int a; char name[8]; };
        int main(void) {
            struct s x = { .a = 3, .name = "hi" };
            struct s y;
            y = x;
            x.a = 4;
            struct s z = y;
            return z.a * 100 + z.name[1];
        }
    "#;
    assert_eq!(int_of(src), 300 + i64::from(b'i'));
}

#[test]
fn designated_initializers_and_globals() {
    let src = r#"
        struct inner { const char *name; int v; };
        struct outer { int a; struct inner in; int arr[3]; union { long c; char d[8]; }; };
        static struct outer g = { .in.v = 5, .arr = { [2] = 7 }, .a = 1, .c = 11 };
        static struct inner table[] = { { "a", 1 }, { .v = 2 }, {} };
        static int nums[] = { [3] = 4, 5 };
        int main(void) {
            return g.a + g.in.v * 10 + g.arr[2] * 100 + g.c * 1000
                + (int)(sizeof(table) / sizeof(table[0])) * 10000
                + table[1].v * 100000 + (int)sizeof(nums) * 1000000 + (table[2].name == 0);
        }
    "#;
    assert_eq!(
        int_of(src),
        1 + 50 + 700 + 11000 + 30000 + 200000 + 20_000_000 + 1
    );
}

#[test]
fn brace_elision_and_strings() {
    let src = r#"
        struct p { int x, y; };
        static struct p ps[] = { 1, 2, 3, 4 };
        static const char *names[] = { "ab" "cd", "e" };
        static char buf[] = "xyz";
        int main(void) {
            return ps[1].x * 10 + ps[1].y + (int)sizeof(ps) * 100 + names[0][3] * 10000 + (int)sizeof(buf) * 1000;
        }
    "#;
    assert_eq!(int_of(src), 34 + 1600 + 4000 + i64::from(b'd') * 10000);
}

#[test]
fn container_of_via_macro() {
    let src = r#"
        #define offsetof(T, m) __builtin_offsetof(T, m)
        #define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
        struct list { struct list *next; };
        struct item { long pad; int val; struct list node; struct { int deep; } sub; };
        int main(void) {
            struct item it = { .val = 42 };
            struct list *l = &it.node;
            struct item *back = container_of(l, struct item, node);
            int *d = &it.sub.deep;
            struct item *b2 = container_of(d, struct item, sub.deep);
            return back->val + (back == &it) + (b2 == &it) + (int)offsetof(struct item, sub.deep);
        }
    "#;
    assert_eq!(int_of(src), 42 + 1 + 1 + 24);
}

#[test]
fn function_pointers() {
    let src = r#"
        typedef int (*op_t)(int, int);
        static int add(int a, int b) { return a + b; }
        static int mul(int a, int b) { return a * b; }
        struct ops { const char *name; op_t fn; int (*raw)(int, int); };
        static struct ops table[] = { { "add", add, mul }, { "mul", mul, add } };
        int main(void) {
            op_t f = add;
            int r = f(2, 3) + (*f)(1, 1) + table[1].fn(3, 4) + table[0].raw(5, 5);
            r += (table[0].fn == add) + (table[0].fn != mul) * 2;
            return r;
        }
    "#;
    assert_eq!(int_of(src), 5 + 2 + 12 + 25 + 1 + 2);
}

#[test]
fn statement_expressions_and_switch() {
    let src = r#"
        #define MAX(a, b) ({ int _a = (a), _b = (b); _a > _b ? _a : _b; })
        static int classify(int x) {
            switch (x) {
            case 0: return 100;
            case 1:
            case 2: x += 10;
            case 3: { x += 1; break; }
            default: x = -1;
            }
            return x;
        }
        int main(void) {
            return MAX(3, 9) * 10000 + classify(0) + classify(2) * 1000 + classify(7) * 0 + (classify(8) == -1);
        }
    "#;
    assert_eq!(int_of(src), 90000 + 100 + 13000 + 1);
}

#[test]
fn step_limit_stops_infinite_loops() {
    for body in ["while (1);", "for (;;) {}", "do {} while (1);", "x: ;"] {
        let src = format!("void main(void) {{ {body} }}");
        if body.starts_with('x') {
            assert!(crate::program::compile(&[Source::new("t.c", &src)]).is_err());
            continue;
        }
        let (mut it, mut env, _) = setup(&src);
        it.set_limits(Limits {
            max_steps: 10_000,
            max_depth: 64,
        });
        let id = it.function("main").unwrap_or(FuncId(0));
        let r = it.call_function(&mut env, id, &[]);
        assert!(
            matches!(r, Err(Trap::StepLimit { limit: 10_000, .. })),
            "{body}: {r:?}"
        );
    }
}

#[test]
fn depth_limit_on_default_stack() {
    let h = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let src = "static int f(int n) { int a[4]; a[0] = n; return f(a[0] + 1) + 1; } int main(void) { return f(0); }";
            call(src, "main", &[])
        })
        .map(|h| h.join());
    match h {
        Ok(Ok(Err(Trap::DepthLimit { limit, .. }))) => assert_eq!(limit, 256),
        other => panic!(
            "unexpected {:?}",
            other.map(|r| r.map(|v| v.map(|x| x.bits)))
        ),
    }
}

#[test]
fn use_after_free_through_simple_env() {
    let src = r#"
        void *kmalloc(unsigned long size);
        void kfree(void *p);
        struct obj { int a; };
        int main(void) {
            struct obj *o = kmalloc(sizeof(*o));
            o->a = 1;
            kfree(o);
            return o->a;
        }
    "#;
    let (mut it, mut env, _) = setup_with_heap(src);
    let id = it.function("main").unwrap_or(FuncId(0));
    let r = it.call_function(&mut env, id, &[]);
    match r {
        Err(t @ Trap::UseAfterFree { .. }) => {
            let text = it.render_trap(&t);
            assert!(text.contains("use after free"), "{text}");
            assert!(text.contains("--> t.c:10:20"), "{text}");
            assert!(text.contains("allocated at t.c:7:"), "{text}");
            assert!(text.contains("freed at t.c:9:"), "{text}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

fn setup_with_heap(src: &str) -> (Interp, SimpleEnv, Rc<RefCell<Vec<i64>>>) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut env = SimpleEnv::new();
    env.register("kmalloc", |env, _, args, site| {
        let n = args.first().map_or(0, |v| v.as_u64());
        Ok(Value::ptr(env.memory.alloc(
            n,
            AllocKind::Heap,
            "kmalloc",
            site,
        )?))
    });
    env.register("kfree", |env, _, args, site| {
        env.memory
            .free(args.first().map_or(Addr::NULL, |v| v.as_addr()), site)?;
        Ok(Value::VOID)
    });
    let prog = compile_ok(&format!("void record(long v);\n{src}"));
    let l = Rc::clone(&log);
    env.register("record", move |_, _, args, _| {
        l.borrow_mut().push(args.first().map_or(0, |v| v.as_i64()));
        Ok(Value::VOID)
    });
    let it = match Interp::load(prog, &mut env, Limits::default()) {
        Ok(it) => it,
        Err(e) => panic!("load failed: {e:?}"),
    };
    (it, env, log)
}

#[test]
fn stack_use_after_scope_and_null_deref() {
    let src = r#"
        int main(void) {
            int *p;
            { int x = 5; p = &x; }
            return *p;
        }
        int null(void) { int *p = 0; return *p; }
        int err(void) { int *p = (int *)-12L; return *p; }
        int div(int z) { return 10 / z; }
    "#;
    let (mut it, mut env, _) = setup(src);
    let f = |it: &Interp, n: &str| it.function(n).unwrap_or(FuncId(0));
    let r = it.call_function(&mut env, f(&it, "main"), &[]);
    assert!(matches!(r, Err(Trap::UseAfterFree { .. })), "{r:?}");
    let r = it.call_function(&mut env, f(&it, "null"), &[]);
    assert!(matches!(r, Err(Trap::NullDeref { .. })), "{r:?}");
    let r = it.call_function(&mut env, f(&it, "err"), &[]);
    assert!(matches!(r, Err(Trap::InvalidAddress { .. })), "{r:?}");
    let r = it.call_function(&mut env, f(&it, "div"), &[Value::int(0)]);
    assert!(matches!(r, Err(Trap::DivByZero { .. })), "{r:?}");
    assert_eq!(
        it.call_function(&mut env, f(&it, "div"), &[Value::int(3)])
            .map(|v| v.as_i64())
            .ok(),
        Some(3)
    );
}

#[test]
fn externals_reenter_c() {
    let src = r#"
        typedef void (*cb_t)(void *);
        void run_cb(cb_t cb, void *arg);
        static int depth;
        static void inner(void *p) { int *n = p; record(*n); }
        static void outer(void *p) {
            int n = *(int *)p + 1;
            record(n);
            run_cb(inner, &n);
        }
        int main(void) { int n = 10; run_cb(outer, &n); run_cb(outer, &n); return n; }
    "#;
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut env = SimpleEnv::new();
    let l = Rc::clone(&log);
    env.register("record", move |_, _, args, _| {
        l.borrow_mut().push(args[0].as_i64());
        Ok(Value::VOID)
    });
    env.register("run_cb", |env, it, args, site| {
        it.call_pointer(env, args[0].as_addr(), &[args[1]], site)?;
        Ok(Value::VOID)
    });
    let prog = compile_ok(&format!("void record(long v);\n{src}"));
    let mut it = match Interp::load(prog, &mut env, Limits::default()) {
        Ok(it) => it,
        Err(e) => panic!("{e:?}"),
    };
    let main = it.function("main").unwrap_or(FuncId(0));
    let r = it.call_function(&mut env, main, &[]);
    assert_eq!(
        r.map(|v| v.as_i64()).map_err(|t| it.render_trap(&t)),
        Ok(10)
    );
    assert_eq!(*log.borrow(), vec![11, 11, 11, 11]);
    assert_eq!(
        env.memory
            .live()
            .filter(|(_, a)| a.kind == AllocKind::Stack)
            .count(),
        0
    );
}

#[test]
fn unresolved_externals_are_reported() {
    let prog = compile_ok(
        "void missing(void); void unused(void); int main(void) { missing(); return 0; }",
    );
    let mut env = SimpleEnv::new();
    match Interp::load(prog, &mut env, Limits::default()) {
        Err(LoadError::Unresolved(d)) => {
            assert_eq!(d.len(), 1);
            assert!(d[0].message.contains("`missing`"));
            assert_eq!(d[0].line, 1);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn introspection() {
    let src = r#"
        struct device_driver { const char *name; void *owner; };
        struct platform_driver { int (*probe)(void *); struct device_driver driver; };
        static int probe(void *p) { return 0; }
        static struct platform_driver drv = { .probe = probe, .driver = { .name = "test" } };
        int counter = 3;
        int main(void) { return 0; }
    "#;
    let (it, mut env, _) = setup(src);
    let p = it.program();
    assert_eq!(
        p.field_offset("platform_driver", "driver.name")
            .map(|x| x.0),
        Some(8)
    );
    let st = p.struct_type("platform_driver").unwrap_or(TypeId::VOID);
    assert_eq!(p.size_of(st), Some(24));
    let names: Vec<&str> = it.globals().map(|g| g.1).collect();
    assert_eq!(names, vec!["drv", "counter"]);
    let Some((_, addr, _)) = it.global("drv") else {
        panic!("no drv")
    };
    let fp = it
        .read_value(&mut env, addr, TypeId::VOID_PTR, Site::NONE)
        .map(|v| v.as_addr());
    let probe = it.function("probe").map(|f| it.function_addr(f));
    assert_eq!(fp.ok(), probe);
    assert_eq!(
        probe
            .and_then(|a| it.function_at(a))
            .map(|f| it.function_name(f).to_string()),
        Some("probe".into())
    );
    let name = it
        .read_value(&mut env, addr.wrapping_add(8), TypeId::CHAR_PTR, Site::NONE)
        .map(|v| v.as_addr());
    let s = name.and_then(|a| crate::env::read_c_string(&mut env, a, Site::NONE));
    assert_eq!(s.ok().as_deref(), Some("test"));
    let Some((_, caddr, cty)) = it.global("counter") else {
        panic!()
    };
    assert_eq!(
        it.read_value(&mut env, caddr, cty, Site::NONE)
            .map(|v| v.as_i64())
            .ok(),
        Some(3)
    );
}

#[test]
fn variadic_externals_get_promoted_args() {
    let src = r#"
        int printk(const char *fmt, ...);
        int main(void) { char c = -3; unsigned short s = 7; return printk("%d %d %s", c, s, "x"); }
    "#;
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut env = SimpleEnv::new();
    let s2 = Rc::clone(&seen);
    env.register("printk", move |env, _, args, site| {
        let fmt = crate::env::read_c_string(env, args[0].as_addr(), site)?;
        s2.borrow_mut().push(format!(
            "{fmt}|{}|{}|{:?}",
            args[1].as_i64(),
            args[2].as_i64(),
            args[1].ty
        ));
        Ok(Value::long(args.len() as i64))
    });
    let prog = compile_ok(src);
    let mut it = match Interp::load(prog, &mut env, Limits::default()) {
        Ok(it) => it,
        Err(e) => panic!("{e:?}"),
    };
    let main = it.function("main").unwrap_or(FuncId(0));
    assert_eq!(
        it.call_function(&mut env, main, &[])
            .map(|v| v.as_i64())
            .ok(),
        Some(4)
    );
    assert_eq!(seen.borrow()[0], format!("%d %d %s|-3|7|{:?}", TypeId::INT));
}

#[test]
fn million_iteration_loop_is_fast_enough() {
    let src = r#"
        void tick(long i);
        long main(void) {
            long s = 0;
            for (long i = 0; i < 1000000; i++) { s += i * 3 ^ (i >> 2); tick(i); }
            return s;
        }
    "#;
    let mut env = SimpleEnv::new();
    env.register("tick", |_, _, _, _| Ok(Value::VOID));
    let prog = compile_ok(src);
    let mut it = match Interp::load(prog, &mut env, Limits::default()) {
        Ok(it) => it,
        Err(e) => panic!("{e:?}"),
    };
    let main = it.function("main").unwrap_or(FuncId(0));
    let t = std::time::Instant::now();
    let r = it.call_function(&mut env, main, &[]);
    let expected: i64 = (0..1_000_000i64).fold(0, |s, i| s.wrapping_add((i * 3) ^ (i >> 2)));
    assert_eq!(r.map(|v| v.as_i64()).ok(), Some(expected));
    eprintln!("1M-iteration loop: {:?}", t.elapsed());
    // Generous bound so debug builds pass; release runs far faster.
    assert!(t.elapsed().as_secs() < 30, "{:?}", t.elapsed());
}

#[test]
fn statics_compound_literals_and_gnu_extensions() {
    let src = r#"
        struct pair { int a, b; };
        static int next_id(void) { static int id = 100; return id++; }
        static int sum(const struct pair *p) { return p->a + p->b; }
        static int calls;
        static int side(void) { calls++; return 7; }
        int main(void) {
            int first = next_id(), second = next_id();
            int s = sum(&(struct pair){ .b = 2, .a = 40 });
            int z = 0;
            int e = side() ?: 99;
            int f = z ?: 5;
            return (second - first) * 1000000 + s * 1000 + e * 10 + f + calls * 100;
        }
    "#;
    assert_eq!(int_of(src), 1_000_000 + 42_000 + 70 + 5 + 100);
}

#[test]
fn nested_case_labels_and_loops_in_switch() {
    let src = r#"
        static int f(int x) {
            int r = 0;
            switch (x) {
            case 1: case 2:
                for (int i = 0; i < 3; i++) {
                    if (i == 1) continue;
                    r += i;
                }
                break;
            case 3:
                r = 30;
            }
            return r;
        }
        int main(void) { return f(1) * 100 + f(2) * 10 + f(3) + f(4); }
    "#;
    assert_eq!(int_of(src), 200 + 20 + 30);
}

#[test]
fn string_literals_are_allocated_once_with_sites() {
    let src = "const char *a(void) { return \"same\"; }\nconst char *b(void) { return \"same\"; }";
    let (mut it, mut env, _) = setup(src);
    let fa = it.function("a").unwrap_or(FuncId(0));
    let fb = it.function("b").unwrap_or(FuncId(0));
    let x = it
        .call_function(&mut env, fa, &[])
        .map(|v| v.as_addr())
        .ok();
    let y = it
        .call_function(&mut env, fb, &[])
        .map(|v| v.as_addr())
        .ok();
    assert_eq!(x, y);
    let alloc = x.and_then(|a| env.memory.allocation_of(a).cloned());
    assert_eq!(
        alloc.map(|a| (a.kind, a.label, a.alloc_site.line)),
        Some((AllocKind::StringLiteral, "\"same\"".into(), 2))
    );
}

#[test]
fn deep_expressions_in_deep_recursion_fit_the_default_stack() {
    let depth = 120;
    let expr = format!("{}n{}", "(1 + ".repeat(depth), ")".repeat(depth));
    let src = format!(
        "static long f(long n) {{ if (n <= 0) return 0; {{ {{ {{ long v = {expr}; return v - {depth} + f(n - 1); }} }} }} }}\n\
         long main(void) {{ return f(240); }}"
    );
    let h = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            call(&src, "main", &[])
                .map(|v| v.as_i64())
                .map_err(|t| t.kind_name())
        })
        .map(|h| h.join());
    let expected: i64 = (1..=240).sum();
    assert_eq!(h.ok().and_then(|r| r.ok()), Some(Ok(expected)));
}

#[test]
fn misc_c_semantics() {
    let src = r#"
        struct node { int v; struct node *next; };
        static struct node n2 = { 2, 0 };
        static struct node n1 = { 1, &n2 };
        static int *pv = &n2.v;
        enum color { RED = 5, GREEN, BLUE = -1 };
        static int sum_list(struct node *n) { int s = 0; for (; n; n = n->next) s += n->v; return s; }
        int main(void) {
            unsigned long all = ~0UL;
            long long big = 1LL << 40;
            signed char sc = -2;
            unsigned short int us = 65535;
            long int li = -3;
            int arr[5] = { 1, 2, 3, 4, 5 };
            int *p = &arr[4], **pp = &p;
            int n = 3, cnt = 0;
            while (n--) cnt++;
            enum color c = GREEN;
            return (all == 0xffffffffffffffffUL)
                + (big >> 39) * 10
                + (sc == -2) * 100
                + (us + 1 == 65536) * 1000
                + (li < 0) * 10000
                + (**pp == 5) * 100000
                + (p - &arr[1] == 3) * 1000000
                + (cnt == 3 && n == -1) * 10000000
                + (sum_list(&n1) == 3 && *pv == 2) * 100000000
                + ((int)c == 6 && BLUE < 0 && sizeof arr / sizeof arr[0] == 5) * 1000000000;
        }
    "#;
    assert_eq!(int_of(src), 1_111_111_121);
}

#[test]
fn every_evaluated_node_and_loop_iteration_is_one_step() {
    // Pins what a step is, so that the limit means the same after changes
    // to the interpreter's hot path: `s = 0` and `i = 0` are one node each;
    // each of the three iterations is the loop's own step, `i < 3` (three
    // nodes), `s += i` (two) and `i++` (one); the final test is four; the
    // return one.
    let src = "int main(void) { int s = 0; for (int i = 0; i < 3; i++) s += i; return s; }";
    let (mut it, mut env, _) = setup(src);
    let id = it.function("main").unwrap_or(FuncId(0));
    let r = it.call_function(&mut env, id, &[]);
    assert_eq!(r.map(|v| v.as_i64()).ok(), Some(3));
    assert_eq!(it.steps(), 1 + 1 + 3 * (1 + 3 + 2 + 1) + (1 + 3) + 1);
}

/// What `seen()` observed: the helper's name, its call line and serial.
type SeenTop = Rc<RefCell<Vec<Option<(String, u32, u64)>>>>;

#[test]
fn top_call_names_the_outermost_functions_helper_while_it_runs() {
    let src = "void seen(void);\n\
               static void inner(void) { seen(); }\n\
               static void helper(void) { inner(); seen(); }\n\
               void body(void) {\n\
               \tseen();\n\
               \thelper();\n\
               \thelper();\n\
               }\n";
    let mut env = SimpleEnv::new();
    let log = SeenTop::default();
    let l = Rc::clone(&log);
    env.register("seen", move |_, it, _, _| {
        let top = it.top_call().map(|t| {
            let name = it.function_name(t.func).to_string();
            (name, t.site.line, t.serial)
        });
        l.borrow_mut().push(top);
        Ok(Value::VOID)
    });
    let prog = compile_ok(src);
    let mut it = Interp::load(prog, &mut env, Limits::default()).expect("load");
    let body = it.function("body").expect("body");
    it.call_function(&mut env, body, &[]).expect("runs");
    let helper = |line, serial| Some(("helper".to_string(), line, serial));
    assert_eq!(
        *log.borrow(),
        [None, helper(6, 1), helper(6, 1), helper(7, 2), helper(7, 2)]
    );
    assert_eq!(it.top_call(), None);
}

#[test]
fn widening_conversions_keep_values_and_narrowing_ones_wrap() {
    // Conversions the compiler drops (widening to a type that holds every
    // value) and those it keeps must both give C's results.
    let src = r#"
        int main(void) {
            int neg = -5; unsigned int big = 4000000000u; signed char c = -1;
            unsigned char uc = 200; long long w; unsigned long u; int ok = 1;
            w = (long long)neg;       ok = ok && w == -5;
            w = (long long)big;       ok = ok && w == 4000000000LL;
            u = (unsigned long)neg;   ok = ok && u == 18446744073709551611ul;
            w = (int)c;               ok = ok && w == -1;
            w = (unsigned int)c;      ok = ok && w == 4294967295LL;
            w = (short)uc;            ok = ok && w == 200;
            w = (signed char)uc;      ok = ok && w == -56;
            w = (unsigned short)neg;  ok = ok && w == 65531;
            return ok;
        }
    "#;
    assert_eq!(int_of(src), 1);
}

#[test]
fn do_while_zero_runs_its_body_once_whatever_leaves_it() {
    let src = r#"
        static int f(int how) {
            int n = 0;
            do { n++; if (how == 1) break; if (how == 2) continue; if (how == 3) return 100; n += 10; } while (0);
            return n;
        }
        int main(void) { return f(0) * 1000000 + f(1) * 10000 + f(2) * 100 + f(3); }
    "#;
    assert_eq!(int_of(src), 11 * 1_000_000 + 10_000 + 100 + 100);
}

#[test]
fn conditions_compare_in_place_negated_or_not() {
    let src = r#"
        int main(void) {
            int a = 2, b = 3, n = 0, i = 0; unsigned int u = 1; int *p = 0, *q = &a;
            if (a < b) n += 1;
            if (!(a < b)) n += 10;
            if (!(a >= b)) n += 100;
            if (!p) n += 1000;
            if (!q) n += 10000;
            if (q) n += 100000;
            if (u > -1) n += 1000000;        /* -1 converts to UINT_MAX */
            while (!(i >= 3)) i++;
            do { i++; } while (!(i == 5));
            for (; i != 7; i++) ;
            return n + (i == 7) * 100000000;
        }
    "#;
    assert_eq!(int_of(src), 100_000_000 + 100_000 + 1_000 + 100 + 1);
}
