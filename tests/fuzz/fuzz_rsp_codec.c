/* fuzz_rsp_codec: random bytes into the packet decoder, split at random points,
 * and random payloads through encode -> decode, which must give them back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rsp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsp_decoder d;

	if (size < 2)
		return 0;
	size_t cap = 1 + data[0] % 128;    /* small caps reach the oversize path */
	size_t step = 1 + data[1] % 17;
	data += 2;
	size -= 2;
	if (rsp_decoder_init(&d, cap) < 0)
		abort();
	size_t pos = 0;
	while (pos < size) {
		size_t n = size - pos < step ? size - pos : step, used;
		int rc = rsp_decode(&d, data + pos, n, &used);
		if (used > n || (rc == RSP_NEED_MORE && used != n))
			abort();
		if (rc == RSP_COMPLETE && (d.len > cap || ((d.kind == RSP_KIND_PACKET ||
		    d.kind == RSP_KIND_NOTIFY) && d.payload[d.len] != '\0')))
			abort();
		if (rc < 0 && d.error[0] == '\0')
			abort();
		if (used == 0 && rc == RSP_NEED_MORE)
			abort();               /* no progress would be a hang */
		pos += used;
	}
	rsp_decoder_free(&d);

	/* Round trip: any payload survives framing and escaping. */
	size_t max = rsp_encoded_max(size);
	char *enc = malloc(max);
	long n = rsp_encode(data, size, enc, max);
	if (n < 0 || rsp_decoder_init(&d, size ? size : 1) < 0)
		abort();
	size_t used;
	if (rsp_decode(&d, enc, (size_t)n, &used) != RSP_COMPLETE || used != (size_t)n ||
	    d.len != size || memcmp(d.payload, data, size) != 0)
		abort();
	rsp_decoder_free(&d);
	free(enc);
	return 0;
}
