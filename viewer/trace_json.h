/* trace_json.h: a trace as a JSON file ("format": "syswalk-trace", "version": 1),
 * written and read with jansson. The format is documented in docs/trace-format.md
 * and docs/trace-schema.json.
 *
 * The file holds everything needed to show the walk again without QEMU. Loading
 * trusts nothing: every field is type- and range-checked against the fixed sizes of
 * snapshot.h, and the first problem is reported as "path: message", for example
 * "snapshots[3].regs[2].value: not a hex string".
 */
#ifndef SYSWALK_TRACE_JSON_H
#define SYSWALK_TRACE_JSON_H

#include <stddef.h>
#include <stdio.h>
#include "trace.h"

#define TRACE_JSON_FORMAT   "syswalk-trace"
#define TRACE_JSON_VERSION  2
#define TRACE_JSON_MAX_FILE (256u << 20)   /* larger files are refused before parsing */

/* Write T as JSON to F. Returns 0 or a negative code with a message in err. */
int trace_json_write(FILE *f, const struct trace *t, char *err, size_t errlen);

/* Load the JSON text BUF[0..LEN) into T (initialised here; trace_free it after
 * success). On failure T is left empty and err holds "path: message". */
int trace_json_load_buffer(const char *buf, size_t len, struct trace *t, char *err,
			   size_t errlen);

/* Load the trace file PATH into T (initialised here; origin set to PATH). On failure
 * T is left empty and err holds "PATH: path: message". */
int trace_json_load(const char *path, struct trace *t, char *err, size_t errlen);

#endif
