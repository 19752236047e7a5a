/*
 * demo.c: the ring-3 program the walkthrough follows. It makes six system
 * calls, each showing one part of the entry path:
 *
 *   1. write(1, greeting, 19)   an ordinary call, SYSRET fast path
 *   2. getpid()                 the shortest call
 *   3. syscall 500              out of range: -ENOSYS
 *   4. getpid with the x32 bit  dispatched through x32_sys_call_table
 *   5. rt_sigreturn             rewrites its saved context: the SYSRET checks fail, IRET path
 *   6. int $0x80, eax = 20      the IA-32 ABI and its own table
 *
 * and repeats them forever, identically, so a learner can keep walking. In
 * self-test mode (the kernel passes 1 as the first argument) it runs them
 * once, checks every result, prints one line per call and exits with
 * exit_group(0) when all passed, exit_group(1) otherwise.
 *
 * Ring-3 code: no kernel function may be called from here (the build checks
 * that this object has no undefined symbol left), so the few helpers below
 * are written out.
 */
#include "arch.h"

#define DEMO_SIGRETURN_AX	42	/* the ax the sigreturn frame asks for */
#define DEMO_PID		1
#define DEMO_PAUSE_LOOPS	20000000UL	/* a fraction of a second under TCG */

long demo_write(unsigned int fd, const char *buf, unsigned long count);
long demo_getpid(void);
long demo_enosys(void);
long demo_x32_getpid(void);
long demo_sigreturn(long ax, int *landed);
long demo_int80_getpid(void);
long demo_raw_write(unsigned int fd, const char *buf, unsigned long count);
__attribute__((noreturn)) void demo_exit_group(int code);
__attribute__((noreturn)) void demo_main(long selftest);

static const char greeting[] = "Hello from ring 3!\n";

struct line {
	char buf[120];
	unsigned long len;
};

static void line_str(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf))
		l->buf[l->len++] = *s++;
}

static void line_long(struct line *l, long v)
{
	char digits[24];
	int n = 0;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		line_str(l, "-");
	while (n) {
		char c[2] = { digits[--n], 0 };

		line_str(l, c);
	}
}

/* Print "selftest: NAME ... ok" or "... FAIL (got X, want Y)"; return 1 on failure. */
static int report(const char *name, int ok, long got, long want)
{
	struct line l;

	l.len = 0;
	line_str(&l, "selftest: ");
	line_str(&l, name);
	if (ok) {
		line_str(&l, " ... ok\n");
	} else {
		line_str(&l, " ... FAIL (got ");
		line_long(&l, got);
		line_str(&l, ", want ");
		line_long(&l, want);
		line_str(&l, ")\n");
	}
	demo_raw_write(1, l.buf, l.len);
	return !ok;
}

/* Burn time in ring 3 so the console is not flooded; no timer exists to sleep on. */
static void demo_pause(void)
{
	for (volatile unsigned long i = 0; i < DEMO_PAUSE_LOOPS; i++)
		;
}

void demo_main(long selftest)
{
	for (;;) {
		int landed = 0;
		long r_write = demo_write(1, greeting, sizeof(greeting) - 1);
		long r_getpid = demo_getpid();
		long r_enosys = demo_enosys();
		long r_x32 = demo_x32_getpid();
		long r_sigreturn = demo_sigreturn(DEMO_SIGRETURN_AX, &landed);
		long r_int80 = demo_int80_getpid();

		if (selftest) {
			int failed = 0;

			failed += report("write", r_write == sizeof(greeting) - 1, r_write, sizeof(greeting) - 1);
			failed += report("getpid", r_getpid == DEMO_PID, r_getpid, DEMO_PID);
			failed += report("enosys", r_enosys == -ENOSYS, r_enosys, -ENOSYS);
			failed += report("x32_getpid", r_x32 == DEMO_PID, r_x32, DEMO_PID);
			/* Both: the frame's ax came back, and execution resumed at the frame's ip. */
			failed += report("rt_sigreturn ax", r_sigreturn == DEMO_SIGRETURN_AX, r_sigreturn,
					 DEMO_SIGRETURN_AX);
			failed += report("rt_sigreturn ip", landed == 1, landed, 1);
			failed += report("int80_getpid", r_int80 == DEMO_PID, r_int80, DEMO_PID);
			demo_exit_group(failed != 0);
		}
		demo_pause();
	}
}
