/* test_errcode.c: syswalk's error codes and errno live in spaces that cannot meet, and
 * one errcode_strerror names both (issue 14: RSP_ERR_IO was -ECHILD, RSP_ERR_TIMEOUT
 * -ENOMEM, and the UI printed "Cannot allocate memory" for a stub that timed out). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "errcode.h"
#include "rsp.h"
#include "target.h"

static const int ours[] = {
#define ERRCODE_VALUE(name, n, text) name,
	ERRCODE_LIST(ERRCODE_VALUE)
#undef ERRCODE_VALUE
};
#define NOURS (sizeof(ours) / sizeof(ours[0]))

static void test_no_collision_with_errno(void **state)
{
	(void)state;
	for (size_t i = 0; i < NOURS; i++) {
		/* Under every errno Linux can return (MAX_ERRNO is 4095). */
		assert_true(ours[i] < -4095);
		assert_true(errcode_is_ours(ours[i]));
		for (size_t j = i + 1; j < NOURS; j++)
			assert_int_not_equal(ours[i], ours[j]);
	}
	/* The collisions the issue found. */
	assert_int_not_equal(RSP_ERR_IO, -ECHILD);
	assert_int_not_equal(RSP_ERR_TIMEOUT, -ENOMEM);
	assert_int_not_equal(RSP_ERR_NOMEM, -ENXIO);
	for (int e = 1; e < 4096; e++)
		assert_false(errcode_is_ours(-e));
}

static void test_one_strerror(void **state)
{
	(void)state;
	assert_string_equal(errcode_strerror(-ENOENT), strerror(ENOENT));
	assert_string_equal(errcode_strerror(-ENOMEM), strerror(ENOMEM));
	assert_string_equal(errcode_strerror(RSP_ERR_TIMEOUT), "the gdbstub did not answer in time");
	assert_string_equal(errcode_strerror(TARGET_ERR_INTERRUPTED), "interrupted");
	assert_string_equal(errcode_strerror(0), "success");
	assert_string_equal(errcode_strerror(-(ERRCODE_BASE + 999)), "unknown syswalk error");
	/* Every code of ours has its own words. */
	for (size_t i = 0; i < NOURS; i++)
		for (size_t j = i + 1; j < NOURS; j++)
			assert_string_not_equal(errcode_strerror(ours[i]), errcode_strerror(ours[j]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_collision_with_errno),
		cmocka_unit_test(test_one_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
