#include <kunit/test.h>
#include <linux/kref.h>

/*
 * kref_get() on a count that reached zero, in a loop until the step
 * limit: the kernel warns once ("addition on 0", then "saturated"); the
 * explanation lists each warning once, with how many times it happened,
 * not one entry per call.
 */
static struct kref ref;

static void ref_release(struct kref *kref)
{
}

static void gets_after_zero_forever(struct kunit *test)
{
	kref_init(&ref);
	kref_put(&ref, ref_release);
	for (;;)
		kref_get(&ref);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(gets_after_zero_forever),
	{}
};

static struct kunit_suite suite = {
	.name = "kref-after-zero-loop",
	.test_cases = cases,
};
kunit_test_suite(suite);
