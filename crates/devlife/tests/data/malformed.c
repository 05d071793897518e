#include <kunit/test.h>

static void broken_test(struct kunit *test)
{
	int x = (1 + ;
}
