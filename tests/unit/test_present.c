/* test_present.c: the presentation layer every output uses (present.h), and the --trace
 * line that attributes a register change to the instruction that made it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../lib/fake_trace.h"
#include "export.h"
#include "present.h"
#include "textout.h"
#include "trace_json.h"

static void flag_names(void **state)
{
	char buf[128];
	(void)state;

	present_flags_names(0x246, true, buf, sizeof buf);
	assert_string_equal(buf, "PF ZF IF");
	/* Linux's SYSCALL_MASK: TF DF IF IOPL NT AC (and more on 6.1) */
	present_flags_names(0x47700, false, buf, sizeof buf);
	assert_string_equal(buf, "TF IF DF IOPL NT AC");
	present_flags_names(0x3002, true, buf, sizeof buf);
	assert_string_equal(buf, "IOPL=3");
	present_efer_names(0xd01, buf, sizeof buf);
	assert_string_equal(buf, "SCE LME LMA NXE");
	present_efer_names(0, buf, sizeof buf);
	assert_string_equal(buf, "");
}

/* One rule: rflags and eflags name the same register everywhere, case does not matter. */
static void show_list_matching(void **state)
{
	struct snapshot s;
	(void)state;

	memset(&s, 0, sizeof s);
	s.note_show = (char *)"rcx RFLAGS msr.lstar pt_regs.orig_ax";
	assert_true(present_shown(&s, "rcx"));
	assert_true(present_shown(&s, "eflags"));      /* QEMU's name for RFLAGS */
	assert_true(present_shown(&s, "rflags"));
	assert_true(present_shown(&s, "msr.lstar"));
	assert_true(present_shown(&s, "pt_regs.orig_ax"));
	assert_false(present_shown(&s, "rc"));
	assert_false(present_shown(&s, "lstar"));
	s.note_show = (char *)"eflags";
	assert_true(present_shown(&s, "rflags"));
	s.note_show = NULL;
	assert_false(present_shown(&s, "rcx"));
}

static void msr_decodes(void **state)
{
	struct snapshot s;
	char lines[4][64];
	(void)state;

	memset(&s, 0, sizeof s);
	assert_int_equal(present_msr_decode(&s, SNAP_MSR_STAR, lines, 4), 0);   /* never read */
	s.msrs[SNAP_MSR_STAR] = (struct snap_msr){ 0x0023001000000000ull, SNAP_MSR_LIVE };
	assert_int_equal(present_msr_decode(&s, SNAP_MSR_STAR, lines, 4), 2);
	assert_string_equal(lines[0], "syscall: CS 0010 SS 0018");
	assert_string_equal(lines[1], "sysret:  CS 0033 SS 002b");
	s.msrs[SNAP_MSR_FMASK] = (struct snap_msr){ 0x47700, SNAP_MSR_CARRIED };
	assert_int_equal(present_msr_decode(&s, SNAP_MSR_FMASK, lines, 4), 1);
	assert_string_equal(lines[0], "clears: TF IF DF IOPL NT AC");
	s.msrs[SNAP_MSR_EFER] = (struct snap_msr){ 0x501, SNAP_MSR_LIVE };
	assert_int_equal(present_msr_decode(&s, SNAP_MSR_EFER, lines, 4), 1);
	assert_string_equal(lines[0], "bits: SCE LME LMA");
	/* LSTAR is named when the stop knows the symbol (here: its own location). */
	s.rip = 0xffffffff81001000ull;
	snprintf(s.location, sizeof s.location, "entry_SYSCALL_64");
	s.msrs[SNAP_MSR_LSTAR] = (struct snap_msr){ s.rip, SNAP_MSR_LIVE };
	assert_int_equal(present_msr_decode(&s, SNAP_MSR_LSTAR, lines, 4), 1);
	assert_string_equal(lines[0], "= entry_SYSCALL_64");
	assert_string_equal(present_msr_show_name(SNAP_MSR_KERNEL_GS_BASE), "msr.kernel_gs_base");
}

/* A frame loaded from a file may list its slots in any order: shown highest offset first. */
static void frame_order(void **state)
{
	struct snap_frame f;
	int order[SNAP_MAX_SLOTS];
	static const uint32_t offs[] = { 0x80, 0x0, 0xa0, 0x78, 0x8 };
	(void)state;

	memset(&f, 0, sizeof f);
	f.nslots = 5;
	for (int i = 0; i < 5; i++)
		f.slots[i].offset = offs[i];
	assert_int_equal(present_frame_order(&f, order), 5);
	assert_int_equal(f.slots[order[0]].offset, 0xa0);
	assert_int_equal(f.slots[order[1]].offset, 0x80);
	assert_int_equal(f.slots[order[2]].offset, 0x78);
	assert_int_equal(f.slots[order[3]].offset, 0x8);
	assert_int_equal(f.slots[order[4]].offset, 0x0);
}

/* The revealed answer names the right choice and gives the value, never an expression. */
static void answers_name_the_choice(void **state)
{
	struct snap_question q;
	char buf[200];
	(void)state;

	memset(&q, 0, sizeof q);
	snprintf(q.expr, sizeof q.expr, "$user_return");
	q.answer_known = true;
	q.answer = 0x40033f;
	q.nchoices = 3;
	snprintf(q.choice_label[0], sizeof q.choice_label[0], "in RCX");
	q.choice_value[0] = 0x40033f;
	snprintf(q.choice_label[1], sizeof q.choice_label[1], "in R11");
	q.choice_value[1] = 0x206;
	snprintf(q.choice_label[2], sizeof q.choice_label[2], "in RSP");
	q.choice_value[2] = 0x7fffffffef98;
	present_answer(&q, buf, sizeof buf);
	assert_string_equal(buf, "(1) in RCX: 0x40033f");
	assert_null(strchr(buf, '$'));
	assert_int_equal(present_answer_choice(&q), 1);
	q.nchoices = 0;
	q.answer = (uint64_t)-38;
	present_answer(&q, buf, sizeof buf);
	assert_string_equal(buf, "0xffffffffffffffda = -38");
	q.answer_known = false;
	present_answer(&q, buf, sizeof buf);
	assert_string_equal(buf, "unknown at this stop");
}

static void bytes_and_paths(void **state)
{
	struct snap_insn in;
	char buf[256];
	(void)state;

	memset(&in, 0, sizeof in);
	in.len = 3;
	in.bytes[0] = 0x0f; in.bytes[1] = 0x01; in.bytes[2] = 0xf8;
	present_bytes(&in, buf, sizeof buf);
	assert_string_equal(buf, "0f 01 f8");
	assert_string_equal(present_basename("/tmp/x/build/kernel/syswalk-kernel.elf"), "syswalk-kernel.elf");
	assert_string_equal(present_basename("vmlinuz"), "vmlinuz");
	present_command("/work/t/build/syswalk --kernel /tmp/a/arch/x86/boot/bzImage --symbols=/tmp/a/vmlinux "
			"--export out/walk.html --syscall getpid", buf, sizeof buf);
	assert_string_equal(buf, "syswalk --kernel bzImage --symbols=vmlinux --export walk.html --syscall getpid");
	assert_null(strchr(buf, '/'));
}

/* --trace: swapgs's change of GS_BASE is printed on swapgs's own line, not on the next. */
static void trace_attributes_changes_to_their_instruction(void **state)
{
	struct snapshot a, b;
	struct snap_insn in;
	char *out = NULL;
	size_t len = 0;
	(void)state;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	snprintf(a.location, sizeof a.location, "entry_SYSCALL_64");
	snprintf(b.location, sizeof b.location, "entry_SYSCALL_64+0x3");
	a.nregs = b.nregs = 1;
	snprintf(a.regs[0].name, SNAP_NAME_LEN, "gs_base");
	b.regs[0] = a.regs[0];
	b.regs[0].value = 0xffffffff81035000ull;
	b.regs[0].changed = true;
	memset(&in, 0, sizeof in);
	in.current = true;
	in.att = "swapgs";
	assert_int_equal(snapshot_add_insn(&a, &in), 0);
	in.att = "movq %rsp, %gs:0x2014";
	assert_int_equal(snapshot_add_insn(&b, &in), 0);

	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	textout_trace_line(f, &a, &b);
	textout_trace_line(f, &b, NULL);
	fclose(f);
	char *second = strchr(out, '\n');
	assert_non_null(second);
	*second++ = '\0';
	assert_non_null(strstr(out, "swapgs"));
	assert_non_null(strstr(out, "gs_base=0xffffffff81035000"));
	assert_non_null(strstr(second, "movq %rsp, %gs:0x2014"));
	assert_null(strstr(second, "gs_base="));
	free(out);
	snapshot_free(&a);
	snapshot_free(&b);
}

/* What WRITE puts in a memory stream, as a string the caller frees. */
static char *render(int (*write)(FILE *, const struct trace *, char *, size_t), const struct trace *t)
{
	char *out = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(write(f, t, err, sizeof err), 0);
	fclose(f);
	return out;
}

/* A note whose check: claim is false at its stop is never shown as plain fact: the
 * curses note pane (through present_caveat_line), --batch, Markdown, HTML and JSON all
 * carry the claim with its warning mark and the live values. */
static void false_claim_is_marked_everywhere(void **state)
{
	struct trace t;
	char line[512], *out = NULL;
	size_t len = 0;
	(void)state;

	assert_int_equal(fake_trace(&t), 0);
	t.snaps[1].note_caveats = strdup("This note's claim `rcx == r11` does not hold here: live rcx=0x40102a r11=0x202\n");
	assert_non_null(t.snaps[1].note_caveats);

	/* the viewer's note pane */
	assert_true(present_caveat_line(t.snaps[1].note_caveats, 0, true, line, sizeof line));
	assert_string_equal(line, "\u26a0 Warning: This note's claim `rcx == r11` does not hold here: live rcx=0x40102a r11=0x202");
	assert_false(present_caveat_line(t.snaps[1].note_caveats, 1, true, line, sizeof line));
	assert_true(present_caveat_line(t.snaps[1].note_caveats, 0, false, line, sizeof line));
	assert_true(strncmp(line, "! Warning: ", 11) == 0);

	/* --batch */
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	textout_stop(f, &t.snaps[1], 2, t.n);
	fclose(f);
	assert_non_null(strstr(out, "\u26a0 Warning: This note's claim `rcx == r11` does not hold here: live rcx=0x40102a"));
	free(out);

	/* Markdown: a quoted, bold warning before the note's prose */
	out = render(export_markdown, &t);
	assert_non_null(strstr(out, "> **\u26a0 Warning: This note's claim \\`rcx == r11\\` does not hold here: live rcx=0x40102a r11=0x202**"));
	free(out);

	/* HTML: a caveat block, escaped */
	out = render(export_html, &t);
	assert_non_null(strstr(out, "<p class=\"caveat\">\u26a0 Warning: This note&#39;s claim `rcx == r11` does not hold here: live rcx=0x40102a r11=0x202</p>"));
	free(out);

	/* JSON: the caveat itself, for readers and for --replay */
	out = render(trace_json_write, &t);
	assert_non_null(strstr(out, "\"note_caveats\": \"This note's claim `rcx == r11` does not hold here"));
	free(out);
	trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flag_names),
		cmocka_unit_test(show_list_matching),
		cmocka_unit_test(msr_decodes),
		cmocka_unit_test(frame_order),
		cmocka_unit_test(answers_name_the_choice),
		cmocka_unit_test(bytes_and_paths),
		cmocka_unit_test(trace_attributes_changes_to_their_instruction),
		cmocka_unit_test(false_claim_is_marked_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
