/* Constructs the parser must read as tree-sitter-c does (compared by
 * tests/differential.rs; not compiled or run). */
typedef unsigned long size_t;
typedef _Bool bool;
typedef unsigned char u8;
typedef long long s64;
typedef int (*handler_t)(void *data, int code);
typedef struct point { int x, y; } point_t, *point_p;
typedef enum { RED, GREEN = 2, BLUE, } color_t;
typedef unsigned int uint;
typedef signed char sc;
typedef long double ld;

struct flags {
	unsigned int a : 3, b : 5;
	unsigned long long c;
	short int d;
	long unsigned int e;
	const volatile int *f;
	struct { int inner; } anon;
	union { int i; char c[4]; };
	int arr[4][2];
	void (*cb)(struct flags *self, int (*g)(int));
	char flexible[];
} __attribute__((aligned(8)));

union number { int i; long l; } __attribute__((packed));
enum level { LOW = -1, MID = LOW + 1, HIGH = 1 << 4 };
enum sized : int { A, B };
struct fwd;
struct __attribute__((unused)) marked { int m; };

extern int global;
static const char *const names[] = { "a", "b" "c", [2] = "d" };
int matrix[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
struct point origin = { .x = 0, .y = 0 }, unit = { 1, 1 };
int range[10] = { [0 ... 4] = 1, [5] = 2 };
struct flags nested = { .anon.inner = 3, .arr[1][0] = 7, x: 1 };
int (*table[3])(int);
void (*signal(int sig, void (*func)(int)))(int);
static inline __attribute__((always_inline)) int inl(void) { return 0; }
int variadic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void noparams();
int unnamed(int, char *, void (*)(int), int [], struct point *);
int asm_label asm("real_name");
_Alignas(8) char aligned_buf[16];
register int reg_var;
const int ci = 1, *cip = &ci;

int expressions(int a, int b, int *p, struct point *pt, u8 small)
{
	int r = a + b * 2 - (a - b) / 3 % 4;
	r = a << 2 >> 1 | b & 3 ^ 5;
	r = a < b && b > a || a <= b && a >= b || a == b || a != b;
	r += 1; r -= 1; r *= 2; r /= 2; r %= 3; r <<= 1; r >>= 1; r &= 7; r |= 8; r ^= 9;
	r = a ? b : a ? 1 : 2;
	r = a ?: b;
	r = (a, b, a + b);
	r = -a + +b - ~a + !b;
	r = *p + p[1] + 1[p] + *&a;
	r = ++a + b++ - --a - b--;
	r = pt->x + (*pt).y + pt[0].x;
	r = (int)small + (long)(a) + (unsigned char)-a;
	r = (u8)(a + 1);
	r = 2 + (u8)-1;
	r = (u8)*p;
	r = -(int)a + !(bool)b;
	r = sizeof a + sizeof(a) + sizeof(int) + sizeof(int *) + sizeof(struct point) + sizeof(u8) + sizeof *p;
	r = _Alignof(long) + __alignof__(struct point);
	r = (struct point){ 1, 2 }.x + ((struct point){ .y = 3 }).y;
	r = ({ int t = a; t + 1; });
	r = expressions(a, b, p, pt, small) + inl();
	r = ((int (*)(int, int, int *, struct point *, u8))expressions)(1, 2, p, pt, 3);
	r = 'a' + '\n' + L'b';
	r = 0x1fUL + 017 + 0b101 + 42u + 10LL;
	const char *s = "x" "y" "z";
	s = __func__;
	r = (int)(long)(void *)p;
	r = *(int *)p;
	r = p == (void *)0 ? 1 : 0;
	r = !(a & 1) ? a : b;
	r = (a > b) - (a < b);
	r = a * -b;
	r = a - -1;
	r = &p[2] - p;
	r = ((struct point *)0)->y;
	r = (size_t)&((struct point *)0)->y;
	r = __builtin_expect(a, 0);
	asm volatile("nop" : "=r"(r) : "r"(a), [in] "m"(b) : "memory", "cc");
	asm("nop");
	r = true + false;
	return r;
}

void statements(int n, int *out)
{
	int i, j = 0, k[3] = { 0 };
	unsigned long total = 0;
	point_t pt = { 0 };
	point_p pp = &pt;
	bool done = 0;
	handler_t h = 0;
	color_t c = GREEN;
	for (i = 0; i < n; i++)
		total += i;
	for (int m = 0, q = 1; m < n; m++, q++) {
		if (m == 2)
			continue;
		else if (m == 3)
			break;
		else
			j++;
	}
	for (;;)
		break;
	while (n-- > 0) {
		j += n;
	}
	do {
		j--;
	} while (j > 0);
	switch (n) {
	case 0:
	case 1:
		j = 1;
		break;
	case 2: {
		int local = 3;
		j = local;
		break;
	}
	case RED + 5:
		j = 2;
		/* fall through */
	default:
		j = 0;
	}
	if (n)
		;
	{
		typedef int inner_t;
		inner_t v = 1;
		int inner_t2 = v;
		(void)inner_t2;
	}
	goto out;
out:
	*out = j + (int)total + pp->x + done + (h != 0) + c + k[0];
	return;
}

int more(int a, int b, int *p, int **pp, struct point *pt)
{
	int (*fp)(int) = 0;
	char *(*(*x)[3])(void) = 0;
	struct point *q = (struct point *)p;
	int n = sizeof(int[3]) + sizeof(struct point *[2]) + sizeof *q + sizeof(char (*)[4]);
	typeof(a) y = a;
	__typeof__(int) z = 1;
	int g = _Generic(a, int: 1, long: 2);
	int e[] = {};
	struct { int a; } s = { 1 };
	enum { EA, EB } en = EB;
	long long int ll = 1;
	unsigned short us = 2;
	signed sg = 3;
	const struct point *const cp = pt;
	char buf[sizeof(int) * 2];
	__attribute__((unused)) int unused_var;
	int * __restrict rp = p;
	int ext = __extension__ (1 + 2);
	do ; while (0);
	if (a) if (b) n++; else n--;
	a = b ? b, a : n;
	a = b = n;
	*p++ = 1;
	**pp = pt->x;
	n = fp(1) + (*fp)(2);
	(void)fp;
	(void)x;
	n = ({ int t = ({ int u = 1; u; }); t; });
	for (a = 0, b = 1; a < b; a++, b--)
		n += a;
	switch (a) {
	case (1):
		break;
	case 2 + 3: {
		break;
	}
	}
	{
		int u8 = 3;
		n = u8 * 2 + (u8) + 1;
		u8 * n;
	}
	return n + y + z + g + e[0] + s.a + en + (int)ll + us + sg + cp->x + buf[0] + *rp + ext;
}

void params(int a[static 3], int b[const], int n, int c[*], int (*cb)(int (*)(int)), int (int));
void noreturn_fn(void) __attribute__((noreturn, cold));
static struct point points[] = { { 1, 2 }, { .x = 3 }, [2] = { 4, 5 } };
void (*handlers[])(int) = { 0, 0 };
struct with_fp { int (*op)(int, int); } ops = { .op = 0 };
int defined_later(void);
int (*get_handler(void))(int, int);
static int callbacks(void (*f)(void), int (*g)(int, ...), void *(*alloc)(size_t))
{
	f();
	(*f)();
	return g(1, 2, 3) + (alloc(4) != 0);
}
