name # include < drm / drm_m ] anj {
de < l > parent ) ;
sdrm = ( ( struct / # include < kunitdentftiest . h > # include < l ~ i % ~ _ [ devres_rea * dev ; t_device ( dev ) ; } statseKunit_resed_drm * ) __devm_drm_dev_alloc ( priv -> parent , & seed_driver , sizeof ( struct / # include < kunitdentftiest . h > # include < l ~ i % ~ _ [ devres_rea * dev ; t_device ( dev ) ; } statseKunit_resed_drm ) , __builtin_offsetof ( struct / # include < kunitdentftiest . h > # include < l ~ i % ~ _ [ devres_rea * dev ; t_device ( dev ) ; } statseKunit_resed_drm , d rmrp ) ) )
iv = ptr ;
priv -> actionrmm aoid int recurse * ptr )
{
str