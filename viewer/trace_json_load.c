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
#include "json_check.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "infile.h"

static const char *const kind_names[] = { "anchor", "step", "user" };
static const char *const source_names[] = { "unknown", "live", "carried" };

static int load_reg(struct jc *L, const json_t *o, const char *path, struct snap_reg *r)
{
	/* "group" is written for readers and worked out again on load (present.h). */
	static const char *const keys[] = { "name", "value", "bits", "changed", "group?", NULL };
	long long bits;
	int rc;

	if ((rc = jc_object(L, o, path, keys)) ||
	    (rc = jc_text(L, o, path, "name", r->name, sizeof(r->name))) ||
	    (rc = jc_hex64(L, o, path, "value", &r->value)) ||
	    (rc = jc_int(L, o, path, "bits", 1, 64, &bits)) ||
	    (rc = jc_bool(L, o, path, "changed", &r->changed)))
		return rc;
	r->bits = (uint8_t)bits;
	if (r->name[0] == '\0')
		return jc_fail(L, path, "register with an empty name");
	if (bits < 64 && r->value >> bits) {
		char p[JC_PATH_LEN];

		jc_member_path(p, path, "value");
		return jc_fail(L, p, "does not fit in %lld bits", bits);
	}
	return 0;
}

static int load_msrs(struct jc *L, const json_t *obj, const char *path, struct snapshot *s)
{
	const char *keys[SNAP_MSR_COUNT + 1];
	static const char *const msr_keys[] = { "value", "source", "meaning?", NULL };
	int rc;

	for (int i = 0; i < SNAP_MSR_COUNT; i++)
		keys[i] = snapshot_msr_name(i);
	keys[SNAP_MSR_COUNT] = NULL;
	if ((rc = jc_object(L, obj, path, keys)))
		return rc;
	for (int i = 0; i < SNAP_MSR_COUNT; i++) {
		char p[JC_PATH_LEN];
		json_t *m = jc_field(obj, path, keys[i], p);
		int src;

		if ((rc = jc_object(L, m, p, msr_keys)) ||
		    (rc = jc_hex64(L, m, p, "value", &s->msrs[i].value)) ||
		    (rc = jc_enum(L, m, p, "source", source_names, 3, &src)))
			return rc;
		s->msrs[i].source = (enum snap_msr_source)src;
	}
	return 0;
}

static int load_slot(struct jc *L, const json_t *o, const char *path, struct snap_slot *sl)
{
	static const char *const keys[] = { "name", "offset", "value", "filled", "just_written", NULL };
	long long off;
	int rc;

	if ((rc = jc_object(L, o, path, keys)) ||
	    (rc = jc_text(L, o, path, "name", sl->name, sizeof(sl->name))) ||
	    (rc = jc_int(L, o, path, "offset", 0, UINT32_MAX, &off)) ||
	    (rc = jc_hex64(L, o, path, "value", &sl->value)) ||
	    (rc = jc_bool(L, o, path, "filled", &sl->filled)) ||
	    (rc = jc_bool(L, o, path, "just_written", &sl->just_written)))
		return rc;
	sl->offset = (uint32_t)off;
	return 0;
}

static int load_frame(struct jc *L, const json_t *o, const char *path, struct snap_frame *f)
{
	static const char *const keys[] = { "valid", "base", "size", "layout_source", "slots", NULL };
	long long size;
	char p[JC_PATH_LEN];
	json_t *slots;
	int rc;

	if ((rc = jc_object(L, o, path, keys)) || (rc = jc_bool(L, o, path, "valid", &f->valid)) ||
	    (rc = jc_hex64(L, o, path, "base", &f->base)) ||
	    (rc = jc_int(L, o, path, "size", 0, UINT32_MAX, &size)) ||
	    (rc = jc_text(L, o, path, "layout_source", f->layout_source, sizeof(f->layout_source))) ||
	    (rc = jc_array(L, o, path, "slots", SNAP_MAX_SLOTS, &slots, p)))
		return rc;
	f->size = (uint32_t)size;
	f->nslots = (int)json_array_size(slots);
	for (int i = 0; i < f->nslots; i++) {
		char sp[JC_PATH_LEN];

		jc_index_path(sp, p, (size_t)i);
		if ((rc = load_slot(L, json_array_get(slots, i), sp, &f->slots[i])))
			return rc;
	}
	return 0;
}

/* "0f05" into BYTES; 1 to 16 bytes (an x86 instruction is at most 15). */
static int parse_bytes(struct jc *L, const char *path, const json_t *j, struct snap_insn *in)
{
	const char *s;
	size_t len;

	if (!json_is_string(j))
		return jc_fail(L, path, "expected a string of hex bytes, found %s", jc_type_name(j));
	s = json_string_value(j);
	len = json_string_length(j);
	if (len == 0 || len % 2 || len / 2 > sizeof(in->bytes))
		return jc_fail(L, path, "expected 1 to %zu bytes as pairs of hex digits", sizeof(in->bytes));
	for (size_t i = 0; i < len; i += 2) {
		int hi = jc_hex_digit(s[i]), lo = jc_hex_digit(s[i + 1]);

		if (hi < 0 || lo < 0)
			return jc_fail(L, path, "bad hex digit at offset %zu", hi < 0 ? i : i + 1);
		in->bytes[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	in->len = (uint8_t)(len / 2);
	return 0;
}

/* One instruction of the window, appended to S: its text is read into buffers of the
 * sizes the disassembler writes, so a trace cannot hold longer text than a live walk. */
static int load_insn(struct jc *L, const json_t *o, const char *path, struct snapshot *s)
{
	static const char *const keys[] = { "addr", "bytes", "att", "intel", "label", "current", NULL };
	char att[SNAP_INSN_TEXT_LEN], intel[SNAP_INSN_TEXT_LEN], label[SNAP_LABEL_LEN];
	struct snap_insn in = { .att = att, .intel = intel, .label = label };
	char p[JC_PATH_LEN];
	int rc;

	if ((rc = jc_object(L, o, path, keys)) || (rc = jc_hex64(L, o, path, "addr", &in.addr)) ||
	    (rc = parse_bytes(L, (jc_member_path(p, path, "bytes"), p), json_object_get(o, "bytes"), &in)) ||
	    (rc = jc_text(L, o, path, "att", att, sizeof(att))) ||
	    (rc = jc_text(L, o, path, "intel", intel, sizeof(intel))) ||
	    (rc = jc_text(L, o, path, "label", label, sizeof(label))) ||
	    (rc = jc_bool(L, o, path, "current", &in.current)))
		return rc;
	if (snapshot_add_insn(s, &in) < 0)
		return jc_fail(L, path, "out of memory");
	return 0;
}

static int load_question(struct jc *L, const json_t *o, const char *path, struct snap_question *q)
{
	static const char *const keys[] = { "text", "expr", "answer", "choices", "answer_text?",
					    "answer_choice?", NULL };
	static const char *const choice_keys[] = { "label", "value", NULL };
	char p[JC_PATH_LEN];
	json_t *arr;
	int rc;

	if ((rc = jc_object(L, o, path, keys)) ||
	    (rc = jc_text(L, o, path, "text", q->text, sizeof(q->text))) ||
	    (rc = jc_text(L, o, path, "expr", q->expr, sizeof(q->expr))))
		return rc;
	q->answer_known = !json_is_null(json_object_get(o, "answer"));
	if (q->answer_known && (rc = jc_hex64(L, o, path, "answer", &q->answer)))
		return rc;
	if ((rc = jc_array(L, o, path, "choices", SNAP_MAX_CHOICES, &arr, p)))
		return rc;
	q->nchoices = (int)json_array_size(arr);
	for (int i = 0; i < q->nchoices; i++) {
		char cp[JC_PATH_LEN];
		const json_t *c = json_array_get(arr, i);

		jc_index_path(cp, p, (size_t)i);
		if ((rc = jc_object(L, c, cp, choice_keys)) ||
		    (rc = jc_text(L, c, cp, "label", q->choice_label[i], sizeof(q->choice_label[i]))) ||
		    (rc = jc_hex64(L, c, cp, "value", &q->choice_value[i])))
			return rc;
	}
	return 0;
}

static int load_snapshot(struct jc *L, const json_t *o, const char *path, int version,
			 struct snapshot *s)
{
	/* Version 2 added note_caveats; version 1 files are read without it. */
	static const char *const keys[] = {
		"index", "kind", "kind_word?", "syscall", "rip", "cpl", "location", "source_file", "source_line",
		"source_first?", "source_text?",
		"anchor", "note_title", "note_markdown", "note_show", "console", "regs", "msrs",
		"frame", "insns", "questions", "note_caveats", NULL,
	};
	static const char *const keys_v1[] = {
		"index", "kind", "syscall", "rip", "cpl", "location", "source_file", "source_line",
		"anchor", "note_title", "note_markdown", "note_show", "console", "regs", "msrs",
		"frame", "insns", "questions", NULL,
	};
	long long index, cpl, line;
	char p[JC_PATH_LEN];
	json_t *arr;
	int kind, rc;

	if ((rc = jc_object(L, o, path, version == 1 ? keys_v1 : keys)) ||
	    (version > 1 && (rc = jc_opt_heap_text(L, o, path, "note_caveats", &s->note_caveats))) ||
	    (rc = jc_int(L, o, path, "index", 0, INT32_MAX, &index)) ||
	    (rc = jc_enum(L, o, path, "kind", kind_names, 3, &kind)) ||
	    (rc = jc_text(L, o, path, "syscall", s->syscall, sizeof(s->syscall))) ||
	    (rc = jc_hex64(L, o, path, "rip", &s->rip)) ||
	    (rc = jc_int(L, o, path, "cpl", 0, 3, &cpl)) ||
	    (rc = jc_text(L, o, path, "location", s->location, sizeof(s->location))) ||
	    (rc = jc_text(L, o, path, "source_file", s->source_file, sizeof(s->source_file))) ||
	    (rc = jc_int(L, o, path, "source_line", 0, INT32_MAX, &line)) ||
	    (rc = jc_opt_heap_text(L, o, path, "anchor", &s->anchor)) ||
	    (rc = jc_opt_heap_text(L, o, path, "note_title", &s->note_title)) ||
	    (rc = jc_opt_heap_text(L, o, path, "note_markdown", &s->note_markdown)) ||
	    (rc = jc_opt_heap_text(L, o, path, "note_show", &s->note_show)) ||
	    (rc = jc_opt_heap_text(L, o, path, "console", &s->console)))
		return rc;
	/* The source lines came with version 1's later files: absent in older ones. */
	if (json_object_get(o, "source_text")) {
		long long first = 0;

		if ((rc = jc_opt_heap_text(L, o, path, "source_text", &s->source_text)) ||
		    (rc = jc_int(L, o, path, "source_first", 0, INT32_MAX, &first)))
			return rc;
		s->source_first = (int)first;
	}
	s->index = (int)index;
	s->kind = (enum snap_kind)kind;
	s->cpl = (int)cpl;
	s->source_line = (int)line;

	if ((rc = jc_array(L, o, path, "regs", SNAP_MAX_REGS, &arr, p)))
		return rc;
	s->nregs = (int)json_array_size(arr);
	for (int i = 0; i < s->nregs; i++) {
		char ip[JC_PATH_LEN];

		jc_index_path(ip, p, (size_t)i);
		if ((rc = load_reg(L, json_array_get(arr, i), ip, &s->regs[i])))
			return rc;
	}
	jc_member_path(p, path, "msrs");
	if ((rc = load_msrs(L, json_object_get(o, "msrs"), p, s)))
		return rc;
	jc_member_path(p, path, "frame");
	if ((rc = load_frame(L, json_object_get(o, "frame"), p, &s->frame)))
		return rc;
	if ((rc = jc_array(L, o, path, "insns", SNAP_MAX_INSNS, &arr, p)))
		return rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		char ip[JC_PATH_LEN];

		jc_index_path(ip, p, i);
		if ((rc = load_insn(L, json_array_get(arr, i), ip, s)))
			return rc;
	}
	if ((rc = jc_array(L, o, path, "questions", SNAP_MAX_QUESTIONS, &arr, p)))
		return rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		char qp[JC_PATH_LEN];
		struct snap_question *q = snapshot_add_question(s);

		jc_index_path(qp, p, i);
		if (!q)
			return jc_fail(L, qp, "out of memory");
		if ((rc = load_question(L, json_array_get(arr, i), qp, q)))
			return rc;
	}
	return 0;
}

static int load_metadata(struct jc *L, const json_t *root, struct trace *t, int *version_out)
{
	static const char *const kernel_keys[] = { "path", "build_id", NULL };
	json_t *kernel = json_object_get(root, "kernel"), *names;
	long long version;
	char p[JC_PATH_LEN];
	int rc;

	if ((rc = jc_int(L, root, "", "version", 1, INT32_MAX, &version)))
		return rc;
	static const char *const quiz_keys[] = { "asked", "right", NULL };
	json_t *quiz = json_object_get(root, "quiz");
	long long asked, right;
	if (version < 1 || version > TRACE_JSON_VERSION)
		return jc_fail(L, "version", "%lld is not a version this syswalk reads (1 to %d)", version,
			    TRACE_JSON_VERSION);
	*version_out = (int)version;
	if ((rc = jc_text(L, root, "", "syswalk_version", t->syswalk_version, sizeof(t->syswalk_version))) ||
	    (rc = jc_text(L, root, "", "target", t->target, sizeof(t->target))) ||
	    (rc = jc_object(L, kernel, "kernel", kernel_keys)) ||
	    (rc = jc_opt_heap_text(L, kernel, "kernel", "path", &t->kernel_path)) ||
	    (rc = jc_text(L, kernel, "kernel", "build_id", t->kernel_build_id, sizeof(t->kernel_build_id))) ||
	    (rc = jc_text(L, root, "", "date", t->date, sizeof(t->date))) ||
	    (rc = jc_text(L, root, "", "syscalls", t->syscalls, sizeof(t->syscalls))) ||
	    (rc = jc_opt_heap_text(L, root, "", "command_line", &t->command_line)) ||
	    (rc = jc_object(L, quiz, "quiz", quiz_keys)) ||
	    (rc = jc_int(L, quiz, "quiz", "asked", 0, INT32_MAX, &asked)) ||
	    (rc = jc_int(L, quiz, "quiz", "right", 0, asked, &right)) ||
	    (rc = jc_array(L, root, "", "register_names", SNAP_MAX_REGS, &names, p)))
		return rc;
	t->quiz_asked = (int)asked;
	t->quiz_right = (int)right;
	t->nreg_names = (int)json_array_size(names);
	for (int i = 0; i < t->nreg_names; i++) {
		json_t *n = json_array_get(names, i);
		char np[JC_PATH_LEN];

		jc_index_path(np, "register_names", (size_t)i);
		if (!json_is_string(n))
			return jc_fail(L, np, "expected a string, found %s", jc_type_name(n));
		if (json_string_length(n) == 0 || json_string_length(n) >= SNAP_NAME_LEN)
			return jc_fail(L, np, "length %zu out of range 1..%d", json_string_length(n),
				    SNAP_NAME_LEN - 1);
		memcpy(t->reg_names[i], json_string_value(n), json_string_length(n) + 1);
	}
	return 0;
}

static int load_root(struct jc *L, const json_t *root, struct trace *t)
{
	static const char *const keys[] = {
		"format", "version", "syswalk_version", "target", "kernel", "date", "syscalls",
		"command_line", "register_names", "quiz", "snapshots", NULL,
	};
	static const char *const keys_v2[] = {
		"format", "version", "syswalk_version", "target", "kernel", "date", "syscalls",
		"command_line", "register_names", "quiz", "snapshots", "kernel_files", NULL,
	};
	json_t *format, *snaps, *version_node;
	char p[JC_PATH_LEN];
	int rc, version = 1;

	/* Say "not a syswalk trace" before complaining about individual keys. */
	format = json_is_object(root) ? json_object_get(root, "format") : NULL;
	if (!json_is_string(format) || strcmp(json_string_value(format), TRACE_JSON_FORMAT) != 0)
		return jc_fail(L, "format", "not a syswalk trace (want \"format\": \"%s\")", TRACE_JSON_FORMAT);
	version_node = json_object_get(root, "version");
	bool v1 = json_is_integer(version_node) && json_integer_value(version_node) == 1;
	if ((rc = jc_object(L, root, "", v1 ? keys : keys_v2)) || (rc = load_metadata(L, root, t, &version)) ||
	    (!v1 && (rc = jc_opt_heap_text(L, root, "", "kernel_files", &t->kernel_files))) ||
	    (rc = jc_array(L, root, "", "snapshots", TRACE_MAX_SNAPS, &snaps, p)))
		return rc;
	if (json_array_size(snaps) == 0)
		return jc_fail(L, "snapshots", "empty (a trace holds at least one stop)");
	t->snaps = calloc(json_array_size(snaps), sizeof(*t->snaps));
	if (!t->snaps)
		return jc_fail(L, "snapshots", "out of memory");
	t->cap = json_array_size(snaps);
	for (size_t i = 0; i < json_array_size(snaps); i++) {
		char sp[JC_PATH_LEN];

		jc_index_path(sp, "snapshots", i);
		t->n = i + 1;    /* so trace_free releases a half-loaded stop too */
		if ((rc = load_snapshot(L, json_array_get(snaps, i), sp, version, &t->snaps[i])))
			return rc;
	}
	return 0;
}

/* Load the JSON text BUF[0..LEN) into T (see trace_json.h). */
int trace_json_load_buffer(const char *buf, size_t len, struct trace *t, char *err,
			   size_t errlen)
{
	struct jc L = { .err = err, .errlen = errlen };
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
	char *buf;
	size_t got;
	int rc;

	trace_init(t);
	/* Never waits on a FIFO or a device named as the trace. */
	rc = infile_read_all(path, TRACE_JSON_MAX_FILE, &buf, &got, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return rc;
	}
	rc = trace_json_load_buffer(buf, got, t, why, sizeof(why));
	free(buf);
	if (rc == 0)
		rc = trace_set_string(&t->origin, path);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, rc == -ENOMEM && !why[0] ? "out of memory" : why);
		trace_free(t);
	}
	return rc;
}
