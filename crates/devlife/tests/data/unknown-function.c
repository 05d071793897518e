#include <kunit/test.h>

static void calls_unknown(struct kunit *test)
{
	frobnicate_device(test);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(calls_unknown),
	{}
};

static struct kunit_suite suite = {
	.name = "unknown",
	.test_cases = cases,
};

kunit_test_suite(suite);
