/* target_xml.c: a small, bounded parser for GDB target descriptions.
 *
 * Input comes from the emulator (and from the fuzzer), so every scan is bounded
 * by the buffer length, every copy by the destination size, and every problem is
 * reported with the byte offset where it was found.
 */
#include "target_xml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATTRS   16
#define ATTR_NAME   32
#define ATTR_VALUE  128

struct attr {
	char name[ATTR_NAME];
	char value[ATTR_VALUE];
};

struct scan {
	const char *xml;
	size_t len;
	size_t pos;
	char *err;
	size_t errlen;
};

static int fail(struct scan *s, int code, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct scan *s, int code, size_t at, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->err && s->errlen)
		snprintf(s->err, s->errlen, "target description, offset %zu: %s", at, msg);
	return code;
}

void target_regmap_init(struct target_regmap *map)
{
	memset(map, 0, sizeof(*map));
}

/* Position of NEEDLE at or after FROM, or len when absent. */
static size_t find(const struct scan *s, size_t from, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = from; i + n <= s->len; i++)
		if (memcmp(s->xml + i, needle, n) == 0)
			return i;
	return s->len;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == ':' || c == '.' || c == '-';
}

static void skip_space(struct scan *s)
{
	while (s->pos < s->len && strchr(" \t\r\n", s->xml[s->pos]) && s->xml[s->pos] != '\0')
		s->pos++;
}

/* Copy a run of name characters into OUT; returns its length (0 = none). */
static size_t read_name(struct scan *s, char *out, size_t outsz)
{
	size_t start = s->pos;

	while (s->pos < s->len && name_char(s->xml[s->pos]))
		s->pos++;
	size_t n = s->pos - start;
	size_t copy = n < outsz - 1 ? n : outsz - 1;
	memcpy(out, s->xml + start, copy);
	out[copy] = '\0';
	return n;
}

/* Parse the attributes of a start tag up to '>' or '/>'; s->pos is after the name. */
static int read_attrs(struct scan *s, struct attr *attrs, int *nattrs, size_t tag_at)
{
	*nattrs = 0;
	for (;;) {
		skip_space(s);
		if (s->pos >= s->len)
			return fail(s, TARGET_XML_ERR_SYNTAX, tag_at, "tag never closed with '>'");
		char c = s->xml[s->pos];
		if (c == '>') {
			s->pos++;
			return 0;
		}
		if (c == '/' && s->pos + 1 < s->len && s->xml[s->pos + 1] == '>') {
			s->pos += 2;
			return 0;
		}
		if (*nattrs == MAX_ATTRS)
			return fail(s, TARGET_XML_ERR_SYNTAX, s->pos, "more than %d attributes in one tag", MAX_ATTRS);
		struct attr *a = &attrs[*nattrs];
		size_t at = s->pos;
		size_t n = read_name(s, a->name, sizeof(a->name));
		if (n == 0)
			return fail(s, TARGET_XML_ERR_SYNTAX, at, "unexpected character 0x%02x in a tag",
				    (unsigned char)c);
		if (n >= sizeof(a->name))
			return fail(s, TARGET_XML_ERR_SYNTAX, at, "attribute name longer than %zu bytes",
				    sizeof(a->name) - 1);
		skip_space(s);
		if (s->pos >= s->len || s->xml[s->pos] != '=')
			return fail(s, TARGET_XML_ERR_SYNTAX, s->pos, "attribute '%s' has no '=value'", a->name);
		s->pos++;
		skip_space(s);
		if (s->pos >= s->len || (s->xml[s->pos] != '"' && s->xml[s->pos] != '\''))
			return fail(s, TARGET_XML_ERR_SYNTAX, s->pos, "value of '%s' is not quoted", a->name);
		char quote = s->xml[s->pos++];
		size_t vstart = s->pos;
		while (s->pos < s->len && s->xml[s->pos] != quote)
			s->pos++;
		if (s->pos >= s->len)
			return fail(s, TARGET_XML_ERR_SYNTAX, vstart, "value of '%s' is never closed", a->name);
		size_t vlen = s->pos - vstart;
		if (vlen >= sizeof(a->value))
			return fail(s, TARGET_XML_ERR_SYNTAX, vstart, "value of '%s' longer than %zu bytes",
				    a->name, sizeof(a->value) - 1);
		memcpy(a->value, s->xml + vstart, vlen);
		a->value[vlen] = '\0';
		s->pos++;
		(*nattrs)++;
	}
}

static const char *attr(const struct attr *attrs, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(attrs[i].name, name) == 0)
			return attrs[i].value;
	return NULL;
}

/* A decimal number in [0, max], or -1. */
static long decimal(const char *v, long max)
{
	long n = 0;

	if (!v || !*v)
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = n * 10 + (*v - '0');
		if (n > max)
			return -1;
	}
	return n;
}

/* Copy SRC, cut to fit (type and group names are only shown, never matched). */
static void copy_str(char *dst, size_t dstsz, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= dstsz)
		n = dstsz - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static int add_reg(struct scan *s, struct target_regmap *map, const struct attr *attrs, int n,
		   size_t at)
{
	const char *name = attr(attrs, n, "name");
	const char *bits = attr(attrs, n, "bitsize");
	const char *num = attr(attrs, n, "regnum");

	if (!name || !*name)
		return fail(s, TARGET_XML_ERR_REG, at, "<reg> without a name");
	if (strlen(name) >= TARGET_NAME_LEN)
		return fail(s, TARGET_XML_ERR_REG, at, "register name '%.32s...' longer than %d bytes",
			    name, TARGET_NAME_LEN - 1);
	long nbits = decimal(bits, TARGET_MAX_BITS);
	if (nbits <= 0 || nbits % 8 != 0)
		return fail(s, TARGET_XML_ERR_REG, at,
			    "register '%s' has bitsize '%s' (want a multiple of 8, 8..%d)",
			    name, bits ? bits : "(missing)", TARGET_MAX_BITS);
	long regnum = num ? decimal(num, 9999) : map->next_regnum;
	if (regnum < 0)
		return fail(s, TARGET_XML_ERR_REG, at, "register '%s' has regnum '%s' (want 0..9999)",
			    name, num);
	if (map->count == TARGET_MAX_REGS)
		return fail(s, TARGET_XML_ERR_FULL, at, "more than %d registers", TARGET_MAX_REGS);
	struct target_reg *r = &map->regs[map->count++];
	memset(r, 0, sizeof(*r));
	copy_str(r->name, sizeof(r->name), name);
	copy_str(r->type, sizeof(r->type), attr(attrs, n, "type"));
	copy_str(r->group, sizeof(r->group), attr(attrs, n, "group"));
	r->regnum = (int)regnum;
	r->bits = (int)nbits;
	map->next_regnum = (int)regnum + 1;
	return 0;
}

/* The text of <architecture>...</architecture>, kept for display. */
static void read_arch(struct scan *s, struct target_regmap *map)
{
	size_t end = find(s, s->pos, "<");
	size_t n = end - s->pos;

	if (n >= sizeof(map->arch))
		n = sizeof(map->arch) - 1;
	memcpy(map->arch, s->xml + s->pos, n);
	map->arch[n] = '\0';
}

/* Skip a construct that starts at s->pos and ends with CLOSE. */
static int skip_until(struct scan *s, const char *close, const char *what)
{
	size_t at = s->pos;
	size_t end = find(s, s->pos, close);

	if (end == s->len)
		return fail(s, TARGET_XML_ERR_SYNTAX, at, "%s never closed with '%s'", what, close);
	s->pos = end + strlen(close);
	return 0;
}

int target_xml_parse(const char *xml, size_t len, struct target_regmap *map,
		     target_xml_include_fn include, void *arg, char *err, size_t errlen)
{
	struct scan s = { .xml = xml, .len = len, .err = err, .errlen = errlen };
	struct attr attrs[MAX_ATTRS];
	int nattrs, rc;

	while ((s.pos = find(&s, s.pos, "<")) < len) {
		size_t at = s.pos;
		const char *p = xml + at;
		size_t left = len - at;

		if (left >= 4 && memcmp(p, "<!--", 4) == 0)
			rc = skip_until(&s, "-->", "comment");
		else if (left >= 2 && memcmp(p, "<?", 2) == 0)
			rc = skip_until(&s, "?>", "processing instruction");
		else if (left >= 2 && (p[1] == '!' || p[1] == '/'))
			rc = skip_until(&s, ">", "declaration or end tag");
		else {
			char tag[32];
			s.pos++;
			size_t n = read_name(&s, tag, sizeof(tag));
			if (n == 0)
				return fail(&s, TARGET_XML_ERR_SYNTAX, at, "'<' not followed by a tag name");
			if ((rc = read_attrs(&s, attrs, &nattrs, at)) < 0)
				return rc;
			if (strcmp(tag, "reg") == 0)
				rc = add_reg(&s, map, attrs, nattrs, at);
			else if (strcmp(tag, "architecture") == 0)
				read_arch(&s, map);
			else if (strcmp(tag, "xi:include") == 0 || strcmp(tag, "include") == 0) {
				const char *href = attr(attrs, nattrs, "href");
				if (!href || !*href)
					return fail(&s, TARGET_XML_ERR_SYNTAX, at, "include without href");
				if (include && include(arg, href, map) < 0)
					return fail(&s, TARGET_XML_ERR_INCLUDE, at, "xi:include of '%s' failed", href);
			}
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int by_regnum(const void *a, const void *b)
{
	const struct target_reg *x = a, *y = b;

	return (x->regnum > y->regnum) - (x->regnum < y->regnum);
}

int target_regmap_finish(struct target_regmap *map, char *err, size_t errlen)
{
	size_t off = 0;

	if (map->count == 0) {
		snprintf(err, errlen, "target description lists no registers");
		return TARGET_XML_ERR_REG;
	}
	qsort(map->regs, (size_t)map->count, sizeof(map->regs[0]), by_regnum);
	for (int i = 0; i < map->count; i++) {
		if (i > 0 && map->regs[i].regnum == map->regs[i - 1].regnum) {
			snprintf(err, errlen, "registers '%s' and '%s' share regnum %d",
				 map->regs[i - 1].name, map->regs[i].name, map->regs[i].regnum);
			return TARGET_XML_ERR_REG;
		}
		map->regs[i].offset = off;
		off += (size_t)map->regs[i].bits / 8;
	}
	map->g_size = off;
	return 0;
}

int target_regmap_find(const struct target_regmap *map, const char *name)
{
	for (int i = 0; i < map->count; i++)
		if (strcmp(map->regs[i].name, name) == 0)
			return i;
	return -1;
}

int target_regmap_by_regnum(const struct target_regmap *map, int regnum)
{
	for (int i = 0; i < map->count; i++)
		if (map->regs[i].regnum == regnum)
			return i;
	return -1;
}
