/* ui_layout.c: where each pane goes for the terminal's size: compact (80x24), wide
 * (two columns) and three columns (the note in a column of its own). Only rectangles are
 * computed here; ui.c draws into them.
 */
#include <curses.h>
#include <string.h>
#include "ui_internal.h"
#include "ui_panes.h"
#include "ui_prose.h"

static void ui_place(struct ui *u, enum ui_pane_id id, int y, int x, int h, int w)
{
	u->rect[id] = (struct ui_rect){ y, x, h, w };
	u->visible[id] = h >= 2 && w >= 10;
}

/* Which code panes the stop gets: 'v' cycles both, source only, disassembly only; a
 * stop without source lines shows the disassembly alone. */
static void ui_code_panes(const struct ui *u, bool *dis, bool *src)
{
	bool have = u->view.snap && u->view.snap->source_text;

	*src = have && u->code_mode != UI_CODE_DISASM;
	*dis = !*src || u->code_mode == UI_CODE_BOTH;
}

/* The disassembly and the source in R: side by side when R is wide, else stacked. */
static void ui_place_code(struct ui *u, struct ui_rect r)
{
	bool dis, src;

	ui_code_panes(u, &dis, &src);
	if (dis && src && r.w >= 100) {
		int dw = r.w * 9 / 20;
		ui_place(u, UI_PANE_DISASM, r.y, r.x, r.h, dw);
		ui_place(u, UI_PANE_SOURCE, r.y, r.x + dw + 1, r.h, r.w - dw - 1);
	} else if (dis && src) {
		int dh = r.h / 2;
		ui_place(u, UI_PANE_DISASM, r.y, r.x, dh, r.w);
		ui_place(u, UI_PANE_SOURCE, r.y + dh, r.x, r.h - dh, r.w);
	} else {
		ui_place(u, dis ? UI_PANE_DISASM : UI_PANE_SOURCE, r.y, r.x, r.h, r.w);
	}
}

/* Rows the frame pane needs: its 21 slots, the RSP line and the header. */
static int ui_frame_rows(const struct ui_view *v)
{
	return v->snap && v->snap->frame.valid ? v->snap->frame.nslots + 2 : 2;
}

/* The left column of the wide layouts: MSRs, the pt_regs frame whole when it can be,
 * the console in what is left (at least 3 rows). */
static void ui_place_left(struct ui *u, int avail)
{
	int frame_h = ui_frame_rows(&u->view), con_h = 3;
	int msr_h = ui_panes_msrs_height(&u->view);

	/* The MSRs whole (notes and questions point at them), the frame in what is left:
	 * it follows RSP by itself and says "more" when cut. */
	if (msr_h + frame_h + con_h > avail)
		frame_h = avail - msr_h - con_h;
	if (frame_h < 6) {
		frame_h = 6;
		msr_h = avail - frame_h - con_h;
	}
	con_h = avail - msr_h - frame_h;
	ui_place(u, UI_PANE_MSRS, 0, 0, msr_h, UI_LEFT_W);
	ui_place(u, UI_PANE_FRAME, msr_h, 0, frame_h, UI_LEFT_W);
	ui_place(u, UI_PANE_CONSOLE, msr_h + frame_h, 0, con_h, UI_LEFT_W);
}

void ui_layout(struct ui *u)
{
	int avail = LINES - 1;       /* the last line is the status line */

	memset(u->visible, 0, sizeof u->visible);
	u->too_small = COLS < UI_MIN_W || LINES < UI_MIN_H;
	if (u->too_small)
		return;
	u->wide = COLS >= UI_WIDE_W && LINES >= UI_WIDE_H;
	u->three = u->wide && COLS >= UI_THREE_W;
	if (u->three) {
		/* Wide screens: the note gets a column of its own, the height of the screen at a
		 * readable width; registers and code share the middle. */
		int rx = UI_LEFT_W + 1, nw = (COLS - rx) / 2;
		if (nw > UI_NOTE_MAX_W)
			nw = UI_NOTE_MAX_W;
		int mw = COLS - rx - nw - 1, regs_h = ui_panes_regs_height(&u->view, mw);

		ui_place_left(u, avail);
		ui_place(u, UI_PANE_REGS, 0, rx, regs_h, mw);
		ui_place_code(u, (struct ui_rect){ regs_h, rx, avail - regs_h, mw });
		ui_place(u, UI_PANE_NOTE, 0, rx + mw + 1, avail, nw);
	} else if (u->wide) {
		/* Left: MSRs, pt_regs, console. Right: the note first gets the height it needs
		 * (a question's box while the quiz asks), leaving the code at least 10 rows (8
		 * without the source) and the registers 10 (the general ones); the registers
		 * then get what the note left, with a "more" mark when cut. */
		int rx = UI_LEFT_W + 1, rw = COLS - rx;
		bool dis, src;
		ui_code_panes(u, &dis, &src);
		int regs_need = ui_panes_regs_height(&u->view, rw);
		int code_min = dis && src ? 10 : 8, regs_min = regs_need < 10 ? regs_need : 10;
		int note_h = u->quiz.active ? 12 : ui_prose_note_rows(&u->view, rw);

		if (note_h > avail - code_min - regs_min)
			note_h = avail - code_min - regs_min;
		int regs_h = regs_need;
		if (regs_h > avail - note_h - code_min)
			regs_h = avail - note_h - code_min;
		ui_place_left(u, avail);
		ui_place(u, UI_PANE_REGS, 0, rx, regs_h, rw);
		ui_place(u, UI_PANE_NOTE, regs_h, rx, note_h, rw);
		ui_place_code(u, (struct ui_rect){ regs_h + note_h, rx, avail - regs_h - note_h, rw });
	} else {
		/* Compact: the code always at the bottom, one pane above it: the focused one, so
		 * Tab walks through all of them (the status line says so). */
		int code_h = LINES >= 30 ? 10 : 7;

		if (u->focus != UI_PANE_DISASM && u->focus != UI_PANE_SOURCE)
			u->main_pane = u->focus;
		ui_place_code(u, (struct ui_rect){ avail - code_h, 0, code_h, COLS });
		ui_place(u, u->main_pane, 0, 0, avail - code_h, COLS);
	}
}

/* Where the quiz box goes: over the note, so the machine state stays in view; at least
 * 12 rows (over the code below it when the note is shorter). */
struct ui_rect ui_quiz_rect(const struct ui *u)
{
	struct ui_rect r = u->rect[UI_PANE_NOTE];

	if (!u->wide) {
		int h = 12 < LINES - 1 ? 12 : LINES - 1;
		return (struct ui_rect){ LINES - 1 - h, 0, h, COLS };
	}
	if (r.h < 12 && !u->three)
		r.h = 12 < LINES - 1 - r.y ? 12 : LINES - 1 - r.y;
	return r;
}
