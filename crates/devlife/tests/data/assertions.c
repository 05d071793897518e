// SPDX-License-Identifier: MIT
#include <kunit/test.h>
#include <linux/err.h>

/*
 * Every KUnit check family, failing and passing. C compares and calls
 * devlife only on failure, as the kernel does: each operand is evaluated
 * once (bump() below), and the failure text is KUnit's.
 */

#define TWICE(x) ((x) * 2)
static int calls;
static int bump(void) { return ++calls; }
static void checks(struct kunit *test)
{
	void *p = ERR_PTR(-12), *q = NULL;
	int x = 3;
	calls = 0;
	KUNIT_EXPECT_EQ(test, bump(), 1);
	KUNIT_EXPECT_EQ(test, calls, 1);
	KUNIT_EXPECT_EQ(test, TWICE(x), 7);
	KUNIT_EXPECT_NE(test, x, 3);
	KUNIT_EXPECT_LT(test, x, -1);
	KUNIT_EXPECT_EQ_MSG(test, x, 4, "x was %d", x);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_EXPECT_TRUE(test, IS_ERR(q));
	KUNIT_EXPECT_FALSE(test, IS_ERR(p));
	KUNIT_EXPECT_TRUE_MSG(test, x == 4, "x=%d", x);
	KUNIT_EXPECT_NOT_NULL(test, q);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, p);
	KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, q, "q %d", 1);
	KUNIT_EXPECT_TRUE(test, x == 3);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, &x);
	KUNIT_ASSERT_NOT_NULL(test, &x);
	KUNIT_ASSERT_EQ(test, bump(), 3);
	KUNIT_ASSERT_FALSE(test, calls == 2);
	KUNIT_EXPECT_EQ(test, 1, 2);
}
static struct kunit_case cs[] = { KUNIT_CASE(checks), {} };
static struct kunit_suite s = { .name = "asserts", .test_cases = cs };
kunit_test_suite(s);
