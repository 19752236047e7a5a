/* fuzz_kconfig.c: arbitrary bytes as a kernel .config. Loading must end in a set of
 * options or a NAME:LINE error, never a crash or a leak; after an error nothing is
 * known (every option unknown), after success every option asked has an answer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kconfig kc;
	kconfig_init(&kc);
	int rc = kconfig_load_buffer(&kc, "fuzz.config", (const char *)data, size);
	enum kconfig_state st = kconfig_state(&kc, "CONFIG_SMP");
	if (rc < 0 ? (st != KCONFIG_UNKNOWN || !kc.err[0]) : st == KCONFIG_UNKNOWN)
		abort();
	for (size_t i = 0; rc == 0 && i < kc.count; i++)
		if (kconfig_state(&kc, kc.names[i]) != KCONFIG_YES)
			abort();       /* every option read is found */
	kconfig_free(&kc);
	return 0;
}
