/* ui_text.c: sanitising (by textsafe's rule), measuring and wrapping untrusted text for
 * the terminal. */
#include "ui_text.h"

#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

size_t ui_text_sanitize(char *dst, size_t cap, const char *src, size_t n, bool utf8)
{
	return textsafe_copy(dst, cap, src, n, utf8 ? 0 : TEXTSAFE_ASCII);
}

/* Byte length and column width of the sanitised character at S. */
static size_t ui_char(const char *s, size_t n, bool utf8, int *cols)
{
	uint32_t cp;
	size_t len;

	if (!utf8 || (unsigned char)s[0] < 0x80) {
		*cols = 1;
		return 1;
	}
	len = textsafe_decode(s, n, &cp);
	if (len == 0) {
		*cols = 1;
		return 1;
	}
	*cols = textsafe_cols(cp);
	return len;
}

int ui_text_width(const char *s, size_t n, bool utf8)
{
	int total = 0;
	size_t i = 0;

	while (i < n && s[i]) {
		int c;

		i += ui_char(s + i, n - i, utf8, &c);
		total += c;
	}
	return total;
}

size_t ui_text_fit(const char *s, size_t n, int cols, bool utf8)
{
	size_t i = 0;
	int used = 0;

	while (i < n && s[i]) {
		int c;
		size_t len = ui_char(s + i, n - i, utf8, &c);

		if (used + c > cols)
			break;
		used += c;
		i += len;
	}
	return i;
}

/* Greedy word wrap of one sanitised line (no '\n' inside). */
static int ui_wrap_line(const char *s, size_t n, int width, bool utf8,
			void (*emit)(void *, const char *, size_t), void *arg)
{
	int lines = 0;

	if (n == 0) {
		emit(arg, "", 0);
		return 1;
	}
	while (n > 0) {
		size_t fit = ui_text_fit(s, n, width, utf8);
		size_t cut = fit, skip;

		if (fit == 0)
			fit = cut = 1;          /* a character wider than the pane */
		if (fit < n) {
			/* Break after the last space that fits, unless the word alone is too long. */
			size_t sp = fit;
			while (sp > 0 && s[sp] != ' ')
				sp--;
			if (sp > 0)
				cut = sp;
		}
		emit(arg, s, cut);
		lines++;
		skip = cut;
		while (skip < n && s[skip] == ' ')
			skip++;
		s += skip;
		n -= skip;
	}
	return lines;
}

int ui_text_wrap(const char *text, int width, bool utf8,
		 void (*emit)(void *arg, const char *line, size_t len), void *arg)
{
	int lines = 0;

	if (width < 1)
		width = 1;
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		size_t cap = n * 4 + 1;
		char *clean = malloc(cap);

		if (n > 0 && text[n - 1] == '\r')
			n--;            /* serial consoles end lines with CR LF */
		if (!clean)
			return lines;
		lines += ui_wrap_line(clean, ui_text_sanitize(clean, cap, text, n, utf8),
				      width, utf8, emit, arg);
		free(clean);
		if (!nl)
			break;
		text = nl + 1;
	}
	return lines;
}
