/* ui_term.c: terminal save/restore, the signal self-pipe and the crash handler. */
#include "ui_term.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

/* What the signal handlers need, and nothing else. A handler gets no context
 * argument, so this is the one mutable global DESIGN.md allows: the self-pipe's
 * write end, plus, for the crash handler, the termios to put back and the bytes
 * that undo curses' screen modes. Written only before the handlers are installed
 * and after they are removed. */
static struct {
	volatile int pipe_wr;
	volatile int irq_wr;
	struct termios saved;
	volatile sig_atomic_t have_saved;
	char reset[256];
	volatile size_t reset_len;
	void (*volatile crash_cleanup)(void *);
	void *volatile crash_arg;
} ui_sig = { .pipe_wr = -1, .irq_wr = -1 };

/* Every signal whose default action ends the process, but SIGPIPE (ignored: a write to
 * a dead peer is an error where it happens) and SIGKILL/SIGSTOP (cannot be caught). */
static const int ui_term_signals[UI_TERM_NSIGNALS] = {
	SIGWINCH, SIGINT, SIGTERM, SIGHUP,      /* to the self-pipe */
	SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,     /* the same: the viewer ends cleanly */
	SIGSEGV, SIGBUS, SIGFPE, SIGABRT,       /* crash: restore and re-raise */
};
#define UI_TERM_NPIPED 8                        /* the first 8 go to the self-pipe */

static void ui_on_signal(int sig)
{
	int saved_errno = errno;
	unsigned char b = (unsigned char)sig;

	if (ui_sig.pipe_wr >= 0 && write(ui_sig.pipe_wr, &b, 1) < 0) {
		/* pipe full: a signal of each kind is already waiting, nothing is lost */
	}
	if (sig != SIGWINCH && ui_sig.irq_wr >= 0 && write(ui_sig.irq_wr, &b, 1) < 0) {
		/* same: the pipe is already readable */
	}
	errno = saved_errno;
}

/* Async-signal-safe only: tcsetattr, write and raise are on the POSIX list. */
static void ui_on_crash(int sig)
{
	if (ui_sig.have_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &ui_sig.saved);
	if (ui_sig.reset_len > 0 && write(STDOUT_FILENO, ui_sig.reset, ui_sig.reset_len) < 0) {
		/* nothing more we can do */
	}
	if (ui_sig.crash_cleanup)
		ui_sig.crash_cleanup(ui_sig.crash_arg);   /* async-signal-safe by contract */
	/* SA_RESETHAND put the default action back, so this ends the process (core). */
	raise(sig);
}

/* Append terminfo capability CAP to the crash reset bytes when the terminal has it. */
static void ui_capture(const char *cap)
{
	char *s = tigetstr(cap);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (ui_sig.reset_len + n < sizeof ui_sig.reset) {
		memcpy(ui_sig.reset + ui_sig.reset_len, s, n);
		ui_sig.reset_len += n;
	}
}

static void ui_restore_handlers(struct ui_term *t)
{
	if (!t->installed)
		return;
	for (int i = 0; i < UI_TERM_NSIGNALS; i++)
		sigaction(ui_term_signals[i], &t->old[i], NULL);
	t->installed = false;
	ui_sig.pipe_wr = -1;
	ui_sig.irq_wr = -1;
	ui_sig.have_saved = 0;
	ui_sig.reset_len = 0;
	ui_sig.crash_cleanup = NULL;
	ui_sig.crash_arg = NULL;
}

static void ui_close_pipe(struct ui_term *t)
{
	int *fds[] = { &t->pipe_rd, &t->pipe_wr, &t->irq_rd, &t->irq_wr };

	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int ui_term_open(struct ui_term *t, char *err, size_t errlen)
{
	int fds[2], irq[2];

	memset(t, 0, sizeof *t);
	t->pipe_rd = t->pipe_wr = t->irq_rd = t->irq_wr = -1;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "cannot create the signal pipe: %s", strerror(errno));
		return -1;
	}
	t->pipe_rd = fds[0];
	t->pipe_wr = fds[1];
	if (pipe2(irq, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "cannot create the interrupt pipe: %s", strerror(errno));
		ui_close_pipe(t);
		return -1;
	}
	t->irq_rd = irq[0];
	t->irq_wr = irq[1];

	if (tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		t->have_saved = true;
		ui_sig.saved = t->saved;
		ui_sig.have_saved = 1;
	}
	ui_sig.reset_len = 0;
	ui_sig.pipe_wr = t->pipe_wr;
	ui_sig.irq_wr = t->irq_wr;

	/* Installed before newterm on purpose: curses only puts its own SIGINT, SIGTERM
	 * and SIGWINCH handlers where the action is still SIG_DFL, and its handlers would
	 * run curses code inside a signal handler. */
	for (int i = 0; i < UI_TERM_NSIGNALS; i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sigemptyset(&sa.sa_mask);
		if (i < UI_TERM_NPIPED) {
			sa.sa_handler = ui_on_signal;
			sa.sa_flags = SA_RESTART;
		} else {
			sa.sa_handler = ui_on_crash;
			sa.sa_flags = SA_RESETHAND | SA_NODEFER;
		}
		sigaction(ui_term_signals[i], &sa, &t->old[i]);
	}
	t->installed = true;
	/* The caller may have blocked these signals until the handlers were in place, so
	 * that one sent during its start-up is not lost: it is taken now, by the loop. */
	sigset_t ours;
	sigemptyset(&ours);
	for (int i = 0; i < UI_TERM_NPIPED; i++)
		sigaddset(&ours, ui_term_signals[i]);
	sigprocmask(SIG_UNBLOCK, &ours, NULL);

	t->screen = newterm(NULL, stdout, stdin);
	if (t->screen == NULL) {
		const char *term = getenv("TERM");

		snprintf(err, errlen, "cannot start the screen for terminal type '%s' (is TERM right?)",
			 term ? term : "(unset)");
		ui_restore_handlers(t);
		ui_close_pipe(t);
		return -1;
	}
	set_term(t->screen);
	ui_capture("sgr0");
	ui_capture("cnorm");
	ui_capture("rmkx");
	ui_capture("rmcup");
	return 0;
}

void ui_term_close(struct ui_term *t)
{
	if (t->screen) {
		endwin();
		if (t->have_saved)
			tcsetattr(STDIN_FILENO, TCSADRAIN, &t->saved);
		delscreen(t->screen);
		t->screen = NULL;
	}
	ui_restore_handlers(t);
	ui_close_pipe(t);
}

int ui_term_next_signal(struct ui_term *t)
{
	unsigned char b;

	if (t->pipe_rd >= 0 && read(t->pipe_rd, &b, 1) == 1)
		return b;
	return 0;
}

void ui_term_clear_interrupt(struct ui_term *t)
{
	unsigned char buf[64];

	while (t->irq_rd >= 0 && read(t->irq_rd, buf, sizeof buf) > 0)
		;
}

void ui_term_set_crash_cleanup(struct ui_term *t, void (*fn)(void *), void *arg)
{
	(void)t;
	ui_sig.crash_arg = arg;
	ui_sig.crash_cleanup = fn;
}

void ui_term_resize(struct ui_term *t)
{
	struct winsize ws;

	(void)t;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}
