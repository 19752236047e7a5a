/* trace.c: building and releasing a trace (see trace.h).
 *
 * Snapshots are appended as deep copies so that the producer (the live walk keeps
 * its own history) and the trace never share heap strings: either can be freed
 * first. The array grows geometrically because a stepi walk appends thousands.
 */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An empty trace: no metadata, no stops. */
void trace_init(struct trace *t)
{
	memset(t, 0, sizeof(*t));
}

/* Take the register names of the first stop as the trace's register list. */
static void trace_take_reg_names(struct trace *t, const struct snapshot *s)
{
	int n = s->nregs < SNAP_MAX_REGS ? s->nregs : SNAP_MAX_REGS;

	for (int i = 0; i < n; i++)
		snprintf(t->reg_names[i], SNAP_NAME_LEN, "%s", s->regs[i].name);
	t->nreg_names = n < 0 ? 0 : n;
}

/* Append a deep copy of S; the first stop also sets reg_names. Returns 0, -ENOMEM,
 * or -E2BIG past TRACE_MAX_SNAPS. */
int trace_append(struct trace *t, const struct snapshot *s)
{
	if (t->n >= TRACE_MAX_SNAPS)
		return -E2BIG;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct snapshot *grown = realloc(t->snaps, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->snaps = grown;
		t->cap = cap;
	}
	if (snapshot_copy(&t->snaps[t->n], s) < 0)
		return -ENOMEM;
	if (t->n == 0 && t->nreg_names == 0)
		trace_take_reg_names(t, s);
	t->n++;
	return 0;
}

/* Replace a heap string field (kernel_path, command_line, kernel_files, origin) with a copy of VALUE
 * (NULL clears it). Returns 0 or -ENOMEM. */
int trace_set_string(char **field, const char *value)
{
	char *copy = NULL;

	if (value) {
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

/* Fill date with the current UTC time in ISO 8601. */
void trace_stamp_date(struct trace *t)
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm))
		strftime(t->date, sizeof(t->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		t->date[0] = '\0';
}

/* Release everything the trace owns and leave it empty (trace_init state). */
void trace_free(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		snapshot_free(&t->snaps[i]);
	free(t->snaps);
	free(t->kernel_path);
	free(t->command_line);
	free(t->kernel_files);
	free(t->origin);
	trace_init(t);
}
