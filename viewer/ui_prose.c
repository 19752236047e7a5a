/* ui_prose.c: disassembly, note and console panes. */
#include "ui_prose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mdrender.h"
#include "present.h"
#include "ui_panes.h"
#include "ui_text.h"

/* The note rendered for one snapshot at one width: re-rendering on every keypress
 * would run cmark for nothing, and a resize must render again. */
struct ui_md_cache {
	const char *markdown;    /* the snapshot's string the doc was made from */
	int width;
	int status;              /* mdrender's result */
	struct md_doc doc;
};

void ui_prose_draw_disasm(struct ui_view *v, struct ui_rect r, bool focused)
{
	const struct snapshot *s = v->snap;
	struct ui_rect body = { r.y + 1, r.x, r.h - 1, r.w };
	char extra[200] = "";
	int cur_row = 0, total = 0, skip, y;
	struct ui_cursor c;

	if (s->source_file[0])
		snprintf(extra, sizeof extra, "%s:%d", s->source_file, s->source_line);
	ui_header(v, r.y, r.x, r.w, v->intel ? "Disassembly (Intel)" : "Disassembly (AT&T)",
		  focused, extra);
	if (s->ninsns <= 0) {
		if (body.h > 0)
			ui_put(v, body.y, body.x, body.w, v->style[UI_ST_DIM], "no code bytes at this stop");
		return;
	}
	/* Count rows first (a label takes one) to keep the current line a third down. */
	for (int i = 0; i < s->ninsns && i < SNAP_MAX_INSNS; i++) {
		if (s->insns[i].label[0])
			total++;
		if (s->insns[i].current)
			cur_row = total;
		total++;
	}
	skip = cur_row - body.h / 3 + v->scroll[UI_PANE_DISASM];
	if (skip > total - body.h)
		skip = total - body.h;
	if (skip < 0)
		skip = 0;
	c = ui_cursor_start(body, skip);
	for (int i = 0; i < s->ninsns && i < SNAP_MAX_INSNS; i++) {
		const struct snap_insn *in = &s->insns[i];
		attr_t a = in->current ? v->style[UI_ST_CURRENT] : v->style[UI_ST_NORMAL];
		int used;

		if (in->label[0] && ui_cursor_next(&c, &y))
			ui_putf(v, y, r.x, r.w, v->style[UI_ST_LABEL], "%s:", in->label);
		if (!ui_cursor_next(&c, &y))
			continue;
		if (in->current)
			mvchgat(y, r.x, r.w, a, 0, NULL);
		used = ui_put(v, y, r.x, 2, a, in->current ? (v->utf8 ? "\u25b6 " : "> ") : "  ");
		used += ui_putf(v, y, r.x + used, r.w - used, a, "%016llx  ", (unsigned long long)in->addr);
		ui_put(v, y, r.x + used, r.w - used, a, v->intel ? in->intel : in->att);
	}
	ui_cursor_done(v, UI_PANE_DISASM, &c);
}

int ui_prose_disasm_key(struct ui_view *v, enum ui_pane_id id, struct ui_rect r, int ch)
{
	int page = r.h > 3 ? r.h - 2 : 1;

	switch (ch) {
	case KEY_UP: case 'k': v->scroll[id]--; break;
	case KEY_DOWN: case 'j': v->scroll[id]++; break;
	case KEY_PPAGE: v->scroll[id] -= page; break;
	case KEY_NPAGE: v->scroll[id] += page; break;
	case KEY_HOME: v->scroll[id] = 0; break;
	default: return 0;
	}
	/* Never further than the listing itself: the draw clamps, this keeps keys responsive. */
	if (v->scroll[id] > SNAP_MAX_INSNS * 2)
		v->scroll[id] = SNAP_MAX_INSNS * 2;
	if (v->scroll[id] < -SNAP_MAX_INSNS * 2)
		v->scroll[id] = -SNAP_MAX_INSNS * 2;
	return UI_REDRAW;
}

/* Curses attributes for a set of mdrender style bits. */
static attr_t ui_md_attr(const struct ui_view *v, unsigned st)
{
	attr_t a = v->style[UI_ST_NORMAL];

	if (st & (MD_CODE | MD_CODEBLOCK))
		a |= v->style[UI_ST_CODE];
	if (st & MD_EMPH)
		a |= A_UNDERLINE;
	if (st & (MD_STRONG | MD_HEADING | MD_MARKER))
		a |= A_BOLD;
	if (st & (MD_URL | MD_RULE))
		a |= A_DIM;
	if (st & MD_LINK)
		a |= A_UNDERLINE;
	return a;
}

static struct ui_md_cache *ui_md_render(struct ui_view *v, const char *markdown, int width)
{
	struct ui_md_cache *mc = v->md_cache;

	if (mc && mc->markdown == markdown && mc->width == width)
		return mc;
	if (!mc) {
		mc = calloc(1, sizeof *mc);
		if (!mc)
			return NULL;
		v->md_cache = mc;
	} else {
		md_doc_free(&mc->doc);
	}
	mc->markdown = markdown;
	mc->width = width;
	mc->status = mdrender(&mc->doc, markdown, strlen(markdown), width);
	return mc;
}

static void ui_count_line(void *arg, const char *line, size_t len);

int ui_prose_note_rows(struct ui_view *v, int w)
{
	const struct snapshot *s = v->snap;
	struct ui_md_cache *mc;
	int rows = 1;     /* the header */

	if (!s || w < 4)
		return 4;
	if (!s->note_title && !s->note_markdown)
		return 4;
	if (s->note_title) {
		ui_text_wrap(s->note_title, w - 2, v->utf8, ui_count_line, &rows);
		rows++;
	}
	char caveat[512];
	for (int i = 0; present_caveat_line(s->note_caveats, i, v->utf8, caveat, sizeof caveat); i++)
		ui_text_wrap(caveat, w - 2, v->utf8, ui_count_line, &rows);
	rows += s->note_caveats && *s->note_caveats;
	mc = s->note_markdown ? ui_md_render(v, s->note_markdown, w - 2) : NULL;
	if (mc && mc->status == 0)
		rows += (int)mc->doc.nlines;
	else if (s->note_markdown)
		ui_text_wrap(s->note_markdown, w - 2, v->utf8, ui_count_line, &rows);
	return rows;
}

/* Emits wrapped title lines through the cursor. */
struct ui_emit {
	struct ui_view *v;
	struct ui_cursor *c;
	attr_t a;
	int x, w;
};

static void ui_emit_line(void *arg, const char *line, size_t len)
{
	struct ui_emit *e = arg;
	int y;

	if (ui_cursor_next(e->c, &y))
		ui_putn(e->v, y, e->x, e->w, e->a, line, len);
}

void ui_prose_draw_note(struct ui_view *v, struct ui_rect r, bool focused)
{
	const struct snapshot *s = v->snap;
	struct ui_cursor c = ui_cursor_start((struct ui_rect){ r.y + 1, r.x + 1, r.h - 1, r.w - 1 },
					     v->scroll[UI_PANE_NOTE]);
	struct ui_emit e = { v, &c, v->style[UI_ST_TITLE] | A_BOLD, r.x + 1, r.w - 2 };
	struct ui_md_cache *mc;
	int y;

	ui_header(v, r.y, r.x, r.w, "Note", focused, s->anchor);
	if (!s->note_title && !s->note_markdown) {
		if (ui_cursor_next(&c, &y))
			ui_putf(v, y, r.x + 1, r.w - 2, v->style[UI_ST_DIM], "No note at %s.",
				s->location[0] ? s->location : "this stop");
		if (ui_cursor_next(&c, &y) && ui_cursor_next(&c, &y))
			ui_put(v, y, r.x + 1, r.w - 2, v->style[UI_ST_DIM],
			       "Press n to run to the next annotated stop.");
		ui_cursor_done(v, UI_PANE_NOTE, &c);
		return;
	}
	if (s->note_title) {
		ui_text_wrap(s->note_title, r.w - 2, v->utf8, ui_emit_line, &e);
		ui_cursor_next(&c, &y);     /* a blank line under the title */
	}
	/* A claim that does not hold here is said before the prose, marked, never hidden. */
	char caveat[512];
	e.a = v->style[UI_ST_ERROR];
	for (int i = 0; present_caveat_line(s->note_caveats, i, v->utf8, caveat, sizeof caveat); i++)
		ui_text_wrap(caveat, r.w - 2, v->utf8, ui_emit_line, &e);
	if (s->note_caveats && *s->note_caveats)
		ui_cursor_next(&c, &y);
	e.a = v->style[UI_ST_TITLE] | A_BOLD;
	mc = s->note_markdown ? ui_md_render(v, s->note_markdown, r.w - 2) : NULL;
	if (mc && mc->status == 0) {
		for (size_t i = 0; i < mc->doc.nlines; i++) {
			const struct md_line *ln = &mc->doc.lines[i];
			int x = r.x + 1;

			if (!ui_cursor_next(&c, &y))
				continue;
			for (size_t k = 0; k < ln->nspans && x < r.x + r.w - 1; k++)
				x += ui_put(v, y, x, r.x + r.w - 1 - x, ui_md_attr(v, ln->spans[k].style),
					    ln->spans[k].text);
		}
	} else if (s->note_markdown) {
		/* mdrender failed (out of memory): the raw text, wrapped, is still readable. */
		e.a = v->style[UI_ST_NORMAL];
		ui_text_wrap(s->note_markdown, r.w - 2, v->utf8, ui_emit_line, &e);
	}
	ui_cursor_done(v, UI_PANE_NOTE, &c);
}

/* The console text up to the stop shown: each snapshot holds what was printed since
 * the previous one; the live tail only belongs after the newest stop. */
static char *ui_console_text(const struct ui_view *v)
{
	size_t len = 0, cap = 256;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; i <= v->pos && i < v->count; i++) {
		const struct snapshot *s = v->src->ops->at(v->src->ctx, i);
		const char *add = s ? s->console : NULL;
		size_t n;

		if (!add)
			continue;
		n = strlen(add);
		if (len + n + 1 > cap) {
			char *nb;
			while (len + n + 1 > cap)
				cap *= 2;
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		memcpy(buf + len, add, n + 1);
		len += n;
	}
	if (v->pos + 1 == v->count && v->console_tail_len > 0) {
		char *nb = realloc(buf, len + v->console_tail_len + 1);
		if (nb) {
			buf = nb;
			memcpy(buf + len, v->console_tail, v->console_tail_len);
			len += v->console_tail_len;
			buf[len] = '\0';
		}
	}
	return buf;
}

static void ui_count_line(void *arg, const char *line, size_t len)
{
	(void)line;
	(void)len;
	(*(int *)arg)++;
}

void ui_prose_draw_console(struct ui_view *v, struct ui_rect r, bool focused)
{
	char *text = ui_console_text(v);
	struct ui_cursor c;
	struct ui_emit e = { v, &c, v->style[UI_ST_NORMAL], r.x, r.w };
	int total = 0, body = r.h - 1;
	const char *start;

	ui_header(v, r.y, r.x, r.w, "Serial console", focused, NULL);
	if (!text)
		return;
	/* A console can grow without bound; only its last 64 KiB is worth wrapping. */
	start = strlen(text) > 65536 ? text + strlen(text) - 65536 : text;
	if (*start)
		ui_text_wrap(start, r.w, v->utf8, ui_count_line, &total);
	/* (ui_text_wrap emits no row after a final newline: total is the rows drawn.) */
	if (v->scroll[UI_PANE_CONSOLE] > total - body)
		v->scroll[UI_PANE_CONSOLE] = total - body;
	if (v->scroll[UI_PANE_CONSOLE] < 0)
		v->scroll[UI_PANE_CONSOLE] = 0;
	c = ui_cursor_start((struct ui_rect){ r.y + 1, r.x, body, r.w },
			    total - body - v->scroll[UI_PANE_CONSOLE]);
	if (total == 0 && body > 0)
		ui_put(v, r.y + 1, r.x, r.w, v->style[UI_ST_DIM], "(nothing printed yet)");
	else
		ui_text_wrap(start, r.w, v->utf8, ui_emit_line, &e);
	ui_cursor_done(v, UI_PANE_CONSOLE, &c);
	v->rows[UI_PANE_CONSOLE] = total;
	free(text);
}

int ui_prose_console_key(struct ui_view *v, enum ui_pane_id id, struct ui_rect r, int ch)
{
	int page = r.h > 3 ? r.h - 2 : 1;

	switch (ch) {
	case KEY_UP: case 'k': v->scroll[id]++; break;
	case KEY_DOWN: case 'j': v->scroll[id]--; break;
	case KEY_PPAGE: v->scroll[id] += page; break;
	case KEY_NPAGE: v->scroll[id] -= page; break;
	case KEY_END: v->scroll[id] = 0; break;
	default: return 0;
	}
	if (v->scroll[id] < 0)
		v->scroll[id] = 0;
	if (v->scroll[id] > v->rows[id])
		v->scroll[id] = v->rows[id];
	return UI_REDRAW;
}

void ui_prose_free(struct ui_view *v)
{
	struct ui_md_cache *mc = v->md_cache;

	if (mc) {
		md_doc_free(&mc->doc);
		free(mc);
		v->md_cache = NULL;
	}
}
