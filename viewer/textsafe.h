/* textsafe.h: the one rule for showing untrusted bytes (from a gdbstub, a note, a file
 * name, a replayed trace) on a terminal, in a file or in a message.
 *
 * Text is decoded as UTF-8 by textsafe_decode, the project's only decoder. A valid,
 * printable character passes unchanged; anything that could drive a terminal, reorder
 * what is shown or is not text at all becomes visible ASCII instead:
 *
 *   a C0 control byte or DEL                       \xNN     (ESC is "\x1b")
 *   each byte of an invalid UTF-8 sequence          \xNN     (overlong, surrogate, cut)
 *   a C1 control U+0080..U+009F (U+009B is CSI),
 *   a bidi control (U+061C, U+200E/F, U+202A..E,
 *   U+2066..9), U+2028 and U+2029                  \uNNNN
 *
 * Flags adapt the rule to an output, never loosen it: TEXTSAFE_NEWLINE keeps "\n" (and
 * reads "\r\n" as "\n"), TEXTSAFE_TAB keeps "\t" (otherwise a tab is one space),
 * TEXTSAFE_ASCII shows every other non-ASCII character as "?" (a terminal that cannot
 * show UTF-8). Each output's own quoting (HTML entities, Markdown punctuation) is a thin
 * escaper on top of textsafe_next; nothing else decides what is safe.
 */
#ifndef SYSWALK_TEXTSAFE_H
#define SYSWALK_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum textsafe_flags {
	TEXTSAFE_NEWLINE = 1 << 0,
	TEXTSAFE_TAB     = 1 << 1,
	TEXTSAFE_ASCII   = 1 << 2,
	TEXTSAFE_LINES   = TEXTSAFE_NEWLINE | TEXTSAFE_TAB,   /* messages, --batch, exports */
};

/* How to show one character of untrusted input (filled by textsafe_next). */
struct textsafe_char {
	const char *text;   /* what to show: the input itself, or BUF */
	size_t len;         /* bytes of TEXT */
	size_t used;        /* bytes of input this character took (>= 1) */
	int cols;           /* terminal columns TEXT takes */
	bool replaced;      /* TEXT is a visible replacement, not the input */
	char buf[8];
};

/* Decode one UTF-8 character from S (at most N bytes) into *CP; returns its length in
 * bytes, or 0 when the bytes are not valid UTF-8 (overlong, surrogate, out of range, cut). */
size_t textsafe_decode(const char *s, size_t n, uint32_t *cp);

/* Columns a character that passed the rule takes on a terminal (wcwidth; 1 if unknown). */
int textsafe_cols(uint32_t cp);

/* Apply the rule to the character at S (N >= 1 bytes left) under FLAGS, into *C. */
void textsafe_next(const char *s, size_t n, unsigned flags, struct textsafe_char *c);

/* Copy N bytes of SRC (stopping at a NUL) into DST, CAP bytes, always NUL-terminated,
 * under the rule; a replacement is never cut. Returns the length written. */
size_t textsafe_copy(char *dst, size_t cap, const char *src, size_t n, unsigned flags);

/* A malloc'd copy of S (NULL reads as "") under the rule; NULL when out of memory. */
char *textsafe_dup(const char *s, unsigned flags);

/* Write S (NULL writes nothing) to F under the rule. */
void textsafe_fputs(FILE *f, const char *s, unsigned flags);

/* printf to F, the whole result under the rule with TEXTSAFE_LINES: for messages whose
 * arguments hold untrusted bytes (stderr, --batch, --check-annotations). */
void textsafe_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
