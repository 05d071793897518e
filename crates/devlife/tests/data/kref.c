// SPDX-License-Identifier: GPL-2.0
/*
 * kref_init/get/put/read on the test's own structures, and kref_read on the
 * krefs inside modelled objects: the seed scenario's real counts (root device
 * 1, 2, 2, 4, 2; drm_device 1) as shared/conformance/README.md records them.
 * "kref_put_after_release" puts a kref whose release freed it.
 */
#include <kunit/test.h>
#include <drm/drm_drv.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/slab.h>

struct thing {
	int value;
	struct kref ref;
	int *released;
};

static void thing_release(struct kref *ref)
{
	struct thing *t = container_of(ref, struct thing, ref);

	(*t->released)++;
	kfree(t);
}

static struct thing *thing_new(struct kunit *test, int *released)
{
	struct thing *t = kzalloc(sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	kref_init(&t->ref);
	t->released = released;
	return t;
}

static void kref_get_put_release_test(struct kunit *test)
{
	int released = 0;
	struct thing *t = thing_new(test, &released);

	KUNIT_EXPECT_EQ(test, kref_read(&t->ref), 1);
	kref_get(&t->ref);
	KUNIT_EXPECT_EQ(test, kref_read(&t->ref), 2);
	KUNIT_EXPECT_EQ(test, refcount_read(&t->ref.refcount), 2);
	KUNIT_EXPECT_EQ(test, t->ref.refcount.refs.counter, 2);
	KUNIT_EXPECT_TRUE(test, kref_get_unless_zero(&t->ref));
	KUNIT_EXPECT_EQ(test, kref_put(&t->ref, thing_release), 0);
	KUNIT_EXPECT_EQ(test, kref_put(&t->ref, thing_release), 0);
	KUNIT_EXPECT_EQ(test, released, 0);
	KUNIT_EXPECT_EQ(test, kref_put(&t->ref, thing_release), 1);
	KUNIT_EXPECT_EQ(test, released, 1);
}

static int static_released;

static void static_release(struct kref *ref)
{
	static_released++;
}

static struct thing static_thing = { .ref = KREF_INIT(2) };

static void kref_static_initializer_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kref_read(&static_thing.ref), 2);
	KUNIT_EXPECT_EQ(test, kref_put(&static_thing.ref, static_release), 0);
	KUNIT_EXPECT_EQ(test, kref_put(&static_thing.ref, static_release), 1);
	KUNIT_EXPECT_EQ(test, static_released, 1);
	KUNIT_EXPECT_FALSE(test, kref_get_unless_zero(&static_thing.ref));
	/* The kernel warns (refcount_t: underflow) and does not release again. */
	KUNIT_EXPECT_EQ(test, kref_put(&static_thing.ref, static_release), 0);
	KUNIT_EXPECT_EQ(test, static_released, 1);
}

static const struct drm_driver counting_driver = {
	.driver_features = 0,
};

static void kref_read_of_modelled_objects_test(struct kunit *test)
{
	struct device *root = root_device_register("counted");
	struct drm_device *drm;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, root);
	KUNIT_EXPECT_EQ(test, kref_read(&root->kobj.kref), 1);
	drm = __devm_drm_dev_alloc(root, &counting_driver, sizeof(*drm), 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);
	KUNIT_EXPECT_EQ(test, kref_read(&root->kobj.kref), 2);
	KUNIT_EXPECT_EQ(test, kref_read(&drm->ref), 1);
	KUNIT_ASSERT_EQ(test, drm_dev_register(drm, 0), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&root->kobj.kref), 4);
	kref_get(&root->kobj.kref);
	KUNIT_EXPECT_EQ(test, kref_read(&root->kobj.kref), 5);
	KUNIT_EXPECT_EQ(test, kref_put(&root->kobj.kref, NULL), 0);
	drm_dev_unregister(drm);
	KUNIT_EXPECT_EQ(test, kref_read(&root->kobj.kref), 2);
	KUNIT_EXPECT_EQ(test, kref_read(&drm->ref), 1);
	root_device_unregister(root);
}

static void kref_put_after_release(struct kunit *test)
{
	int released = 0;
	struct thing *t = thing_new(test, &released);

	kref_put(&t->ref, thing_release);
	kref_put(&t->ref, thing_release);
}

static struct kunit_case kref_cases[] = {
	KUNIT_CASE(kref_get_put_release_test),
	KUNIT_CASE(kref_static_initializer_test),
	KUNIT_CASE(kref_read_of_modelled_objects_test),
	KUNIT_CASE(kref_put_after_release),
	{}
};

static struct kunit_suite kref_suite = {
	.name = "kref",
	.test_cases = kref_cases,
};

kunit_test_suite(kref_suite);

MODULE_LICENSE("GPL");
