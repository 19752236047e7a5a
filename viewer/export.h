/* export.h: a trace written as a Markdown handout, a self-contained HTML page, or a
 * JSON trace (trace_json.h), always atomically (atomic_file.h).
 *
 * The exporters read only snapshots: they never speak RSP, so a live walk and a
 * replayed trace export the same way.
 */
#ifndef SYSWALK_EXPORT_H
#define SYSWALK_EXPORT_H

#include <stddef.h>
#include <stdio.h>
#include "trace.h"

enum export_format {
	EXPORT_MARKDOWN,    /* .md */
	EXPORT_HTML,        /* .html, .htm */
	EXPORT_JSON,        /* .json */
};

/* The format PATH's extension asks for (case-insensitive), or -1 when unknown. */
int export_format_of(const char *path);

/* Write T to PATH in the format its extension names, atomically: on failure the old
 * file is kept and err holds "export: ..." (unknown extension, empty trace, or
 * "export: cannot write PATH: reason"). Returns 0 or a negative code. */
int export_trace(const struct trace *t, const char *path, char *err, size_t errlen);

/* Write T as a printable Markdown handout to F. Returns 0 or < 0 with err set. */
int export_markdown(FILE *f, const struct trace *t, char *err, size_t errlen);

/* Write T as one self-contained HTML page to F. Returns 0 or < 0 with err set. */
int export_html(FILE *f, const struct trace *t, char *err, size_t errlen);

/* Write S to F as HTML text: & < > " ' escaped, everything else under textsafe's rule
 * (tab and newline kept, "\x1b" for ESC); NULL writes nothing. The one escaper every
 * string of the HTML export goes through. */
void export_html_escape(FILE *f, const char *s);

#endif
