/* ui_text.h: making untrusted text safe and measurable for the terminal.
 *
 * Every string the viewer shows that came from the guest, an ELF file or a note
 * (console output, symbol names, prose) passes through ui_text_sanitize first, the
 * terminal's thin escaper over textsafe.h's rule, so no control byte or escape
 * sequence ever reaches the terminal. Pure functions: no curses.
 */
#ifndef SYSWALK_UI_TEXT_H
#define SYSWALK_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Copy N bytes of SRC into DST (CAP bytes, always NUL-terminated) under textsafe's rule
 * (ESC shown as "\x1b", a tab as a space, unless UTF8 other non-ASCII as '?'). Returns
 * the length written. */
size_t ui_text_sanitize(char *dst, size_t cap, const char *src, size_t n, bool utf8);

/* Display width in columns of the first N bytes of sanitised text S. */
int ui_text_width(const char *s, size_t n, bool utf8);

/* How many bytes of sanitised S (N bytes) fit in COLS columns, never splitting a character. */
size_t ui_text_fit(const char *s, size_t n, int cols, bool utf8);

/* Wrap TEXT (untrusted, several lines) at WIDTH columns: each output line, sanitised,
 * goes to EMIT. Long words are broken. Returns the number of lines emitted. */
int ui_text_wrap(const char *text, int width, bool utf8,
		 void (*emit)(void *arg, const char *line, size_t len), void *arg);

#endif
