/* textout.c: plain-text rendering of snapshots for the headless modes. */
#include "textout.h"

#include <string.h>

void textout_sanitized(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '\n' || *p == '\t' || (*p >= 0x20 && *p != 0x7f))
			fputc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
	}
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
	fprintf(f, "=== %s %zu of %zu  [%s] %s  ", kind_name(s->kind), n_of, total, s->syscall,
		s->cpl == 0 ? "ring 0" : "ring 3");
	textout_sanitized(f, s->location);
	if (s->source_line)
		fprintf(f, "  (%s:%d)", s->source_file, s->source_line);
	fputs("\n--- ", f);
	textout_sanitized(f, s->note_title);
	fputs("\n", f);
	textout_sanitized(f, s->note_markdown);
	fputs("\n\nregisters changed:", f);
	int changed = 0;
	for (int i = 0; i < s->nregs; i++) {
		if (!s->regs[i].changed)
			continue;
		fprintf(f, "%s %s=0x%llx", changed++ % 4 ? "" : "\n ", s->regs[i].name,
			(unsigned long long)s->regs[i].value);
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
		fprintf(f, "pt_regs at 0x%llx (%s layout):", (unsigned long long)s->frame.base,
			s->frame.layout_source);
		int filled = 0;
		for (int i = s->frame.nslots - 1; i >= 0; i--) {
			const struct snap_slot *sl = &s->frame.slots[i];
			if (!sl->filled)
				continue;
			fprintf(f, "%s %s=0x%llx%s", filled++ % 4 ? "" : "\n ", sl->name,
				(unsigned long long)sl->value, sl->just_written ? "*" : "");
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

void textout_trace_line(FILE *f, const struct snapshot *s)
{
	const struct snap_insn *in = current_insn(s);
	fprintf(f, "%-40s ", s->location);
	textout_sanitized(f, in ? in->att : "?");
	for (int i = 0; i < s->nregs; i++)
		if (s->regs[i].changed && strcmp(s->regs[i].name, "rip") != 0)
			fprintf(f, "  %s=0x%llx", s->regs[i].name, (unsigned long long)s->regs[i].value);
	fputc('\n', f);
}
