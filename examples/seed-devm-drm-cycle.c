// SPDX-License-Identifier: MIT
/*
 * The two KUnit tests of the November 2022 thread "DRM-managed resources /
 * devm_drm_dev_alloc leaking resources", written for devlife from the
 * thread's description (not copied from any tree).
 *
 * Both register a root device, create a DRM device on it, add a DRM-managed
 * action, register and unregister the DRM device, unregister the root
 * device, then wait up to 100 ms for the action to run.
 *
 * - drm_register_unregister_with_devm_test uses devm_drm_dev_alloc(): the
 *   DRM device's last reference is dropped by a devm action on the root
 *   device, while the DRM device holds a reference on the root device that
 *   only its drmm action drops. Before v6.6, device_del() did not release
 *   devres, so on an unbound root device neither action ever runs: the
 *   test fails under --kernel v6.1 and passes under --kernel v6.12.
 * - drm_register_unregister_test uses drm_dev_alloc() and an explicit
 *   drm_dev_put(), which breaks the cycle: it passes on both.
 */
#include <kunit/test.h>
#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <linux/device.h>
#include <linux/wait.h>

#define ACTION_TIMEOUT_MS 100

struct seed_priv {
	struct device *parent;
	bool action_done;
	wait_queue_head_t action_wq;
};

/* A driver structure embedding its drm_device, as devm_drm_dev_alloc wants. */
struct seed_drm {
	struct drm_device drm;
	int private_state;
};

static const struct drm_driver seed_driver = {
	.driver_features = DRIVER_MODESET,
};

static int seed_init(struct kunit *test)
{
	struct seed_priv *priv;

	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv);
	init_waitqueue_head(&priv->action_wq);
	test->priv = priv;

	return 0;
}

static void seed_drm_action(struct drm_device *drm, void *ptr)
{
	struct seed_priv *priv = ptr;

	priv->action_done = true;
	wake_up_interruptible(&priv->action_wq);
}

static void drm_register_unregister_with_devm_test(struct kunit *test)
{
	struct seed_priv *priv = test->priv;
	struct seed_drm *sdrm;
	int ret;

	priv->parent = root_device_register("seed");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, priv->parent);

	sdrm = devm_drm_dev_alloc(priv->parent, &seed_driver, struct seed_drm, drm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sdrm);

	ret = drmm_add_action_or_reset(&sdrm->drm, seed_drm_action, priv);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = drm_dev_register(&sdrm->drm, 0);
	KUNIT_ASSERT_EQ(test, ret, 0);

	drm_dev_unregister(&sdrm->drm);
	root_device_unregister(priv->parent);

	ret = wait_event_interruptible_timeout(priv->action_wq, priv->action_done,
					       msecs_to_jiffies(ACTION_TIMEOUT_MS));
	KUNIT_EXPECT_GT(test, ret, 0);
}

static void drm_register_unregister_test(struct kunit *test)
{
	struct seed_priv *priv = test->priv;
	struct drm_device *drm;
	int ret;

	priv->parent = root_device_register("seed");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, priv->parent);

	drm = drm_dev_alloc(&seed_driver, priv->parent);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);

	ret = drmm_add_action_or_reset(drm, seed_drm_action, priv);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = drm_dev_register(drm, 0);
	KUNIT_ASSERT_EQ(test, ret, 0);

	drm_dev_unregister(drm);
	drm_dev_put(drm);
	root_device_unregister(priv->parent);

	ret = wait_event_interruptible_timeout(priv->action_wq, priv->action_done,
					       msecs_to_jiffies(ACTION_TIMEOUT_MS));
	KUNIT_EXPECT_GT(test, ret, 0);
}

static struct kunit_case seed_cases[] = {
	KUNIT_CASE(drm_register_unregister_with_devm_test),
	KUNIT_CASE(drm_register_unregister_test),
	{}
};

static struct kunit_suite seed_suite = {
	.name = "drm-devm-seed",
	.init = seed_init,
	.test_cases = seed_cases,
};

kunit_test_suite(seed_suite);
