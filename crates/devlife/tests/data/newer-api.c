#include <kunit/test.h>
#include <kunit/device.h>

static void twice_test(struct kunit *test)
{
	struct device *a = kunit_device_register(test, "a");
	struct device *b = kunit_device_register(test, "b");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(twice_test),
	{}
};

static struct kunit_suite suite = {
	.name = "newer-api",
	.test_cases = cases,
};

kunit_test_suite(suite);
