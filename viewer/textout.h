/* textout.h: snapshots as plain text, for --batch and --trace (no terminal control). */
#ifndef SYSWALK_TEXTOUT_H
#define SYSWALK_TEXTOUT_H

#include <stdio.h>
#include "snapshot.h"

/* One stop for --batch: heading, note, changed registers, the frame, the code. */
void textout_stop(FILE *f, const struct snapshot *s, size_t n_of, size_t total);

/* One line for --trace: "symbol+off  instruction  changed=value ...". */
void textout_trace_line(FILE *f, const struct snapshot *s);

#endif
