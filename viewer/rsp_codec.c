/* rsp_codec.c: incremental decoder and encoder for GDB remote protocol packets.
 *
 * The decoder is a byte-at-a-time state machine; rsp_decode stops right after the
 * byte that finishes an item so the caller can act on it (send an ack, hand the
 * payload up) before feeding the rest. Memory is bounded by the cap given at init:
 * a payload that would grow past it is an error, never a reallocation.
 */
#include "rsp_codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rsp_decoder_init(struct rsp_decoder *d, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->payload = malloc(cap + 1);
	if (!d->payload) {
		snprintf(d->error, sizeof(d->error), "out of memory for a %zu-byte packet buffer", cap);
		return RSP_ERR_NOMEM;
	}
	d->cap = cap;
	d->payload[0] = '\0';
	return 0;
}

void rsp_decoder_free(struct rsp_decoder *d)
{
	free(d->payload);
	d->payload = NULL;
	d->cap = 0;
}

void rsp_decoder_reset(struct rsp_decoder *d)
{
	d->state = RSP_DEC_IDLE;
	d->len = 0;
	d->kind = RSP_KIND_NONE;
}

int rsp_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long rsp_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outcap)
{
	size_t n = hexlen / 2;

	if (hexlen % 2 != 0 || n > outcap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = rsp_hex_digit((unsigned char)hex[2 * i]);
		int lo = rsp_hex_digit((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)n;
}

void rsp_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Record an error and switch to resynchronisation; returns CODE. */
static int fail(struct rsp_decoder *d, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	d->state = RSP_DEC_RESYNC;
	d->len = 0;
	d->payload[0] = '\0';
	return code;
}

static int append(struct rsp_decoder *d, uint8_t byte, size_t count)
{
	if (count > d->cap - d->len)
		return fail(d, RSP_ERR_TOO_BIG,
			    "packet starting at offset %llu exceeds the %zu-byte receive limit",
			    (unsigned long long)d->start, d->cap);
	memset(d->payload + d->len, byte, count);
	d->len += count;
	return 0;
}

static void begin(struct rsp_decoder *d, enum rsp_kind kind)
{
	d->kind = kind;
	d->state = RSP_DEC_BODY;
	d->len = 0;
	d->sum = 0;
	d->start = d->offset;
}

/* A byte between items: start a packet, report an ack or interrupt, or skip it. */
static int idle_byte(struct rsp_decoder *d, uint8_t c)
{
	switch (c) {
	case '$':
		begin(d, RSP_KIND_PACKET);
		return RSP_NEED_MORE;
	case '%':
		begin(d, RSP_KIND_NOTIFY);
		return RSP_NEED_MORE;
	case '+':
		d->kind = RSP_KIND_ACK;
		return RSP_COMPLETE;
	case '-':
		d->kind = RSP_KIND_NAK;
		return RSP_COMPLETE;
	case 0x03:
		d->kind = RSP_KIND_INTERRUPT;
		return RSP_COMPLETE;
	default:
		d->skipped++;
		return RSP_NEED_MORE;
	}
}

/* A byte inside "$...#": raw bytes count toward the checksum, decoded ones are kept. */
static int body_byte(struct rsp_decoder *d, uint8_t c)
{
	switch (d->state) {
	case RSP_DEC_ESCAPE:
		d->sum += c;
		d->state = RSP_DEC_BODY;
		return append(d, c ^ 0x20, 1);
	case RSP_DEC_REPEAT:
		/* The count byte stands for COUNT-29 more copies. The spec keeps it
		 * printable and never '#' or '$' (6 and 7 repeats must be sent as a
		 * shorter run plus literal bytes), so anything else is corruption. */
		if (c < 32 || c > 126 || c == '#' || c == '$')
			return fail(d, RSP_ERR_RUNLENGTH,
				    "invalid run-length count byte 0x%02x at offset %llu", c,
				    (unsigned long long)d->offset);
		d->sum += c;
		d->state = RSP_DEC_BODY;
		return append(d, (uint8_t)d->payload[d->len - 1], (size_t)(c - 29));
	default:
		break;
	}
	switch (c) {
	case '#':
		d->state = RSP_DEC_SUM1;
		return 0;
	case '}':
		d->sum += c;
		d->state = RSP_DEC_ESCAPE;
		return 0;
	case '*':
		if (d->len == 0)
			return fail(d, RSP_ERR_RUNLENGTH,
				    "run-length '*' with nothing before it at offset %llu",
				    (unsigned long long)d->offset);
		d->sum += c;
		d->state = RSP_DEC_REPEAT;
		return 0;
	default:
		d->sum += c;
		return append(d, c, 1);
	}
}

static int sum_byte(struct rsp_decoder *d, uint8_t c)
{
	int v = rsp_hex_digit(c);

	if (v < 0) {
		if (c >= 0x21 && c <= 0x7e)
			return fail(d, RSP_ERR_SYNTAX, "bad checksum digit '%c' at offset %llu",
				    c, (unsigned long long)d->offset);
		return fail(d, RSP_ERR_SYNTAX, "bad checksum digit 0x%02x at offset %llu",
			    c, (unsigned long long)d->offset);
	}
	if (d->state == RSP_DEC_SUM1) {
		d->wire_sum = (uint8_t)(v << 4);
		d->state = RSP_DEC_SUM2;
		return RSP_NEED_MORE;
	}
	d->wire_sum |= (uint8_t)v;
	if (d->wire_sum != d->sum)
		return fail(d, RSP_ERR_CHECKSUM,
			    "checksum mismatch in packet at offset %llu: it says %02x, the bytes sum to %02x",
			    (unsigned long long)d->start, d->wire_sum, d->sum);
	d->payload[d->len] = '\0';
	d->state = RSP_DEC_IDLE;
	return RSP_COMPLETE;
}

int rsp_decode(struct rsp_decoder *d, const void *buf, size_t len, size_t *used)
{
	const uint8_t *p = buf;
	size_t i = 0;
	int rc = RSP_NEED_MORE;

	while (i < len && rc == RSP_NEED_MORE) {
		uint8_t c = p[i];

		if (d->state == RSP_DEC_RESYNC) {
			if (c != '$' && c != '%') {
				d->skipped++;
				i++;
				d->offset++;
				continue;
			}
			d->state = RSP_DEC_IDLE;
		}
		/* A '$' before a packet ended means the rest of it was lost: report
		 * it without consuming it, so the next call starts the new packet. */
		if (c == '$' && d->state != RSP_DEC_IDLE) {
			rc = fail(d, RSP_ERR_SYNTAX,
				  "unexpected '$' at offset %llu inside the packet that started at offset %llu",
				  (unsigned long long)d->offset, (unsigned long long)d->start);
			break;
		}
		switch (d->state) {
		case RSP_DEC_IDLE:
			rc = idle_byte(d, c);
			break;
		case RSP_DEC_SUM1:
		case RSP_DEC_SUM2:
			rc = sum_byte(d, c);
			break;
		default:
			rc = body_byte(d, c);
			break;
		}
		i++;
		d->offset++;
	}
	*used = i;
	return rc;
}

size_t rsp_encoded_max(size_t len)
{
	return 2 * len + 4;
}

long rsp_encode(const void *payload, size_t len, char *out, size_t outcap)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = payload;
	uint8_t sum = 0;
	size_t n = 0;

	if (outcap < 4)
		return -1;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];
		bool special = c == '$' || c == '#' || c == '}' || c == '*';

		if (n + (special ? 2 : 1) + 3 > outcap)
			return -1;
		if (special) {
			out[n++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[n++] = (char)c;
		sum += c;
	}
	out[n++] = '#';
	out[n++] = digits[sum >> 4];
	out[n++] = digits[sum & 15];
	return (long)n;
}
