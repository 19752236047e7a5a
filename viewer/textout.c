/* textout.c: plain-text rendering of snapshots for the headless modes.
 *
 * Every string of a snapshot came from somewhere untrusted (the stub's target
 * description, an ELF or DWARF file, a note, the guest's console): each goes out through
 * textsafe, newlines and tabs kept. */
#include "textout.h"

#include <string.h>

#include "textsafe.h"

/* Untrusted S to F, made visible by textsafe's rule. */
static void put(FILE *f, const char *s)
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

static const char *kind_name(enum snap_kind k)
{
	return k == SNAP_ANCHOR ? "stop" : k == SNAP_USER ? "user" : "step";
}

void textout_stop(FILE *f, const struct snapshot *s, size_t n_of, size_t total)
{
	fprintf(f, "=== %s %zu of %zu  [", kind_name(s->kind), n_of, total);
	put(f, s->syscall);
	fprintf(f, "] %s  ", s->cpl == 0 ? "ring 0" : "ring 3");
	put(f, s->location);
	if (s->source_line) {
		fputs("  (", f);
		put(f, s->source_file);
		fprintf(f, ":%d)", s->source_line);
	}
	fputs("\n--- ", f);
	put(f, s->note_title);
	fputs("\n", f);
	put(f, s->note_markdown);
	fputs("\n\nregisters changed:", f);
	int changed = 0;
	for (int i = 0; i < s->nregs; i++) {
		if (!s->regs[i].changed)
			continue;
		fputs(changed++ % 4 ? " " : "\n  ", f);
		put(f, s->regs[i].name);
		fprintf(f, "=0x%llx", (unsigned long long)s->regs[i].value);
	}
	fputs(changed ? "\n" : " none\n", f);
	fputs("msrs:", f);
	for (int i = 0; i < SNAP_MSR_COUNT; i++) {
		if (s->msrs[i].source == SNAP_MSR_UNKNOWN)
			continue;
		fprintf(f, " %s=0x%llx%s", snapshot_msr_name(i), (unsigned long long)s->msrs[i].value,
			s->msrs[i].source == SNAP_MSR_CARRIED ? "(carried)" : "");
	}
	fputs("\n", f);
	if (s->frame.valid) {
		fprintf(f, "pt_regs at 0x%llx (", (unsigned long long)s->frame.base);
		put(f, s->frame.layout_source);
		fputs(" layout):", f);
		int filled = 0;
		for (int i = s->frame.nslots - 1; i >= 0; i--) {
			const struct snap_slot *sl = &s->frame.slots[i];
			if (!sl->filled)
				continue;
			fputs(filled++ % 4 ? " " : "\n  ", f);
			put(f, sl->name);
			fprintf(f, "=0x%llx%s", (unsigned long long)sl->value, sl->just_written ? "*" : "");
		}
		fputs(filled ? "\n" : " empty\n", f);
	}
	for (int i = 0; i < s->ninsns; i++) {
		const struct snap_insn *in = &s->insns[i];
		if (in->label[0]) {
			fputs("  ", f);
			put(f, in->label);
			fputs(":\n", f);
		}
		fprintf(f, "%s %016llx  ", in->current ? "=>" : "  ", (unsigned long long)in->addr);
		put(f, in->att);
		fputc('\n', f);
	}
	if (s->console && s->console[0]) {
		fputs("console: ", f);
		put(f, s->console);
		if (s->console[strlen(s->console) - 1] != '\n')
			fputc('\n', f);
	}
	fputc('\n', f);
}

void textout_trace_line(FILE *f, const struct snapshot *s)
{
	const struct snap_insn *in = current_insn(s);
	char where[4 * sizeof(s->location)];

	textsafe_copy(where, sizeof where, s->location, sizeof(s->location), TEXTSAFE_LINES);
	fprintf(f, "%-40s ", where);
	put(f, in ? in->att : "?");
	for (int i = 0; i < s->nregs; i++) {
		if (!s->regs[i].changed || strcmp(s->regs[i].name, "rip") == 0)
			continue;
		fputs("  ", f);
		put(f, s->regs[i].name);
		fprintf(f, "=0x%llx", (unsigned long long)s->regs[i].value);
	}
	fputc('\n', f);
}
