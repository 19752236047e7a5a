/* json_check.c: typed, path-naming getters over jansson values (json_check.h). */
#include "json_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int jc_fail(struct jc *L, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(L->err, L->errlen, "%s: %s", path, msg);
	return -EINVAL;
}

/* PATH.KEY into OUT (an over-long path ends in "..."; ours never are). */
void jc_member_path(char *out, const char *path, const char *key)
{
	if (snprintf(out, JC_PATH_LEN, "%s%s%s", path, *path ? "." : "", key) >= JC_PATH_LEN)
		strcpy(out + JC_PATH_LEN - 4, "...");
}

/* PATH[I] into OUT. */
void jc_index_path(char *out, const char *path, size_t i)
{
	if (snprintf(out, JC_PATH_LEN, "%s[%zu]", path, i) >= JC_PATH_LEN)
		strcpy(out + JC_PATH_LEN - 4, "...");
}

/* Fail at PATH.KEY: the leaf getters build that path only when there is an error to
 * report (building it for every field cost a tenth of loading a trace). */
static int member_fail(struct jc *L, const char *path, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int member_fail(struct jc *L, const char *path, const char *key, const char *fmt, ...)
{
	char p[JC_PATH_LEN], msg[256];
	va_list ap;

	jc_member_path(p, path, key);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return jc_fail(L, p, "%s", msg);
}

const char *jc_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

/* OBJ must be an object holding exactly the keys in ALLOWED (NULL-terminated). */
int jc_object(struct jc *L, const json_t *obj, const char *path,
			const char *const allowed[])
{
	const char *key;
	json_t *value;

	if (!json_is_object(obj))
		return jc_fail(L, *path ? path : "(top level)", "expected an object, found %s",
			    jc_type_name(obj));
	json_object_foreach((json_t *)obj, key, value) {
		bool known = false;
		char p[JC_PATH_LEN];

		for (int i = 0; allowed[i] && !known; i++) {
			size_t n = strlen(allowed[i]);
			n -= n && allowed[i][n - 1] == '?';
			known = strncmp(key, allowed[i], n) == 0 && key[n] == '\0';
		}
		if (!known) {
			jc_member_path(p, path, key);
			return jc_fail(L, p, "unknown field");
		}
	}
	for (int i = 0; allowed[i]; i++) {
		size_t n = strlen(allowed[i]);
		if (n && allowed[i][n - 1] == '?')
			continue;        /* optional: written for readers, or added later */
		if (!json_object_get(obj, allowed[i])) {
			char p[JC_PATH_LEN];

			jc_member_path(p, path, allowed[i]);
			return jc_fail(L, p, "missing");
		}
	}
	return 0;
}

/* Fetch OBJ.KEY (present: check_object ran) and build its path into P. */
json_t *jc_field(const json_t *obj, const char *path, const char *key, char *p)
{
	jc_member_path(p, path, key);
	return json_object_get(obj, key);
}

int jc_text(struct jc *L, const json_t *obj, const char *path, const char *key,
		    char *dst, size_t size)
{
	json_t *j = json_object_get(obj, key);

	if (!json_is_string(j))
		return member_fail(L, path, key, "expected a string, found %s", jc_type_name(j));
	if (json_string_length(j) >= size)
		return member_fail(L, path, key, "too long (%zu bytes, at most %zu)", json_string_length(j), size - 1);
	memcpy(dst, json_string_value(j), json_string_length(j) + 1);
	return 0;
}

/* A string or null into a new heap string (*dst stays NULL for null). */
int jc_opt_heap_text(struct jc *L, const json_t *obj, const char *path,
			     const char *key, char **dst)
{
	json_t *j = json_object_get(obj, key);

	*dst = NULL;
	if (json_is_null(j))
		return 0;
	if (!json_is_string(j))
		return member_fail(L, path, key, "expected a string or null, found %s", jc_type_name(j));
	if (json_string_length(j) > JC_MAX_HEAP_TEXT)
		return member_fail(L, path, key, "%zu bytes, at most %u", json_string_length(j),
				   JC_MAX_HEAP_TEXT);
	*dst = strdup(json_string_value(j));
	if (!*dst)
		return member_fail(L, path, key, "out of memory");
	return 0;
}

int jc_int(struct jc *L, const json_t *obj, const char *path, const char *key,
		   long long min, long long max, long long *out)
{
	json_t *j = json_object_get(obj, key);

	if (!json_is_integer(j))
		return member_fail(L, path, key, "expected an integer, found %s", jc_type_name(j));
	*out = json_integer_value(j);
	if (*out < min || *out > max)
		return member_fail(L, path, key, "%lld out of range %lld..%lld", *out, min, max);
	return 0;
}

int jc_bool(struct jc *L, const json_t *obj, const char *path, const char *key,
		    bool *out)
{
	json_t *j = json_object_get(obj, key);

	if (!json_is_boolean(j))
		return member_fail(L, path, key, "expected true or false, found %s", jc_type_name(j));
	*out = json_is_true(j);
	return 0;
}

int jc_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A "0x..." string of 1 to 16 hex digits: 64-bit values never pass through doubles. */
int jc_hex64(struct jc *L, const json_t *obj, const char *path, const char *key,
		     uint64_t *out)
{
	json_t *j = json_object_get(obj, key);
	const char *s;
	size_t len;
	uint64_t v = 0;

	if (!json_is_string(j))
		return member_fail(L, path, key, "not a hex string (found %s)", jc_type_name(j));
	s = json_string_value(j);
	len = json_string_length(j);
	if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return member_fail(L, path, key, "not a hex string (want \"0x\" and hex digits)");
	for (size_t i = 2; i < len; i++) {
		int d = jc_hex_digit(s[i]);

		if (d < 0)
			return member_fail(L, path, key, "not a hex string (bad digit at offset %zu)", i);
		if (v >> 60)
			return member_fail(L, path, key, "out of range (more than 64 bits)");
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

int jc_enum(struct jc *L, const json_t *obj, const char *path, const char *key,
		    const char *const names[], int n, int *out)
{
	json_t *j = json_object_get(obj, key);

	if (!json_is_string(j))
		return member_fail(L, path, key, "expected a string, found %s", jc_type_name(j));
	for (int i = 0; i < n; i++) {
		if (strcmp(json_string_value(j), names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return member_fail(L, path, key, "unknown value (expected %s%s%s%s%s)", names[0], n > 1 ? ", " : "",
		    n > 1 ? names[1] : "", n > 2 ? " or " : "", n > 2 ? names[2] : "");
}

int jc_array(struct jc *L, const json_t *obj, const char *path, const char *key,
		     size_t max, json_t **arr, char *p)
{
	json_t *j = jc_field(obj, path, key, p);

	if (!json_is_array(j))
		return jc_fail(L, p, "expected an array, found %s", jc_type_name(j));
	if (json_array_size(j) > max)
		return jc_fail(L, p, "too many entries (%zu, at most %zu)", json_array_size(j), max);
	*arr = j;
	return 0;
}

