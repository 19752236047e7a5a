/* test_options.c: the command line parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "options.h"

static int parse(struct options *o, char *err, const char *a1, const char *a2, const char *a3)
{
	char *argv[5] = { "syswalk", (char *)a1, (char *)a2, (char *)a3, NULL };
	int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);
	return options_parse(o, argc, argv, err, 256);
}

static void test_defaults(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, NULL, NULL, NULL), 0);
	assert_int_equal(o.mode, MODE_INTERACTIVE);
	assert_ptr_equal(o.target, kernels_default());
	assert_string_equal(o.accel, "tcg");
	assert_int_equal(o.timeout_ms, 10000);
}

static void test_export_with_syscall(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, "--export=x.html", "--syscall", "getpid"), 0);
	assert_int_equal(o.mode, MODE_EXPORT);
	assert_string_equal(o.export_path, "x.html");
	assert_string_equal(o.syscall, "getpid");
}

static void test_errors_name_the_argument(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, "--bogus", NULL, NULL), -1);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(parse(&o, err, "--target", "bsd", NULL), -1);
	assert_non_null(strstr(err, "bsd"));
	assert_int_equal(parse(&o, err, "--export", NULL, NULL), -1);
	assert_non_null(strstr(err, "--export"));
	assert_int_equal(parse(&o, err, "--batch", "--trace", NULL), -1);
	assert_non_null(strstr(err, "--trace"));
	assert_int_equal(parse(&o, err, "--timeout", "-3", NULL), -1);
	assert_int_equal(parse(&o, err, "stray", NULL, NULL), -1);
	assert_non_null(strstr(err, "stray"));
	/* A bad --attach is the command line's error (status 2), not the connection's. */
	assert_int_equal(parse(&o, err, "--attach", "10.1.2.3:1234", NULL), -1);
	assert_non_null(strstr(err, "--attach: refusing gdbstub host '10.1.2.3'"));
	assert_int_equal(parse(&o, err, "--attach", "127.0.0.1:0", NULL), -1);
	assert_non_null(strstr(err, "--attach: bad port '0'"));
	assert_int_equal(parse(&o, err, "--attach", "unix:", NULL), -1);
	assert_int_equal(parse(&o, err, "--attach", "nohostport", NULL), -1);
	assert_int_equal(parse(&o, err, "--attach", "localhost:1234", NULL), 0);
	assert_int_equal(parse(&o, err, "--attach", "unix:/tmp/x.sock", NULL), 0);
}

static void test_every_option_in_usage(void **state)
{
	(void)state;
	const char *names[] = { "--batch", "--export", "--replay", "--trace", "--check-annotations",
		"--list", "--help", "--version", "--target", "--syscall", "--quiz", "--intel", "--kernel",
		"--symbols", "--annotations", "--data-dir", "--attach", "--qemu", "--accel", "--pti",
		"--timeout" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(strstr(options_usage(), names[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_export_with_syscall),
		cmocka_unit_test(test_errors_name_the_argument),
		cmocka_unit_test(test_every_option_in_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
