//! KUnit shims (lib/kunit/test.c's allocations and actions, device.c) and
//! devlife's assertion hooks, which the prelude's KUNIT_* macros call.

use super::kunit_resource::synced_host;
use super::{err_ptr, int, ptr, void, Args, Shim};
use crate::assert::{failure_lines, Failure, Kind};
use crate::env::{KernelEnv, Stop};
use crate::format::format_c;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::value::Value;
use devlife_model::{Addr, FnRef};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("__devlife_kunit_binary", assert_binary),
    ("__devlife_kunit_bool", assert_bool),
    ("__devlife_kunit_fail", assert_fail),
    ("__devlife_kunit_ptr", assert_ptr),
    ("__devlife_kunit_ptr_check", assert_ptr_check),
    ("__devlife_kunit_str", assert_str),
    ("kunit_add_action", kunit_add_action),
    ("kunit_add_action_or_reset", kunit_add_action),
    ("kunit_cleanup", kunit_cleanup),
    ("kunit_device_register", kunit_device_register),
    (
        "kunit_device_register_with_driver",
        kunit_device_register_with_driver,
    ),
    ("kunit_device_unregister", kunit_device_unregister),
    ("kunit_driver_create", kunit_driver_create),
    ("kunit_init_test", kunit_init_test),
    ("kunit_kcalloc", kunit_kcalloc),
    ("kunit_kfree", kunit_kfree),
    ("kunit_kfree_const", kunit_kfree_const),
    ("kunit_kmalloc", kunit_kzalloc),
    ("kunit_kmalloc_array", kunit_kcalloc),
    ("kunit_kstrdup", kunit_kstrdup),
    ("kunit_kstrdup_const", kunit_kstrdup),
    ("kunit_kzalloc", kunit_kzalloc),
    ("kunit_release_action", kunit_release_action),
    ("kunit_remove_action", kunit_remove_action),
];

fn kunit_init_test(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let name = env.read_str(a.ptr(1), a.site)?;
    let at = a.ptr(0);
    env.kernel.kunit_init_test(&name, at);
    let l = env.state.layouts;
    let s = env.interned_str(&name);
    env.write_u64(at.offset_by(i64::from(l.kunit_name)), s.0, a.site)?;
    env.write_u32(at.offset_by(i64::from(l.kunit_status)), 0, a.site)?;
    env.write_u64(at.offset_by(i64::from(l.kunit_log)), a.bits(2), a.site)?;
    env.write_u32(at.offset_by(i64::from(l.kunit_status_comment)), 0, a.site)?;
    env.sync_kunit_lists();
    void()
}

fn kunit_cleanup(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_cleanup", a.site)?;
    synced_host(env, interp, a.site, |k, h| k.kunit_cleanup(h, t))?;
    void()
}

fn kunit_alloc(env: &mut KernelEnv<'_>, a: &Args<'_>, size: Option<u64>) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_kzalloc", a.site)?;
    let Some(size) = size.and_then(devlife_model::mm::kmalloc_size) else {
        return ptr(Addr::NULL);
    };
    let p = env.model(a.site, |k| k.kunit_kzalloc(t, size))?;
    env.sync_kunit_lists();
    ptr(p)
}

fn kunit_kzalloc(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    kunit_alloc(env, a, Some(a.bits(1)))
}

fn kunit_kcalloc(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    kunit_alloc(env, a, a.bits(1).checked_mul(a.bits(2)))
}

fn kunit_kstrdup(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    if a.ptr(1).is_null() {
        return ptr(Addr::NULL);
    }
    let s = env.read_str(a.ptr(1), a.site)?;
    let p = kunit_alloc(env, a, Some(s.len() as u64 + 1))?;
    env.kernel
        .mm
        .write(Addr(p.bits), s.as_bytes())
        .map_err(|f| env.mem_trap(f, a.site))?;
    Ok(p)
}

fn kunit_kfree(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_kfree", a.site)?;
    let p = a.ptr(1);
    synced_host(env, interp, a.site, |k, h| k.kunit_kfree(h, t, p))?;
    void()
}

fn kunit_kfree_const(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let literal = env
        .kernel
        .mm
        .get(a.ptr(1).alloc())
        .is_some_and(|m| m.kind == devlife_model::AllocKind::Literal);
    if literal {
        return void();
    }
    kunit_kfree(env, interp, a)
}

fn kunit_add_action(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_add_action", a.site)?;
    if a.bits(1) == 0 {
        env.fail_case(
            a.ptr(0),
            Kind::Assertion,
            a,
            Failure::NotNull {
                text: "action".into(),
            },
            None,
        )?;
    }
    env.kernel
        .kunit_add_action(t, FnRef(a.bits(1)), a.bits(2), "kunit action");
    env.sync_kunit_lists();
    int(0)
}

fn kunit_remove_action(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_remove_action", a.site)?;
    env.kernel
        .kunit_remove_action(t, FnRef(a.bits(1)), a.bits(2));
    env.sync_kunit_lists();
    void()
}

fn kunit_release_action(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_release_action", a.site)?;
    let (f, ctx) = (FnRef(a.bits(1)), a.bits(2));
    synced_host(env, interp, a.site, |k, h| {
        k.kunit_release_action(h, t, f, ctx)
    })?;
    void()
}

fn kunit_device_register(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_device_register", a.site)?;
    let name = env.read_str(a.ptr(1), a.site)?;
    match synced_host(env, interp, a.site, |k, h| {
        k.kunit_device_register(h, t, &name)
    })? {
        Ok(dev) => {
            if let devlife_model::drivers::base::core::DevKind::Kunit {
                owned_driver: Some(drv),
                ..
            } = env.kernel.dev(dev).kind
            {
                env.mirror_driver_name(drv, &name, a)?;
            }
            ptr(env.kernel.obj(dev).addr)
        }
        Err(e) => err_ptr(e),
    }
}

fn kunit_device_register_with_driver(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_device_register_with_driver", a.site)?;
    let name = env.read_str(a.ptr(1), a.site)?;
    let drv = env.drv(a.ptr(2), "kunit_device_register_with_driver", a.site)?;
    match synced_host(env, interp, a.site, |k, h| {
        k.kunit_device_register_with_driver(h, t, &name, drv)
    })? {
        Ok(dev) => ptr(env.kernel.obj(dev).addr),
        Err(e) => err_ptr(e),
    }
}

fn kunit_device_unregister(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_device_unregister", a.site)?;
    let dev = env.dev(a.ptr(1), "kunit_device_unregister", a.site)?;
    synced_host(env, interp, a.site, |k, h| {
        k.kunit_device_unregister(h, t, dev)
    })?;
    void()
}

fn kunit_driver_create(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_driver_create", a.site)?;
    let name = env.read_str(a.ptr(1), a.site)?;
    match synced_host(env, interp, a.site, |k, h| {
        k.kunit_driver_create(h, t, &name)
    })? {
        Ok(drv) => {
            env.mirror_driver_name(drv, &name, a)?;
            ptr(env.kernel.driver(drv).addr)
        }
        Err(e) => err_ptr(e),
    }
}

impl KernelEnv<'_> {
    /// Writes `drv->name` into a model-allocated `struct device_driver`.
    fn mirror_driver_name(
        &mut self,
        drv: devlife_model::DrvId,
        name: &str,
        a: &Args<'_>,
    ) -> Result<(), Trap> {
        let s = self.interned_str(name);
        let at = self
            .kernel
            .driver(drv)
            .addr
            .offset_by(i64::from(self.state.layouts.driver_name));
        self.write_u64(at, s.0, a.site)
    }

    /// Records a failed check on the test at `test`: the running case prints
    /// KUnit's message; an assertion then ends the case.
    pub(crate) fn fail_case(
        &mut self,
        test: Addr,
        kind: Kind,
        a: &Args<'_>,
        failure: Failure,
        msg: Option<String>,
    ) -> Result<(), Trap> {
        let file = self.read_str(a.ptr(2), a.site).unwrap_or_default();
        let line = a.int(3) as u32;
        let running = self
            .state
            .case
            .as_ref()
            .is_some_and(|c| c.test_addr == test);
        if running {
            self.flush_kernel_messages();
            let case = self.state.case.as_mut().expect("running");
            let lines = failure_lines(&case.name, kind, &file, line, &failure, msg.as_deref());
            case.log.extend(lines);
            case.failed = true;
        } else {
            let off = i64::from(self.state.layouts.kunit_status);
            let _ = self.write_u32(test.offset_by(off), 1, a.site);
        }
        match kind {
            Kind::Assertion => Err(Trap::env(Stop::Assertion, a.site)),
            Kind::Expectation => Ok(()),
        }
    }
}

/// The optional message of a `_MSG` check: format string at `i`, arguments after.
fn message(env: &mut KernelEnv<'_>, a: &Args<'_>, i: usize) -> Result<Option<String>, Trap> {
    if a.ptr(i).is_null() {
        return Ok(None);
    }
    Ok(Some(format_c(env, a.ptr(i), a.rest(i + 1), a.site)?))
}

fn holds(op: &[u8], l: i128, r: i128) -> bool {
    match op {
        b"==" => l == r,
        b"!=" => l != r,
        b"<" => l < r,
        b"<=" => l <= r,
        b">" => l > r,
        b">=" => l >= r,
        _ => false,
    }
}

/// `KUNIT_*_EQ`-style checks on integers and on pointers: compare the two
/// operands with the operator's text and, on failure, report them.
fn assert_compare<T: Copy + Into<i128>>(
    env: &mut KernelEnv<'_>,
    a: &Args<'_>,
    (l, r): (T, T),
    failure: fn(String, (String, T), (String, T)) -> Failure,
) -> Result<Value, Trap> {
    // The operator is looked at on every check (two bytes, not copied); it
    // and the texts are read only when the check fails.
    let passed = env
        .kernel
        .mm
        .c_str_bytes(a.ptr(4), 3)
        .is_ok_and(|op| holds(op, l.into(), r.into()));
    if !passed {
        let op = env.read_str(a.ptr(4), a.site)?;
        let left = (env.read_str(a.ptr(5), a.site)?, l);
        let right = (env.read_str(a.ptr(7), a.site)?, r);
        let msg = message(env, a, 9)?;
        env.fail_case(
            a.ptr(0),
            Kind::from_c(a.bits(1)),
            a,
            failure(op, left, right),
            msg,
        )?;
    }
    void()
}

fn assert_binary(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    assert_compare(env, a, (a.int(6), a.int(8)), |op, left, right| {
        Failure::Binary { op, left, right }
    })
}

fn assert_ptr(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    assert_compare(env, a, (a.bits(6), a.bits(8)), |op, left, right| {
        Failure::Pointer { op, left, right }
    })
}

fn assert_str(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let op = env.read_str(a.ptr(4), a.site)?;
    let l = env.read_str(a.ptr(6), a.site)?;
    let r = env.read_str(a.ptr(8), a.site)?;
    let equal = l == r;
    if equal != (op == "==") {
        let failure = Failure::String {
            op,
            left: (env.read_str(a.ptr(5), a.site)?, l),
            right: (env.read_str(a.ptr(7), a.site)?, r),
        };
        let msg = message(env, a, 9)?;
        env.fail_case(a.ptr(0), Kind::from_c(a.bits(1)), a, failure, msg)?;
    }
    void()
}

fn assert_bool(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let (value, expected) = (a.bits(5) as u32 != 0, a.bits(6) as u32 != 0);
    if value != expected {
        let failure = Failure::Boolean {
            text: env.read_str(a.ptr(4), a.site)?,
            expected,
        };
        let msg = message(env, a, 7)?;
        env.fail_case(a.ptr(0), Kind::from_c(a.bits(1)), a, failure, msg)?;
    }
    void()
}

fn assert_ptr_check(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let text = env.read_str(a.ptr(4), a.site)?;
    let p = a.ptr(5);
    let failure = match a.bits(6) {
        0 | 2 if p.is_null() => Some(Failure::NotNull { text }),
        1 if !p.is_null() => Some(Failure::Null { text, value: p.0 }),
        2 | 3 if p.is_err() => Some(Failure::IsErr {
            text,
            err: p.0 as i64,
        }),
        _ => None,
    };
    if let Some(failure) = failure {
        let msg = message(env, a, 7)?;
        env.fail_case(a.ptr(0), Kind::from_c(a.bits(1)), a, failure, msg)?;
    }
    void()
}

fn assert_fail(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let msg = message(env, a, 4)?;
    env.fail_case(a.ptr(0), Kind::from_c(a.bits(1)), a, Failure::Fail, msg)?;
    void()
}
