/* ui_fixture.c: the interactive viewer over a hand-made walk of write(1, buf, 14).
 *
 * Lets the UI be developed and tested (the tmux scripts in tests/ui) without QEMU: a synthetic
 * stop_source with realistic values for the teaching kernel: SYSCALL has just put the
 * user RIP after the instruction in RCX and RFLAGS in R11, swapgs swaps GS_BASE with
 * KERNEL_GS_BASE, the stack switch, then pt_regs filled slot by slot, do_syscall_64,
 * sysretq, and back in user mode. Like a live walk, the history grows as stops are
 * reached.
 *
 * Environment: UI_FIXTURE_FAIL_AFTER=N  running past stop N fails as if QEMU had died
 *              UI_FIXTURE_SLOW_MS=MS     each run takes MS ms unless interrupted (SIGINT)
 *              UI_FIXTURE_CONSOLE=TEXT       TEXT arrives on a console fd after start
 *              UI_FIXTURE_COLOR=never|always, UI_FIXTURE_ASCII=1, UI_FIXTURE_INTEL=1
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "snapshot.h"
#include "stops.h"
#include "ui.h"

#define ENTRY   0xffffffff81200000ull   /* entry_SYSCALL_64 */
#define DO_SYS  0xffffffff81001230ull   /* do_syscall_64 */
#define USER_SYSCALL 0x401011ull        /* the demo's syscall instruction */
#define STACK_TOP 0xffffc90000004000ull
#define FRAME   (STACK_TOP - 0xa8)
#define PERCPU  0xffff888007c00000ull
#define NSTOPS  14

struct fixture {
	struct snapshot snaps[NSTOPS];
	size_t hist[4 * NSTOPS];         /* the history: indexes into snaps, as stopped at */
	size_t revealed, pos;            /* entries in hist, and the one shown */
	int fail_after, slow_ms, interrupt_fd;
	int console_fd;                  /* read end of the fake serial line, -1 for none */
	bool live;
	char error[160];
};

static const char *const reg_names[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
	"r12", "r13", "r14", "r15", "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
	"fs_base", "gs_base", "k_gs_base", "cr0", "cr2", "cr3", "cr4", "cr8", "efer",
};

static const char *const slot_names[21] = {   /* by offset / 8, as in struct pt_regs */
	"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx",
	"dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss",
};

struct insn { uint64_t addr; uint8_t len; const char *label, *att, *intel; };

static const struct insn entry_code[] = {
	{ ENTRY + 0x00, 3, "entry_SYSCALL_64", "swapgs", "swapgs" },
	{ ENTRY + 0x03, 9, "", "mov    %rsp,%gs:0x6014", "mov    qword ptr gs:[0x6014], rsp" },
	{ ENTRY + 0x0c, 9, "", "mov    %gs:0x601c,%rsp", "mov    rsp, qword ptr gs:[0x601c]" },
	{ ENTRY + 0x15, 2, "", "push   $0x2b", "push   0x2b" },
	{ ENTRY + 0x17, 8, "", "push   %gs:0x6014", "push   qword ptr gs:[0x6014]" },
	{ ENTRY + 0x1f, 2, "", "push   %r11", "push   r11" },
	{ ENTRY + 0x21, 2, "", "push   $0x33", "push   0x33" },
	{ ENTRY + 0x23, 1, "", "push   %rcx", "push   rcx" },
	{ ENTRY + 0x24, 1, "", "push   %rax", "push   rax" },
	{ ENTRY + 0x25, 1, "", "push   %rdi", "push   rdi" },
	{ ENTRY + 0x26, 1, "", "push   %rsi", "push   rsi" },
	{ ENTRY + 0x27, 1, "", "push   %rdx", "push   rdx" },
	{ ENTRY + 0x28, 1, "", "push   %rcx", "push   rcx" },
	{ ENTRY + 0x29, 2, "", "push   $0xffffffffffffffda", "push   0xffffffffffffffda" },
	{ ENTRY + 0x50, 3, "", "mov    %rsp,%rdi", "mov    rdi, rsp" },
	{ ENTRY + 0x53, 3, "", "movslq %eax,%rsi", "movsxd rsi, eax" },
	{ ENTRY + 0x56, 5, "", "call   0xffffffff81001230 <do_syscall_64>", "call   0xffffffff81001230 <do_syscall_64>" },
	{ ENTRY + 0x98, 1, "", "pop    %rdi", "pop    rdi" },
	{ ENTRY + 0x99, 3, "", "mov    %gs:0x6014,%rsp", "mov    rsp, qword ptr gs:[0x6014]" },
	{ ENTRY + 0x9c, 3, "", "swapgs", "swapgs" },
	{ ENTRY + 0x9f, 3, "", "sysretq", "sysretq" },
};

static const struct insn do_sys_code[] = {
	{ DO_SYS + 0x0, 1, "do_syscall_64", "push   %rbp", "push   rbp" },
	{ DO_SYS + 0x1, 3, "", "mov    %rsp,%rbp", "mov    rbp, rsp" },
	{ DO_SYS + 0x4, 2, "", "push   %r12", "push   r12" },
	{ DO_SYS + 0x6, 3, "", "mov    %rdi,%r12", "mov    r12, rdi" },
	{ DO_SYS + 0x9, 4, "", "cmp    $0x1c0,%rsi", "cmp    rsi, 0x1c0" },
};

static const struct insn user_code[] = {
	{ 0x401000, 5, "demo_write", "mov    $0x1,%eax", "mov    eax, 1" },
	{ 0x401005, 5, "", "mov    $0x1,%edi", "mov    edi, 1" },
	{ 0x40100a, 7, "", "lea    0xfef(%rip),%rsi", "lea    rsi, [rip + 0xfef]" },
	{ 0x401011, 2, "", "syscall", "syscall" },
	{ 0x401013, 2, "", "mov    %eax,%ebx", "mov    ebx, eax" },
};

static void set_reg(struct snapshot *s, const char *name, uint64_t v)
{
	for (int i = 0; i < s->nregs; i++)
		if (strcmp(s->regs[i].name, name) == 0) {
			s->regs[i].value = v;
			return;
		}
}

static uint64_t get_reg(const struct snapshot *s, const char *name)
{
	for (int i = 0; i < s->nregs; i++)
		if (strcmp(s->regs[i].name, name) == 0)
			return s->regs[i].value;
	return 0;
}

static void set_code(struct snapshot *s, const struct insn *code, int n)
{
	snapshot_clear_insns(s);
	for (int i = 0; i < n; i++) {
		struct snap_insn in = { .addr = code[i].addr, .len = code[i].len,
					.att = code[i].att, .intel = code[i].intel, .label = code[i].label,
					.current = code[i].addr == s->rip };

		if (snapshot_add_insn(s, &in) < 0)
			abort();
	}
}

static void set_note(struct snapshot *s, const char *anchor, const char *title,
		     const char *show, const char *md)
{
	s->anchor = anchor ? strdup(anchor) : NULL;
	s->note_title = title ? strdup(title) : NULL;
	s->note_show = show ? strdup(show) : NULL;
	s->note_markdown = md ? strdup(md) : NULL;
}

/* Push the next pt_regs slot (the one just below the lowest filled), from VALUE. */
static void push_slot(struct snapshot *s, int slot, uint64_t value)
{
	for (int i = 0; i < s->frame.nslots; i++)
		s->frame.slots[i].just_written = false;
	s->frame.slots[slot].filled = true;
	s->frame.slots[slot].just_written = true;
	s->frame.slots[slot].value = value;
	set_reg(s, "rsp", FRAME + s->frame.slots[slot].offset);
}

static void at(struct snapshot *s, uint64_t rip, enum snap_kind kind, const char *loc)
{
	s->rip = rip;
	s->kind = kind;
	set_reg(s, "rip", rip);
	snprintf(s->location, sizeof s->location, "%s", loc);
	snprintf(s->source_file, sizeof s->source_file, "kernel/entry_64.S");
}

/* Stop 0, the state right after SYSCALL, from which every later stop is derived. */
static void build_first(struct snapshot *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->syscall, sizeof s->syscall, "write");
	s->nregs = (int)(sizeof reg_names / sizeof reg_names[0]);
	for (int i = 0; i < s->nregs; i++) {
		snprintf(s->regs[i].name, SNAP_NAME_LEN, "%s", reg_names[i]);
		s->regs[i].bits = strchr("cdefgs", reg_names[i][0]) && strlen(reg_names[i]) == 2 ? 32 : 64;
	}
	set_reg(s, "rax", 1); set_reg(s, "rdi", 1); set_reg(s, "rsi", 0x402000);
	set_reg(s, "rdx", 14); set_reg(s, "rbx", 0); set_reg(s, "rbp", 0x7ffffffde110);
	set_reg(s, "rcx", USER_SYSCALL + 2);             /* SYSCALL: RCX = next user RIP */
	set_reg(s, "r11", 0x246);                        /* SYSCALL: R11 = user RFLAGS */
	set_reg(s, "eflags", 0x046 | 0x2);               /* 0x246 & ~FMASK (IF gone) */
	set_reg(s, "rsp", 0x7ffffffde0f8);               /* SYSCALL leaves RSP alone */
	set_reg(s, "cs", 0x10); set_reg(s, "ss", 0x18);  /* from STAR[47:32] */
	set_reg(s, "ds", 0x2b); set_reg(s, "es", 0x2b);
	set_reg(s, "gs_base", 0); set_reg(s, "k_gs_base", PERCPU);
	set_reg(s, "cr0", 0x80050033); set_reg(s, "cr3", 0x1c000 | 0x1000);
	set_reg(s, "cr4", 0x3006b0); set_reg(s, "efer", 0xd01);
	at(s, ENTRY, SNAP_ANCHOR, "entry_SYSCALL_64");
	s->source_line = 87;
	s->cpl = 0;
	s->msrs[SNAP_MSR_LSTAR] = (struct snap_msr){ ENTRY, SNAP_MSR_LIVE };
	s->msrs[SNAP_MSR_STAR] = (struct snap_msr){ 0x0023001000000000ull, SNAP_MSR_LIVE };
	s->msrs[SNAP_MSR_FMASK] = (struct snap_msr){ 0x47700, SNAP_MSR_LIVE };
	s->msrs[SNAP_MSR_EFER] = (struct snap_msr){ 0xd01, SNAP_MSR_LIVE };
	s->msrs[SNAP_MSR_GS_BASE] = (struct snap_msr){ 0, SNAP_MSR_LIVE };
	s->msrs[SNAP_MSR_KERNEL_GS_BASE] = (struct snap_msr){ PERCPU, SNAP_MSR_LIVE };
	s->frame.base = FRAME;
	s->frame.size = 0xa8;
	snprintf(s->frame.layout_source, sizeof s->frame.layout_source, "dwarf");
	s->frame.nslots = 21;
	for (int i = 0; i < 21; i++) {
		snprintf(s->frame.slots[i].name, SNAP_NAME_LEN, "%s", slot_names[i]);
		s->frame.slots[i].offset = (uint32_t)(i * 8);
	}
	set_code(s, entry_code, 9);
	set_note(s, "entry_SYSCALL_64", "entry_SYSCALL_64: the CPU has just executed syscall",
		 "rcx r11 rip msr.lstar",
		 "The `syscall` instruction did four things and nothing more:\n\n"
		 "- saved the address of the next user instruction in `rcx`;\n"
		 "- saved the user RFLAGS in `r11`, then cleared the flags set in **FMASK**;\n"
		 "- loaded `cs`/`ss` from **STAR** and `rip` from **LSTAR**;\n"
		 "- switched to ring 0.\n\n"
		 "It did *not* switch stacks: `rsp` still points at the user stack.");
	s->console = strdup("teach: booted\r\nteach: \x1b[31mred?\x1b[0m demo starting\r\n");
}

/* Stop I starts as a copy of stop I-1 without its note and console. */
static struct snapshot *derive(struct snapshot *s, int i)
{
	snapshot_copy(&s[i], &s[i - 1]);
	free(s[i].console); free(s[i].anchor); free(s[i].note_title);
	free(s[i].note_show); free(s[i].note_markdown);
	s[i].console = s[i].anchor = s[i].note_title = s[i].note_show = s[i].note_markdown = NULL;
	s[i].index = i;
	s[i].source_line = s[i - 1].source_line + 1;
	for (int k = 0; k < s[i].frame.nslots; k++)
		s[i].frame.slots[k].just_written = false;
	return &s[i];
}

static void build(struct fixture *fx)
{
	struct snapshot *s = fx->snaps, *t;
	static const struct { int slot; const char *reg; uint64_t imm; } pushes[] = {
		{ 20, NULL, 0x2b }, { 19, NULL, 0x7ffffffde0f8 }, { 18, "r11", 0 },
		{ 17, NULL, 0x33 }, { 16, "rcx", 0 }, { 15, "rax", 0 },
	};

	build_first(&s[0]);
	t = derive(s, 1);       /* swapgs swapped GS_BASE and KERNEL_GS_BASE */
	at(t, ENTRY + 0x03, SNAP_ANCHOR, "entry_SYSCALL_64+0x3");
	set_reg(t, "gs_base", PERCPU); set_reg(t, "k_gs_base", 0);
	t->msrs[SNAP_MSR_GS_BASE].value = PERCPU;
	t->msrs[SNAP_MSR_KERNEL_GS_BASE].value = 0;
	set_note(t, "entry_SYSCALL_64/swapgs", "swapgs: GS now points at this CPU's data",
		 "msr.gs_base msr.kernel_gs_base",
		 "`swapgs` exchanged **GS_BASE** with **KERNEL_GS_BASE**, so `%gs:` now reaches the per-CPU area.");
	t = derive(s, 2);       /* the user RSP saved in the TSS scratch slot: a stepi stop */
	at(t, ENTRY + 0x0c, SNAP_STEP, "entry_SYSCALL_64+0xc");
	t = derive(s, 3);       /* on the task stack: frame known, nothing pushed */
	at(t, ENTRY + 0x15, SNAP_ANCHOR, "entry_SYSCALL_64+0x15");
	set_reg(t, "rsp", STACK_TOP);
	t->frame.valid = true;
	set_note(t, "entry_SYSCALL_64+0x15", "On the kernel stack: pt_regs is built next", "rsp",
		 "RSP now holds the top of this task's kernel stack. Each push below fills one field of `struct pt_regs`, from `ss` down.");
	for (int k = 0; k < 6; k++) {
		t = derive(s, 4 + k);
		push_slot(t, pushes[k].slot, pushes[k].reg ? get_reg(t, pushes[k].reg) : pushes[k].imm);
		at(t, entry_code[4 + k].addr, k == 5 ? SNAP_ANCHOR : SNAP_STEP, "");
		snprintf(t->location, sizeof t->location, "entry_SYSCALL_64+%#llx",
			 (unsigned long long)(t->rip - ENTRY));
		set_code(t, entry_code, 12);
	}
	set_note(t, "entry_SYSCALL_64/push#6", "orig_ax: the syscall number, kept", "pt_regs.orig_ax rax",
		 "`push %rax` stores the syscall number as `orig_ax`; `ax` will later hold the return value.");
	t = derive(s, 10);      /* PUSH_AND_CLEAR_REGS done */
	at(t, ENTRY + 0x50, SNAP_ANCHOR, "entry_SYSCALL_64+0x50");
	set_code(t, entry_code + 5, 12);
	for (int i = 0; i < 15; i++) {
		struct snap_slot *sl = &t->frame.slots[i];

		sl->filled = true;
		sl->just_written = i == 0;
		sl->value = i == 10 ? (uint64_t)-38 : i == 11 ? USER_SYSCALL + 2 : i == 12 ? 14 :
			    i == 13 ? 0x402000 : i == 14 ? 1 : i == 6 ? 0x246 : 0;
	}
	set_reg(t, "rsp", FRAME);
	set_note(t, "entry_SYSCALL_64/mov#3", "pt_regs is complete", "rsp pt_regs.ax",
		 "All 21 fields are on the stack and RSP points at `r15`, the start of `struct pt_regs`. `ax` holds -ENOSYS until the handler returns.");
	t = derive(s, 11);      /* in C */
	at(t, DO_SYS, SNAP_ANCHOR, "do_syscall_64");
	snprintf(t->source_file, sizeof t->source_file, "kernel/syscall.c");
	t->source_line = 42;
	set_code(t, do_sys_code, 5);
	set_reg(t, "rsp", FRAME - 8); set_reg(t, "rdi", FRAME); set_reg(t, "rsi", 1);
	set_note(t, "do_syscall_64", "do_syscall_64(regs, nr)", "rdi rsi",
		 "The C entry point gets `regs` (the frame) in `rdi` and the number in `rsi`.");
	t = derive(s, 12);      /* sysretq */
	at(t, ENTRY + 0x9f, SNAP_ANCHOR, "entry_SYSCALL_64+0x9f");
	t->source_line = 160;
	set_code(t, entry_code + 14, 7);
	set_reg(t, "rax", 14); set_reg(t, "rsp", 0x7ffffffde0f8);
	set_reg(t, "gs_base", 0); set_reg(t, "k_gs_base", PERCPU);
	t->msrs[SNAP_MSR_GS_BASE].value = 0;
	t->msrs[SNAP_MSR_KERNEL_GS_BASE].value = PERCPU;
	t->frame.slots[10].value = 14;
	set_note(t, "entry_SYSCALL_64/sysretq", "sysretq: back to user mode", "rcx r11 msr.star",
		 "`sysretq` loads RIP from `rcx` and RFLAGS from `r11`; CS and SS come from **STAR[63:48]**.");
	t = derive(s, 13);      /* user mode: MSRs cannot be read at CPL 3, so they are carried */
	at(t, USER_SYSCALL + 2, SNAP_USER, "demo_write+0x13");
	t->source_file[0] = '\0';
	t->source_line = 0;
	t->cpl = 3;
	set_reg(t, "cs", 0x33); set_reg(t, "ss", 0x2b); set_reg(t, "eflags", 0x246);
	for (int m = 0; m < SNAP_MSR_COUNT; m++)
		if (t->msrs[m].source == SNAP_MSR_LIVE)
			t->msrs[m].source = SNAP_MSR_CARRIED;
	set_code(t, user_code, 5);
	t->console = strdup("Hello, world!\n");
	/* the changed marks, as the walk computes them */
	for (int i = 1; i < NSTOPS; i++)
		for (int r = 0; r < s[i].nregs; r++)
			s[i].regs[r].changed = s[i].regs[r].value != s[i - 1].regs[r].value;
}

/* Running the "target" to snaps[TO]: optionally slow (and interruptible), optionally dying. */
static int fx_run(struct fixture *fx, size_t to)
{
	if (!fx->live) {
		snprintf(fx->error, sizeof fx->error, "the target is gone; back, forward and export still work");
		return -EPIPE;
	}
	if (fx->slow_ms > 0) {
		struct pollfd p = { .fd = fx->interrupt_fd, .events = POLLIN };

		int rc;

		/* Like the walk: watch the self-pipe, never read it (the UI drains it). The
		 * signal itself interrupts poll (EINTR): look at the pipe again then. */
		rc = poll(&p, fx->interrupt_fd >= 0 ? 1 : 0, fx->slow_ms);
		if (rc < 0 && errno == EINTR)
			rc = poll(&p, fx->interrupt_fd >= 0 ? 1 : 0, 100);
		if (rc > 0) {
			snprintf(fx->error, sizeof fx->error, "interrupted by the user (Ctrl-C)");
			return -EINTR;
		}
	}
	if (fx->fail_after >= 0 && to > (size_t)fx->fail_after) {
		fx->live = false;
		snprintf(fx->error, sizeof fx->error, "QEMU exited (killed by signal 9); the history stays browsable");
		return -EPIPE;
	}
	if (to >= NSTOPS || fx->revealed >= sizeof fx->hist / sizeof fx->hist[0]) {
		snprintf(fx->error, sizeof fx->error, "the walk is over: this syscall has returned");
		return -ERANGE;
	}
	fx->hist[fx->revealed++] = to;
	fx->pos = fx->revealed - 1;
	return 0;
}

static int fx_act(void *ctx, enum walk_action a)
{
	struct fixture *fx = ctx;
	size_t cur = fx->hist[fx->pos], to;

	fx->error[0] = '\0';
	/* Running from a stop in the past only moves forward through the history: the
	 * target itself is at the newest stop. */
	if ((a == WALK_NEXT || a == WALK_STEPI) && fx->pos + 1 < fx->revealed)
		a = WALK_FORWARD;
	switch (a) {
	case WALK_NEXT:
		for (to = cur + 1; to < NSTOPS && fx->snaps[to].kind == SNAP_STEP; to++)
			;
		return fx_run(fx, to);
	case WALK_STEPI:
		return fx_run(fx, cur + 1);
	case WALK_CONTINUE:
		return fx_run(fx, NSTOPS - 1);
	case WALK_BACK:
		if (fx->pos == 0) {
			snprintf(fx->error, sizeof fx->error, "already at the first stop");
			return -ERANGE;
		}
		fx->pos--;
		return 0;
	case WALK_FORWARD:
		if (fx->pos + 1 >= fx->revealed) {
			snprintf(fx->error, sizeof fx->error, "no later stop in the history: n or s runs on");
			return -ERANGE;
		}
		fx->pos++;
		return 0;
	case WALK_RESTART:
		fx->pos = 0;
		return 0;
	}
	return -EINVAL;
}

static size_t fx_count(void *ctx) { return ((struct fixture *)ctx)->revealed; }
static size_t fx_position(void *ctx) { return ((struct fixture *)ctx)->pos; }
static const char *fx_error(void *ctx) { return ((struct fixture *)ctx)->error; }
static bool fx_live(void *ctx) { return ((struct fixture *)ctx)->live; }
static const char *fx_describe(void *ctx) { (void)ctx; return "fixture"; }
static void fx_set_interrupt_fd(void *ctx, int fd) { ((struct fixture *)ctx)->interrupt_fd = fd; }

static const struct snapshot *fx_at(void *ctx, size_t i)
{
	struct fixture *fx = ctx;
	return i < fx->revealed ? &fx->snaps[fx->hist[i]] : NULL;
}

static const struct stop_source_ops fx_ops = {
	fx_act, fx_count, fx_position, fx_at, fx_error, fx_live, fx_describe, fx_set_interrupt_fd,
};

/* The 'e' key: one line per stop seen, enough to check that export was called. */
static int fx_export(void *ctx, const char *path, char *err, size_t errlen)
{
	struct fixture *fx = ctx;
	FILE *f = fopen(path, "w");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < fx->revealed; i++)
		fprintf(f, "stop %zu: %s\n", i + 1, fx->snaps[fx->hist[i]].location);
	return fclose(f) == 0 ? 0 : -1;
}

static ssize_t fx_console_read(void *ctx, char *buf, size_t cap)
{
	struct fixture *fx = ctx;

	return read(fx->console_fd, buf, cap);
}

int main(void)
{
	static struct fixture fx;
	struct stop_source src = { &fx_ops, &fx };
	struct ui_options opt = ui_options_default();
	const char *e;
	int rc;

	fx.revealed = 1;
	fx.live = true;
	fx.interrupt_fd = -1;
	fx.fail_after = (e = getenv("UI_FIXTURE_FAIL_AFTER")) ? atoi(e) : -1;
	fx.slow_ms = (e = getenv("UI_FIXTURE_SLOW_MS")) ? atoi(e) : 0;
	build(&fx);
	if ((e = getenv("UI_FIXTURE_COLOR")))
		opt.color = strcmp(e, "never") == 0 ? UI_COLOR_NEVER : UI_COLOR_ALWAYS;
	if (getenv("UI_FIXTURE_ASCII"))
		opt.charset = UI_CHARSET_ASCII;
	if (getenv("UI_FIXTURE_INTEL"))
		opt.syntax = UI_SYNTAX_INTEL;
	if ((e = getenv("UI_FIXTURE_CONSOLE"))) {
		int p[2];

		/* The bytes sit in the pipe before ui_run starts: the first poll sees them. */
		if (pipe(p) == 0 && write(p[1], e, strlen(e)) == (ssize_t)strlen(e)) {
			close(p[1]);
			fx.console_fd = p[0];
			opt.console_fd = p[0];
			opt.console_read = fx_console_read;
		}
	}
	opt.export = fx_export;
	opt.ctx = &fx;
	rc = ui_run(&opt, &src);
	for (int i = 0; i < NSTOPS; i++)
		snapshot_free(&fx.snaps[i]);
	return rc;
}
