/* walk_anchors.c: where the walk stops: the notes' anchors resolved against the running
 * kernel (or the reason a note does not apply to it), the breakpoints on them and on
 * every return to user mode, and the one line that describes what is being walked.
 * Part of the walk engine (walk.h); split from walk.c to keep each file readable.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "walk.h"
#include "walk_internal.h"

void walk_remove_breakpoints(struct walk *w)
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

/* OPERANDS with each "&SYMBOL" replaced by the symbol's value in hex, as the
 * disassembler prints it: "mov:&cpu_current_top_of_stack,%rsp" finds the per-CPU load
 * "%gs:0x1fb50,%rsp" of an SMP kernel and the absolute "0xffffffff81835030,%rsp" of a
 * uniprocessor one. False when a symbol is missing (the anchor then does not apply). */
static bool expand_operands(const struct walk *w, const char *operands, char *out, size_t len)
{
	size_t used = 0;
	for (const char *p = operands; *p && used + 1 < len;) {
		if (*p != '&') {
			out[used++] = *p++;
			continue;
		}
		size_t n = strcspn(p + 1, ",()%:$ ");
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
		const struct sym *s = symbols_by_name(&w->syms, name);
		if (!s)
			return false;
		used += (size_t)snprintf(out + used, len - used, "0x%llx", (unsigned long long)s->addr);
		p += 1 + n;
	}
	out[used < len ? used : len - 1] = '\0';
	return used < len;
}

static int resolver_find(void *ctx, uint64_t start, uint64_t size, const char *mnemonic,
			 const char *operands, uint64_t branch_target, int n, uint64_t *addr)
{
	struct walk *w = ctx;
	char expanded[256];
	if (operands && !expand_operands(w, operands, expanded, sizeof(expanded)))
		return 0;
	struct disasm_pattern pat = { .mnemonic = mnemonic, .operands = operands ? expanded : NULL,
				      .branch = branch_target != 0, .target = branch_target };
	/* disasm_find counts the matches (at most N): N means *ADDR is set. */
	return disasm_find(&w->dis, start, size, &pat, n, addr);
}

/* Is page-table isolation on in this boot? Read what the CPU executes, not what the
 * source says: Linux assembles SWITCH_TO_KERNEL_CR3 as "jmp over; mov %cr3, ..." and
 * patches the jmp out at boot only when PTI is on; the teaching kernel's nopti build and
 * a Linux built without CONFIG_PAGE_TABLE_ISOLATION have no CR3 code at all. So the
 * first of the two that entry_SYSCALL_64 meets decides. */
static void detect_pti(struct walk *w)
{
	const struct sym *entry = symbols_by_name(&w->syms, "entry_SYSCALL_64");
	struct disasm_insn insns[16];
	int n = entry ? disasm_decode_at(&w->dis, entry->addr, 0, insns, 16) : -1;
	w->pti = n > 0 ? WALK_PTI_OFF : WALK_PTI_UNKNOWN;
	for (int i = 0; i < n; i++) {
		if (strncmp(insns[i].att, "jmp", 3) == 0)
			break;
		if (strstr(insns[i].att, "%cr3")) {
			w->pti = WALK_PTI_ON;
			break;
		}
	}
}

/* The one line that says what is being walked: the target, how the path was found, how
 * many notes apply, isolation. Shown by the viewer and written into exports. */
void walk_describe(struct walk *w)
{
	static const char *const pti_words[] = { "page-table isolation unknown",
						 "page-table isolation off", "page-table isolation on" };
	char notes[96] = "";
	if (w->notes_resolved && w->notes_left_out)
		snprintf(notes, sizeof(notes), "%zu notes (%zu do not apply to this kernel), ",
			 w->notes.nnotes - w->notes_left_out, w->notes_left_out);
	else if (w->notes_resolved)
		snprintf(notes, sizeof(notes), "%zu notes, ", w->notes.nnotes);
	if (w->discovered)
		snprintf(w->describe, sizeof(w->describe), "%s, no symbols: entry from LSTAR, path by "
			 "disassembly, %s%s", w->cfg.kt->name, notes, pti_words[w->pti]);
	else
		snprintf(w->describe, sizeof(w->describe), "%s, %s%s", w->cfg.kt->name, notes, pti_words[w->pti]);
}

/* Anchors are resolved at the first kernel stop, not at load: "SYMBOL/MNEMONIC#N" needs
 * the code the CPU runs, and Linux patches its text (alternatives) while it boots. A
 * note this kernel lacks (its requirement, its symbol, its instruction) is left out,
 * with the reason kept for --check-annotations; the walk goes on with the others. */
int walk_resolve_anchors(struct walk *w)
{
	if (w->notes_resolved)
		return 0;
	detect_pti(w);
	struct annot_resolver r = { .ctx = w, .lookup_symbol = resolver_lookup, .find_insn = resolver_find,
				    .requirement = walk_requirement };
	int rc = annot_resolve(&w->notes, &r);
	if (rc < 0)
		return walk_fail(w, rc, "out of memory resolving the notes");
	w->notes_left_out = (size_t)rc;
	w->notes_resolved = true;
	walk_describe(w);
	return 0;
}

/* The exits to user mode: every sysret and iret of the entry text. They are stops
 * whether annotated or not, so a walk always ends where the CPU leaves the kernel, even
 * when a handler rewrote pt_regs->ip (rt_sigreturn) and no note sits on that path. */
/* The entry text is a few KiB in both kernels; symbols that put its end much further
 * away describe another kernel, and a scan of them would be a flood of requests. */
#define MAX_ENTRY_TEXT (256 * 1024)

static int set_exit_breakpoints(struct walk *w)
{
	struct disasm_insn insns[32];
	unsigned rounds = 0;
	if (w->entry_text_hi - w->entry_text_lo > MAX_ENTRY_TEXT)
		return walk_fail(w, -ERANGE, "the entry text (0x%llx to 0x%llx) is larger than %d KiB: "
				 "are the symbols this kernel's?", (unsigned long long)w->entry_text_lo,
				 (unsigned long long)w->entry_text_hi, MAX_ENTRY_TEXT / 1024);
	for (uint64_t at = w->entry_text_lo; at < w->entry_text_hi;) {
		int n = disasm_decode_at(&w->dis, at, 0, insns, 32);
		if (n < 0) {
			/* The cache's granule at AT is unreadable: skip it whole (one request each,
			 * where a byte at a time made a request per byte). */
			int rc = target_guard(&w->target, &rounds, "scanning the entry text");
			if (rc < 0)
				return walk_fail(w, rc, "%s", target_error(&w->target));
			at = at - at % DISASM_CHUNK + DISASM_CHUNK;
			continue;
		}
		if (n == 0) {
			at++;                    /* padding or data between functions */
			continue;
		}
		for (int i = 0; i < n; i++) {
			bool exit = !strncmp(insns[i].att, "sysret", 6) || !strncmp(insns[i].att, "iret", 4);
			if (exit && insns[i].addr < w->entry_text_hi &&
			    !target_break_at(&w->target, insns[i].addr)) {
				int rc = target_break_insert(&w->target, insns[i].addr);
				if (rc < 0)
					return walk_fail_target(w, rc, "setting a breakpoint on a return to user mode");
			}
		}
		at = insns[n - 1].addr + insns[n - 1].len;
	}
	return 0;
}

int walk_set_anchor_breakpoints(struct walk *w)
{
	if (w->anchors_set)
		return 0;
	int rc = set_exit_breakpoints(w);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < w->notes.nnotes; i++) {
		const struct annot_note *n = &w->notes.notes[i];
		if (!n->resolved || target_break_at(&w->target, n->addr))
			continue;
		rc = target_break_insert(&w->target, n->addr);
		if (rc < 0)
			return walk_fail_target(w, rc, "setting a breakpoint on an annotated stop");
	}
	w->anchors_set = true;
	return 0;
}

