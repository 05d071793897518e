// SPDX-License-Identifier: MIT
/*
 * A use-after-free that depends on the kernel version.
 *
 * The test keeps an extra reference on a root device, allocates a buffer
 * with devm_kzalloc() on it, unregisters the device, and reads the buffer
 * before dropping its last reference. Since v6.6, device_del() releases
 * devres, so the buffer is already freed when it is read: under
 * --kernel v6.12 the read is a use-after-free. Under --kernel v6.1 devres
 * is only released with the last reference, after the read, and the test
 * passes. (The kernel met this pattern in 2023, once device_del() began
 * releasing devres.)
 */
#include <kunit/test.h>
#include <linux/device.h>

struct uaf_state {
	int magic;
};

static void devres_read_after_unregister_test(struct kunit *test)
{
	struct device *dev;
	struct uaf_state *state;

	dev = root_device_register("uaf");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);

	get_device(dev);

	state = devm_kzalloc(dev, sizeof(*state), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, state);
	state->magic = 42;

	root_device_unregister(dev);

	KUNIT_EXPECT_EQ(test, state->magic, 42);

	put_device(dev);
}

static struct kunit_case uaf_cases[] = {
	KUNIT_CASE(devres_read_after_unregister_test),
	{}
};

static struct kunit_suite uaf_suite = {
	.name = "devres-uaf",
	.test_cases = uaf_cases,
};

kunit_test_suite(uaf_suite);
