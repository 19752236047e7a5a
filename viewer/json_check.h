/* json_check.h: reading untrusted JSON (jansson) with every value checked.
 *
 * Each getter checks one value's presence, type, range or length, and on the first
 * violation fails with "path: message", where path is the JSON path of the value
 * ("snapshots[3].regs[2].value"), so a user can find what was wrong. Used by the trace
 * loader (trace_json_load.c).
 */
#ifndef SYSWALK_JSON_CHECK_H
#define SYSWALK_JSON_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JC_PATH_LEN 96   /* "snapshots[19999].frame.slots[31].just_written" fits easily */

/* Where the first error goes. */
struct jc {
	char *err;
	size_t errlen;
};

int jc_fail(struct jc *L, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* PATH.KEY into OUT (an over-long path ends in "..."; ours never are). */
void jc_member_path(char *out, const char *path, const char *key);

/* PATH[I] into OUT. */
void jc_index_path(char *out, const char *path, size_t i);

/* "an object", "a string", ... for messages. */
const char *jc_type_name(const json_t *j);

/* The value of hex digit C, or -1. */
int jc_hex_digit(char c);

/* OBJ must be an object holding exactly the keys in ALLOWED (NULL-terminated); a key
 * written "name?" may be absent (derived fields, fields added later). */
int jc_object(struct jc *L, const json_t *obj, const char *path,
			const char *const allowed[]);

/* Fetch OBJ.KEY (present: check_object ran) and build its path into P. */
json_t *jc_field(const json_t *obj, const char *path, const char *key, char *p);

/* A string that fits SIZE bytes (with its NUL) into DST. */
int jc_text(struct jc *L, const json_t *obj, const char *path, const char *key,
		    char *dst, size_t size);

/* The longest heap string taken from untrusted JSON: a note (at most an annotation
 * file, 1 MiB) or a stop's console (QEMU keeps at most 1 MiB), so a trace's memory is
 * bounded per stop, not only by its file's size. */
#define JC_MAX_HEAP_TEXT (1u << 20)

/* A string or null into a new heap string (*dst stays NULL for null), at most
 * JC_MAX_HEAP_TEXT bytes. */
int jc_opt_heap_text(struct jc *L, const json_t *obj, const char *path,
			     const char *key, char **dst);

/* An integer in [MIN, MAX]. */
int jc_int(struct jc *L, const json_t *obj, const char *path, const char *key,
		   long long min, long long max, long long *out);

/* true or false. */
int jc_bool(struct jc *L, const json_t *obj, const char *path, const char *key,
		    bool *out);

/* A "0x..." string of 1 to 16 hex digits: 64-bit values never pass through doubles. */
int jc_hex64(struct jc *L, const json_t *obj, const char *path, const char *key,
		     uint64_t *out);

/* One of the N strings in NAMES; *OUT gets its index. */
int jc_enum(struct jc *L, const json_t *obj, const char *path, const char *key,
		    const char *const names[], int n, int *out);

/* An array of at most MAX items; *ARR gets it and P its path. */
int jc_array(struct jc *L, const json_t *obj, const char *path, const char *key,
		     size_t max, json_t **arr, char *p);

#endif
