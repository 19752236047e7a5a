/* disasm.c: capstone decoding, symbolised branch targets and the code-bytes cache. */
#include "disasm.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_WINDOW_SPAN (64u << 10)     /* decode at most this far from a function start */
#define MAX_FIND_SPAN   (1u << 20)      /* largest function searched for a mnemonic */

static int fail(struct disasm *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct disasm *d, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof d->err, fmt, ap);
	va_end(ap);
	return code;
}

int disasm_open(struct disasm *d, disasm_read_fn read, void *read_ctx,
		disasm_symbolize_fn symbolize, void *sym_ctx)
{
	memset(d, 0, sizeof *d);
	d->read = read;
	d->read_ctx = read_ctx;
	d->symbolize = symbolize;
	d->sym_ctx = sym_ctx;
	csh att, intel;
	cs_err e;
	if ((e = cs_open(CS_ARCH_X86, CS_MODE_64, &att)) != CS_ERR_OK)
		return fail(d, -EINVAL, "capstone: %s", cs_strerror(e));
	if ((e = cs_open(CS_ARCH_X86, CS_MODE_64, &intel)) != CS_ERR_OK) {
		cs_close(&att);
		return fail(d, -EINVAL, "capstone: %s", cs_strerror(e));
	}
	d->att = att;
	d->intel = intel;
	/* Detail (operands, groups) only on the AT&T handle: that is where branch targets
	 * and memory operands are read; the Intel handle only renders text. */
	if ((e = cs_option(att, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT)) != CS_ERR_OK
	    || (e = cs_option(att, CS_OPT_DETAIL, CS_OPT_ON)) != CS_ERR_OK) {
		disasm_close(d);
		return fail(d, -EINVAL, "capstone: %s", cs_strerror(e));
	}
	d->cache = calloc(DISASM_CACHE_SLOTS, sizeof *d->cache);
	if (!d->cache) {
		disasm_close(d);
		return fail(d, -ENOMEM, "out of memory for the code cache");
	}
	return 0;
}

void disasm_close(struct disasm *d)
{
	csh h;
	if (d->att) {
		h = d->att;
		cs_close(&h);
	}
	if (d->intel) {
		h = d->intel;
		cs_close(&h);
	}
	d->att = d->intel = 0;
	free(d->cache);
	d->cache = NULL;
}

/* "name+0xoff", "name", or "" when the symboliser does not know ADDR. */
static bool name_of(struct disasm *d, uint64_t addr, char *buf, size_t len)
{
	char name[128];
	uint64_t off = 0;
	if (!d->symbolize || d->symbolize(d->sym_ctx, addr, name, sizeof name, &off) < 0) {
		buf[0] = '\0';
		return false;
	}
	/* A name too long for BUF is cut, which is fine for display. */
	int n = off ? snprintf(buf, len, "%s+0x%" PRIx64, name, off) : snprintf(buf, len, "%s", name);
	return n > 0;
}

static bool in_group(const cs_insn *in, int group)
{
	for (int i = 0; i < in->detail->groups_count; i++)
		if (in->detail->groups[i] == group)
			return true;
	return false;
}

/* The text of one instruction: mnemonic, operands with a direct branch target replaced
 * by its symbol, and a memory operand's symbol as a comment (rip-relative data, or an
 * absolute table address like sys_call_table(,%rax,8)). */
static void render(struct disasm *d, const cs_insn *att, const char *mnemonic, const char *ops,
		   bool is_att, char *out, size_t len)
{
	char sym[128] = "";
	const cs_x86 *x = &att->detail->x86;
	bool branch = in_group(att, X86_GRP_JUMP) || in_group(att, X86_GRP_CALL);
	if (branch && x->op_count == 1 && x->operands[0].type == X86_OP_IMM
	    && name_of(d, (uint64_t)x->operands[0].imm, sym, sizeof sym)) {
		snprintf(out, len, "%s %s", mnemonic, sym);
		return;
	}
	for (int i = 0; i < x->op_count && !sym[0]; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type != X86_OP_MEM || op->mem.segment != X86_REG_INVALID)
			continue;   /* %gs:/%fs: offsets are per-CPU offsets, not addresses */
		if (op->mem.base == X86_REG_RIP)
			name_of(d, att->address + att->size + (uint64_t)op->mem.disp, sym, sizeof sym);
		else if (op->mem.base == X86_REG_INVALID && op->mem.disp < 0)
			name_of(d, (uint64_t)op->mem.disp, sym, sizeof sym);   /* sign-extended kernel address */
	}
	if (sym[0])
		snprintf(out, len, "%s%s%s %s %s", mnemonic, *ops ? " " : "", ops, is_att ? "#" : ";", sym);
	else
		snprintf(out, len, "%s%s%s", mnemonic, *ops ? " " : "", ops);
}

/* Fill OUT from one instruction decoded by the AT&T handle. */
static void fill(struct disasm *d, const cs_insn *in, uint64_t rip, struct disasm_insn *out)
{
	memset(out, 0, sizeof *out);
	out->addr = in->address;
	out->len = (uint8_t)in->size;
	memcpy(out->bytes, in->bytes, in->size < sizeof out->bytes ? in->size : sizeof out->bytes);
	out->current = in->address == rip;
	render(d, in, in->mnemonic, in->op_str, true, out->att, sizeof out->att);
	cs_insn *il = NULL;
	if (cs_disasm(d->intel, in->bytes, in->size, in->address, 1, &il) == 1)
		render(d, in, il[0].mnemonic, il[0].op_str, false, out->intel, sizeof out->intel);
	else
		snprintf(out->intel, sizeof out->intel, "%s", out->att);
	if (il)
		cs_free(il, 1);
	char name[64];
	uint64_t off = 1;
	if (d->symbolize && d->symbolize(d->sym_ctx, in->address, name, sizeof name, &off) == 0 && off == 0)
		snprintf(out->label, sizeof out->label, "%s", name);
}

/* The snapshot's view of IN: same fields, strings pointing into IN. */
struct snap_insn disasm_insn_view(const struct disasm_insn *in)
{
	struct snap_insn view = { .addr = in->addr, .len = in->len, .current = in->current,
				  .att = in->att, .intel = in->intel, .label = in->label };

	memcpy(view.bytes, in->bytes, sizeof view.bytes);
	return view;
}

int disasm_decode(struct disasm *d, const uint8_t *code, size_t len, uint64_t addr,
		  uint64_t rip, struct disasm_insn *out, int max)
{
	if (!d->att)
		return fail(d, -EBADF, "disassembler not open");
	cs_insn *in = cs_malloc(d->att);
	if (!in)
		return fail(d, -ENOMEM, "out of memory decoding");
	int n = 0;
	const uint8_t *p = code;
	size_t left = len;
	uint64_t a = addr;
	while (n < max && cs_disasm_iter(d->att, &p, &left, &a, in))
		fill(d, in, rip, &out[n++]);
	cs_free(in, 1);
	return n;
}

/* Direct-mapped: chunk number modulo the slot count. */
static struct disasm_chunk *slot_for(struct disasm *d, uint64_t chunk_addr)
{
	return &d->cache[(chunk_addr / DISASM_CHUNK) % DISASM_CACHE_SLOTS];
}

long disasm_cache_read(struct disasm *d, uint64_t addr, void *buf, size_t len)
{
	if (!d->cache)
		return fail(d, -EBADF, "disassembler not open");
	uint8_t *dst = buf;
	size_t done = 0;
	while (done < len) {
		uint64_t a = addr + done;
		uint64_t base = a - a % DISASM_CHUNK;
		struct disasm_chunk *c = slot_for(d, base);
		if (c->valid && c->addr == base) {
			d->hits++;
		} else {
			d->misses++;
			if (!d->read || d->read(d->read_ctx, base, c->bytes, DISASM_CHUNK) < 0) {
				c->valid = false;    /* never keep a failed read: it may work later */
				if (done == 0)
					return fail(d, -EFAULT, "cannot read code at 0x%" PRIx64, a);
				return (long)done;
			}
			c->addr = base;
			c->valid = true;
		}
		size_t off = (size_t)(a - base), n = DISASM_CHUNK - off;
		if (n > len - done)
			n = len - done;
		memcpy(dst + done, c->bytes + off, n);
		done += n;
	}
	return (long)done;
}

void disasm_cache_invalidate(struct disasm *d, uint64_t addr, size_t len)
{
	if (!d->cache || len == 0)
		return;
	uint64_t first = addr - addr % DISASM_CHUNK;
	uint64_t last = addr + len - 1;
	for (uint64_t base = first; base <= last && base >= first; base += DISASM_CHUNK) {
		struct disasm_chunk *c = slot_for(d, base);
		if (c->valid && c->addr == base)
			c->valid = false;
	}
}

void disasm_cache_clear(struct disasm *d)
{
	/* Only the flags: a slot's bytes are never read while it is invalid, and wiping
	 * 130 KiB for each clear cost more than the clear is worth. */
	for (size_t i = 0; d->cache && i < DISASM_CACHE_SLOTS; i++)
		d->cache[i].valid = false;
}

void disasm_cache_stats(const struct disasm *d, uint64_t *hits, uint64_t *misses)
{
	if (hits)
		*hits = d->hits;
	if (misses)
		*misses = d->misses;
}

int disasm_decode_at(struct disasm *d, uint64_t addr, uint64_t rip, struct disasm_insn *out, int max)
{
	size_t want = (size_t)(max > 0 ? max : 0) * DISASM_MAX_INSN;
	uint8_t *buf = malloc(want ? want : 1);
	if (!buf)
		return fail(d, -ENOMEM, "out of memory decoding");
	long got = disasm_cache_read(d, addr, buf, want);
	int n = got < 0 ? (int)got : disasm_decode(d, buf, (size_t)got, addr, rip, out, max);
	free(buf);
	return n;
}

/* Where to start so that BEFORE instructions precede RIP: decode from FUNC_START and
 * remember the last BEFORE instruction starts. Returns RIP when that is not possible. */
static uint64_t window_start(struct disasm *d, uint64_t rip, uint64_t func_start, int before)
{
	if (!func_start || func_start > rip || rip - func_start > MAX_WINDOW_SPAN || before <= 0)
		return rip;
	size_t span = (size_t)(rip - func_start);
	uint8_t *buf = malloc(span ? span : 1);
	uint64_t *ring = calloc((size_t)before, sizeof *ring);
	cs_insn *in = cs_malloc(d->att);
	uint64_t start = rip;
	if (buf && ring && in && disasm_cache_read(d, func_start, buf, span) == (long)span) {
		const uint8_t *p = buf;
		size_t left = span;
		uint64_t a = func_start;
		int count = 0;
		while (a < rip && cs_disasm_iter(d->att, &p, &left, &a, in))
			ring[count++ % before] = in->address;
		/* Landing exactly on RIP proves we decoded on instruction boundaries. */
		if (a == rip && count > 0)
			start = count < before ? ring[0] : ring[count % before];
	}
	if (in)
		cs_free(in, 1);
	free(ring);
	free(buf);
	return start;
}

int disasm_window(struct disasm *d, uint64_t rip, uint64_t func_start, int before, int after,
		  struct disasm_insn *out, int max)
{
	if (!d->att)
		return fail(d, -EBADF, "disassembler not open");
	uint64_t start = window_start(d, rip, func_start, before);
	size_t span = (size_t)(rip - start) + (size_t)(after + 1) * DISASM_MAX_INSN;
	uint8_t *buf = malloc(span);
	if (!buf)
		return fail(d, -ENOMEM, "out of memory decoding");
	long got = disasm_cache_read(d, start, buf, span);
	int n = got;
	if (got >= 0) {
		int want = (int)(rip > start ? before : 0) + 1 + after;
		/* Count the instructions before RIP exactly: there may be fewer than BEFORE. */
		n = disasm_decode(d, buf, (size_t)got, start, rip, out, want < max ? want : max);
		int at = -1;
		for (int i = 0; i < n; i++)
			if (out[i].current)
				at = i;
		if (at >= 0 && n > at + 1 + after)
			n = at + 1 + after;
	}
	free(buf);
	return n;
}

static bool mnemonic_matches(const char *want, const char *att, const char *intel)
{
	size_t wl = strlen(want), al = strlen(att);
	if (!strcasecmp(want, att) || (intel && !strcasecmp(want, intel)))
		return true;
	/* AT&T adds a size suffix (callq, pushq, movl): accept the bare mnemonic too. */
	return al == wl + 1 && strchr("bwlq", att[al - 1]) && !strncasecmp(want, att, wl);
}

/* Whether the operand text OPS contains WANT, ignoring spaces and case (the anchor
 * "mov:%rsp,%rdi" finds "movq %rsp, %rdi"). */
static bool operands_match(const char *want, const char *ops)
{
	char packed[160];
	size_t n = 0;
	for (const char *p = ops; *p && n + 1 < sizeof packed; p++)
		if (*p != ' ')
			packed[n++] = *p;
	packed[n] = '\0';
	return strcasestr(packed, want) != NULL;
}

/* The direct target of a call or jmp (not a conditional jump), or 0. */
static uint64_t branch_target(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	bool call = in_group(in, X86_GRP_CALL);
	bool jmp = in->id == X86_INS_JMP;
	if ((!call && !jmp) || x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return 0;
	return (uint64_t)x->operands[0].imm;
}

static bool pattern_matches(const struct disasm_pattern *pat, const cs_insn *in, const char *intel)
{
	if (pat->branch)
		return branch_target(in) == pat->target && pat->target != 0;
	return mnemonic_matches(pat->mnemonic, in->mnemonic, intel) &&
	       (!pat->operands || operands_match(pat->operands, in->op_str));
}

/* "call or jmp to 0x...", or "movq %rsp,%rdi"-like words for messages. */
static void pattern_words(const struct disasm_pattern *pat, char *buf, size_t len)
{
	if (pat->branch)
		snprintf(buf, len, "call or jmp to 0x%" PRIx64, pat->target);
	else
		snprintf(buf, len, "\"%s%s%s\"", pat->mnemonic, pat->operands ? " " : "",
			 pat->operands ? pat->operands : "");
}

int disasm_find(struct disasm *d, uint64_t start, uint64_t size, const struct disasm_pattern *pat,
		int nth, uint64_t *addr)
{
	char what[200];
	if (!d->att)
		return fail(d, -EBADF, "disassembler not open");
	if (nth < 1)
		return fail(d, -EINVAL, "instruction number must be 1 or more, not %d", nth);
	if (size == 0 || size > MAX_FIND_SPAN)
		return fail(d, -EINVAL, "function size %" PRIu64 " is not searchable (0 or over %u bytes)",
			    size, MAX_FIND_SPAN);
	pattern_words(pat, what, sizeof what);
	uint8_t *buf = malloc((size_t)size);
	cs_insn *in = cs_malloc(d->att);
	cs_insn *il = cs_malloc(d->intel);
	int rc = -ENOMEM, seen = 0;
	if (!buf || !in || !il) {
		fail(d, rc, "out of memory searching for %s", what);
		goto out;
	}
	long got = disasm_cache_read(d, start, buf, (size_t)size);
	if (got < 0) {
		rc = (int)got;
		goto out;
	}
	const uint8_t *p = buf;
	size_t left = (size_t)got;
	uint64_t a = start;
	rc = -ENOENT;
	while (left > 0) {
		if (!cs_disasm_iter(d->att, &p, &left, &a, in)) {
			if ((size_t)got < size || left >= DISASM_MAX_INSN)
				rc = fail(d, -EILSEQ, "bytes at 0x%" PRIx64 " are not an instruction "
					  "(or unreadable) before %s #%d was found", a, what, nth);
			break;
		}
		const uint8_t *ip = in->bytes;
		size_t ileft = in->size;
		uint64_t ia = in->address;
		const char *intel = cs_disasm_iter(d->intel, &ip, &ileft, &ia, il) ? il->mnemonic : NULL;
		if (pattern_matches(pat, in, intel) && ++seen == nth) {
			*addr = in->address;
			break;
		}
	}
	if (rc == -ENOENT) {
		rc = seen;
		if (seen < nth)
			fail(d, -ENOENT, "only %d %s instruction%s in the %" PRIu64 " bytes at 0x%" PRIx64
			     ", not %d", seen, what, seen == 1 ? "" : "s", size, start, nth);
	}
out:
	if (in)
		cs_free(in, 1);
	if (il)
		cs_free(il, 1);
	free(buf);
	return rc;
}

int disasm_find_mnemonic(struct disasm *d, uint64_t start, uint64_t size, const char *mnemonic,
			 int nth, uint64_t *addr)
{
	struct disasm_pattern pat = { .mnemonic = mnemonic };
	return disasm_find(d, start, size, &pat, nth, addr);
}

const char *disasm_error(const struct disasm *d)
{
	return d->err;
}
