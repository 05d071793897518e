// SPDX-License-Identifier: GPL-2.0
/*
 * A bus of the test's own: bus_register with match, probe and remove;
 * driver_register of a plain struct device_driver on it; devices binding
 * when they are added and when the driver comes; devres released at
 * unbind; device_bind_driver and driver_attach; and driver_register on a
 * bus nobody registered.
 */
#include <kunit/test.h>
#include <linux/device.h>

static int bus_probes, bus_removes, released;

static int toy_match(struct device *dev, const struct device_driver *drv)
{
	/* Devices whose name starts with the driver's name. */
	return strncmp(dev_name(dev), drv->name, strlen(drv->name)) == 0;
}

static int toy_probe(struct device *dev)
{
	bus_probes++;
	return 0;
}

static void toy_remove(struct device *dev)
{
	bus_removes++;
}

static const struct bus_type toy_bus = {
	.name = "toy",
	.match = toy_match,
	.probe = toy_probe,
	.remove = toy_remove,
};

static const struct bus_type never_registered_bus = {
	.name = "ghost",
};

static struct device_driver toy_driver = {
	.name = "widget",
	.bus = &toy_bus,
};

static struct device_driver ghost_driver = {
	.name = "ghost-driver",
	.bus = &never_registered_bus,
};

static void toy_release(struct device *dev)
{
	released++;
	kfree(dev);
}

static struct device *toy_device(struct kunit *test, const char *name)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	device_initialize(dev);
	dev->bus = &toy_bus;
	dev->release = toy_release;
	dev_set_name(dev, "%s", name);
	return dev;
}

static void devres_marker(void *flag)
{
	*(bool *)flag = true;
}

static void custom_bus_binds_through_its_match_and_probe_test(struct kunit *test)
{
	struct device *early, *late, *other;
	bool early_devres = false;

	KUNIT_ASSERT_EQ(test, bus_register(&toy_bus), 0);
	early = toy_device(test, "widget0");
	KUNIT_ASSERT_EQ(test, device_add(early), 0);
	KUNIT_EXPECT_NULL(test, early->driver);

	KUNIT_ASSERT_EQ(test, driver_register(&toy_driver), 0);
	KUNIT_EXPECT_PTR_EQ(test, early->driver, &toy_driver);
	KUNIT_EXPECT_EQ(test, bus_probes, 1);
	KUNIT_ASSERT_EQ(test, devm_add_action(early, devres_marker, &early_devres), 0);

	late = toy_device(test, "widget1");
	other = toy_device(test, "gadget0");
	KUNIT_ASSERT_EQ(test, device_add(late), 0);
	KUNIT_ASSERT_EQ(test, device_add(other), 0);
	KUNIT_EXPECT_PTR_EQ(test, late->driver, &toy_driver);
	KUNIT_EXPECT_NULL(test, other->driver);
	KUNIT_EXPECT_EQ(test, bus_probes, 2);

	driver_unregister(&toy_driver);
	KUNIT_EXPECT_EQ(test, bus_removes, 2);
	KUNIT_EXPECT_TRUE(test, early_devres);
	KUNIT_EXPECT_NULL(test, early->driver);

	device_unregister(early);
	device_unregister(late);
	device_unregister(other);
	KUNIT_EXPECT_EQ(test, released, 3);
	bus_unregister(&toy_bus);
}

static void bind_without_probe_and_attach_again_test(struct kunit *test)
{
	struct device *widget, *gadget;
	int probes, removes;

	KUNIT_ASSERT_EQ(test, bus_register(&toy_bus), 0);
	KUNIT_ASSERT_EQ(test, driver_register(&toy_driver), 0);
	widget = toy_device(test, "widget7");
	gadget = toy_device(test, "gadget7");
	KUNIT_ASSERT_EQ(test, device_add(widget), 0);
	KUNIT_ASSERT_EQ(test, device_add(gadget), 0);
	probes = bus_probes;
	removes = bus_removes;

	/* The caller picks the driver; no match, no probe. */
	gadget->driver = &toy_driver;
	KUNIT_EXPECT_EQ(test, device_bind_driver(gadget), 0);
	KUNIT_EXPECT_EQ(test, bus_probes, probes);
	device_release_driver(gadget);
	KUNIT_EXPECT_EQ(test, bus_removes, removes + 1);
	KUNIT_EXPECT_NULL(test, gadget->driver);

	/* An unbound matching device is bound again by driver_attach. */
	device_release_driver(widget);
	KUNIT_EXPECT_NULL(test, widget->driver);
	KUNIT_EXPECT_EQ(test, driver_attach(&toy_driver), 0);
	KUNIT_EXPECT_PTR_EQ(test, widget->driver, &toy_driver);
	KUNIT_EXPECT_EQ(test, bus_probes, probes + 1);
	KUNIT_EXPECT_NULL(test, gadget->driver);

	device_unregister(widget);
	device_unregister(gadget);
	driver_unregister(&toy_driver);
	bus_unregister(&toy_bus);
}

static void driver_on_an_unregistered_bus_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, driver_register(&ghost_driver), -EINVAL);
	driver_unregister(&ghost_driver);
}

static void a_bus_name_taken_twice_test(struct kunit *test)
{
	static const struct bus_type first = { .name = "twin" };
	static const struct bus_type second = { .name = "twin" };

	KUNIT_EXPECT_EQ(test, bus_register(&first), 0);
	KUNIT_EXPECT_EQ(test, bus_register(&second), -EEXIST);
	bus_unregister(&first);
	KUNIT_EXPECT_EQ(test, bus_register(&second), 0);
	bus_unregister(&second);
}

static struct kunit_case custom_bus_cases[] = {
	KUNIT_CASE(custom_bus_binds_through_its_match_and_probe_test),
	KUNIT_CASE(bind_without_probe_and_attach_again_test),
	KUNIT_CASE(driver_on_an_unregistered_bus_test),
	KUNIT_CASE(a_bus_name_taken_twice_test),
	{}
};

static struct kunit_suite custom_bus_suite = {
	.name = "custom-bus",
	.test_cases = custom_bus_cases,
};

kunit_test_suite(custom_bus_suite);

MODULE_LICENSE("GPL");
