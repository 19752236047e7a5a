/* trace.h: a whole recorded walk: who made it and on what, plus its ordered snapshots.
 *
 * A trace is what the exporters write (export.h), what a JSON file holds
 * (trace_json.h) and what --replay shows (replay.h). The walk engine, or any other
 * producer, fills the metadata and appends snapshots; the trace owns deep copies.
 */
#ifndef SYSWALK_TRACE_H
#define SYSWALK_TRACE_H

#include <stddef.h>
#include "snapshot.h"

/* A trace loaded from a file never holds more stops than this: a full demo walked
 * instruction by instruction is a few thousand, and each stop costs ~6 KiB in memory. */
#define TRACE_MAX_SNAPS 20000

struct trace {
	char syswalk_version[32];    /* version of the syswalk that recorded it */
	char target[16];             /* "teach" or "linux" */
	char kernel_build_id[88];    /* hex GNU build id, "" when unknown */
	char date[40];               /* ISO 8601 UTC, "2026-11-25T09:40:23Z" */
	char syscalls[128];          /* what was walked: "write", or "write getpid enosys ..." */
	char *kernel_path;           /* heap, NULL when unknown */
	char *command_line;          /* heap, NULL when unknown */
	char *kernel_files;          /* heap: "kernel bzImage; symbols vmlinux (...); DWARF ...;
	                                config ..." (kernel_files_describe), NULL when unknown */
	char *origin;                /* heap: the file it was loaded from, NULL when recorded live */

	/* Register names in display order (target.xml order), taken from the first stop. */
	int nreg_names;
	char reg_names[SNAP_MAX_REGS][SNAP_NAME_LEN];

	int quiz_asked, quiz_right;  /* --quiz: questions asked and answered right */

	size_t n;                    /* stops in snaps */
	size_t cap;
	struct snapshot *snaps;
};

/* An empty trace: no metadata, no stops. */
void trace_init(struct trace *t);

/* Append a deep copy of S; the first stop also sets reg_names. Returns 0, -ENOMEM,
 * or -E2BIG past TRACE_MAX_SNAPS. */
int trace_append(struct trace *t, const struct snapshot *s);

/* Replace a heap string field (kernel_path, command_line, kernel_files, origin) with a copy of VALUE
 * (NULL clears it). Returns 0 or -ENOMEM. */
int trace_set_string(char **field, const char *value);

/* Fill date with the current UTC time in ISO 8601. */
void trace_stamp_date(struct trace *t);

/* Release everything the trace owns and leave it empty (trace_init state). */
void trace_free(struct trace *t);

#endif
