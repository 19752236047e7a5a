/* test_target_parse: the register map from QEMU 7.2's real target description,
 * stop replies, and 'g' packets decoded against the map.
 *
 * Fixtures: tests/unit/fixtures/target.xml and i386-64bit.xml, read from a live
 * qemu-system-x86_64 7.2 with qXfer:features:read (QEMU builds them in; they are
 * not files under /usr/share/qemu).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rsp_codec.h"
#include "target_parse.h"
#include "target_xml.h"

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/%s", SYSWALK_SRCDIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static int fixture_include(void *arg, const char *href, struct target_regmap *map)
{
	size_t len;
	char *doc = slurp(href, &len);
	int *calls = arg;

	(*calls)++;
	if (!doc)
		return TARGET_XML_ERR_INCLUDE;
	int rc = target_xml_parse(doc, len, map, NULL, NULL, NULL, 0);
	free(doc);
	return rc;
}

static void load_qemu_map(struct target_regmap *map)
{
	size_t len;
	char *doc = slurp("target.xml", &len);
	char err[200] = "";
	int calls = 0;

	assert_non_null(doc);
	target_regmap_init(map);
	assert_int_equal(target_xml_parse(doc, len, map, fixture_include, &calls, err, sizeof(err)), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(target_regmap_finish(map, err, sizeof(err)), 0);
	free(doc);
}

static void test_qemu_72_map(void **state)
{
	(void)state;
	struct target_regmap m;

	load_qemu_map(&m);
	assert_string_equal(m.arch, "i386:x86-64");
	assert_int_equal(m.count, 66);
	assert_int_equal(m.g_size, 608);   /* what QEMU 7.2 sends: 1216 hex digits */
	/* The commented-out cs_base/ss_base/ds_base/es_base must not appear. */
	assert_int_equal(target_regmap_find(&m, "ss_base"), -1);
	assert_int_equal(target_regmap_find(&m, "es_base"), -1);

	struct { const char *name; int regnum, bits; size_t offset; } want[] = {
		{ "rax", 0, 64, 0 },      { "rsp", 7, 64, 56 },      { "r15", 15, 64, 120 },
		{ "rip", 16, 64, 128 },   { "eflags", 17, 32, 136 }, { "cs", 18, 32, 140 },
		{ "gs", 23, 32, 160 },    { "fs_base", 24, 64, 164 }, { "k_gs_base", 26, 64, 180 },
		{ "cr0", 27, 64, 188 },   { "cr3", 29, 64, 204 },     { "cr8", 31, 64, 220 },
		{ "efer", 32, 64, 228 },  { "st0", 33, 80, 236 },     { "fop", 48, 32, 344 },
		{ "xmm0", 49, 128, 348 }, { "mxcsr", 65, 32, 604 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int idx = target_regmap_find(&m, want[i].name);
		if (idx < 0)
			fail_msg("register %s missing", want[i].name);
		assert_int_equal(m.regs[idx].regnum, want[i].regnum);
		assert_int_equal(m.regs[idx].bits, want[i].bits);
		assert_int_equal(m.regs[idx].offset, want[i].offset);
		assert_int_equal(target_regmap_by_regnum(&m, want[i].regnum), idx);
	}
	assert_string_equal(m.regs[target_regmap_find(&m, "fctrl")].group, "float");
	assert_string_equal(m.regs[target_regmap_find(&m, "rip")].type, "code_ptr");
}

static int xml_error(const char *xml, char *err, size_t errlen)
{
	struct target_regmap m;

	target_regmap_init(&m);
	err[0] = '\0';
	int rc = target_xml_parse(xml, strlen(xml), &m, NULL, NULL, err, errlen);
	if (rc == 0)
		rc = target_regmap_finish(&m, err, errlen);
	return rc;
}

static void test_xml_errors(void **state)
{
	(void)state;
	char err[200];

	assert_int_equal(xml_error("<reg name=\"a\"/>", err, sizeof(err)), TARGET_XML_ERR_REG);
	assert_non_null(strstr(err, "bitsize '(missing)'"));
	assert_int_equal(xml_error("<reg name=\"a\" bitsize=\"12\"/>", err, sizeof(err)), TARGET_XML_ERR_REG);
	assert_non_null(strstr(err, "multiple of 8"));
	assert_int_equal(xml_error("<reg bitsize=\"8\"/>", err, sizeof(err)), TARGET_XML_ERR_REG);
	assert_non_null(strstr(err, "without a name"));
	assert_int_equal(xml_error("<x/><!-- never closed <reg", err, sizeof(err)), TARGET_XML_ERR_SYNTAX);
	assert_non_null(strstr(err, "offset 4"));
	assert_int_equal(xml_error("<reg name=a bitsize=\"8\"/>", err, sizeof(err)), TARGET_XML_ERR_SYNTAX);
	assert_non_null(strstr(err, "not quoted"));
	assert_int_equal(xml_error("<reg name=\"a\" bitsize=\"8\"", err, sizeof(err)), TARGET_XML_ERR_SYNTAX);
	assert_int_equal(xml_error("<reg name=\"a\" bitsize=\"8\" regnum=\"3\"/><reg name=\"b\" bitsize=\"8\" regnum=\"3\"/>",
				   err, sizeof(err)), TARGET_XML_ERR_REG);
	assert_non_null(strstr(err, "share regnum 3"));
	assert_int_equal(xml_error("<target></target>", err, sizeof(err)), TARGET_XML_ERR_REG);
	assert_non_null(strstr(err, "no registers"));
	assert_int_equal(xml_error("<reg name=\"abcdefghijklmnopqrstuvwxyz\" bitsize=\"8\"/>", err, sizeof(err)),
			 TARGET_XML_ERR_REG);
}

static void test_xml_too_many(void **state)
{
	(void)state;
	char *xml = malloc(64 * (TARGET_MAX_REGS + 2));
	char err[200];
	size_t n = 0;

	for (int i = 0; i <= TARGET_MAX_REGS; i++)
		n += (size_t)sprintf(xml + n, "<reg name=\"r%d\" bitsize=\"64\"/>", i);
	assert_int_equal(xml_error(xml, err, sizeof(err)), TARGET_XML_ERR_FULL);
	free(xml);
}

static void test_stop_replies(void **state)
{
	(void)state;
	struct target_stop s;
	char err[200];

	assert_int_equal(target_stop_parse("T05thread:01;", 13, &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, TARGET_STOP_SIGNAL);
	assert_int_equal(s.signal, 5);
	assert_true(s.has_thread);
	assert_int_equal(s.tid, 1);
	assert_int_equal(s.pid, -1);

	const char *t = "T05thread:p1.2;hwbreak:;10:efbeadde00000000;watch:1000;";
	assert_int_equal(target_stop_parse(t, strlen(t), &s, err, sizeof(err)), 0);
	assert_int_equal(s.pid, 1);
	assert_int_equal(s.tid, 2);
	assert_true(s.hwbreak);
	assert_false(s.swbreak);
	assert_true(s.watch);
	assert_int_equal(s.watch_addr, 0x1000);
	assert_int_equal(s.nregs, 1);

	assert_int_equal(target_stop_parse("S02", 3, &s, err, sizeof(err)), 0);
	assert_int_equal(s.signal, 2);
	assert_int_equal(target_stop_parse("W01", 3, &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, TARGET_STOP_EXITED);
	assert_int_equal(s.exit_status, 1);
	assert_int_equal(target_stop_parse("X09;process:2a", 14, &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, TARGET_STOP_KILLED);
	assert_int_equal(s.signal, 9);
	assert_int_equal(s.pid, 42);

	assert_int_equal(target_stop_parse("E01", 3, &s, err, sizeof(err)), TARGET_PARSE_ERR);
	assert_non_null(strstr(err, "error 'E01'"));
	assert_int_equal(target_stop_parse("T5", 2, &s, err, sizeof(err)), TARGET_PARSE_ERR);
	assert_int_equal(target_stop_parse("T05thread", 9, &s, err, sizeof(err)), TARGET_PARSE_ERR);
	assert_non_null(strstr(err, "no ':'"));
	assert_int_equal(target_stop_parse("T05thread:zz;", 13, &s, err, sizeof(err)), TARGET_PARSE_ERR);
	assert_int_equal(target_stop_parse("OK", 2, &s, err, sizeof(err)), TARGET_PARSE_ERR);
	assert_int_equal(target_stop_parse("", 0, &s, err, sizeof(err)), TARGET_PARSE_ERR);
	assert_int_equal(target_stop_parse("W00;junk", 8, &s, err, sizeof(err)), TARGET_PARSE_ERR);
}

static void test_g_decode(void **state)
{
	(void)state;
	struct target_regmap m;
	struct target_regs r;
	uint8_t raw[608];
	char hex[2 * 608 + 1], err[200];

	load_qemu_map(&m);
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 7);
	rsp_hex_encode(raw, sizeof(raw), hex);
	assert_int_equal(target_regs_decode(&m, hex, strlen(hex), &r, err, sizeof(err)), 0);
	int rip = target_regmap_find(&m, "rip"), efl = target_regmap_find(&m, "eflags");
	int st0 = target_regmap_find(&m, "st0"), mx = target_regmap_find(&m, "mxcsr");
	uint64_t want = 0;
	for (int i = 7; i >= 0; i--)
		want = want << 8 | (uint8_t)((128 + i) * 7);
	assert_int_equal(r.value[rip], want);           /* little-endian at offset 128 */
	assert_true(r.valid[rip]);
	assert_int_equal(r.value[efl], (uint64_t)((uint8_t)(136 * 7) | (uint8_t)(137 * 7) << 8 |
						  (uint8_t)(138 * 7) << 16 | (uint32_t)(uint8_t)(139 * 7) << 24));
	assert_true(r.valid[st0]);
	assert_true(r.valid[mx]);

	/* QEMU marks unavailable bytes "xx": that register is invalid, not zero. */
	memcpy(hex + 2 * 128, "xx", 2);
	assert_int_equal(target_regs_decode(&m, hex, strlen(hex), &r, err, sizeof(err)), 0);
	assert_false(r.valid[rip]);
	assert_true(r.valid[efl]);

	/* A short packet leaves trailing registers invalid; a long one is an error. */
	assert_int_equal(target_regs_decode(&m, hex, 2 * 352, &r, err, sizeof(err)), 0);
	assert_true(r.valid[target_regmap_find(&m, "fop")]);
	assert_false(r.valid[mx]);
	char *longer = malloc(2 * 610 + 1);
	memset(longer, '0', 2 * 610);
	longer[2 * 610] = '\0';
	assert_int_equal(target_regs_decode(&m, longer, 2 * 610, &r, err, sizeof(err)), TARGET_PARSE_ERR);
	assert_non_null(strstr(err, "610 bytes"));
	free(longer);
	assert_int_equal(target_regs_decode(&m, "E14", 3, &r, err, sizeof(err)), TARGET_PARSE_ERR);
	assert_non_null(strstr(err, "E14"));
	assert_int_equal(target_regs_decode(&m, "0g", 2, &r, err, sizeof(err)), TARGET_PARSE_ERR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_72_map),
		cmocka_unit_test(test_xml_errors),
		cmocka_unit_test(test_xml_too_many),
		cmocka_unit_test(test_stop_replies),
		cmocka_unit_test(test_g_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
