//! KUnit's running test (lib/kunit/test.c, try-catch.c, test-bug.h): its
//! status and messages, `current->kunit_test`, and try-catch.

use super::{ptr, void, Args, Shim};
use crate::env::{KernelEnv, Stop};
use crate::format::format_c;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::source::Site as CSite;
use devlife_c::value::{Addr as CAddr, Value};
use devlife_model::Addr;

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("__devlife_current", current),
    ("__devlife_kunit_mark_skipped", mark_skipped),
    ("__devlife_kunit_printk", kunit_printk),
    ("__devlife_kunit_skip", skip),
    ("__kunit_fail_current_test", kunit_fail_current_test),
    ("kunit_get_current_test", kunit_get_current_test),
    ("kunit_set_failure", kunit_set_failure),
    ("kunit_try_catch_run", kunit_try_catch_run),
    ("kunit_try_catch_throw", kunit_try_catch_throw),
];

fn current(env: &mut KernelEnv<'_>, _interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    env.current_test_addr(a.site)?;
    ptr(env.state.task)
}

fn kunit_get_current_test(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    ptr(env.current_test_addr(a.site)?)
}

fn mark_skipped(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let reason = format_c(env, a.ptr(1), a.rest(2), a.site)?;
    let test = a.ptr(0);
    env.write_status(test, KUNIT_SKIPPED, a.site)?;
    let mut comment: Vec<u8> = reason.bytes().take(STATUS_COMMENT_SIZE - 1).collect();
    comment.push(0);
    let at = test.offset_by(i64::from(env.state.layouts.kunit_status_comment));
    env.kernel
        .mm
        .write(at, &comment)
        .map_err(|f| env.mem_trap(f, a.site))?;
    if let Some(case) = env.state.case.as_mut().filter(|c| c.test_addr == test) {
        case.skip = Some(reason);
    }
    void()
}

fn skip(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    mark_skipped(env, interp, a)?;
    Err(Trap::env(Stop::Skip, a.site))
}

fn kunit_printk(env: &mut KernelEnv<'_>, interp: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let text = format_c(env, a.ptr(2), a.rest(3), a.site)?;
    let text = super::libc::strip_level(&text);
    env.test_print(interp, a.ptr(0), text, a.site)?;
    void()
}

/// `KUNIT_FAILURE` of `enum kunit_status`.
const KUNIT_FAILURE: u32 = 1;
/// `KUNIT_SKIPPED` of `enum kunit_status`.
const KUNIT_SKIPPED: u32 = 2;
/// `KUNIT_STATUS_COMMENT_SIZE`.
const STATUS_COMMENT_SIZE: usize = 256;
/// `-EFAULT`, a thrown try-catch's result until `kunit_try_catch_run` clears it.
const EFAULT: i32 = 14;

impl KernelEnv<'_> {
    /// The name a test's messages carry: the running case's, or the
    /// `name` member of another `struct kunit`.
    fn test_name(&mut self, test: Addr, site: CSite) -> Option<String> {
        if let Some(case) = self.state.case.as_ref().filter(|c| c.test_addr == test) {
            return Some(case.name.clone());
        }
        if test.is_null() {
            return None;
        }
        let at = test.offset_by(i64::from(self.state.layouts.kunit_name));
        let name = self.read_u64(at, site).ok()?;
        self.read_str(Addr(name), site).ok()
    }

    /// `kunit_printk`: prints `    # <test name>: <text>` and appends it to
    /// the test's log, if it has one.
    fn test_print(
        &mut self,
        interp: &mut Interp,
        test: Addr,
        text: &str,
        site: CSite,
    ) -> Result<(), Trap> {
        let line = match self.test_name(test, site) {
            Some(name) => format!("    # {name}: {text}"),
            None => text.to_string(),
        };
        self.print(line.trim_end_matches('\n').to_string());
        if test.is_null() {
            return Ok(());
        }
        let log = test.offset_by(i64::from(self.state.layouts.kunit_log));
        let log = self.read_u64(log, site)?;
        self.log_append(interp, Addr(log), &line, site)
    }

    /// Writes `test->status`.
    fn write_status(&mut self, test: Addr, status: u32, site: CSite) -> Result<(), Trap> {
        let off = i64::from(self.state.layouts.kunit_status);
        self.write_u32(test.offset_by(off), status, site)
    }

    /// `kunit_set_failure`: the test's status, and the running case's verdict.
    fn set_failure(&mut self, test: Addr, site: CSite) -> Result<(), Trap> {
        self.write_status(test, KUNIT_FAILURE, site)?;
        if let Some(case) = self.state.case.as_mut().filter(|c| c.test_addr == test) {
            case.failed = true;
        }
        Ok(())
    }

    /// `current->kunit_test`, after making C and the model agree on it.
    ///
    /// The runner and `kunit_cleanup` change the model's current test; C code
    /// may write `current->kunit_test` itself. The task's hidden members say
    /// what both last agreed on, so whichever side changed since wins.
    pub(crate) fn current_test_addr(&mut self, site: CSite) -> Result<Addr, Trap> {
        let task = self.state.task;
        let field = task.offset_by(i64::from(self.state.layouts.task_kunit_test));
        let l = self.state.layouts;
        let seen_at = task.offset_by(i64::from(l.task_seen_test));
        let changes_at = task.offset_by(i64::from(l.task_seen_changes));
        let model = self
            .kernel
            .current_test()
            .map_or(0, |t| self.kernel.obj(t).addr.0);
        let mut value = self.read_u64(field, site)?;
        if self.kernel.current_test_changes() != self.read_u64(changes_at, site)? {
            value = model;
            self.write_u64(field, value, site)?;
        } else if value != self.read_u64(seen_at, site)? {
            let t = self.kernel.test_at(Addr(value));
            self.kernel.set_current_test(t);
        }
        self.write_u64(seen_at, value, site)?;
        let changes = self.kernel.current_test_changes();
        self.write_u64(changes_at, changes, site)?;
        Ok(Addr(value))
    }
}

fn kunit_set_failure(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    env.set_failure(a.ptr(0), a.site)?;
    void()
}

/// `kunit_fail_current_test(fmt, ...)`: fails whatever test
/// `current->kunit_test` points to, with a message naming the caller's line.
fn kunit_fail_current_test(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let test = env.current_test_addr(a.site)?;
    if test.is_null() {
        return void();
    }
    env.set_failure(test, a.site)?;
    let file = env.read_str(a.ptr(0), a.site)?;
    let msg = format_c(env, a.ptr(2), a.rest(3), a.site)?;
    let text = format!("{file}:{}: {msg}", a.int(1));
    env.test_print(interp, test, &text, a.site)?;
    void()
}

/// `kunit_try_catch_run`: calls `try(context)`. A throw inside it comes back
/// here; the result is then reset to 0 and `catch(context)` runs. Every other
/// way out (an assertion, a fault) goes on unwinding.
fn kunit_try_catch_run(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let (at, tc) = (a.ptr(0), env.state.layouts.try_catch);
    let context = Value::ptr(CAddr(a.bits(1)));
    env.write_u64(at.offset_by(tc.context), context.bits, a.site)?;
    env.write_u32(at.offset_by(tc.result), 0, a.site)?;
    let try_fn = env.read_u64(at.offset_by(tc.try_fn), a.site)?;
    let fp = CAddr(try_fn);
    match crate::callc::call_pointer(interp, env, fp, &[context], a.site) {
        Ok(_) => void(),
        Err(trap) if trap.payload::<Stop>() == Some(&Stop::Throw(at)) => {
            env.write_u32(at.offset_by(tc.result), 0, a.site)?;
            let catch_fn = env.read_u64(at.offset_by(tc.catch_fn), a.site)?;
            let fp = CAddr(catch_fn);
            crate::callc::call_pointer(interp, env, fp, &[context], a.site)?;
            void()
        }
        Err(trap) => Err(trap),
    }
}

/// `kunit_try_catch_throw`: never returns; unwinds to the matching run.
fn kunit_try_catch_throw(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let (at, tc) = (a.ptr(0), env.state.layouts.try_catch);
    env.write_u32(at.offset_by(tc.result), (-EFAULT) as u32, a.site)?;
    Err(Trap::env(Stop::Throw(at), a.site))
}

#[cfg(test)]
mod tests {
    use super::super::kunit_resource::tests::{ktap, suite};

    const RUNNING: &str = r#"
struct ctx { struct kunit_try_catch tc; int tried, caught, after; };

static void deep(struct ctx *c) { kunit_try_catch_throw(&c->tc); c->after++; }
static void throws(void *data) { struct ctx *c = data; c->tried++; deep(c); c->after++; }
static void returns(void *data) { struct ctx *c = data; c->tried++; }
static void catches(void *data) { struct ctx *c = data; c->caught++; }

static void try_catch(struct kunit *test)
{
	struct ctx c = { 0 };

	kunit_try_catch_init(&c.tc, test, returns, catches);
	kunit_try_catch_run(&c.tc, &c);
	KUNIT_EXPECT_EQ(test, c.tried, 1);
	KUNIT_EXPECT_EQ(test, c.caught, 0);
	kunit_try_catch_init(&c.tc, test, throws, catches);
	kunit_try_catch_run(&c.tc, &c);
	KUNIT_EXPECT_EQ(test, c.tried, 2);
	KUNIT_EXPECT_EQ(test, c.caught, 1);
	KUNIT_EXPECT_EQ(test, c.after, 0);
	KUNIT_EXPECT_EQ(test, kunit_try_catch_get_result(&c.tc), 0);
}

static void current_test(struct kunit *test)
{
	struct kunit fake;

	KUNIT_EXPECT_PTR_EQ(test, current->kunit_test, test);
	kunit_init_test(&fake, "fake", NULL);
	current->kunit_test = &fake;
	KUNIT_EXPECT_PTR_EQ(test, kunit_get_current_test(), &fake);
	kunit_fail_current_test("blame %s", "fake");
	KUNIT_EXPECT_EQ(test, fake.status, KUNIT_FAILURE);
	kunit_cleanup(&fake);
	KUNIT_EXPECT_NULL(test, current->kunit_test);
	current->kunit_test = test;
	KUNIT_EXPECT_PTR_EQ(test, kunit_get_current_test(), test);
}

static void status(struct kunit *test)
{
	struct kunit fake;

	kunit_init_test(&fake, "fake", NULL);
	kunit_mark_skipped(&fake, "because %d", 42);
	KUNIT_EXPECT_EQ(test, fake.status, KUNIT_SKIPPED);
	KUNIT_EXPECT_STREQ(test, fake.status_comment, "because 42");
	kunit_set_failure(&fake);
	KUNIT_EXPECT_EQ(test, fake.status, KUNIT_FAILURE);
}

static void fails_itself(struct kunit *test)
{
	kunit_set_failure(test);
}
"#;

    #[test]
    fn try_catch_current_test_and_status() {
        let out = ktap(&suite(
            RUNNING,
            &["try_catch", "current_test", "status", "fails_itself"],
        ));
        for ok in [
            "ok 1 try_catch",
            "ok 2 current_test",
            "ok 3 status",
            "not ok 4 fails_itself",
        ] {
            assert!(out.contains(&format!("    {ok}\n")), "{ok}:\n{out}");
        }
        assert!(out.contains("    # fake: t.c:33: blame fake\n"), "{out}");
    }
}
