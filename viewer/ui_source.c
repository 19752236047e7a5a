/* ui_source.c: the source pane: the kernel source lines around the stop (entry_64.S
 * with its macros and comments, as gdb -tui shows it), the line that ran marked. The
 * lines come with the snapshot (srcfile.h), so a replay shows them too. */
#include "ui_prose.h"

#include <stdio.h>
#include <string.h>

/* One source line with its tabs expanded to eight columns, at most CAP - 1 bytes. */
static void expand_tabs(const char *line, size_t len, char *out, size_t cap)
{
	size_t col = 0, o = 0;

	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		if (line[i] == '\t') {
			do
				out[o++] = ' ';
			while (++col % 8 && o + 1 < cap);
		} else {
			out[o++] = line[i];
			/* UTF-8 continuation bytes take no column */
			col += ((unsigned char)line[i] & 0xc0) != 0x80;
		}
	}
	out[o] = '\0';
}

void ui_source_draw(struct ui_view *v, struct ui_rect r, bool focused)
{
	const struct snapshot *s = v->snap;
	struct ui_rect body = { r.y + 1, r.x, r.h - 1, r.w };
	const char *base = strrchr(s->source_file, '/');
	char extra[200] = "";
	int total = 0, skip, y;
	struct ui_cursor c;

	if (s->source_file[0])
		snprintf(extra, sizeof extra, "%s:%d", base ? base + 1 : s->source_file, s->source_line);
	ui_header(v, r.y, r.x, r.w, "Source", focused, extra);
	if (!s->source_text) {
		if (body.h > 0)
			ui_put(v, body.y, body.x + 1, body.w - 1, v->style[UI_ST_DIM],
			       s->source_file[0] ? "source file not found (docs/user-guide.md: the source pane)"
						 : "no source line for this address");
		c = ui_cursor_start(body, 0);
		ui_cursor_done(v, UI_PANE_SOURCE, &c);
		return;
	}
	for (const char *p = s->source_text; *p; p++)
		total += *p == '\n';
	/* The line that ran a third down, as the disassembly keeps RIP. */
	skip = (s->source_line - s->source_first) - body.h / 3 + v->scroll[UI_PANE_SOURCE];
	if (skip > total - body.h)
		skip = total - body.h;
	if (skip < 0)
		skip = 0;
	c = ui_cursor_start(body, skip);
	int lineno = s->source_first;
	for (const char *p = s->source_text; *p; lineno++) {
		size_t len = strcspn(p, "\n");
		bool cur = lineno == s->source_line;
		attr_t a = cur ? v->style[UI_ST_CURRENT] : v->style[UI_ST_NORMAL];
		char text[512];

		if (ui_cursor_next(&c, &y)) {
			expand_tabs(p, len, text, sizeof text);
			if (cur)
				mvchgat(y, r.x, r.w, a, 0, NULL);
			int used = ui_put(v, y, r.x, 2, a, cur ? (v->utf8 ? "\u25b6 " : "> ") : "  ");
			used += ui_putf(v, y, r.x + used, r.w - used, cur ? a : v->style[UI_ST_DIM], "%5d ", lineno);
			ui_put(v, y, r.x + used, r.w - used, a, text);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	ui_cursor_done(v, UI_PANE_SOURCE, &c);
}
