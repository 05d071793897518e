// SPDX-License-Identifier: MIT
/*
 * devlife's bulk-lifetime benchmark: the same kinds of work, in loops, as
 * the table "The real kernel's own speed on bulk lifetime work" in the
 * project's shared conformance notes (timed there inside a real 6.12
 * kernel under UML). Written for devlife; not copied from any tree.
 *
 * Every case counts the managed actions that ran and checks the count, so
 * the work is verified, not just timed.
 *
 *   devlife run benches/bulk-lifetimes.c
 *   devlife run --filter 'bulk-lifetimes.devm_actions_one_root' benches/bulk-lifetimes.c
 */
#include <kunit/test.h>
#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <linux/device.h>
#include <linux/platform_device.h>

#define BULK_DEVICES 100000
#define BULK_ACTIONS 100000
#define BULK_DRM_DEVICES 10000

#define BULK_PDEV_NAME "bulk-lifetimes-pdev"

static int bulk_devm_count;
static int bulk_drmm_count;

static void bulk_devm_action(void *data)
{
	int *count = data;

	(*count)++;
}

static void bulk_drmm_action(struct drm_device *drm, void *data)
{
	int *count = data;

	(*count)++;
}

/* Per iteration: root_device_register; devm_add_action_or_reset; root_device_unregister. */
static void root_device_devm_action(struct kunit *test)
{
	struct device *dev;
	int i, ret;

	bulk_devm_count = 0;
	for (i = 0; i < BULK_DEVICES; i++) {
		dev = root_device_register("bulk-root");
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
		ret = devm_add_action_or_reset(dev, bulk_devm_action, &bulk_devm_count);
		KUNIT_ASSERT_EQ(test, ret, 0);
		root_device_unregister(dev);
	}
	KUNIT_EXPECT_EQ(test, bulk_devm_count, BULK_DEVICES);
}

static int bulk_probe(struct platform_device *pdev)
{
	return devm_add_action_or_reset(&pdev->dev, bulk_devm_action, &bulk_devm_count);
}

static struct platform_driver bulk_driver = {
	.probe = bulk_probe,
	.driver = {
		.name = BULK_PDEV_NAME,
	},
};

/*
 * Per iteration: platform_device_register_simple (the registered driver's
 * probe adds a devm action); platform_device_unregister.
 */
static void platform_device_probe_devm(struct kunit *test)
{
	struct platform_device *pdev;
	int i, ret;

	ret = platform_driver_register(&bulk_driver);
	KUNIT_ASSERT_EQ(test, ret, 0);

	bulk_devm_count = 0;
	for (i = 0; i < BULK_DEVICES; i++) {
		pdev = platform_device_register_simple(BULK_PDEV_NAME, PLATFORM_DEVID_NONE, NULL, 0);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
		platform_device_unregister(pdev);
	}
	KUNIT_EXPECT_EQ(test, bulk_devm_count, BULK_DEVICES);

	platform_driver_unregister(&bulk_driver);
}

/* Per iteration: devm_add_action_or_reset on one root device; all run at its unregister. */
static void devm_actions_one_root(struct kunit *test)
{
	struct device *dev;
	int i, ret;

	dev = root_device_register("bulk-root");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);

	bulk_devm_count = 0;
	for (i = 0; i < BULK_ACTIONS; i++) {
		ret = devm_add_action_or_reset(dev, bulk_devm_action, &bulk_devm_count);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	KUNIT_EXPECT_EQ(test, bulk_devm_count, 0);

	root_device_unregister(dev);
	KUNIT_EXPECT_EQ(test, bulk_devm_count, BULK_ACTIONS);
}

struct bulk_drm {
	struct drm_device drm;
	int state;
};

static const struct drm_driver bulk_drm_driver = {
	.driver_features = 0,
};

/*
 * Per iteration: kunit_device_register; devm_drm_dev_alloc;
 * drmm_add_action_or_reset; drm_dev_register; drm_dev_unregister;
 * kunit_device_unregister. The KUnit device is bound to its own driver,
 * so its unregister releases its devres, which drops the DRM device's last
 * reference and runs the drmm action.
 */
static void drm_device_drmm_action(struct kunit *test)
{
	struct bulk_drm *bdrm;
	struct device *dev;
	int i, ret;

	bulk_drmm_count = 0;
	for (i = 0; i < BULK_DRM_DEVICES; i++) {
		dev = kunit_device_register(test, "bulk-drm");
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
		bdrm = devm_drm_dev_alloc(dev, &bulk_drm_driver, struct bulk_drm, drm);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bdrm);
		ret = drmm_add_action_or_reset(&bdrm->drm, bulk_drmm_action, &bulk_drmm_count);
		KUNIT_ASSERT_EQ(test, ret, 0);
		ret = drm_dev_register(&bdrm->drm, 0);
		KUNIT_ASSERT_EQ(test, ret, 0);
		drm_dev_unregister(&bdrm->drm);
		kunit_device_unregister(test, dev);
	}
	KUNIT_EXPECT_EQ(test, bulk_drmm_count, BULK_DRM_DEVICES);
}

static struct kunit_case bulk_lifetimes_cases[] = {
	KUNIT_CASE(root_device_devm_action),
	KUNIT_CASE(platform_device_probe_devm),
	KUNIT_CASE(devm_actions_one_root),
	KUNIT_CASE(drm_device_drmm_action),
	{}
};

static struct kunit_suite bulk_lifetimes_suite = {
	.name = "bulk-lifetimes",
	.test_cases = bulk_lifetimes_cases,
};

kunit_test_suite(bulk_lifetimes_suite);

MODULE_DESCRIPTION("devlife bulk-lifetime benchmark");
MODULE_LICENSE("MIT");
