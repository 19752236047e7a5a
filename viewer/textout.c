/* textout.c: plain-text rendering of snapshots for the headless modes.
 *
 * Every string of a snapshot came from somewhere untrusted (the stub's target
 * description, an ELF or DWARF file, a note, the guest's console): each goes out through
 * textout_sanitized, which is textsafe's one rule. */
#include "textout.h"

#include <string.h>

#include "present.h"
#include "textsafe.h"

void textout_sanitized(FILE *f, const char *s)
{
	textsafe_fputs(f, s, TEXTSAFE_LINES);
}

static const struct snap_insn *current_insn(const struct snapshot *s)
{
	for (int i = 0; i < s->ninsns; i++)
		if (s->insns[i].current)
			return &s->insns[i];
	return NULL;
}

void textout_stop(FILE *f, const struct snapshot *s, size_t n_of, size_t total)
{
	fprintf(f, "=== %s %zu of %zu  [", present_kind_short(s->kind), n_of, total);
	textout_sanitized(f, s->syscall);
	fprintf(f, "] %s  ", s->cpl == 0 ? "ring 0" : "ring 3");
	textout_sanitized(f, s->location);
	if (s->source_line) {
		fputs("  (", f);
		textout_sanitized(f, s->source_file);
		fprintf(f, ":%d)", s->source_line);
	}
	fputs("\n--- ", f);
	textout_sanitized(f, s->note_title);
	fputs("\n", f);
	char caveat[512];
	for (int i = 0; present_caveat_line(s->note_caveats, i, true, caveat, sizeof caveat); i++) {
		textout_sanitized(f, caveat);
		fputc('\n', f);
	}
	textout_sanitized(f, s->note_markdown);
	fputs("\n\nregisters changed:", f);
	int changed = 0;
	for (int i = 0; i < s->nregs; i++) {
		if (!s->regs[i].changed)
			continue;
		fputs(changed++ % 4 ? " " : "\n  ", f);
		textout_sanitized(f, s->regs[i].name);
		fprintf(f, "=0x%llx", (unsigned long long)s->regs[i].value);
	}
	fputs(changed ? "\n" : " none\n", f);
	fputs("msrs:", f);
	for (int i = 0; i < SNAP_MSR_COUNT; i++) {
		char lines[4][64];
		int n = present_msr_decode(s, (enum snap_msr_id)i, lines, 4);

		if (s->msrs[i].source == SNAP_MSR_UNKNOWN)
			continue;
		fprintf(f, "\n %s=0x%llx%s", snapshot_msr_name(i), (unsigned long long)s->msrs[i].value,
			s->msrs[i].source == SNAP_MSR_CARRIED ? " (carried)" : "");
		for (int k = 0; k < n; k++)
			fprintf(f, "%s%s", k ? "; " : "  ", lines[k]);
	}
	fputs("\n", f);
	if (s->frame.valid) {
		fprintf(f, "pt_regs at 0x%llx (", (unsigned long long)s->frame.base);
		textout_sanitized(f, s->frame.layout_source);
		fputs(" layout):", f);
		int filled = 0, order[SNAP_MAX_SLOTS];
		int n = present_frame_order(&s->frame, order);
		for (int k = 0; k < n; k++) {
			const struct snap_slot *sl = &s->frame.slots[order[k]];
			if (!sl->filled)
				continue;
			fputs(filled++ % 4 ? " " : "\n  ", f);
			textout_sanitized(f, sl->name);
			fprintf(f, "=0x%llx%s", (unsigned long long)sl->value, sl->just_written ? "*" : "");
		}
		fputs(filled ? "\n" : " empty\n", f);
	}
	for (int i = 0; i < s->ninsns; i++) {
		const struct snap_insn *in = &s->insns[i];
		if (in->label[0]) {
			fputs("  ", f);
			textout_sanitized(f, in->label);
			fputs(":\n", f);
		}
		fprintf(f, "%s %016llx  ", in->current ? "=>" : "  ", (unsigned long long)in->addr);
		textout_sanitized(f, in->att);
		fputc('\n', f);
	}
	if (s->console && s->console[0]) {
		fputs("console: ", f);
		textout_sanitized(f, s->console);
		if (s->console[strlen(s->console) - 1] != '\n')
			fputc('\n', f);
	}
	fputc('\n', f);
}

void textout_questions(FILE *f, const struct snapshot *s)
{
	for (int q = 0; q < s->nquestions && q < SNAP_MAX_QUESTIONS; q++) {
		const struct snap_question *qn = &s->questions[q];
		char answer[256];

		fputs("ask: ", f);
		textout_sanitized(f, qn->text);
		fputc('\n', f);
		for (int c = 0; c < qn->nchoices && c < SNAP_MAX_CHOICES; c++) {
			fprintf(f, "  (%d) ", c + 1);
			textout_sanitized(f, qn->choice_label[c]);
			fputc('\n', f);
		}
		present_answer(qn, answer, sizeof answer);
		fputs("  answer: ", f);
		textout_sanitized(f, answer);
		fputc('\n', f);
	}
}

void textout_quiz_summary(FILE *f, const struct snapshot *snaps, size_t n)
{
	size_t questions = 0, stops = 0, known = 0;

	for (size_t i = 0; i < n; i++) {
		stops += snaps[i].nquestions > 0;
		questions += (size_t)snaps[i].nquestions;
		for (int q = 0; q < snaps[i].nquestions; q++)
			known += snaps[i].questions[q].answer_known;
	}
	fprintf(f, "quiz: %zu question%s at %zu of %zu stops, %zu with an answer read from the CPU "
		"(each shown under its stop)\n", questions, questions == 1 ? "" : "s", stops, n, known);
}

void textout_trace_line(FILE *f, const struct snapshot *at, const struct snapshot *after)
{
	const struct snap_insn *in = current_insn(at);
	char where[sizeof(at->location) * 4];
	textsafe_copy(where, sizeof(where), at->location, strlen(at->location), 0);
	fprintf(f, "%-40s ", where);
	textout_sanitized(f, in ? in->att : "?");
	/* The registers this instruction changed are marked in the stop after it. */
	for (int i = 0; after && i < after->nregs; i++)
		if (after->regs[i].changed && strcmp(after->regs[i].name, "rip") != 0) {
			fputs("  ", f);
			textout_sanitized(f, after->regs[i].name);
			fprintf(f, "=0x%llx", (unsigned long long)after->regs[i].value);
		}
	fputc('\n', f);
}
