/* trace_json_load.c: reading a JSON trace back (format in docs/trace-format.md).
 *
 * The file may come from anywhere (a colleague, a web page, a fuzzer), so it is
 * treated as hostile: every object must have exactly the documented keys, every
 * value the documented type and range, every array at most the fixed size of the
 * matching array in snapshot.h, every string must fit its buffer. The first
 * violation stops the load with "path: message", where path is the JSON path of
 * the offending value ("snapshots[3].regs[2].value"), so the user can find it.
 * Nothing is written into the caller's trace until the whole file has been checked.
 */
#include "trace_json.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PATH_LEN 96   /* "snapshots[19999].frame.slots[31].just_written" fits easily */

struct loader {
	char *err;
	size_t errlen;
};

static const char *const kind_names[] = { "anchor", "step", "user" };
static const char *const source_names[] = { "unknown", "live", "carried" };

__attribute__((format(printf, 3, 4)))
static int fail(struct loader *L, const char *path, const char *fmt, ...)
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
static void member_path(char *out, const char *path, const char *key)
{
	if (snprintf(out, PATH_LEN, "%s%s%s", path, *path ? "." : "", key) >= PATH_LEN)
		strcpy(out + PATH_LEN - 4, "...");
}

/* PATH[I] into OUT. */
static void index_path(char *out, const char *path, size_t i)
{
	if (snprintf(out, PATH_LEN, "%s[%zu]", path, i) >= PATH_LEN)
		strcpy(out + PATH_LEN - 4, "...");
}

static const char *type_name(const json_t *j)
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
static int check_object(struct loader *L, const json_t *obj, const char *path,
			const char *const allowed[])
{
	const char *key;
	json_t *value;

	if (!json_is_object(obj))
		return fail(L, *path ? path : "(top level)", "expected an object, found %s",
			    type_name(obj));
	json_object_foreach((json_t *)obj, key, value) {
		bool known = false;
		char p[PATH_LEN];

		for (int i = 0; allowed[i] && !known; i++)
			known = strcmp(key, allowed[i]) == 0;
		if (!known) {
			member_path(p, path, key);
			return fail(L, p, "unknown field");
		}
	}
	for (int i = 0; allowed[i]; i++) {
		if (!json_object_get(obj, allowed[i])) {
			char p[PATH_LEN];

			member_path(p, path, allowed[i]);
			return fail(L, p, "missing");
		}
	}
	return 0;
}

/* Fetch OBJ.KEY (present: check_object ran) and build its path into P. */
static json_t *field(const json_t *obj, const char *path, const char *key, char *p)
{
	member_path(p, path, key);
	return json_object_get(obj, key);
}

static int get_text(struct loader *L, const json_t *obj, const char *path, const char *key,
		    char *dst, size_t size)
{
	char p[PATH_LEN];
	json_t *j = field(obj, path, key, p);

	if (!json_is_string(j))
		return fail(L, p, "expected a string, found %s", type_name(j));
	if (json_string_length(j) >= size)
		return fail(L, p, "too long (%zu bytes, at most %zu)", json_string_length(j), size - 1);
	memcpy(dst, json_string_value(j), json_string_length(j) + 1);
	return 0;
}

/* A string or null into a new heap string (*dst stays NULL for null). */
static int get_opt_heap_text(struct loader *L, const json_t *obj, const char *path,
			     const char *key, char **dst)
{
	char p[PATH_LEN];
	json_t *j = field(obj, path, key, p);

	*dst = NULL;
	if (json_is_null(j))
		return 0;
	if (!json_is_string(j))
		return fail(L, p, "expected a string or null, found %s", type_name(j));
	*dst = strdup(json_string_value(j));
	if (!*dst)
		return fail(L, p, "out of memory");
	return 0;
}

static int get_int(struct loader *L, const json_t *obj, const char *path, const char *key,
		   long long min, long long max, long long *out)
{
	char p[PATH_LEN];
	json_t *j = field(obj, path, key, p);

	if (!json_is_integer(j))
		return fail(L, p, "expected an integer, found %s", type_name(j));
	*out = json_integer_value(j);
	if (*out < min || *out > max)
		return fail(L, p, "%lld out of range %lld..%lld", *out, min, max);
	return 0;
}

static int get_bool(struct loader *L, const json_t *obj, const char *path, const char *key,
		    bool *out)
{
	char p[PATH_LEN];
	json_t *j = field(obj, path, key, p);

	if (!json_is_boolean(j))
		return fail(L, p, "expected true or false, found %s", type_name(j));
	*out = json_is_true(j);
	return 0;
}

static int hex_digit(char c)
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
static int get_hex64(struct loader *L, const json_t *obj, const char *path, const char *key,
		     uint64_t *out)
{
	char p[PATH_LEN];
	json_t *j = field(obj, path, key, p);
	const char *s;
	size_t len;
	uint64_t v = 0;

	if (!json_is_string(j))
		return fail(L, p, "not a hex string (found %s)", type_name(j));
	s = json_string_value(j);
	len = json_string_length(j);
	if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return fail(L, p, "not a hex string (want \"0x\" and hex digits)");
	for (size_t i = 2; i < len; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return fail(L, p, "not a hex string (bad digit at offset %zu)", i);
		if (v >> 60)
			return fail(L, p, "out of range (more than 64 bits)");
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

static int get_enum(struct loader *L, const json_t *obj, const char *path, const char *key,
		    const char *const names[], int n, int *out)
{
	char p[PATH_LEN];
	json_t *j = field(obj, path, key, p);

	if (!json_is_string(j))
		return fail(L, p, "expected a string, found %s", type_name(j));
	for (int i = 0; i < n; i++) {
		if (strcmp(json_string_value(j), names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return fail(L, p, "unknown value (expected %s%s%s%s%s)", names[0], n > 1 ? ", " : "",
		    n > 1 ? names[1] : "", n > 2 ? " or " : "", n > 2 ? names[2] : "");
}

static int get_array(struct loader *L, const json_t *obj, const char *path, const char *key,
		     size_t max, json_t **arr, char *p)
{
	json_t *j = field(obj, path, key, p);

	if (!json_is_array(j))
		return fail(L, p, "expected an array, found %s", type_name(j));
	if (json_array_size(j) > max)
		return fail(L, p, "too many entries (%zu, at most %zu)", json_array_size(j), max);
	*arr = j;
	return 0;
}

static int load_reg(struct loader *L, const json_t *o, const char *path, struct snap_reg *r)
{
	static const char *const keys[] = { "name", "value", "bits", "changed", NULL };
	long long bits;
	int rc;

	if ((rc = check_object(L, o, path, keys)) ||
	    (rc = get_text(L, o, path, "name", r->name, sizeof(r->name))) ||
	    (rc = get_hex64(L, o, path, "value", &r->value)) ||
	    (rc = get_int(L, o, path, "bits", 1, 64, &bits)) ||
	    (rc = get_bool(L, o, path, "changed", &r->changed)))
		return rc;
	r->bits = (uint8_t)bits;
	if (r->name[0] == '\0')
		return fail(L, path, "register with an empty name");
	if (bits < 64 && r->value >> bits) {
		char p[PATH_LEN];

		member_path(p, path, "value");
		return fail(L, p, "does not fit in %lld bits", bits);
	}
	return 0;
}

static int load_msrs(struct loader *L, const json_t *obj, const char *path, struct snapshot *s)
{
	const char *keys[SNAP_MSR_COUNT + 1];
	static const char *const msr_keys[] = { "value", "source", NULL };
	int rc;

	for (int i = 0; i < SNAP_MSR_COUNT; i++)
		keys[i] = snapshot_msr_name(i);
	keys[SNAP_MSR_COUNT] = NULL;
	if ((rc = check_object(L, obj, path, keys)))
		return rc;
	for (int i = 0; i < SNAP_MSR_COUNT; i++) {
		char p[PATH_LEN];
		json_t *m = field(obj, path, keys[i], p);
		int src;

		if ((rc = check_object(L, m, p, msr_keys)) ||
		    (rc = get_hex64(L, m, p, "value", &s->msrs[i].value)) ||
		    (rc = get_enum(L, m, p, "source", source_names, 3, &src)))
			return rc;
		s->msrs[i].source = (enum snap_msr_source)src;
	}
	return 0;
}

static int load_slot(struct loader *L, const json_t *o, const char *path, struct snap_slot *sl)
{
	static const char *const keys[] = { "name", "offset", "value", "filled", "just_written", NULL };
	long long off;
	int rc;

	if ((rc = check_object(L, o, path, keys)) ||
	    (rc = get_text(L, o, path, "name", sl->name, sizeof(sl->name))) ||
	    (rc = get_int(L, o, path, "offset", 0, UINT32_MAX, &off)) ||
	    (rc = get_hex64(L, o, path, "value", &sl->value)) ||
	    (rc = get_bool(L, o, path, "filled", &sl->filled)) ||
	    (rc = get_bool(L, o, path, "just_written", &sl->just_written)))
		return rc;
	sl->offset = (uint32_t)off;
	return 0;
}

static int load_frame(struct loader *L, const json_t *o, const char *path, struct snap_frame *f)
{
	static const char *const keys[] = { "valid", "base", "size", "layout_source", "slots", NULL };
	long long size;
	char p[PATH_LEN];
	json_t *slots;
	int rc;

	if ((rc = check_object(L, o, path, keys)) || (rc = get_bool(L, o, path, "valid", &f->valid)) ||
	    (rc = get_hex64(L, o, path, "base", &f->base)) ||
	    (rc = get_int(L, o, path, "size", 0, UINT32_MAX, &size)) ||
	    (rc = get_text(L, o, path, "layout_source", f->layout_source, sizeof(f->layout_source))) ||
	    (rc = get_array(L, o, path, "slots", SNAP_MAX_SLOTS, &slots, p)))
		return rc;
	f->size = (uint32_t)size;
	f->nslots = (int)json_array_size(slots);
	for (int i = 0; i < f->nslots; i++) {
		char sp[PATH_LEN];

		index_path(sp, p, (size_t)i);
		if ((rc = load_slot(L, json_array_get(slots, i), sp, &f->slots[i])))
			return rc;
	}
	return 0;
}

/* "0f05" into BYTES; 1 to 16 bytes (an x86 instruction is at most 15). */
static int parse_bytes(struct loader *L, const char *path, const json_t *j, struct snap_insn *in)
{
	const char *s;
	size_t len;

	if (!json_is_string(j))
		return fail(L, path, "expected a string of hex bytes, found %s", type_name(j));
	s = json_string_value(j);
	len = json_string_length(j);
	if (len == 0 || len % 2 || len / 2 > sizeof(in->bytes))
		return fail(L, path, "expected 1 to %zu bytes as pairs of hex digits", sizeof(in->bytes));
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);

		if (hi < 0 || lo < 0)
			return fail(L, path, "bad hex digit at offset %zu", hi < 0 ? i : i + 1);
		in->bytes[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	in->len = (uint8_t)(len / 2);
	return 0;
}

static int load_insn(struct loader *L, const json_t *o, const char *path, struct snap_insn *in)
{
	static const char *const keys[] = { "addr", "bytes", "att", "intel", "label", "current", NULL };
	char p[PATH_LEN];
	int rc;

	if ((rc = check_object(L, o, path, keys)) || (rc = get_hex64(L, o, path, "addr", &in->addr)) ||
	    (rc = parse_bytes(L, (member_path(p, path, "bytes"), p), json_object_get(o, "bytes"), in)) ||
	    (rc = get_text(L, o, path, "att", in->att, sizeof(in->att))) ||
	    (rc = get_text(L, o, path, "intel", in->intel, sizeof(in->intel))) ||
	    (rc = get_text(L, o, path, "label", in->label, sizeof(in->label))) ||
	    (rc = get_bool(L, o, path, "current", &in->current)))
		return rc;
	return 0;
}

static int load_question(struct loader *L, const json_t *o, const char *path, struct snap_question *q)
{
	static const char *const keys[] = { "text", "expr", "answer", "choices", NULL };
	static const char *const choice_keys[] = { "label", "value", NULL };
	char p[PATH_LEN];
	json_t *arr;
	int rc;

	if ((rc = check_object(L, o, path, keys)) ||
	    (rc = get_text(L, o, path, "text", q->text, sizeof(q->text))) ||
	    (rc = get_text(L, o, path, "expr", q->expr, sizeof(q->expr))))
		return rc;
	q->answer_known = !json_is_null(json_object_get(o, "answer"));
	if (q->answer_known && (rc = get_hex64(L, o, path, "answer", &q->answer)))
		return rc;
	if ((rc = get_array(L, o, path, "choices", SNAP_MAX_CHOICES, &arr, p)))
		return rc;
	q->nchoices = (int)json_array_size(arr);
	for (int i = 0; i < q->nchoices; i++) {
		char cp[PATH_LEN];
		const json_t *c = json_array_get(arr, i);

		index_path(cp, p, (size_t)i);
		if ((rc = check_object(L, c, cp, choice_keys)) ||
		    (rc = get_text(L, c, cp, "label", q->choice_label[i], sizeof(q->choice_label[i]))) ||
		    (rc = get_hex64(L, c, cp, "value", &q->choice_value[i])))
			return rc;
	}
	return 0;
}

static int load_snapshot(struct loader *L, const json_t *o, const char *path, struct snapshot *s)
{
	static const char *const keys[] = {
		"index", "kind", "syscall", "rip", "cpl", "location", "source_file", "source_line",
		"anchor", "note_title", "note_markdown", "note_show", "console", "regs", "msrs",
		"frame", "insns", "questions", NULL,
	};
	long long index, cpl, line;
	char p[PATH_LEN];
	json_t *arr;
	int kind, rc;

	if ((rc = check_object(L, o, path, keys)) ||
	    (rc = get_int(L, o, path, "index", 0, INT32_MAX, &index)) ||
	    (rc = get_enum(L, o, path, "kind", kind_names, 3, &kind)) ||
	    (rc = get_text(L, o, path, "syscall", s->syscall, sizeof(s->syscall))) ||
	    (rc = get_hex64(L, o, path, "rip", &s->rip)) ||
	    (rc = get_int(L, o, path, "cpl", 0, 3, &cpl)) ||
	    (rc = get_text(L, o, path, "location", s->location, sizeof(s->location))) ||
	    (rc = get_text(L, o, path, "source_file", s->source_file, sizeof(s->source_file))) ||
	    (rc = get_int(L, o, path, "source_line", 0, INT32_MAX, &line)) ||
	    (rc = get_opt_heap_text(L, o, path, "anchor", &s->anchor)) ||
	    (rc = get_opt_heap_text(L, o, path, "note_title", &s->note_title)) ||
	    (rc = get_opt_heap_text(L, o, path, "note_markdown", &s->note_markdown)) ||
	    (rc = get_opt_heap_text(L, o, path, "note_show", &s->note_show)) ||
	    (rc = get_opt_heap_text(L, o, path, "console", &s->console)))
		return rc;
	s->index = (int)index;
	s->kind = (enum snap_kind)kind;
	s->cpl = (int)cpl;
	s->source_line = (int)line;

	if ((rc = get_array(L, o, path, "regs", SNAP_MAX_REGS, &arr, p)))
		return rc;
	s->nregs = (int)json_array_size(arr);
	for (int i = 0; i < s->nregs; i++) {
		char ip[PATH_LEN];

		index_path(ip, p, (size_t)i);
		if ((rc = load_reg(L, json_array_get(arr, i), ip, &s->regs[i])))
			return rc;
	}
	member_path(p, path, "msrs");
	if ((rc = load_msrs(L, json_object_get(o, "msrs"), p, s)))
		return rc;
	member_path(p, path, "frame");
	if ((rc = load_frame(L, json_object_get(o, "frame"), p, &s->frame)))
		return rc;
	if ((rc = get_array(L, o, path, "insns", SNAP_MAX_INSNS, &arr, p)))
		return rc;
	s->ninsns = (int)json_array_size(arr);
	for (int i = 0; i < s->ninsns; i++) {
		char ip[PATH_LEN];

		index_path(ip, p, (size_t)i);
		if ((rc = load_insn(L, json_array_get(arr, i), ip, &s->insns[i])))
			return rc;
	}
	if ((rc = get_array(L, o, path, "questions", SNAP_MAX_QUESTIONS, &arr, p)))
		return rc;
	s->nquestions = (int)json_array_size(arr);
	for (int i = 0; i < s->nquestions; i++) {
		char qp[PATH_LEN];

		index_path(qp, p, (size_t)i);
		if ((rc = load_question(L, json_array_get(arr, i), qp, &s->questions[i])))
			return rc;
	}
	return 0;
}

static int load_metadata(struct loader *L, const json_t *root, struct trace *t)
{
	static const char *const kernel_keys[] = { "path", "build_id", NULL };
	json_t *kernel = json_object_get(root, "kernel"), *names;
	long long version;
	char p[PATH_LEN];
	int rc;

	if ((rc = get_int(L, root, "", "version", 1, INT32_MAX, &version)))
		return rc;
	static const char *const quiz_keys[] = { "asked", "right", NULL };
	json_t *quiz = json_object_get(root, "quiz");
	long long asked, right;
	if (version != TRACE_JSON_VERSION)
		return fail(L, "version", "%lld is not a version this syswalk reads (%d)", version,
			    TRACE_JSON_VERSION);
	if ((rc = get_text(L, root, "", "syswalk_version", t->syswalk_version, sizeof(t->syswalk_version))) ||
	    (rc = get_text(L, root, "", "target", t->target, sizeof(t->target))) ||
	    (rc = check_object(L, kernel, "kernel", kernel_keys)) ||
	    (rc = get_opt_heap_text(L, kernel, "kernel", "path", &t->kernel_path)) ||
	    (rc = get_text(L, kernel, "kernel", "build_id", t->kernel_build_id, sizeof(t->kernel_build_id))) ||
	    (rc = get_text(L, root, "", "date", t->date, sizeof(t->date))) ||
	    (rc = get_text(L, root, "", "syscalls", t->syscalls, sizeof(t->syscalls))) ||
	    (rc = get_opt_heap_text(L, root, "", "command_line", &t->command_line)) ||
	    (rc = check_object(L, quiz, "quiz", quiz_keys)) ||
	    (rc = get_int(L, quiz, "quiz", "asked", 0, INT32_MAX, &asked)) ||
	    (rc = get_int(L, quiz, "quiz", "right", 0, asked, &right)) ||
	    (rc = get_array(L, root, "", "register_names", SNAP_MAX_REGS, &names, p)))
		return rc;
	t->quiz_asked = (int)asked;
	t->quiz_right = (int)right;
	t->nreg_names = (int)json_array_size(names);
	for (int i = 0; i < t->nreg_names; i++) {
		json_t *n = json_array_get(names, i);
		char np[PATH_LEN];

		index_path(np, "register_names", (size_t)i);
		if (!json_is_string(n))
			return fail(L, np, "expected a string, found %s", type_name(n));
		if (json_string_length(n) == 0 || json_string_length(n) >= SNAP_NAME_LEN)
			return fail(L, np, "length %zu out of range 1..%d", json_string_length(n),
				    SNAP_NAME_LEN - 1);
		memcpy(t->reg_names[i], json_string_value(n), json_string_length(n) + 1);
	}
	return 0;
}

static int load_root(struct loader *L, const json_t *root, struct trace *t)
{
	static const char *const keys[] = {
		"format", "version", "syswalk_version", "target", "kernel", "date", "syscalls",
		"command_line", "register_names", "quiz", "snapshots", NULL,
	};
	json_t *format, *snaps;
	char p[PATH_LEN];
	int rc;

	/* Say "not a syswalk trace" before complaining about individual keys. */
	format = json_is_object(root) ? json_object_get(root, "format") : NULL;
	if (!json_is_string(format) || strcmp(json_string_value(format), TRACE_JSON_FORMAT) != 0)
		return fail(L, "format", "not a syswalk trace (want \"format\": \"%s\")", TRACE_JSON_FORMAT);
	if ((rc = check_object(L, root, "", keys)) || (rc = load_metadata(L, root, t)) ||
	    (rc = get_array(L, root, "", "snapshots", TRACE_MAX_SNAPS, &snaps, p)))
		return rc;
	if (json_array_size(snaps) == 0)
		return fail(L, "snapshots", "empty (a trace holds at least one stop)");
	t->snaps = calloc(json_array_size(snaps), sizeof(*t->snaps));
	if (!t->snaps)
		return fail(L, "snapshots", "out of memory");
	t->cap = json_array_size(snaps);
	for (size_t i = 0; i < json_array_size(snaps); i++) {
		char sp[PATH_LEN];

		index_path(sp, "snapshots", i);
		t->n = i + 1;    /* so trace_free releases a half-loaded stop too */
		if ((rc = load_snapshot(L, json_array_get(snaps, i), sp, &t->snaps[i])))
			return rc;
	}
	return 0;
}

/* Load the JSON text BUF[0..LEN) into T (see trace_json.h). */
int trace_json_load_buffer(const char *buf, size_t len, struct trace *t, char *err,
			   size_t errlen)
{
	struct loader L = { .err = err, .errlen = errlen };
	json_error_t jerr;
	json_t *root;
	int rc;

	trace_init(t);
	if (len > TRACE_JSON_MAX_FILE) {
		snprintf(err, errlen, "too large (%zu bytes, at most %u)", len, TRACE_JSON_MAX_FILE);
		return -EFBIG;
	}
	/* Duplicate keys would make "which value counts" ambiguous: refuse them. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "line %d column %d: invalid JSON: %s", jerr.line, jerr.column,
			 jerr.text);
		return -EINVAL;
	}
	rc = load_root(&L, root, t);
	json_decref(root);
	if (rc < 0)
		trace_free(t);
	return rc;
}

/* Load the trace file PATH into T (see trace_json.h). */
int trace_json_load(const char *path, struct trace *t, char *err, size_t errlen)
{
	char why[320] = "";
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t got;
	int rc;

	trace_init(t);
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return -EINVAL;
	}
	if ((unsigned long long)st.st_size > TRACE_JSON_MAX_FILE) {
		snprintf(err, errlen, "%s: too large (%lld bytes, at most %u)", path,
			 (long long)st.st_size, TRACE_JSON_MAX_FILE);
		fclose(f);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		fclose(f);
		return -ENOMEM;
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	rc = ferror(f) ? -EIO : 0;
	fclose(f);
	if (rc == 0)
		rc = trace_json_load_buffer(buf, got, t, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "read error");
	free(buf);
	if (rc == 0)
		rc = trace_set_string(&t->origin, path);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, rc == -ENOMEM && !why[0] ? "out of memory" : why);
		trace_free(t);
	}
	return rc;
}
