/* ui_panes.h: the panes of the viewer as a const table of operations (htop/tmux style).
 *
 * A pane draws itself inside the rectangle it is given and handles the keys sent to it
 * while it has the focus. Key handlers only change the view and return flags; the
 * loop in ui.c decides when to redraw.
 */
#ifndef SYSWALK_UI_PANES_H
#define SYSWALK_UI_PANES_H

#include "ui_draw.h"

enum ui_flags {
	UI_REDRAW = 1 << 0,
	UI_QUIT   = 1 << 1,
};

struct ui_pane_ops {
	const char *name;        /* shown on the header line */
	void (*draw)(struct ui_view *v, struct ui_rect r, bool focused);
	/* A key sent to the focused pane; returns enum ui_flags (0: not handled). */
	int (*key)(struct ui_view *v, enum ui_pane_id id, struct ui_rect r, int ch);
	int min_w, min_h;        /* smallest useful size, header included */
};

/* The panes, indexed by enum ui_pane_id. */
extern const struct ui_pane_ops ui_panes[UI_PANE_COUNT];

/* Rows the registers pane needs at width W, header included (for the layout). */
int ui_panes_regs_height(const struct ui_view *v, int w);

/* Rows the MSR pane needs, header included. */
int ui_panes_msrs_height(const struct ui_view *v);

/* Release what the panes cached in V (the rendered note). */
void ui_panes_free(struct ui_view *v);

#endif
