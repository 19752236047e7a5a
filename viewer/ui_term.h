/* ui_term.h: the terminal as a resource that always comes back.
 *
 * ui_term_open saves the terminal state (termios), installs the signal handlers and
 * only then starts curses with newterm; ui_term_close undoes all of it in reverse.
 * Signals never run curses code: SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
 * SIGUSR2 and SIGALRM write their number into a self-pipe that the poll loop reads.
 * All but SIGWINCH also write into a second pipe, the interrupt pipe, that a running
 * target watches: a resize must not stop the target, a Ctrl-C must. Crash signals
 * (SIGSEGV, SIGBUS, SIGFPE, SIGABRT) restore the saved termios, write the terminal's
 * own reset strings (captured from terminfo at start), run the caller's crash cleanup
 * (QEMU's private directory) and re-raise with the default action, so even a crash
 * leaves the shell usable. SIGPIPE is the caller's to ignore.
 */
#ifndef SYSWALK_UI_TERM_H
#define SYSWALK_UI_TERM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>
#include <curses.h>

#define UI_TERM_NSIGNALS 12

struct ui_term {
	SCREEN *screen;
	struct termios saved;
	bool have_saved;
	int pipe_rd;                 /* signal self-pipe, read end (the poll loop's) */
	int pipe_wr;
	int irq_rd;                  /* interrupt pipe, read end (for set_interrupt_fd) */
	int irq_wr;
	struct sigaction old[UI_TERM_NSIGNALS];
	bool installed;
};

/* Save the terminal, install the handlers, start curses on stdin/stdout.
 * Returns 0, or -1 with a message in ERR (the terminal is then untouched). */
int ui_term_open(struct ui_term *t, char *err, size_t errlen);

/* Leave curses, restore the saved termios and the previous signal handlers. */
void ui_term_close(struct ui_term *t);

/* Next signal number waiting in the self-pipe, or 0 when it is empty. */
int ui_term_next_signal(struct ui_term *t);

/* Empty the interrupt pipe (after an action, whose run it may have stopped). */
void ui_term_clear_interrupt(struct ui_term *t);

/* FN(ARG) runs in the crash handler, after the terminal is restored: it may only make
 * async-signal-safe calls (kill, unlink, rmdir). NULL for none. */
void ui_term_set_crash_cleanup(struct ui_term *t, void (*fn)(void *), void *arg);

/* Re-read the window size from the tty and tell curses (after SIGWINCH). */
void ui_term_resize(struct ui_term *t);

#endif
