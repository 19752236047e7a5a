/* trace_json.c: writing a trace as JSON (the loader is in trace_json_load.c).
 *
 * Every 64-bit quantity (register, MSR, address) is written as a "0x..." string:
 * JSON numbers are read back as doubles by most tools, and a double holds only 53
 * bits, so 0xffffffff81000000 would silently change. Small counts (index, bits,
 * offsets, line numbers) stay JSON integers.
 *
 * JSON text must be UTF-8, and jansson refuses to build a string that is not. The
 * console pane carries raw serial bytes, so invalid sequences are replaced by
 * U+FFFD here; control bytes are valid UTF-8 and jansson escapes them (\u001b), so
 * they round-trip exactly.
 */
#include "trace_json.h"
#include "present.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Building state: jansson returns NULL or -1 on allocation failure; we note it
 * once and check at the end instead of after every call. */
struct jw {
	bool oom;
};

static const char *const kind_names[] = {
	[SNAP_ANCHOR] = "anchor", [SNAP_STEP] = "step", [SNAP_USER] = "user",
};
static const char *const source_names[] = {
	[SNAP_MSR_UNKNOWN] = "unknown", [SNAP_MSR_LIVE] = "live", [SNAP_MSR_CARRIED] = "carried",
};

static void put(struct jw *w, json_t *obj, const char *key, json_t *value)
{
	if (!obj || json_object_set_new(obj, key, value) < 0)
		w->oom = true;
}

static void push(struct jw *w, json_t *arr, json_t *value)
{
	if (!arr || json_array_append_new(arr, value) < 0)
		w->oom = true;
}

/* Length of the valid UTF-8 sequence at S, or 0 when it is not one. */
static size_t utf8_seq_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		unsigned lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		unsigned lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/* A JSON string of S with invalid UTF-8 replaced by U+FFFD; JSON null for NULL. */
static json_t *text(struct jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, out = 0;
	char *clean;
	json_t *j;

	if (!s)
		return json_null();
	len = strlen(s);
	clean = malloc(len * 3 + 1);   /* each bad byte becomes 3 bytes at most */
	if (!clean) {
		w->oom = true;
		return NULL;
	}
	while (*p) {
		size_t n = utf8_seq_len(p);

		if (n == 0) {
			memcpy(clean + out, "\xef\xbf\xbd", 3);
			out += 3;
			p++;
		} else {
			memcpy(clean + out, p, n);
			out += n;
			p += n;
		}
	}
	j = json_stringn(clean, out);
	free(clean);
	if (!j)
		w->oom = true;
	return j;
}

static json_t *hex64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

/* The title of the present.h group R is shown in. */
static const char *register_group(const struct snapshot *s, const struct snap_reg *r)
{
	const struct snap_reg *in[SNAP_MAX_REGS];

	for (int g = 0; g < PRESENT_GROUP_COUNT; g++)
		for (int i = 0, n = present_group_regs(s, &present_groups[g], in); i < n; i++)
			if (in[i] == r)
				return present_groups[g].title;
	return "other";
}

static json_t *regs_json(struct jw *w, const struct snapshot *s)
{
	json_t *arr = json_array();

	for (int i = 0; i < s->nregs && i < SNAP_MAX_REGS; i++) {
		const struct snap_reg *r = &s->regs[i];
		json_t *o = json_object();

		put(w, o, "name", text(w, r->name));
		put(w, o, "value", hex64(r->value));
		put(w, o, "bits", json_integer(r->bits));
		put(w, o, "changed", json_boolean(r->changed));
		put(w, o, "group", json_string(register_group(s, r)));
		push(w, arr, o);
	}
	return arr;
}

static json_t *msrs_json(struct jw *w, const struct snapshot *s)
{
	json_t *obj = json_object();

	for (int i = 0; i < SNAP_MSR_COUNT; i++) {
		json_t *o = json_object();
		unsigned src = s->msrs[i].source;

		put(w, o, "value", hex64(s->msrs[i].value));
		put(w, o, "source", json_string(src <= SNAP_MSR_CARRIED ? source_names[src] : "unknown"));
		/* What the viewer shows under the value (present.h), for readers of the file. */
		json_t *meaning = json_array();
		char lines[4][64];
		for (int k = 0, n = present_msr_decode(s, (enum snap_msr_id)i, lines, 4); k < n; k++)
			push(w, meaning, json_string(lines[k]));
		put(w, o, "meaning", meaning);
		put(w, obj, snapshot_msr_name(i), o);
	}
	return obj;
}

static json_t *frame_json(struct jw *w, const struct snap_frame *f)
{
	json_t *o = json_object(), *slots = json_array();

	put(w, o, "valid", json_boolean(f->valid));
	put(w, o, "base", hex64(f->base));
	put(w, o, "size", json_integer(f->size));
	put(w, o, "layout_source", text(w, f->layout_source));
	for (int i = 0; i < f->nslots && i < SNAP_MAX_SLOTS; i++) {
		const struct snap_slot *sl = &f->slots[i];
		json_t *so = json_object();

		put(w, so, "name", text(w, sl->name));
		put(w, so, "offset", json_integer(sl->offset));
		put(w, so, "value", hex64(sl->value));
		put(w, so, "filled", json_boolean(sl->filled));
		put(w, so, "just_written", json_boolean(sl->just_written));
		push(w, slots, so);
	}
	put(w, o, "slots", slots);
	return o;
}

static json_t *insns_json(struct jw *w, const struct snapshot *s)
{
	json_t *arr = json_array();

	for (int i = 0; i < s->ninsns && i < SNAP_MAX_INSNS; i++) {
		const struct snap_insn *in = &s->insns[i];
		char bytes[2 * sizeof(in->bytes) + 1] = "";
		json_t *o = json_object();

		for (int b = 0; b < in->len && b < (int)sizeof(in->bytes); b++)
			snprintf(bytes + 2 * b, 3, "%02x", in->bytes[b]);
		put(w, o, "addr", hex64(in->addr));
		put(w, o, "bytes", json_string(bytes));
		put(w, o, "att", text(w, in->att));
		put(w, o, "intel", text(w, in->intel));
		put(w, o, "label", text(w, in->label));
		put(w, o, "current", json_boolean(in->current));
		push(w, arr, o);
	}
	return arr;
}

static json_t *questions_json(struct jw *w, const struct snapshot *s)
{
	json_t *arr = json_array();

	for (int i = 0; i < s->nquestions && i < SNAP_MAX_QUESTIONS; i++) {
		const struct snap_question *q = &s->questions[i];
		json_t *o = json_object(), *choices = json_array();

		put(w, o, "text", text(w, q->text));
		put(w, o, "expr", text(w, q->expr));
		put(w, o, "answer", q->answer_known ? hex64(q->answer) : json_null());
		for (int c = 0; c < q->nchoices && c < SNAP_MAX_CHOICES; c++) {
			json_t *co = json_object();

			put(w, co, "label", text(w, q->choice_label[c]));
			put(w, co, "value", hex64(q->choice_value[c]));
			push(w, choices, co);
		}
		put(w, o, "choices", choices);
		char answer[256];
		present_answer(q, answer, sizeof answer);
		put(w, o, "answer_text", text(w, answer));
		put(w, o, "answer_choice", present_answer_choice(q) ? json_integer(present_answer_choice(q)) :
					   json_null());
		push(w, arr, o);
	}
	return arr;
}

static json_t *snapshot_json(struct jw *w, const struct snapshot *s)
{
	json_t *o = json_object();
	unsigned kind = s->kind;

	put(w, o, "index", json_integer(s->index));
	put(w, o, "kind", json_string(kind <= SNAP_USER ? kind_names[kind] : "step"));
	put(w, o, "kind_word", json_string(present_kind_word(s->kind)));
	put(w, o, "syscall", text(w, s->syscall));
	put(w, o, "rip", hex64(s->rip));
	put(w, o, "cpl", json_integer(s->cpl));
	put(w, o, "location", text(w, s->location));
	put(w, o, "source_file", text(w, s->source_file));
	put(w, o, "source_line", json_integer(s->source_line));
	put(w, o, "source_first", json_integer(s->source_text ? s->source_first : 0));
	put(w, o, "source_text", text(w, s->source_text));
	put(w, o, "anchor", text(w, s->anchor));
	put(w, o, "note_title", text(w, s->note_title));
	put(w, o, "note_markdown", text(w, s->note_markdown));
	put(w, o, "note_show", text(w, s->note_show));
	put(w, o, "note_caveats", text(w, s->note_caveats));
	put(w, o, "console", text(w, s->console));
	put(w, o, "regs", regs_json(w, s));
	put(w, o, "msrs", msrs_json(w, s));
	put(w, o, "frame", frame_json(w, &s->frame));
	put(w, o, "insns", insns_json(w, s));
	put(w, o, "questions", questions_json(w, s));
	return o;
}

static json_t *trace_to_json(struct jw *w, const struct trace *t)
{
	json_t *root = json_object(), *kernel = json_object();
	json_t *names = json_array(), *snaps = json_array();

	put(w, root, "format", json_string(TRACE_JSON_FORMAT));
	put(w, root, "version", json_integer(TRACE_JSON_VERSION));
	put(w, root, "syswalk_version", text(w, t->syswalk_version));
	put(w, root, "target", text(w, t->target));
	/* No machine path in a file that is handed out: the image's file name only. */
	put(w, kernel, "path", t->kernel_path ? text(w, present_basename(t->kernel_path)) : json_null());
	put(w, kernel, "build_id", text(w, t->kernel_build_id));
	put(w, root, "kernel", kernel);
	put(w, root, "date", text(w, t->date));
	put(w, root, "syscalls", text(w, t->syscalls));
	char cmd[1024];
	present_command(t->command_line, cmd, sizeof cmd);
	put(w, root, "command_line", t->command_line ? text(w, cmd) : json_null());
	put(w, root, "kernel_files", text(w, t->kernel_files));
	for (int i = 0; i < t->nreg_names && i < SNAP_MAX_REGS; i++)
		push(w, names, text(w, t->reg_names[i]));
	put(w, root, "register_names", names);
	json_t *quiz = json_object();
	put(w, quiz, "asked", json_integer(t->quiz_asked));
	put(w, quiz, "right", json_integer(t->quiz_right));
	put(w, root, "quiz", quiz);
	for (size_t i = 0; i < t->n; i++)
		push(w, snaps, snapshot_json(w, &t->snaps[i]));
	put(w, root, "snapshots", snaps);
	return root;
}

/* Write T as JSON to F. Returns 0 or a negative code with a message in err. ASCII only:
 * a C1 control or a bidi override in a note stays an escape ("\u009b") in the file,
 * so the trace is safe to cat, yet loads back as it was. */
int trace_json_write(FILE *f, const struct trace *t, char *err, size_t errlen)
{
	struct jw w = { .oom = false };
	json_t *root = trace_to_json(&w, t);
	int rc = 0;

	if (w.oom || !root) {
		snprintf(err, errlen, "out of memory while building the JSON trace");
		rc = -ENOMEM;
	} else if (json_dumpf(root, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) < 0 ||
		   fputc('\n', f) == EOF) {
		snprintf(err, errlen, "%s", errno ? strerror(errno) : "write error");
		rc = -EIO;
	}
	json_decref(root);
	return rc;
}
