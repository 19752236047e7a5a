/* walk.c: the walkthrough engine: setting up, running to a syscall, and the actions
 * (next, stepi, continue, back, forward, restart). Snapshots are built in
 * walk_snapshot.c. See walk.h for the model.
 */
#include "walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "snapshot.h"

/* x86_64 Linux kernel stacks are 16 KiB (THREAD_SIZE); the teaching kernel's too. */
#define TASK_STACK_SIZE 16384
/* Addresses at or above this are the kernel's half of the canonical space. */
#define KERNEL_HALF 0xffff800000000000ULL

static int fail(struct walk *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct walk *w, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return code < 0 ? code : -1;
}

/* A failed target operation: say what went wrong in plain words. When QEMU itself has
 * gone, that is the news, not the socket error that revealed it. */
static int fail_target(struct walk *w, int rc, const char *doing)
{
	if (w->qemu_started && !qemu_alive(&w->qemu)) {
		char how[128], why[512];
		qemu_describe_exit(&w->qemu, how, sizeof(how));
		qemu_stderr_text(&w->qemu, why, sizeof(why));
		w->connected = false;
		return fail(w, rc, "QEMU is gone (%s) while %s%s%s; the stops already seen can still be "
			    "browsed and exported", how, doing, why[0] ? ": " : "", why);
	}
	if (rc == RSP_ERR_EOF || rc == TARGET_ERR_EXITED)
		w->connected = false;
	return fail(w, rc, "%s: %s", doing, target_error(&w->target));
}

const char *walk_error(const struct walk *w)
{
	return w->err;
}

/* ---- setting up ---------------------------------------------------------------- */

static int load_symbols(struct walk *w)
{
	symbols_init(&w->syms);
	if (!w->cfg.symbols)
		return 0;
	int rc = strstr(w->cfg.symbols, "System.map") ? symbols_load_system_map(&w->syms, w->cfg.symbols)
						      : symbols_load_elf(&w->syms, w->cfg.symbols);
	if (rc < 0)
		return fail(w, rc, "%s", symbols_error(&w->syms));
	if (w->cfg.user_symbols && (rc = symbols_load_elf(&w->syms, w->cfg.user_symbols)) < 0)
		return fail(w, rc, "%s", symbols_error(&w->syms));
	const struct sym *top = symbols_by_name(&w->syms, "cpu_current_top_of_stack");
	if (top) {
		w->percpu_top_sym = top->addr;
		w->have_percpu_top = true;
	}
	return 0;
}

static int load_debuginfo(struct walk *w)
{
	if (w->cfg.debuginfo && debuginfo_open(&w->dbg, w->cfg.debuginfo, w->cfg.srcroot) == 0)
		w->have_dwarf = true;
	/* Without DWARF the built-in layout serves; debuginfo says which was used. */
	debuginfo_pt_regs(&w->dbg, &w->ptregs);
	return 0;
}

/* Collect every annotation error into one message: a teacher fixes them all at once. */
static int annotation_errors(struct walk *w, const struct annot_set *set, const char *what)
{
	size_t used = (size_t)snprintf(w->err, sizeof(w->err), "%s has %zu error%s:", what,
				       set->nerrors, set->nerrors == 1 ? "" : "s");
	for (size_t i = 0; i < set->nerrors && used < sizeof(w->err); i++)
		used += (size_t)snprintf(w->err + used, sizeof(w->err) - used, "\n  %s", set->errors[i]);
	return -EINVAL;
}

static int load_annotations(struct walk *w)
{
	annot_set_init(&w->notes);
	annot_set_init(&w->glossary);
	int rc = annot_load_dir(&w->notes, w->cfg.annotations);
	if (rc < 0)
		return fail(w, rc, "cannot load annotations from %s", w->cfg.annotations);
	if (w->notes.nerrors)
		return annotation_errors(w, &w->notes, w->cfg.annotations);
	if (w->notes.nnotes == 0)
		return fail(w, -ENOENT, "%s holds no notes (no *.md file with an anchor heading)",
			    w->cfg.annotations);
	if (w->cfg.glossary) {
		rc = annot_load_glossary(&w->glossary, w->cfg.glossary);
		if (rc < 0)
			return fail(w, rc, "cannot load the glossary %s", w->cfg.glossary);
		if (w->glossary.nerrors)
			return annotation_errors(w, &w->glossary, w->cfg.glossary);
	}
	return 0;
}

static int start_target(struct walk *w)
{
	const char *where = w->cfg.attach;
	if (!where) {
		struct qemu_config qc;
		qemu_config_init(&qc);
		qc.binary = w->cfg.qemu_binary;
		qc.kernel = w->cfg.kernel;
		qc.append = w->cfg.append;
		qc.initrd = w->cfg.initrd;
		qc.memory = w->cfg.memory;
		qc.accel = w->cfg.accel;
		qc.cpu = w->cfg.cpu;
		int rc = qemu_start(&w->qemu, &qc);
		if (rc < 0)
			return fail(w, rc, "%s", qemu_error(&w->qemu));
		w->qemu_started = true;
		where = qemu_gdb_socket(&w->qemu);
	}
	int rc = target_open(&w->target, where);
	if (rc < 0)
		return fail_target(w, rc, "connecting to the gdbstub");
	w->target.rsp.timeout_ms = w->cfg.timeout_ms;
	w->connected = true;
	return 0;
}

int walk_open(struct walk *w, const struct walk_config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	w->interrupt_fd = -1;
	w->dbg.fd = -1;
	trace_init(&w->history);
	snprintf(w->history.target, sizeof(w->history.target), "%s", demo_target_name(cfg->target));
	snprintf(w->describe, sizeof(w->describe), "%s", demo_target_name(cfg->target));
	if (w->cfg.timeout_ms <= 0)
		w->cfg.timeout_ms = 10000;
	if (w->cfg.run_timeout_ms <= 0)
		w->cfg.run_timeout_ms = 120000;

	int rc;
	if ((rc = load_symbols(w)) < 0 || (rc = load_debuginfo(w)) < 0 ||
	    (rc = load_annotations(w)) < 0)
		return rc;
	rc = disasm_open(&w->dis, walk_read_memory, w, symbols_symbolize, &w->syms);
	if (rc < 0)
		return fail(w, rc, "%s", disasm_error(&w->dis));
	return start_target(w);
}

void walk_close(struct walk *w)
{
	if (w->connected)
		target_close(&w->target);
	w->connected = false;
	if (w->qemu_started)
		qemu_stop(&w->qemu);
	w->qemu_started = false;
	disasm_close(&w->dis);
	annot_set_free(&w->notes);
	annot_set_free(&w->glossary);
	if (w->have_dwarf)
		debuginfo_close(&w->dbg);
	w->have_dwarf = false;
	symbols_free(&w->syms);
	trace_free(&w->history);
}

/* ---- memory -------------------------------------------------------------------- */

static uint64_t reg(const struct walk *w, const char *name)
{
	int i = target_reg_index(&w->target, name);
	return i >= 0 && w->regs_valid ? w->regs.value[i] : 0;
}

int walk_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct walk *w = ctx;
	int rc = target_read_mem(&w->target, addr, buf, len);
	if (rc != TARGET_ERR_MEMORY || addr < KERNEL_HALF || !w->regs_valid)
		return rc;
	/* Under page-table isolation the user PGD is loaded from SYSCALL until the CR3
	 * switch, and again from the switch back until SYSRET: it maps only the entry
	 * text and the per-CPU entry area. The kernel PGD is the other half of the same
	 * 8 KiB pair (bit 12 clear, Linux's PTI_USER_PGTABLE_MASK), so read through it. */
	uint64_t kernel_pgd = reg(w, "cr3") & 0x000ffffffffff000ULL & ~0x1000ULL;
	w->stats.phys_reads++;
	return target_read_virt_phys(&w->target, kernel_pgd, addr, buf, len);
}

/* ---- breakpoints ----------------------------------------------------------------- */

static void remove_all_breakpoints(struct walk *w)
{
	while (w->target.nbps > 0)
		if (target_break_remove(&w->target, w->target.bps[w->target.nbps - 1].addr) < 0)
			break;
	w->anchors_set = false;
}

static int resolver_lookup(void *ctx, const char *name, uint64_t *addr, uint64_t *size)
{
	struct walk *w = ctx;
	const struct sym *s = symbols_by_name(&w->syms, name);
	if (!s)
		return -ENOENT;
	*addr = s->addr;
	*size = s->size;
	if (*size == 0) {
		uint64_t start;
		symbols_function(&w->syms, s->addr, &start, size);
	}
	return 0;
}

static int resolver_find(void *ctx, uint64_t start, uint64_t size, const char *mnemonic, int n,
			 uint64_t *addr)
{
	struct walk *w = ctx;
	int rc = disasm_find_mnemonic(&w->dis, start, size, mnemonic, n, addr);
	return rc == 0 ? n : rc == -ENOENT ? 0 : rc;
}

/* Is page-table isolation on in this boot? Read what the CPU executes, not what the
 * source says: Linux assembles SWITCH_TO_KERNEL_CR3 as "jmp over; mov %cr3, ..." and
 * patches the jmp out at boot only when PTI is on; the teaching kernel's nopti build has
 * no CR3 code at all. So the first of the two that entry_SYSCALL_64 meets decides. */
static void detect_pti(struct walk *w)
{
	const struct sym *entry = symbols_by_name(&w->syms, "entry_SYSCALL_64");
	struct snap_insn insns[16];
	int n = entry ? disasm_decode_at(&w->dis, entry->addr, 0, insns, 16) : -1;
	const char *verdict = "page-table isolation unknown";
	for (int i = 0; i < n; i++) {
		if (strncmp(insns[i].att, "jmp", 3) == 0) {
			verdict = "page-table isolation off";
			break;
		}
		if (strstr(insns[i].att, "%cr3")) {
			verdict = "page-table isolation on";
			break;
		}
	}
	if (n > 0 && strcmp(verdict, "page-table isolation unknown") == 0)
		verdict = "page-table isolation off";
	snprintf(w->describe, sizeof(w->describe), "%s, %s", demo_target_name(w->cfg.target), verdict);
}

/* Anchors are resolved at the first kernel stop, not at load: "SYMBOL/MNEMONIC#N" needs
 * the code the CPU runs, and Linux patches its text (alternatives) while it boots. */
static int resolve_anchors(struct walk *w)
{
	if (w->notes_resolved)
		return 0;
	struct annot_resolver r = { .ctx = w, .lookup_symbol = resolver_lookup, .find_mnemonic = resolver_find };
	annot_resolve(&w->notes, &r);
	if (w->notes.nerrors)
		return annotation_errors(w, &w->notes, w->cfg.annotations);
	w->notes_resolved = true;
	detect_pti(w);
	return 0;
}

static int set_anchor_breakpoints(struct walk *w)
{
	if (w->anchors_set)
		return 0;
	for (size_t i = 0; i < w->notes.nnotes; i++) {
		const struct annot_note *n = &w->notes.notes[i];
		if (!n->resolved || target_break_at(&w->target, n->addr))
			continue;
		int rc = target_break_insert(&w->target, n->addr);
		if (rc < 0)
			return fail_target(w, rc, "setting a breakpoint on an annotated stop");
	}
	w->anchors_set = true;
	return 0;
}

static int env_variable(void *ctx, const char *name, size_t len, uint64_t *value);

/* ---- running to a syscall ------------------------------------------------------ */

static int read_regs(struct walk *w)
{
	int rc = target_read_regs(&w->target, &w->regs);
	w->regs_valid = rc == 0;
	return rc < 0 ? fail_target(w, rc, "reading the registers") : 0;
}

static int cpl(const struct walk *w)
{
	return (int)(reg(w, "cs") & 3);
}

/* Where this syscall's struct pt_regs will be: just below the top of the task stack,
 * which the per-CPU variable cpu_current_top_of_stack holds. Before SWAPGS the
 * kernel's per-CPU base is in KERNEL_GS_BASE, after it in GS_BASE. */
static void locate_frame(struct walk *w)
{
	struct walk_syscall_state *s = &w->sys;
	s->frame_known = false;
	if (!w->have_percpu_top)
		return;
	uint64_t gs = reg(w, "gs_base"), kgs = reg(w, "k_gs_base");
	uint64_t percpu = gs >= KERNEL_HALF ? gs : kgs;
	uint64_t top;
	if (walk_read_memory(w, percpu + w->percpu_top_sym, &top, sizeof(top)) < 0)
		return;
	s->frame_base = top - w->ptregs.size;
	s->frame_low = top;
	s->stack_low = top - TASK_STACK_SIZE;
	s->frame_known = true;
}

/* Is the CPU, stopped at an entry point, in one of the demo's syscalls? */
static const struct demo_syscall *recognise(struct walk *w, const struct demo_syscall *want)
{
	uint64_t rip = reg(w, "rip"), rax = reg(w, "rax");
	int n;
	const struct demo_syscall *all = demo_syscalls(w->cfg.target, &n);
	for (int i = 0; i < n; i++) {
		const struct demo_syscall *sc = &all[i];
		const struct sym *entry = symbols_by_name(&w->syms, sc->entry);
		if (!entry || entry->addr != rip || sc->rax != rax || (want && want != sc))
			continue;
		/* The user's return address: SYSCALL leaves it in RCX, an interrupt gate pushes
		 * it at the top of the stack. It must be the instruction after the demo's own
		 * syscall (other code issues the same numbers: Linux's init prints a banner). */
		uint64_t ret = reg(w, "rcx");
		if (strcmp(sc->entry, "entry_SYSCALL_64") != 0 &&
		    walk_read_memory(w, reg(w, "rsp"), &ret, sizeof(ret)) < 0)
			continue;
		const struct sym *user = symbols_by_name(&w->syms, sc->user_label);
		if (user ? ret != user->addr + 2 : ret >= KERNEL_HALF)
			continue;
		return sc;
	}
	return NULL;
}

static int insert_entry_breakpoints(struct walk *w, const struct demo_syscall *want)
{
	int n;
	const struct demo_syscall *all = demo_syscalls(w->cfg.target, &n);
	for (int i = 0; i < n; i++) {
		if (want && want != &all[i])
			continue;
		const struct sym *entry = symbols_by_name(&w->syms, all[i].entry);
		if (!entry)
			return fail(w, -ENOENT, "no symbol '%s' in %s: cannot find the syscall entry",
				    all[i].entry, w->cfg.symbols ? w->cfg.symbols : "the symbol table");
		/* Stop at the user's syscall instruction too, when the demo's symbols say where
		 * it is: the registers there are the "before" that the entry is compared with. */
		const struct sym *user = symbols_by_name(&w->syms, all[i].user_label);
		uint64_t where[2] = { entry->addr, user ? user->addr : 0 };
		for (int k = 0; k < 2; k++) {
			if (!where[k] || target_break_at(&w->target, where[k]))
				continue;
			int rc = target_break_insert(&w->target, where[k]);
			if (rc < 0)
				return fail_target(w, rc, "setting a breakpoint on the syscall entry");
		}
	}
	return 0;
}

/* A stop at one of the demo's user syscall instructions: keep its registers. */
static bool at_user_syscall(struct walk *w, const struct demo_syscall *want)
{
	if (cpl(w) != 3)
		return false;
	uint64_t rip = reg(w, "rip"), rax = reg(w, "rax");
	int n;
	const struct demo_syscall *all = demo_syscalls(w->cfg.target, &n);
	for (int i = 0; i < n; i++) {
		const struct sym *user = symbols_by_name(&w->syms, all[i].user_label);
		if (user && user->addr == rip && all[i].rax == rax && (!want || want == &all[i])) {
			w->sys.user_regs = w->regs;
			w->sys.have_user_regs = true;
			return true;
		}
	}
	return false;
}

/* Run until the CPU enters WANT (any demo syscall when NULL), then set up the walk of it:
 * the frame's place, the anchors, and the first snapshot. */
static int run_to_syscall(struct walk *w, const struct demo_syscall *want)
{
	remove_all_breakpoints(w);
	int rc = insert_entry_breakpoints(w, want);
	if (rc < 0)
		return rc;
	const struct demo_syscall *sc = NULL;
	w->sys.have_user_regs = false;
	while (!sc) {
		struct target_stop stop;
		rc = target_continue(&w->target, w->cfg.run_timeout_ms, &stop);
		if (rc < 0)
			return fail_target(w, rc, want ? "running to the syscall" : "running to the next syscall");
		if ((rc = read_regs(w)) < 0)
			return rc;
		if (w->target.rsp.interrupted)
			return fail(w, -EINTR, "interrupted while running to the next syscall");
		if (at_user_syscall(w, want))
			continue;
		sc = recognise(w, want);
		if (!sc)
			w->stats.skipped_stops++;
	}
	struct walk_syscall_state fresh = { .sc = sc };
	if (w->sys.have_user_regs && w->sys.user_regs.value[target_reg_index(&w->target, "rax")] == sc->rax) {
		fresh.have_user_regs = true;
		fresh.user_regs = w->sys.user_regs;
	}
	w->sys = fresh;
	locate_frame(w);
	remove_all_breakpoints(w);
	if ((rc = resolve_anchors(w)) < 0 || (rc = set_anchor_breakpoints(w)) < 0)
		return rc;
	/* Whatever path the kernel takes back, the return to the user's next instruction
	 * ends the walk: a path without an annotated exit must not run on into the next
	 * syscall. (rt_sigreturn returns elsewhere; its iretq is annotated.) */
	uint64_t user_return;
	if (env_variable(w, "user_return", 11, &user_return) == 0 &&
	    !target_break_at(&w->target, user_return) &&
	    (rc = target_break_insert(&w->target, user_return)) < 0)
		return fail_target(w, rc, "setting a breakpoint on the user's return address");
	return 0;
}

/* ---- taking snapshots ---------------------------------------------------------- */

static int record(struct walk *w, enum snap_kind kind)
{
	struct snapshot s;
	int rc = walk_snapshot(w, kind, &s);
	if (rc < 0) {
		snapshot_free(&s);
		return rc;
	}
	rc = trace_append(&w->history, &s);
	snapshot_free(&s);
	if (rc < 0)
		return fail(w, rc, "cannot keep another stop in the history (%s)", strerror(-rc));
	w->pos = w->history.n - 1;
	w->stats.stops++;
	return 0;
}

int walk_start(struct walk *w)
{
	int rc = run_to_syscall(w, w->cfg.syscall);
	return rc < 0 ? rc : record(w, SNAP_ANCHOR);
}

bool walk_finished(const struct walk *w)
{
	return w->sys.sc == NULL || w->sys.finished;
}

const struct snapshot *walk_current(const struct walk *w)
{
	return w->history.n ? &w->history.snaps[w->pos] : NULL;
}

/* The instruction at RIP returns to user mode: the next step leaves the kernel. */
static bool at_return_to_user(const struct walk *w)
{
	const struct snapshot *s = walk_current(w);
	for (int i = 0; s && i < s->ninsns; i++)
		if (s->insns[i].current)
			return strncmp(s->insns[i].att, "sysret", 6) == 0 ||
			       strncmp(s->insns[i].att, "iret", 4) == 0;
	return false;
}

/* A breakpoint hit that belongs to this syscall. On Linux other tasks run the same
 * kernel code; their stops have RSP on another kernel stack. The entry text (between
 * __entry_text_start and __entry_text_end, in Linux and in the teaching kernel) runs
 * on the user, trampoline or task stack, and only for the task that trapped: ours. */
static bool stop_is_ours(const struct walk *w)
{
	const struct walk_syscall_state *s = &w->sys;
	uint64_t rsp = reg(w, "rsp"), rip = reg(w, "rip");
	if (w->cfg.target == TARGET_TEACH || !s->frame_known || rsp < KERNEL_HALF)
		return true;
	if (rsp >= s->stack_low && rsp <= s->frame_base + w->ptregs.size)
		return true;
	const struct sym *start = symbols_by_name(&w->syms, "__entry_text_start");
	const struct sym *end = symbols_by_name(&w->syms, "__entry_text_end");
	return start && end && rip >= start->addr && rip < end->addr;
}

/* An interrupt that arrived while the handler ran leaves through the same IRET code as
 * a syscall does; its IRET frame returns to ring 0, a syscall's to ring 3. */
static bool interrupt_return(struct walk *w)
{
	uint8_t code[2];
	uint64_t rip = reg(w, "rip"), frame[2];
	if (disasm_cache_read(&w->dis, rip, code, 2) != 2)
		return false;
	bool iretq = code[0] == 0x48 && code[1] == 0xcf;
	return iretq && walk_read_memory(w, reg(w, "rsp"), frame, sizeof(frame)) == 0 &&
	       (frame[1] & 3) == 0;
}

static int step_once(struct walk *w)
{
	int rc = target_step(&w->target, NULL);
	if (rc < 0)
		return fail_target(w, rc, "stepping one instruction");
	if ((rc = read_regs(w)) < 0)
		return rc;
	if (cpl(w) == 3) {
		w->sys.finished = true;
		return record(w, SNAP_USER);
	}
	return record(w, annot_find_by_addr(&w->notes, reg(w, "rip")) ? SNAP_ANCHOR : SNAP_STEP);
}

static int run_to_anchor(struct walk *w)
{
	int rc = set_anchor_breakpoints(w);
	if (rc < 0)
		return rc;
	for (;;) {
		rc = target_continue(&w->target, w->cfg.timeout_ms, NULL);
		if (rc < 0)
			return fail_target(w, rc, "running to the next annotated stop");
		if ((rc = read_regs(w)) < 0)
			return rc;
		if (cpl(w) == 3) {       /* left the kernel by a path without an annotated exit */
			w->sys.finished = true;
			return record(w, SNAP_USER);
		}
		if (w->target.rsp.interrupted)
			return record(w, SNAP_STEP);
		if (stop_is_ours(w) && !interrupt_return(w))
			return record(w, SNAP_ANCHOR);
		w->stats.skipped_stops++;
	}
}

static int live_check(struct walk *w, const char *action)
{
	if (!w->connected)
		return fail(w, -ENOTCONN, "cannot %s: the target is gone; the stops already seen can "
			    "still be browsed (b/f) and exported", action);
	if (!w->sys.sc)
		return fail(w, -EINVAL, "no syscall in progress: c runs to the next one");
	if (w->sys.finished)
		return fail(w, -ERANGE, "the walk of %s is over (back in user mode): c runs to the next "
			    "syscall, r walks this one again", w->sys.sc->name);
	return 0;
}

int walk_act(struct walk *w, enum walk_action a)
{
	w->err[0] = '\0';
	bool at_end = w->history.n == 0 || w->pos + 1 >= w->history.n;
	int rc;
	switch (a) {
	case WALK_BACK:
		if (w->pos == 0)
			return fail(w, -ERANGE, "already at the first stop");
		w->pos--;
		return 0;
	case WALK_FORWARD:
		if (at_end)
			return fail(w, -ERANGE, "already at the newest stop: n or s runs further");
		w->pos++;
		return 0;
	case WALK_NEXT:
	case WALK_STEPI:
		if (!at_end) {           /* browsing the history: move through it, run nothing */
			w->pos++;
			return 0;
		}
		if ((rc = live_check(w, a == WALK_NEXT ? "run to the next stop" : "step")) < 0)
			return rc;
		if (a == WALK_STEPI || at_return_to_user(w))
			return step_once(w);
		return run_to_anchor(w);
	case WALK_CONTINUE:
		if (!w->connected)
			return live_check(w, "continue");
		w->pos = w->history.n - 1;
		if ((rc = run_to_syscall(w, NULL)) < 0)
			return rc;
		return record(w, SNAP_ANCHOR);
	case WALK_RESTART: {
		if (!w->connected)
			return live_check(w, "restart");
		/* The demo repeats the same syscalls forever, so the next time this syscall is
		 * entered the same instructions run again: a fresh walk of it. */
		const struct demo_syscall *sc = w->sys.sc ? w->sys.sc : w->cfg.syscall;
		if ((rc = run_to_syscall(w, sc)) < 0)
			return rc;
		struct trace old = w->history;
		trace_init(&w->history);
		memcpy(w->history.target, old.target, sizeof(old.target));
		trace_free(&old);
		return record(w, SNAP_ANCHOR);
	}
	}
	return fail(w, -EINVAL, "unknown action %d", (int)a);
}

/* ---- expressions over a stop --------------------------------------------------- */

static int env_symbol(void *ctx, const char *name, size_t len, uint64_t *value)
{
	struct walk *w = ctx;
	char buf[256];
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	const struct sym *s = symbols_by_name(&w->syms, buf);
	if (!s)
		return -1;
	*value = s->addr;
	return 0;
}

static int env_variable(void *ctx, const char *name, size_t len, uint64_t *value)
{
	struct walk *w = ctx;
	const struct walk_syscall_state *sys = &w->sys;
	char buf[64];
	if (len >= sizeof(buf) || !sys->sc)
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	const struct sym *user = symbols_by_name(&w->syms, sys->sc->user_label);
	if (strcmp(buf, "nr") == 0)
		*value = sys->sc->rax;
	else if (strcmp(buf, "user_rip") == 0 && user)
		*value = user->addr;
	else if (strcmp(buf, "user_return") == 0 && user)
		*value = user->addr + 2;      /* syscall (0f 05) and int $0x80 (cd 80) are 2 bytes */
	else if (strcmp(buf, "frame") == 0 && sys->frame_known)
		*value = sys->frame_base;
	else if (strcmp(buf, "frame_top") == 0 && sys->frame_known)
		*value = sys->frame_base + w->ptregs.size;
	else if (strcmp(buf, "percpu") == 0 && w->regs_valid)
		*value = reg(w, "gs_base") >= KERNEL_HALF ? reg(w, "gs_base") : reg(w, "k_gs_base");
	else if (strncmp(buf, "user.", 5) == 0 && sys->have_user_regs) {
		int i = target_reg_index(&w->target, buf + 5);
		if (i < 0)
			return -1;
		*value = sys->user_regs.value[i];
	} else
		return -1;
	return 0;
}

void walk_expr_env(struct walk *w, const struct snapshot *s, struct expr_env *env)
{
	*env = (struct expr_env){ .snap = s, .ctx = w, .symbol = env_symbol, .variable = env_variable };
}

/* ---- the stop source over the walk --------------------------------------------- */

static int src_act(void *ctx, enum walk_action a) { return walk_act(ctx, a); }
static size_t src_count(void *ctx) { return ((struct walk *)ctx)->history.n; }
static size_t src_position(void *ctx) { return ((struct walk *)ctx)->pos; }
static const char *src_error(void *ctx) { return ((struct walk *)ctx)->err; }
static bool src_live(void *ctx) { return ((struct walk *)ctx)->connected; }
static const char *src_describe(void *ctx) { return ((struct walk *)ctx)->describe; }

static const struct snapshot *src_at(void *ctx, size_t i)
{
	struct walk *w = ctx;
	return i < w->history.n ? &w->history.snaps[i] : NULL;
}

static void src_set_interrupt_fd(void *ctx, int fd)
{
	struct walk *w = ctx;
	w->interrupt_fd = fd;
	target_set_interrupt_fd(&w->target, fd);
}

static const struct stop_source_ops walk_source_ops = {
	.act = src_act,
	.count = src_count,
	.position = src_position,
	.at = src_at,
	.error = src_error,
	.live = src_live,
	.describe = src_describe,
	.set_interrupt_fd = src_set_interrupt_fd,
};

struct stop_source walk_source(struct walk *w)
{
	return (struct stop_source){ .ops = &walk_source_ops, .ctx = w };
}
