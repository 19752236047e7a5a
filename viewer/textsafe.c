/* textsafe.c: the one rule for showing untrusted bytes (see textsafe.h).
 *
 * The decoder is written out rather than left to mbrtowc so that the rule does not
 * depend on the process locale: a note or a stub's answer is judged the same way in
 * --batch under LANG=C as in the viewer under a UTF-8 locale.
 */
#include "textsafe.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

size_t textsafe_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	uint32_t c, min;

	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2, c = u[0] & 0x1f, min = 0x80;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3, c = u[0] & 0x0f, min = 0x800;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4, c = u[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Valid code points that must still never reach an output as they are: C1 controls
 * (8-bit CSI, OSC, ... on terminals that honour them) and the characters that change
 * the order or the lines text is shown in (a "Trojan Source" note could show one
 * thing and say another). */
static bool unsafe_code_point(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

int textsafe_cols(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);

	return w < 0 ? 1 : w;   /* without a UTF-8 locale wcwidth cannot know */
}

void textsafe_next(const char *s, size_t n, unsigned flags, struct textsafe_char *c)
{
	unsigned char b = (unsigned char)s[0];
	uint32_t cp = b;
	size_t len = 1;

	c->text = s;
	c->len = c->used = 1;
	c->cols = 1;
	c->replaced = false;
	if (b >= 0x20 && b < 0x7f)
		return;
	if (b == '\n' && (flags & TEXTSAFE_NEWLINE)) {
		c->cols = 0;
		return;
	}
	if (b == '\r' && n > 1 && s[1] == '\n' && (flags & TEXTSAFE_NEWLINE)) {
		c->text = s + 1;        /* a serial console's CR LF is one newline */
		c->used = 2;
		c->cols = 0;
		return;
	}
	if (b == '\t') {
		if (!(flags & TEXTSAFE_TAB))
			c->text = " ";
		return;
	}
	if (b >= 0x80)
		len = textsafe_decode(s, n, &cp);
	c->replaced = true;
	c->text = c->buf;
	if (len == 0 || cp < 0x20 || cp == 0x7f) {
		c->len = (size_t)snprintf(c->buf, sizeof c->buf, "\\x%02x", b);
	} else if (unsafe_code_point(cp)) {
		c->len = (size_t)snprintf(c->buf, sizeof c->buf, "\\u%04x", (unsigned)cp);
		c->used = len;
	} else if (flags & TEXTSAFE_ASCII) {
		c->len = (size_t)snprintf(c->buf, sizeof c->buf, "?");
		c->used = len;
	} else {
		c->text = s;
		c->len = c->used = len;
		c->cols = textsafe_cols(cp);
		c->replaced = false;
		return;
	}
	c->cols = (int)c->len;
}

size_t textsafe_copy(char *dst, size_t cap, const char *src, size_t n, unsigned flags)
{
	size_t o = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n && src[i] != '\0'; ) {
		struct textsafe_char c;

		textsafe_next(src + i, n - i, flags, &c);
		if (o + c.len >= cap)
			break;
		memcpy(dst + o, c.text, c.len);
		o += c.len;
		i += c.used;
	}
	dst[o] = '\0';
	return o;
}

char *textsafe_dup(const char *s, unsigned flags)
{
	size_t n = s ? strlen(s) : 0;
	/* The longest replacement, "\u202e", is 6 characters for 3 bytes; "\xff" 4 for 1. */
	char *out = malloc(4 * n + 1);

	if (out)
		textsafe_copy(out, 4 * n + 1, s ? s : "", n, flags);
	return out;
}

void textsafe_fputs(FILE *f, const char *s, unsigned flags)
{
	size_t n = s ? strlen(s) : 0;

	for (size_t i = 0; i < n; ) {
		struct textsafe_char c;

		textsafe_next(s + i, n - i, flags, &c);
		fwrite(c.text, 1, c.len, f);
		i += c.used;
	}
}

void textsafe_printf(FILE *f, const char *fmt, ...)
{
	char small[1024], *msg = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small) {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = small;    /* out of memory: the message cut is better than none */
		va_end(ap);
	}
	textsafe_fputs(f, msg, TEXTSAFE_LINES);
	if (msg != small)
		free(msg);
}
