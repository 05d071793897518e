//! Fuzz target: arbitrary bytes as C through devlife-c alone (preprocess,
//! parse, lower, load, then call every defined function with zeroed
//! arguments) on `SimpleEnv`, with small step, depth and allocation bounds.
//! No prelude, so one execution takes microseconds and the front end and
//! the interpreter get millions of inputs. Must never panic or hang.
#![no_main]

use devlife_c::{compile, Env, Interp, Limits, SimpleEnv, Source, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(program) = compile(&[Source {
        name: "input.c",
        text: data,
    }]) else {
        return;
    };
    let mut env = SimpleEnv::new();
    env.register_libc();
    let callee = |_: &mut SimpleEnv, _: &mut Interp, args: &[Value], _| {
        Ok(Value::long(args.len() as i64))
    };
    for name in program.used_externals().map(|(_, f)| f.name.clone()).collect::<Vec<_>>() {
        if !env.is_external(&name) {
            env.register(&name, callee);
        }
    }
    let limits = Limits {
        max_steps: 20_000,
        max_depth: 32,
    };
    let Ok(mut interp) = Interp::load(program, &mut env, limits) else {
        return;
    };
    let defined: Vec<_> = interp
        .program()
        .functions()
        .filter(|(_, f)| f.body.is_some())
        .map(|(id, _)| id)
        .take(16)
        .collect();
    for f in defined {
        let args = [Value::long(0); 4];
        let _ = interp.call_function(&mut env, f, &args);
    }
});
