/* annot_internal.h: what annot_parse.c and annot_keys.c share, and nobody else. */
#ifndef SYSWALK_ANNOT_INTERNAL_H
#define SYSWALK_ANNOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "annot.h"

/* One file being parsed: its name, its bytes cut into lines as cmark counts them. */
struct src {
	struct annot_set *set;
	const char *name;
	const char *buf;
	size_t *line_start;   /* line_start[i] = offset of line i+1; one extra entry = len */
	size_t *line_end;     /* end of the line's text, before its \n, \r\n or \r */
	int nlines;
	int errors;           /* errors added while loading this file */
	bool oom;
};

/* "name:line: message" for file S; counts the error. */
void serr(struct src *s, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A copy of LEN bytes at P as a string; sets *OOM when out of memory. */
char *dup_range(const char *p, size_t len, bool *oom);

/* Check the "show:" names in TEXT and return them normalised (one space apart). */
char *annot_parse_show(struct src *s, int line, const char *text);

/* A "check: EXPR" line kept on NOTE; COL0 is where TEXT starts on its line. */
void annot_parse_check(struct src *s, struct annot_note *note, int line, const char *text,
		       size_t col0);

/* A "requires: CONFIG_X | !CONFIG_X | symbol NAME | pti" line kept on NOTE. */
void annot_parse_requires(struct src *s, struct annot_note *note, int line, const char *text);

/* An "ask: QUESTION => EXPR [; LABEL = EXPR]..." line kept on NOTE. */
void annot_parse_ask(struct src *s, struct annot_note *note, int line, const char *text,
		     size_t col0);

#endif
