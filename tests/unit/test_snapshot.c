/* test_snapshot.c: look-ups, deep copy, free and equality of step snapshots, and
 * building a trace from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../lib/fake_trace.h"

static void test_lookups(void **state)
{
	struct snapshot s;
	uint64_t v = 0;

	(void)state;
	fake_snapshot(&s, 5);
	assert_non_null(snapshot_reg(&s, "rdi"));
	assert_true(snapshot_reg_value(&s, "rdi", &v));
	assert_int_equal(v, FAKE_FRAME_BASE);
	assert_null(snapshot_reg(&s, "xmm0"));
	assert_false(snapshot_reg_value(&s, "nope", &v));
	assert_int_equal(v, FAKE_FRAME_BASE);              /* untouched on failure */
	assert_non_null(snapshot_slot(&s, "orig_ax"));
	assert_int_equal(snapshot_slot(&s, "orig_ax")->offset, 120);
	assert_int_equal(snapshot_slot(&s, "orig_ax")->value, 39);
	assert_null(snapshot_slot(&s, "nope"));
	s.frame.valid = false;                             /* no frame, no slots */
	assert_null(snapshot_slot(&s, "orig_ax"));
	assert_string_equal(snapshot_msr_name(SNAP_MSR_LSTAR), "LSTAR");
	assert_string_equal(snapshot_msr_name(SNAP_MSR_KERNEL_GS_BASE), "KERNEL_GS_BASE");
	assert_string_equal(snapshot_msr_name(SNAP_MSR_COUNT), "?");
	snapshot_free(&s);
}

static void test_copy_is_deep_and_equal(void **state)
{
	struct snapshot a, b;

	(void)state;
	fake_snapshot(&a, 7);
	assert_int_equal(snapshot_copy(&b, &a), 0);
	assert_true(snapshot_equal(&a, &b));
	assert_ptr_not_equal(a.note_markdown, b.note_markdown);
	assert_ptr_not_equal(a.console, b.console);
	b.note_markdown[0] = 'X';                          /* the copy owns its strings */
	assert_false(snapshot_equal(&a, &b));
	snapshot_free(&a);
	assert_null(a.note_markdown);
	assert_string_equal(b.console, "pid=1\r\n");       /* still valid after a is freed */
	snapshot_free(&b);
	snapshot_free(&b);                                 /* freeing twice is harmless */
}

/* Each kind of difference must be seen; unused array tails must not matter. */
static void test_equal_sees_every_field(void **state)
{
	struct snapshot a, b;

	(void)state;
	fake_snapshot(&a, 4);
#define DIFFERS(mutation) do { \
		assert_int_equal(snapshot_copy(&b, &a), 0); \
		assert_true(snapshot_equal(&a, &b)); \
		mutation; \
		assert_false(snapshot_equal(&a, &b)); \
		snapshot_free(&b); \
	} while (0)
	DIFFERS(b.index++);
	DIFFERS(b.kind = SNAP_USER);
	DIFFERS(b.syscall[0] = 'x');
	DIFFERS(b.rip++);
	DIFFERS(b.cpl = 3);
	DIFFERS(b.nregs--);
	DIFFERS(b.regs[3].value ^= 1ULL << 63);
	DIFFERS(b.regs[3].changed = !b.regs[3].changed);
	DIFFERS(b.regs[3].bits = 32);
	DIFFERS(b.regs[27].name[0] = 'X');
	DIFFERS(b.msrs[SNAP_MSR_CSTAR].source = SNAP_MSR_CARRIED);
	DIFFERS(b.msrs[SNAP_MSR_STAR].value++);
	DIFFERS(b.frame.valid = false);
	DIFFERS(b.frame.base += 8);
	DIFFERS(b.frame.slots[20].filled = !b.frame.slots[20].filled);
	DIFFERS(b.frame.slots[15].just_written = !b.frame.slots[15].just_written);
	DIFFERS(b.frame.slots[0].offset = 4);
	DIFFERS(strcpy(b.frame.layout_source, "builtin"));
	DIFFERS(b.ninsns--);
	DIFFERS(b.insns[2].bytes[0] ^= 0xff);
	DIFFERS(b.insns[2].current = !b.insns[2].current);
	DIFFERS(strcpy(b.insns[2].intel, "nop"));
	DIFFERS(b.source_line++);
	DIFFERS(strcpy(b.location, "elsewhere"));
	DIFFERS(free(b.note_title); b.note_title = NULL);
	DIFFERS(free(b.console); b.console = strdup(""));  /* "" is not "absent" */
#undef DIFFERS
	/* Bytes past len, past nregs and past nslots are not state. */
	assert_int_equal(snapshot_copy(&b, &a), 0);
	b.insns[0].bytes[15] = 0xaa;
	b.regs[SNAP_MAX_REGS - 1].value = 99;
	b.frame.slots[SNAP_MAX_SLOTS - 1].value = 99;
	assert_true(snapshot_equal(&a, &b));
	snapshot_free(&b);
	snapshot_free(&a);
}

static void test_trace_append_copies(void **state)
{
	struct trace t;

	(void)state;
	assert_int_equal(fake_trace(&t), 0);
	assert_int_equal(t.n, FAKE_NSTOPS);
	assert_int_equal(t.nreg_names, t.snaps[0].nregs);
	assert_string_equal(t.reg_names[2], "rcx");
	for (size_t i = 0; i < t.n; i++) {
		struct snapshot s;

		fake_snapshot(&s, (int)i);
		assert_true(snapshot_equal(&s, &t.snaps[i]));
		snapshot_free(&s);
	}
	trace_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.snaps);
	assert_null(t.kernel_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_copy_is_deep_and_equal),
		cmocka_unit_test(test_equal_sees_every_field),
		cmocka_unit_test(test_trace_append_copies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
