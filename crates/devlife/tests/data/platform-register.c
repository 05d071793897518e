// SPDX-License-Identifier: GPL-2.0
/*
 * platform_device_register on a static struct platform_device (with and
 * without a release), and platform_device_register_data with a parent and
 * platform data: the parent's count and the data copy.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/platform_device.h>
#include <linux/string.h>

static int static_released;
static int probed;

static void static_pdev_release(struct device *dev)
{
	static_released++;
}

static struct platform_device static_pdev = {
	.name = "static-pdev",
	.id = PLATFORM_DEVID_NONE,
	.dev = {
		.release = static_pdev_release,
	},
};

static struct platform_device leaky_pdev = {
	.name = "leaky-pdev",
	.id = 3,
};

static int static_probe(struct platform_device *pdev)
{
	probed++;
	return 0;
}

static struct platform_driver static_driver = {
	.probe = static_probe,
	.driver = {
		.name = "static-pdev",
	},
};

static void static_platform_device_test(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, platform_driver_register(&static_driver), 0);
	KUNIT_ASSERT_EQ(test, platform_device_register(&static_pdev), 0);
	KUNIT_EXPECT_STREQ(test, dev_name(&static_pdev.dev), "static-pdev");
	KUNIT_EXPECT_EQ(test, probed, 1);
	platform_device_unregister(&static_pdev);
	KUNIT_EXPECT_EQ(test, static_released, 1);
	platform_driver_unregister(&static_driver);
}

static void static_platform_device_without_release_test(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, platform_device_register(&leaky_pdev), 0);
	KUNIT_EXPECT_STREQ(test, dev_name(&leaky_pdev.dev), "leaky-pdev.3");
	platform_device_unregister(&leaky_pdev);
}

struct board_data {
	int lanes;
	char label[8];
};

static void platform_device_with_parent_and_data_test(struct kunit *test)
{
	struct board_data data = { .lanes = 4, .label = "board" };
	struct device *root = root_device_register("board-root");
	struct platform_device *pdev;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, root);
	pdev = platform_device_register_data(root, "board-child", PLATFORM_DEVID_NONE,
					     &data, sizeof(data));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_EXPECT_PTR_EQ(test, pdev->dev.parent, root);
	KUNIT_EXPECT_EQ(test, kref_read(&root->kobj.kref), 3);
	KUNIT_ASSERT_NOT_NULL(test, pdev->dev.platform_data);
	KUNIT_EXPECT_PTR_NE(test, pdev->dev.platform_data, (void *)&data);
	KUNIT_EXPECT_EQ(test, memcmp(pdev->dev.platform_data, &data, sizeof(data)), 0);
	platform_device_unregister(pdev);
	KUNIT_EXPECT_EQ(test, kref_read(&root->kobj.kref), 1);
	root_device_unregister(root);
}

static struct kunit_case platform_register_cases[] = {
	KUNIT_CASE(static_platform_device_test),
	KUNIT_CASE(static_platform_device_without_release_test),
	KUNIT_CASE(platform_device_with_parent_and_data_test),
	{}
};

static struct kunit_suite platform_register_suite = {
	.name = "platform-register",
	.test_cases = platform_register_cases,
};

kunit_test_suite(platform_register_suite);

MODULE_LICENSE("GPL");
