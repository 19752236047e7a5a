/* ui.h: the interactive viewer (ncurses).
 *
 * The UI reads ONLY a struct stop_source (stops.h): a history of step snapshots and
 * the actions that move through it. A live walk and a replayed JSON trace look the same
 * to it, and it never speaks RSP. Everything the caller has to supply beyond that
 * (console output, export, quitting) comes in through struct ui_options.
 */
#ifndef SYSWALK_UI_H
#define SYSWALK_UI_H

#include <stddef.h>
#include <sys/types.h>
#include "stops.h"

enum ui_color_mode {
	UI_COLOR_AUTO = 0,   /* colours when the terminal has them and NO_COLOR is unset or empty */
	UI_COLOR_NEVER,      /* monochrome: reverse/bold/underline only */
	UI_COLOR_ALWAYS,     /* colours whenever the terminal can show them, NO_COLOR ignored */
};

enum ui_charset {
	UI_CHARSET_AUTO = 0, /* UTF-8 line drawing when nl_langinfo(CODESET) is UTF-8 */
	UI_CHARSET_ASCII,    /* '-', '|', '>' only; non-ASCII guest bytes shown as '?' */
	UI_CHARSET_UTF8,
};

enum ui_syntax {
	UI_SYNTAX_ATT = 0,   /* matches entry_64.S */
	UI_SYNTAX_INTEL,
};

struct ui_options {
	enum ui_color_mode color;
	enum ui_charset charset;
	enum ui_syntax syntax;          /* initial syntax; 'a' toggles */

	/* Optional serial console to watch between stops: -1 for none. When console_fd
	 * is readable the UI calls console_read, which returns the bytes it put in BUF
	 * (> 0), -EAGAIN when there was nothing after all, 0 at end of file (the fd is then
	 * no longer watched, and the UI says the target has gone) or another < 0 on error. Those bytes are shown after the console text
	 * of the newest stop until a newer stop arrives; the walk puts them into that
	 * stop's console too, so the live tail is dropped then. */
	int console_fd;
	ssize_t (*console_read)(void *ctx, char *buf, size_t cap);

	/* Optional connection to the target, watched between actions (both NULL for none).
	 * target_fd says which fd to watch now, -1 for none (asked before every wait: it
	 * changes when the target goes). When it turns readable or hangs up, the UI calls
	 * target_event: 0 means all is well (what arrived was taken), < 0 that the target
	 * is gone, with the message in MSG, shown at once. */
	int (*target_fd)(void *ctx);
	int (*target_event)(void *ctx, char *msg, size_t len);

	/* The 'e' key: write the walk so far to PATH. Returns 0, or < 0 with a message
	 * in ERR. NULL: the key says that exporting is not available. */
	int (*export)(void *ctx, const char *path, char *err, size_t errlen);

	/* Called once when the viewer is about to return, for whatever reason (q,
	 * SIGTERM, SIGHUP), after the terminal is restored. NULL for none. */
	void (*quit)(void *ctx);

	/* Called from the crash handler (SIGSEGV, SIGBUS, SIGFPE, SIGABRT) after the
	 * terminal is restored: async-signal-safe calls only. NULL for none. */
	void (*crash_cleanup)(void *ctx);

	/* --quiz: ask each note's questions before its stop is revealed; quiz_score (may be
	 * NULL) hears the score after every answer, so an export can include it. */
	bool quiz;
	void (*quiz_score)(void *ctx, int asked, int right);

	void *ctx;                      /* handed to the callbacks */
};

/* Options with every field at its default (auto colour/charset, AT&T, no console). */
struct ui_options ui_options_default(void);

/* Whether the viewer can run here: stdin and stdout are a terminal whose type (TERM)
 * is known and can move the cursor (not "dumb"). 0, or -1 with the reason in WHY (the
 * caller exits with status 2, before starting anything). */
int ui_check_terminal(char *why, size_t len);

/* Run the interactive viewer on SRC until the user quits. Returns the exit status:
 * 0 after 'q', 2 when stdin or stdout is not a terminal (a message on stderr),
 * 1 when the terminal cannot be set up, 128+N after signal N (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM). */
int ui_run(const struct ui_options *opt, struct stop_source *src);

#endif
