#include <kunit/test.h>
#include <linux/kobject.h>
#include <linux/slab.h>

/*
 * A chain of kobjects, each added under the previous one, that only the
 * leaf's reference keeps alive: putting the leaf releases every link, each
 * release dropping its parent's last reference from inside the previous
 * one. Found crashing devlife with a stack overflow at ~50,000 links.
 */
#define LINKS 20000

static int released;

static void link_release(struct kobject *kobj)
{
	released++;
	kfree(kobj);
}

static const struct kobj_type link_ktype = {
	.release = link_release,
};

static void releases_a_deep_chain(struct kunit *test)
{
	struct kobject *prev = NULL, *k;
	int i;

	for (i = 0; i < LINKS; i++) {
		k = kzalloc(sizeof(*k), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, k);
		kobject_init(k, &link_ktype);
		KUNIT_ASSERT_EQ(test, kobject_add(k, prev, "link%d", i), 0);
		if (prev)
			kobject_put(prev);
		prev = k;
	}
	KUNIT_EXPECT_EQ(test, released, 0);
	kobject_put(prev);
	KUNIT_EXPECT_EQ(test, released, LINKS);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(releases_a_deep_chain),
	{}
};

static struct kunit_suite suite = {
	.name = "kobject-chain",
	.test_cases = cases,
};
kunit_test_suite(suite);
