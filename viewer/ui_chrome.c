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

void ui_draw_status(struct ui *u)
{
	struct ui_view *v = &u->view;
	const struct stop_source_ops *ops = u->src->ops;
	int y = LINES - 1, used;
	char left[512];
	const char *hints = "n next  s step  c syscall  b/f back/fwd  ? help  q quit";

	u->msg_cut = false;

	if (u->prompting) {
		attrset(A_NORMAL);
		mvhline(y, 0, ' ', COLS);
		used = ui_put(v, y, 0, COLS, A_BOLD, "Export the walk to (Enter: write, Esc: cancel): ");
		used += ui_putn(v, y, used, COLS - used - 1, A_NORMAL, u->input, u->input_len);
		ui_put(v, y, used, 1, A_REVERSE, " ");
		return;
	}
	attrset(v->style[UI_ST_STATUS]);
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	char score[48] = "";
	if (u->quiz.enabled)
		snprintf(score, sizeof score, " | quiz %d of %d right", u->quiz.right_count, u->quiz.asked);
	/* A message may cover the location (the disassembly shows it too) and the score (each
	 * verdict repeats it), never what comes before them, nor "not live". */
	bool live = ops->live(u->src->ctx);
	int keep = snprintf(left, sizeof left, " %s | %s | stop %zu of %zu |",
			    ops->describe(u->src->ctx),
			    v->snap && v->snap->syscall[0] ? v->snap->syscall : "-",
			    v->count ? v->pos + 1 : 0, v->count);
	if (keep < 0 || keep >= (int)sizeof left)
		keep = 0;
	int more = snprintf(left + keep, sizeof left - (size_t)keep, " %s%s",
			    u->quiz.active ? "?" : v->snap && v->snap->location[0] ? v->snap->location : "?",
			    live ? "" : " | not live");
	if (!live && more > 0 && keep + more < (int)sizeof left)
		keep += more;
	snprintf(left + strlen(left), sizeof left - strlen(left), "%s ", score);
	used = ui_put(v, y, 0, COLS, v->style[UI_ST_STATUS], left);
	if (u->busy)
		ui_putf(v, y, used + 1, COLS - used - 1, v->style[UI_ST_STATUS] | A_BOLD,
			"running: %s ...", u->busy);
	else if (u->msg[0]) {
		/* The message answers what the user just did ("exported ... to PATH"): when it
		 * does not fit after the status, it covers the status's end (location, score)
		 * rather than lose its own. */
		int x = used + 1, len = (int)strlen(u->msg);
		if (x + len > COLS - 1)
			x = COLS - 1 - len > keep + 1 ? COLS - 1 - len : keep + 1;
		if (x > used + 1)
			x = used + 1;
		mvhline(y, x - 1, ' ', 1);
		ui_put(v, y, x, COLS - x - 1,
		       u->msg_error ? v->style[UI_ST_ERROR] : v->style[UI_ST_STATUS] | A_BOLD, u->msg);
		u->msg_cut = ui_text_width(u->msg, strlen(u->msg), v->utf8) > COLS - x - 1;
	} else {
		if (COLS - used - 1 <= (int)strlen(hints))
			hints = "? help  q quit";     /* the short form on narrow screens */
		if (COLS - used - 1 > (int)strlen(hints))
			ui_put(v, y, COLS - (int)strlen(hints) - 1, (int)strlen(hints),
			       v->style[UI_ST_STATUS], hints);
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
	"Tab  S-Tab   focus the next / previous pane",
	"j k PgUp PgDn  scroll the focused pane",
	"a            AT&T / Intel syntax",
	"e            export the walk so far",
	"Ctrl-L       redraw the screen",
	"q            quit",
	"",
	"any key closes this help",
};

void ui_draw_help(struct ui *u)
{
	int n = (int)(sizeof ui_help_lines / sizeof ui_help_lines[0]);
	int w = 50 < COLS ? 50 : COLS, h = n + 2;
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

