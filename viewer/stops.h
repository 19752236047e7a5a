/* stops.h: what the screen and the exporters read from: an ordered history of step
 * snapshots plus the actions that extend or move through it.
 *
 * The live walk engine (walk.h) and a replayed JSON trace (trace_json.h) both provide
 * one, so the UI never knows whether QEMU is behind it, and never speaks RSP.
 */
#ifndef SYSWALK_STOPS_H
#define SYSWALK_STOPS_H

#include <stdbool.h>
#include <stddef.h>
#include "snapshot.h"

enum walk_action {
	WALK_NEXT,       /* run to the next annotated anchor (replay: forward) */
	WALK_STEPI,      /* one instruction (replay: forward) */
	WALK_CONTINUE,   /* run to the next syscall of the demo (replay: last stop) */
	WALK_BACK,       /* previous snapshot of the history, no execution */
	WALK_FORWARD,    /* next snapshot of the history, no execution */
	WALK_RESTART,    /* back to the first stop of the walk */
};

struct stop_source_ops {
	/* Perform A. May block while the target runs; returns 0, or a negative code
	 * with a message kept for error(). After an error the history is intact. */
	int (*act)(void *ctx, enum walk_action a);
	size_t (*count)(void *ctx);                       /* snapshots in the history */
	size_t (*position)(void *ctx);                    /* index of the one shown */
	const struct snapshot *(*at)(void *ctx, size_t i);
	const char *(*error)(void *ctx);                  /* last error, "" when none */
	bool (*live)(void *ctx);                          /* a running target is behind it */
	const char *(*describe)(void *ctx);               /* "teach", "linux", "replay of FILE" */
	/* fd that interrupts a running target when readable (the signal self-pipe); -1 for none */
	void (*set_interrupt_fd)(void *ctx, int fd);
};

struct stop_source {
	const struct stop_source_ops *ops;
	void *ctx;
};

#endif
