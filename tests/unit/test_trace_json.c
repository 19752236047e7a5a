/* test_trace_json.c: JSON traces written and read back, the loader's refusals
 * (each with the path of the offending value), and replay over a loaded trace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <unistd.h>

#include "../lib/fake_trace.h"
#include "replay.h"
#include "trace_json.h"

/* The fake trace as JSON text (malloc'd). */
static char *fake_json(size_t *len)
{
	struct trace t;
	char err[256] = "", *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(fake_trace(&t), 0);
	assert_int_equal(trace_json_write(f, &t, err, sizeof(err)), 0);
	fclose(f);
	trace_free(&t);
	return buf;
}

static void test_round_trip(void **state)
{
	struct trace want, got;
	char err[256] = "";
	size_t len;
	char *json = fake_json(&len);

	(void)state;
	assert_int_equal(trace_json_load_buffer(json, len, &got, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(fake_trace(&want), 0);
	assert_int_equal(got.n, want.n);
	for (size_t i = 0; i < want.n; i++)
		assert_true(snapshot_equal(&want.snaps[i], &got.snaps[i]));
	assert_string_equal(got.target, "teach");
	assert_string_equal(got.syscalls, "getpid");
	assert_string_equal(got.date, want.date);
	/* An export carries no machine path: the image by its file name. */
	assert_string_equal(got.kernel_path, "syswalk-kernel.elf");
	assert_string_equal(got.command_line, want.command_line);
	assert_int_equal(got.nreg_names, want.nreg_names);
	assert_string_equal(got.reg_names[27], "cr3");
	/* The hostile note survived byte for byte, control bytes included. */
	assert_string_equal(got.snaps[4].note_markdown, FAKE_HOSTILE_NOTE);
	/* 64-bit values are strings: no double ever held them. */
	assert_non_null(strstr(json, "\"0xffffffff81000000\""));
	assert_non_null(strstr(json, "\\u001B[31m"));
	/* ASCII only: the C1 control and the bidi override are escapes in the file. */
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)json[i] < 0x80);
	assert_non_null(strstr(json, "csi \\u009B2J"));
	trace_free(&want);
	trace_free(&got);
	free(json);
}

/* Load the fake trace after EDIT changed its JSON tree; return the error message. */
static const char *load_edited(void (*edit)(json_t *root), char *err, size_t errlen)
{
	size_t len;
	char *json = fake_json(&len), *text;
	json_t *root = json_loadb(json, len, 0, NULL);
	struct trace t;
	int rc;

	assert_non_null(root);
	edit(root);
	text = json_dumps(root, 0);
	assert_non_null(text);
	err[0] = '\0';
	rc = trace_json_load_buffer(text, strlen(text), &t, err, errlen);
	if (rc == 0)
		trace_free(&t);
	assert_int_equal(t.n, 0);          /* left empty either way */
	json_decref(root);
	free(text);
	free(json);
	return rc == 0 ? "(loaded)" : err;
}

static json_t *snap(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "snapshots"), i);
}

static void edit_nothing(json_t *r) { (void)r; }
static void edit_reg_type(json_t *r)
{
	json_object_set_new(json_array_get(json_object_get(snap(r, 3), "regs"), 2), "value", json_integer(42));
}
static void edit_reg_hex(json_t *r)
{
	json_object_set_new(json_array_get(json_object_get(snap(r, 3), "regs"), 2), "value", json_string("0xfeg"));
}
static void edit_max_u64(json_t *r)
{
	json_object_set_new(json_array_get(json_object_get(snap(r, 0), "regs"), 0), "value",
			    json_string("0xFFFFFFFFFFFFFFFF"));
}
static void edit_over_u64(json_t *r)
{
	json_object_set_new(json_array_get(json_object_get(snap(r, 0), "regs"), 0), "value",
			    json_string("0x10000000000000000"));
}
static void edit_too_many_regs(json_t *r)
{
	json_t *regs = json_object_get(snap(r, 0), "regs");

	while (json_array_size(regs) <= SNAP_MAX_REGS)
		json_array_append(regs, json_array_get(regs, 0));
}
static void edit_too_many_slots(json_t *r)
{
	json_t *slots = json_object_get(json_object_get(snap(r, 2), "frame"), "slots");

	while (json_array_size(slots) <= SNAP_MAX_SLOTS)
		json_array_append(slots, json_array_get(slots, 0));
}
static void edit_too_many_insns(json_t *r)
{
	json_t *insns = json_object_get(snap(r, 1), "insns");

	while (json_array_size(insns) <= SNAP_MAX_INSNS)
		json_array_append(insns, json_array_get(insns, 0));
}
static void edit_missing(json_t *r) { json_object_del(json_object_get(snap(r, 1), "frame"), "base"); }
static void edit_unknown(json_t *r) { json_object_set_new(snap(r, 6), "colour", json_true()); }
static void edit_format(json_t *r) { json_object_set_new(r, "format", json_string("gdb-log")); }
static void edit_version(json_t *r) { json_object_set_new(r, "version", json_integer(3)); }
static void edit_version_real(json_t *r) { json_object_set_new(r, "version", json_real(1.0)); }
static void edit_long_location(json_t *r)
{
	char big[300];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_object_set_new(snap(r, 2), "location", json_string(big));
}
static void edit_bits(json_t *r)
{
	json_t *reg = json_array_get(json_object_get(snap(r, 0), "regs"), 17);   /* eflags, 32 bits */

	json_object_set_new(reg, "value", json_string("0x100000000"));
}
static void edit_kind(json_t *r) { json_object_set_new(snap(r, 0), "kind", json_string("jump")); }
static void edit_cpl(json_t *r) { json_object_set_new(snap(r, 0), "cpl", json_integer(4)); }
static void edit_msr_missing(json_t *r) { json_object_del(json_object_get(snap(r, 5), "msrs"), "EFER"); }
static void edit_msr_source(json_t *r)
{
	json_object_set_new(json_object_get(json_object_get(snap(r, 5), "msrs"), "STAR"), "source",
			    json_string("guessed"));
}
static void edit_bytes(json_t *r)
{
	json_object_set_new(json_array_get(json_object_get(snap(r, 1), "insns"), 0), "bytes",
			    json_string("0f0"));
}
static void edit_empty(json_t *r) { json_array_clear(json_object_get(r, "snapshots")); }
static void edit_note_type(json_t *r) { json_object_set_new(snap(r, 4), "note_markdown", json_integer(1)); }
static void edit_reg_names(json_t *r) { json_array_set_new(json_object_get(r, "register_names"), 3, json_null()); }
/* A console of 1 MiB and one byte: more than QEMU ever keeps between two stops. */
static void edit_huge_console(json_t *r)
{
	char *big = malloc((1u << 20) + 2);
	memset(big, 'x', (1u << 20) + 1);
	big[(1u << 20) + 1] = '\0';
	json_object_set_new(snap(r, 2), "console", json_string(big));
	free(big);
}

static void expect(void (*edit)(json_t *), const char *want)
{
	char err[256];
	const char *got = load_edited(edit, err, sizeof(err));

	if (!strstr(got, want))
		fail_msg("want an error containing \"%s\", got \"%s\"", want, got);
}

static void test_loader_errors_name_the_field(void **state)
{
	(void)state;
	expect(edit_nothing, "(loaded)");
	expect(edit_max_u64, "(loaded)");
	expect(edit_reg_type, "snapshots[3].regs[2].value: not a hex string");
	expect(edit_reg_hex, "snapshots[3].regs[2].value: not a hex string (bad digit at offset 4)");
	expect(edit_over_u64, "snapshots[0].regs[0].value: out of range (more than 64 bits)");
	expect(edit_too_many_regs, "snapshots[0].regs: too many entries (65, at most 64)");
	expect(edit_too_many_slots, "snapshots[2].frame.slots: too many entries (33, at most 32)");
	expect(edit_too_many_insns, "snapshots[1].insns: too many entries (25, at most 24)");
	expect(edit_missing, "snapshots[1].frame.base: missing");
	expect(edit_unknown, "snapshots[6].colour: unknown field");
	expect(edit_format, "format: not a syswalk trace");
	expect(edit_version, "version: 3 is not a version this syswalk reads (1 to 2)");
	expect(edit_version_real, "version: expected an integer, found a real number");
	expect(edit_long_location, "snapshots[2].location: too long (299 bytes, at most 159)");
	expect(edit_bits, "snapshots[0].regs[17].value: does not fit in 32 bits");
	expect(edit_kind, "snapshots[0].kind: unknown value (expected anchor, step or user)");
	expect(edit_cpl, "snapshots[0].cpl: 4 out of range 0..3");
	expect(edit_msr_missing, "snapshots[5].msrs.EFER: missing");
	expect(edit_msr_source, "snapshots[5].msrs.STAR.source: unknown value");
	expect(edit_bytes, "snapshots[1].insns[0].bytes: expected 1 to 16 bytes");
	expect(edit_empty, "snapshots: empty");
	expect(edit_note_type, "snapshots[4].note_markdown: expected a string or null, found an integer");
	expect(edit_reg_names, "register_names[3]: expected a string, found null");
	expect(edit_huge_console, "snapshots[2].console: 1048577 bytes, at most 1048576");
}

static void expect_text(const char *text, const char *want)
{
	struct trace t;
	char err[256] = "";
	int rc = trace_json_load_buffer(text, strlen(text), &t, err, sizeof(err));

	assert_true(rc < 0);
	assert_int_equal(t.n, 0);
	if (!strstr(err, want))
		fail_msg("want an error containing \"%s\", got \"%s\"", want, err);
}

static void test_loader_rejects_broken_text(void **state)
{
	size_t len;
	char *json = fake_json(&len);
	struct trace t;
	char err[256];

	(void)state;
	/* Every prefix is a truncated file: all must be refused, none may crash. */
	for (size_t cut = 0; cut < len - 2; cut += 97) {
		assert_true(trace_json_load_buffer(json, cut, &t, err, sizeof(err)) < 0);
		assert_int_equal(t.n, 0);
		assert_non_null(strstr(err, "invalid JSON"));
	}
	free(json);
	expect_text("", "line 1 column 0: invalid JSON");
	expect_text("[1, 2]", "format: not a syswalk trace");
	expect_text("{\"format\": \"syswalk-trace\", \"format\": \"x\"}", "duplicate object key");
	expect_text("{\"format\": \"syswalk-trace\", \"version\": 1}", "syswalk_version: missing");
	expect_text("\"\\u0000\"", "invalid JSON");   /* NUL inside strings is refused by the parser */
}

static void test_invalid_utf8_is_replaced(void **state)
{
	struct trace t, back;
	char err[256] = "", *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(fake_trace(&t), 0);
	free(t.snaps[7].console);
	t.snaps[7].console = strdup("ok \xff\xfe bytes \xc3\xa9\n");
	assert_int_equal(trace_json_write(f, &t, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(trace_json_load_buffer(buf, len, &back, err, sizeof(err)), 0);
	assert_string_equal(back.snaps[7].console, "ok \xef\xbf\xbd\xef\xbf\xbd bytes \xc3\xa9\n");
	trace_free(&t);
	trace_free(&back);
	free(buf);
}

static void test_load_file(void **state)
{
	char dir[] = "/tmp/test_trace_json.XXXXXX", path[64], err[512];
	struct trace t;
	size_t len;
	char *json = fake_json(&len);
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.json", dir);
	assert_true(trace_json_load(path, &t, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "t.json: No such file or directory"));
	f = fopen(path, "w");
	fwrite(json, 1, len / 2, f);
	fclose(f);
	assert_true(trace_json_load(path, &t, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "t.json: line "));
	f = fopen(path, "w");
	fwrite(json, 1, len, f);
	fclose(f);
	assert_int_equal(trace_json_load(path, &t, err, sizeof(err)), 0);
	assert_string_equal(t.origin, path);
	assert_int_equal(t.n, FAKE_NSTOPS);
	trace_free(&t);
	unlink(path);
	rmdir(dir);
	free(json);
}

static void test_replay_moves_through_history(void **state)
{
	struct trace t;
	struct replay r;
	struct stop_source src;

	(void)state;
	assert_int_equal(fake_trace(&t), 0);
	assert_int_equal(trace_set_string(&t.origin, "walk.json"), 0);
	src = replay_source_init(&r, &t);
	assert_false(src.ops->live(src.ctx));
	assert_string_equal(src.ops->describe(src.ctx), "replay of walk.json");
	assert_int_equal(src.ops->count(src.ctx), FAKE_NSTOPS);
	assert_int_equal(src.ops->position(src.ctx), 0);
	assert_int_equal(src.ops->act(src.ctx, WALK_BACK), -ERANGE);
	assert_non_null(strstr(src.ops->error(src.ctx), "first stop"));
	assert_int_equal(src.ops->act(src.ctx, WALK_NEXT), 0);
	assert_string_equal(src.ops->error(src.ctx), "");
	assert_int_equal(src.ops->act(src.ctx, WALK_STEPI), 0);
	assert_int_equal(src.ops->act(src.ctx, WALK_FORWARD), 0);
	assert_int_equal(src.ops->position(src.ctx), 3);
	assert_ptr_equal(src.ops->at(src.ctx, 3), &t.snaps[3]);
	assert_null(src.ops->at(src.ctx, FAKE_NSTOPS));
	assert_int_equal(src.ops->act(src.ctx, WALK_BACK), 0);
	assert_int_equal(src.ops->position(src.ctx), 2);
	assert_int_equal(src.ops->act(src.ctx, WALK_CONTINUE), 0);
	assert_int_equal(src.ops->position(src.ctx), FAKE_NSTOPS - 1);
	assert_int_equal(src.ops->act(src.ctx, WALK_NEXT), -ERANGE);
	assert_int_equal(src.ops->position(src.ctx), FAKE_NSTOPS - 1);
	assert_non_null(strstr(src.ops->error(src.ctx), "last stop"));
	assert_int_equal(src.ops->act(src.ctx, WALK_RESTART), 0);
	assert_int_equal(src.ops->position(src.ctx), 0);
	src.ops->set_interrupt_fd(src.ctx, 5);
	trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_loader_errors_name_the_field),
		cmocka_unit_test(test_loader_rejects_broken_text),
		cmocka_unit_test(test_invalid_utf8_is_replaced),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_replay_moves_through_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
