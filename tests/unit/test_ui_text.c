/* test_ui_text.c: the UI's text safety and decoders: sanitising hostile bytes, display
 * widths, wrapping, and the RFLAGS/FMASK/EFER bit names shown in the panes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <locale.h>
#include <cmocka.h>
#include "ui_text.h"
#include "ui_draw.h"

static void sanitize_escapes_and_controls(void **state)
{
	char out[128];
	(void)state;

	ui_text_sanitize(out, sizeof out, "a\x1b[2Jb\x07" "c\x7f", 9, false);
	assert_string_equal(out, "a\\x1b[2Jb\\x07c\\x7f");
	ui_text_sanitize(out, sizeof out, "tab\there", 8, false);
	assert_string_equal(out, "tab here");
	ui_text_sanitize(out, sizeof out, "line\nbreak", 10, false);
	assert_string_equal(out, "line\\x0abreak");
}

static void sanitize_utf8(void **state)
{
	char out[64];
	(void)state;

	/* valid UTF-8 kept in UTF-8 mode, replaced in ASCII mode */
	ui_text_sanitize(out, sizeof out, "\xe2\x86\x92x", 4, true);
	assert_string_equal(out, "\xe2\x86\x92x");
	ui_text_sanitize(out, sizeof out, "\xe2\x86\x92x", 4, false);
	assert_string_equal(out, "?x");        /* one per character */
	/* C1 control CSI (U+009B) is an escape on some terminals: never let it through */
	ui_text_sanitize(out, sizeof out, "\xc2\x9b" "31m", 5, true);
	assert_string_equal(out, "\\u009b31m");
	ui_text_sanitize(out, sizeof out, "\xc2\x9b" "31m", 5, false);
	assert_string_equal(out, "\\u009b31m");
	/* overlong, truncated and surrogate sequences */
	ui_text_sanitize(out, sizeof out, "\xc0\xaf", 2, true);
	assert_string_equal(out, "\\xc0\\xaf");
	ui_text_sanitize(out, sizeof out, "\xe2\x86", 2, true);
	assert_string_equal(out, "\\xe2\\x86");
	ui_text_sanitize(out, sizeof out, "\xed\xa0\x80", 3, true);
	assert_string_equal(out, "\\xed\\xa0\\x80");
}

static void sanitize_respects_capacity(void **state)
{
	char out[6];
	(void)state;

	/* "\x1b" needs 4 bytes: it is not split at the end of the buffer */
	assert_int_equal(ui_text_sanitize(out, sizeof out, "ab\x1b", 3, false), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(ui_text_sanitize(out, sizeof out, "abcdefgh", 8, false), 5);
	assert_string_equal(out, "abcde");
}

static void width_and_fit(void **state)
{
	const char *s = "\xe2\x86\x92" "ab";    /* "→ab": 5 bytes, 3 columns */
	(void)state;

	assert_int_equal(ui_text_width(s, strlen(s), true), 3);
	assert_int_equal(ui_text_fit(s, strlen(s), 1, true), 3);
	assert_int_equal(ui_text_fit(s, strlen(s), 2, true), 4);
	assert_int_equal(ui_text_fit("abc", 3, 10, false), 3);
	assert_int_equal(ui_text_fit("abc", 3, 0, false), 0);
}

struct lines {
	int n;
	char text[16][64];
};

static void collect(void *arg, const char *line, size_t len)
{
	struct lines *l = arg;

	if (l->n < 16)
		snprintf(l->text[l->n], sizeof l->text[0], "%.*s", (int)len, line);
	l->n++;
}

static void wrap_words_and_long_words(void **state)
{
	struct lines l = { 0 };
	(void)state;

	assert_int_equal(ui_text_wrap("the quick brown fox\r\njumps", 10, false, collect, &l), 3);
	assert_string_equal(l.text[0], "the quick");
	assert_string_equal(l.text[1], "brown fox");
	assert_string_equal(l.text[2], "jumps");

	memset(&l, 0, sizeof l);
	assert_int_equal(ui_text_wrap("abcdefghij", 4, false, collect, &l), 3);
	assert_string_equal(l.text[0], "abcd");
	assert_string_equal(l.text[2], "ij");

	memset(&l, 0, sizeof l);
	ui_text_wrap("x\x1b[31my", 80, false, collect, &l);
	assert_string_equal(l.text[0], "x\\x1b[31my");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sanitize_escapes_and_controls),
		cmocka_unit_test(sanitize_utf8),
		cmocka_unit_test(sanitize_respects_capacity),
		cmocka_unit_test(width_and_fit),
		cmocka_unit_test(wrap_words_and_long_words),
	};

	setlocale(LC_ALL, "C.UTF-8");     /* wcwidth needs a UTF-8 locale */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
