//! KUnit string streams and logs (lib/kunit/string-stream.c, test.c's
//! `kunit_log_append`), and `strstr`, which the log tests search them with.
//!
//! A stream is its C `struct string_stream`: the text lives in one
//! NUL-terminated buffer at `buf`, regrown as needed. A stream made for a
//! test (`kunit_alloc_string_stream`) is KUnit-managed memory, buffer
//! included, so the test's cleanup frees it.

use super::{int, ptr, void, Args, Shim};
use crate::env::KernelEnv;
use crate::format::format_c;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::source::Site as CSite;
use devlife_c::value::Value;
use devlife_model::{Addr, AllocKind};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("alloc_string_stream", alloc_string_stream),
    ("kunit_alloc_string_stream", kunit_alloc_string_stream),
    ("kunit_free_string_stream", kunit_free_string_stream),
    ("kunit_log_append", kunit_log_append),
    ("string_stream_add", string_stream_add),
    ("string_stream_append", string_stream_append),
    ("string_stream_clear", string_stream_clear),
    ("string_stream_destroy", string_stream_destroy),
    ("string_stream_get_string", string_stream_get_string),
    ("string_stream_is_empty", string_stream_is_empty),
    ("strstr", strstr),
];

/// One stream's state, read from its structure.
struct Stream {
    at: Addr,
    length: u64,
    buf: Addr,
    capacity: u64,
    test: Addr,
}

impl KernelEnv<'_> {
    fn stream(
        &mut self,
        l: &crate::layout::StreamLayout,
        at: Addr,
        site: CSite,
    ) -> Result<Stream, Trap> {
        Ok(Stream {
            at,
            length: self.read_u64(at.offset_by(l.length), site)?,
            buf: Addr(self.read_u64(at.offset_by(l.buf), site)?),
            capacity: self.read_u64(at.offset_by(l.capacity), site)?,
            test: Addr(self.read_u64(at.offset_by(l.test), site)?),
        })
    }

    /// Memory for a stream: KUnit-managed for a stream of a test, else plain.
    fn stream_alloc(&mut self, test: Addr, size: u64, site: CSite) -> Result<Addr, Trap> {
        let size = u32::try_from(size).map_err(|_| Trap::AllocFailed { size, site })?;
        if test.is_null() {
            return Ok(self
                .kernel
                .kmalloc(size, AllocKind::Kmalloc, "string_stream"));
        }
        let t = self.test(test, "kunit_alloc_string_stream", site)?;
        self.model(site, |k| k.kunit_kzalloc(t, size))
    }

    fn stream_free(
        &mut self,
        interp: &mut Interp,
        test: Addr,
        p: Addr,
        site: CSite,
    ) -> Result<(), Trap> {
        if test.is_null() {
            return self.model(site, |k| k.kfree(p));
        }
        let t = self.test(test, "kunit_free_string_stream", site)?;
        self.with_host(interp, site, |k, h| k.kunit_kfree(h, t, p))?;
        Ok(())
    }

    /// Appends `text` to the stream at `at`, regrowing its buffer if needed.
    fn stream_append(
        &mut self,
        interp: &mut Interp,
        at: Addr,
        text: &[u8],
        site: CSite,
    ) -> Result<(), Trap> {
        let l = self.state.layouts.stream;
        let s = self.stream(&l, at, site)?;
        let length = s.length + text.len() as u64;
        let mut buf = s.buf;
        if length + 1 > s.capacity || buf.is_null() {
            let capacity = (length + 1).next_power_of_two().max(64);
            buf = self.stream_alloc(s.test, capacity, site)?;
            let mut old = vec![0u8; s.length.min(1 << 24) as usize];
            if !s.buf.is_null() {
                self.kernel
                    .mm
                    .read(s.buf, &mut old)
                    .map_err(|f| self.mem_trap(f, site))?;
                self.stream_free(interp, s.test, s.buf, site)?;
            }
            self.kernel
                .mm
                .write(buf, &old)
                .map_err(|f| self.mem_trap(f, site))?;
            self.write_u64(s.at.offset_by(l.buf), buf.0, site)?;
            self.write_u64(s.at.offset_by(l.capacity), capacity, site)?;
        }
        let mut bytes = text.to_vec();
        bytes.push(0);
        let end = buf.offset_by(s.length as i64);
        self.kernel
            .mm
            .write(end, &bytes)
            .map_err(|f| self.mem_trap(f, site))?;
        self.write_u64(s.at.offset_by(l.length), length, site)
    }

    /// The stream's text.
    fn stream_text(&mut self, at: Addr, site: CSite) -> Result<Vec<u8>, Trap> {
        let l = self.state.layouts.stream;
        let s = self.stream(&l, at, site)?;
        let mut text = vec![0u8; s.length.min(1 << 24) as usize];
        if !s.buf.is_null() {
            self.kernel
                .mm
                .read(s.buf, &mut text)
                .map_err(|f| self.mem_trap(f, site))?;
        }
        Ok(text)
    }

    /// A new, empty stream for `test` (NULL: a stream of no test).
    fn new_stream(&mut self, test: Addr, site: CSite) -> Result<Value, Trap> {
        let l = self.state.layouts.stream;
        let at = self.stream_alloc(test, u64::from(l.size), site)?;
        self.write_u64(at.offset_by(l.test), test.0, site)?;
        self.sync_kunit_lists();
        ptr(at)
    }

    /// Frees a stream's buffer and structure.
    fn drop_stream(&mut self, interp: &mut Interp, at: Addr, site: CSite) -> Result<Value, Trap> {
        if at.is_null() {
            return void();
        }
        let l = self.state.layouts.stream;
        let s = self.stream(&l, at, site)?;
        if !s.buf.is_null() {
            self.stream_free(interp, s.test, s.buf, site)?;
        }
        self.stream_free(interp, s.test, at, site)?;
        self.sync_kunit_lists();
        void()
    }

    /// `kunit_log_append`'s work: `text` goes to the log at `log` (none if
    /// NULL), with a newline added when the stream asks for one.
    pub(crate) fn log_append(
        &mut self,
        interp: &mut Interp,
        log: Addr,
        text: &str,
        site: CSite,
    ) -> Result<(), Trap> {
        if log.is_null() {
            return Ok(());
        }
        let l = self.state.layouts.stream;
        let mut b = [0u8];
        self.kernel
            .mm
            .read(log.offset_by(l.append_newlines), &mut b)
            .map_err(|f| self.mem_trap(f, site))?;
        let mut text = text.as_bytes().to_vec();
        if b[0] != 0 && text.last() != Some(&b'\n') {
            text.push(b'\n');
        }
        self.stream_append(interp, log, &text, site)?;
        self.sync_kunit_lists();
        Ok(())
    }
}

fn alloc_string_stream(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    env.new_stream(Addr::NULL, a.site)
}

fn kunit_alloc_string_stream(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    env.test(a.ptr(0), "kunit_alloc_string_stream", a.site)?;
    env.new_stream(a.ptr(0), a.site)
}

fn kunit_free_string_stream(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    env.drop_stream(interp, a.ptr(1), a.site)
}

fn string_stream_destroy(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    env.drop_stream(interp, a.ptr(0), a.site)
}

fn string_stream_add(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let text = format_c(env, a.ptr(1), a.rest(2), a.site)?;
    env.stream_append(interp, a.ptr(0), text.as_bytes(), a.site)?;
    env.sync_kunit_lists();
    int(0)
}

fn string_stream_append(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let text = env.stream_text(a.ptr(1), a.site)?;
    env.stream_append(interp, a.ptr(0), &text, a.site)?;
    env.sync_kunit_lists();
    int(0)
}

/// Empties the stream; its buffer stays for reuse.
fn string_stream_clear(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let l = env.state.layouts.stream;
    let s = env.stream(&l, a.ptr(0), a.site)?;
    if !s.buf.is_null() {
        env.kernel
            .mm
            .write(s.buf, &[0])
            .map_err(|f| env.mem_trap(f, a.site))?;
    }
    env.write_u64(s.at.offset_by(l.length), 0, a.site)?;
    void()
}

/// A `kmalloc`ed copy of the text; the caller frees it.
fn string_stream_get_string(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let mut text = env.stream_text(a.ptr(0), a.site)?;
    text.push(0);
    let size = u32::try_from(text.len()).map_err(|_| Trap::AllocFailed {
        size: text.len() as u64,
        site: a.site,
    })?;
    let copy = env
        .kernel
        .kmalloc(size, AllocKind::Kmalloc, "string_stream_get_string");
    env.kernel
        .mm
        .write(copy, &text)
        .map_err(|f| env.mem_trap(f, a.site))?;
    ptr(copy)
}

fn string_stream_is_empty(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let l = env.state.layouts.stream;
    let s = env.stream(&l, a.ptr(0), a.site)?;
    Ok(Value::bool(s.length == 0))
}

fn kunit_log_append(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    if a.ptr(0).is_null() {
        return void();
    }
    let text = format_c(env, a.ptr(1), a.rest(2), a.site)?;
    env.log_append(interp, a.ptr(0), &text, a.site)?;
    void()
}

/// Where `needle` first occurs in `haystack`, or NULL.
fn strstr(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let hay = devlife_c::env::read_c_bytes(env, devlife_c::value::Addr(a.bits(0)), a.site)?;
    let needle = devlife_c::env::read_c_bytes(env, devlife_c::value::Addr(a.bits(1)), a.site)?;
    let at = if needle.is_empty() {
        Some(0)
    } else {
        hay.windows(needle.len())
            .position(|w| w == needle.as_slice())
    };
    ptr(at.map_or(Addr::NULL, |i| a.ptr(0).offset_by(i as i64)))
}

#[cfg(test)]
mod tests {
    use super::super::kunit_resource::tests::{ktap, suite};

    const STREAMS: &str = r#"
static void streams(struct kunit *test)
{
	struct string_stream *s = kunit_alloc_string_stream(test, GFP_KERNEL);
	char *text;
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	KUNIT_EXPECT_TRUE(test, string_stream_is_empty(s));
	for (i = 0; i < 40; i++)
		string_stream_add(s, "%d,", i);
	text = string_stream_get_string(s);
	KUNIT_EXPECT_EQ(test, strlen(text), 110);
	KUNIT_EXPECT_STREQ(test, strstr(text, "38,"), "38,39,");
	KUNIT_EXPECT_NULL(test, strstr(text, "40,"));
	kfree(text);
	string_stream_clear(s);
	KUNIT_EXPECT_TRUE(test, string_stream_is_empty(s));
	string_stream_set_append_newlines(s, true);
	kunit_log_append(s, "a");
	kunit_log_append(s, "b\n");
	text = string_stream_get_string(s);
	KUNIT_EXPECT_STREQ(test, text, "a\nb\n");
	kfree(text);
}

static void logs(struct kunit *test)
{
	struct kunit_suite suite;
	char *text;

	suite.log = kunit_alloc_string_stream(test, GFP_KERNEL);
	kunit_log(KERN_INFO, &suite, "to the %s", "suite");
	kunit_log(KERN_INFO, test, "not kept");
	text = string_stream_get_string(suite.log);
	KUNIT_EXPECT_STREQ(test, text, "to the suite");
	kfree(text);
}
"#;

    #[test]
    fn streams_grow_and_logs_print_as_is() {
        let out = ktap(&suite(STREAMS, &["streams", "logs"]));
        assert!(out.contains("    ok 1 streams\n"), "{out}");
        assert!(
            out.contains("\nto the suite\nnot kept\n    ok 2 logs\n"),
            "{out}"
        );
    }
}
