/* rsp_codec.h: the GDB remote serial protocol's packet format, as a pure codec.
 *
 * Decoding is incremental in the manner of picohttpparser: feed whatever bytes the
 * socket gave, get back "need more", "complete" (one item: a packet, a notification,
 * an ack, a nak or an interrupt byte) or an error with a message naming what was wrong
 * and at which offset of the stream. Nothing here does I/O, so the decoder can be fed
 * one byte at a time by the unit tests and random bytes by the fuzzer.
 *
 * Wire format handled: "$payload#xx" (xx = sum of the raw payload bytes mod 256, two
 * hex digits), '}' escapes (the next byte XOR 0x20), '*' run-length encoding (the
 * previous decoded byte repeated COUNT-29 more times), '%' notifications framed the
 * same way, bare '+' / '-' acknowledgements and the 0x03 interrupt byte.
 */
#ifndef SYSWALK_RSP_CODEC_H
#define SYSWALK_RSP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errcode.h"

/* What rsp_decode returns: >= 0 is a status, < 0 an error. */
#define RSP_NEED_MORE      0   /* every byte given was consumed, no item finished yet */
#define RSP_COMPLETE       1   /* one item finished: see decoder.kind and decoder.payload */
/* The errors (errcode.h): RSP_ERR_CHECKSUM, a well-framed packet whose checksum does not
 * match; RSP_ERR_SYNTAX, malformed framing (a bad checksum digit, '$' inside a packet);
 * RSP_ERR_RUNLENGTH, '*' with nothing before it or a count the spec forbids;
 * RSP_ERR_TOO_BIG, a payload over the receive cap; RSP_ERR_NOMEM. */

enum rsp_kind {
	RSP_KIND_NONE = 0,
	RSP_KIND_PACKET,       /* "$...#xx" */
	RSP_KIND_NOTIFY,       /* "%...#xx" (asynchronous notification) */
	RSP_KIND_ACK,          /* '+' outside a packet */
	RSP_KIND_NAK,          /* '-' outside a packet */
	RSP_KIND_INTERRUPT,    /* 0x03 outside a packet */
};

enum rsp_dec_state {
	RSP_DEC_IDLE,          /* between items */
	RSP_DEC_RESYNC,        /* after an error: skipping to the next '$' or '%' */
	RSP_DEC_BODY,
	RSP_DEC_ESCAPE,        /* after '}' */
	RSP_DEC_REPEAT,        /* after '*' */
	RSP_DEC_SUM1,
	RSP_DEC_SUM2,
};

struct rsp_decoder {
	size_t cap;            /* largest decoded payload accepted */
	char *payload;         /* cap + 1 bytes; NUL-terminated after RSP_COMPLETE */
	size_t len;            /* decoded payload length */
	enum rsp_kind kind;    /* what the last RSP_COMPLETE delivered */

	enum rsp_dec_state state;
	uint8_t sum;           /* running checksum of the raw payload bytes */
	uint8_t wire_sum;      /* checksum as the sender wrote it */
	uint64_t offset;       /* bytes consumed since init: error messages cite it */
	uint64_t start;        /* offset of the '$' or '%' of the packet being read */
	uint64_t skipped;      /* stray bytes ignored between items */
	char error[160];
};

/* Prepare D to accept payloads of at most CAP decoded bytes; 0 or RSP_ERR_NOMEM. */
int rsp_decoder_init(struct rsp_decoder *d, size_t cap);

/* Release the payload buffer. */
void rsp_decoder_free(struct rsp_decoder *d);

/* Forget any partial item (used after the transport resets). */
void rsp_decoder_reset(struct rsp_decoder *d);

/* Consume bytes from BUF up to the end of one item; *USED says how many were taken.
 * Returns RSP_NEED_MORE, RSP_COMPLETE, or a negative RSP_ERR_* with d->error set;
 * after an error the decoder skips to the next '$' or '%' on its own. */
int rsp_decode(struct rsp_decoder *d, const void *buf, size_t len, size_t *used);

/* Frame PAYLOAD as "$...#xx" into OUT, escaping '$', '#', '}' and '*'. Returns the
 * number of bytes written (not NUL-terminated), or -1 when OUTCAP is too small. */
long rsp_encode(const void *payload, size_t len, char *out, size_t outcap);

/* Bytes rsp_encode needs at most for a payload of LEN bytes. */
size_t rsp_encoded_max(size_t len);

/* Hex helpers shared by rsp and target. */
int rsp_hex_digit(int c);                                       /* 0..15, or -1 */
/* Decode 2*N hex digits from HEX into OUT; returns N, or -1 at the first non-hex. */
long rsp_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outcap);
/* Encode N bytes as 2*N lowercase hex digits plus a NUL; OUT needs 2*N+1 bytes. */
void rsp_hex_encode(const uint8_t *in, size_t n, char *out);

#endif
