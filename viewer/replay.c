/* replay.c: the stop_source operations over a recorded trace (see replay.h).
 *
 * A recorded walk can only be moved through, never extended: every "run" action
 * maps to a move in the history. "continue" means "run to the next syscall of the
 * demo" live; a trace ends where the recording ended, so it goes to the last stop.
 */
#include "replay.h"

#include <errno.h>
#include <stdio.h>

static int replay_move_to(struct replay *r, size_t pos)
{
	r->pos = pos;
	r->error[0] = '\0';
	return 0;
}

static int replay_act(void *ctx, enum walk_action a)
{
	struct replay *r = ctx;
	size_t n = r->trace->n;

	if (n == 0) {
		snprintf(r->error, sizeof(r->error), "the trace holds no stops");
		return -ERANGE;
	}
	switch (a) {
	case WALK_NEXT:
	case WALK_STEPI:
	case WALK_FORWARD:
		if (r->pos + 1 >= n) {
			snprintf(r->error, sizeof(r->error),
				 "already at the last stop (%zu of %zu): the recording ends here", n, n);
			return -ERANGE;
		}
		return replay_move_to(r, r->pos + 1);
	case WALK_BACK:
		if (r->pos == 0) {
			snprintf(r->error, sizeof(r->error), "already at the first stop");
			return -ERANGE;
		}
		return replay_move_to(r, r->pos - 1);
	case WALK_CONTINUE:
		return replay_move_to(r, n - 1);
	case WALK_RESTART:
		return replay_move_to(r, 0);
	}
	snprintf(r->error, sizeof(r->error), "unknown action %d", (int)a);
	return -EINVAL;
}

static size_t replay_count(void *ctx)
{
	return ((struct replay *)ctx)->trace->n;
}

static size_t replay_position(void *ctx)
{
	return ((struct replay *)ctx)->pos;
}

static const struct snapshot *replay_at(void *ctx, size_t i)
{
	struct replay *r = ctx;

	return i < r->trace->n ? &r->trace->snaps[i] : NULL;
}

static const char *replay_error(void *ctx)
{
	return ((struct replay *)ctx)->error;
}

static bool replay_live(void *ctx)
{
	(void)ctx;
	return false;
}

static const char *replay_describe(void *ctx)
{
	return ((struct replay *)ctx)->describe;
}

/* Nothing runs during a replay, so there is nothing to interrupt. */
static void replay_set_interrupt_fd(void *ctx, int fd)
{
	(void)ctx;
	(void)fd;
}

static const struct stop_source_ops replay_ops = {
	.act = replay_act,
	.count = replay_count,
	.position = replay_position,
	.at = replay_at,
	.error = replay_error,
	.live = replay_live,
	.describe = replay_describe,
	.set_interrupt_fd = replay_set_interrupt_fd,
};

/* Start replaying TRACE at its first stop and return the stop source over it. */
struct stop_source replay_source_init(struct replay *r, struct trace *trace)
{
	r->trace = trace;
	r->pos = 0;
	r->error[0] = '\0';
	snprintf(r->describe, sizeof(r->describe), "replay of %s",
		 trace->origin ? trace->origin : "a recorded trace");
	return (struct stop_source){ .ops = &replay_ops, .ctx = r };
}
