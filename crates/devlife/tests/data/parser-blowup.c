#include <kunit/test.h>
#include <drlude <drm/drm_kunit_helpers.h>
name#include <drm/drm_m]anj {
	de <l>parent);

	sdrm = devm_drm_dev_alloc(priv->parent, &seed_driver, struct /#include <kunitdentftiest.h>
#include <l~i%~_[ devres_rea*dev;
t_device(dev);
}
statseKunit_resed_drm,d rmrp)iv = ptr;

	priv->actionrmm aoid int recurse*ptr)
{
	str
