/* export_html.c: the walk as one self-contained HTML page a teacher can hand out.
 *
 * Self-contained means no external resource of any kind (no font, stylesheet,
 * script or image URL): the CSS and the little script are inline, and a
 * Content-Security-Policy of default-src 'none' makes the browser refuse any fetch
 * even if something slipped through. Every stop is a <section class="stop"
 * id="stop-N" data-location="..."> so tests and links can find it; navigation is
 * plain anchors (works without JavaScript and in print), the script only adds
 * keyboard shortcuts and the AT&T/Intel toggle.
 *
 * Escaping: every string from the trace goes through export_html_escape, except
 * the note, which is Markdown rendered by cmark. Before rendering, raw HTML nodes
 * of the note are turned into literal text (inline) or code blocks (block), so a
 * <script> in a note is shown to the reader as text instead of being dropped
 * silently (what CMARK_OPT_SAFE alone does) or, worse, executed; then every literal
 * of the parsed note is made visible by textsafe's rule, as every other string is.
 */
#include "export.h"

#include <cmark.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export_html_style.h"
#include "present.h"
#include "textsafe.h"

/* Write S to F as HTML text (see export.h): HTML's thin escaper over textsafe. */
void export_html_escape(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	for (size_t i = 0; i < n; ) {
		struct textsafe_char c;

		textsafe_next(s + i, n - i, TEXTSAFE_LINES, &c);
		i += c.used;
		switch (c.replaced || c.len > 1 ? 0 : c.text[0]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fwrite(c.text, 1, c.len, f);
		}
	}
}

/* Whether the note's show: line names PREFIX+NAME (present_shown's one rule). */
static bool shown(const struct snapshot *s, const char *prefix, const char *name)
{
	char full[64];

	snprintf(full, sizeof full, "%s%s", prefix, name);
	return present_shown(s, full);
}

static void put_hex(FILE *f, uint64_t v, unsigned bits)
{
	int digits = bits >= 64 || bits == 0 ? 16 : (int)(bits + 3) / 4;

	fprintf(f, "0x%0*" PRIx64, digits, v);
}

/* Every literal, URL and title of the parsed note under textsafe's rule. After the
 * parse, not before: cmark decodes entities, so "&#27;" is an ESC only by now. */
static int make_visible(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	int rc = 0;

	if (!it)
		return -ENOMEM;
	while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type type = cmark_node_get_type(node);
		char *lit = NULL, *url = NULL, *title = NULL;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_CODE_BLOCK) {
			lit = textsafe_dup(cmark_node_get_literal(node), TEXTSAFE_LINES);
			if (!lit || !cmark_node_set_literal(node, lit))
				rc = -ENOMEM;
		} else if (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) {
			url = textsafe_dup(cmark_node_get_url(node), TEXTSAFE_LINES);
			title = textsafe_dup(cmark_node_get_title(node), TEXTSAFE_LINES);
			if (!url || !title || !cmark_node_set_url(node, url) || !cmark_node_set_title(node, title))
				rc = -ENOMEM;
		}
		free(lit);
		free(url);
		free(title);
	}
	cmark_iter_free(it);
	return rc;
}

/* Turn every raw HTML node into literal text, so it is shown, never interpreted. */
static int neutralise_raw_html(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_node **raw = NULL;
	size_t n = 0, cap = 0;
	cmark_event_type ev;
	int rc = 0;

	/* Collect first: the iterator must not see nodes being replaced under it. */
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type type = cmark_node_get_type(node);

		if (ev != CMARK_EVENT_ENTER || (type != CMARK_NODE_HTML_INLINE && type != CMARK_NODE_HTML_BLOCK))
			continue;
		if (n == cap) {
			cmark_node **grown = realloc(raw, (cap ? cap * 2 : 8) * sizeof(*raw));

			if (!grown) {
				rc = -ENOMEM;
				break;
			}
			raw = grown;
			cap = cap ? cap * 2 : 8;
		}
		raw[n++] = node;
	}
	cmark_iter_free(it);
	for (size_t i = 0; i < n && rc == 0; i++) {
		bool block = cmark_node_get_type(raw[i]) == CMARK_NODE_HTML_BLOCK;
		cmark_node *text = cmark_node_new(block ? CMARK_NODE_CODE_BLOCK : CMARK_NODE_TEXT);

		if (!text || !cmark_node_set_literal(text, cmark_node_get_literal(raw[i])) ||
		    !cmark_node_replace(raw[i], text)) {
			if (text)
				cmark_node_free(text);
			rc = -ENOMEM;
			break;
		}
		cmark_node_free(raw[i]);
	}
	free(raw);
	return rc;
}

/* The note's Markdown as HTML: cmark, safe mode, raw HTML shown as text. */
static int put_note(FILE *f, const char *md)
{
	char *html = NULL;
	cmark_node *doc;
	int rc = -ENOMEM;

	doc = cmark_parse_document(md, strlen(md), CMARK_OPT_SAFE);
	if (doc && neutralise_raw_html(doc) == 0 && make_visible(doc) == 0)
		html = cmark_render_html(doc, CMARK_OPT_SAFE);
	if (html) {
		fputs("<div class=\"note\">\n", f);
		fputs(html, f);
		fputs("</div>\n", f);
		rc = 0;
	}
	free(html);
	if (doc)
		cmark_node_free(doc);
	return rc;
}

static void put_reg_cell(FILE *f, const struct snapshot *s, const struct snap_reg *r)
{
	const char *cls = r->changed ? (shown(s, "", r->name) ? " changed show" : " changed") :
			  shown(s, "", r->name) ? " show" : "";

	fprintf(f, "<td class=\"rn%s\">", cls);
	export_html_escape(f, r->name);
	fprintf(f, "</td><td class=\"rv%s\"%s>", cls, r->changed ? " title=\"changed since the previous stop\"" : "");
	put_hex(f, r->value, r->bits);
	fputs("</td>", f);
}

/* The registers in present.h's groups, three to a row; RFLAGS with its flags named. */
static void put_regs(FILE *f, const struct snapshot *s)
{
	const int per_row = 3;
	const struct snap_reg *regs[SNAP_MAX_REGS];

	fputs("<div class=\"pane regs\"><h3>Registers</h3>\n<table class=\"regs\">", f);
	for (int g = 0; g < PRESENT_GROUP_COUNT; g++) {
		int n = present_group_regs(s, &present_groups[g], regs), col = 0;

		if (n == 0)
			continue;
		fprintf(f, "\n<tr class=\"group\"><th colspan=\"%d\">%s</th></tr>\n<tr>", 2 * per_row,
			present_groups[g].title);
		for (int i = 0; i < n; i++) {
			if (strcmp(regs[i]->name, "eflags") == 0)
				continue;
			if (col && col % per_row == 0)
				fputs("</tr>\n<tr>", f);
			put_reg_cell(f, s, regs[i]);
			col++;
		}
		fputs("</tr>", f);
		const struct snap_reg *fl = g == 0 ? present_reg(s, "eflags") : NULL;
		if (fl) {
			char names[128];

			present_flags_names(fl->value, true, names, sizeof names);
			fputs("\n<tr class=\"flags\">", f);
			put_reg_cell(f, s, fl);
			fprintf(f, "<td colspan=\"%d\" class=\"decode\">%s</td></tr>", 2 * per_row - 2, names);
		}
	}
	fputs("\n</table>\n<p class=\"legend\"><span class=\"changed\">changed</span> since the previous stop"
	      " · <span class=\"show\">named</span> by the note</p></div>\n", f);
}

static void put_msrs(FILE *f, const struct snapshot *s)
{
	static const char *const source_text[] = {
		[SNAP_MSR_UNKNOWN] = "not read yet", [SNAP_MSR_LIVE] = "read here",
		[SNAP_MSR_CARRIED] = "carried",
	};

	fputs("<div class=\"pane msrs\"><h3>Syscall MSRs</h3>\n<table class=\"msrs\">\n", f);
	for (int i = 0; i < SNAP_MSR_COUNT; i++) {
		unsigned src = s->msrs[i].source <= SNAP_MSR_CARRIED ? s->msrs[i].source : 0;
		char lines[4][64];
		int n = present_msr_decode(s, (enum snap_msr_id)i, lines, 4);

		fprintf(f, "<tr class=\"src-%s%s\"><td class=\"rn\">%s</td><td class=\"rv\">",
			src == SNAP_MSR_LIVE ? "live" : src == SNAP_MSR_CARRIED ? "carried" : "unknown",
			present_shown(s, present_msr_show_name(i)) ? " show" : "", snapshot_msr_name(i));
		if (src == SNAP_MSR_UNKNOWN)
			fputs("&mdash;", f);
		else
			put_hex(f, s->msrs[i].value, 64);
		fprintf(f, "</td><td class=\"src\">%s</td></tr>\n", source_text[src]);
		for (int k = 0; k < n; k++) {
			fputs("<tr class=\"decode\"><td></td><td colspan=\"2\">", f);
			export_html_escape(f, lines[k]);
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</table>\n<p class=\"legend\">MSRs can only be read at CPL 0: at a user-mode stop the last"
	      " value read is carried.</p></div>\n", f);
}

/* The frame as a stack, highest address at the top: pushes fill it downwards. */
static void put_frame(FILE *f, const struct snapshot *s)
{
	const struct snap_frame *fr = &s->frame;
	uint64_t rsp = 0;
	bool have_rsp = snapshot_reg_value(s, "rsp", &rsp);
	int filled = 0;

	fputs("<div class=\"pane frame\"><h3>struct pt_regs</h3>\n", f);
	if (!fr->valid) {
		fputs("<p class=\"legend\">No frame at this stop: its place on the kernel stack is not known"
		      " (user mode, or before the stack switch).</p></div>\n", f);
		return;
	}
	for (int i = 0; i < fr->nslots; i++)
		filled += fr->slots[i].filled;
	fprintf(f, "<p class=\"legend\">at <code>0x%016" PRIx64 "</code>, %" PRIu32 " bytes, layout from ",
		fr->base, fr->size);
	export_html_escape(f, fr->layout_source);
	fprintf(f, "; %d of %d fields filled</p>\n<ol class=\"stack\">\n", filled, fr->nslots);
	if (have_rsp && rsp == fr->base + fr->size)
		fputs("<li class=\"slot top rsp\"><span class=\"tag\">rsp &rarr; top of the frame, nothing pushed yet</span></li>\n", f);
	int order[SNAP_MAX_SLOTS], n = present_frame_order(fr, order);
	for (int k = 0; k < n; k++) {
		const struct snap_slot *sl = &fr->slots[order[k]];
		bool at_rsp = have_rsp && rsp == fr->base + sl->offset;

		fprintf(f, "<li class=\"slot %s%s%s%s\"><span class=\"off\">+0x%02" PRIx32 "</span><span class=\"name\">",
			sl->filled ? "filled" : "empty", sl->just_written ? " just-written" : "",
			at_rsp ? " rsp" : "", shown(s, "pt_regs.", sl->name) ? " show" : "", sl->offset);
		export_html_escape(f, sl->name);
		fputs("</span><span class=\"val\">", f);
		if (sl->filled)
			put_hex(f, sl->value, 64);
		else
			fputs("&nbsp;", f);
		fprintf(f, "</span><span class=\"tag\">%s%s%s</span></li>\n", sl->just_written ? "just written" : "",
			sl->just_written && at_rsp ? " · " : "", at_rsp ? "&larr; rsp" : "");
	}
	fputs("</ol></div>\n", f);
}

static void put_code(FILE *f, const struct snapshot *s)
{
	fputs("<div class=\"pane code\"><h3>Code <button type=\"button\" class=\"syntax\" hidden>Intel syntax</button></h3>\n"
	      "<table class=\"code\">\n", f);
	for (int i = 0; i < s->ninsns; i++) {
		const struct snap_insn *in = &s->insns[i];

		if (in->label[0]) {
			fputs("<tr class=\"label\"><td></td><td colspan=\"3\">", f);
			export_html_escape(f, in->label);
			fputs(":</td></tr>\n", f);
		}
		fprintf(f, "<tr%s><td class=\"mark\">%s</td><td class=\"addr\">%016" PRIx64 "</td><td class=\"bytes\">",
			in->current ? " class=\"current\"" : "", in->current ? "&#9654;" : "", in->addr);
		char bytes[64];

		present_bytes(in, bytes, sizeof bytes);
		fputs(bytes, f);
		fputs("</td><td class=\"insn\"><span class=\"att-text\">", f);
		export_html_escape(f, in->att);
		fputs("</span><span class=\"intel-text\">", f);
		export_html_escape(f, in->intel);
		fputs("</span></td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

/* The kernel source around the stop (srcfile.h), the line that ran marked; lines more
 * than five away are left out of print to keep a stop on one page. */
static void put_source(FILE *f, const struct snapshot *s)
{
	const char *p = s->source_text;

	if (!p)
		return;
	fputs("<div class=\"pane source\"><h3>Source <code>", f);
	export_html_escape(f, present_basename(s->source_file));
	fprintf(f, ":%d</code></h3>\n<pre class=\"src\">", s->source_line);
	for (int line = s->source_first; *p; line++) {
		size_t len = strcspn(p, "\n");
		char *text = strndup(p, len);
		int dist = line > s->source_line ? line - s->source_line : s->source_line - line;

		fprintf(f, "<span class=\"src-line%s%s\"><span class=\"ln\">%5d</span> ",
			line == s->source_line ? " current" : "", dist > 5 ? " far" : "", line);
		export_html_escape(f, text ? text : "");
		fputs("</span>", f);    /* block spans: a newline here would show in <pre> */
		free(text);
		p += len + (p[len] == '\n');
	}
	fputs("</pre></div>\n", f);
}

static int put_stop(FILE *f, const struct trace *t, size_t i)
{
	const struct snapshot *s = &t->snaps[i];

	fprintf(f, "<section class=\"stop kind-%s\" id=\"stop-%zu\" data-index=\"%zu\" data-location=\"",
		present_kind_class(s->kind), i, i);
	export_html_escape(f, s->location);
	fputs("\">\n<header class=\"stop-head\"><nav class=\"stepnav\">", f);
	if (i > 0)
		fprintf(f, "<a class=\"prev\" href=\"#stop-%zu\">&larr; previous</a>", i - 1);
	else
		fputs("<span class=\"prev\">&larr; previous</span>", f);
	fprintf(f, "<span class=\"count\">stop %zu of %zu</span>", i + 1, t->n);
	if (i + 1 < t->n)
		fprintf(f, "<a class=\"next\" href=\"#stop-%zu\">next &rarr;</a>", i + 1);
	else
		fputs("<span class=\"next\">next &rarr;</span>", f);
	fputs("</nav>\n<h2><code class=\"loc\">", f);
	export_html_escape(f, s->location[0] ? s->location : "?");
	fputs("</code>", f);
	if (s->note_title && *s->note_title) {
		fputs(" <span class=\"title\">", f);
		export_html_escape(f, s->note_title);
		fputs("</span>", f);
	}
	fprintf(f, "</h2>\n<p class=\"facts\"><span class=\"badge\">%s</span> ", present_kind_word(s->kind));
	export_html_escape(f, s->syscall);
	fprintf(f, " · CPL %d · rip <code>0x%016" PRIx64 "</code>", s->cpl, s->rip);
	if (s->source_file[0]) {
		fputs(" · <code>", f);
		export_html_escape(f, s->source_file);
		if (s->source_line > 0)
			fprintf(f, ":%d", s->source_line);
		fputs("</code>", f);
	}
	if (s->anchor) {
		fputs(" · anchor <code>", f);
		export_html_escape(f, s->anchor);
		fputs("</code>", f);
	}
	fputs("</p></header>\n", f);
	/* Questions come before the note, their answers folded: a handout to think with. */
	for (int q = 0; q < s->nquestions && q < SNAP_MAX_QUESTIONS; q++) {
		const struct snap_question *qn = &s->questions[q];
		fputs("<details class=\"question\"><summary>Predict: ", f);
		export_html_escape(f, qn->text);
		fputs("</summary>", f);
		if (qn->nchoices) {
			fputs("<ol>", f);
			for (int c = 0; c < qn->nchoices; c++) {
				fputs("<li>", f);
				export_html_escape(f, qn->choice_label[c]);
				fputs("</li>", f);
			}
			fputs("</ol>", f);
		}
		char answer[256];

		present_answer(qn, answer, sizeof answer);
		fputs(qn->answer_known ? "<p class=\"answer\">Answer, read from the CPU at this stop: <strong>" :
		      "<p class=\"answer\">The answer could not be computed at this stop: <strong>", f);
		export_html_escape(f, answer);
		fputs("</strong></p></details>\n", f);
	}
	char caveat[512];
	for (int i = 0; present_caveat_line(s->note_caveats, i, true, caveat, sizeof caveat); i++) {
		fputs(i ? "" : "<div class=\"caveats\" role=\"note\">", f);
		fputs("<p class=\"caveat\">", f);
		export_html_escape(f, caveat);
		fputs("</p>", f);
	}
	fputs(s->note_caveats && *s->note_caveats ? "</div>\n" : "", f);
	if (s->note_markdown && *s->note_markdown && put_note(f, s->note_markdown) < 0)
		return -ENOMEM;
	fputs("<div class=\"panes\">\n", f);
	put_regs(f, s);
	put_frame(f, s);
	put_code(f, s);
	put_msrs(f, s);
	put_source(f, s);
	fputs("</div>\n", f);
	if (s->console && *s->console) {
		fputs("<div class=\"console\"><h3>Console output since the previous stop</h3><pre>", f);
		export_html_escape(f, s->console);
		fputs("</pre></div>\n", f);
	}
	fputs("</section>\n", f);
	return 0;
}

static void put_heading(FILE *f, const struct trace *t)
{
	const char *target = strcmp(t->target, "teach") == 0 ? "the teaching kernel" :
			     strcmp(t->target, "linux") == 0 ? "Linux" : t->target;

	fputs("<title>syswalk: ", f);
	export_html_escape(f, t->syscalls[0] ? t->syscalls : "system call");
	fputs(" on ", f);
	export_html_escape(f, target);
	fputs("</title>\n<style>\n", f);
	fputs(export_html_css, f);
	fputs("</style>\n</head>\n<body>\n<header class=\"top\"><h1>syswalk: <code>", f);
	export_html_escape(f, t->syscalls[0] ? t->syscalls : "system call");
	fputs("</code> on ", f);
	export_html_escape(f, target);
	fprintf(f, "</h1>\n<p class=\"meta\">The x86_64 system call path, in %zu stops", t->n);
	if (t->date[0]) {
		fputs(" · recorded ", f);
		export_html_escape(f, t->date);
	}
	if (t->syswalk_version[0]) {
		fputs(" · syswalk ", f);
		export_html_escape(f, t->syswalk_version);
	}
	fputs("</p>\n", f);
	if (t->kernel_path) {
		fputs("<p class=\"meta\">kernel <code>", f);
		export_html_escape(f, present_basename(t->kernel_path));
		fputs("</code>", f);
		if (t->kernel_build_id[0]) {
			fputs(" · build id <code>", f);
			export_html_escape(f, t->kernel_build_id);
			fputs("</code>", f);
		}
		fputs("</p>\n", f);
	}
	if (t->kernel_files) {          /* file names only (kernel_files_describe) */
		fputs("<p class=\"meta\">", f);
		export_html_escape(f, t->kernel_files);
		fputs("</p>\n", f);
	}
	if (t->command_line) {
		char cmd[1024];

		present_command(t->command_line, cmd, sizeof cmd);
		fputs("<p class=\"meta\">command <code>", f);
		export_html_escape(f, cmd);
		fputs("</code></p>\n", f);
	}
	if (t->quiz_asked > 0)
		fprintf(f, "<p class=\"meta quiz\">quiz score: %d of %d right</p>\n", t->quiz_right, t->quiz_asked);
	fputs("<p class=\"meta keys\">Keys, as in the viewer: <kbd>n</kbd>/<kbd>f</kbd>/<kbd>space</kbd>/<kbd>&rarr;</kbd>"
	      " next stop, <kbd>b</kbd>/<kbd>&larr;</kbd> back, <kbd>a</kbd> AT&amp;T/Intel syntax"
	      " (<kbd>j</kbd>/<kbd>p</kbd>/<kbd>k</kbd>/<kbd>i</kbd> work too).</p></header>\n", f);
}

static void put_toc(FILE *f, const struct trace *t)
{
	fputs("<nav class=\"toc\" aria-label=\"Stops\"><h2>Stops</h2>\n<ol>\n", f);
	for (size_t i = 0; i < t->n; i++) {
		const struct snapshot *s = &t->snaps[i];

		/* A trace of several syscalls: say where each one's walk begins. */
		if (i == 0 || strcmp(s->syscall, t->snaps[i - 1].syscall) != 0) {
			fputs("<li class=\"syscall\">", f);
			export_html_escape(f, s->syscall);
			fputs("</li>\n", f);
		}

		fprintf(f, "<li class=\"kind-%s\" value=\"%zu\"><a href=\"#stop-%zu\"><span class=\"loc\">",
			present_kind_class(s->kind), i + 1, i);
		export_html_escape(f, s->location[0] ? s->location : "?");
		fputs("</span>", f);
		if (s->note_title && *s->note_title) {
			fputs("<span class=\"ttl\">", f);
			export_html_escape(f, s->note_title);
			fputs("</span>", f);
		}
		fputs("</a></li>\n", f);
	}
	fputs("</ol></nav>\n", f);
}

/* Write T as one self-contained HTML page to F. Returns 0 or < 0 with err set. */
int export_html(FILE *f, const struct trace *t, char *err, size_t errlen)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	      "<meta name=\"generator\" content=\"syswalk\">\n", f);
	put_heading(f, t);
	fputs("<div class=\"layout\">\n", f);
	put_toc(f, t);
	fputs("<main>\n", f);
	for (size_t i = 0; i < t->n; i++) {
		if (put_stop(f, t, i) < 0) {
			snprintf(err, errlen, "out of memory while rendering the note of stop %zu", i + 1);
			return -ENOMEM;
		}
	}
	fputs("</main>\n</div>\n<script>\n", f);
	fputs(export_html_js, f);
	fputs("</script>\n</body>\n</html>\n", f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
		return -EIO;
	}
	return 0;
}
