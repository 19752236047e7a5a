/* export.c: choosing the format by extension, the atomic write, and the Markdown
 * handout (the HTML page is in export_html.c, JSON in trace_json.c).
 *
 * The handout is meant to be printed: per stop a heading, the note's own prose
 * (already Markdown, inserted as written), then compact tables and fenced code.
 * Everything that is data rather than prose (register names, locations, console
 * bytes) is escaped so it cannot turn into Markdown markup by accident, and every
 * string, the note included, is made visible by textsafe's rule ("\x1b", "\u009b")
 * instead of reaching a terminal or printer raw.
 */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "atomic_file.h"
#include "present.h"
#include "textsafe.h"
#include "trace_json.h"

/* The format PATH's extension asks for (case-insensitive), or -1 when unknown. */
int export_format_of(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return -1;
	if (strcasecmp(dot, ".md") == 0)
		return EXPORT_MARKDOWN;
	if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0)
		return EXPORT_HTML;
	if (strcasecmp(dot, ".json") == 0)
		return EXPORT_JSON;
	return -1;
}

/* Markdown's thin escaper over textsafe: each character of untrusted S under the rule
 * (newlines and tabs kept), a newline written as NEWLINE when that is not NULL, and,
 * with PUNCT, Markdown's punctuation backslash-escaped so that it stays literal. A
 * replacement such as "\x1b" needs no quoting: a backslash before a letter or digit
 * is literal in Markdown. */
static void md_escape(FILE *f, const char *s, const char *newline, bool punct)
{
	size_t n = s ? strlen(s) : 0;

	for (size_t i = 0; i < n; ) {
		struct textsafe_char c;

		textsafe_next(s + i, n - i, TEXTSAFE_LINES, &c);
		i += c.used;
		if (!c.replaced && c.text[0] == '\n' && newline)
			fputs(newline, f);
		else if (!c.replaced && punct && strchr("\\`*_[]<>#|&~!", c.text[0]))
			fprintf(f, "\\%c", c.text[0]);
		else
			fwrite(c.text, 1, c.len, f);
	}
}

/* Plain text made visible; "\r\n" becomes "\n". */
static void md_text(FILE *f, const char *s)
{
	md_escape(f, s, NULL, false);
}

/* Inline text where Markdown punctuation must stay literal (titles, table cells). */
static void md_inline(FILE *f, const char *s)
{
	md_escape(f, s, " ", true);
}

static size_t longest_run(const char *s, char c)
{
	size_t best = 0, run = 0;

	for (; s && *s; s++) {
		run = *s == c ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* A code span that no backtick inside S can close early. */
static void md_code(FILE *f, const char *s)
{
	size_t ticks = longest_run(s, '`') + 1;

	for (size_t i = 0; i < ticks; i++)
		fputc('`', f);
	fputs(ticks > 1 ? " " : "", f);
	md_escape(f, s, " ", false);
	fputs(ticks > 1 ? " " : "", f);
	for (size_t i = 0; i < ticks; i++)
		fputc('`', f);
}

/* Start or end a fenced block longer than any backtick run of BODY. */
static void md_fence(FILE *f, const char *body, const char *info)
{
	size_t ticks = longest_run(body, '`') + 1;

	for (size_t i = 0; i < (ticks < 3 ? 3 : ticks); i++)
		fputc('`', f);
	fprintf(f, "%s\n", info);
}

/* One table row per register group, the names the note points at in italics. */
static void md_regs(FILE *f, const struct snapshot *s)
{
	const struct snap_reg *regs[SNAP_MAX_REGS];

	fputs("**Registers** (changed since the previous stop in bold, with `*`; named by the note in italics)\n\n"
	      "| group | registers |\n|---|---|\n", f);
	for (int g = 0; g < PRESENT_GROUP_COUNT; g++) {
		int n = present_group_regs(s, &present_groups[g], regs);

		if (n == 0)
			continue;
		fprintf(f, "| %s |", present_groups[g].title);
		for (int i = 0; i < n; i++) {
			const struct snap_reg *r = regs[i];
			bool named = present_shown(s, r->name);
			char v[24];

			present_hex(v, sizeof v, r->value, r->bits);
			fputs(i ? " · " : " ", f);
			fputs(named ? "_" : "", f);
			md_inline(f, r->name);
			fputs(named ? "_" : "", f);
			fprintf(f, r->changed ? " **`%s`**\\*" : " `%s`", v);
			if (strcmp(r->name, "eflags") == 0) {
				char names[128];

				present_flags_names(r->value, true, names, sizeof names);
				fprintf(f, " [%s]", names);
			}
		}
		fputs(" |\n", f);
	}
	fputs("\n", f);
}

static void md_msrs(FILE *f, const struct snapshot *s)
{
	fputs("**Syscall MSRs**\n\n| MSR | value | meaning | source |\n|---|---|---|---|\n", f);
	for (int i = 0; i < SNAP_MSR_COUNT; i++) {
		char lines[4][64];
		int n = present_msr_decode(s, (enum snap_msr_id)i, lines, 4);

		if (s->msrs[i].source == SNAP_MSR_UNKNOWN) {
			fprintf(f, "| %s | - | | %s |\n", snapshot_msr_name(i), present_msr_source(s->msrs[i].source));
			continue;
		}
		fprintf(f, "| %s | `0x%016" PRIx64 "` | ", snapshot_msr_name(i), s->msrs[i].value);
		for (int k = 0; k < n; k++) {
			fputs(k ? "; " : "", f);
			md_inline(f, lines[k]);
		}
		fprintf(f, " | %s |\n", present_msr_source(s->msrs[i].source));
	}
	fputc('\n', f);
}

static void md_frame(FILE *f, const struct snapshot *s)
{
	const struct snap_frame *fr = &s->frame;
	int filled = 0;

	if (!fr->valid)
		return;
	fprintf(f, "**`struct pt_regs`** at `0x%016" PRIx64 "` (%" PRIu32 " bytes, layout from ",
		fr->base, fr->size);
	md_inline(f, fr->layout_source);
	fputs(")\n\n", f);
	for (int i = 0; i < fr->nslots; i++)
		filled += fr->slots[i].filled;
	if (filled == 0) {
		fputs("Empty: nothing has been pushed yet.\n\n", f);
		return;
	}
	fputs("| offset | field | value | |\n|---:|---|---|---|\n", f);
	/* Highest offset first: the way the stack is drawn, pushes going down the page. */
	int order[SNAP_MAX_SLOTS], n = present_frame_order(fr, order);
	for (int k = 0; k < n; k++) {
		const struct snap_slot *sl = &fr->slots[order[k]];

		if (!sl->filled)
			continue;
		fprintf(f, "| %" PRIu32 " | ", sl->offset);
		md_inline(f, sl->name);
		fprintf(f, " | `0x%016" PRIx64 "` | %s |\n", sl->value,
			sl->just_written ? "just written" : "");
	}
	fprintf(f, "\n%d of %d fields filled.\n\n", filled, fr->nslots);
}

static void md_code_block(FILE *f, const struct snapshot *s)
{
	char *body = NULL;
	size_t len = 0;
	FILE *m;

	if (s->ninsns == 0)
		return;
	/* Build the body first: the fence must be longer than any backtick inside it. */
	m = open_memstream(&body, &len);
	if (!m)
		return;
	for (int i = 0; i < s->ninsns; i++) {
		const struct snap_insn *in = &s->insns[i];

		if (in->label[0]) {
			md_text(m, in->label);
			fputs(":\n", m);
		}
		char bytes[64];

		present_bytes(in, bytes, sizeof bytes);
		fprintf(m, "%s %016" PRIx64 "  %-23s  ", in->current ? "=>" : "  ", in->addr, bytes);
		md_text(m, in->att);
		fputc('\n', m);
	}
	fclose(m);
	fputs("**Code** (AT&T syntax, `=>` marks RIP)\n\n", f);
	md_fence(f, body, "asm");
	fputs(body ? body : "", f);
	md_fence(f, body, "");
	fputc('\n', f);
	free(body);
}

static void md_stop(FILE *f, const struct snapshot *s, size_t pos, size_t n)
{
	fprintf(f, "## %zu. ", pos + 1);
	md_code(f, s->location[0] ? s->location : "?");
	if (s->note_title && *s->note_title) {
		fputs(" — ", f);
		md_inline(f, s->note_title);
	}
	fprintf(f, "\n\n*Stop %zu of %zu · %s · ", pos + 1, n, present_kind_word(s->kind));
	md_inline(f, s->syscall);
	fprintf(f, " · CPL %d · RIP `0x%016" PRIx64 "`", s->cpl, s->rip);
	if (s->source_file[0]) {
		fputs(" · ", f);
		md_inline(f, s->source_file);
		if (s->source_line > 0)
			fprintf(f, ":%d", s->source_line);
	}
	fputs("*\n\n", f);
	for (int q = 0; q < s->nquestions && q < SNAP_MAX_QUESTIONS; q++) {
		const struct snap_question *qn = &s->questions[q];
		fputs("> **Predict:** ", f);
		md_inline(f, qn->text);
		for (int c = 0; c < qn->nchoices; c++) {
			fprintf(f, " (%d) ", c + 1);
			md_inline(f, qn->choice_label[c]);
		}
		char answer[256];

		present_answer(qn, answer, sizeof answer);
		fputs("\n>\n> *Answer, read from the CPU at this stop:* ", f);
		md_inline(f, answer);
		fputs("\n\n", f);
	}
	char caveat[512];
	for (int i = 0; present_caveat_line(s->note_caveats, i, true, caveat, sizeof caveat); i++) {
		fputs("> **", f);
		md_inline(f, caveat);
		fputs("**\n\n", f);
	}
	if (s->note_markdown && *s->note_markdown) {
		md_text(f, s->note_markdown);
		fputs(s->note_markdown[strlen(s->note_markdown) - 1] == '\n' ? "\n" : "\n\n", f);
	}
	md_regs(f, s);
	md_msrs(f, s);
	md_frame(f, s);
	md_code_block(f, s);
	if (s->console && *s->console) {
		fputs("**Console output since the previous stop**\n\n", f);
		md_fence(f, s->console, "text");
		md_text(f, s->console);
		fputs(s->console[strlen(s->console) - 1] == '\n' ? "" : "\n", f);
		md_fence(f, s->console, "");
		fputc('\n', f);
	}
}

/* Write T as a printable Markdown handout to F. Returns 0 or < 0 with err set. */
int export_markdown(FILE *f, const struct trace *t, char *err, size_t errlen)
{
	fputs("# syswalk: ", f);
	md_inline(f, t->syscalls[0] ? t->syscalls : "system call");
	fputs(" on the ", f);
	md_inline(f, strcmp(t->target, "teach") == 0 ? "teaching kernel" : t->target);
	fputs("\n\n", f);
	fprintf(f, "A walk through the x86_64 system call path in %zu stops", t->n);
	if (t->date[0]) {
		fputs(", recorded ", f);
		md_inline(f, t->date);
	}
	if (t->syswalk_version[0]) {
		fputs(" by syswalk ", f);
		md_inline(f, t->syswalk_version);
	}
	fputs(".\n", f);
	if (t->kernel_path) {
		fputs("Kernel: ", f);
		md_code(f, present_basename(t->kernel_path));
		if (t->kernel_build_id[0]) {
			fputs(" (build id ", f);
			md_code(f, t->kernel_build_id);
			fputs(")", f);
		}
		fputs(".\n", f);
	}
	if (t->kernel_files) {          /* file names only (kernel_files_describe) */
		fputs("Files: ", f);
		md_inline(f, t->kernel_files);
		fputs(".\n", f);
	}
	if (t->command_line) {
		char cmd[1024];

		present_command(t->command_line, cmd, sizeof cmd);
		fputs("Command: ", f);
		md_code(f, cmd);
		fputs(".\n", f);
	}
	if (t->quiz_asked > 0)
		fprintf(f, "Quiz score: %d of %d right.\n", t->quiz_right, t->quiz_asked);
	fputs("\n", f);
	for (size_t i = 0; i < t->n; i++) {
		fputs("---\n\n", f);
		md_stop(f, &t->snaps[i], i, t->n);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
		return -EIO;
	}
	return 0;
}

struct export_job {
	const struct trace *trace;
	enum export_format format;
};

static int export_write(FILE *f, void *arg, char *err, size_t errlen)
{
	const struct export_job *job = arg;

	switch (job->format) {
	case EXPORT_MARKDOWN:
		return export_markdown(f, job->trace, err, errlen);
	case EXPORT_HTML:
		return export_html(f, job->trace, err, errlen);
	case EXPORT_JSON:
		return trace_json_write(f, job->trace, err, errlen);
	}
	snprintf(err, errlen, "unknown format");
	return -EINVAL;
}

/* Write T to PATH in the format its extension names, atomically (see export.h). */
int export_trace(const struct trace *t, const char *path, char *err, size_t errlen)
{
	struct export_job job = { .trace = t };
	char why[384];
	int format = export_format_of(path), rc;

	if (format < 0) {
		snprintf(err, errlen, "export: %s: unknown file type (use .md, .html, .htm or .json)", path);
		return -EINVAL;
	}
	if (t->n == 0) {
		snprintf(err, errlen, "export: %s: the walk has no stops to export", path);
		return -EINVAL;
	}
	job.format = (enum export_format)format;
	rc = atomic_file_write(path, export_write, &job, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "export: %s", why);
	return rc;
}
