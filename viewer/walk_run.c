/* walk_run.c: running the CPU: to a demo syscall's entry, from anchor to anchor, one
 * instruction at a time; and the actions of stops.h on top of that (next, stepi,
 * continue, back, forward, restart). Every stop is recorded as a snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk.h"
#include "walk_internal.h"
#include "errcode.h"

/* x86_64 Linux kernel stacks are 16 KiB (THREAD_SIZE); the teaching kernel's too. */
#define TASK_STACK_SIZE 16384

/* A stop that repeats the last one is retried this many times (no_progress). */
#define MAX_NO_PROGRESS 8


/* ---- running to a syscall ------------------------------------------------------ */

int walk_read_regs(struct walk *w)
{
	int rc = target_read_regs(&w->target, &w->regs);
	w->regs_valid = rc == 0;
	return rc < 0 ? walk_fail_target(w, rc, "reading the registers") : 0;
}

static int cpl(const struct walk *w)
{
	return (int)(walk_reg(w, "cs") & 3);
}

/* Where this syscall's struct pt_regs will be: just below the top of the task stack,
 * which the per-CPU variable cpu_current_top_of_stack holds (walk_percpu_address). */
static void locate_frame(struct walk *w)
{
	struct walk_syscall_state *s = &w->sys;
	s->frame_known = false;
	if (!w->have_percpu_top)
		return;
	uint64_t top;
	if (walk_read_memory(w, walk_percpu_address(w, w->percpu_top_sym), &top, sizeof(top)) < 0)
		return;
	s->frame_base = top - w->ptregs.size;
	s->frame_low = top;
	s->stack_low = top - TASK_STACK_SIZE;
	s->frame_known = true;
}

/* Is the CPU, stopped at an entry point, in one of the demo's syscalls? */
static const struct demo_syscall *recognise(struct walk *w, const struct demo_syscall *want)
{
	uint64_t rip = walk_reg(w, "rip"), rax = walk_reg(w, "rax");
	int n = w->cfg.kt->nsyscalls;
	const struct demo_syscall *all = w->cfg.kt->syscalls;
	for (int i = 0; i < n; i++) {
		const struct demo_syscall *sc = &all[i];
		const struct sym *entry = symbols_by_name(&w->syms, sc->entry);
		if (!entry || entry->addr != rip || sc->rax != rax || (want && want != sc))
			continue;
		/* The user's return address: SYSCALL leaves it in RCX, an interrupt gate pushes
		 * it at the top of the stack. It must be the instruction after the demo's own
		 * syscall (other code issues the same numbers: Linux's init prints a banner). */
		uint64_t ret = walk_reg(w, "rcx");
		if (strcmp(sc->entry, "entry_SYSCALL_64") != 0 &&
		    walk_read_memory(w, walk_reg(w, "rsp"), &ret, sizeof(ret)) < 0)
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
	int n = w->cfg.kt->nsyscalls;
	const struct demo_syscall *all = w->cfg.kt->syscalls;
	for (int i = 0; i < n; i++) {
		if (want && want != &all[i])
			continue;
		const struct sym *entry = symbols_by_name(&w->syms, all[i].entry);
		if (!entry)
			return walk_fail(w, -ENOENT, "no symbol '%s' in %s: cannot find the syscall entry",
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
				return walk_fail_target(w, rc, "setting a breakpoint on the syscall entry");
		}
	}
	return 0;
}

/* A stop at one of the demo's user syscall instructions: keep its registers. */
const struct demo_syscall *walk_at_user_syscall(struct walk *w, const struct demo_syscall *want)
{
	if (cpl(w) != 3)
		return NULL;
	uint64_t rip = walk_reg(w, "rip"), rax = walk_reg(w, "rax");
	int n = w->cfg.kt->nsyscalls;
	const struct demo_syscall *all = w->cfg.kt->syscalls;
	for (int i = 0; i < n; i++) {
		const struct sym *user = symbols_by_name(&w->syms, all[i].user_label);
		if (user && user->addr == rip && all[i].rax == rax && (!want || want == &all[i])) {
			w->sys.user_regs = w->regs;
			w->sys.have_user_regs = true;
			return &all[i];
		}
	}
	return NULL;
}

/* At the demo's syscall instruction: step into the kernel and check that the symbols
 * name the entry the CPU reached. A symbol file of another kernel would put every
 * breakpoint on the wrong bytes: say so now, naming the file, rather than let the walk
 * wait for stops that never come. */
static int enter_from_user(struct walk *w, const struct demo_syscall *sc)
{
	int rc;
	for (int tries = 0; tries <= MAX_NO_PROGRESS; tries++) {
		if ((rc = target_step(&w->target, NULL)) < 0)
			return walk_fail_target(w, rc, "stepping into the kernel");
		if ((rc = walk_read_regs(w)) < 0)
			return rc;
		if (cpl(w) == 0)
			break;
	}
	const struct sym *entry = symbols_by_name(&w->syms, sc->entry);
	uint64_t at = walk_reg(w, "rip");
	if (cpl(w) != 0 || !entry || entry->addr == at)
		return 0;
	return walk_fail(w, -EPROTO, "the symbols in %s do not belong to this kernel: the %s syscall "
			 "entered the kernel at 0x%llx, but that file puts %s at 0x%llx. Give the kernel's "
			 "own vmlinux or System.map with --symbols", w->cfg.symbols ? w->cfg.symbols : "the symbol file",
			 sc->name, (unsigned long long)at, sc->entry, (unsigned long long)entry->addr);
}

/* Run until the CPU enters WANT (any demo syscall when NULL), then set up the walk of it:
 * the frame's place, the anchors, and the first snapshot. */
static int run_to_syscall(struct walk *w, const struct demo_syscall *want)
{
	const struct demo_syscall *sc = NULL;
	int rc;
	w->sys.have_user_regs = false;
	/* A kernel without symbols (Debian's image without the -dbg package): find the
	 * entry by following the demo's own syscall instruction (walk_discover.c). That
	 * leaves the CPU at the entry already. */
	if (walk_needs_discovery(w, want)) {
		const struct demo_syscall *found = NULL;
		if ((rc = walk_discover(w, want, &found)) < 0)
			return rc;
		if (!(sc = recognise(w, found)))
			return walk_fail(w, -EPROTO, "followed the %s syscall into the kernel, but the stop "
					 "there is not its entry (rip 0x%llx)", found->name,
					 (unsigned long long)walk_reg(w, "rip"));
	} else {
		walk_remove_breakpoints(w);
		if ((rc = insert_entry_breakpoints(w, want)) < 0)
			return rc;
		/* From the saved machine state the CPU is at the user's syscall instruction
		 * already: the stop the loop below would otherwise wait for. */
		if ((rc = walk_read_regs(w)) < 0)
			return rc;
		const struct demo_syscall *at = walk_at_user_syscall(w, want);
		if (at) {
			if ((rc = enter_from_user(w, at)) < 0)
				return rc;
			sc = recognise(w, want);
		}
	}
	for (unsigned rounds = 0; !sc; ) {
		struct target_stop stop;
		const char *doing = want ? "running to the syscall" : "running to the next syscall";
		if ((rc = target_guard(&w->target, &rounds, doing)) < 0)
			return walk_fail(w, rc, "%s (none of the stops was the demo's %s: is %s the demo "
					 "running on this kernel?)", target_error(&w->target),
					 want ? want->name : "syscall", w->cfg.user_symbols ? w->cfg.user_symbols : "the demo");
		rc = target_continue(&w->target, w->cfg.run_timeout_ms, &stop);
		if (rc == RSP_ERR_TIMEOUT) {
			char doing[600];
			snprintf(doing, sizeof(doing), "running to the demo's syscall (it never came: did the "
				 "kernel boot and start the demo? The breakpoints came from %s; if that is not "
				 "this kernel's, give its own with --symbols)",
				 w->cfg.symbols ? w->cfg.symbols : "no symbol file");
			return walk_fail_target(w, rc, doing);
		}
		if (rc < 0)
			return walk_fail_target(w, rc, want ? "running to the syscall" : "running to the next syscall");
		if ((rc = walk_read_regs(w)) < 0)
			return rc;
		if (w->target.rsp.interrupted)
			return walk_fail(w, -EINTR, "interrupted while running to the next syscall");
		/* At the demo's own syscall instruction: step through it. The CPU lands where
		 * LSTAR (or the IDT) points, which the symbol file must agree with. */
		const struct demo_syscall *at = walk_at_user_syscall(w, want);
		if (at && (rc = enter_from_user(w, at)) < 0)
			return rc;
		sc = recognise(w, want);
		if (!sc)
			w->stats.skipped_stops++;
	}
	struct walk_syscall_state fresh = { .sc = sc, .msrs_pending = true };
	if (w->sys.have_user_regs && w->sys.user_regs.value[target_reg_index(&w->target, "rax")] == sc->rax) {
		fresh.have_user_regs = true;
		fresh.user_regs = w->sys.user_regs;
	}
	w->sys = fresh;
	locate_frame(w);
	walk_remove_breakpoints(w);
	if ((rc = walk_resolve_anchors(w)) < 0 || (rc = walk_set_anchor_breakpoints(w)) < 0)
		return rc;
	/* Whatever path the kernel takes back, the return to the user's next instruction
	 * ends the walk: a path without an annotated exit must not run on into the next
	 * syscall. (rt_sigreturn returns elsewhere; its iretq is annotated.) */
	uint64_t user_return;
	if (walk_env_variable(w, "user_return", 11, &user_return) == 0 &&
	    !target_break_at(&w->target, user_return) &&
	    (rc = target_break_insert(&w->target, user_return)) < 0)
		return walk_fail_target(w, rc, "setting a breakpoint on the user's return address");
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
		return walk_fail(w, rc, "cannot keep another stop in the history (%s)", errcode_strerror(rc));
	w->pos = w->history.n - 1;
	w->stats.stops++;
	w->sys.last_regs = w->regs;
	w->sys.recorded = true;
	return 0;
}

/* QEMU's gdbstub can answer a step (or the step over a breakpoint that starts a
 * continue) without having run the instruction, when something else asked the vCPU to
 * stop at that moment (seen under load, a few times in a hundred walks): the stop then
 * repeats the last one exactly. Such a stop is no news and is not recorded; the
 * action is simply made again. Registers are compared, not only RIP: a rep-prefixed
 * instruction stays at one RIP while RCX counts down. */
static bool no_progress(const struct walk *w)
{
	if (!w->sys.recorded || !w->regs_valid)
		return false;
	const struct target_regs *a = &w->regs, *b = &w->sys.last_regs;
	for (int i = 0; i < w->target.map.count; i++)
		if (a->valid[i] != b->valid[i] || (a->valid[i] && a->value[i] != b->value[i]))
			return false;
	return true;
}

int walk_start(struct walk *w)
{
	int rc = walk_goto(w, w->cfg.syscall);
	if (rc == 0)
		walk_cache_ahead(w);
	return rc;
}

int walk_goto(struct walk *w, const struct demo_syscall *sc)
{
	char why[256];
	if (!w->connected)
		return walk_fail(w, -ENOTCONN, "%s", w->gone[0] ? w->gone : "the target is gone");
	if (sc && !walk_syscall_available(w, sc, why, sizeof(why)))
		return walk_fail(w, -ENOSYS, "%s", why);
	w->pos = w->history.n ? w->history.n - 1 : 0;
	int rc = run_to_syscall(w, sc);
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
	uint64_t rsp = walk_reg(w, "rsp"), rip = walk_reg(w, "rip");
	if (w->cfg.kt == kernels_default() || !s->frame_known || rsp < KERNEL_HALF)
		return true;
	if (rsp >= s->stack_low && rsp <= s->frame_base + w->ptregs.size)
		return true;
	return rip >= w->entry_text_lo && rip < w->entry_text_hi;
}

/* An interrupt that arrived while the handler ran leaves through the same IRET code as
 * a syscall does; its IRET frame returns to ring 0, a syscall's to ring 3. */
static bool interrupt_return(struct walk *w)
{
	uint8_t code[2];
	uint64_t rip = walk_reg(w, "rip"), frame[2];
	if (disasm_cache_read(&w->dis, rip, code, 2) != 2)
		return false;
	bool iretq = code[0] == 0x48 && code[1] == 0xcf;
	return iretq && walk_read_memory(w, walk_reg(w, "rsp"), frame, sizeof(frame)) == 0 &&
	       (frame[1] & 3) == 0;
}

static int step_once(struct walk *w)
{
	int rc;
	for (int tries = 0;; tries++) {
		if ((rc = target_step(&w->target, NULL)) < 0)
			return walk_fail_target(w, rc, "stepping one instruction");
		if ((rc = walk_read_regs(w)) < 0)
			return rc;
		if (!no_progress(w))
			break;
		w->stats.repeated_stops++;
		if (tries == MAX_NO_PROGRESS)
			return walk_fail(w, -EAGAIN, "the CPU did not move on in %d steps at 0x%llx",
					 MAX_NO_PROGRESS + 1, (unsigned long long)walk_reg(w, "rip"));
	}
	if (cpl(w) == 3) {
		w->sys.finished = true;
		return record(w, SNAP_USER);
	}
	return record(w, annot_find_by_addr(&w->notes, walk_reg(w, "rip")) ? SNAP_ANCHOR : SNAP_STEP);
}

static int run_to_anchor(struct walk *w)
{
	int rc = walk_set_anchor_breakpoints(w);
	if (rc < 0)
		return rc;
	for (unsigned rounds = 0, repeats = 0;;) {
		if ((rc = target_guard(&w->target, &rounds, "running to the next annotated stop")) < 0)
			return walk_fail(w, rc, "%s", target_error(&w->target));
		rc = target_continue(&w->target, w->cfg.timeout_ms, NULL);
		if (rc < 0)
			return walk_fail_target(w, rc, "running to the next annotated stop");
		if ((rc = walk_read_regs(w)) < 0)
			return rc;
		if (no_progress(w) && !w->target.rsp.interrupted) {
			w->stats.repeated_stops++;
			if (++repeats > MAX_NO_PROGRESS)
				return walk_fail(w, -EAGAIN, "the CPU did not move on from 0x%llx in %d tries",
						 (unsigned long long)walk_reg(w, "rip"), MAX_NO_PROGRESS + 1);
			continue;
		}
		if (cpl(w) == 3) {       /* left the kernel by a path without an annotated exit */
			w->sys.finished = true;
			return record(w, SNAP_USER);
		}
		if (w->target.rsp.interrupted)
			return record(w, SNAP_STEP);
		if (stop_is_ours(w) && !interrupt_return(w))
			return record(w, annot_find_by_addr(&w->notes, walk_reg(w, "rip")) ? SNAP_ANCHOR
											    : SNAP_STEP);
		w->stats.skipped_stops++;
	}
}

static int live_check(struct walk *w)
{
	if (!w->connected)
		return walk_fail(w, -ENOTCONN, "%s; the stops already seen can still be browsed "
				 "(b/f) and exported", w->gone[0] ? w->gone : "the target is gone");
	if (!w->sys.sc)
		return walk_fail(w, -EINVAL, "no syscall in progress: c runs to the next one");
	if (w->sys.finished)
		return walk_fail(w, -ERANGE, "the walk of %s is over (back in user mode): c runs to the next "
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
			return walk_fail(w, -ERANGE, "already at the first stop");
		w->pos--;
		return 0;
	case WALK_FORWARD:
		if (at_end)
			return walk_fail(w, -ERANGE, "already at the newest stop: n or s runs further");
		w->pos++;
		return 0;
	case WALK_NEXT:
	case WALK_STEPI:
		if (!at_end) {           /* browsing the history: move through it, run nothing */
			w->pos++;
			return 0;
		}
		if ((rc = live_check(w)) < 0)
			return rc;
		if (a == WALK_STEPI || at_return_to_user(w))
			return step_once(w);
		return run_to_anchor(w);
	case WALK_CONTINUE:
		if (!w->connected)
			return live_check(w);
		w->pos = w->history.n - 1;
		if ((rc = run_to_syscall(w, NULL)) < 0)
			return rc;
		return record(w, SNAP_ANCHOR);
	case WALK_RESTART: {
		if (!w->connected)
			return live_check(w);
		/* Back to the saved machine state when there is one (walk_rewind); without
		 * it, the demo repeats the same syscalls forever, so the next time this
		 * syscall is entered the same instructions run again: a fresh walk of it. */
		const struct demo_syscall *sc = w->sys.sc ? w->sys.sc : w->cfg.syscall;
		if ((rc = walk_rewind(w)) < 0 || (rc = run_to_syscall(w, sc)) < 0)
			return rc;
		struct trace old = w->history;
		trace_init(&w->history);
		memcpy(w->history.target, old.target, sizeof(old.target));
		trace_free(&old);
		if ((rc = record(w, SNAP_ANCHOR)) == 0)
			walk_cache_ahead(w);
		return rc;
	}
	}
	return walk_fail(w, -EINVAL, "unknown action %d", (int)a);
}
