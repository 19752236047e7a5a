/* target_parse.c: stop replies and 'g' packets, decoded without trusting the stub.
 *
 * Both inputs come straight off the wire; lengths are always explicit (a payload
 * may contain NUL after escaping), and every field is range-checked before use.
 */
#include "target_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "rsp_codec.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return TARGET_PARSE_ERR;
}

uint64_t target_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}

/* Hex number of 1 to 16 digits in P[0..N). */
static int parse_hex(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int d = rsp_hex_digit((unsigned char)p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* Thread ids: "TID" or "pPID.TID", each hex or "-1" (all) or "0" (any). */
static int parse_id(const char *p, size_t n, long *out)
{
	uint64_t v;

	if (n == 2 && p[0] == '-' && p[1] == '1') {
		*out = -1;
		return 0;
	}
	if (parse_hex(p, n, &v) < 0 || v > 0x7fffffff)
		return -1;
	*out = (long)v;
	return 0;
}

static int parse_thread(const char *p, size_t n, struct target_stop *st)
{
	if (n > 0 && p[0] == 'p') {
		const char *dot = memchr(p, '.', n);
		if (!dot) {
			st->tid = -1;
			return parse_id(p + 1, n - 1, &st->pid);
		}
		if (parse_id(p + 1, (size_t)(dot - p - 1), &st->pid) < 0)
			return -1;
		return parse_id(dot + 1, (size_t)(p + n - dot - 1), &st->tid);
	}
	st->pid = -1;
	return parse_id(p, n, &st->tid);
}

/* The "key:value;" pairs after "TAA". */
static int parse_pairs(const char *p, size_t len, struct target_stop *st, char *err, size_t errlen)
{
	size_t i = 0;

	while (i < len) {
		const char *semi = memchr(p + i, ';', len - i);
		size_t end = semi ? (size_t)(semi - p) : len;
		const char *colon = memchr(p + i, ':', end - i);
		if (!colon)
			return fail(err, errlen, "stop reply field at offset %zu has no ':'", i + 3);
		const char *key = p + i;
		size_t klen = (size_t)(colon - key);
		const char *val = colon + 1;
		size_t vlen = (size_t)(p + end - val);
		uint64_t v;

		if (klen == 6 && memcmp(key, "thread", 6) == 0) {
			if (parse_thread(val, vlen, st) < 0)
				return fail(err, errlen, "bad thread id '%.*s' in stop reply",
					    (int)(vlen < 32 ? vlen : 32), val);
			st->has_thread = true;
		} else if (klen == 7 && memcmp(key, "swbreak", 7) == 0) {
			st->swbreak = true;
		} else if (klen == 7 && memcmp(key, "hwbreak", 7) == 0) {
			st->hwbreak = true;
		} else if ((klen == 5 && memcmp(key, "watch", 5) == 0) ||
			   (klen == 6 && (memcmp(key, "rwatch", 6) == 0 || memcmp(key, "awatch", 6) == 0))) {
			if (parse_hex(val, vlen, &v) < 0)
				return fail(err, errlen, "bad watchpoint address '%.*s' in stop reply",
					    (int)(vlen < 32 ? vlen : 32), val);
			st->watch = true;
			st->watch_addr = v;
		} else if (parse_hex(key, klen, &v) == 0) {
			/* "NN:bytes": a register value the stub volunteered. */
			for (size_t k = 0; k < vlen; k++)
				if (rsp_hex_digit((unsigned char)val[k]) < 0 && val[k] != 'x')
					return fail(err, errlen, "register %.*s in stop reply has non-hex value",
						    (int)(klen < 8 ? klen : 8), key);
			st->nregs++;
		}
		/* Other keys (core, library, fork, ...) carry nothing syswalk uses. */
		i = end + 1;
	}
	return 0;
}

int target_stop_parse(const char *p, size_t len, struct target_stop *st, char *err, size_t errlen)
{
	uint64_t code;

	memset(st, 0, sizeof(*st));
	st->pid = st->tid = -1;
	if (len == 0)
		return fail(err, errlen, "empty stop reply");
	if (len >= 1 && p[0] == 'E')
		return fail(err, errlen, "stub answered with error '%.*s' instead of a stop reply",
			    (int)(len < 8 ? len : 8), p);
	if (!strchr("TSWX", p[0]) || p[0] == '\0')
		return fail(err, errlen, "not a stop reply: starts with 0x%02x", (unsigned char)p[0]);
	if (len < 3 || parse_hex(p + 1, 2, &code) < 0)
		return fail(err, errlen, "stop reply '%c' needs two hex digits after it", p[0]);
	switch (p[0]) {
	case 'S':
		st->kind = TARGET_STOP_SIGNAL;
		st->signal = (int)code;
		if (len != 3)
			return fail(err, errlen, "'S' stop reply has %zu extra bytes", len - 3);
		return 0;
	case 'T':
		st->kind = TARGET_STOP_SIGNAL;
		st->signal = (int)code;
		return parse_pairs(p + 3, len - 3, st, err, errlen);
	default:
		st->kind = p[0] == 'W' ? TARGET_STOP_EXITED : TARGET_STOP_KILLED;
		if (p[0] == 'W')
			st->exit_status = (int)code;
		else
			st->signal = (int)code;
		if (len > 3) {
			if (p[3] != ';')
				return fail(err, errlen, "'%c' stop reply: expected ';' at offset 3", p[0]);
			if (len < 12 || memcmp(p + 4, "process:", 8) != 0 ||
			    parse_id(p + 12, len - 12, &st->pid) < 0)
				return fail(err, errlen, "'%c' stop reply: bad ';process:PID' suffix", p[0]);
		}
		return 0;
	}
}

int target_regs_decode(const struct target_regmap *map, const char *hex, size_t len,
		       struct target_regs *out, char *err, size_t errlen)
{
	size_t want = map->g_size;

	memset(out, 0, sizeof(*out));
	if (want > sizeof(out->raw))
		return fail(err, errlen, "register map needs %zu bytes, more than the %zu supported",
			    want, sizeof(out->raw));
	if (len == 3 && hex[0] == 'E')
		return fail(err, errlen, "stub answered 'g' with error %.3s", hex);
	if (len % 2 != 0)
		return fail(err, errlen, "'g' answer has an odd length (%zu hex digits)", len);
	if (len / 2 > want)
		return fail(err, errlen, "'g' answer has %zu bytes, the register map only %zu",
			    len / 2, want);
	/* "xx" marks a byte the stub cannot supply; any register touching one is
	 * invalid rather than shown with a made-up value. */
	bool unavailable[TARGET_MAX_REGS * (TARGET_MAX_BITS / 8) / 4];
	size_t have = len / 2;
	for (size_t i = 0; i < have; i++) {
		const char *h = hex + 2 * i;
		unavailable[i] = false;
		if (h[0] == 'x' && h[1] == 'x') {
			unavailable[i] = true;
			out->raw[i] = 0;
			continue;
		}
		int hi = rsp_hex_digit((unsigned char)h[0]), lo = rsp_hex_digit((unsigned char)h[1]);
		if (hi < 0 || lo < 0)
			return fail(err, errlen, "'g' answer has a non-hex digit at offset %zu", 2 * i);
		out->raw[i] = (uint8_t)(hi << 4 | lo);
	}
	out->raw_len = have;
	out->count = map->count;
	for (int r = 0; r < map->count; r++) {
		const struct target_reg *reg = &map->regs[r];
		size_t n = (size_t)reg->bits / 8;
		if (reg->offset + n > have)
			continue;
		bool ok = true;
		for (size_t k = 0; k < n; k++)
			ok = ok && !unavailable[reg->offset + k];
		out->valid[r] = ok;
		out->value[r] = ok ? target_le(out->raw + reg->offset, n < 8 ? n : 8) : 0;
	}
	return 0;
}

void target_regs_encode(const struct target_regs *regs, char *out)
{
	rsp_hex_encode(regs->raw, regs->raw_len, out);
}
