/* fuzz_replay_json: arbitrary bytes as a JSON trace.
 *
 * The loader must refuse bad input with a message and never crash, leak or read out
 * of bounds. When it accepts, everything downstream of a loaded trace must cope: the
 * replay stop source is driven through every action, the Markdown and HTML exporters
 * render it (cmark sees the fuzzed notes), and writing it back as JSON and loading
 * that again must give equal snapshots (the round-trip property, checked here on
 * inputs nobody would think of writing by hand).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "replay.h"
#include "trace_json.h"

static void drive_replay(struct trace *t)
{
	static const enum walk_action script[] = {
		WALK_BACK, WALK_NEXT, WALK_STEPI, WALK_FORWARD, WALK_BACK, WALK_CONTINUE,
		WALK_NEXT, WALK_RESTART, WALK_BACK,
	};
	struct replay r;
	struct stop_source src = replay_source_init(&r, t);

	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		int rc = src.ops->act(src.ctx, script[i]);

		if (rc < 0 && src.ops->error(src.ctx)[0] == '\0')
			abort();                  /* an error must say what went wrong */
		if (src.ops->position(src.ctx) >= src.ops->count(src.ctx) ||
		    !src.ops->at(src.ctx, src.ops->position(src.ctx)))
			abort();
	}
}

static void round_trip(const struct trace *t)
{
	char err[512] = "", *buf = NULL;
	size_t len = 0;
	struct trace back;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (trace_json_write(f, t, err, sizeof(err)) < 0) {
		fclose(f);
		free(buf);
		return;
	}
	fclose(f);
	if (trace_json_load_buffer(buf, len, &back, err, sizeof(err)) < 0) {
		fprintf(stderr, "re-load of our own output failed: %s\n", err);
		abort();
	}
	if (back.n != t->n || strcmp(back.target, t->target) != 0)
		abort();
	for (size_t i = 0; i < t->n; i++)
		if (!snapshot_equal(&t->snaps[i], &back.snaps[i]))
			abort();
	trace_free(&back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	struct trace t;
	FILE *null;

	if (trace_json_load_buffer((const char *)data, size, &t, err, sizeof(err)) < 0) {
		if (err[0] == '\0' || t.n != 0)
			abort();              /* refused: with a message, nothing kept */
		return 0;
	}
	drive_replay(&t);
	null = fopen("/dev/null", "w");
	if (null) {
		export_markdown(null, &t, err, sizeof(err));
		export_html(null, &t, err, sizeof(err));
		fclose(null);
	}
	round_trip(&t);
	trace_free(&t);
	return 0;
}
