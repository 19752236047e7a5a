/* walk_snapshot.c: turning the live state of a stopped CPU into a step snapshot.
 *
 * Round trips are what a step costs (each is a packet exchange with QEMU), so a
 * snapshot asks for as little as it can: the registers come from the 'g' the walk
 * already made, the code bytes from the disassembler's cache (kernel text does not
 * change), the frame is one 'm', and the MSRs that cannot change once the kernel has
 * booted (LSTAR, STAR, FMASK, CSTAR) are injected for once per syscall, at its entry.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "walk.h"
#include "walk_internal.h"


#define INSNS_BEFORE 6
#define INSNS_AFTER 10

/* x87 control registers: target.xml sends them, nobody walking a syscall needs them. */
static bool boring_register(const char *name)
{
	static const char *const x87[] = { "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg",
					   "fooff", "fop" };
	for (size_t i = 0; i < sizeof(x87) / sizeof(x87[0]); i++)
		if (strcmp(name, x87[i]) == 0)
			return true;
	return false;
}

static const struct snapshot *previous(const struct walk *w)
{
	return w->history.n ? &w->history.snaps[w->history.n - 1] : NULL;
}

static void fill_registers(const struct walk *w, struct snapshot *s)
{
	const struct snapshot *prev = previous(w);
	const struct target_regmap *map = &w->target.map;
	for (int i = 0; i < map->count && s->nregs < SNAP_MAX_REGS; i++) {
		const struct target_reg *r = &map->regs[i];
		if (r->bits > 64 || !w->regs.valid[i] || boring_register(r->name))
			continue;
		struct snap_reg *out = &s->regs[s->nregs++];
		snprintf(out->name, sizeof(out->name), "%s", r->name);
		out->value = w->regs.value[i];
		out->bits = (uint8_t)r->bits;
		/* Every stop has the same register list, so the previous value is usually at the
		 * same position; look it up by name only when it is not. */
		int k = s->nregs - 1;
		uint64_t before;
		if (prev && k < prev->nregs && strcmp(prev->regs[k].name, out->name) == 0)
			out->changed = prev->regs[k].value != out->value;
		else
			out->changed = prev && snapshot_reg_value(prev, r->name, &before) && before != out->value;
	}
}

/* GS_BASE, KERNEL_GS_BASE and EFER are registers in QEMU's target.xml, so they are read
 * live at every stop; the rest only by injecting rdmsr, which needs CPL 0. */
static int fill_msrs(struct walk *w, struct snapshot *s, bool inject)
{
	static const uint32_t injected_ids[] = { 0xc0000082, 0xc0000081, 0xc0000084, 0xc0000083 };
	static const enum snap_msr_id injected_slots[] = { SNAP_MSR_LSTAR, SNAP_MSR_STAR,
							   SNAP_MSR_FMASK, SNAP_MSR_CSTAR };
	for (int i = 0; i < SNAP_MSR_COUNT; i++)
		if (w->msrs[i].source == SNAP_MSR_LIVE)
			w->msrs[i].source = SNAP_MSR_CARRIED;
	if (inject && s->cpl == 0) {
		uint64_t values[4];
		int rc = -1;
		/* An injection that could not run (the step did not complete) restored the CPU
		 * and is tried once more, then again at the syscall's next kernel stop (the
		 * values stay carried meanwhile): on Linux under a loaded machine a first stop
		 * once went without its MSRs. A failed restore or a lost target is fatal. */
		for (int attempt = 0; attempt < 2 && rc < 0; attempt++) {
			rc = target_read_msrs(&w->target, injected_ids, values, 4);
			if (rc == TARGET_ERR_RESTORE || rc == TARGET_ERR_EXITED || rc == RSP_ERR_EOF ||
			    rc == RSP_ERR_IO || rc == RSP_ERR_TIMEOUT) {
				snprintf(w->err, sizeof(w->err), "reading the MSRs by injecting rdmsr: %s",
					 target_error(&w->target));
				return rc;
			}
			if (rc < 0)
				w->stats.msr_injection_failures++;
		}
		if (rc == 0) {
			w->stats.msr_injections++;
			w->sys.msrs_pending = false;
			for (int i = 0; i < 4; i++)
				w->msrs[injected_slots[i]] = (struct snap_msr){ values[i], SNAP_MSR_LIVE };
		}
	}
	static const struct { enum snap_msr_id id; const char *reg; } from_regs[] = {
		{ SNAP_MSR_EFER, "efer" },
		{ SNAP_MSR_GS_BASE, "gs_base" },
		{ SNAP_MSR_KERNEL_GS_BASE, "k_gs_base" },
	};
	for (size_t i = 0; i < sizeof(from_regs) / sizeof(from_regs[0]); i++) {
		uint64_t v;
		if (snapshot_reg_value(s, from_regs[i].reg, &v))
			w->msrs[from_regs[i].id] = (struct snap_msr){ v, SNAP_MSR_LIVE };
	}
	memcpy(s->msrs, w->msrs, sizeof(s->msrs));
	return 0;
}

/* The pt_regs frame: which slots the entry code has written so far, and their values.
 * Slots are written top down (ss first, r15 last), so every slot at or above the lowest
 * RSP seen inside the frame holds its value; once RSP is below the frame, all do. */
static void fill_frame(struct walk *w, struct snapshot *s)
{
	struct walk_syscall_state *sys = &w->sys;
	debuginfo_fill_frame(&w->ptregs, &s->frame);
	if (!sys->frame_known)
		return;
	struct snap_frame *f = &s->frame;
	f->valid = true;
	f->base = sys->frame_base;

	uint64_t rsp = 0, top = sys->frame_base + f->size;
	snapshot_reg_value(s, "rsp", &rsp);
	if (s->cpl == 0 && rsp >= sys->stack_low && rsp < top && rsp < sys->frame_low)
		sys->frame_low = rsp < sys->frame_base ? sys->frame_base : rsp;

	uint8_t bytes[512];
	bool have_bytes = f->size <= sizeof(bytes) && sys->frame_low < top &&
			  walk_read_memory(w, f->base, bytes, f->size) == 0;
	const struct snapshot *prev = previous(w);
	bool prev_same = prev && prev->frame.valid && prev->frame.base == f->base &&
			 prev->frame.nslots == f->nslots;

	for (int i = 0; i < f->nslots; i++) {
		struct snap_slot *slot = &f->slots[i];
		slot->filled = f->base + slot->offset >= sys->frame_low;
		if (have_bytes && slot->offset + 8 <= f->size)
			memcpy(&slot->value, bytes + slot->offset, 8);
		else if (prev_same)      /* unreadable now (user page table loaded): unchanged */
			slot->value = prev->frame.slots[i].value;
		if (!slot->filled)
			continue;
		slot->just_written = !prev_same || !prev->frame.slots[i].filled ||
				     prev->frame.slots[i].value != slot->value;
	}
}

/* The instructions around RIP, from the function's decoded listing. Kernel text does
 * not change, so each function is decoded once (x86 cannot be decoded backwards, so
 * the window needs the listing from the function's start); stepping then costs a
 * binary search. Returns the count, or -1 when the listing does not hold RIP. */
static int window_from_cache(struct walk *w, uint64_t rip, uint64_t start, uint64_t size,
			     struct disasm_insn *out)
{
	struct walk_code *c = NULL;
	for (int i = 0; i < WALK_CODE_CACHE && !c; i++)
		if (w->code[i].insns && w->code[i].start == start)
			c = &w->code[i];
	if (!c) {
		c = &w->code[w->code_next++ % WALK_CODE_CACHE];
		free(c->insns);
		*c = (struct walk_code){ .start = start };
		c->insns = malloc(WALK_CODE_MAX_INSNS * sizeof(*c->insns));
		if (!c->insns)
			return -1;
		uint64_t at = start, end = size ? start + size : start + 4096;
		while (c->n < WALK_CODE_MAX_INSNS && at < end) {
			int got = disasm_decode_at(&w->dis, at, 0, c->insns + c->n,
						   WALK_CODE_MAX_INSNS - c->n < 32 ? WALK_CODE_MAX_INSNS - c->n : 32);
			if (got <= 0)
				break;
			c->n += got;
			at = c->insns[c->n - 1].addr + c->insns[c->n - 1].len;
		}
	}
	int lo = 0, hi = c->n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (c->insns[mid].addr == rip) {
			int first = mid > INSNS_BEFORE ? mid - INSNS_BEFORE : 0;
			int last = mid + INSNS_AFTER < c->n ? mid + INSNS_AFTER : c->n - 1;
			if (last - first + 1 > SNAP_MAX_INSNS)
				last = first + SNAP_MAX_INSNS - 1;
			for (int i = first; i <= last; i++) {
				out[i - first] = c->insns[i];
				out[i - first].current = i == mid;
			}
			return last - first + 1;
		}
		if (c->insns[mid].addr < rip)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int fill_code(struct walk *w, struct snapshot *s)
{
	struct disasm_insn window[SNAP_MAX_INSNS];
	uint64_t start = 0, size = 0;
	const struct sym *fn = symbols_function(&w->syms, s->rip, &start, &size);
	int n = fn ? window_from_cache(w, s->rip, start, size, window) : -1;
	if (n < 0)
		n = disasm_window(&w->dis, s->rip, fn ? start : 0, INSNS_BEFORE, INSNS_AFTER, window,
				  SNAP_MAX_INSNS);
	for (int i = 0; i < n; i++) {
		struct snap_insn view = disasm_insn_view(&window[i]);
		if (snapshot_add_insn(s, &view) < 0)
			return -ENOMEM;
	}
	symbols_format(&w->syms, s->rip, s->location, sizeof(s->location));
	if (w->have_dwarf && s->rip >= KERNEL_HALF)
		debuginfo_source_line(&w->dbg, s->rip, s->source_file, sizeof(s->source_file),
				      &s->source_line);
	/* The lines around it, for the source pane and the exports (srcfile.h). */
	free(s->source_text);
	s->source_text = srcfile_lines(&w->src, s->source_file, s->source_line, 10, 14, &s->source_first);
	return 0;
}

static const struct snap_insn *current_insn(const struct snapshot *s)
{
	for (int i = 0; i < s->ninsns; i++)
		if (s->insns[i].current)
			return &s->insns[i];
	return NULL;
}

static char *dup_or_null(const char *text)
{
	return text ? strdup(text) : NULL;
}

/* The prose for this stop: its own note at an anchor; between anchors the glossary's
 * entry for the instruction about to run; in user mode, a note saying where we are. */
static void fill_note(struct walk *w, struct snapshot *s, const struct annot_note *note)
{
	if (note) {
		s->anchor = dup_or_null(note->anchor_text);
		s->note_title = dup_or_null(note->title);
		s->note_markdown = dup_or_null(note->markdown);
		s->note_show = dup_or_null(note->show);
		return;
	}
	if (s->kind == SNAP_USER) {
		char text[512];
		uint64_t rax = 0;
		snapshot_reg_value(s, "rax", &rax);
		snprintf(text, sizeof(text),
			 "The CPU is back in ring 3 (CS & 3 == 3), at `%s`. RAX holds what the syscall "
			 "returned: `%lld` (`0x%llx`).\n\n"
			 "The walk of this syscall is over: `c` runs to the next one, `r` walks it again.",
			 s->location, (long long)rax, (unsigned long long)rax);
		s->note_title = strdup("Back in user mode");
		s->note_markdown = strdup(text);
		s->note_show = strdup("rip rax cs ss");
		return;
	}
	const struct snap_insn *insn = current_insn(s);
	if (insn && w->glossary.nnotes) {
		char mnemonic[32];
		const char *ops = strchr(insn->att, ' ');
		snprintf(mnemonic, sizeof(mnemonic), "%.*s", ops ? (int)(ops - insn->att) : 31, insn->att);
		const struct annot_note *g = annot_glossary_find(&w->glossary, mnemonic, ops ? ops + 1 : NULL);
		if (g) {
			char title[160];
			snprintf(title, sizeof(title), "Instruction: %s", g->title);
			s->note_title = strdup(title);
			s->note_markdown = dup_or_null(g->markdown);
			s->note_show = strdup("");
			return;
		}
	}
	s->note_title = strdup("Between two stops");
	s->note_markdown = strdup("This instruction lies between two annotated stops. "
				  "`s` steps one instruction, `n` runs to the next annotated stop.");
	s->note_show = strdup("");
}

/* The note's questions, each answered from the state at this stop (expr.h): the quiz
 * checks the learner against what the CPU holds, never against a stored constant. */
static int fill_questions(struct walk *w, struct snapshot *s, const struct annot_note *note)
{
	struct expr_env env;
	char err[160];
	walk_expr_env(w, s, &env);
	for (size_t i = 0; note && i < note->nquestions && s->nquestions < SNAP_MAX_QUESTIONS; i++) {
		const struct annot_question *aq = &note->questions[i];
		struct snap_question *q = snapshot_add_question(s);
		if (!q)
			return -ENOMEM;
		snprintf(q->text, sizeof(q->text), "%s", aq->text);
		snprintf(q->expr, sizeof(q->expr), "%s", aq->expr);
		q->answer_known = expr_eval(aq->expr, &env, &q->answer, err, sizeof(err)) == 0;
		for (int c = 0; c < aq->nchoices && c < SNAP_MAX_CHOICES; c++) {
			snprintf(q->choice_label[c], sizeof(q->choice_label[c]), "%s", aq->choice_label[c]);
			if (expr_eval(aq->choice_expr[c], &env, &q->choice_value[c], err, sizeof(err)) < 0)
				q->answer_known = false;     /* a choice we cannot place: unanswerable */
			q->nchoices = c + 1;
		}
	}
	return 0;
}

/* "rcx = 0x0, $user_return = 0x40105c": the value at this stop of each name in CHECK,
 * so the learner sees what the CPU holds where the note's claim fails. */
static void live_values(const struct expr_env *env, const char *check, char *out, size_t len)
{
	size_t used = 0;
	int shown = 0;
	out[0] = '\0';
	for (const char *p = check; *p && shown < 4;) {
		bool start = (*p == '$' || *p == '&' || isalpha((unsigned char)*p)) &&
			     (p == check || !isalnum((unsigned char)p[-1]));
		if (!start) {
			p++;
			continue;
		}
		size_t n = 1 + strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
		char name[96], err[64];
		uint64_t v;
		if (n < sizeof(name) && !(n > 1 && p[0] == '0' && p[1] == 'x')) {
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			if (!strstr(out, name) && expr_eval(name, env, &v, err, sizeof(err)) == 0 && used < len) {
				used += (size_t)snprintf(out + used, len - used, "%s%s = 0x%llx", shown ? ", " : "",
							 name, (unsigned long long)v);
				shown++;
			}
		}
		p += n;
	}
}

/* A line for each check: claim of NOTE that is false at this stop, or cannot be told
 * here: the note is then shown with the line, never as plain fact. NULL when all hold. */
static int fill_caveats(struct walk *w, struct snapshot *s, const struct annot_note *note)
{
	struct expr_env env;
	walk_expr_env(w, s, &env);
	char *text = NULL;
	size_t len = 0;
	FILE *f = NULL;
	for (size_t i = 0; note && i < note->nchecks; i++) {
		char err[160], values[320];
		uint64_t v;
		int rc = expr_eval(note->checks[i], &env, &v, err, sizeof(err));
		if (rc == 0 && v)
			continue;
		if (!f && !(f = open_memstream(&text, &len)))
			return -ENOMEM;
		if (rc < 0) {
			fprintf(f, "This note's claim `%s` cannot be checked at this stop: %s\n", note->checks[i], err);
			continue;
		}
		live_values(&env, note->checks[i], values, sizeof(values));
		fprintf(f, "This note's claim `%s` does not hold here%s%s\n", note->checks[i],
			values[0] ? ": live " : "", values);
	}
	if (f && fclose(f) != 0)
		return -ENOMEM;
	s->note_caveats = text;
	return 0;
}

int walk_snapshot(struct walk *w, enum snap_kind kind, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->index = (int)w->history.n;
	s->kind = kind;
	if (w->sys.sc)
		snprintf(s->syscall, sizeof(s->syscall), "%s", w->sys.sc->name);
	fill_registers(w, s);
	snapshot_reg_value(s, "rip", &s->rip);
	uint64_t cs = 0;
	snapshot_reg_value(s, "cs", &cs);
	s->cpl = (int)(cs & 3);

	/* Inject for the MSRs once per syscall, at its first kernel stop: the values cannot
	 * change after boot, and an injection costs some 40 round trips. */
	int rc = fill_msrs(w, s, w->sys.msrs_pending);
	if (rc < 0)
		return rc;
	fill_frame(w, s);
	bool out_of_memory = fill_code(w, s) < 0;
	const struct annot_note *note = annot_find_by_addr(&w->notes, s->rip);
	fill_note(w, s, note);
	out_of_memory |= fill_questions(w, s, note) < 0;
	out_of_memory |= fill_caveats(w, s, note) < 0;
	if (w->qemu_started) {
		qemu_console_read(&w->qemu);
		s->console = qemu_console_take(&w->qemu);
		/* The serial line ends lines with CR LF; keep only the LF. */
		char *out = s->console;
		for (const char *in = s->console; out && *in; in++)
			if (!(in[0] == '\r' && in[1] == '\n'))
				*out++ = *in;
		if (out)
			*out = '\0';
	}
	if (out_of_memory || !s->note_title || !s->note_markdown || !s->note_show) {
		snprintf(w->err, sizeof(w->err), "out of memory building a snapshot");
		return -ENOMEM;
	}
	return 0;
}
