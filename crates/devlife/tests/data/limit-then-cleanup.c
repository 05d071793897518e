#include <kunit/test.h>
#include <linux/slab.h>

/*
 * A case stopped at the allocation or output bound still has its deferred
 * actions run, as a case stopped by a failed assertion does: each action
 * here calls into the kernel (kfree), which checks the bounds again.
 */
static int added, cleaned;

static void count_cleanup(void *data)
{
	cleaned++;
	kfree(data);
}

static void adds_actions_forever(struct kunit *test)
{
	for (;;) {
		KUNIT_ASSERT_EQ(test, kunit_add_action(test, count_cleanup, NULL), 0);
		added++;
	}
}

static void prints_forever_after_an_action(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, count_cleanup, NULL), 0);
	added++;
	for (;;)
		kunit_info(test, "still here");
}

static void every_added_action_ran(struct kunit *test)
{
	KUNIT_EXPECT_GT(test, added, 1000);
	KUNIT_EXPECT_GE(test, cleaned, added);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(adds_actions_forever),
	KUNIT_CASE(prints_forever_after_an_action),
	KUNIT_CASE(every_added_action_ran),
	{}
};

static struct kunit_suite suite = {
	.name = "limit-then-cleanup",
	.test_cases = cases,
};
kunit_test_suite(suite);
