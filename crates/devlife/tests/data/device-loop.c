#include <kunit/test.h>
#include <linux/device.h>

/*
 * Thousands of root devices, one of them never unregistered: `explain`
 * must stay fast and small (one column per device made a table of
 * 3,000 x 6,000 cells) and still show the one that leaks.
 */
#define LOOPS 3000
#define LEAKED 1234

static void many_devices_one_leaked(struct kunit *test)
{
	struct device *dev;
	char name[16];
	int i;

	for (i = 0; i < LOOPS; i++) {
		snprintf(name, sizeof(name), "loop-%d", i);
		dev = root_device_register(name);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
		if (i != LEAKED)
			root_device_unregister(dev);
	}
}

static struct kunit_case cases[] = {
	KUNIT_CASE(many_devices_one_leaked),
	{}
};

static struct kunit_suite suite = {
	.name = "device-loop",
	.test_cases = cases,
};
kunit_test_suite(suite);
