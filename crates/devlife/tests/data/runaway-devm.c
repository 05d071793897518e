#include <kunit/test.h>
#include <linux/device.h>

/*
 * Every iteration leaves a live devres allocation on the device: the
 * model keeps each one, so this stops at the allocation limit. Under the
 * default limits that comes long before the step limit would (which,
 * at ~350 bytes per leaked devm allocation, would take ~3 GB).
 */
static void devm_allocates_forever(struct kunit *test)
{
	struct device *dev = root_device_register("runaway");

	for (;;)
		devm_kzalloc(dev, 16, GFP_KERNEL);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(devm_allocates_forever),
	{}
};

static struct kunit_suite suite = {
	.name = "runaway-devm",
	.test_cases = cases,
};
kunit_test_suite(suite);
