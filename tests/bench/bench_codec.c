/* bench_codec.c: a fixed workload for the RSP codec, to count its instructions.
 *
 * Wall time on a shared 2-core machine wobbles by tens of percent; the number of
 * instructions callgrind counts for the same input does not. So `make bench` runs this
 * under `valgrind --tool=callgrind --toggle-collect=codec_workload` and prints the count:
 * a regression in rsp_codec.c shows up as a bigger number.
 *
 * The workload is one walk step's traffic, ROUNDS times: the three requests a step
 * sends (vCont;s, g, m of the 168-byte frame) encoded, and the replies QEMU 7.2 sends
 * for them (acks, a T05 stop reply, a 'g' reply as long as the teaching kernel's, a
 * 336-digit 'm' reply, plus one run-length-encoded packet) decoded from a single byte
 * stream, in chunks of 1 KiB as a socket read would deliver them.
 *
 * Usage: bench_codec [ROUNDS]   (default 1000); prints how many items were decoded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsp_codec.h"

#define G_DIGITS 1120            /* QEMU 7.2's x86_64 'g' reply for the teaching kernel */
#define FRAME_DIGITS 336         /* 'm' of the 168-byte pt_regs frame */

struct stream {
	char *bytes;
	size_t len, cap;
};

static void put(struct stream *s, const char *bytes, size_t len)
{
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->bytes = realloc(s->bytes, s->cap);
		if (!s->bytes) {
			perror("bench_codec");
			exit(1);
		}
	}
	memcpy(s->bytes + s->len, bytes, len);
	s->len += len;
}

static void put_packet(struct stream *s, const char *payload)
{
	char out[4096];
	long n = rsp_encode(payload, strlen(payload), out, sizeof(out));
	if (n < 0) {
		fprintf(stderr, "bench_codec: payload too large\n");
		exit(1);
	}
	put(s, "+", 1);
	put(s, out, (size_t)n);
}

/* Hex digits that look like registers: mostly small values and zeros. */
static void fake_hex(char *out, size_t digits, unsigned seed)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < digits; i++) {
		seed = seed * 1103515245u + 12345u;
		out[i] = (i / 16) % 3 == 0 ? hex[(seed >> 16) & 15] : '0';
	}
	out[digits] = '\0';
}

static struct stream replies(void)
{
	struct stream s = { 0 };
	static char g[G_DIGITS + 1], m[FRAME_DIGITS + 1];
	fake_hex(g, G_DIGITS, 1);
	fake_hex(m, FRAME_DIGITS, 2);
	put_packet(&s, "T05thread:01;");
	put_packet(&s, g);
	put_packet(&s, m);
	put(&s, "+$0* 0#aa", 9);    /* "0" repeated: run-length encoding, as the spec allows */
	return s;
}

/* The counted part: encode a step's requests and decode its replies, ROUNDS times. */
__attribute__((noinline)) static long codec_workload(const struct stream *in, int rounds)
{
	struct rsp_decoder d;
	if (rsp_decoder_init(&d, 16384) < 0)
		return -1;
	static const char *const requests[] = { "vCont;s", "g", "mffffffff81017f58,a8" };
	char out[128];
	long items = 0;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < 3; i++)
			if (rsp_encode(requests[i], strlen(requests[i]), out, sizeof(out)) < 0)
				items = -1000000;
		for (size_t pos = 0; pos < in->len;) {
			size_t chunk = in->len - pos < 1024 ? in->len - pos : 1024, used = 0;
			while (chunk > 0) {
				int rc = rsp_decode(&d, in->bytes + pos, chunk, &used);
				pos += used;
				chunk -= used;
				if (rc == RSP_COMPLETE)
					items++;
				else if (rc < 0)
					items = -1000000;
			}
		}
	}
	rsp_decoder_free(&d);
	return items;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1000;
	struct stream in = replies();
	long items = codec_workload(&in, rounds);
	free(in.bytes);
	if (items < 0) {
		fprintf(stderr, "bench_codec: the codec rejected the workload\n");
		return 1;
	}
	printf("rounds %d\nitems %ld\nbytes_per_round %zu\n", rounds, items, in.len);
	return 0;
}
