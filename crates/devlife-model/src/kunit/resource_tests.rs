//! Tests of KUnit resources: references, named resources, matching through
//! the host, actions, and the list journal a mirroring host replays.

use super::KunitListOp;
use super::KunitResourceSpec;
use crate::mm::{Addr, AllocKind};
use crate::{errno, FnRef, Kernel, ObjId, Profile, ResId, RustHost};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// What callbacks saw, in order.
type Calls = Rc<RefCell<Vec<String>>>;

fn setup() -> (Kernel, RustHost, ObjId, Calls) {
    let mut k = Kernel::new(Profile::V6_12);
    let at = k.kmalloc(64, AllocKind::Global, "struct kunit");
    let t = k.kunit_init_test("t", at);
    (k, RustHost::new(), t, Calls::default())
}

/// A host callback that records `name` and returns 0.
fn recorder(host: &mut RustHost, calls: &Calls, name: &str) -> FnRef {
    let (c, n) = (calls.clone(), name.to_string());
    host.register(name, move |_, _, args| {
        c.borrow_mut()
            .push(format!("{n}({:#x})", args.first().copied().unwrap_or(0)));
        Ok(0)
    })
}

/// A resource whose structure KUnit allocated, with a free callback.
fn alloc(k: &mut Kernel, host: &mut RustHost, t: ObjId, free: FnRef, name: Option<&str>) -> ResId {
    let addr = k.kmalloc(56, AllocKind::Kmalloc, "struct kunit_resource");
    let spec = KunitResourceSpec {
        addr,
        free: Some(free),
        owned: true,
        name,
        ..Default::default()
    };
    k.kunit_add_resource(host, t, spec).unwrap().unwrap()
}

#[test]
fn free_runs_at_the_last_put_and_owned_structures_are_freed() {
    let (mut k, mut host, t, calls) = setup();
    let free = recorder(&mut host, &calls, "free");
    let live = k.mm.live_count();
    let res = alloc(&mut k, &mut host, t, free, None);
    let addr = k.kunit_resource_addr(res).unwrap();
    k.kunit_get_resource(res);
    assert_eq!(k.kunit_resource_refs(res), 2);
    k.kunit_remove_resource(&mut host, res).unwrap();
    k.kunit_remove_resource(&mut host, res).unwrap();
    assert!(k.kunit_resources(t).is_empty());
    assert!(calls.borrow().is_empty(), "a reference is still held");
    k.kunit_put_resource(&mut host, res).unwrap();
    assert_eq!(*calls.borrow(), [format!("free({:#x})", addr.0)]);
    assert_eq!(k.mm.live_count(), live, "the structure was freed");
    assert_eq!(k.kunit_resource_at(addr), None);
    assert!(
        k.kunit_put_resource(&mut host, res).is_err(),
        "a put too many"
    );
}

#[test]
fn a_failing_init_lists_nothing() {
    let (mut k, mut host, t, _) = setup();
    let init = host.register("init", |_, _, _| Ok(u64::from(-12i32 as u32)));
    let addr = k.kmalloc(56, AllocKind::Kmalloc, "struct kunit_resource");
    let spec = KunitResourceSpec {
        addr,
        init: Some(init),
        ..Default::default()
    };
    assert_eq!(k.kunit_add_resource(&mut host, t, spec).unwrap(), Err(-12));
    assert!(k.kunit_resources(t).is_empty());
}

#[test]
fn find_asks_the_host_newest_first_and_destroy_releases() {
    let (mut k, mut host, t, calls) = setup();
    let free = recorder(&mut host, &calls, "free");
    let a = alloc(&mut k, &mut host, t, free, None);
    let b = alloc(&mut k, &mut host, t, free, None);
    let asked = Rc::new(RefCell::new(Vec::new()));
    let seen = asked.clone();
    let want = k.kunit_resource_addr(a).unwrap().0;
    let matches = host.register("match", move |_, _, args| {
        seen.borrow_mut().push(args[1]);
        Ok(u64::from(args[1] == args[2]))
    });
    assert_eq!(
        k.kunit_find_resource(&mut host, t, matches, want).unwrap(),
        Some(a)
    );
    let b_addr = k.kunit_resource_addr(b).unwrap().0;
    assert_eq!(*asked.borrow(), [b_addr, want], "newest first");
    assert_eq!(k.kunit_resource_refs(a), 2);
    k.kunit_put_resource(&mut host, a).unwrap();
    assert_eq!(
        k.kunit_destroy_resource(&mut host, t, matches, want)
            .unwrap(),
        0
    );
    assert_eq!(k.kunit_resources(t), [b]);
    assert_eq!(calls.borrow().len(), 1);
    assert_eq!(
        k.kunit_destroy_resource(&mut host, t, matches, want)
            .unwrap(),
        -errno::ENOENT
    );
}

#[test]
fn named_resources_are_unique_per_test() {
    let (mut k, mut host, t, calls) = setup();
    let free = recorder(&mut host, &calls, "free");
    let r1 = alloc(&mut k, &mut host, t, free, Some("resource_1"));
    let addr = k.kmalloc(56, AllocKind::Kmalloc, "struct kunit_resource");
    let dup = KunitResourceSpec {
        addr,
        name: Some("resource_1"),
        ..Default::default()
    };
    assert_eq!(
        k.kunit_add_named_resource(&mut host, t, dup).unwrap(),
        Err(-errno::EEXIST)
    );
    let unnamed = KunitResourceSpec { name: None, ..dup };
    assert_eq!(
        k.kunit_add_named_resource(&mut host, t, unnamed).unwrap(),
        Err(-errno::EINVAL)
    );
    let r2 = KunitResourceSpec {
        name: Some("resource_2"),
        ..dup
    };
    let r2 = k
        .kunit_add_named_resource(&mut host, t, r2)
        .unwrap()
        .unwrap();
    assert_eq!(k.kunit_find_named_resource(t, "resource_1"), Some(r1));
    k.kunit_put_resource(&mut host, r1).unwrap();
    assert_eq!(
        k.kunit_destroy_named_resource(&mut host, t, "resource_2")
            .unwrap(),
        0
    );
    assert_eq!(k.kunit_resource_refs(r2), 0);
    assert_eq!(
        k.kunit_destroy_named_resource(&mut host, t, "nope")
            .unwrap(),
        -errno::ENOENT
    );
    k.kunit_cleanup(&mut host, t).unwrap();
    assert_eq!(
        calls.borrow().len(),
        1,
        "only resource_1 had a free callback"
    );
}

#[test]
fn actions_removed_never_run_and_released_run_at_once() {
    let (mut k, mut host, t, calls) = setup();
    let one = recorder(&mut host, &calls, "one");
    let two = recorder(&mut host, &calls, "two");
    let live = k.mm.live_count();
    for f in [one, two, one, two] {
        k.kunit_add_action(t, f, 7, "action");
    }
    k.kunit_remove_action(t, one, 7);
    k.kunit_release_action(&mut host, t, two, 7).unwrap();
    k.kunit_cleanup(&mut host, t).unwrap();
    assert_eq!(*calls.borrow(), ["two(0x7)", "two(0x7)", "one(0x7)"]);
    assert_eq!(k.mm.live_count(), live, "every action record was freed");
    assert_eq!(k.current_test(), None);
}

#[test]
fn cleanup_releases_what_releases_add() {
    let (mut k, mut host, t, calls) = setup();
    let last = recorder(&mut host, &calls, "last");
    let c = calls.clone();
    let first = host.register("first", move |k, _, _| {
        c.borrow_mut().push("first".into());
        k.kunit_add_action(t, last, 1, "last");
        Ok(0)
    });
    k.kunit_add_action(t, first, 0, "first");
    k.kunit_cleanup(&mut host, t).unwrap();
    assert_eq!(*calls.borrow(), ["first", "last(0x1)"]);
    assert!(k.kunit_resources(t).is_empty());
}

/// Replays the journal into a map of `next` links, as a C host would.
#[derive(Default)]
struct Mirror {
    next: BTreeMap<u64, u64>,
}

impl Mirror {
    fn apply(&mut self, ops: &[KunitListOp]) {
        for op in ops {
            match *op {
                KunitListOp::Init { test } => {
                    self.next.insert(test.0, test.0);
                }
                KunitListOp::Added { test, res, prev } => {
                    self.next.insert(prev.unwrap_or(test).0, res.0);
                    self.next.insert(res.0, test.0);
                }
                KunitListOp::Unlinked {
                    test,
                    res,
                    prev,
                    next,
                } => {
                    self.next
                        .insert(prev.unwrap_or(test).0, next.unwrap_or(test).0);
                    self.next.insert(res.0, res.0);
                }
            }
        }
    }

    fn walk(&self, head: Addr) -> Vec<u64> {
        let mut out = Vec::new();
        let mut at = self.next.get(&head.0).copied().unwrap_or(0);
        while at != head.0 && out.len() < 100 {
            out.push(at);
            at = self.next.get(&at).copied().unwrap_or(head.0);
        }
        out
    }
}

fn model_list(k: &Kernel, t: ObjId) -> Vec<u64> {
    k.kunit_resources(t)
        .iter()
        .map(|r| k.kunit_resource_addr(*r).unwrap().0)
        .collect()
}

#[test]
fn the_journal_replays_to_the_models_lists() {
    let (mut k, mut host, t, calls) = setup();
    let free = recorder(&mut host, &calls, "free");
    let act = recorder(&mut host, &calls, "act");
    let live = k.mm.live_count();
    let a = alloc(&mut k, &mut host, t, free, None);
    let early = k.kunit_add_action(t, act, 9, "early");
    assert_eq!(
        k.kunit_resource_addr(early),
        Some(Addr::NULL),
        "no record yet"
    );
    let mut mirror = Mirror::default();
    mirror.apply(&k.kunit_list_changes());
    let head = k.obj(t).addr;
    assert!(
        !k.kunit_resource_addr(early).unwrap().is_null(),
        "a record to link"
    );
    assert_eq!(
        mirror.walk(head),
        model_list(&k, t),
        "the first call describes the lists"
    );
    let b = alloc(&mut k, &mut host, t, free, None);
    for i in 0..4 {
        k.kunit_add_action(t, act, i, "act");
    }
    k.kunit_remove_action(t, act, 1);
    k.kunit_remove_resource(&mut host, b).unwrap();
    k.kunit_release_action(&mut host, t, act, 3).unwrap();
    mirror.apply(&k.kunit_list_changes());
    assert_eq!(mirror.walk(head), model_list(&k, t));
    assert_eq!(model_list(&k, t).len(), 4);
    k.kunit_remove_resource(&mut host, a).unwrap();
    k.kunit_cleanup(&mut host, t).unwrap();
    mirror.apply(&k.kunit_list_changes());
    assert!(mirror.walk(head).is_empty());
    assert!(k.kunit_list_changes().is_empty(), "drained");
    assert_eq!(k.mm.live_count(), live, "records and structures were freed");
}

#[test]
fn the_model_counts_its_changes_of_the_current_test() {
    let (mut k, mut host, t, _) = setup();
    let before = k.current_test_changes();
    k.set_current_test(Some(t));
    k.kunit_cleanup(&mut host, t).unwrap();
    assert_eq!(k.current_test_changes(), before + 2);
    assert_eq!(k.current_test(), None);
}
