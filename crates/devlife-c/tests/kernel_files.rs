//! Kernel KUnit files compile with a small test prelude, and
//! root-device-test.c runs against a toy model.
//!
//! The files are read at test time from Debian's linux-source-6.12 package
//! (which `.ci/run` installs); kernel code is never copied into the project.

use devlife_c::{compile, Source};

const PRELUDE: &str = include_str!("data/prelude.h");

mod common;

use common::kernel_file;

fn check(name: &str, text: &str) {
    match compile(&[Source::new("prelude.h", PRELUDE), Source::new(name, text)]) {
        Ok(p) => assert!(p.function("main").is_none()),
        Err(d) => panic!(
            "{name}:\n{}",
            devlife_c::diagnostics::render_diagnostics(&d)
        ),
    }
}

#[test]
fn root_device_test_compiles() {
    check(
        "root-device-test.c",
        &kernel_file("drivers/base/test/root-device-test.c"),
    );
}

#[test]
fn platform_device_test_compiles() {
    check(
        "platform-device-test.c",
        &kernel_file("drivers/base/test/platform-device-test.c"),
    );
}

#[test]
fn drm_managed_test_compiles() {
    check(
        "drm_managed_test.c",
        &kernel_file("drivers/gpu/drm/tests/drm_managed_test.c"),
    );
}

#[test]
fn kunit_platform_test_compiles() {
    check("platform-test.c", &kernel_file("lib/kunit/platform-test.c"));
}

#[test]
fn kunit_test_compiles() {
    check("kunit-test.c", &kernel_file("lib/kunit/kunit-test.c"));
}

mod run {
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::rc::Rc;

    use devlife_c::{
        read_c_string, Addr, AllocKind, Interp, Limits, SimpleEnv, Site, Trap, TypeId, Value,
    };

    #[derive(Default)]
    struct Model {
        refs: BTreeMap<u64, i64>,
        actions: BTreeMap<u64, Vec<(Addr, Value)>>,
        failures: Vec<String>,
        release_wakeups: u32,
    }

    fn arg(a: &[Value], i: usize) -> Value {
        a.get(i).copied().unwrap_or(Value::long(0))
    }

    fn put(env: &mut SimpleEnv, m: &Rc<RefCell<Model>>, dev: Addr, site: Site) -> Result<(), Trap> {
        let zero = {
            let mut m = m.borrow_mut();
            let r = m.refs.entry(dev.0).or_insert(0);
            *r -= 1;
            *r == 0
        };
        if zero {
            env.memory.free(dev, site)?;
        }
        Ok(())
    }

    fn env_with_model(m: &Rc<RefCell<Model>>, wake: bool) -> SimpleEnv {
        let mut env = SimpleEnv::new();
        env.register("kunit_kzalloc", |env, _, a, site| {
            Ok(Value::ptr(env.memory.alloc(
                arg(a, 1).as_u64(),
                AllocKind::Heap,
                "kunit_kzalloc",
                site,
            )?))
        });
        env.register("init_waitqueue_head", |_, _, _, _| Ok(Value::VOID));
        let mc = Rc::clone(m);
        env.register("wake_up_interruptible", move |_, _, _, _| {
            mc.borrow_mut().release_wakeups += 1;
            Ok(Value::VOID)
        });
        env.register("msecs_to_jiffies", |_, _, a, _| {
            Ok(Value::ulong(arg(a, 0).as_u64() / 10))
        });
        env.register("schedule_timeout_on", move |_, _, _, _| {
            Ok(Value::long(if wake { 5 } else { 0 }))
        });
        let mc = Rc::clone(m);
        env.register("root_device_register", move |env, _, a, site| {
            let name = read_c_string(env, arg(a, 0).as_addr(), site)?;
            let dev = env
                .memory
                .alloc(32, AllocKind::Heap, &format!("device {name}"), site)?;
            mc.borrow_mut().refs.insert(dev.0, 1);
            Ok(Value::ptr(dev))
        });
        let mc = Rc::clone(m);
        env.register("get_device", move |_, _, a, _| {
            *mc.borrow_mut().refs.entry(arg(a, 0).bits).or_insert(0) += 1;
            Ok(arg(a, 0))
        });
        let mc = Rc::clone(m);
        env.register("put_device", move |env, _, a, site| {
            put(env, &mc, arg(a, 0).as_addr(), site)?;
            Ok(Value::VOID)
        });
        let mc = Rc::clone(m);
        env.register("devm_add_action_or_reset", move |_, _, a, _| {
            let list = (arg(a, 1).as_addr(), arg(a, 2));
            mc.borrow_mut()
                .actions
                .entry(arg(a, 0).bits)
                .or_default()
                .push(list);
            Ok(Value::int(0))
        });
        let mc = Rc::clone(m);
        env.register("root_device_unregister", move |env, it, a, site| {
            let dev = arg(a, 0).as_addr();
            let acts = mc.borrow_mut().actions.remove(&dev.0).unwrap_or_default();
            for (f, data) in acts.into_iter().rev() {
                it.call_pointer(env, f, &[data], site)?;
            }
            put(env, &mc, dev, site)?;
            Ok(Value::VOID)
        });
        let mc = Rc::clone(m);
        env.register("kunit_do_failed_assertion", move |env, _, a, site| {
            let file = read_c_string(env, arg(a, 2).as_addr(), site)?;
            let text = read_c_string(env, arg(a, 4).as_addr(), site)?;
            let msg = format!("{file}:{}: {text}", arg(a, 3).as_i64());
            mc.borrow_mut().failures.push(msg.clone());
            if arg(a, 1).as_i64() == 1 {
                return Err(Trap::env(msg, site));
            }
            Ok(Value::VOID)
        });
        env
    }

    /// Runs every case of the suite global `suite`; returns the case names.
    fn run_suite(it: &mut Interp, env: &mut SimpleEnv, suite: &str) -> Vec<String> {
        let p = it.program();
        let saddr = it.global(suite).map_or(Addr::NULL, |g| g.1);
        let init_off = p.field_offset("kunit_suite", "init").map_or(0, |x| x.0);
        let cases_off = p
            .field_offset("kunit_suite", "test_cases")
            .map_or(0, |x| x.0);
        let case_ty = p.struct_type("kunit_case").unwrap_or(TypeId::VOID);
        let case_size = p.size_of(case_ty).unwrap_or(16);
        let name_off = p.field_offset("kunit_case", "name").map_or(8, |x| x.0);
        let kunit_size = p
            .struct_type("kunit")
            .and_then(|t| p.size_of(t))
            .unwrap_or(8);
        let ptr = |it: &Interp, env: &mut SimpleEnv, a: Addr| {
            it.read_value(env, a, TypeId::VOID_PTR, Site::NONE)
                .map(|v| v.as_addr())
                .unwrap_or(Addr::NULL)
        };
        let init = ptr(it, env, saddr.wrapping_add(init_off));
        let mut case = ptr(it, env, saddr.wrapping_add(cases_off));
        let mut names = Vec::new();
        loop {
            let run = ptr(it, env, case);
            if run.is_null() {
                break;
            }
            let name = ptr(it, env, case.wrapping_add(name_off));
            names.push(read_c_string(env, name, Site::NONE).unwrap_or_default());
            let test = env
                .memory
                .alloc(kunit_size, AllocKind::Heap, "struct kunit", Site::NONE);
            let test = Value::ptr(test.unwrap_or(Addr::NULL));
            let r = it.call_pointer(env, init, &[test], Site::NONE);
            assert_eq!(r.map(|v| v.as_i64()).map_err(|t| it.render_trap(&t)), Ok(0));
            if let Err(t) = it.call_pointer(env, run, &[test], Site::NONE) {
                assert!(t.payload::<String>().is_some(), "{}", it.render_trap(&t));
            }
            case = case.wrapping_add(case_size);
        }
        names
    }

    fn load(m: &Rc<RefCell<Model>>, wake: bool) -> (Interp, SimpleEnv) {
        let prog = devlife_c::compile(&[
            devlife_c::Source::new("prelude.h", super::PRELUDE),
            devlife_c::Source::new(
                "root-device-test.c",
                &super::kernel_file("drivers/base/test/root-device-test.c"),
            ),
        ]);
        let prog = prog.unwrap_or_else(|d| panic!("{d:?}"));
        let mut env = env_with_model(m, wake);
        let it =
            Interp::load(prog, &mut env, Limits::default()).unwrap_or_else(|e| panic!("{e:?}"));
        (it, env)
    }

    #[test]
    fn root_device_test_runs() {
        let m = Rc::new(RefCell::new(Model::default()));
        let (mut it, mut env) = load(&m, true);
        let names = run_suite(&mut it, &mut env, "root_device_devm_test_suite");
        assert_eq!(
            names,
            vec![
                "root_device_devm_register_unregister_test",
                "root_device_devm_register_get_unregister_with_devm_test"
            ]
        );
        let m = m.borrow();
        assert_eq!(m.failures, Vec::<String>::new());
        assert_eq!(m.release_wakeups, 2);
        assert!(m.refs.values().all(|r| *r == 0));
    }

    #[test]
    fn failed_expectation_reports_gcc_line() {
        // Break the model: unregistering no longer runs the devm actions, so
        // the wait times out and the multi-line KUNIT_EXPECT_GT fails; the
        // reported __LINE__ is the line of the macro name, as with GCC.
        let m = Rc::new(RefCell::new(Model::default()));
        let (mut it, mut env) = load(&m, false);
        env.register("root_device_unregister", |_, _, _, _| Ok(Value::VOID));
        run_suite(&mut it, &mut env, "root_device_devm_test_suite");
        let f = m.borrow().failures.clone();
        assert_eq!(
            f,
            vec![
                "root-device-test.c:59: ret > 0".to_string(),
                "root-device-test.c:93: ret > 0".to_string()
            ]
        );
    }
}
