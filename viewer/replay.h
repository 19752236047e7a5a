/* replay.h: a loaded trace as a stop source, so the UI can show a recorded walk
 * exactly as it shows a live one, without QEMU (syswalk --replay FILE.json). */
#ifndef SYSWALK_REPLAY_H
#define SYSWALK_REPLAY_H

#include "stops.h"
#include "trace.h"

struct replay {
	struct trace *trace;         /* not owned: must outlive the replay */
	size_t pos;                  /* index of the stop shown */
	char error[128];             /* last error, "" when none */
	char describe[192];          /* "replay of FILE" */
};

/* Start replaying TRACE at its first stop and return the stop source over it. There
 * is no execution: next, stepi and forward move one stop on, back one stop back,
 * restart to the first stop, continue to the last; moving past either end is an
 * error (-ERANGE, "already at the last stop") that leaves the position unchanged. */
struct stop_source replay_source_init(struct replay *r, struct trace *trace);

#endif
