/* ui_internal.h: the viewer's state, shared by ui.c (the loop and keys), ui_layout.c
 * (where the panes go) and ui_chrome.c (the status line, the help and the too-small
 * screen). */
#ifndef SYSWALK_UI_INTERNAL_H
#define SYSWALK_UI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "ui.h"
#include "ui_draw.h"
#include "ui_quiz.h"
#include "ui_term.h"

#define UI_MIN_W 80
#define UI_MIN_H 24
#define UI_WIDE_W 110    /* side-by-side columns from this size on */
#define UI_WIDE_H 34
#define UI_LEFT_W 46     /* MSRs, pt_regs and console column in the wide layout */
#define UI_THREE_W 160   /* from this width the note gets a column of its own */
#define UI_NOTE_MAX_W 88 /* prose wider than this is hard to read on a projector */

/* What the code area shows ('v' cycles). */
enum ui_code_mode {
	UI_CODE_BOTH,
	UI_CODE_SOURCE,
	UI_CODE_DISASM,
};
#define UI_TAIL_MAX 65536

struct ui {
	const struct ui_options *opt;
	struct stop_source *src;
	struct ui_term term;
	struct ui_view view;
	struct ui_rect rect[UI_PANE_COUNT];
	bool visible[UI_PANE_COUNT];
	enum ui_pane_id focus;
	enum ui_pane_id main_pane;       /* what the compact layout shows above the disassembly */
	bool too_small, wide, three, help, prompting;
	enum ui_code_mode code_mode;
	char input[256];                 /* the export prompt's text */
	size_t input_len;
	bool input_default;              /* the input is the proposed name: a typed key replaces it */
	char msg[512];                   /* status message; an error when msg_error */
	bool msg_error;
	bool msg_cut;                    /* the status line could not hold msg whole */
	const char *busy;                /* the action running, for the status line */
	const struct snapshot *last_snap;
	char *tail;                      /* live console bytes (ui_options.console_read) */
	size_t tail_len;
	size_t last_count;               /* stops in the history at the last draw */
	size_t known_total;              /* stops of a whole walk of known_for seen before */
	char known_for[16];
	int console_fd;
	bool target_gone;                /* target_event said so: its message is the news */
	struct ui_quiz quiz;             /* --quiz: the question in a box over the note */
	int status;                      /* ui_run's result */
};

/* Place the panes for the terminal's size and the stop shown (u->rect, u->visible);
 * sets too_small, wide and three. */
void ui_layout(struct ui *u);

/* Where the quiz box goes: over the note, at least 12 rows. */
struct ui_rect ui_quiz_rect(const struct ui *u);

/* The status line at the bottom (or the export prompt when it is open). */
void ui_draw_status(struct ui *u);

/* A message the status line had to cut, whole, in a box just above it. */
void ui_draw_message(struct ui *u);

/* The key help, over the panes. */
void ui_draw_help(struct ui *u);

/* The "terminal too small" screen. */
void ui_draw_too_small(struct ui *u);

#endif
