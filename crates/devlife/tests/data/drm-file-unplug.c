#include <kunit/test.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_managed.h>
#include <linux/file.h>

struct unplug_priv {
	int actions_run;
};

static void count_action(struct drm_device *drm, void *ptr)
{
	struct unplug_priv *priv = ptr;

	priv->actions_run++;
}

/*
 * A DRM file held open across drm_dev_unplug() keeps the drm_device alive:
 * its drmm actions run at the last close, not when the device goes away,
 * and drm_dev_enter() fails once the device is unplugged.
 */
static void file_open_across_unplug_test(struct kunit *test)
{
	struct unplug_priv *priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	struct device *dev;
	struct drm_device *drm;
	struct file *file;
	int idx;

	KUNIT_ASSERT_NOT_NULL(test, priv);
	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	drm = __drm_kunit_helper_alloc_drm_device(test, dev, sizeof(*drm), 0, DRIVER_MODESET);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);
	KUNIT_ASSERT_EQ(test, drmm_add_action_or_reset(drm, count_action, priv), 0);
	KUNIT_ASSERT_EQ(test, drm_dev_register(drm, 0), 0);
	KUNIT_ASSERT_EQ(test, drm->primary->index, 0);

	file = mock_drm_getfile(drm->primary, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);

	KUNIT_EXPECT_TRUE(test, drm_dev_enter(drm, &idx));
	drm_dev_exit(idx);

	drm_dev_unplug(drm);
	KUNIT_EXPECT_FALSE(test, drm_dev_enter(drm, &idx));

	drm_kunit_helper_free_device(test, dev);
	KUNIT_EXPECT_EQ(test, priv->actions_run, 0);

	fput(file);
	KUNIT_EXPECT_EQ(test, priv->actions_run, 1);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(file_open_across_unplug_test),
	{}
};

static struct kunit_suite suite = {
	.name = "drm-file-unplug",
	.test_cases = cases,
};

kunit_test_suite(suite);
