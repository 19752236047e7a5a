/* make_trace: write the synthetic getpid trace of tests/lib/fake_trace.h through the
 * real export API, in the format each FILE's extension names (.md, .html, .json).
 * Used by the shell tests (headless Chromium, JSON schema) and to make fuzz seeds.
 *
 *   build/tests/tools/make_trace OUT.html OUT.json OUT.md
 */
#include <stdio.h>

#include "../lib/fake_trace.h"
#include "export.h"

int main(int argc, char **argv)
{
	struct trace t;
	char err[512];
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE.{md,html,json}...\n", argv[0]);
		return 2;
	}
	if (fake_trace(&t) < 0) {
		fprintf(stderr, "make_trace: out of memory\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (export_trace(&t, argv[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "make_trace: %s\n", err);
			status = 1;
		}
	}
	trace_free(&t);
	return status;
}
