// SPDX-License-Identifier: GPL-2.0
/*
 * The raw devres API (devres_alloc, devres_add, devres_find, devres_get,
 * devres_remove, devres_destroy, devres_release, devres_free) on a root
 * device. Every case passes on both kernels; "raw_devres_read_after_unregister"
 * reads a node's data after the device released it.
 */
#include <kunit/test.h>
#include <linux/device.h>

struct counter {
	int value;
	int *sum;
};

static void counter_release(struct device *dev, void *res)
{
	struct counter *c = res;

	*c->sum = *c->sum * 10 + c->value;
}

static void other_release(struct device *dev, void *res)
{
}

static int counter_is(struct device *dev, void *res, void *data)
{
	struct counter *c = res;

	return c->value == *(int *)data;
}

static struct counter *counter_add(struct device *dev, int value, int *sum)
{
	struct counter *c = devres_alloc(counter_release, sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	c->value = value;
	c->sum = sum;
	devres_add(dev, c);
	return c;
}

static void raw_devres_release_newest_first_test(struct kunit *test)
{
	struct device *dev = root_device_register("raw-devres");
	int *sum = kunit_kzalloc(test, sizeof(*sum), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_NOT_NULL(test, counter_add(dev, 1, sum));
	KUNIT_ASSERT_NOT_NULL(test, counter_add(dev, 2, sum));
	KUNIT_ASSERT_NOT_NULL(test, counter_add(dev, 3, sum));
	root_device_unregister(dev);
	KUNIT_EXPECT_EQ(test, *sum, 321);
}

static void raw_devres_find_and_get_test(struct kunit *test)
{
	struct device *dev = root_device_register("raw-devres");
	int *sum = kunit_kzalloc(test, sizeof(*sum), GFP_KERNEL);
	struct counter *one, *two, *spare;
	int wanted = 1;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	one = counter_add(dev, 1, sum);
	two = counter_add(dev, 2, sum);
	KUNIT_EXPECT_PTR_EQ(test, devres_find(dev, counter_release, NULL, NULL), two);
	KUNIT_EXPECT_PTR_EQ(test, devres_find(dev, counter_release, counter_is, &wanted), one);
	KUNIT_EXPECT_NULL(test, devres_find(dev, other_release, NULL, NULL));

	spare = devres_alloc(counter_release, sizeof(*spare), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_EXPECT_PTR_EQ(test, devres_get(dev, spare, counter_is, &wanted), one);

	spare = devres_alloc(other_release, sizeof(*spare), GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, devres_get(dev, spare, NULL, NULL), spare);
	root_device_unregister(dev);
	KUNIT_EXPECT_EQ(test, *sum, 21);
}

static void raw_devres_remove_destroy_release_test(struct kunit *test)
{
	struct device *dev = root_device_register("raw-devres");
	int *sum = kunit_kzalloc(test, sizeof(*sum), GFP_KERNEL);
	struct counter *one;
	int wanted = 1;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	one = counter_add(dev, 1, sum);
	counter_add(dev, 2, sum);
	counter_add(dev, 3, sum);

	KUNIT_EXPECT_PTR_EQ(test, devres_remove(dev, counter_release, counter_is, &wanted), one);
	KUNIT_EXPECT_EQ(test, devres_destroy(dev, counter_release, counter_is, &wanted), -ENOENT);
	devres_add(dev, one);
	KUNIT_EXPECT_EQ(test, devres_release(dev, counter_release, counter_is, &wanted), 0);
	KUNIT_EXPECT_EQ(test, *sum, 1);
	wanted = 2;
	KUNIT_EXPECT_EQ(test, devres_destroy(dev, counter_release, counter_is, &wanted), 0);
	KUNIT_EXPECT_EQ(test, *sum, 1);
	root_device_unregister(dev);
	KUNIT_EXPECT_EQ(test, *sum, 13);
}

static void raw_devres_free_unlisted_test(struct kunit *test)
{
	struct counter *c = devres_alloc(counter_release, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, c->value, 0);
	devres_free(c);
	devres_free(NULL);
	KUNIT_EXPECT_NULL(test, devres_alloc(counter_release, (size_t)-1, GFP_KERNEL));
	/* Past KMALLOC_MAX_SIZE (4 MiB), like kmalloc itself. */
	KUNIT_EXPECT_NULL(test, devres_alloc(counter_release, 5 << 20, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kzalloc(5 << 20, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kunit_kzalloc(test, 5 << 20, GFP_KERNEL));
	c = kzalloc(4 << 20, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, c);
	kfree(c);
}

static void raw_devres_read_after_unregister(struct kunit *test)
{
	struct device *dev = root_device_register("raw-devres");
	int *sum = kunit_kzalloc(test, sizeof(*sum), GFP_KERNEL);
	struct counter *c;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	c = counter_add(dev, 4, sum);
	root_device_unregister(dev);
	KUNIT_EXPECT_EQ(test, c->value, 4);
}

static struct kunit_case raw_devres_cases[] = {
	KUNIT_CASE(raw_devres_release_newest_first_test),
	KUNIT_CASE(raw_devres_find_and_get_test),
	KUNIT_CASE(raw_devres_remove_destroy_release_test),
	KUNIT_CASE(raw_devres_free_unlisted_test),
	KUNIT_CASE(raw_devres_read_after_unregister),
	{}
};

static struct kunit_suite raw_devres_suite = {
	.name = "raw-devres",
	.test_cases = raw_devres_cases,
};

kunit_test_suite(raw_devres_suite);

MODULE_LICENSE("GPL");
