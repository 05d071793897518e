// SPDX-License-Identifier: GPL-2.0
/*
 * kobjects of the test's own: init, add, get, put, del and the release of
 * their ktype; a kobject added under a device holds that device until it is
 * put; an uninitialised kobject and a duplicate name fail as in the kernel.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/slab.h>

struct foo {
	struct kobject kobj;
	int *released;
};

static void foo_release(struct kobject *kobj)
{
	struct foo *foo = container_of(kobj, struct foo, kobj);

	(*foo->released)++;
	kfree(foo);
}

static const struct kobj_type foo_ktype = {
	.release = foo_release,
};

static struct foo *foo_new(struct kunit *test, int *released)
{
	struct foo *foo = kzalloc(sizeof(*foo), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, foo);
	foo->released = released;
	return foo;
}

static void kobject_get_put_release_test(struct kunit *test)
{
	int released = 0;
	struct foo *foo = foo_new(test, &released);

	KUNIT_ASSERT_EQ(test, kobject_init_and_add(&foo->kobj, &foo_ktype, NULL, "foo-%d", 1), 0);
	KUNIT_EXPECT_STREQ(test, kobject_name(&foo->kobj), "foo-1");
	KUNIT_EXPECT_PTR_EQ(test, kobject_get(&foo->kobj), &foo->kobj);
	KUNIT_EXPECT_EQ(test, kref_read(&foo->kobj.kref), 2);
	kobject_put(&foo->kobj);
	KUNIT_EXPECT_EQ(test, released, 0);
	kobject_del(&foo->kobj);
	kobject_put(&foo->kobj);
	KUNIT_EXPECT_EQ(test, released, 1);
	KUNIT_EXPECT_NULL(test, kobject_get(NULL));
}

static void action_done(void *flag)
{
	*(bool *)flag = true;
}

static void kobject_child_holds_its_device_test(struct kunit *test)
{
	int released = 0;
	bool done = false;
	struct foo *foo = foo_new(test, &released);
	struct device *dev = root_device_register("kobj-parent");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, devm_add_action_or_reset(dev, action_done, &done), 0);
	KUNIT_ASSERT_EQ(test, kobject_init_and_add(&foo->kobj, &foo_ktype, &dev->kobj, "child"), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), 2);
	root_device_unregister(dev);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), 1);
	kobject_put(&foo->kobj);
	KUNIT_EXPECT_EQ(test, released, 1);
	KUNIT_EXPECT_TRUE(test, done);
}

static void kobject_misuse_test(struct kunit *test)
{
	int released = 0;
	struct foo *a = foo_new(test, &released);
	struct foo *b = foo_new(test, &released);
	struct foo *c = foo_new(test, &released);

	KUNIT_EXPECT_EQ(test, kobject_add(&c->kobj, NULL, "never-initialised"), -EINVAL);
	kfree(c);
	KUNIT_EXPECT_EQ(test, kobject_init_and_add(&a->kobj, &foo_ktype, NULL, "dup"), 0);
	KUNIT_EXPECT_EQ(test, kobject_init_and_add(&b->kobj, &foo_ktype, NULL, "dup"), -EEXIST);
	KUNIT_EXPECT_EQ(test, kobject_init_and_add(&b->kobj, &foo_ktype, NULL, ""), -EINVAL);
	kobject_put(&b->kobj);
	kobject_put(&a->kobj);
	KUNIT_EXPECT_EQ(test, released, 2);
}

static struct kunit_case kobject_cases[] = {
	KUNIT_CASE(kobject_get_put_release_test),
	KUNIT_CASE(kobject_child_holds_its_device_test),
	KUNIT_CASE(kobject_misuse_test),
	{}
};

static struct kunit_suite kobject_suite = {
	.name = "kobject",
	.test_cases = kobject_cases,
};

kunit_test_suite(kobject_suite);

MODULE_LICENSE("GPL");
