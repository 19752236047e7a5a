/* ui.c: the interactive viewer's loop: keys, signals, drawing and the export prompt
 * (the layout is ui_layout.c, the status line and help ui_chrome.c).
 *
 * One poll loop over the keyboard, the signal self-pipe and the optional console fd
 * (cgdb's design). Key and signal handlers only change state and return enum ui_flags;
 * the loop redraws when asked to. The screen is rebuilt from the stop source on every
 * redraw, so a resize or a step back can never show stale data.
 */
#include "ui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>
#include "errcode.h"
#include "textsafe.h"
#include "ui_draw.h"
#include "ui_panes.h"
#include "ui_prose.h"
#include "ui_quiz.h"
#include "ui_term.h"
#include "ui_internal.h"

static void ui_set_msg(struct ui *u, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ui_set_msg(struct ui *u, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof u->msg, fmt, ap);
	va_end(ap);
	u->msg_error = error;
}

/* Colours, or for a monochrome terminal (or NO_COLOR) the same meaning in attributes. */
static void ui_styles(struct ui *u)
{
	attr_t *st = u->view.style;
	const char *no_color = getenv("NO_COLOR");
	bool color = has_colors() && u->opt->color != UI_COLOR_NEVER &&
		     !(u->opt->color == UI_COLOR_AUTO && no_color && *no_color);

	st[UI_ST_NORMAL] = A_NORMAL;
	st[UI_ST_TITLE] = A_BOLD;
	st[UI_ST_FOCUS] = A_REVERSE | A_BOLD;
	st[UI_ST_CHANGED] = A_REVERSE | A_BOLD;
	st[UI_ST_SHOWN] = A_BOLD | A_UNDERLINE;
	st[UI_ST_DIM] = A_DIM;
	st[UI_ST_CURRENT] = A_REVERSE;
	st[UI_ST_LABEL] = A_BOLD;
	st[UI_ST_CODE] = A_BOLD;
	st[UI_ST_ERROR] = A_REVERSE | A_BOLD;
	st[UI_ST_STATUS] = A_REVERSE;
	if (!color || start_color() != OK)
		return;
	use_default_colors();
	init_pair(1, COLOR_BLACK, COLOR_YELLOW);
	init_pair(2, COLOR_CYAN, -1);
	init_pair(3, COLOR_BLACK, COLOR_CYAN);
	init_pair(4, COLOR_GREEN, -1);
	init_pair(5, COLOR_WHITE, COLOR_RED);
	init_pair(6, COLOR_BLACK, COLOR_GREEN);
	st[UI_ST_CHANGED] = COLOR_PAIR(1) | A_BOLD;
	st[UI_ST_SHOWN] = COLOR_PAIR(2) | A_BOLD;
	st[UI_ST_FOCUS] = COLOR_PAIR(3) | A_BOLD;
	st[UI_ST_LABEL] = COLOR_PAIR(4) | A_BOLD;
	st[UI_ST_CODE] = COLOR_PAIR(2);
	st[UI_ST_ERROR] = COLOR_PAIR(5) | A_BOLD;
	st[UI_ST_CURRENT] = COLOR_PAIR(6);
}

/* Point the view at the stop shown; false when the source has no stop yet. */
static bool ui_view_update(struct ui *u)
{
	const struct stop_source_ops *ops = u->src->ops;
	struct ui_view *v = &u->view;

	v->count = ops->count(u->src->ctx);
	v->pos = ops->position(u->src->ctx);
	if (v->count == 0)
		return false;
	if (v->pos >= v->count)
		v->pos = v->count - 1;
	v->snap = ops->at(u->src->ctx, v->pos);
	v->prev = v->pos > 0 ? ops->at(u->src->ctx, v->pos - 1) : NULL;
	if (v->count > u->last_count) {
		/* A newer stop took the live console bytes into its own console text. */
		u->tail_len = 0;
		u->last_count = v->count;
	}
	if (v->snap != u->last_snap) {
		/* A new stop: its note starts at the top, the listing follows RIP again. */
		v->scroll[UI_PANE_NOTE] = 0;
		v->scroll[UI_PANE_DISASM] = 0;
		v->scroll[UI_PANE_CONSOLE] = 0;
		u->last_snap = v->snap;
	}
	v->console_tail = u->tail;
	v->console_tail_len = u->tail_len;
	return v->snap != NULL;
}

static void ui_draw(struct ui *u)
{
	bool have = ui_view_update(u);

	erase();
	if (have) {
		ui_quiz_arrive(&u->quiz, u->view.pos, u->view.snap);
		if (u->quiz.active && !u->wide && u->main_pane == UI_PANE_NOTE)
			u->focus = UI_PANE_REGS;      /* compact: the note waits, the registers show */
		u->view.hide = ui_quiz_hidden(&u->quiz, u->view.snap, &u->view.hide_value, &u->view.hide_expr);
	}
	ui_layout(u);
	if (u->too_small) {
		ui_draw_too_small(u);
	} else if (!have) {
		ui_put(&u->view, LINES / 2, 2, COLS - 4, A_BOLD, "No stop yet: press n to start the walk.");
		ui_draw_status(u);
		ui_draw_message(u);
	} else {
		for (int i = 0; i < UI_PANE_COUNT; i++) {
			if (!u->visible[i] || (u->quiz.active && i == UI_PANE_NOTE))
				continue;     /* the note is revealed after the questions */
			ui_panes[i].draw(&u->view, u->rect[i], u->focus == (enum ui_pane_id)i);
			ui_more_marks(&u->view, (enum ui_pane_id)i, u->rect[i]);
		}
		if (!u->wide) {
			/* One pane at a time: say on its header where Tab goes next. */
			struct ui_rect r = u->rect[u->main_pane];
			enum ui_pane_id next = (enum ui_pane_id)((u->main_pane + 1) % UI_PANE_COUNT);
			while (next == UI_PANE_DISASM || next == UI_PANE_SOURCE)
				next = (enum ui_pane_id)((next + 1) % UI_PANE_COUNT);
			int x = r.x + 6 + (int)strlen(ui_panes[u->main_pane].name) + (u->main_pane == UI_PANE_FRAME ? 22 : 0);
			ui_putf(&u->view, r.y, x, r.w / 2 - 2, u->view.style[UI_ST_STATUS], " Tab %s %s ",
				u->view.utf8 ? "\u2192" : "->", ui_panes[next].name);
		} else {
			ui_vline(&u->view, 0, UI_LEFT_W, LINES - 1);
		}
		if (u->three)
			ui_vline(&u->view, 0, u->rect[UI_PANE_NOTE].x - 1, LINES - 1);
		if (u->visible[UI_PANE_SOURCE] && u->visible[UI_PANE_DISASM] &&
		    u->rect[UI_PANE_SOURCE].y == u->rect[UI_PANE_DISASM].y)
			ui_vline(&u->view, u->rect[UI_PANE_SOURCE].y, u->rect[UI_PANE_SOURCE].x - 1,
				 u->rect[UI_PANE_SOURCE].h);
		if (u->quiz.active)
			ui_quiz_draw(&u->quiz, &u->view, u->view.snap, ui_quiz_rect(u));
		ui_draw_status(u);
		if (u->help)
			ui_draw_help(u);
		else
			ui_draw_message(u);
	}
	refresh();
}

/* A signal taken from the self-pipe. DURING_ACT: it arrived while the target ran, so a
 * SIGINT has already done its job (the walk saw the fd and interrupted the target). */
static int ui_signal(struct ui *u, int sig, bool during_act)
{
	switch (sig) {
	case SIGWINCH:
		ui_term_resize(&u->term);
		return UI_REDRAW;
	case SIGINT:
		if (during_act) {
			if (!u->msg[0])     /* the source's own message says more */
				ui_set_msg(u, false, "interrupted");
			return UI_REDRAW;
		}
		u->status = 128 + sig;
		return UI_QUIT;
	case SIGTERM:
	case SIGHUP:
	case SIGQUIT:
	case SIGUSR1:
	case SIGUSR2:
	case SIGALRM:
		u->status = 128 + sig;
		return UI_QUIT;
	default:
		return 0;
	}
}

static int ui_drain_signals(struct ui *u, bool during_act)
{
	int flags = 0, sig;

	while ((sig = ui_term_next_signal(&u->term)) != 0)
		flags |= ui_signal(u, sig, during_act);
	return flags;
}

/* The end of a walk (or another boundary, WHY from the source): a plain status with
 * what comes next and, with --quiz, the score. */
static void ui_walk_over_msg(struct ui *u, const char *why)
{
	const struct snapshot *s = u->view.snap;
	char score[64] = "";

	if (u->quiz.enabled) {
		score[0] = ' ';
		ui_quiz_score(&u->quiz, score + 1, sizeof score - 1);
		strcat(score, ";");
	}
	if (s && s->kind == SNAP_USER && u->view.pos + 1 == u->view.count && u->src->ops->live(u->src->ctx))
		ui_set_msg(u, false, "walk of %s over;%s c next syscall, r again", s->syscall, score);
	else
		ui_set_msg(u, false, "%s%s", why && *why ? why : "nothing there", score[0] ? score : "");
	size_t n = strlen(u->msg);
	if (n && u->msg[n - 1] == ';')
		u->msg[n - 1] = '\0';
}

/* Run an action of the stop source. It may block while the target runs, so the status
 * line says so first. A failure leaves the history as it was: show why, keep going. */
static int ui_act(struct ui *u, enum walk_action a, const char *what)
{
	const struct stop_source_ops *ops = u->src->ops;
	int rc;

	u->busy = what;
	ui_draw(u);
	ui_term_clear_interrupt(&u->term);     /* a Ctrl-C from before must not stop this run */
	rc = ops->act(u->src->ctx, a);
	u->busy = NULL;
	ui_term_clear_interrupt(&u->term);
	if (rc == -ERANGE) {
		/* A boundary (the walk is over, the first or last recorded stop): news, not
		 * a failure, said plainly on the status line. */
		ui_walk_over_msg(u, ops->error(u->src->ctx));
	} else if (rc < 0) {
		const char *why = ops->error(u->src->ctx);

		ui_set_msg(u, true, "%s: %s", what, why && *why ? why : errcode_strerror(rc));
	} else if (ui_view_update(u) && u->view.snap->kind == SNAP_USER &&
		   u->view.pos + 1 == u->view.count && (a == WALK_NEXT || a == WALK_STEPI)) {
		ui_walk_over_msg(u, NULL);    /* just arrived back in user mode: the walk's end */
	}
	return UI_REDRAW | ui_drain_signals(u, true);
}

static int ui_export(struct ui *u)
{
	char err[256] = "";
	char path[sizeof u->input];

	u->prompting = false;
	snprintf(path, sizeof path, "%.*s", (int)u->input_len, u->input);
	if (u->input_len == 0) {
		ui_set_msg(u, false, "export cancelled");
	} else if (u->opt->export(u->opt->ctx, path, err, sizeof err) < 0) {
		ui_set_msg(u, true, "export to %s failed: %s", path, err[0] ? err : "unknown error");
	} else {
		ui_set_msg(u, false, "exported the walk so far to %s", path);
	}
	return UI_REDRAW;
}

/* Keys while the export prompt is open: a line editor reduced to what a path needs. */
static int ui_prompt_key(struct ui *u, int ch)
{
	switch (ch) {
	case 27:         /* Esc */
		u->prompting = false;
		ui_set_msg(u, false, "export cancelled");
		break;
	case '\n': case '\r': case KEY_ENTER:
		return ui_export(u);
	case KEY_BACKSPACE: case 127: case 8:
		/* drop a whole UTF-8 character: continuation bytes are 10xxxxxx */
		while (u->input_len > 0 && ((unsigned char)u->input[--u->input_len] & 0xc0) == 0x80)
			;
		break;
	case 21:         /* Ctrl-U */
		u->input_len = 0;
		break;
	default:
		if (u->input_default)
			u->input_len = 0;    /* typing replaces the proposed name */
		if (ch >= 0x20 && ch <= 0xff && ch != 0x7f && u->input_len + 1 < sizeof u->input)
			u->input[u->input_len++] = (char)ch;
		break;
	}
	u->input_default = false;
	return UI_REDRAW;
}

static enum ui_pane_id ui_next_focus(struct ui *u, int dir)
{
	enum ui_pane_id f = u->focus;

	/* In the wide layout every pane is on screen; the compact one shows whatever has focus. */
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		f = (enum ui_pane_id)((f + dir + UI_PANE_COUNT) % UI_PANE_COUNT);
		if (!u->wide || u->visible[f])
			break;
	}
	return f;
}

static int ui_key(struct ui *u, int ch)
{
	if (ch == KEY_RESIZE)
		return UI_REDRAW;
	if (u->prompting)
		return ui_prompt_key(u, ch);
	if (u->help) {
		u->help = false;
		return UI_REDRAW;
	}
	if ((ch == 'q' || ch == 'Q') && (!u->quiz.active || u->too_small))
		return UI_QUIT;
	if (u->too_small)
		return 0;    /* nothing else makes sense on the too-small screen */
	if (u->quiz.active && (ch == '\t' || ch == KEY_BTAB)) {
		/* Look at another pane while thinking: the question stays. */
		u->focus = ui_next_focus(u, ch == '\t' ? 1 : -1);
		if (u->focus == UI_PANE_NOTE)
			u->focus = ui_next_focus(u, ch == '\t' ? 1 : -1);
		return UI_REDRAW;
	}
	if (u->quiz.active) {
		enum ui_quiz_result r = ui_quiz_key(&u->quiz, u->view.snap, ch);
		if (r == UI_QUIZ_QUIT)
			return UI_QUIT;
		if (r == UI_QUIZ_SCORED && u->opt->quiz_score)
			u->opt->quiz_score(u->opt->ctx, u->quiz.asked, u->quiz.right_count);
		if (!u->quiz.active && !u->wide)
			u->focus = UI_PANE_NOTE;      /* the questions are done: the note is revealed */
		if (!u->quiz.active && u->view.snap->kind == SNAP_USER && u->view.pos + 1 == u->view.count)
			ui_walk_over_msg(u, NULL);
		return UI_REDRAW;
	}
	u->msg[0] = '\0';
	switch (ch) {
	case 'n': case ' ':    return ui_act(u, WALK_NEXT, "next");
	case 's':              return ui_act(u, WALK_STEPI, "stepi");
	case 'c':              return ui_act(u, WALK_CONTINUE, "continue");
	case 'b': case KEY_LEFT:  return ui_act(u, WALK_BACK, "back");
	case 'f': case KEY_RIGHT: return ui_act(u, WALK_FORWARD, "forward");
	case 'r':              return ui_act(u, WALK_RESTART, "restart");
	case '\t':
		u->focus = ui_next_focus(u, 1);
		return UI_REDRAW;
	case KEY_BTAB:
		u->focus = ui_next_focus(u, -1);
		return UI_REDRAW;
	case 'a':
		u->view.intel = !u->view.intel;
		return UI_REDRAW;
	case 'v':
		u->code_mode = (enum ui_code_mode)((u->code_mode + 1) % 3);
		ui_set_msg(u, false, "code: %s", u->code_mode == UI_CODE_BOTH ? "disassembly and source" :
			   u->code_mode == UI_CODE_SOURCE ? "source" : "disassembly");
		return UI_REDRAW;
	case 'e':
		if (!u->opt->export) {
			ui_set_msg(u, true, "export is not available here");
			return UI_REDRAW;
		}
		/* A name to accept with Enter: the syscall's page, in the current directory. */
		u->prompting = true;
		snprintf(u->input, sizeof u->input, "%s.html",
			 u->view.snap && u->view.snap->syscall[0] ? u->view.snap->syscall : "syswalk");
		u->input_len = strlen(u->input);
		u->input_default = true;
		return UI_REDRAW;
	case '?': case KEY_F(1):
		u->help = true;
		return UI_REDRAW;
	case 12:         /* Ctrl-L */
		clearok(curscr, TRUE);
		return UI_REDRAW;
	default:
		if (ui_panes[u->focus].key && u->visible[u->focus])
			return ui_panes[u->focus].key(&u->view, u->focus, u->rect[u->focus], ch);
		return 0;
	}
}

/* Console bytes that arrived between stops; only the newest 64 KiB are kept. */
static int ui_console(struct ui *u)
{
	char buf[4096];
	ssize_t n = u->opt->console_read(u->opt->ctx, buf, sizeof buf);
	char *nt;

	if (n == -EAGAIN)
		return 0;                /* nothing to read after all: keep watching */
	if (n <= 0) {
		u->console_fd = -1;      /* end of file or error: stop watching it */
		/* The serial line closes when QEMU exits: say so now, not at the next key
		 * (unless the gdbstub's socket already told, and said more). */
		if (!u->target_gone)
			ui_set_msg(u, true, "QEMU has exited; the stops seen can still be browsed (b/f) "
				   "and exported (e)");
		return UI_REDRAW;
	}
	if (u->tail_len + (size_t)n > UI_TAIL_MAX) {
		size_t drop = u->tail_len + (size_t)n - UI_TAIL_MAX;

		if (drop > u->tail_len)
			drop = u->tail_len;
		memmove(u->tail, u->tail + drop, u->tail_len - drop);
		u->tail_len -= drop;
	}
	nt = realloc(u->tail, u->tail_len + (size_t)n + 1);
	if (!nt)
		return 0;
	u->tail = nt;
	memcpy(u->tail + u->tail_len, buf, (size_t)n);
	u->tail_len += (size_t)n;
	u->tail[u->tail_len] = '\0';
	return UI_REDRAW;
}

/* The gdbstub's socket turned readable between actions: usually the target is gone. */
static int ui_target(struct ui *u)
{
	char msg[sizeof u->msg];

	msg[0] = '\0';
	if (u->opt->target_event(u->opt->ctx, msg, sizeof msg) == 0)
		return 0;
	u->target_gone = true;
	ui_set_msg(u, true, "%s", msg[0] ? msg : "the target is gone");
	return UI_REDRAW;
}

static void ui_loop(struct ui *u)
{
	int flags = UI_REDRAW;

	while (!(flags & UI_QUIT)) {
		/* One loop over the keyboard, the signal self-pipe, QEMU's serial line and the
		 * gdbstub's socket; poll skips the fds that are -1. */
		int target_fd = u->opt->target_fd && u->opt->target_event && !u->target_gone ?
				u->opt->target_fd(u->opt->ctx) : -1;
		struct pollfd p[4] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = u->term.pipe_rd, .events = POLLIN },
			{ .fd = u->console_fd, .events = POLLIN },
			{ .fd = target_fd, .events = POLLIN },
		};
		int ch;

		if (flags & UI_REDRAW)
			ui_draw(u);
		flags = 0;
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			u->status = 1;
			break;
		}
		if (p[1].revents & POLLIN)
			flags |= ui_drain_signals(u, false);
		if ((p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(p[0].revents & POLLIN)) {
			u->status = 128 + SIGHUP;    /* the terminal went away */
			break;
		}
		/* Read keys even without POLLIN: resizeterm queues KEY_RESIZE internally. */
		while (!(flags & UI_QUIT) && (ch = getch()) != ERR)
			flags |= ui_key(u, ch);
		if (target_fd >= 0 && (p[3].revents & (POLLIN | POLLHUP | POLLERR)))
			flags |= ui_target(u);
		if (u->console_fd >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR)))
			flags |= ui_console(u);
	}
}

static bool ui_locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

struct ui_options ui_options_default(void)
{
	struct ui_options o;

	memset(&o, 0, sizeof o);
	o.color = UI_COLOR_AUTO;
	o.charset = UI_CHARSET_AUTO;
	o.syntax = UI_SYNTAX_ATT;
	o.console_fd = -1;
	return o;
}

int ui_check_terminal(char *why, size_t len)
{
	const char *term = getenv("TERM");
	const char *alt = "; use --batch or --export FILE";
	int e = 0;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(why, len, "the interactive viewer needs a terminal%s", alt);
		return -1;
	}
	if (!term || !*term) {
		snprintf(why, len, "TERM is not set: the viewer needs the terminal's type "
			 "(e.g. TERM=xterm-256color)%s", alt);
		return -1;
	}
	if (setupterm(NULL, STDOUT_FILENO, &e) != OK) {
		snprintf(why, len, "unknown terminal type '%s' (TERM): no terminfo entry%s", term, alt);
		return -1;
	}
	/* A terminal that cannot move the cursor (TERM=dumb, a printing terminal) would
	 * show one line that keeps being rewritten: refuse it plainly instead. */
	const char *cup = tigetstr("cup");
	bool usable = cup && cup != (char *)-1 && tigetflag("hc") <= 0;
	del_curterm(cur_term);
	if (!usable) {
		snprintf(why, len, "terminal type '%s' (TERM) cannot move the cursor%s", term, alt);
		return -1;
	}
	return 0;
}

int ui_run(const struct ui_options *opt, struct stop_source *src)
{
	struct ui *u;
	char err[256];
	int status;

	if (ui_check_terminal(err, sizeof err) < 0) {
		textsafe_printf(stderr, "syswalk: %s\n", err);
		return 2;
	}
	u = calloc(1, sizeof *u);
	if (!u) {
		fputs("syswalk: out of memory\n", stderr);
		return 1;
	}
	setlocale(LC_ALL, "");
	u->opt = opt;
	u->src = src;
	u->view.src = src;
	u->view.intel = opt->syntax == UI_SYNTAX_INTEL;
	u->view.utf8 = opt->charset == UI_CHARSET_UTF8 ||
		       (opt->charset == UI_CHARSET_AUTO && ui_locale_is_utf8());
	u->console_fd = opt->console_read ? opt->console_fd : -1;
	u->focus = u->main_pane = UI_PANE_NOTE;
	u->quiz.enabled = opt->quiz;

	if (ui_term_open(&u->term, err, sizeof err) < 0) {
		textsafe_printf(stderr, "syswalk: %s\n", err);
		free(u);
		return 1;
	}
	cbreak();        /* not raw(): Ctrl-C must stay a signal to interrupt the target */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	ui_styles(u);
	if (src->ops->set_interrupt_fd)
		src->ops->set_interrupt_fd(src->ctx, u->term.irq_rd);
	ui_term_set_crash_cleanup(&u->term, opt->crash_cleanup, opt->ctx);

	ui_loop(u);

	if (src->ops->set_interrupt_fd)
		src->ops->set_interrupt_fd(src->ctx, -1);
	ui_panes_free(&u->view);
	ui_term_close(&u->term);
	if (u->quiz.enabled) {
		/* The score stays on the terminal after the screen is gone. */
		char score[64];
		ui_quiz_score(&u->quiz, score, sizeof score);
		printf("syswalk: %s\n", score);
		fflush(stdout);
	}
	if (opt->quit)
		opt->quit(opt->ctx);
	status = u->status;
	free(u->tail);
	free(u);
	return status;
}
