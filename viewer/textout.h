/* textout.h: snapshots as plain text, for --batch and --trace (no terminal control). */
#ifndef SYSWALK_TEXTOUT_H
#define SYSWALK_TEXTOUT_H

#include <stdio.h>
#include "snapshot.h"

/* One stop for --batch: heading, note, changed registers, the frame, the code. */
void textout_stop(FILE *f, const struct snapshot *s, size_t n_of, size_t total);

/* One line for --trace: the instruction at stop AT ("symbol+off  instruction") and the
 * registers it changed, which stop AFTER (the one it led to, NULL when it was not run)
 * marks as changed: "changed=value ...". */
void textout_trace_line(FILE *f, const struct snapshot *at, const struct snapshot *after);

/* The questions of stop S (--batch --quiz): each with its choices and right answer. */
void textout_questions(FILE *f, const struct snapshot *s);

/* The closing line of --batch --quiz: how many questions at how many of the N stops. */
void textout_quiz_summary(FILE *f, const struct snapshot *snaps, size_t n);

#endif
