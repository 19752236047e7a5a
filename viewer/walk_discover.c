/* walk_discover.c: finding the syscall path in a kernel that came without symbols.
 *
 * Debian's image package ships an 83-byte stub System.map; the real one is in the
 * -dbg package. Without it the walk still finds its way, from what the CPU does:
 * the demo's own syscall instruction is known (our init is built with symbols), so
 * stepping through it lands on the entry point, the address in LSTAR (the snapshot
 * then reads LSTAR by injection and shows they agree). The rest follows by
 * disassembling the live kernel from there: the per-CPU top of stack in the
 * `mov %gs:OFF, %rsp` of the stack switch, do_syscall_64 as the first call, and the
 * sysretq that ends the path. Those become symbols of their own, so anchors such as
 * entry_SYSCALL_64/swapgs resolve; notes anchored on other symbols are left out, and
 * the status line says so.
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
	int n;
	const struct demo_syscall *all = demo_syscalls(w->cfg.target, &n);
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

/* Name what the live code of entry_SYSCALL_64 shows (see the comment at the top). */
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
	uint64_t sysret = 0, call = 0, off;
	for (int i = 0; i < n && !sysret; i++) {
		const char *t = insns[i].att;
		if (!w->have_percpu_top && strstr(t, ", %rsp") && number_after(t, "%gs:0x", &off)) {
			w->percpu_top_sym = off;           /* mov %gs:cpu_current_top_of_stack, %rsp */
			w->have_percpu_top = true;
		} else if (!call && strncmp(t, "call", 4) == 0 && number_after(t, "0x", &call)) {
			symbols_add(&w->syms, "do_syscall_64", call, 0);
		} else if (strncmp(t, "sysret", 6) == 0) {
			sysret = insns[i].addr;
		}
	}
	uint64_t end = sysret ? sysret + 3 : at;
	symbols_add(&w->syms, "entry_SYSCALL_64", entry, end - entry);
	w->entry_text_lo = entry;
	w->entry_text_hi = end;
}

int walk_discover(struct walk *w, const struct demo_syscall *want, const struct demo_syscall **found)
{
	int n, rc;
	const struct demo_syscall *all = demo_syscalls(w->cfg.target, &n);
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
	unsigned rounds = 0;
	do {
		if ((rc = target_guard(&w->target, &rounds, "running to the demo's syscall")) < 0)
			return walk_fail(w, rc, "%s", target_error(&w->target));
		if ((rc = target_continue(&w->target, w->cfg.run_timeout_ms, NULL)) < 0)
			return walk_fail_target(w, rc, "running to the demo's syscall");
		if ((rc = walk_read_regs(w)) < 0)
			return rc;
	} while (!walk_at_user_syscall(w, want));
	walk_remove_breakpoints(w);

	uint64_t rip = walk_reg(w, "rip"), rax = walk_reg(w, "rax");
	*found = NULL;
	for (int i = 0; i < n && !*found; i++) {
		const struct sym *user = symbols_by_name(&w->syms, all[i].user_label);
		if (user && user->addr == rip && all[i].rax == rax)
			*found = &all[i];
	}
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
