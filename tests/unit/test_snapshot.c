/* test_snapshot.c: look-ups, deep copy, free and equality of step snapshots, and
 * building a trace from them. */
#include <errno.h>
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
	DIFFERS(b.insns[2].intel = "nop");
	DIFFERS(b.insns[3].label = "elsewhere");
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

/* The instructions' strings live in one block per snapshot: growing the block must
 * leave every earlier string readable, and a copy must point into its own block. */
static void test_insn_text_block(void **state)
{
	struct snapshot a, b;
	char att[SNAP_INSN_TEXT_LEN], label[16];

	(void)state;
	memset(&a, 0, sizeof(a));
	for (int i = 0; i < SNAP_MAX_INSNS; i++) {
		/* 95-character texts: the block must grow several times over the 24 */
		snprintf(att, sizeof(att), "%-94s%c", "movq", 'A' + i);
		snprintf(label, sizeof(label), i % 5 ? "" : "sym%d", i);
		struct snap_insn in = { .addr = 0x1000u + (unsigned)i, .len = 1, .bytes = { 0x90 },
					.att = att, .intel = i == 3 ? NULL : "nop", .label = label,
					.current = i == 7 };
		assert_int_equal(snapshot_add_insn(&a, &in), 0);
	}
	struct snap_insn extra = { .att = "one too many" };
	assert_int_equal(snapshot_add_insn(&a, &extra), -E2BIG);
	assert_int_equal(a.ninsns, SNAP_MAX_INSNS);
	for (int i = 0; i < SNAP_MAX_INSNS; i++) {
		assert_int_equal(strlen(a.insns[i].att), SNAP_INSN_TEXT_LEN - 1);
		assert_int_equal(a.insns[i].att[SNAP_INSN_TEXT_LEN - 2], 'A' + i);
		assert_string_equal(a.insns[i].intel, i == 3 ? "" : "nop");  /* NULL is "" */
		assert_true(a.insns[i].current == (i == 7));
		assert_true(a.insns[i].att >= a.insn_text &&
			    a.insns[i].label < a.insn_text + a.insn_text_used);
	}
	assert_string_equal(a.insns[10].label, "sym10");
	assert_string_equal(a.insns[11].label, "");

	assert_int_equal(snapshot_copy(&b, &a), 0);
	assert_true(snapshot_equal(&a, &b));
	struct snap_insn one = { .addr = 0x2000, .att = "ret", .intel = "ret" };
	snapshot_clear_insns(&b);                          /* a window replaced in place */
	assert_int_equal(b.ninsns, 0);
	assert_int_equal(snapshot_add_insn(&b, &one), 0);
	assert_string_equal(b.insns[0].att, "ret");
	assert_false(snapshot_equal(&a, &b));
	snapshot_free(&b);
	assert_int_equal(snapshot_copy(&b, &a), 0);
	for (int i = 0; i < SNAP_MAX_INSNS; i++)
		assert_true(b.insns[i].att >= b.insn_text && b.insns[i].att < b.insn_text + b.insn_text_used);
	snapshot_free(&a);
	assert_int_equal(a.ninsns, 0);
	assert_null(a.insn_text);
	assert_int_equal(b.insns[23].att[SNAP_INSN_TEXT_LEN - 2], 'A' + 23);  /* b owns its text */
	snapshot_free(&b);
}

/* Questions are on the heap, at most SNAP_MAX_QUESTIONS, deep-copied and compared. */
static void test_questions(void **state)
{
	struct snapshot a, b;

	(void)state;
	fake_snapshot(&a, 0);
	assert_int_equal(a.nquestions, 0);
	assert_null(a.questions);
	for (int i = 0; i < SNAP_MAX_QUESTIONS; i++) {
		struct snap_question *q = snapshot_add_question(&a);
		assert_non_null(q);
		assert_int_equal(q->nchoices, 0);                  /* zeroed */
		snprintf(q->text, sizeof(q->text), "question %d", i);
		q->answer_known = true;
		q->answer = 0x33;
	}
	assert_null(snapshot_add_question(&a));
	assert_int_equal(a.nquestions, SNAP_MAX_QUESTIONS);
	assert_int_equal(snapshot_copy(&b, &a), 0);
	assert_ptr_not_equal(a.questions, b.questions);
	assert_true(snapshot_equal(&a, &b));
	b.questions[2].answer = 0x10;
	assert_false(snapshot_equal(&a, &b));
	snapshot_free(&a);
	assert_int_equal(a.nquestions, 0);
	assert_string_equal(b.questions[1].text, "question 1");
	snapshot_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_copy_is_deep_and_equal),
		cmocka_unit_test(test_equal_sees_every_field),
		cmocka_unit_test(test_trace_append_copies),
		cmocka_unit_test(test_insn_text_block),
		cmocka_unit_test(test_questions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
