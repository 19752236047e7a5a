/* kconfig.c: reading a kernel .config (kconfig.h). */
#include "kconfig.h"
#include "infile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A .config is about 10 000 lines, 250 KB; anything far larger is not one. */
#define KCONFIG_MAX_BYTES (16u << 20)

static int fail(struct kconfig *kc, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(kc->err, sizeof(kc->err), fmt, ap);
	va_end(ap);
	return code;
}

void kconfig_init(struct kconfig *kc)
{
	memset(kc, 0, sizeof(*kc));
}

void kconfig_free(struct kconfig *kc)
{
	for (size_t i = 0; i < kc->count; i++)
		free(kc->names[i]);
	free(kc->names);
	kconfig_init(kc);
}

static bool is_option_name(const char *p, size_t len)
{
	if (len <= 7 || strncmp(p, "CONFIG_", 7) != 0)
		return false;
	for (size_t i = 7; i < len; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			return false;
	return true;
}

static int add_name(struct kconfig *kc, const char *p, size_t len)
{
	if (kc->count == kc->cap) {
		size_t cap = kc->cap ? kc->cap * 2 : 256;
		char **n = realloc(kc->names, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		kc->names = n;
		kc->cap = cap;
	}
	if (!(kc->names[kc->count] = strndup(p, len)))
		return -ENOMEM;
	kc->count++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line: "CONFIG_X=v" adds X unless v is n; comments and blank lines are skipped.
 * Returns 0, -ENOMEM, or -EINVAL with *WHY set. */
static int parse_line(struct kconfig *kc, const char *p, size_t len, const char **why)
{
	while (len && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len == 0 || p[0] == '#')
		return 0;
	const char *eq = memchr(p, '=', len);
	if (!eq || !is_option_name(p, (size_t)(eq - p))) {
		*why = "expected CONFIG_NAME=VALUE or a # comment";
		return -EINVAL;
	}
	size_t vlen = len - (size_t)(eq + 1 - p);
	if (vlen == 1 && eq[1] == 'n')
		return 0;
	return add_name(kc, p, (size_t)(eq - p));
}

int kconfig_load_buffer(struct kconfig *kc, const char *name, const char *buf, size_t len)
{
	kconfig_free(kc);
	snprintf(kc->source, sizeof(kc->source), "%s", name);
	if (len > KCONFIG_MAX_BYTES)
		return fail(kc, -EFBIG, "%s: larger than %u MiB: not a kernel .config", name,
			    KCONFIG_MAX_BYTES >> 20);
	int line = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t l = nl ? (size_t)(nl - (buf + at)) : len - at;
		const char *why = NULL;
		line++;
		if (memchr(buf + at, '\0', l)) {
			kconfig_free(kc);
			return fail(kc, -EINVAL, "%s:%d: a NUL byte: not a kernel .config", name, line);
		}
		int rc = parse_line(kc, buf + at, l, &why);
		if (rc < 0) {
			kconfig_free(kc);
			return rc == -ENOMEM ? fail(kc, rc, "%s: out of memory", name)
					     : fail(kc, rc, "%s:%d: %s: \"%.*s\"", name, line, why,
						    (int)(l < 60 ? l : 60), buf + at);
		}
		at += l + 1;
	}
	if (kc->count > 1)
		qsort(kc->names, kc->count, sizeof(*kc->names), cmp_names);
	snprintf(kc->source, sizeof(kc->source), "%s", name);
	kc->loaded = true;
	return 0;
}

int kconfig_load(struct kconfig *kc, const char *path)
{
	char why[160];
	FILE *f = infile_fopen(path, why, sizeof(why));
	if (!f)
		return fail(kc, -errno ? -errno : -EINVAL, "%s: %s", path, why);
	char *buf = malloc(KCONFIG_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return fail(kc, -ENOMEM, "%s: out of memory", path);
	}
	size_t len = fread(buf, 1, KCONFIG_MAX_BYTES + 1, f);
	int rc = ferror(f) ? fail(kc, -EIO, "%s: read error", path) : kconfig_load_buffer(kc, path, buf, len);
	free(buf);
	fclose(f);
	return rc;
}

enum kconfig_state kconfig_state(const struct kconfig *kc, const char *name)
{
	if (!kc->loaded)
		return KCONFIG_UNKNOWN;
	const char *key = name;
	return kc->count && bsearch(&key, kc->names, kc->count, sizeof(*kc->names), cmp_names) ? KCONFIG_YES : KCONFIG_NO;
}
