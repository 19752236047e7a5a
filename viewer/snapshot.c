/* snapshot.c: the small amount of behaviour a step snapshot has: look-ups by name,
 * deep copy, release, and comparison.
 *
 * A snapshot is mostly plain data in fixed-size arrays, so it can be copied with
 * one assignment; the note/console strings, the questions and the instructions'
 * text live on the heap and need the care below. The instructions' strings share
 * one block per snapshot, so copying the block moves them all: each pointer is
 * rebuilt from its offset. Comparison is field by field rather than memcmp: padding
 * bytes and the unused tails of the fixed arrays are not part of the state.
 */
#include "snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const msr_names[SNAP_MSR_COUNT] = {
	[SNAP_MSR_LSTAR] = "LSTAR",
	[SNAP_MSR_STAR] = "STAR",
	[SNAP_MSR_FMASK] = "FMASK",
	[SNAP_MSR_EFER] = "EFER",
	[SNAP_MSR_GS_BASE] = "GS_BASE",
	[SNAP_MSR_KERNEL_GS_BASE] = "KERNEL_GS_BASE",
	[SNAP_MSR_CSTAR] = "CSTAR",
};

/* Names of the MSRs as shown ("LSTAR", "STAR", "FMASK", ...). */
const char *snapshot_msr_name(enum snap_msr_id id)
{
	if ((unsigned)id >= SNAP_MSR_COUNT)
		return "?";
	return msr_names[id];
}

/* The register called NAME, or NULL. */
const struct snap_reg *snapshot_reg(const struct snapshot *s, const char *name)
{
	for (int i = 0; i < s->nregs && i < SNAP_MAX_REGS; i++)
		if (strcmp(s->regs[i].name, name) == 0)
			return &s->regs[i];
	return NULL;
}

/* Value of register NAME into *out; returns false when the snapshot has no such register. */
bool snapshot_reg_value(const struct snapshot *s, const char *name, uint64_t *out)
{
	const struct snap_reg *r = snapshot_reg(s, name);

	if (!r)
		return false;
	*out = r->value;
	return true;
}

/* The pt_regs slot called NAME, or NULL (also when the frame is not valid). */
const struct snap_slot *snapshot_slot(const struct snapshot *s, const char *name)
{
	if (!s->frame.valid)
		return NULL;
	for (int i = 0; i < s->frame.nslots && i < SNAP_MAX_SLOTS; i++)
		if (strcmp(s->frame.slots[i].name, name) == 0)
			return &s->frame.slots[i];
	return NULL;
}

/* Offsets of the three strings of instruction I inside the text block. */
struct insn_text_offsets {
	size_t att, intel, label;
};

static struct insn_text_offsets insn_offsets(const struct snapshot *s, int i)
{
	const struct snap_insn *in = &s->insns[i];

	return (struct insn_text_offsets){ (size_t)(in->att - s->insn_text),
					   (size_t)(in->intel - s->insn_text),
					   (size_t)(in->label - s->insn_text) };
}

static void point_insn_at(struct snapshot *s, int i, struct insn_text_offsets o)
{
	s->insns[i].att = s->insn_text + o.att;
	s->insns[i].intel = s->insn_text + o.intel;
	s->insns[i].label = s->insn_text + o.label;
}

/* Make room for NEED more bytes of text. realloc may move the block, so the
 * pointers of the instructions already added are rebuilt from their offsets, taken
 * while the old block is still valid. */
static int reserve_insn_text(struct snapshot *s, size_t need)
{
	struct insn_text_offsets offsets[SNAP_MAX_INSNS];
	size_t cap = s->insn_text_cap ? s->insn_text_cap : 1024;
	char *grown;

	if (s->insn_text_used + need <= s->insn_text_cap)
		return 0;
	while (cap < s->insn_text_used + need)
		cap *= 2;
	for (int i = 0; i < s->ninsns; i++)
		offsets[i] = insn_offsets(s, i);
	grown = realloc(s->insn_text, cap);
	if (!grown)
		return -ENOMEM;
	s->insn_text = grown;
	s->insn_text_cap = cap;
	for (int i = 0; i < s->ninsns; i++)
		point_insn_at(s, i, offsets[i]);
	return 0;
}

/* Copy TEXT to the end of the block (room was reserved); returns its offset. */
static size_t put_text(struct snapshot *s, const char *text)
{
	size_t at = s->insn_text_used, len = strlen(text) + 1;

	memcpy(s->insn_text + at, text, len);
	s->insn_text_used += len;
	return at;
}

/* Append an instruction to the window: IN's fields are copied, its three strings
 * (NULL counts as "") into the snapshot's own storage. Returns 0, -ENOMEM, or -E2BIG
 * past SNAP_MAX_INSNS. */
int snapshot_add_insn(struct snapshot *s, const struct snap_insn *in)
{
	const char *att = in->att ? in->att : "", *intel = in->intel ? in->intel : "";
	const char *label = in->label ? in->label : "";
	struct insn_text_offsets o;

	if (s->ninsns < 0 || s->ninsns >= SNAP_MAX_INSNS)
		return -E2BIG;
	if (reserve_insn_text(s, strlen(att) + strlen(intel) + strlen(label) + 3) < 0)
		return -ENOMEM;
	o.att = put_text(s, att);
	o.intel = put_text(s, intel);
	o.label = put_text(s, label);
	s->insns[s->ninsns] = *in;
	point_insn_at(s, s->ninsns, o);
	s->ninsns++;
	return 0;
}

/* Empty the instruction window (its storage is kept for the next snapshot_add_insn). */
void snapshot_clear_insns(struct snapshot *s)
{
	s->ninsns = 0;
	s->insn_text_used = 0;
}

/* A new, zeroed question at the end of the snapshot's list, or NULL when memory runs
 * out or SNAP_MAX_QUESTIONS are there already. */
struct snap_question *snapshot_add_question(struct snapshot *s)
{
	struct snap_question *grown;

	if (s->nquestions < 0 || s->nquestions >= SNAP_MAX_QUESTIONS)
		return NULL;
	grown = realloc(s->questions, (size_t)(s->nquestions + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	s->questions = grown;
	memset(&grown[s->nquestions], 0, sizeof(*grown));
	return &grown[s->nquestions++];
}

/* strdup that keeps NULL as NULL; *ok turns false when memory runs out. */
static char *dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

/* A heap copy of LEN bytes at SRC (NULL stays NULL); *ok turns false when memory runs out. */
static void *dup_block(const void *src, size_t len, bool *ok)
{
	void *d;

	if (!src || len == 0)
		return NULL;
	d = malloc(len);
	if (!d)
		*ok = false;
	else
		memcpy(d, src, len);
	return d;
}

/* Deep copy (heap strings duplicated); returns 0 or -ENOMEM. */
int snapshot_copy(struct snapshot *dst, const struct snapshot *src)
{
	bool ok = true;

	*dst = *src;
	dst->anchor = dup_or_null(src->anchor, &ok);
	dst->note_title = dup_or_null(src->note_title, &ok);
	dst->note_markdown = dup_or_null(src->note_markdown, &ok);
	dst->note_show = dup_or_null(src->note_show, &ok);
	dst->note_caveats = dup_or_null(src->note_caveats, &ok);
	dst->console = dup_or_null(src->console, &ok);
	dst->source_text = dup_or_null(src->source_text, &ok);
	dst->questions = dup_block(src->questions, (size_t)src->nquestions * sizeof(*src->questions), &ok);
	/* Only the used part of the text block is kept: a copy in the history never grows. */
	dst->insn_text = dup_block(src->insn_text, src->insn_text_used, &ok);
	dst->insn_text_cap = dst->insn_text ? src->insn_text_used : 0;
	if (!ok) {
		dst->ninsns = 0;  /* its strings were not copied: nothing may point into src */
		snapshot_free(dst);
		return -ENOMEM;
	}
	for (int i = 0; i < src->ninsns; i++)
		point_insn_at(dst, i, insn_offsets(src, i));
	return 0;
}

/* Release what the snapshot owns on the heap and empty its instruction and question
 * lists; the struct itself is the caller's. */
void snapshot_free(struct snapshot *s)
{
	free(s->anchor);
	free(s->note_title);
	free(s->note_markdown);
	free(s->note_show);
	free(s->note_caveats);
	free(s->console);
	free(s->source_text);
	s->source_text = NULL;
	free(s->questions);
	free(s->insn_text);
	s->anchor = s->note_title = s->note_markdown = s->note_show = s->note_caveats = s->console = NULL;
	s->questions = NULL;
	s->nquestions = 0;
	s->insn_text = NULL;
	s->insn_text_used = s->insn_text_cap = 0;
	s->ninsns = 0;
}

/* Two optional heap strings: absent equals only absent. */
static bool opt_str_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Fixed-size text fields compare up to their terminator (or their size). */
#define FIELD_EQ(a, b, f) (strncmp((a)->f, (b)->f, sizeof((a)->f)) == 0)

static bool reg_equal(const struct snap_reg *a, const struct snap_reg *b)
{
	return FIELD_EQ(a, b, name) && a->value == b->value && a->bits == b->bits &&
	       a->changed == b->changed;
}

static bool slot_equal(const struct snap_slot *a, const struct snap_slot *b)
{
	return FIELD_EQ(a, b, name) && a->offset == b->offset && a->value == b->value &&
	       a->filled == b->filled && a->just_written == b->just_written;
}

static bool frame_equal(const struct snap_frame *a, const struct snap_frame *b)
{
	if (a->valid != b->valid || a->base != b->base || a->size != b->size ||
	    !FIELD_EQ(a, b, layout_source) || a->nslots != b->nslots)
		return false;
	for (int i = 0; i < a->nslots && i < SNAP_MAX_SLOTS; i++)
		if (!slot_equal(&a->slots[i], &b->slots[i]))
			return false;
	return true;
}

static bool insn_equal(const struct snap_insn *a, const struct snap_insn *b)
{
	size_t len = a->len < sizeof(a->bytes) ? a->len : sizeof(a->bytes);

	return a->addr == b->addr && a->len == b->len && memcmp(a->bytes, b->bytes, len) == 0 &&
	       strcmp(a->att, b->att) == 0 && strcmp(a->intel, b->intel) == 0 &&
	       strcmp(a->label, b->label) == 0 &&
	       a->current == b->current;
}

static bool question_equal(const struct snap_question *a, const struct snap_question *b)
{
	if (!FIELD_EQ(a, b, text) || !FIELD_EQ(a, b, expr) || a->answer_known != b->answer_known ||
	    a->answer != b->answer || a->nchoices != b->nchoices)
		return false;
	for (int i = 0; i < a->nchoices && i < SNAP_MAX_CHOICES; i++)
		if (!FIELD_EQ(a, b, choice_label[i]) || a->choice_value[i] != b->choice_value[i])
			return false;
	return true;
}

/* Whether two snapshots hold the same state (used by the back/forward test). */
bool snapshot_equal(const struct snapshot *a, const struct snapshot *b)
{
	if (a->index != b->index || a->kind != b->kind || !FIELD_EQ(a, b, syscall) ||
	    a->rip != b->rip || a->cpl != b->cpl)
		return false;

	if (a->nregs != b->nregs)
		return false;
	for (int i = 0; i < a->nregs && i < SNAP_MAX_REGS; i++)
		if (!reg_equal(&a->regs[i], &b->regs[i]))
			return false;

	for (int i = 0; i < SNAP_MSR_COUNT; i++)
		if (a->msrs[i].value != b->msrs[i].value || a->msrs[i].source != b->msrs[i].source)
			return false;

	if (!frame_equal(&a->frame, &b->frame))
		return false;

	if (a->ninsns != b->ninsns)
		return false;
	for (int i = 0; i < a->ninsns && i < SNAP_MAX_INSNS; i++)
		if (!insn_equal(&a->insns[i], &b->insns[i]))
			return false;

	if (a->nquestions != b->nquestions)
		return false;
	for (int i = 0; i < a->nquestions && i < SNAP_MAX_QUESTIONS; i++)
		if (!question_equal(&a->questions[i], &b->questions[i]))
			return false;

	return FIELD_EQ(a, b, location) && FIELD_EQ(a, b, source_file) &&
	       a->source_line == b->source_line && opt_str_equal(a->anchor, b->anchor) &&
	       opt_str_equal(a->note_title, b->note_title) &&
	       opt_str_equal(a->note_markdown, b->note_markdown) &&
	       opt_str_equal(a->note_show, b->note_show) && opt_str_equal(a->note_caveats, b->note_caveats) &&
	       opt_str_equal(a->console, b->console) &&
	       a->source_first == b->source_first && opt_str_equal(a->source_text, b->source_text);
}
