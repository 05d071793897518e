#include <kunit/test.h>

static void spins_forever(struct kunit *test)
{
	for (;;)
		;
}

static int recurse(int n)
{
	return recurse(n + 1) + 1;
}

static void recurses_forever(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, recurse(0), 0);
}

static void still_runs(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(spins_forever),
	KUNIT_CASE(recurses_forever),
	KUNIT_CASE(still_runs),
	{}
};

static struct kunit_suite suite = {
	.name = "runaway",
	.test_cases = cases,
};

kunit_test_suite(suite);
