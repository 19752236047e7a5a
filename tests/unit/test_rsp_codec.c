/* test_rsp_codec: the packet codec, fed whole, in merged chunks and one byte at a time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rsp_codec.h"

/* Decode INPUT in pieces of STEP bytes and describe every item on one line:
 * "P<payload>" packet, "%<payload>" notification, "+", "-", "^C", "E<code>". */
static void decode_all(const char *input, size_t len, size_t step, size_t cap, char *out, size_t outsz)
{
	struct rsp_decoder d;
	size_t pos = 0;

	assert_int_equal(rsp_decoder_init(&d, cap), 0);
	out[0] = '\0';
	while (pos < len) {
		size_t n = len - pos < step ? len - pos : step;
		size_t used;
		int rc = rsp_decode(&d, input + pos, n, &used);
		assert_true(used <= n);
		char item[300];
		item[0] = '\0';
		if (rc == RSP_COMPLETE) {
			switch (d.kind) {
			case RSP_KIND_PACKET: snprintf(item, sizeof(item), "[P%s]", d.payload); break;
			case RSP_KIND_NOTIFY: snprintf(item, sizeof(item), "[%%%s]", d.payload); break;
			case RSP_KIND_ACK: snprintf(item, sizeof(item), "[+]"); break;
			case RSP_KIND_NAK: snprintf(item, sizeof(item), "[-]"); break;
			case RSP_KIND_INTERRUPT: snprintf(item, sizeof(item), "[^C]"); break;
			default: fail_msg("unknown kind");
			}
		} else if (rc < 0) {
			assert_true(d.error[0] != '\0');
			/* errcode.h: -4098 checksum, -4099 syntax, -4100 run-length, -4101 too big */
			snprintf(item, sizeof(item), "[E%d]", rc);
		} else {
			assert_int_equal(used, n);   /* need-more consumes everything */
		}
		strncat(out, item, outsz - strlen(out) - 1);
		pos += used;
	}
	rsp_decoder_free(&d);
}

static void check_all_steps(const char *input, size_t cap, const char *want)
{
	char got[2048];

	for (size_t step = 1; step <= strlen(input) + 1; step++) {
		decode_all(input, strlen(input), step, cap, got, sizeof(got));
		if (strcmp(got, want) != 0)
			fail_msg("step %zu: want %s got %s", step, want, got);
	}
}

static void test_simple_packet(void **state)
{
	(void)state;
	check_all_steps("$OK#9a", 64, "[POK]");
	check_all_steps("$#00", 64, "[P]");
}

static void test_merged_with_acks(void **state)
{
	(void)state;
	/* Several packets in one buffer, acks and an interrupt byte between them. */
	check_all_steps("+$OK#9a+-$S05#b8\x03%Stop:T05#xx", 64, "[+][POK][+][-][PS05][^C][E-4099]");
}

static void test_escape(void **state)
{
	(void)state;
	/* "}]" is '}' ^ 0x20 = '}' ... payload "a}b" encodes as a}]b. */
	char buf[64];
	long n = rsp_encode("a}b#$*", 6, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "$a}]b}\x03}\x04}\x0a#25");
	check_all_steps(buf, 64, "[Pa}b#$*]");
}

static void test_encode_roundtrip_binary(void **state)
{
	(void)state;
	uint8_t in[256];
	char enc[600];
	struct rsp_decoder d;
	size_t used;

	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	long n = rsp_encode(in, sizeof(in), enc, sizeof(enc));
	assert_true(n > 0);
	assert_int_equal(rsp_decoder_init(&d, 256), 0);
	assert_int_equal(rsp_decode(&d, enc, (size_t)n, &used), RSP_COMPLETE);
	assert_int_equal(used, (size_t)n);
	assert_int_equal(d.len, 256);
	assert_memory_equal(d.payload, in, 256);
	rsp_decoder_free(&d);
	assert_int_equal(rsp_encode(in, sizeof(in), enc, 100), -1);
}

static void test_run_length(void **state)
{
	(void)state;
	/* "0* " = '0' plus 3 more; "x*!" = 'x' plus 4 more. */
	check_all_steps("$0* #7a", 64, "[P0000]");
	char got[256];
	decode_all("$x*!#c3", 7, 7, 64, got, sizeof(got));
	assert_string_equal(got, "[Pxxxxx]");
}

static void test_run_length_errors(void **state)
{
	(void)state;
	char got[256];

	/* '*' first: nothing to repeat. */
	decode_all("$*!#4b", 6, 6, 64, got, sizeof(got));
	assert_string_equal(got, "[E-4100]");
	/* '#' (6 repeats) and '$' (7) may not be counts; nor may control bytes. */
	decode_all("$0*##00", 7, 7, 64, got, sizeof(got));
	assert_string_equal(got, "[E-4100]");
	decode_all("$0*\x10#00", 7, 7, 64, got, sizeof(got));
	assert_string_equal(got, "[E-4100]");
	/* After the error the decoder resyncs at the next '$'. */
	check_all_steps("$*!#4b$OK#9a", 64, "[E-4100][POK]");
}

static void test_checksum(void **state)
{
	(void)state;
	struct rsp_decoder d;
	size_t used;

	assert_int_equal(rsp_decoder_init(&d, 64), 0);
	assert_int_equal(rsp_decode(&d, "$OK#9b", 6, &used), RSP_ERR_CHECKSUM);
	assert_non_null(strstr(d.error, "checksum mismatch"));
	assert_non_null(strstr(d.error, "9b"));
	assert_int_equal(rsp_decode(&d, "$OK#G0", 6, &used), RSP_ERR_SYNTAX);
	assert_non_null(strstr(d.error, "'G'"));
	assert_non_null(strstr(d.error, "offset 10"));   /* 6 bytes before + "$OK#" */
	assert_int_equal(rsp_decode(&d, "$OK#0G", 6, &used), RSP_ERR_SYNTAX);
	assert_non_null(strstr(d.error, "'G'"));
	assert_int_equal(rsp_decode(&d, "$OK#9A", 6, &used), RSP_COMPLETE);   /* upper case is fine */
	rsp_decoder_free(&d);
}

static void test_oversize(void **state)
{
	(void)state;
	char got[256];

	/* Cap 4: five bytes is too many, literally or through run-length. */
	decode_all("$12345#ff", 9, 1, 4, got, sizeof(got));
	assert_string_equal(got, "[E-4101]");
	decode_all("$12* #00$1234#ca", 16, 1, 4, got, sizeof(got));
	assert_string_equal(got, "[E-4101][P1234]");
}

static void test_dollar_inside_packet(void **state)
{
	(void)state;
	/* A packet cut short by a new '$': error, then the new packet is read whole. */
	check_all_steps("$O$OK#9a", 64, "[E-4099][POK]");
	check_all_steps("$OK#9$OK#9a", 64, "[E-4099][POK]");
}

static void test_garbage_between(void **state)
{
	(void)state;
	struct rsp_decoder d;
	size_t used;

	assert_int_equal(rsp_decoder_init(&d, 64), 0);
	assert_int_equal(rsp_decode(&d, "xyz", 3, &used), RSP_NEED_MORE);
	assert_int_equal(used, 3);
	assert_int_equal(d.skipped, 3);
	rsp_decoder_free(&d);
}

static void test_hex_helpers(void **state)
{
	(void)state;
	uint8_t b[4];
	char s[9];

	assert_int_equal(rsp_hex_decode("0aFf", 4, b, sizeof(b)), 2);
	assert_int_equal(b[0], 0x0a);
	assert_int_equal(b[1], 0xff);
	assert_int_equal(rsp_hex_decode("0g", 2, b, sizeof(b)), -1);
	assert_int_equal(rsp_hex_decode("012", 3, b, sizeof(b)), -1);
	assert_int_equal(rsp_hex_decode("0011223344", 10, b, sizeof(b)), -1);
	rsp_hex_encode((const uint8_t *)"\x01\xab", 2, s);
	assert_string_equal(s, "01ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_packet),
		cmocka_unit_test(test_merged_with_acks),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_encode_roundtrip_binary),
		cmocka_unit_test(test_run_length),
		cmocka_unit_test(test_run_length_errors),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_dollar_inside_packet),
		cmocka_unit_test(test_garbage_between),
		cmocka_unit_test(test_hex_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
