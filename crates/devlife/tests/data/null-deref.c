#include <kunit/test.h>

struct thing {
	int value;
};

static void null_deref_test(struct kunit *test)
{
	struct thing *t = NULL;

	KUNIT_EXPECT_EQ(test, t->value, 0);
}

static void after_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1, 1);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(null_deref_test),
	KUNIT_CASE(after_test),
	{}
};

static struct kunit_suite suite = {
	.name = "null-deref",
	.test_cases = cases,
};

kunit_test_suite(suite);
