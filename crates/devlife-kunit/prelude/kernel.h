/*
 * devlife's kernel prelude: the declarations a KUnit test file expects from
 * <linux/...>, <kunit/...> and <drm/...>, written for devlife's model.
 *
 * Test files are read as written; their #include lines are ignored and this
 * file stands in for every kernel header. Structures list only the members
 * tests touch; the model owns the rest of each object's state. Functions
 * named __devlife_* are devlife's own hooks, called by the macros below.
 */

/* ---- types ---- */
typedef _Bool bool;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef unsigned long size_t;
typedef long ssize_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef unsigned int gfp_t;
typedef long long loff_t;
typedef unsigned int fmode_t;

#define true 1
#define false 0
#define NULL ((void *)0)

struct list_head {
	struct list_head *next, *prev;
};

/* ---- lists: a circle of list_heads through a head that holds no entry ---- */
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

/* Puts entry between two neighbours that are linked to each other. */
static inline void __devlife_list_insert(struct list_head *entry, struct list_head *before, struct list_head *after)
{
	entry->prev = before;
	entry->next = after;
	before->next = entry;
	after->prev = entry;
}

/* Joins an entry's neighbours to each other, leaving the entry as it was. */
static inline void __devlife_list_bridge(struct list_head *entry)
{
	entry->prev->next = entry->next;
	entry->next->prev = entry->prev;
}

static inline void list_add(struct list_head *entry, struct list_head *head)
{
	__devlife_list_insert(entry, head, head->next);
}

static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	__devlife_list_insert(entry, head->prev, head);
}

/* devlife: a deleted entry points at NULL, so a later walk through it traps. */
static inline void list_del(struct list_head *entry)
{
	__devlife_list_bridge(entry);
	entry->next = NULL;
	entry->prev = NULL;
}

static inline void list_del_init(struct list_head *entry)
{
	__devlife_list_bridge(entry);
	INIT_LIST_HEAD(entry);
}

static inline void list_move_tail(struct list_head *entry, struct list_head *head)
{
	__devlife_list_bridge(entry);
	list_add_tail(entry, head);
}

static inline int list_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline int list_is_first(const struct list_head *entry, const struct list_head *head)
{
	return entry->prev == head;
}

static inline int list_is_last(const struct list_head *entry, const struct list_head *head)
{
	return entry->next == head;
}

static inline int list_is_head(const struct list_head *entry, const struct list_head *head)
{
	return entry == head;
}

static inline int list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

static inline size_t list_count_nodes(const struct list_head *head)
{
	const struct list_head *at;
	size_t n = 0;

	for (at = head->next; at != head; at = at->next)
		n++;
	return n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_last_entry(head, type, member) list_entry((head)->prev, type, member)
#define list_first_entry_or_null(head, type, member) \
	(list_empty(head) ? NULL : list_first_entry(head, type, member))
#define list_for_each(at, head) for (at = (head)->next; at != (head); at = at->next)
#define list_for_each_prev(at, head) for (at = (head)->prev; at != (head); at = at->prev)
#define list_for_each_safe(at, tmp, head) \
	for (at = (head)->next, tmp = at->next; at != (head); at = tmp, tmp = at->next)
/*
 * The entry walks below find the entry around a list_head from the iterator's
 * own member offset (devlife's front end has no typeof), so list_next_entry()
 * and list_prev_entry() give a void pointer: assign them, do not dereference
 * them directly.
 */
#define __devlife_member_offset(pos, member) ((char *)&(pos)->member - (char *)(pos))
#define __devlife_entry_at(ptr, pos, member) ((void *)((char *)(ptr) - __devlife_member_offset(pos, member)))
#define list_next_entry(pos, member) __devlife_entry_at((pos)->member.next, pos, member)
#define list_prev_entry(pos, member) __devlife_entry_at((pos)->member.prev, pos, member)
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))
#define list_for_each_entry(pos, head, member) \
	for (pos = __devlife_entry_at((head)->next, pos, member); \
	     !list_entry_is_head(pos, head, member); \
	     pos = list_next_entry(pos, member))
#define list_for_each_entry_reverse(pos, head, member) \
	for (pos = __devlife_entry_at((head)->prev, pos, member); \
	     !list_entry_is_head(pos, head, member); \
	     pos = list_prev_entry(pos, member))
#define list_for_each_entry_safe(pos, tmp, head, member) \
	for (pos = __devlife_entry_at((head)->next, pos, member), \
	     tmp = list_next_entry(pos, member); \
	     !list_entry_is_head(pos, head, member); \
	     pos = tmp, tmp = list_next_entry(tmp, member))

typedef struct wait_queue_head {
	int unused;
} wait_queue_head_t;

struct completion {
	unsigned int done;
	wait_queue_head_t wait;
};

struct module {
	int unused;
};

typedef struct {
	int counter;
} atomic_t;
#define ATOMIC_INIT(i) { (i) }

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;
#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n), }

struct kref {
	refcount_t refcount;
};
#define KREF_INIT(n) { .refcount = REFCOUNT_INIT(n), }

/* Each takes the argument's text too, to name the kref in explanations. */
void __kref_init(struct kref *kref, const char *text);
void __kref_get(struct kref *kref, const char *text);
int __kref_get_unless_zero(struct kref *kref, const char *text);
int __kref_put(struct kref *kref, void (*release)(struct kref *kref), const char *text);
unsigned int __kref_read(const struct kref *kref, const char *text);
#define kref_init(kref) __kref_init(kref, #kref)
#define kref_get(kref) __kref_get(kref, #kref)
#define kref_get_unless_zero(kref) __kref_get_unless_zero(kref, #kref)
#define kref_put(kref, release) __kref_put(kref, release, #kref)
#define kref_read(kref) __kref_read(kref, #kref)
#define refcount_read(r) __kref_read((const struct kref *)(r), #r)

struct kobject;
struct kset;
struct sysfs_ops;
struct attribute_group;
struct kernfs_node;

struct kobj_type {
	void (*release)(struct kobject *kobj);
	const struct sysfs_ops *sysfs_ops;
	const struct attribute_group **default_groups;
	const void *child_ns_type;
	const void *namespace;
	void *get_ownership;
};

struct kobject {
	const char *name;
	struct list_head entry;
	struct kobject *parent;
	struct kset *kset;
	const struct kobj_type *ktype;
	struct kernfs_node *sd;
	struct kref kref;
	unsigned int state_initialized;
	unsigned int state_in_sysfs;
	unsigned int state_add_uevent_sent;
	unsigned int state_remove_uevent_sent;
	unsigned int uevent_suppress;
};

/* kobject_init takes the argument's text too, to name the kobject in
 * explanations until kobject_add names it. */
void __kobject_init(struct kobject *kobj, const struct kobj_type *ktype, const char *text);
#define kobject_init(kobj, ktype) __kobject_init(kobj, ktype, #kobj)
int kobject_add(struct kobject *kobj, struct kobject *parent, const char *fmt, ...);
int __kobject_init_and_add(struct kobject *kobj, const struct kobj_type *ktype, const char *text, struct kobject *parent, const char *fmt, ...);
#define kobject_init_and_add(kobj, ktype, parent, fmt, ...) __kobject_init_and_add(kobj, ktype, #kobj, parent, fmt, ##__VA_ARGS__)
struct kobject *kobject_get(struct kobject *kobj);
void kobject_put(struct kobject *kobj);
void kobject_del(struct kobject *kobj);
const char *kobject_name(const struct kobject *kobj);

struct device;
struct device_driver;
struct bus_type;

struct device_driver {
	const char *name;
	const struct bus_type *bus;
	struct module *owner;
	int (*probe)(struct device *dev);
	void (*sync_state)(struct device *dev);
	int (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
	void *p;
};

struct device {
	struct kobject kobj;
	struct device *parent;
	const char *init_name;
	const struct bus_type *bus;
	struct device_driver *driver;
	void *platform_data;
	void *driver_data;
	u64 *dma_mask;
	u64 coherent_dma_mask;
	void (*release)(struct device *dev);
	void *devlife_private;
};

struct bus_type {
	const char *name;
	const char *dev_name;
	const struct attribute_group **bus_groups;
	const struct attribute_group **dev_groups;
	const struct attribute_group **drv_groups;
	int (*match)(struct device *dev, const struct device_driver *drv);
	int (*uevent)(const struct device *dev, void *env);
	int (*probe)(struct device *dev);
	void (*sync_state)(struct device *dev);
	void (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
};
int bus_register(const struct bus_type *bus);
void bus_unregister(const struct bus_type *bus);

struct platform_device_id {
	char name[20];
	unsigned long driver_data;
};

struct platform_device {
	const char *name;
	int id;
	bool id_auto;
	struct device dev;
	u64 platform_dma_mask;
	u32 num_resources;
	void *resource;
	const struct platform_device_id *id_entry;
};

struct platform_driver {
	int (*probe)(struct platform_device *);
	void (*remove)(struct platform_device *);
	void (*shutdown)(struct platform_device *);
	struct device_driver driver;
	const struct platform_device_id *id_table;
	bool prevent_deferred_probe;
	bool driver_managed_dma;
};

#define PLATFORM_DEVID_NONE (-1)
#define PLATFORM_DEVID_AUTO (-2)

/* ---- KUnit ---- */
enum kunit_status {
	KUNIT_SUCCESS,
	KUNIT_FAILURE,
	KUNIT_SKIPPED,
};

enum kunit_assert_type {
	KUNIT_ASSERTION,
	KUNIT_EXPECTATION,
};

struct kunit;
struct string_stream;

struct kunit_resource;
typedef int (*kunit_resource_init_t)(struct kunit_resource *, void *);
typedef void (*kunit_resource_free_t)(struct kunit_resource *);
typedef bool (*kunit_resource_match_t)(struct kunit *test, struct kunit_resource *res, void *match_data);
typedef void (kunit_action_t)(void *);

/* The model keeps each resource's references, so `refcount` is not updated;
 * `node` is kept in step with the model's list of the test's resources. */
struct kunit_resource {
	void *data;
	const char *name;
	kunit_resource_free_t free;
	struct kref refcount;
	struct list_head node;
	bool should_kfree;
};

#define KUNIT_STATUS_COMMENT_SIZE 256

/* devlife keeps `resources` in step with the model's list of the test's resources. */
struct kunit {
	void *priv;
	const char *name;
	struct string_stream *log;
	enum kunit_status status;
	char status_comment[KUNIT_STATUS_COMMENT_SIZE];
	struct list_head resources;
	void *devlife_private;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
	int status;
	char *module_name;
	char *log;
};

struct kunit_suite {
	const char name[256];
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
	int status;
	char status_comment[KUNIT_STATUS_COMMENT_SIZE];
	int suite_init_err;
	struct string_stream *log;
};

/*
 * `kunit_test` is the C side of the model's running test. devlife notes what
 * it last agreed with the model on in the two hidden members, so that a write
 * by C code (current->kunit_test = &fake) and a change by the model (a new
 * case, kunit_cleanup) can each be told apart and the newer one kept.
 */
struct task_struct {
	struct kunit *kunit_test;
	struct kunit *__devlife_seen_test;
	unsigned long __devlife_seen_changes;
};

/* A try-catch: kunit_try_catch_run() calls `try`; kunit_try_catch_throw() inside
 * it returns to kunit_try_catch_run() at once, which then calls `catch`. */
typedef void (*kunit_try_catch_func_t)(void *);

struct kunit_try_catch {
	struct kunit *test;
	int try_result;
	kunit_try_catch_func_t try;
	kunit_try_catch_func_t catch;
	void *context;
};

/* A growing text buffer owned by a test (lib/kunit/string-stream.h). */
struct string_stream {
	size_t length;
	char *buf;		/* devlife: the text so far, NUL-terminated */
	size_t capacity;	/* devlife: bytes allocated at buf */
	struct kunit *test;
	gfp_t gfp;
	bool append_newlines;
};

/* ---- DRM ---- */
struct drm_device;
struct drm_file;

struct drm_driver {
	int (*load)(struct drm_device *, unsigned long flags);
	int (*open)(struct drm_device *, struct drm_file *);
	void (*postclose)(struct drm_device *, struct drm_file *);
	void (*unload)(struct drm_device *);
	void (*release)(struct drm_device *);
	int major;
	int minor;
	int patchlevel;
	const char *name;
	const char *desc;
	u32 driver_features;
	const void *fops;
};

struct drm_mode_config {
	const void *funcs;
	int min_width, min_height, max_width, max_height;
};

enum drm_minor_type {
	DRM_MINOR_PRIMARY = 0,
	DRM_MINOR_RENDER = 2,
	DRM_MINOR_ACCEL = 32,
};

struct drm_minor {
	int index;
	int type;
	struct device *kdev;
	struct drm_device *dev;
};

struct drm_device {
	struct kref ref;
	struct device *dev;
	const struct drm_driver *driver;
	void *dev_private;
	struct drm_minor *primary;
	struct drm_minor *render;
	struct drm_minor *accel;
	bool registered;
	bool unplugged;
	u32 driver_features;
	struct drm_mode_config mode_config;
	void *devlife_private;
};

struct file {
	void *private_data;
	fmode_t f_mode;
};

#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02

struct drm_file {
	struct drm_device *dev;
	void *driver_priv;
};

#define DRIVER_GEM		(1U << 0)
#define DRIVER_MODESET		(1U << 1)
#define DRIVER_RENDER		(1U << 3)
#define DRIVER_ATOMIC		(1U << 4)
#define DRIVER_SYNCOBJ		(1U << 5)
#define DRIVER_SYNCOBJ_TIMELINE	(1U << 6)
#define DRIVER_COMPUTE_ACCEL	(1U << 7)
#define DRIVER_GEM_GPUVA	(1U << 8)
#define DRIVER_CURSOR_HOTSPOT	(1U << 9)

/* ---- configuration: the kunitconfig of the recorded real-kernel runs (UML) ---- */
#define CONFIG_KUNIT 1
#define CONFIG_KUNIT_TEST 1
#define CONFIG_DM_KUNIT_TEST 1
#define CONFIG_DRM 1
#define CONFIG_DRM_KUNIT_TEST 1
#define CONFIG_UML 1
#define __devlife_cfg_CONFIG_KUNIT 1
#define __devlife_cfg_CONFIG_KUNIT_TEST 1
#define __devlife_cfg_CONFIG_DM_KUNIT_TEST 1
#define __devlife_cfg_CONFIG_DRM 1
#define __devlife_cfg_CONFIG_DRM_KUNIT_TEST 1
#define __devlife_cfg_CONFIG_UML 1
/* An option not listed above expands to an undefined name: 0 in #if. */
#define IS_BUILTIN(option) __devlife_cfg_##option
#define IS_ENABLED(option) __devlife_cfg_##option
#define IS_REACHABLE(option) __devlife_cfg_##option
#define IS_MODULE(option) 0

/* ---- common macros ---- */
#define GFP_KERNEL 0xcc0U
#define GFP_ATOMIC 0x820U
#define __GFP_ZERO 0x100U
#define THIS_MODULE ((struct module *)0)
#define HZ 250
#define BIT(n) (1UL << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define offsetof(type, member) __builtin_offsetof(type, member)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define container_of_const(ptr, type, member) container_of(ptr, type, member)
#define MAX_ERRNO 4095
#define ERR_PTR(err) ((void *)(long)(err))
#define PTR_ERR(ptr) ((long)(ptr))
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
#define IS_ERR(ptr) IS_ERR_VALUE((unsigned long)(ptr))
#define IS_ERR_OR_NULL(ptr) (!(ptr) || IS_ERR_VALUE((unsigned long)(ptr)))
#define ERR_CAST(ptr) ((void *)(ptr))
#define PTR_ERR_OR_ZERO(ptr) (IS_ERR(ptr) ? PTR_ERR(ptr) : 0)
#define ZERO_SIZE_PTR ((void *)16)
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define likely(x) (x)
#define unlikely(x) (x)
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, v) ((x) = (v))
#define __maybe_unused
#define __always_unused
#define __init
#define __exit
#define __must_check
#define __printf(a, b)
#define fallthrough do {} while (0)
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define EXPORT_SYMBOL_IF_KUNIT(sym)
#define MODULE_LICENSE(x)
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_IMPORT_NS(x)
#define EINVAL 22
#define ENOMEM 12
#define ENODEV 19
#define EBUSY 16
#define EEXIST 17
#define ENOENT 2
#define ENXIO 6
#define ETIMEDOUT 110
#define EPROBE_DEFER 517

#define EFAULT 14
#define EINTR 4

#define KERN_EMERG "\0010"
#define KERN_ALERT "\0011"
#define KERN_CRIT "\0012"
#define KERN_ERR "\0013"
#define KERN_WARNING "\0014"
#define KERN_NOTICE "\0015"
#define KERN_INFO "\0016"
#define KERN_DEBUG "\0017"

#define current (__devlife_current())
struct task_struct *__devlife_current(void);

/* ---- wait queues and completions (a synchronous model) ---- */
#define init_waitqueue_head(wq) ((void)(wq))
#define wake_up_interruptible(wq) ((void)(wq))
#define wake_up(wq) ((void)(wq))
#define msecs_to_jiffies(m) ((unsigned long)(((unsigned long)(m) * HZ + 999) / 1000))
#define __devlife_wait_result(cond, timeout) ((cond) ? ((timeout) ? (long)(timeout) : 1L) : 0L)
#define wait_event_interruptible_timeout(wq, cond, timeout) __devlife_wait_result(cond, timeout)
#define wait_event_timeout(wq, cond, timeout) __devlife_wait_result(cond, timeout)
#define wait_event_interruptible(wq, cond) ((cond) ? 0 : -512)
#define DECLARE_COMPLETION_ONSTACK(name) struct completion name = { 0 }
#define DECLARE_COMPLETION(name) struct completion name = { 0 }
#define init_completion(c) ((c)->done = 0)
#define reinit_completion(c) ((c)->done = 0)
#define complete(c) ((c)->done++)
#define complete_all(c) ((c)->done = 0x7fffffff)
#define completion_done(c) ((c)->done != 0)
#define wait_for_completion_timeout(c, timeout) ((c)->done ? ((c)->done--, ((timeout) ? (unsigned long)(timeout) : 1UL)) : 0UL)
#define wait_for_completion_interruptible_timeout(c, timeout) ((long)wait_for_completion_timeout(c, timeout))

/* ---- memory and strings ---- */
void *kzalloc(size_t size, gfp_t gfp);
void *kmalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void kfree(const void *p);
char *kstrdup(const char *s, gfp_t gfp);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlen(const char *s);
void *memset(void *p, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
char *strstr(const char *haystack, const char *needle);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int printk(const char *fmt, ...);
#define pr_info(fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) ((void)0)
#define WARN_ON(cond) (cond)
#define WARN_ON_ONCE(cond) (cond)

/* ---- driver core ---- */
void device_initialize(struct device *dev);
int device_add(struct device *dev);
int device_register(struct device *dev);
void device_del(struct device *dev);
void device_unregister(struct device *dev);
struct device *get_device(struct device *dev);
void put_device(struct device *dev);
int dev_set_name(struct device *dev, const char *fmt, ...);
const char *dev_name(const struct device *dev);
void *dev_get_drvdata(const struct device *dev);
void dev_set_drvdata(struct device *dev, void *data);
int device_attach(struct device *dev);
void device_release_driver(struct device *dev);
struct device *__root_device_register(const char *name, struct module *owner);
#define root_device_register(name) __root_device_register(name, THIS_MODULE)
void root_device_unregister(struct device *root);
int driver_register(struct device_driver *drv);
int driver_attach(const struct device_driver *drv);
int device_bind_driver(struct device *dev);
void driver_unregister(struct device_driver *drv);
struct device *bus_find_device_by_name(const struct bus_type *bus, struct device *start, const char *name);
struct device *bus_find_device(const struct bus_type *bus, struct device *start, const void *data, int (*match)(struct device *dev, const void *data));
const struct bus_type platform_bus_type = { .name = "platform" };

int __devm_add_action(struct device *dev, void (*action)(void *), void *data, const char *name);
#define devm_add_action(dev, action, data) __devm_add_action(dev, action, data, #action)
int __devm_add_action_or_reset(struct device *dev, void (*action)(void *), void *data, const char *name);
#define devm_add_action_or_reset(dev, action, data) __devm_add_action_or_reset(dev, action, data, #action)
void devm_remove_action(struct device *dev, void (*action)(void *), void *data);
void devm_release_action(struct device *dev, void (*action)(void *), void *data);
void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp);
void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp);
void *devm_kcalloc(struct device *dev, size_t n, size_t size, gfp_t gfp);
void devm_kfree(struct device *dev, const void *p);
char *devm_kstrdup(struct device *dev, const char *s, gfp_t gfp);
void *devres_open_group(struct device *dev, void *id, gfp_t gfp);
void devres_close_group(struct device *dev, void *id);
void devres_remove_group(struct device *dev, void *id);
int devres_release_group(struct device *dev, void *id);
#define NUMA_NO_NODE (-1)
typedef void (*dr_release_t)(struct device *dev, void *res);
typedef int (*dr_match_t)(struct device *dev, void *res, void *match_data);
void *__devres_alloc_node(dr_release_t release, size_t size, gfp_t gfp, int nid, const char *name);
#define devres_alloc(release, size, gfp) __devres_alloc_node(release, size, gfp, NUMA_NO_NODE, #release)
#define devres_alloc_node(release, size, gfp, nid) __devres_alloc_node(release, size, gfp, nid, #release)
void devres_free(void *res);
void devres_add(struct device *dev, void *res);
void *devres_find(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
void *devres_get(struct device *dev, void *new_res, dr_match_t match, void *match_data);
void *devres_remove(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
int devres_destroy(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
int devres_release(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);

struct platform_device *platform_device_alloc(const char *name, int id);
int platform_device_add(struct platform_device *pdev);
int platform_device_register(struct platform_device *pdev);
void platform_device_del(struct platform_device *pdev);
void platform_device_put(struct platform_device *pdev);
void platform_device_unregister(struct platform_device *pdev);
struct platform_device *platform_device_register_simple(const char *name, int id, const void *res, unsigned int num);
struct platform_device *platform_device_register_data(struct device *parent, const char *name, int id, const void *data, size_t size);
int platform_device_add_data(struct platform_device *pdev, const void *data, size_t size);
int __platform_driver_register(struct platform_driver *drv, struct module *owner);
#define platform_driver_register(drv) __platform_driver_register(drv, THIS_MODULE)
void platform_driver_unregister(struct platform_driver *drv);
void *platform_get_drvdata(const struct platform_device *pdev);
void platform_set_drvdata(struct platform_device *pdev, void *data);
#define to_platform_device(x) container_of((x), struct platform_device, dev)
#define to_platform_driver(drv) container_of((drv), struct platform_driver, driver)
bool dev_is_platform(const struct device *dev);

/* ---- KUnit API ---- */
void kunit_init_test(struct kunit *test, const char *name, struct string_stream *log);
void kunit_cleanup(struct kunit *test);
struct kunit *kunit_get_current_test(void);
void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size, gfp_t gfp);
void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp);
void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp);
void *kunit_kcalloc(struct kunit *test, size_t n, size_t size, gfp_t gfp);
void kunit_kfree(struct kunit *test, const void *ptr);
char *kunit_kstrdup(struct kunit *test, const char *str, gfp_t gfp);
const char *kunit_kstrdup_const(struct kunit *test, const char *str, gfp_t gfp);
void kunit_kfree_const(struct kunit *test, const void *x);
int kunit_add_action(struct kunit *test, kunit_action_t *action, void *ctx);
int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *action, void *ctx);
void kunit_remove_action(struct kunit *test, kunit_action_t *action, void *ctx);
void kunit_release_action(struct kunit *test, kunit_action_t *action, void *ctx);
#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type) \
	static void wrapper(void *in) { orig((arg_type)in); }

/* Resources (include/kunit/resource.h). The list holds one reference;
 * kunit_find_*() and kunit_alloc_and_get_resource() hand the caller another. */
int __kunit_add_resource(struct kunit *test, kunit_resource_init_t init, kunit_resource_free_t free, struct kunit_resource *res, void *data);
int kunit_add_resource(struct kunit *test, kunit_resource_init_t init, kunit_resource_free_t free, struct kunit_resource *res, void *data);
int kunit_add_named_resource(struct kunit *test, kunit_resource_init_t init, kunit_resource_free_t free, struct kunit_resource *res, const char *name, void *data);
void *kunit_alloc_resource(struct kunit *test, kunit_resource_init_t init, kunit_resource_free_t free, gfp_t internal_gfp, void *context);
struct kunit_resource *kunit_alloc_and_get_resource(struct kunit *test, kunit_resource_init_t init, kunit_resource_free_t free, gfp_t internal_gfp, void *context);
struct kunit_resource *kunit_find_resource(struct kunit *test, kunit_resource_match_t match, void *match_data);
struct kunit_resource *kunit_find_named_resource(struct kunit *test, const char *name);
void kunit_get_resource(struct kunit_resource *res);
void kunit_put_resource(struct kunit_resource *res);
void kunit_remove_resource(struct kunit *test, struct kunit_resource *res);
int kunit_destroy_resource(struct kunit *test, kunit_resource_match_t match, void *match_data);
int kunit_destroy_named_resource(struct kunit *test, const char *name);

static inline bool kunit_resource_name_match(struct kunit *test, struct kunit_resource *res, void *match_name)
{
	return res->name != NULL && strcmp(res->name, (const char *)match_name) == 0;
}

/* Try-catch (lib/kunit/try-catch-impl.h, include/kunit/try-catch.h). */
static inline void kunit_try_catch_init(struct kunit_try_catch *try_catch, struct kunit *test,
					kunit_try_catch_func_t try, kunit_try_catch_func_t catch)
{
	try_catch->test = test;
	try_catch->try = try;
	try_catch->catch = catch;
}

static inline int kunit_try_catch_get_result(struct kunit_try_catch *try_catch)
{
	return try_catch->try_result;
}

void kunit_try_catch_run(struct kunit_try_catch *try_catch, void *context);
void kunit_try_catch_throw(struct kunit_try_catch *try_catch);

/* String streams (lib/kunit/string-stream.h). */
struct string_stream *alloc_string_stream(gfp_t gfp);
void string_stream_destroy(struct string_stream *stream);
struct string_stream *kunit_alloc_string_stream(struct kunit *test, gfp_t gfp);
void kunit_free_string_stream(struct kunit *test, struct string_stream *stream);
int string_stream_add(struct string_stream *stream, const char *fmt, ...);
char *string_stream_get_string(struct string_stream *stream);
int string_stream_append(struct string_stream *stream, struct string_stream *other);
void string_stream_clear(struct string_stream *stream);
bool string_stream_is_empty(struct string_stream *stream);

static inline void string_stream_set_append_newlines(struct string_stream *stream, bool append_newlines)
{
	stream->append_newlines = append_newlines;
}

/* Appends to a test's or suite's log; a NULL log (no debugfs) takes nothing. */
void kunit_log_append(struct string_stream *log, const char *fmt, ...);

/* Status (lib/kunit/test.c, include/kunit/test-bug.h). */
void kunit_set_failure(struct kunit *test);
void __kunit_fail_current_test(const char *file, int line, const char *fmt, ...);
#define kunit_fail_current_test(fmt, ...) __kunit_fail_current_test(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
struct device *kunit_device_register(struct kunit *test, const char *name);
struct device *kunit_device_register_with_driver(struct kunit *test, const char *name, const struct device_driver *drv);
void kunit_device_unregister(struct kunit *test, struct device *dev);
struct device_driver *kunit_driver_create(struct kunit *test, const char *name);
struct platform_device *kunit_platform_device_alloc(struct kunit *test, const char *name, int id);
int kunit_platform_device_add(struct kunit *test, struct platform_device *pdev);
int kunit_platform_driver_register(struct kunit *test, struct platform_driver *drv);
int kunit_platform_device_prepare_wait_for_probe(struct kunit *test, struct platform_device *pdev, struct completion *x);
void __devlife_kunit_mark_skipped(struct kunit *test, const char *fmt, ...);
void __devlife_kunit_skip(struct kunit *test, const char *fmt, ...);
#define kunit_mark_skipped(test, fmt, ...) __devlife_kunit_mark_skipped(test, fmt, ##__VA_ARGS__)
#define kunit_skip(test, fmt, ...) __devlife_kunit_skip(test, fmt, ##__VA_ARGS__)
void __devlife_kunit_printk(struct kunit *test, const char *level, const char *fmt, ...);
#define kunit_info(test, fmt, ...) __devlife_kunit_printk(test, KERN_INFO, fmt, ##__VA_ARGS__)
#define kunit_warn(test, fmt, ...) __devlife_kunit_printk(test, KERN_WARNING, fmt, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...) __devlife_kunit_printk(test, KERN_ERR, fmt, ##__VA_ARGS__)
/* Prints to the console as is (no indent, no test name) and appends to the log. */
#define kunit_log(lvl, test_or_suite, fmt, ...) \
	do { \
		printk(lvl fmt, ##__VA_ARGS__); \
		kunit_log_append((test_or_suite)->log, fmt, ##__VA_ARGS__); \
	} while (0)

#define KUNIT_CASE(test_name) { .run_case = test_name, .name = #test_name }
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#define __devlife_suites2(line, ...) static struct kunit_suite *__devlife_suites_##line[] = { __VA_ARGS__ }
#define __devlife_suites1(line, ...) __devlife_suites2(line, __VA_ARGS__)
#define kunit_test_suites(...) __devlife_suites1(__COUNTER__, __VA_ARGS__)
#define kunit_test_suite(suite) kunit_test_suites(&suite)
#define kunit_test_init_section_suites(...) kunit_test_suites(__VA_ARGS__)

/* Assertions: as in the kernel, C evaluates each operand once and compares;
 * only a failed check calls devlife, with the operands' text and values, to
 * print KUnit's failure message and, for ASSERT, end the case. */
void __devlife_kunit_binary(struct kunit *test, int type, const char *file, int line, const char *op, const char *left_text, long long left, const char *right_text, long long right, const char *fmt, ...);
void __devlife_kunit_ptr(struct kunit *test, int type, const char *file, int line, const char *op, const char *left_text, const void *left, const char *right_text, const void *right, const char *fmt, ...);
void __devlife_kunit_str(struct kunit *test, int type, const char *file, int line, const char *op, const char *left_text, const char *left, const char *right_text, const char *right, const char *fmt, ...);
void __devlife_kunit_bool(struct kunit *test, int type, const char *file, int line, const char *text, int value, int expected, const char *fmt, ...);
void __devlife_kunit_ptr_check(struct kunit *test, int type, const char *file, int line, const char *text, const void *ptr, int check, const char *fmt, ...);
void __devlife_kunit_fail(struct kunit *test, int type, const char *file, int line, const char *fmt, ...);

#define __DEVLIFE_BIN(t, test, l, op, r, ...) do { \
		long long __devlife_l = (long long)(l), __devlife_r = (long long)(r); \
		if (!(__devlife_l op __devlife_r)) \
			__devlife_kunit_binary(test, t, __FILE__, __LINE__, #op, #l, __devlife_l, #r, __devlife_r, ##__VA_ARGS__, NULL); \
	} while (0)
#define __DEVLIFE_PTR(t, test, l, op, r, ...) do { \
		const void *__devlife_l = (const void *)(l), *__devlife_r = (const void *)(r); \
		if (!(__devlife_l op __devlife_r)) \
			__devlife_kunit_ptr(test, t, __FILE__, __LINE__, #op, #l, __devlife_l, #r, __devlife_r, ##__VA_ARGS__, NULL); \
	} while (0)
#define __DEVLIFE_STR(t, test, l, op, r, ...) __devlife_kunit_str(test, t, __FILE__, __LINE__, #op, #l, (const char *)(l), #r, (const char *)(r), ##__VA_ARGS__, NULL)
#define __DEVLIFE_BOOL(t, test, c, text, expected, ...) do { \
		int __devlife_v = !!(c); \
		if (__devlife_v != (expected)) \
			__devlife_kunit_bool(test, t, __FILE__, __LINE__, text, __devlife_v, expected, ##__VA_ARGS__, NULL); \
	} while (0)
/* check: 0 = not NULL, 1 = NULL, 2 = not ERR_PTR and not NULL, 3 = not ERR_PTR;
 * failed: when the check fails, in terms of __devlife_p. The operand's text
 * is taken where the test wrote it, before devlife's own macros expand. */
#define __DEVLIFE_PTR_CHECK(t, test, p, text, check, failed, ...) do { \
		const void *__devlife_p = (const void *)(p); \
		if (failed) \
			__devlife_kunit_ptr_check(test, t, __FILE__, __LINE__, text, __devlife_p, check, ##__VA_ARGS__, NULL); \
	} while (0)
#define __DEVLIFE_IS_NULL (!__devlife_p)
#define __DEVLIFE_NOT_NULL (__devlife_p)
#define __DEVLIFE_IS_ERR_OR_NULL (!__devlife_p || IS_ERR_VALUE(__devlife_p))

#define KUNIT_EXPECT_EQ(test, l, r) __DEVLIFE_BIN(KUNIT_EXPECTATION, test, l, ==, r)
#define KUNIT_EXPECT_NE(test, l, r) __DEVLIFE_BIN(KUNIT_EXPECTATION, test, l, !=, r)
#define KUNIT_EXPECT_LT(test, l, r) __DEVLIFE_BIN(KUNIT_EXPECTATION, test, l, <, r)
#define KUNIT_EXPECT_LE(test, l, r) __DEVLIFE_BIN(KUNIT_EXPECTATION, test, l, <=, r)
#define KUNIT_EXPECT_GT(test, l, r) __DEVLIFE_BIN(KUNIT_EXPECTATION, test, l, >, r)
#define KUNIT_EXPECT_GE(test, l, r) __DEVLIFE_BIN(KUNIT_EXPECTATION, test, l, >=, r)
#define KUNIT_ASSERT_EQ(test, l, r) __DEVLIFE_BIN(KUNIT_ASSERTION, test, l, ==, r)
#define KUNIT_ASSERT_NE(test, l, r) __DEVLIFE_BIN(KUNIT_ASSERTION, test, l, !=, r)
#define KUNIT_ASSERT_LT(test, l, r) __DEVLIFE_BIN(KUNIT_ASSERTION, test, l, <, r)
#define KUNIT_ASSERT_LE(test, l, r) __DEVLIFE_BIN(KUNIT_ASSERTION, test, l, <=, r)
#define KUNIT_ASSERT_GT(test, l, r) __DEVLIFE_BIN(KUNIT_ASSERTION, test, l, >, r)
#define KUNIT_ASSERT_GE(test, l, r) __DEVLIFE_BIN(KUNIT_ASSERTION, test, l, >=, r)
#define KUNIT_EXPECT_EQ_MSG(test, l, r, fmt, ...) __DEVLIFE_BIN(KUNIT_EXPECTATION, test, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_EQ_MSG(test, l, r, fmt, ...) __DEVLIFE_BIN(KUNIT_ASSERTION, test, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_EQ(test, l, r) __DEVLIFE_PTR(KUNIT_EXPECTATION, test, l, ==, r)
#define KUNIT_EXPECT_PTR_NE(test, l, r) __DEVLIFE_PTR(KUNIT_EXPECTATION, test, l, !=, r)
#define KUNIT_ASSERT_PTR_EQ(test, l, r) __DEVLIFE_PTR(KUNIT_ASSERTION, test, l, ==, r)
#define KUNIT_ASSERT_PTR_NE(test, l, r) __DEVLIFE_PTR(KUNIT_ASSERTION, test, l, !=, r)
#define KUNIT_EXPECT_STREQ(test, l, r) __DEVLIFE_STR(KUNIT_EXPECTATION, test, l, ==, r)
#define KUNIT_EXPECT_STRNEQ(test, l, r) __DEVLIFE_STR(KUNIT_EXPECTATION, test, l, !=, r)
#define KUNIT_ASSERT_STREQ(test, l, r) __DEVLIFE_STR(KUNIT_ASSERTION, test, l, ==, r)
#define KUNIT_EXPECT_TRUE(test, c) __DEVLIFE_BOOL(KUNIT_EXPECTATION, test, c, #c, 1)
#define KUNIT_EXPECT_FALSE(test, c) __DEVLIFE_BOOL(KUNIT_EXPECTATION, test, c, #c, 0)
#define KUNIT_ASSERT_TRUE(test, c) __DEVLIFE_BOOL(KUNIT_ASSERTION, test, c, #c, 1)
#define KUNIT_ASSERT_FALSE(test, c) __DEVLIFE_BOOL(KUNIT_ASSERTION, test, c, #c, 0)
#define KUNIT_EXPECT_TRUE_MSG(test, c, fmt, ...) __DEVLIFE_BOOL(KUNIT_EXPECTATION, test, c, #c, 1, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_TRUE_MSG(test, c, fmt, ...) __DEVLIFE_BOOL(KUNIT_ASSERTION, test, c, #c, 1, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_NULL(test, p) __DEVLIFE_PTR_CHECK(KUNIT_EXPECTATION, test, p, #p, 0, __DEVLIFE_IS_NULL)
#define KUNIT_ASSERT_NOT_NULL(test, p) __DEVLIFE_PTR_CHECK(KUNIT_ASSERTION, test, p, #p, 0, __DEVLIFE_IS_NULL)
#define KUNIT_ASSERT_NOT_NULL_MSG(test, p, fmt, ...) __DEVLIFE_PTR_CHECK(KUNIT_ASSERTION, test, p, #p, 0, __DEVLIFE_IS_NULL, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NULL(test, p) __DEVLIFE_PTR_CHECK(KUNIT_EXPECTATION, test, p, #p, 1, __DEVLIFE_NOT_NULL)
#define KUNIT_ASSERT_NULL(test, p) __DEVLIFE_PTR_CHECK(KUNIT_ASSERTION, test, p, #p, 1, __DEVLIFE_NOT_NULL)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(test, p) __DEVLIFE_PTR_CHECK(KUNIT_EXPECTATION, test, p, #p, 2, __DEVLIFE_IS_ERR_OR_NULL)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p) __DEVLIFE_PTR_CHECK(KUNIT_ASSERTION, test, p, #p, 2, __DEVLIFE_IS_ERR_OR_NULL)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, p, fmt, ...) __DEVLIFE_PTR_CHECK(KUNIT_EXPECTATION, test, p, #p, 2, __DEVLIFE_IS_ERR_OR_NULL, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, p, fmt, ...) __DEVLIFE_PTR_CHECK(KUNIT_ASSERTION, test, p, #p, 2, __DEVLIFE_IS_ERR_OR_NULL, fmt, ##__VA_ARGS__)
#define KUNIT_FAIL(test, fmt, ...) __devlife_kunit_fail(test, KUNIT_EXPECTATION, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

/* ---- DRM API ---- */
struct drm_device *drm_dev_alloc(const struct drm_driver *driver, struct device *parent);
void *__devm_drm_dev_alloc(struct device *parent, const struct drm_driver *driver, size_t size, size_t offset);
#define devm_drm_dev_alloc(parent, driver, type, member) \
	((type *)__devm_drm_dev_alloc(parent, driver, sizeof(type), offsetof(type, member)))
int drm_dev_register(struct drm_device *dev, unsigned long flags);
void drm_dev_unregister(struct drm_device *dev);
void drm_dev_unplug(struct drm_device *dev);
bool drm_dev_enter(struct drm_device *dev, int *idx);
void drm_dev_exit(int idx);
bool drm_dev_is_unplugged(struct drm_device *dev);
void drm_dev_get(struct drm_device *dev);
void drm_dev_put(struct drm_device *dev);
void drm_put_dev(struct drm_device *dev);
int __drmm_add_action(struct drm_device *dev, void (*action)(struct drm_device *, void *), void *data, const char *name);
#define drmm_add_action(dev, action, data) __drmm_add_action(dev, action, data, #action)
int __drmm_add_action_or_reset(struct drm_device *dev, void (*action)(struct drm_device *, void *), void *data, const char *name);
#define drmm_add_action_or_reset(dev, action, data) __drmm_add_action_or_reset(dev, action, data, #action)
void drmm_release_action(struct drm_device *dev, void (*action)(struct drm_device *, void *), void *data);
void *drmm_kzalloc(struct drm_device *dev, size_t size, gfp_t gfp);
void *drmm_kmalloc(struct drm_device *dev, size_t size, gfp_t gfp);
void drmm_kfree(struct drm_device *dev, void *data);
int drmm_mode_config_init(struct drm_device *dev);
struct file *mock_drm_getfile(struct drm_minor *minor, unsigned int flags);
void fput(struct file *file);
struct device *drm_kunit_helper_alloc_device(struct kunit *test);
void drm_kunit_helper_free_device(struct kunit *test, struct device *dev);
struct drm_device *__drm_kunit_helper_alloc_drm_device_with_driver(struct kunit *test, struct device *dev, size_t size, size_t offset, const struct drm_driver *driver);
struct drm_device *__drm_kunit_helper_alloc_drm_device(struct kunit *test, struct device *dev, size_t size, size_t offset, u32 features);
#define drm_kunit_helper_alloc_drm_device_with_driver(_test, _dev, _type, _member, _drv) \
	((_type *)__drm_kunit_helper_alloc_drm_device_with_driver(_test, _dev, sizeof(_type), offsetof(_type, _member), _drv))
#define drm_kunit_helper_alloc_drm_device(_test, _dev, _type, _member, _feat) \
	((_type *)__drm_kunit_helper_alloc_drm_device(_test, _dev, sizeof(_type), offsetof(_type, _member), _feat))
