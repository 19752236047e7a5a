/* mdrender.h: a note's Markdown turned into styled, wrapped terminal lines.
 *
 * Pure: no curses, no terminal. cmark parses the Markdown; this module walks its tree
 * and lays the text out for a given width, so the UI only has to draw spans with an
 * attribute per style. Every byte that reaches a span is printable: control bytes,
 * escape sequences, bidirectional overrides and invalid UTF-8 are replaced by visible
 * text by textsafe's rule (\x1b, \u009b), so a note can never move the cursor or
 * recolour the terminal.
 * Widths come from wcwidth(), which needs a UTF-8 locale (setlocale(LC_ALL, "")).
 */
#ifndef SYSWALK_MDRENDER_H
#define SYSWALK_MDRENDER_H

#include <stddef.h>
#include <stdint.h>

/* Styles are bits: "**`x`**" is MD_STRONG | MD_CODE. 0 is plain text. */
enum md_style {
	MD_PLAIN     = 0,
	MD_CODE      = 1 << 0,   /* `code span` */
	MD_EMPH      = 1 << 1,   /* *emphasis* */
	MD_STRONG    = 1 << 2,   /* **strong** */
	MD_HEADING   = 1 << 3,   /* a heading's text */
	MD_LINK      = 1 << 4,   /* a link's text */
	MD_URL       = 1 << 5,   /* " <url>" written after a link's text */
	MD_MARKER    = 1 << 6,   /* list bullet or number, block quote bar */
	MD_CODEBLOCK = 1 << 7,   /* a line of a fenced or indented code block */
	MD_RULE      = 1 << 8,   /* a thematic break (---) */
};

struct md_span {
	char *text;        /* UTF-8, printable, never empty */
	unsigned style;    /* enum md_style bits */
};

struct md_line {
	struct md_span *spans;   /* indentation comes first, as a plain span of spaces */
	size_t nspans;
	int width;               /* columns used, <= the width asked for */
	size_t cap;
};

struct md_doc {
	struct md_line *lines;   /* blocks are separated by one empty line */
	size_t nlines;
	size_t cap;
};

/* Lay out LEN bytes of Markdown for WIDTH columns into DOC (initialised here);
 * returns 0, -EINVAL when WIDTH < 1, or -ENOMEM. Free DOC with md_doc_free either way. */
int mdrender(struct md_doc *doc, const char *markdown, size_t len, int width);

/* Release the lines and spans. */
void md_doc_free(struct md_doc *doc);

/* The lines joined as plain text, one "\n" after each (for tests and the batch mode);
 * malloc'd, NULL on allocation failure. */
char *md_doc_text(const struct md_doc *doc);

#endif
