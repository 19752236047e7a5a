/* ui_text.c: sanitising, measuring and wrapping untrusted text for the terminal. */
#include "ui_text.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

/* Decode one character of valid UTF-8 at S (N bytes left) into *WC. Returns its byte
 * length, or 0 when the bytes are not a printable character we can show safely. We
 * decode by hand rather than with mbrtowc so the result does not depend on the
 * process locale: a C1 control (U+0080..U+009F) is as dangerous as ESC on some
 * terminals, so it must be rejected even in UTF-8. */
static size_t ui_utf8_decode(const unsigned char *s, size_t n, wchar_t *wc)
{
	unsigned c = s[0];
	size_t len;
	unsigned long cp, min;

	if (c < 0x80) {
		*wc = (wchar_t)c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2; cp = c & 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3; cp = c & 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;          /* overlong, out of range or a surrogate */
	if (cp <= 0x9f)
		return 0;          /* C1 controls */
	*wc = (wchar_t)cp;
	return len;
}

/* Columns taken by code point WC; wcwidth needs a UTF-8 locale, so fall back to 1. */
static int ui_wc_cols(wchar_t wc)
{
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

size_t ui_text_sanitize(char *dst, size_t cap, const char *src, size_t n, bool utf8)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, i = 0;

	if (cap == 0)
		return 0;
	while (i < n && s[i] != '\0') {
		char tmp[5];
		size_t tlen = 1, used = 1;
		wchar_t wc;

		if (s[i] == 0x1b) {
			memcpy(tmp, "\\x1b", 4);
			tlen = 4;
		} else if (s[i] == '\t') {
			tmp[0] = ' ';
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			tmp[0] = '?';
		} else if (s[i] < 0x80) {
			tmp[0] = (char)s[i];
		} else if (utf8 && (used = ui_utf8_decode(s + i, n - i, &wc)) > 0) {
			memcpy(tmp, s + i, used);
			tlen = used;
		} else {
			tmp[0] = '?';
			used = 1;
		}
		if (o + tlen >= cap)
			break;
		memcpy(dst + o, tmp, tlen);
		o += tlen;
		i += used;
	}
	dst[o] = '\0';
	return o;
}

/* Byte length and column width of the sanitised character at S. */
static size_t ui_char(const char *s, size_t n, bool utf8, int *cols)
{
	wchar_t wc;
	size_t len;

	if (!utf8 || (unsigned char)s[0] < 0x80) {
		*cols = 1;
		return 1;
	}
	len = ui_utf8_decode((const unsigned char *)s, n, &wc);
	if (len == 0) {
		*cols = 1;
		return 1;
	}
	*cols = ui_wc_cols(wc);
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
