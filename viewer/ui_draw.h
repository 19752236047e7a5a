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

/* Whether the note's show: list names NAME ("rcx", "msr.lstar", "pt_regs.ip"). */
bool ui_shown(const struct snapshot *s, const char *name);

/* The register called NAME (case-insensitive; "rflags" finds "eflags"), or NULL. */
const struct snap_reg *ui_reg(const struct snapshot *s, const char *name);

/* Names of the set bits of an RFLAGS value, low to high ("CF PF ZF IF"); IOPL as
 * "IOPL=N" when WITH_IOPL, else "IOPL" when any of its bits is set. */
void ui_flags_names(uint64_t flags, bool with_iopl, char *buf, size_t cap);

/* Names of the set EFER bits ("SCE LME LMA NXE"). */
void ui_efer_names(uint64_t efer, char *buf, size_t cap);

#endif
