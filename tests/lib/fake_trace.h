/* fake_trace.h: a synthetic but realistic trace of one getpid walk on the teaching
 * kernel, built through the public snapshot/trace API. Shared by the unit tests of
 * the exporters and by tests/tools/make_trace.c (the fixture generator), so that they
 * all talk about the same stops. Header-only (static inline) on purpose: it is test
 * code and must not end up in the viewer library or in every unit test.
 *
 * Stop 4 carries a hostile note (a <script> element, quotes, '&', 0x01, ESC, the C1
 * control CSI raw and as an entity, a bidi override) so
 * every exporter is exercised on text that must be escaped.
 */
#ifndef SYSWALK_FAKE_TRACE_H
#define SYSWALK_FAKE_TRACE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "trace.h"

#define FAKE_NSTOPS 8
#define FAKE_USER_RIP 0x40102aULL
#define FAKE_ENTRY 0xffffffff81000000ULL
#define FAKE_FRAME_BASE 0xfffffe0000002f58ULL   /* task stack top - sizeof(pt_regs) */
#define FAKE_HOSTILE_NOTE \
	"A note that tries to break out: <script>alert(1)</script> \"quoted\" 'single' " \
	"R&D \x01 and \x1b[31mred\x1b[0m, csi \xc2\x9b" "2J, entity &#x9b;[1m, rtl \xe2\x80\xae" "txt.\n\n" \
	"<b>raw html</b> must stay text."

static const char *const fake_reg_names[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
	"r12", "r13", "r14", "r15", "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
	"fs_base", "gs_base", "k_gs_base", "cr3",
};

static const char *const fake_slot_names[] = {
	"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax",
	"cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss",
};

struct fake_insn { unsigned off; const char *hex, *att, *intel, *label; };

static const struct fake_insn fake_entry_code[] = {
	{ 0x00, "0f01f8", "swapgs", "swapgs", "entry_SYSCALL_64" },
	{ 0x03, "654889242514600000", "movq %rsp, %gs:0x6014", "mov qword ptr gs:[0x6014], rsp", "" },
	{ 0x0c, "0f20df", "movq %cr3, %rdi", "mov rdi, cr3", "" },
	{ 0x0f, "4881e7ffe7ffff", "andq $0xffffffffffffe7ff, %rdi", "and rdi, 0xffffffffffffe7ff", "" },
	{ 0x16, "0f22df", "movq %rdi, %cr3", "mov cr3, rdi", "" },
	{ 0x19, "65488b24250c600000", "movq %gs:0x600c, %rsp", "mov rsp, qword ptr gs:[0x600c]", "" },
	{ 0x22, "6a2b", "pushq $0x2b", "push 0x2b", "" },
	{ 0x24, "65ff342514600000", "pushq %gs:0x6014", "push qword ptr gs:[0x6014]", "" },
	{ 0x2c, "4153", "pushq %r11", "push r11", "" },
	{ 0x2e, "6a33", "pushq $0x33", "push 0x33", "" },
	{ 0x30, "51", "pushq %rcx", "push rcx", "" },
	{ 0x31, "50", "pushq %rax", "push rax", "entry_SYSCALL_64_after_hwframe" },
	{ 0x32, "57", "pushq %rdi", "push rdi", "" },
	{ 0x33, "56", "pushq %rsi", "push rsi", "" },
	{ 0x34, "4889e7", "movq %rsp, %rdi", "mov rdi, rsp", "" },
	{ 0x37, "e8c4000000", "callq do_syscall_64", "call do_syscall_64", "" },
};

static inline void fake_set_reg(struct snapshot *s, const char *name, unsigned long long v)
{
	for (int i = 0; i < s->nregs; i++)
		if (strcmp(s->regs[i].name, name) == 0)
			s->regs[i].value = v;
}

/* Fill the instruction window and mark the one at RIP. */
static inline void fake_code(struct snapshot *s)
{
	int n = (int)(sizeof(fake_entry_code) / sizeof(fake_entry_code[0]));

	for (int i = 0; i < n; i++) {
		const struct fake_insn *f = &fake_entry_code[i];
		struct snap_insn in = { .addr = FAKE_ENTRY + f->off, .len = (unsigned char)(strlen(f->hex) / 2),
					.att = f->att, .intel = f->intel, .label = f->label };

		for (int b = 0; b < in.len; b++) {
			char pair[3] = { f->hex[2 * b], f->hex[2 * b + 1], 0 };

			in.bytes[b] = (unsigned char)strtoul(pair, NULL, 16);
		}
		in.current = in.addr == s->rip;
		if (snapshot_add_insn(s, &in) < 0)
			abort();
	}
}

/* Stop I of the fake getpid walk into S (S is overwritten; snapshot_free it after). */
static inline void fake_snapshot(struct snapshot *s, int i)
{
	static const struct { int kind, cpl; unsigned long long rip; const char *loc, *title; int filled; }
	stops[FAKE_NSTOPS] = {
		{ SNAP_USER, 3, FAKE_USER_RIP, "demo_main+0x2a", "The demo asks for its pid", 0 },
		{ SNAP_ANCHOR, 0, FAKE_ENTRY, "entry_SYSCALL_64", "SYSCALL lands at LSTAR", 0 },
		{ SNAP_ANCHOR, 0, FAKE_ENTRY + 0x22, "entry_SYSCALL_64+0x22", "On the task stack", 0 },
		{ SNAP_ANCHOR, 0, FAKE_ENTRY + 0x31, "entry_SYSCALL_64_after_hwframe", "The hardware frame", 5 },
		{ SNAP_STEP, 0, FAKE_ENTRY + 0x32, "entry_SYSCALL_64_after_hwframe+0x1", "orig_ax", 6 },
		{ SNAP_ANCHOR, 0, FAKE_ENTRY + 0x37, "entry_SYSCALL_64_after_hwframe+0x6", "Into C", 21 },
		{ SNAP_ANCHOR, 0, FAKE_ENTRY + 0x34, "entry_SYSCALL_64_after_hwframe+0x3", "Back from C", 21 },
		{ SNAP_USER, 3, FAKE_USER_RIP + 2, "demo_main+0x2c", "Back in user mode", 0 },
	};
	const unsigned long long slot_values[21] = {
		0, 0, 0, 0, 0x7ffc0, 0, 0x202, 0, 0, 0, (unsigned long long)-38,
		FAKE_USER_RIP + 2, 0, 0, 0, 39, FAKE_USER_RIP + 2, 0x33, 0x202, 0x7fff0f80, 0x2b,
	};

	memset(s, 0, sizeof(*s));
	s->index = i;
	s->kind = (enum snap_kind)stops[i].kind;
	snprintf(s->syscall, sizeof(s->syscall), "getpid");
	s->rip = stops[i].rip;
	s->cpl = stops[i].cpl;
	snprintf(s->location, sizeof(s->location), "%s", stops[i].loc);
	if (s->cpl == 0) {
		snprintf(s->source_file, sizeof(s->source_file), "kernel/entry_64.S");
		s->source_line = 80 + 3 * i;
	}

	s->nregs = (int)(sizeof(fake_reg_names) / sizeof(fake_reg_names[0]));
	for (int r = 0; r < s->nregs; r++) {
		snprintf(s->regs[r].name, SNAP_NAME_LEN, "%s", fake_reg_names[r]);
		s->regs[r].bits = r >= 17 && r <= 23 ? 32 : 64;
	}
	fake_set_reg(s, "rax", i >= 6 ? 1 : 39);
	fake_set_reg(s, "rcx", i >= 1 ? FAKE_USER_RIP + 2 : 0x1234);
	fake_set_reg(s, "r11", i >= 1 ? 0x202 : 0x7);
	fake_set_reg(s, "rsp", i >= 2 && i < 7 ? FAKE_FRAME_BASE + 168 - 8 * stops[i].filled : 0x7fff0f80);
	fake_set_reg(s, "rdi", i >= 5 && i < 7 ? FAKE_FRAME_BASE : 1);
	fake_set_reg(s, "rsi", i == 5 ? 39 : 0);
	fake_set_reg(s, "rip", s->rip);
	fake_set_reg(s, "eflags", s->cpl ? 0x202 : 0x2);
	fake_set_reg(s, "cs", s->cpl ? 0x33 : 0x10);
	fake_set_reg(s, "ss", s->cpl ? 0x2b : 0x18);
	fake_set_reg(s, "gs_base", i >= 2 && i < 7 ? 0xffffffff81206000ULL : 0);
	fake_set_reg(s, "k_gs_base", i >= 2 && i < 7 ? 0 : 0xffffffff81206000ULL);
	fake_set_reg(s, "cr3", i >= 3 && i < 7 ? 0x101000 : 0x102000);
	if (i > 0) {
		struct snapshot prev;

		fake_snapshot(&prev, i - 1);
		for (int r = 0; r < s->nregs; r++)
			s->regs[r].changed = prev.regs[r].value != s->regs[r].value;
		snapshot_free(&prev);
	}

	for (int m = 0; m < SNAP_MSR_COUNT; m++)
		s->msrs[m].source = i == 0 ? SNAP_MSR_UNKNOWN : s->cpl == 0 ? SNAP_MSR_LIVE : SNAP_MSR_CARRIED;
	s->msrs[SNAP_MSR_LSTAR].value = FAKE_ENTRY;
	s->msrs[SNAP_MSR_STAR].value = 0x0023001000000000ULL;
	s->msrs[SNAP_MSR_FMASK].value = 0x47700;
	s->msrs[SNAP_MSR_EFER].value = 0xd01;
	s->msrs[SNAP_MSR_GS_BASE].value = i >= 2 && i < 7 ? 0xffffffff81206000ULL : 0;
	s->msrs[SNAP_MSR_KERNEL_GS_BASE].value = i >= 2 && i < 7 ? 0 : 0xffffffff81206000ULL;
	if (i == 0)
		for (int m = 0; m < SNAP_MSR_COUNT; m++)
			s->msrs[m].value = 0;

	s->frame.valid = s->cpl == 0;
	s->frame.base = FAKE_FRAME_BASE;
	s->frame.size = 168;
	snprintf(s->frame.layout_source, sizeof(s->frame.layout_source), "dwarf");
	s->frame.nslots = 21;
	for (int k = 0; k < 21; k++) {
		struct snap_slot *sl = &s->frame.slots[k];
		int from_top = 20 - k;   /* ss is pushed first */

		snprintf(sl->name, SNAP_NAME_LEN, "%s", fake_slot_names[k]);
		sl->offset = (unsigned)(8 * k);
		sl->filled = s->frame.valid && from_top < stops[i].filled;
		sl->value = sl->filled ? slot_values[k] : 0;
		sl->just_written = sl->filled && from_top == stops[i].filled - 1 && s->kind == SNAP_STEP;
	}

	if (s->cpl == 0)
		fake_code(s);
	else {
		const struct snap_insn user_code[2] = {
			{ .addr = FAKE_USER_RIP - 5, .len = 5, .bytes = { 0xb8, 0x27, 0, 0, 0 },
			  .att = "movl $0x27, %eax", .intel = "mov eax, 0x27", .current = s->rip == FAKE_USER_RIP - 5 },
			{ .addr = FAKE_USER_RIP, .len = 2, .bytes = { 0x0f, 0x05 },
			  .att = "syscall", .intel = "syscall", .current = s->rip == FAKE_USER_RIP },
		};
		for (int k = 0; k < 2; k++)
			if (snapshot_add_insn(s, &user_code[k]) < 0)
				abort();
	}

	if (s->kind != SNAP_STEP) {
		char buf[64];

		s->anchor = strdup(s->kind == SNAP_USER ? "demo_main" : s->location);
		s->note_title = strdup(stops[i].title);
		snprintf(buf, sizeof(buf), "rcx r11 msr.lstar pt_regs.ip");
		s->note_show = strdup(buf);
		s->note_markdown = strdup(i == 4 ? FAKE_HOSTILE_NOTE :
			"SYSCALL saved the user **RIP** in `rcx` and RFLAGS in `r11`,\n"
			"then jumped to the address in `MSR_LSTAR`.\n\n- one\n- two\n");
	} else {
		s->note_title = strdup(stops[i].title);
		s->note_markdown = strdup(FAKE_HOSTILE_NOTE);
	}
	if (i == 7)
		s->console = strdup("pid=1\r\n");
}

/* The whole fake walk, with metadata, into T (initialised here). Returns 0 or < 0. */
static inline int fake_trace(struct trace *t)
{
	trace_init(t);
	snprintf(t->syswalk_version, sizeof(t->syswalk_version), "0.1-test");
	snprintf(t->target, sizeof(t->target), "teach");
	snprintf(t->kernel_build_id, sizeof(t->kernel_build_id), "3f1e0c2ab47d9e55");
	snprintf(t->date, sizeof(t->date), "2026-11-25T09:40:23Z");
	snprintf(t->syscalls, sizeof(t->syscalls), "getpid");
	if (trace_set_string(&t->kernel_path, "build/kernel/syswalk-kernel.elf") < 0 ||
	    trace_set_string(&t->command_line, "syswalk --export x.json --syscall getpid") < 0)
		return -1;
	for (int i = 0; i < FAKE_NSTOPS; i++) {
		struct snapshot s;
		int rc;

		fake_snapshot(&s, i);
		rc = trace_append(t, &s);
		snapshot_free(&s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

#endif
