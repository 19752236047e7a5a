/* walk_discover.c: finding the syscall path in a kernel that came without symbols.
 *
 * Debian's image package ships an 83-byte stub System.map; the real one is in the
 * -dbg package. Without it the walk still finds its way, from what the CPU does:
 * the demo's own syscall instruction is known (our init is built with symbols), so
 * stepping through it lands on the entry point, the address in LSTAR (the snapshot
 * then reads LSTAR by injection and shows they agree). The rest follows by
 * disassembling the live kernel from there: the top of stack in the `mov %gs:OFF, %rsp`
 * of the stack switch (an absolute address on a uniprocessor kernel), the labels
 * after it and after the hardware frame's five pushes, do_syscall_64 as the first call
 * (as far as its code runs), and the sysretq that ends the path. Those become symbols
 * of their own, sized to what was decoded, so anchors such as entry_SYSCALL_64/swapgs
 * resolve and an address outside them is shown as a number, never as
 * do_syscall_64+0xd82f1. Notes anchored on other symbols do not apply, and the status
 * line says how many.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk.h"
#include "walk_internal.h"

#define SCAN_INSNS 160      /* the 6.1 entry path is about 110 instructions to sysretq */

bool walk_needs_discovery(const struct walk *w, const struct demo_syscall *want)
{
	int n = w->cfg.kt->nsyscalls;
	const struct demo_syscall *all = w->cfg.kt->syscalls;
	for (int i = 0; i < n; i++)
		if ((!want || want == &all[i]) && !symbols_by_name(&w->syms, all[i].entry))
			return true;
	return false;
}

/* The hex number after PREFIX in TEXT ("%gs:0x1fb50" -> 0x1fb50). */
static bool number_after(const char *text, const char *prefix, uint64_t *out)
{
	const char *p = strstr(text, prefix);
	if (!p)
		return false;
	char *end;
	*out = strtoull(p + strlen(prefix), &end, 16);
	return end != p + strlen(prefix);
}

/* The source of "mov SRC, %rsp" when it is memory, not a register: the per-CPU stack
 * top "%gs:0x1fb50" (SMP) or its absolute address "0xffffffff81835030" (uniprocessor,
 * where per-CPU variables are plain globals). */
static bool stack_top_load(const char *t, uint64_t *where)
{
	size_t len = strlen(t);
	if (strncmp(t, "mov", 3) != 0 || len < 6 || strcmp(t + len - 6, ", %rsp") != 0)
		return false;
	const char *src = t + strcspn(t, " ") + 1;
	if (strncmp(src, "%gs:0x", 6) == 0)
		src += 4;
	else if (strncmp(src, "0x", 2) != 0)
		return false;
	char *end;
	*where = strtoull(src, &end, 16);
	return *end == ',';
}

/* How far the function at START runs: decoded forward until a ret, or an unconditional
 * jmp, beyond which no branch seen so far lands. Bounded: a wrong guess only shortens
 * the range in which addresses are named after the function. */
static uint64_t function_extent(struct walk *w, uint64_t start)
{
	struct disasm_insn insns[32];
	uint64_t at = start, furthest = start;
	while (at < start + 4096) {
		int n = disasm_decode_at(&w->dis, at, 0, insns, 32);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			const char *t = insns[i].att;
			uint64_t target, next = insns[i].addr + insns[i].len;
			if (t[0] == 'j' && number_after(t, " 0x", &target) && target > furthest &&
			    target < start + 4096)
				furthest = target;
			bool ends = strncmp(t, "ret", 3) == 0 || strncmp(t, "jmp", 3) == 0 || strncmp(t, "ud2", 3) == 0;
			if (ends && next > furthest)
				return next - start;
		}
		at = insns[n - 1].addr + insns[n - 1].len;
	}
	return at - start;
}

/* Name what the live code of entry_SYSCALL_64 shows (see the comment at the top): the
 * stack top it loads, the two labels around the hardware frame's pushes, do_syscall_64
 * as the first call, and the sysretq that ends the path. Each named only where found. */
static void map_syscall_entry(struct walk *w, uint64_t entry)
{
	struct disasm_insn insns[SCAN_INSNS];
	int n = 0;
	uint64_t at = entry;
	while (n < SCAN_INSNS) {
		int got = disasm_decode_at(&w->dis, at, 0, insns + n, SCAN_INSNS - n);
		if (got <= 0)
			break;
		at = insns[n + got - 1].addr + insns[n + got - 1].len;
		n += got;
	}
	uint64_t sysret = 0, call = 0, top, safe_stack = 0, after_hwframe = 0;
	int pushes = 0;
	for (int i = 0; i < n && !sysret; i++) {
		const char *t = insns[i].att;
		uint64_t next = insns[i].addr + insns[i].len;
		if (!w->have_percpu_top && stack_top_load(t, &top)) {
			w->percpu_top_sym = top;           /* mov PER_CPU_VAR(cpu_current_top_of_stack), %rsp */
			w->have_percpu_top = true;
			symbols_add(&w->syms, "cpu_current_top_of_stack", top, 8);
			safe_stack = next;
		} else if (safe_stack && !after_hwframe && strncmp(t, "push", 4) == 0 && ++pushes == 5) {
			after_hwframe = next;              /* ss, sp, flags, cs, ip: the hardware frame */
		} else if (!call && strncmp(t, "call", 4) == 0 && number_after(t, "0x", &call)) {
			symbols_add(&w->syms, "do_syscall_64", call, function_extent(w, call));
		} else if (strncmp(t, "sysret", 6) == 0) {
			sysret = insns[i].addr;
		}
	}
	uint64_t end = sysret ? sysret + 3 : at;
	symbols_add(&w->syms, "entry_SYSCALL_64", entry, end - entry);
	if (safe_stack && safe_stack < end)
		symbols_add(&w->syms, "entry_SYSCALL_64_safe_stack", safe_stack, end - safe_stack);
	if (after_hwframe && after_hwframe < end)
		symbols_add(&w->syms, "entry_SYSCALL_64_after_hwframe", after_hwframe, end - after_hwframe);
	w->entry_text_lo = entry;
	w->entry_text_hi = end;
}

int walk_discover(struct walk *w, const struct demo_syscall *want, const struct demo_syscall **found)
{
	int rc, n = w->cfg.kt->nsyscalls;
	const struct demo_syscall *all = w->cfg.kt->syscalls;
	walk_remove_breakpoints(w);
	for (int i = 0; i < n; i++) {
		const struct sym *user = symbols_by_name(&w->syms, all[i].user_label);
		if ((want && want != &all[i]) || !user || target_break_at(&w->target, user->addr))
			continue;
		if ((rc = target_break_insert(&w->target, user->addr)) < 0)
			return walk_fail_target(w, rc, "setting a breakpoint on the demo's syscall");
	}
	if (w->target.nbps == 0)
		return walk_fail(w, -ENOENT, "the kernel has no symbols and the demo program's syscall "
				 "labels are unknown too (is %s built?): nothing to follow into the kernel",
				 w->cfg.user_symbols ? w->cfg.user_symbols : "the init");
	/* From the saved machine state the CPU may be at the syscall instruction already. */
	if ((rc = walk_read_regs(w)) < 0)
		return rc;
	for (unsigned rounds = 0; !(*found = walk_at_user_syscall(w, want));) {
		if ((rc = target_guard(&w->target, &rounds, "running to the demo's syscall")) < 0)
			return walk_fail(w, rc, "%s", target_error(&w->target));
		if ((rc = target_continue(&w->target, w->cfg.run_timeout_ms, NULL)) < 0)
			return walk_fail_target(w, rc, "running to the demo's syscall");
		if ((rc = walk_read_regs(w)) < 0)
			return rc;
	}
	walk_remove_breakpoints(w);
	/* One step through SYSCALL (or INT): the CPU is now at the entry point. */
	if ((rc = target_step(&w->target, NULL)) < 0)
		return walk_fail_target(w, rc, "stepping into the kernel");
	if ((rc = walk_read_regs(w)) < 0)
		return rc;
	uint64_t entry = walk_reg(w, "rip");
	if ((walk_reg(w, "cs") & 3) != 0)
		return walk_fail(w, -EPROTO, "stepping the demo's %s did not enter the kernel (rip 0x%" PRIx64 ")",
				 (*found)->name, entry);
	if (strcmp((*found)->entry, "entry_SYSCALL_64") == 0)
		map_syscall_entry(w, entry);
	else
		symbols_add(&w->syms, (*found)->entry, entry, 0);
	w->discovered = true;
	return 0;
}
