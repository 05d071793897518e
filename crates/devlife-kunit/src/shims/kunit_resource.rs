//! KUnit resource shims (lib/kunit/resource.c, include/kunit/resource.h),
//! and the C copy of every test's resource list.
//!
//! The model owns the lists and the reference counts. C code only sees
//! `test->resources` and the `node` of each `struct kunit_resource`, so after
//! each KUnit shim the binding replays the model's list changes into those
//! `list_head`s ([`KernelEnv::sync_kunit_lists`]); `list_empty()` and
//! `list_is_last()` in C then agree with the model.

use super::{int, ptr, void, Args, Shim};
use crate::env::{KernelEnv, Stop};
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::source::Site as CSite;
use devlife_c::value::{Addr as CAddr, Value};
use devlife_model::kunit::{KunitListOp, KunitResourceSpec};
use devlife_model::{Addr, AllocKind, Fault, FnRef, ResId};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("__kunit_add_resource", kunit_add_resource_raw),
    ("kunit_add_named_resource", kunit_add_named_resource),
    ("kunit_add_resource", kunit_add_resource),
    ("kunit_alloc_and_get_resource", kunit_alloc_and_get_resource),
    ("kunit_alloc_resource", kunit_alloc_resource),
    ("kunit_destroy_named_resource", kunit_destroy_named_resource),
    ("kunit_destroy_resource", kunit_destroy_resource),
    ("kunit_find_named_resource", kunit_find_named_resource),
    ("kunit_find_resource", kunit_find_resource),
    ("kunit_get_resource", kunit_get_resource),
    ("kunit_put_resource", kunit_put_resource),
    ("kunit_remove_resource", kunit_remove_resource),
];

/// One `__kunit_add_resource` request, as the C arguments give it.
struct AddRequest {
    test: Addr,
    init: u64,
    free: u64,
    res: Addr,
    data: u64,
    /// `should_kfree`; `None` leaves the structure's own value.
    owned: Option<bool>,
    /// The name's C string and its text.
    name: Option<(Addr, String)>,
}

fn fn_ref(bits: u64) -> Option<FnRef> {
    (bits != 0).then_some(FnRef(bits))
}

impl KernelEnv<'_> {
    /// The live KUnit resource whose structure is at `addr`.
    fn kunit_res(&mut self, addr: Addr, api: &'static str, site: CSite) -> Result<ResId, Trap> {
        match self.kernel.kunit_resource_at(addr) {
            Some(r) => Ok(r),
            None if addr.0 < 4096 => Err(Trap::NullDeref {
                addr: CAddr(addr.0),
                site,
            }),
            None => Err(Trap::env(
                Stop::Fault(Fault::NotAnObject {
                    addr,
                    expected: "struct kunit_resource",
                    api,
                }),
                site,
            )),
        }
    }

    /// Fills in the structure as `__kunit_add_resource` does, then adds it to
    /// the model (which runs `init`). The C result: 0 or `init`'s error.
    fn add_resource(
        &mut self,
        interp: &mut Interp,
        req: AddRequest,
        site: CSite,
    ) -> Result<i32, Trap> {
        let t = self.test(req.test, "__kunit_add_resource", site)?;
        let l = self.state.layouts.res;
        self.write_u64(req.res.offset_by(l.free), req.free, site)?;
        if let Some(owned) = req.owned {
            let at = req.res.offset_by(l.should_kfree);
            self.kernel
                .mm
                .write(at, &[u8::from(owned)])
                .map_err(|f| self.mem_trap(f, site))?;
        }
        if req.init == 0 {
            self.write_u64(req.res.offset_by(l.data), req.data, site)?;
        }
        if let Some((name, _)) = &req.name {
            self.write_u64(req.res.offset_by(l.name), name.0, site)?;
        }
        let spec = KunitResourceSpec {
            addr: req.res,
            init: fn_ref(req.init),
            free: fn_ref(req.free),
            data: req.data,
            owned: req.owned.unwrap_or(false),
            name: req.name.as_ref().map(|(_, n)| n.as_str()),
        };
        let added = self.with_host(interp, site, |k, h| k.kunit_add_resource(h, t, spec));
        self.sync_kunit_lists();
        Ok(added?.err().unwrap_or(0))
    }

    /// `kunit_alloc_resource`'s work: a KUnit-allocated structure, added;
    /// NULL if `init` failed (the structure then leaks, as in the kernel).
    fn alloc_resource(&mut self, interp: &mut Interp, a: &Args<'_>) -> Result<Option<Addr>, Trap> {
        self.test(a.ptr(0), "kunit_alloc_resource", a.site)?;
        let size = self.state.layouts.res.size;
        let res = self
            .kernel
            .kmalloc(size, AllocKind::Kmalloc, "struct kunit_resource");
        let req = AddRequest {
            res,
            ..add_request(a, Some(true))
        };
        let ret = self.add_resource(interp, req, a.site)?;
        Ok((ret == 0).then_some(res))
    }

    /// Replays the model's changes to KUnit resource lists into the C
    /// `list_head`s: each test's `resources` and each resource's `node`.
    /// Writes to memory already freed are dropped: a later change fixes
    /// every list that is still alive.
    pub(crate) fn sync_kunit_lists(&mut self) {
        if !self.kernel.kunit_lists_changed() {
            return;
        }
        let ops = self.kernel.kunit_list_changes();
        if ops.is_empty() {
            return;
        }
        self.kernel
            .kunit_set_action_record_size(self.state.layouts.res.size + 16);
        let l = self.state.layouts;
        let head_off = i64::from(l.kunit_resources);
        let node_off = l.res.node;
        let prev_off = i64::from(l.list_prev);
        let mut lists = ListWriter {
            env: self,
            prev_off,
        };
        for op in ops {
            let head = |test: Addr| test.offset_by(head_off);
            let node = |res: Addr| res.offset_by(node_off);
            match op {
                KunitListOp::Init { test } => lists.join(head(test), head(test)),
                KunitListOp::Added { test, res, prev } => {
                    let before = prev.map_or(head(test), node);
                    lists.join(before, node(res));
                    lists.join(node(res), head(test));
                }
                KunitListOp::Unlinked {
                    test,
                    res,
                    prev,
                    next,
                } => {
                    lists.join(prev.map_or(head(test), node), next.map_or(head(test), node));
                    lists.join(node(res), node(res));
                }
            }
        }
    }
}

/// Writes `list_head` links, ignoring memory that is gone.
struct ListWriter<'e, 'k> {
    env: &'e mut KernelEnv<'k>,
    prev_off: i64,
}

impl ListWriter<'_, '_> {
    /// Makes `after` follow `before`.
    fn join(&mut self, before: Addr, after: Addr) {
        let mm = &mut self.env.kernel.mm;
        let _ = mm.write_u64(before, after.0);
        let _ = mm.write_u64(after.offset_by(self.prev_off), before.0);
    }
}

/// The request of the `(test, init, free, res, data)` add calls.
fn add_request(a: &Args<'_>, owned: Option<bool>) -> AddRequest {
    AddRequest {
        test: a.ptr(0),
        init: a.bits(1),
        free: a.bits(2),
        res: a.ptr(3),
        data: a.bits(4),
        owned,
        name: None,
    }
}

fn kunit_add_resource_raw(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    int(i64::from(env.add_resource(
        interp,
        add_request(a, None),
        a.site,
    )?))
}

fn kunit_add_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    int(i64::from(env.add_resource(
        interp,
        add_request(a, Some(false)),
        a.site,
    )?))
}

fn kunit_add_named_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_add_named_resource", a.site)?;
    let name_at = a.ptr(4);
    if name_at.is_null() {
        return int(-22);
    }
    let name = env.read_str(name_at, a.site)?;
    // The existing one is found (a reference) and let go again.
    if let Some(existing) = env.kernel.kunit_find_named_resource(t, &name) {
        env.with_host(interp, a.site, |k, h| k.kunit_put_resource(h, existing))?;
        return int(-17);
    }
    let req = AddRequest {
        data: a.bits(5),
        name: Some((name_at, name)),
        ..add_request(a, Some(false))
    };
    int(i64::from(env.add_resource(interp, req, a.site)?))
}

fn kunit_alloc_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    match env.alloc_resource(interp, a)? {
        Some(res) => {
            let at = res.offset_by(env.state.layouts.res.data);
            ptr(Addr(env.read_u64(at, a.site)?))
        }
        None => ptr(Addr::NULL),
    }
}

fn kunit_alloc_and_get_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let Some(res) = env.alloc_resource(interp, a)? else {
        return ptr(Addr::NULL);
    };
    if let Some(id) = env.kernel.kunit_resource_at(res) {
        env.kernel.kunit_get_resource(id);
    }
    ptr(res)
}

/// A found resource as the C result: its structure, or NULL.
fn found(env: &mut KernelEnv<'_>, res: Option<ResId>) -> Result<Value, Trap> {
    env.sync_kunit_lists();
    ptr(res
        .and_then(|r| env.kernel.kunit_resource_addr(r))
        .unwrap_or(Addr::NULL))
}

fn kunit_find_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_find_resource", a.site)?;
    let (matches, data) = (FnRef(a.bits(1)), a.bits(2));
    let res = env.with_host(interp, a.site, |k, h| {
        k.kunit_find_resource(h, t, matches, data)
    })?;
    found(env, res)
}

fn kunit_find_named_resource(
    env: &mut KernelEnv<'_>,
    _interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_find_named_resource", a.site)?;
    let name = env.read_str(a.ptr(1), a.site)?;
    let res = env.kernel.kunit_find_named_resource(t, &name);
    found(env, res)
}

/// Runs a model call that may run callbacks and change KUnit lists, then
/// mirrors the lists, whether or not the call unwound.
pub(super) fn synced_host<T>(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    site: CSite,
    f: impl FnOnce(&mut devlife_model::Kernel, &mut crate::env::CHost<'_>) -> devlife_model::KResult<T>,
) -> Result<T, Trap> {
    let r = env.with_host(interp, site, f);
    env.sync_kunit_lists();
    r
}

fn kunit_destroy_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_destroy_resource", a.site)?;
    let (matches, data) = (FnRef(a.bits(1)), a.bits(2));
    int(i64::from(synced_host(env, interp, a.site, |k, h| {
        k.kunit_destroy_resource(h, t, matches, data)
    })?))
}

fn kunit_destroy_named_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let t = env.test(a.ptr(0), "kunit_destroy_named_resource", a.site)?;
    let name = env.read_str(a.ptr(1), a.site)?;
    int(i64::from(synced_host(env, interp, a.site, |k, h| {
        k.kunit_destroy_named_resource(h, t, &name)
    })?))
}

fn kunit_get_resource(
    env: &mut KernelEnv<'_>,
    _: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let res = env.kunit_res(a.ptr(0), "kunit_get_resource", a.site)?;
    env.kernel.kunit_get_resource(res);
    void()
}

fn kunit_put_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let res = env.kunit_res(a.ptr(0), "kunit_put_resource", a.site)?;
    synced_host(env, interp, a.site, |k, h| k.kunit_put_resource(h, res))?;
    void()
}

/// The kernel takes only the test's lock here, so the test is not checked.
fn kunit_remove_resource(
    env: &mut KernelEnv<'_>,
    interp: &mut Interp,
    a: &Args<'_>,
) -> Result<Value, Trap> {
    let res = env.kunit_res(a.ptr(1), "kunit_remove_resource", a.site)?;
    synced_host(env, interp, a.site, |k, h| k.kunit_remove_resource(h, res))?;
    void()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::{run_file, Filter, Limits};
    use devlife_model::Profile;

    /// Runs a C test file under 6.12 and returns its KTAP.
    pub(crate) fn ktap(src: &str) -> String {
        match run_file(
            "t.c",
            src,
            Profile::V6_12,
            &Filter::default(),
            Limits::default(),
        ) {
            Ok(run) => run.ktap,
            Err(e) => panic!("{e:?}"),
        }
    }

    /// A suite `s` of the given cases.
    pub(crate) fn suite(body: &str, cases: &[&str]) -> String {
        let list: String = cases.iter().map(|c| format!("KUNIT_CASE({c}), ")).collect();
        format!("{body}\nstatic struct kunit_case cases[] = {{ {list}{{}} }};\nstatic struct kunit_suite s = {{ .name = \"s\", .test_cases = cases }};\nkunit_test_suite(s);\n")
    }

    const RESOURCES: &str = r#"
struct thing { int v; };
static int init_thing(struct kunit_resource *res, void *ctx) { res->data = ctx; return 0; }
static int init_fails(struct kunit_resource *res, void *ctx) { return -ENOMEM; }
static void free_thing(struct kunit_resource *res) { ((struct thing *)res->data)->v = -1; }
static bool is_thing(struct kunit *test, struct kunit_resource *res, void *data) { return res->data == data; }
static int count(struct kunit *test) { return list_count_nodes(&test->resources); }

static void mirror(struct kunit *test)
{
	struct thing a = { 1 }, b = { 2 };
	struct kunit_resource *ra, *rb, *pos;
	int seen = 0;

	kunit_cleanup(test);
	KUNIT_EXPECT_TRUE(test, list_empty(&test->resources));
	ra = kunit_alloc_and_get_resource(test, init_thing, free_thing, GFP_KERNEL, &a);
	rb = kunit_alloc_and_get_resource(test, init_thing, free_thing, GFP_KERNEL, &b);
	KUNIT_EXPECT_EQ(test, count(test), 2);
	KUNIT_EXPECT_TRUE(test, list_is_last(&rb->node, &test->resources));
	list_for_each_entry(pos, &test->resources, node)
		seen = seen * 10 + ((struct thing *)pos->data)->v;
	KUNIT_EXPECT_EQ(test, seen, 12);
	KUNIT_EXPECT_PTR_EQ(test, kunit_find_resource(test, is_thing, &a), ra);
	kunit_put_resource(ra);
	KUNIT_EXPECT_EQ(test, kunit_destroy_resource(test, is_thing, &a), 0);
	KUNIT_EXPECT_EQ(test, a.v, 1);
	kunit_put_resource(ra);
	KUNIT_EXPECT_EQ(test, a.v, -1);
	KUNIT_EXPECT_EQ(test, count(test), 1);
	kunit_kzalloc(test, 8, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, count(test), 2);
	kunit_put_resource(rb);
	kunit_cleanup(test);
	KUNIT_EXPECT_TRUE(test, list_empty(&test->resources));
	KUNIT_EXPECT_EQ(test, b.v, -1);
}

static void named(struct kunit *test)
{
	struct kunit_resource r1, r2;
	int ctx;

	KUNIT_EXPECT_EQ(test, kunit_add_named_resource(test, NULL, NULL, &r1, "one", &ctx), 0);
	KUNIT_EXPECT_EQ(test, kunit_add_named_resource(test, NULL, NULL, &r2, "one", &ctx), -EEXIST);
	KUNIT_EXPECT_EQ(test, kunit_add_named_resource(test, NULL, NULL, &r2, NULL, &ctx), -EINVAL);
	KUNIT_EXPECT_EQ(test, count(test), 1);
	KUNIT_EXPECT_PTR_EQ(test, kunit_find_named_resource(test, "one"), &r1);
	KUNIT_EXPECT_STREQ(test, r1.name, "one");
	kunit_put_resource(&r1);
	KUNIT_EXPECT_EQ(test, kunit_destroy_named_resource(test, "one"), 0);
	KUNIT_EXPECT_EQ(test, kunit_destroy_named_resource(test, "one"), -ENOENT);
	KUNIT_EXPECT_TRUE(test, list_empty(&test->resources));
}

static struct thing kept = { 1 };

static void failed_init(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, kunit_alloc_resource(test, init_fails, free_thing, GFP_KERNEL, &kept));
	KUNIT_EXPECT_PTR_EQ(test, kunit_alloc_resource(test, init_thing, free_thing, GFP_KERNEL, &kept), &kept);
	KUNIT_EXPECT_EQ(test, count(test), 1);
}

static void bad_put(struct kunit *test)
{
	int x;

	kunit_put_resource((struct kunit_resource *)&x);
}
"#;

    const LISTS: &str = r#"
struct item { int v; struct list_head node; };

static void lists(struct kunit *test)
{
	LIST_HEAD(head);
	struct item a = { 1 }, b = { 2 }, c = { 3 };
	struct item *pos, *tmp;
	int seen = 0;

	KUNIT_EXPECT_TRUE(test, list_empty(&head));
	list_add_tail(&a.node, &head);
	list_add_tail(&b.node, &head);
	list_add(&c.node, &head);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&head), 3);
	KUNIT_EXPECT_TRUE(test, list_is_first(&c.node, &head));
	KUNIT_EXPECT_PTR_EQ(test, list_last_entry(&head, struct item, node), &b);
	list_for_each_entry_reverse(pos, &head, node)
		seen = seen * 10 + pos->v;
	KUNIT_EXPECT_EQ(test, seen, 213);
	list_move_tail(&c.node, &head);
	list_del_init(&a.node);
	KUNIT_EXPECT_TRUE(test, list_empty(&a.node));
	seen = 0;
	list_for_each_entry_safe(pos, tmp, &head, node) {
		seen = seen * 10 + pos->v;
		list_del(&pos->node);
	}
	KUNIT_EXPECT_EQ(test, seen, 23);
	KUNIT_EXPECT_TRUE(test, list_empty(&head));
}
"#;

    #[test]
    fn the_preludes_list_helpers() {
        let out = ktap(&suite(LISTS, &["lists"]));
        assert!(out.contains("    ok 1 lists\n"), "{out}");
    }

    #[test]
    fn c_lists_follow_the_model_and_resources_keep_their_references() {
        let out = ktap(&suite(
            RESOURCES,
            &["mirror", "named", "failed_init", "bad_put"],
        ));
        for ok in [
            "ok 1 mirror",
            "ok 2 named",
            "ok 3 failed_init",
            "not ok 4 bad_put",
        ] {
            assert!(out.contains(&format!("    {ok}\n")), "{ok}:\n{out}");
        }
        assert!(
            out.contains("which is not a live struct kunit_resource"),
            "{out}"
        );
    }
}
