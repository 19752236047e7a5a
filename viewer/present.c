/* present.c: how a stop is shown, for every output (see present.h). */
#include "present.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const gp_names[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags",
};
static const char *const sel_names[] = { "cs", "ss", "ds", "es", "fs", "gs" };
static const char *const sys_names[] = {
	"fs_base", "gs_base", "k_gs_base", "cr0", "cr2", "cr3", "cr4", "cr8", "efer",
};

const struct present_group present_groups[PRESENT_GROUP_COUNT] = {
	{ "general", gp_names, (int)(sizeof gp_names / sizeof gp_names[0]), 3, 16 },
	{ "segment", sel_names, (int)(sizeof sel_names / sizeof sel_names[0]), 2, 4 },
	{ "system", sys_names, (int)(sizeof sys_names / sizeof sys_names[0]), 9, 16 },
	{ "other", NULL, 0, 9, 16 },
};

const struct snap_reg *present_reg(const struct snapshot *s, const char *name)
{
	for (int i = 0; i < s->nregs && i < SNAP_MAX_REGS; i++)
		if (strncasecmp(s->regs[i].name, name, SNAP_NAME_LEN) == 0)
			return &s->regs[i];
	if (strcasecmp(name, "rflags") == 0)
		return present_reg(s, "eflags");
	return NULL;
}

/* Whether some named group holds the register called NAME. */
static bool in_named_group(const char *name)
{
	for (int g = 0; g < PRESENT_GROUP_COUNT; g++)
		for (int i = 0; i < present_groups[g].n; i++)
			if (strcasecmp(present_groups[g].names[i], name) == 0)
				return true;
	return false;
}

int present_group_regs(const struct snapshot *s, const struct present_group *g,
		       const struct snap_reg **out)
{
	int n = 0;

	if (!g->names) {
		for (int i = 0; i < s->nregs && i < SNAP_MAX_REGS; i++)
			if (!in_named_group(s->regs[i].name))
				out[n++] = &s->regs[i];
		return n;
	}
	for (int i = 0; i < g->n; i++) {
		const struct snap_reg *r = present_reg(s, g->names[i]);
		if (r)
			out[n++] = r;
	}
	return n;
}

void present_hex(char *buf, size_t cap, uint64_t v, unsigned bits)
{
	int digits = bits >= 64 || bits == 0 ? 16 : (int)(bits + 3) / 4;

	snprintf(buf, cap, "0x%0*" PRIx64, digits, v);
}

/* Append WORD to BUF with a separating space. */
static void append_word(char *buf, size_t cap, const char *word)
{
	size_t len = strlen(buf);

	if (len < cap)
		snprintf(buf + len, cap - len, "%s%s", len ? " " : "", word);
}

void present_flags_names(uint64_t flags, bool with_iopl, char *buf, size_t cap)
{
	static const struct { int bit; const char *name; } names[] = {
		{ 0, "CF" }, { 2, "PF" }, { 4, "AF" }, { 6, "ZF" }, { 7, "SF" },
		{ 8, "TF" }, { 9, "IF" }, { 10, "DF" }, { 11, "OF" }, { 14, "NT" },
		{ 16, "RF" }, { 17, "VM" }, { 18, "AC" }, { 19, "VIF" }, { 20, "VIP" },
		{ 21, "ID" },
	};
	unsigned iopl = (unsigned)(flags >> 12) & 3;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].bit == 14 && iopl) {
			char tmp[16];

			snprintf(tmp, sizeof tmp, with_iopl ? "IOPL=%u" : "IOPL", iopl);
			append_word(buf, cap, tmp);
		}
		if (flags & (1ull << names[i].bit))
			append_word(buf, cap, names[i].name);
	}
}

void present_efer_names(uint64_t efer, char *buf, size_t cap)
{
	static const struct { int bit; const char *name; } names[] = {
		{ 0, "SCE" }, { 8, "LME" }, { 10, "LMA" }, { 11, "NXE" },
	};

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (efer & (1ull << names[i].bit))
			append_word(buf, cap, names[i].name);
}

const char *present_msr_show_name(enum snap_msr_id id)
{
	static const char *const names[SNAP_MSR_COUNT] = {
		[SNAP_MSR_LSTAR] = "msr.lstar", [SNAP_MSR_STAR] = "msr.star",
		[SNAP_MSR_FMASK] = "msr.fmask", [SNAP_MSR_EFER] = "msr.efer",
		[SNAP_MSR_GS_BASE] = "msr.gs_base", [SNAP_MSR_KERNEL_GS_BASE] = "msr.kernel_gs_base",
		[SNAP_MSR_CSTAR] = "msr.cstar",
	};

	return (unsigned)id < SNAP_MSR_COUNT ? names[id] : "";
}

const char *present_msr_source(enum snap_msr_source src)
{
	return src == SNAP_MSR_LIVE ? "read at this stop" :
	       src == SNAP_MSR_CARRIED ? "carried from the last kernel stop" : "not read yet";
}

/* The symbol at ADDR if the stop knows one: an instruction label, or its own location. */
static bool symbol_at(const struct snapshot *s, uint64_t addr, char *buf, size_t cap)
{
	for (int i = 0; i < s->ninsns && i < SNAP_MAX_INSNS; i++)
		if (s->insns[i].addr == addr && s->insns[i].label && s->insns[i].label[0]) {
			snprintf(buf, cap, "%s", s->insns[i].label);
			return true;
		}
	if (s->rip == addr && s->location[0]) {
		snprintf(buf, cap, "%.*s", (int)strcspn(s->location, "+"), s->location);
		return true;
	}
	return false;
}

int present_msr_decode(const struct snapshot *s, enum snap_msr_id id, char lines[][64], int max)
{
	const struct snap_msr *m = &s->msrs[id];
	char names[128], sym[56];
	int n = 0;

	if ((unsigned)id >= SNAP_MSR_COUNT || m->source == SNAP_MSR_UNKNOWN || max <= 0)
		return 0;
	switch (id) {
	case SNAP_MSR_LSTAR:
		if (symbol_at(s, m->value, sym, sizeof sym))
			snprintf(lines[n++], 64, "= %s", sym);
		break;
	case SNAP_MSR_STAR: {
		/* SDM, SYSCALL: CS = STAR[47:32] & ~3, SS = that + 8.
		 * SYSRET to 64-bit: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8, both RPL 3. */
		unsigned k = (unsigned)(m->value >> 32) & 0xffff, u = (unsigned)(m->value >> 48) & 0xffff;

		snprintf(lines[n++], 64, "syscall: CS %04x SS %04x", k & 0xfffc, (k + 8) & 0xffff);
		if (n < max)
			snprintf(lines[n++], 64, "sysret:  CS %04x SS %04x",
				 ((u + 16) | 3) & 0xffff, ((u + 8) | 3) & 0xffff);
		break;
	}
	case SNAP_MSR_FMASK:
		present_flags_names(m->value, false, names, sizeof names);
		snprintf(lines[n++], 64, "clears: %.55s", names[0] ? names : "nothing");
		break;
	case SNAP_MSR_EFER:
		present_efer_names(m->value, names, sizeof names);
		snprintf(lines[n++], 64, "bits: %.57s", names[0] ? names : "none");
		break;
	default:
		break;
	}
	return n;
}

const char *present_kind_word(enum snap_kind k)
{
	return k == SNAP_ANCHOR ? "annotated stop" : k == SNAP_USER ? "user mode" : "single step";
}

const char *present_kind_short(enum snap_kind k)
{
	return k == SNAP_ANCHOR ? "stop" : k == SNAP_USER ? "user" : "step";
}

const char *present_kind_class(enum snap_kind k)
{
	return k == SNAP_ANCHOR ? "anchor" : k == SNAP_USER ? "user" : "step";
}

char *present_show_canonical(const char *name, size_t len, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; i < len && i + 1 < cap; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
	/* The notes may say rflags (the architecture's name); QEMU's target.xml says eflags. */
	if (strcmp(buf, "rflags") == 0)
		snprintf(buf, cap, "eflags");
	return buf;
}

bool present_mentions(const char *text, const char *name)
{
	static const char ident[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.";
	char want[48], word[48];

	present_show_canonical(name, strlen(name), want, sizeof want);
	for (const char *p = text; p && *p;) {
		size_t len = strspn(p, ident);
		if (len && strcmp(present_show_canonical(p, len, word, sizeof word), want) == 0)
			return true;
		p += len ? len : 1;
	}
	return false;
}

bool present_shown(const struct snapshot *s, const char *name)
{
	return present_mentions(s->note_show, name);
}

int present_frame_order(const struct snap_frame *f, int *order)
{
	int n = f->nslots < SNAP_MAX_SLOTS ? f->nslots : SNAP_MAX_SLOTS;

	/* Insertion sort by descending offset: a frame loaded from a file is in any order. */
	for (int i = 0; i < n; i++) {
		int j = i;

		for (; j > 0 && f->slots[order[j - 1]].offset < f->slots[i].offset; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	return n;
}

void present_bytes(const struct snap_insn *in, char *buf, size_t cap)
{
	size_t used = 0;

	if (cap)
		buf[0] = '\0';
	for (int b = 0; b < in->len && b < (int)sizeof in->bytes && used + 4 <= cap; b++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%02x", b ? " " : "", in->bytes[b]);
}

int present_answer_choice(const struct snap_question *q)
{
	for (int i = 0; q->answer_known && i < q->nchoices && i < SNAP_MAX_CHOICES; i++)
		if (q->choice_value[i] == q->answer)
			return i + 1;
	return 0;
}

void present_answer(const struct snap_question *q, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	if (!q->answer_known) {
		snprintf(buf, cap, "unknown at this stop");
		return;
	}
	for (int i = 0; i < q->nchoices && i < SNAP_MAX_CHOICES && used < cap; i++)
		if (q->choice_value[i] == q->answer)
			used += (size_t)snprintf(buf + used, cap - used, "%s(%d) %s", used ? ", " : "",
						 i + 1, q->choice_label[i]);
	if (used >= cap)
		return;
	if (used)
		used += (size_t)snprintf(buf + used, cap - used, ": ");
	if (used >= cap)
		return;
	if ((int64_t)q->answer < 0 && (int64_t)q->answer > -0x10000)
		snprintf(buf + used, cap - used, "0x%" PRIx64 " = %" PRId64, q->answer, (int64_t)q->answer);
	else
		snprintf(buf + used, cap - used, "0x%" PRIx64, q->answer);
}

const char *present_caveat_mark(bool utf8)
{
	return utf8 ? "\u26a0 " : "! ";
}

bool present_caveat_line(const char *caveats, int i, bool utf8, char *buf, size_t cap)
{
	const char *p = caveats;

	for (; p && *p && i > 0; i--) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p || !*p)
		return false;
	snprintf(buf, cap, "%sWarning: %.*s", present_caveat_mark(utf8), (int)strcspn(p, "\n"), p);
	return true;
}

const char *present_basename(const char *path)
{
	const char *slash;

	if (!path)
		return "";
	slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

void present_command(const char *cmd, char *buf, size_t cap)
{
	size_t used = 0;

	if (!cap)
		return;
	buf[0] = '\0';
	while (cmd && *cmd && used + 1 < cap) {
		size_t len = strcspn(cmd, " ");
		const char *word = cmd, *eq = memchr(word, '=', len);
		const char *val = eq && word[0] == '-' ? eq + 1 : word;
		const char *slash = NULL;

		for (const char *p = val; p < word + len; p++)
			if (*p == '/' && p + 1 < word + len)
				slash = p;
		if (slash)
			used += (size_t)snprintf(buf + used, cap - used, "%s%.*s%.*s", used ? " " : "",
						 (int)(val - word), word, (int)(word + len - slash - 1), slash + 1);
		else if (len)
			used += (size_t)snprintf(buf + used, cap - used, "%s%.*s", used ? " " : "",
						 (int)len, word);
		cmd += len;
		cmd += strspn(cmd, " ");
	}
}
