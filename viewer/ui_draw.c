/* ui_draw.c: clipped, sanitised drawing on stdscr and the small decoders panes share. */
#include "ui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ui_text.h"

struct ui_cursor ui_cursor_start(struct ui_rect r, int skip)
{
	struct ui_cursor c = { .r = r, .skip = skip < 0 ? 0 : skip, .row = 0 };
	return c;
}

bool ui_cursor_next(struct ui_cursor *c, int *y)
{
	int line = c->row++ - c->skip;

	if (line < 0 || line >= c->r.h)
		return false;
	*y = c->r.y + line;
	return true;
}

int ui_putn(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *s, size_t n)
{
	char buf[2048];
	size_t len, fit;

	if (maxw <= 0 || s == NULL)
		return 0;
	len = ui_text_sanitize(buf, sizeof buf, s, n, v->utf8);
	fit = ui_text_fit(buf, len, maxw, v->utf8);
	attrset(a);
	mvaddnstr(y, x, buf, (int)fit);
	attrset(A_NORMAL);
	return ui_text_width(buf, fit, v->utf8);
}

int ui_put(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *s)
{
	return s ? ui_putn(v, y, x, maxw, a, s, strlen(s)) : 0;
}

int ui_putf(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_put(v, y, x, maxw, a, buf);
}

void ui_header(const struct ui_view *v, int y, int x, int w, const char *title,
	       bool focused, const char *extra)
{
	const char *rule = v->utf8 ? "\u2500" : "-";
	int used;

	attrset(v->style[UI_ST_DIM]);
	for (int i = 0; i < w; i++)
		mvaddstr(y, x + i, rule);
	attrset(A_NORMAL);
	if (w < 6 || !title || !*title)
		return;       /* a box's bottom edge: a plain rule, no empty title */
	used = ui_putf(v, y, x + 2, w - 4, v->style[focused ? UI_ST_FOCUS : UI_ST_TITLE], " %s ", title);
	if (extra && *extra) {
		char buf[512];
		int ew;

		snprintf(buf, sizeof buf, " %s ", extra);
		ew = ui_text_width(buf, strlen(buf), v->utf8);
		if (ew > w - used - 6)
			ew = w - used - 6;
		if (ew > 2)
			ui_put(v, y, x + w - 1 - ew, ew, v->style[UI_ST_TITLE], buf);
	}
}

void ui_vline(const struct ui_view *v, int y, int x, int h)
{
	attrset(v->style[UI_ST_DIM]);
	for (int i = 0; i < h; i++)
		mvaddstr(y + i, x, v->utf8 ? "\u2502" : "|");
	attrset(A_NORMAL);
}

void ui_clear_rect(struct ui_rect r)
{
	for (int i = 0; i < r.h; i++)
		mvhline(r.y + i, r.x, ' ', r.w);
}

void ui_cursor_done(struct ui_view *v, enum ui_pane_id id, const struct ui_cursor *c)
{
	v->rows[id] = c->row;
	v->cut_above[id] = c->skip > 0;
	v->cut_below[id] = c->row > c->skip + c->r.h;
}

void ui_more_marks(const struct ui_view *v, enum ui_pane_id id, struct ui_rect r)
{
	/* On the pane's first and last body rows, at the right: a reader of a projected
	 * screen sees that a pane holds more than it shows, and Tab + j/k reach it. */
	if (r.h < 3 || r.w < 12)
		return;
	if (v->cut_above[id])
		ui_put(v, r.y + 1, r.x + r.w - 8, 8, v->style[UI_ST_STATUS],
		       v->utf8 ? " more \u2191 " : " more ^ ");
	if (v->cut_below[id])
		ui_put(v, r.y + r.h - 1, r.x + r.w - 8, 8, v->style[UI_ST_STATUS],
		       v->utf8 ? " more \u2193 " : " more v ");
}
