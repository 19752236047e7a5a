/* ui_draw.h: what every pane draws with: the view state, styles, clipped text and rows.
 *
 * Panes draw on stdscr inside a rectangle; there are no curses windows to keep in step
 * with the terminal size, so a resize is only "lay out again and redraw". Every string
 * goes through ui_text_sanitize on its way to the screen.
 */
#ifndef SYSWALK_UI_DRAW_H
#define SYSWALK_UI_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curses.h>
#include "stops.h"

enum ui_pane_id {
	UI_PANE_NOTE,            /* first: it has the focus by default */
	UI_PANE_REGS,
	UI_PANE_MSRS,
	UI_PANE_FRAME,
	UI_PANE_DISASM,
	UI_PANE_SOURCE,          /* the kernel source around the stop ('v' shows or hides it) */
	UI_PANE_CONSOLE,
	UI_PANE_COUNT
};

enum ui_style {
	UI_ST_NORMAL,
	UI_ST_TITLE,             /* a pane's name on its header line */
	UI_ST_FOCUS,             /* the focused pane's name */
	UI_ST_CHANGED,           /* a value that changed at this stop, the slot just written */
	UI_ST_SHOWN,             /* a name the note's show: line points at */
	UI_ST_DIM,               /* empty slots, unknown values, hints */
	UI_ST_CURRENT,           /* the instruction at RIP */
	UI_ST_LABEL,             /* symbol labels */
	UI_ST_CODE,              /* `code` in prose */
	UI_ST_ERROR,
	UI_ST_STATUS,
	UI_ST_COUNT
};

struct ui_rect {
	int y, x, h, w;
};

/* Everything a pane reads. The UI fills it before each draw. */
struct ui_view {
	struct stop_source *src;
	const struct snapshot *snap;     /* the stop shown, never NULL while drawing */
	const struct snapshot *prev;     /* the stop before it in the history, or NULL */
	size_t pos, count;
	bool utf8;
	bool intel;
	attr_t style[UI_ST_COUNT];
	int scroll[UI_PANE_COUNT];       /* rows scrolled by the user, per pane */
	int rows[UI_PANE_COUNT];         /* rows the pane had to show at the last draw */
	bool cut_above[UI_PANE_COUNT];   /* rows scrolled away above at the last draw */
	bool cut_below[UI_PANE_COUNT];   /* rows that did not fit below at the last draw */
	bool hide;                       /* --quiz: values equal to hide_value are not shown */
	uint64_t hide_value;
	const char *console_tail;        /* live console bytes after the newest stop */
	size_t console_tail_len;
	void *md_cache;                  /* rendered note (ui_panes.c owns it) */
};

/* Walks the logical rows of a pane, skipping the ones scrolled away. */
struct ui_cursor {
	struct ui_rect r;
	int skip;        /* logical rows above the visible area */
	int row;         /* logical rows emitted so far */
};

/* Start emitting rows in R with SKIP rows scrolled off the top. */
struct ui_cursor ui_cursor_start(struct ui_rect r, int skip);

/* Claim the next logical row; true with its screen line in *Y when it is visible. */
bool ui_cursor_next(struct ui_cursor *c, int *y);

/* Draw untrusted text S at (Y, X), at most MAXW columns; returns the columns used. */
int ui_put(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *s);

/* Same for N bytes of S. */
int ui_putn(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *s, size_t n);

/* printf-style ui_put. */
int ui_putf(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* A pane's header line: a horizontal rule with TITLE (and, right-aligned, EXTRA) on it. */
void ui_header(const struct ui_view *v, int y, int x, int w, const char *title,
	       bool focused, const char *extra);

/* A vertical separator line. */
void ui_vline(const struct ui_view *v, int y, int x, int h);

/* Blank a rectangle. */
void ui_clear_rect(struct ui_rect r);

/* After a pane drew through C: remember its rows and whether some are cut above or below. */
void ui_cursor_done(struct ui_view *v, enum ui_pane_id id, const struct ui_cursor *c);

/* "more" marks on pane ID at R where its content is cut (ui_cursor_done said so). */
void ui_more_marks(const struct ui_view *v, enum ui_pane_id id, struct ui_rect r);

#endif
