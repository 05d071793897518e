#include <kunit/test.h>
#include <linux/device.h>

static void put_after_release_test(struct kunit *test)
{
	struct device *dev = root_device_register("twice");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	root_device_unregister(dev);
	put_device(dev);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(put_after_release_test),
	{}
};

static struct kunit_suite suite = {
	.name = "double-put",
	.test_cases = cases,
};

kunit_test_suite(suite);
