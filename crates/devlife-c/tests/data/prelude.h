/* Test prelude: just enough kernel-like declarations for the KUnit files in
 * this directory. The devlife-c crate itself knows nothing of these names. */
#define NULL ((void *)0)
#define true 1
#define false 0
typedef _Bool bool;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef unsigned int gfp_t;
#define GFP_KERNEL 0xcc0u
#define HZ 100
#define EINTR 4
#define EEXIST 17
#define MAX_ERRNO 4095
#define KERN_INFO "\001" "6"
#define THIS_MODULE ((struct module *)0)
#define IS_ENABLED(x) 0
#define IS_BUILTIN(x) 0
#define offsetof(T, m) __builtin_offsetof(T, m)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
#define IS_ERR_OR_NULL(p) (!(p) || IS_ERR_VALUE(p))
#define MODULE_DESCRIPTION(x)
#define MODULE_AUTHOR(x)
#define MODULE_LICENSE(x)

struct module;
struct list_head { struct list_head *next, *prev; };
typedef struct { int lock; struct list_head head; } wait_queue_head_t;
struct completion { unsigned int done; wait_queue_head_t wait; };
struct device_driver {
	const char *name;
	struct module *owner;
	int (*probe)(struct device *dev);
	int (*remove)(struct device *dev);
};
struct device {
	const char *init_name;
	struct device *parent;
	struct device_driver *driver;
	void *driver_data;
};
struct platform_device { const char *name; int id; struct device dev; };
struct platform_driver {
	int (*probe)(struct platform_device *);
	void (*remove)(struct platform_device *);
	struct device_driver driver;
};
struct bus_type { const char *name; };
extern struct bus_type platform_bus_type;
#define PLATFORM_DEVID_NONE (-1)
#define to_platform_driver(drv) (container_of((drv), struct platform_driver, driver))

struct drm_device { struct device *dev; };
#define DRIVER_MODESET 0x2

enum kunit_status { KUNIT_SUCCESS, KUNIT_FAILURE, KUNIT_SKIPPED };
struct string_stream;
struct kunit {
	void *priv;
	const char *name;
	enum kunit_status status;
	char status_comment[256];
	struct list_head resources;
	struct string_stream *log;
};
struct kunit_case { void (*run_case)(struct kunit *test); const char *name; };
struct kunit_suite {
	const char name[256];
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
	struct string_stream *log;
};
#define KUNIT_CASE(test_name) { .run_case = test_name, .name = #test_name }
#define kunit_test_suites(...) static struct kunit_suite *__kunit_suites[] = { __VA_ARGS__ }
#define kunit_test_suite(suite) kunit_test_suites(&suite)

void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp);
void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *p);
void kunit_do_failed_assertion(struct kunit *test, int assert_type, const char *file, int line, const char *text, long long left, long long right);
void kunit_init_test(struct kunit *test, const char *name, struct string_stream *log);
void kunit_cleanup(struct kunit *test);
struct kunit *kunit_get_current_test(void);
int strcmp(const char *a, const char *b);

#define KUNIT_EXPECTATION 0
#define KUNIT_ASSERTION 1
#define KUNIT_BINARY_ASSERTION(test, type, left, op, right, ...)                \
	do {                                                                     \
		long long __left = (long long)(left), __right = (long long)(right); \
		if (!(__left op __right))                                        \
			kunit_do_failed_assertion(test, type, __FILE__, __LINE__, \
				#left " " #op " " #right, __left, __right);      \
	} while (0)
#define KUNIT_PTR_ASSERTION(test, type, left, op, right)                        \
	KUNIT_BINARY_ASSERTION(test, type, (unsigned long)(left), op, (unsigned long)(right))
#define KUNIT_EXPECT_EQ(test, l, r) KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, l, ==, r)
#define KUNIT_EXPECT_NE(test, l, r) KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, l, !=, r)
#define KUNIT_EXPECT_GT(test, l, r) KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, l, >, r)
#define KUNIT_ASSERT_EQ(test, l, r) KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, l, ==, r)
#define KUNIT_ASSERT_NE(test, l, r) KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, l, !=, r)
#define KUNIT_ASSERT_GT(test, l, r) KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, l, >, r)
#define KUNIT_EXPECT_TRUE(test, c) KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, !!(c), ==, 1)
#define KUNIT_ASSERT_TRUE(test, c) KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, !!(c), ==, 1)
#define KUNIT_EXPECT_FALSE(test, c) KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, !!(c), ==, 0)
#define KUNIT_ASSERT_FALSE(test, c) KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, !!(c), ==, 0)
#define KUNIT_EXPECT_PTR_EQ(test, l, r) KUNIT_PTR_ASSERTION(test, KUNIT_EXPECTATION, l, ==, r)
#define KUNIT_EXPECT_NULL(test, p) KUNIT_PTR_ASSERTION(test, KUNIT_EXPECTATION, p, ==, NULL)
#define KUNIT_EXPECT_STREQ(test, l, r) KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, strcmp(l, r), ==, 0)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ptr)                                 \
	KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, IS_ERR_OR_NULL(ptr), ==, 0)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(test, ptr)                                 \
	KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, IS_ERR_OR_NULL(ptr), ==, 0)
#define KUNIT_FAIL(test, fmt, ...) kunit_do_failed_assertion(test, KUNIT_EXPECTATION, __FILE__, __LINE__, fmt, 0, 0)

void init_waitqueue_head(wait_queue_head_t *wq);
void wake_up_interruptible(wait_queue_head_t *wq);
long schedule_timeout_on(wait_queue_head_t *wq, long timeout);
unsigned long msecs_to_jiffies(unsigned int ms);
#define wait_event_interruptible_timeout(wq_head, condition, timeout)          \
	({                                                                      \
		long __ret = (timeout);                                         \
		while (!(condition) && __ret > 0)                               \
			__ret = schedule_timeout_on(&(wq_head), __ret);         \
		if ((condition) && __ret == 0)                                  \
			__ret = 1;                                              \
		__ret;                                                          \
	})
void init_completion(struct completion *x);
void reinit_completion(struct completion *x);
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);
#define DECLARE_COMPLETION_ONSTACK(work) \
	struct completion work = (*({ init_completion(&work); &work; }))

struct device *root_device_register(const char *name);
void root_device_unregister(struct device *root);
struct device *get_device(struct device *dev);
void put_device(struct device *dev);
const char *dev_name(const struct device *dev);
int devm_add_action_or_reset(struct device *dev, void (*action)(void *), void *data);
int devm_add_action(struct device *dev, void (*action)(void *), void *data);
struct device *bus_find_device(struct bus_type *bus, struct device *start, const void *data,
			       int (*match)(struct device *dev, const void *data));

struct platform_device *platform_device_alloc(const char *name, int id);
int platform_device_add(struct platform_device *pdev);
void platform_device_unregister(struct platform_device *pdev);
int platform_driver_register(struct platform_driver *drv);
void platform_driver_unregister(struct platform_driver *drv);
bool dev_is_platform(const struct device *dev);
static inline void *platform_get_drvdata(const struct platform_device *pdev) { return pdev->dev.driver_data; }
static inline void platform_set_drvdata(struct platform_device *pdev, void *data) { pdev->dev.driver_data = data; }

struct platform_device *kunit_platform_device_alloc(struct kunit *test, const char *name, int id);
int kunit_platform_device_add(struct kunit *test, struct platform_device *pdev);
int kunit_platform_device_prepare_wait_for_probe(struct kunit *test, struct platform_device *pdev, struct completion *x);
int kunit_platform_driver_register(struct kunit *test, struct platform_driver *drv);

typedef void (*drmres_release_t)(struct drm_device *dev, void *res);
int drmm_add_action_or_reset(struct drm_device *dev, drmres_release_t action, void *data);
void drmm_release_action(struct drm_device *dev, drmres_release_t action, void *data);
int drm_dev_register(struct drm_device *dev, unsigned long flags);
void drm_dev_unregister(struct drm_device *dev);
struct device *drm_kunit_helper_alloc_device(struct kunit *test);
void drm_kunit_helper_free_device(struct kunit *test, struct device *dev);
struct drm_device *__drm_kunit_helper_alloc_drm_device(struct kunit *test, struct device *dev,
						       size_t size, size_t offset, u32 features);

/* lib/kunit/kunit-test.c */
struct kunit_try_catch { struct kunit *test; int try_result; };
typedef void (*kunit_try_catch_func_t)(void *);
void kunit_try_catch_init(struct kunit_try_catch *try_catch, struct kunit *test,
			  kunit_try_catch_func_t try, kunit_try_catch_func_t catch);
void kunit_try_catch_run(struct kunit_try_catch *try_catch, void *context);
void kunit_try_catch_throw(struct kunit_try_catch *try_catch);
struct kunit_resource;
typedef int (*kunit_resource_init_t)(struct kunit_resource *, void *);
typedef void (*kunit_resource_free_t)(struct kunit_resource *);
typedef bool (*kunit_resource_match_t)(struct kunit *test, struct kunit_resource *res, void *match_data);
struct kunit_resource {
	void *data;
	const char *name;
	kunit_resource_free_t free;
	int refcount;
	struct list_head node;
	bool should_kfree;
};
struct kunit_resource *kunit_alloc_and_get_resource(struct kunit *test, kunit_resource_init_t init,
						    kunit_resource_free_t free, gfp_t internal_gfp, void *context);
void kunit_put_resource(struct kunit_resource *res);
int kunit_destroy_resource(struct kunit *test, kunit_resource_match_t match, void *match_data);
void kunit_remove_resource(struct kunit *test, struct kunit_resource *res);
int kunit_add_resource(struct kunit *test, kunit_resource_init_t init, kunit_resource_free_t free,
		       struct kunit_resource *res, void *data);
int kunit_add_named_resource(struct kunit *test, kunit_resource_init_t init, kunit_resource_free_t free,
			     struct kunit_resource *res, const char *name, void *data);
struct kunit_resource *kunit_find_named_resource(struct kunit *test, const char *name);
int kunit_destroy_named_resource(struct kunit *test, const char *name);
int list_empty(const struct list_head *head);
int list_is_last(const struct list_head *list, const struct list_head *head);
typedef void (kunit_action_t)(void *);
int kunit_add_action(struct kunit *test, kunit_action_t *action, void *ctx);
void kunit_remove_action(struct kunit *test, kunit_action_t *action, void *ctx);
void kunit_release_action(struct kunit *test, kunit_action_t *action, void *ctx);
struct task_struct { struct kunit *kunit_test; };
struct task_struct *get_current(void);
#define current get_current()
void kunit_log_append(struct string_stream *log, const char *fmt, ...);
#define kunit_log(lvl, test_or_suite, fmt, ...) kunit_log_append((test_or_suite)->log, lvl fmt, ##__VA_ARGS__)
void kunit_set_failure(struct kunit *test);
void kunit_mark_skipped(struct kunit *test, const char *fmt, ...);
void __kunit_fail_current_test(const char *file, int line, const char *fmt, ...);
#define kunit_fail_current_test(fmt, ...) __kunit_fail_current_test(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define kunit_skip(test, fmt, ...) do { kunit_mark_skipped(test, fmt, ##__VA_ARGS__); return; } while (0)
#define kunit_info(test, fmt, ...) kunit_log(KERN_INFO, test, fmt, ##__VA_ARGS__)
struct device *kunit_device_register(struct kunit *test, const char *name);
void kunit_device_unregister(struct kunit *test, struct device *dev);
struct device_driver *kunit_driver_create(struct kunit *test, const char *name);
struct device *kunit_device_register_with_driver(struct kunit *test, const char *name,
						 const struct device_driver *drv);
