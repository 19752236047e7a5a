/* ui_chrome.c: what frames the panes: the status line, the key help and the
 * "terminal too small" screen. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"
#include "ui_text.h"

void ui_draw_too_small(struct ui *u)
{
	char line1[64], line2[64];
	int y = LINES / 2 - 1;

	snprintf(line1, sizeof line1, "terminal too small (needs %dx%d)", UI_MIN_W, UI_MIN_H);
	snprintf(line2, sizeof line2, "now %dx%d; q quits", COLS, LINES);
	ui_put(&u->view, y < 0 ? 0 : y, COLS > (int)strlen(line1) ? (COLS - (int)strlen(line1)) / 2 : 0,
	       COLS, A_BOLD, line1);
	if (y + 1 < LINES)
		ui_put(&u->view, y + 1, COLS > (int)strlen(line2) ? (COLS - (int)strlen(line2)) / 2 : 0,
		       COLS, A_NORMAL, line2);
}

/* "of M" for the status line: the history's length once the walk is known whole (it
 * ended back in user mode, or an earlier pass of this syscall did), "of >=M" while a
 * live walk can still grow. */
static void ui_stop_total(struct ui *u, char *buf, size_t cap)
{
	struct ui_view *v = &u->view;
	const struct stop_source_ops *ops = u->src->ops;
	const struct snapshot *first = v->count ? ops->at(u->src->ctx, 0) : NULL;
	const struct snapshot *last = v->count ? ops->at(u->src->ctx, v->count - 1) : NULL;
	bool steps = false, one = true;

	for (size_t i = 0; first && i < v->count; i++) {
		const struct snapshot *s = ops->at(u->src->ctx, i);
		steps |= s->kind == SNAP_STEP;
		one &= strcmp(s->syscall, first->syscall) == 0;
	}
	if (!ops->live(u->src->ctx) || !last || last->kind == SNAP_USER) {
		if (last && last->kind == SNAP_USER && !steps && one) {
			u->known_total = v->count;      /* a whole walk of this syscall by n */
			snprintf(u->known_for, sizeof u->known_for, "%s", first->syscall);
		}
		snprintf(buf, cap, "%zu", v->count);
	} else if (!steps && one && u->known_total >= v->count && strcmp(u->known_for, first->syscall) == 0) {
		snprintf(buf, cap, "%zu", u->known_total);
	} else {
		snprintf(buf, cap, "%s%zu", v->utf8 ? "\u2265" : ">=", v->count);
	}
}

/* The key hints, longest form first; the status line takes the longest that fits. */
static const char *const ui_hints[] = {
	"n next  s step  c syscall  b/f back/fwd  v code  ? help  q quit",
	"n next s step c syscall b/f back ? help q quit",
	"n s c b f v ? q",
};
static const char *const ui_hints_tab[] = {
	"n next  s step  c syscall  b/f back/fwd  Tab panes  ? help  q quit",
	"n next s step c syscall b/f Tab panes ? q",
	"n s c b f Tab ? q",
};

void ui_draw_status(struct ui *u)
{
	struct ui_view *v = &u->view;
	const struct stop_source_ops *ops = u->src->ops;
	int y = LINES - 1, used;
	char head[256], tail[96] = "", total[32], loc[200];
	/* Panes that Tab brings forward but the screen does not show now. */
	bool hidden = false;

	for (int i = 0; i < UI_PANE_COUNT; i++)
		hidden |= !u->visible[i] && i != UI_PANE_SOURCE && i != UI_PANE_DISASM;
	u->msg_cut = false;
	if (u->prompting) {
		attrset(A_NORMAL);
		mvhline(y, 0, ' ', COLS);
		used = ui_put(v, y, 0, COLS, A_BOLD, "Export the walk to (Enter: write, Esc: cancel): ");
		used += ui_putn(v, y, used, COLS - used - 1, u->input_default ? A_REVERSE : A_NORMAL,
				u->input, u->input_len);
		ui_put(v, y, used, 1, A_REVERSE, " ");
		return;
	}
	attrset(v->style[UI_ST_STATUS]);
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	ui_stop_total(u, total, sizeof total);
	if (u->quiz.enabled)
		snprintf(tail, sizeof tail, " | quiz %d of %d right", u->quiz.right_count, u->quiz.asked);
	bool live = ops->live(u->src->ctx);
	if (!live)
		snprintf(tail + strlen(tail), sizeof tail - strlen(tail), " | not live");
	snprintf(loc, sizeof loc, " %s", u->quiz.active ? "?" : v->snap && v->snap->location[0] ?
		 v->snap->location : "?");

	/* The hints by the screen's width (all the keys from 80 columns on, for a projector
	 * audience), then as much of the source's description as fits with the whole
	 * location ("teach, page-table isolation on", "teach", or nothing); only then is the
	 * location cut (the code pane shows it too). */
	const char *const *forms = hidden ? ui_hints_tab : ui_hints;
	const char *hints = u->busy || u->msg[0] ? NULL : forms[COLS >= 160 ? 0 : COLS >= 110 ? 1 : 2];
	/* A message takes the hints' place: room for it too, before the location is cut. */
	int hints_w = hints ? (int)strlen(hints) + 2 : u->msg[0] && !u->busy ?
		      ui_text_width(u->msg, strlen(u->msg), v->utf8) + 2 : 0;
	int head_w = 0, tail_w = (int)strlen(tail);
	int loc_w = ui_text_width(loc, strlen(loc), v->utf8);
	for (int detail = 2; detail >= 0; detail--) {
		const char *d = ops->describe(u->src->ctx);
		int dlen = (int)strlen(d);
		if (detail < 2) {
			const char *of = strstr(d, " of ");
			dlen = detail ? (int)strcspn(d, ",") : 0;
			if (detail && of && of - d < dlen)
				dlen = (int)(of - d);        /* "replay of FILE": "replay" */
		}
		snprintf(head, sizeof head, " %.*s%s%s | stop %zu of %s |", dlen, d, dlen ? " | " : "",
			 v->snap && v->snap->syscall[0] ? v->snap->syscall : "-", v->count ? v->pos + 1 : 0, total);
		head_w = ui_text_width(head, strlen(head), v->utf8);
		if (head_w + loc_w + tail_w + hints_w < COLS)
			break;
	}
	int loc_room = COLS - 1 - head_w - tail_w - (hints ? (int)strlen(hints) + 2 : 0);
	used = ui_put(v, y, 0, COLS, v->style[UI_ST_STATUS], head);
	used += ui_put(v, y, used, loc_room > 0 ? loc_room : 0, v->style[UI_ST_STATUS], loc);
	used += ui_put(v, y, used, COLS - used, v->style[UI_ST_STATUS], tail);
	int keep = head_w;     /* a message may cover the location and score, not the head */
	if (u->busy) {
		ui_putf(v, y, used + 1, COLS - used - 1, v->style[UI_ST_STATUS] | A_BOLD,
			"running: %s ...", u->busy);
	} else if (u->msg[0]) {
		/* The message answers what the user just did ("exported ... to PATH"): when it
		 * does not fit after the status, it covers the status's end (location, score)
		 * rather than lose its own. */
		int x = used + 1, len = ui_text_width(u->msg, strlen(u->msg), v->utf8);
		if (x + len > COLS - 1) {
			/* Cover the location and the score, never the head nor "not live". */
			const char *nl = live ? "" : " | not live";
			int nl_w = (int)strlen(nl);
			x = COLS - 1 - len > keep + nl_w + 1 ? COLS - 1 - len : keep + nl_w + 1;
			attrset(v->style[UI_ST_STATUS]);
			mvhline(y, keep, ' ', COLS - keep);
			attrset(A_NORMAL);
			ui_put(v, y, keep, nl_w, v->style[UI_ST_STATUS], nl);
		}
		if (x > used + 1)
			x = used + 1;
		mvhline(y, x - 1, ' ', 1);
		ui_put(v, y, x, COLS - x - 1,
		       u->msg_error ? v->style[UI_ST_ERROR] : v->style[UI_ST_STATUS] | A_BOLD, u->msg);
		u->msg_cut = len > COLS - x - 1;
	} else if (hints) {
		ui_put(v, y, COLS - (int)strlen(hints) - 1, (int)strlen(hints), v->style[UI_ST_STATUS] | A_BOLD,
		       hints);
	}
}

/* Up to MESSAGE_LINES wrapped lines of a message, for the box below. */
#define MESSAGE_LINES 8
struct message_lines {
	char line[MESSAGE_LINES][256];
	int n;
};

static void keep_message_line(void *arg, const char *line, size_t len)
{
	struct message_lines *m = arg;

	if (m->n < MESSAGE_LINES)
		snprintf(m->line[m->n++], sizeof m->line[0], "%.*s", (int)len, line);
}

/* The status line keeps the walk's state and cuts a long message (QEMU's death and
 * what can still be done, an export error naming a long path): the message is then
 * shown whole just above it, over the panes, until the next key clears it. */
void ui_draw_message(struct ui *u)
{
	struct ui_view *v = &u->view;
	struct message_lines m = { .n = 0 };

	if (!u->msg_cut || !u->msg[0] || u->prompting)
		return;
	ui_text_wrap(u->msg, COLS - 4, v->utf8, keep_message_line, &m);
	int h = m.n + 2, y0 = LINES - 1 - h;
	if (m.n == 0 || y0 < 0)
		return;
	ui_clear_rect((struct ui_rect){ y0, 0, h, COLS });
	ui_header(v, y0, 0, COLS, u->msg_error ? "Error" : "Message", true, NULL);
	for (int i = 0; i < m.n; i++)
		ui_put(v, y0 + 1 + i, 2, COLS - 4, u->msg_error ? v->style[UI_ST_ERROR] : A_BOLD,
		       m.line[i]);
	ui_header(v, y0 + h - 1, 0, COLS, "", false, NULL);
}

static const char *const ui_help_lines[] = {
	"n  space     run to the next annotated stop",
	"s            step one instruction",
	"c            continue to the next syscall",
	"b  f  \x01  \x02   back / forward in the history",
	"r            restart from the first stop",
	"Tab  S-Tab   next / previous pane (all of them on",
	"             a small screen: Registers, MSRs, pt_regs)",
	"j k PgUp PgDn  scroll the focused pane",
	"a            AT&T / Intel syntax",
	"v            code: disassembly + source, source, disassembly",
	"e            export the walk so far",
	"Ctrl-L       redraw the screen",
	"q            quit",
	"",
	"any key closes this help",
};

void ui_draw_help(struct ui *u)
{
	int n = (int)(sizeof ui_help_lines / sizeof ui_help_lines[0]);
	int w = 58 < COLS ? 58 : COLS, h = n + 2;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;

	ui_clear_rect((struct ui_rect){ y0, x0, h, w });
	ui_header(&u->view, y0, x0, w, "Keys", true, NULL);
	for (int i = 0; i < n; i++) {
		char line[80];
		const char *l = ui_help_lines[i], *p;

		/* \x01 and \x02 stand for the arrow keys, drawn per charset */
		snprintf(line, sizeof line, "%s", l);
		if ((p = strchr(l, '\x01')) != NULL) {
			snprintf(line, sizeof line, "%.*s%s  %s%s", (int)(p - l),
				 l, u->view.utf8 ? "\u2190" : "<-", u->view.utf8 ? "\u2192" : "->",
				 strchr(l, '\x02') + 1);
		}
		ui_put(&u->view, y0 + 1 + i, x0 + 2, w - 3, A_NORMAL, line);
	}
	ui_header(&u->view, y0 + h - 1, x0, w, "", false, NULL);
}

