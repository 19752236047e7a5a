/* test_textsafe.c: the one rule for untrusted bytes: what passes, what becomes visible
 * and how, the flags, the decoder's refusals, and that no output of the rule can ever
 * hold a byte a terminal acts on, whatever the input (a brute-force sweep). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

static char out[512];

static const char *rule(const char *in, unsigned flags)
{
	textsafe_copy(out, sizeof out, in, strlen(in), flags);
	return out;
}

static void test_controls(void **state)
{
	(void)state;
	assert_string_equal(rule("a\x1b[2Jb\x07" "c\x7f" "d\x01", 0), "a\\x1b[2Jb\\x07c\\x7fd\\x01");
	assert_string_equal(rule("line\nbreak\r\nnext\rcr", 0), "line\\x0abreak\\x0d\\x0anext\\x0dcr");
	assert_string_equal(rule("line\nbreak\r\nnext\rcr", TEXTSAFE_NEWLINE), "line\nbreak\nnext\\x0dcr");
	assert_string_equal(rule("a\tb", 0), "a b");
	assert_string_equal(rule("a\tb", TEXTSAFE_TAB), "a\tb");
}

static void test_unicode(void **state)
{
	(void)state;
	/* Printable UTF-8 passes, or is '?' for a terminal without UTF-8. */
	assert_string_equal(rule("\xe2\x86\x92 \xc3\xa9", 0), "\xe2\x86\x92 \xc3\xa9");
	assert_string_equal(rule("\xe2\x86\x92 \xc3\xa9", TEXTSAFE_ASCII), "? ?");
	/* C1 controls (U+009B is CSI), bidi controls, line/paragraph separators. */
	assert_string_equal(rule("\xc2\x9b" "31m \xc2\x80 \xc2\x9f", 0), "\\u009b31m \\u0080 \\u009f");
	assert_string_equal(rule("\xe2\x80\xae \xe2\x81\xa6 \xd8\x9c \xe2\x80\x8f \xe2\x80\xa8",
				 TEXTSAFE_ASCII), "\\u202e \\u2066 \\u061c \\u200f \\u2028");
	/* U+00A0 is the first character after the C1 block: it passes. */
	assert_string_equal(rule("\xc2\xa0", 0), "\xc2\xa0");
	/* Invalid UTF-8: each byte visible on its own. */
	assert_string_equal(rule("\xc0\xaf|\xe2\x86|\xed\xa0\x80|\xff|\xf5\x80\x80\x80", 0),
			    "\\xc0\\xaf|\\xe2\\x86|\\xed\\xa0\\x80|\\xff|\\xf5\\x80\\x80\\x80");
	/* Even the 8-bit CSI byte alone (Latin-1 terminals) is only ever "\x9b". */
	assert_string_equal(rule("\x9b" "2J", 0), "\\x9b2J");
}

static void test_decode(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(textsafe_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(textsafe_decode("\xf0\x9f\x98\x80", 3, &cp), 0);     /* cut */
	assert_int_equal(textsafe_decode("\xf4\x90\x80\x80", 4, &cp), 0);     /* > U+10FFFF */
	assert_int_equal(textsafe_decode("\xe0\x80\x80", 3, &cp), 0);         /* overlong */
	assert_int_equal(textsafe_decode("", 0, &cp), 0);
}

static void test_capacity_and_streams(void **state)
{
	char small[6], *dup, *buf = NULL;
	size_t len;
	FILE *f;

	(void)state;
	/* A replacement is never cut at the end of the buffer. */
	assert_int_equal(textsafe_copy(small, sizeof small, "ab\x1b", 3, 0), 2);
	assert_string_equal(small, "ab");
	assert_int_equal(textsafe_copy(small, 0, "ab", 2, 0), 0);
	/* The worst case of textsafe_dup: every byte 4 times longer. */
	dup = textsafe_dup("\xff\xff\xff\x01", 0);
	assert_string_equal(dup, "\\xff\\xff\\xff\\x01");
	free(dup);
	dup = textsafe_dup(NULL, 0);
	assert_string_equal(dup, "");
	free(dup);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	textsafe_fputs(f, "x\x1b]0;t\a\n", TEXTSAFE_LINES);
	textsafe_fputs(f, NULL, 0);
	textsafe_printf(f, "syswalk: %s: %d\n", "stub said \xc2\x9b" "2J", 7);
	fclose(f);
	assert_string_equal(buf, "x\\x1b]0;t\\x07\nsyswalk: stub said \\u009b2J: 7\n");
	free(buf);
}

static void test_long_message(void **state)
{
	char *big = malloc(5000), *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	memset(big, 'a', 4999);
	big[4998] = '\x1b';
	big[4999] = '\0';
	textsafe_printf(f, "<%s>", big);
	fclose(f);
	assert_int_equal(len, 4998 + 4 + 2);
	assert_string_equal(buf + len - 5, "\\x1b>");
	free(big);
	free(buf);
}

/* Whatever comes in, what goes out holds no C0/DEL byte, no C1 or bidi code point and
 * only valid UTF-8: every one- and two-byte input, and three-byte ones around the
 * sensitive ranges. */
static void assert_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; ) {
		uint32_t cp;
		size_t len = textsafe_decode(s + i, n - i, &cp);

		assert_true(len > 0);
		assert_true(cp >= 0x20 && cp != 0x7f);
		assert_false(cp >= 0x80 && cp <= 0x9f);
		assert_false(cp >= 0x2028 && cp <= 0x202e);
		assert_false(cp >= 0x2066 && cp <= 0x2069);
		i += len;
	}
}

static void test_sweep(void **state)
{
	char in[4];
	char res[64];

	(void)state;
	for (unsigned a = 1; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			size_t n = textsafe_copy(res, sizeof res, in, b ? 2 : 1, 0);
			assert_safe(res, n);
			n = textsafe_copy(res, sizeof res, in, b ? 2 : 1, TEXTSAFE_ASCII);
			assert_safe(res, n);
			for (unsigned i = 0; i < n; i++)
				assert_true((unsigned char)res[i] < 0x80);
		}
	}
	for (unsigned b = 0x80; b < 0xc0; b++) {
		for (unsigned c = 0x80; c < 0xc0; c++) {
			in[0] = (char)0xe2;
			in[1] = (char)b;
			in[2] = (char)c;
			assert_safe(res, textsafe_copy(res, sizeof res, in, 3, 0));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_capacity_and_streams),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
