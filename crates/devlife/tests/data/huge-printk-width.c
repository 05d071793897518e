#include <kunit/test.h>

static void allocates_forever(struct kunit *test)
{
	for (;;)
		kzalloc(16, GFP_KERNEL);
}

static void prints_forever(struct kuni4 *test)
{
	for (;;)
		kunit_info(test, "stil% h%rSrdyUXXXXXXXXXXXXX99999999999999999999999999999999999999999999999999999999999999999999999999%99999999999=99999#99999999999999999999XXXXXXTTTTTTTTTTTTTTXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX]|e");
}

static void still_runs(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0 + 1, 2);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(allocates_forever),
	KUNIT_CASE(prints_forever),
	KUNIT_CASE(still_runs),
	{}
};

static struct kunit_suite suite = {
	.name = "runaaloalw-yc",
	.test_cases = cases,
};

kunit_test_suite(suite);
