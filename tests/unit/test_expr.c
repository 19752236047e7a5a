/* test_expr.c: the claim/quiz expression evaluator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "expr.h"

static struct snapshot snap;

static int symbol(void *ctx, const char *name, size_t len, uint64_t *v)
{
	(void)ctx;
	if (len == 16 && memcmp(name, "entry_SYSCALL_64", 16) == 0) {
		*v = 0xffffffff81000000ULL;
		return 0;
	}
	return -1;
}

static int variable(void *ctx, const char *name, size_t len, uint64_t *v)
{
	(void)ctx;
	if (len == 2 && memcmp(name, "nr", 2) == 0) {
		*v = 39;
		return 0;
	}
	return -1;
}

static const struct expr_env env = { .snap = &snap, .symbol = symbol, .variable = variable };

static int setup(void **state)
{
	(void)state;
	memset(&snap, 0, sizeof(snap));
	snap.nregs = 3;
	strcpy(snap.regs[0].name, "rax");
	snap.regs[0].value = (uint64_t)-38;
	strcpy(snap.regs[1].name, "rcx");
	snap.regs[1].value = 0x401002;
	strcpy(snap.regs[2].name, "r11");
	snap.regs[2].value = 0x202;
	snap.frame.valid = true;
	snap.frame.nslots = 1;
	strcpy(snap.frame.slots[0].name, "ip");
	snap.frame.slots[0].value = 0x401002;
	snap.frame.slots[0].filled = true;
	snap.msrs[SNAP_MSR_LSTAR] = (struct snap_msr){ 0xffffffff81000000ULL, SNAP_MSR_LIVE };
	return 0;
}

static uint64_t eval(const char *text)
{
	uint64_t v = 0xdead;
	char err[128];
	if (expr_eval(text, &env, &v, err, sizeof(err)) < 0)
		fail_msg("'%s': %s", text, err);
	return v;
}

static void test_values_and_operators(void **state)
{
	(void)state;
	assert_int_equal(eval("rax == -38"), 1);
	assert_int_equal(eval("rcx == pt_regs.ip"), 1);
	assert_int_equal(eval("msr.lstar == &entry_SYSCALL_64"), 1);
	assert_int_equal(eval("msr.lstar != 0"), 1);
	assert_int_equal(eval("(r11 & 0x200) != 0 && $nr == 39"), 1);
	assert_int_equal(eval("1 << 4 | 1"), 17);
	assert_int_equal(eval("~0 >> 60"), 15);
	assert_int_equal(eval("rcx - 2 >= 0x401000"), 1);
	assert_int_equal(eval("!(rax == 0) || 0"), 1);
}

static void expect_error(const char *text, const char *needle)
{
	uint64_t v;
	char err[128];
	assert_int_equal(expr_eval(text, &env, &v, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", text, err, needle);
}

static void test_errors_say_where(void **state)
{
	(void)state;
	expect_error("rxc == 1", "column 1: no register 'rxc'");
	expect_error("rax ==", "expression ends too early");
	expect_error("(rax", "')' expected");
	expect_error("rax 3", "column 5: unexpected '3'");
	expect_error("&nosuch", "symbol 'nosuch'");
	expect_error("$nope", "variable 'nope'");
	expect_error("msr.bogus", "no MSR");
	expect_error("msr.star", "not been read");
	expect_error("pt_regs.orig_ax", "no pt_regs field");
	expect_error("1 << 64", "shift");
	expect_error("12abc", "bad number");
	char deep[400];
	memset(deep, '(', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	expect_error(deep, "nested too deeply");
}

static void test_syntax_only(void **state)
{
	(void)state;
	char err[128];
	assert_int_equal(expr_check_syntax("rcx == $user_return && msr.lstar == &entry_SYSCALL_64", err, sizeof(err)), 0);
	assert_int_equal(expr_check_syntax("rcx ==", err, sizeof(err)), -1);
	assert_int_equal(expr_check_syntax("msr.lsta", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_values_and_operators, setup),
		cmocka_unit_test_setup(test_errors_say_where, setup),
		cmocka_unit_test_setup(test_syntax_only, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
