/* fuzz_disasm.c: arbitrary bytes as kernel text behind the code cache, decoded as a
 * window around a RIP, searched for a mnemonic, and decoded directly. The first bytes
 * choose RIP, the function start, the window and the search; memory past the input is
 * unreadable, like kernel text under the user page table. Never a crash, never an
 * instruction outside the buffer, never more instructions than asked. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"

#define BASE 0xffffffff81000000ull

struct mem {
	const uint8_t *bytes;
	size_t len;
};

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct mem *m = ctx;
	if (addr < BASE || addr - BASE > m->len || len > m->len - (addr - BASE))
		return -1;
	memcpy(buf, m->bytes + (addr - BASE), len);
	return 0;
}

static int sym(void *ctx, uint64_t addr, char *name, size_t len, uint64_t *off)
{
	(void)ctx;
	if (addr < BASE || addr >= BASE + 0x10000)
		return -1;
	strncpy(name, "fuzz_func", len - 1);
	name[len - 1] = '\0';
	*off = (addr - BASE) & 0xff;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const mnemonics[] = { "call", "push", "swapgs", "sysretq", "jmp", "mov", "ret", "nop" };
	if (size < 8)
		return 0;
	/* One disassembler for the whole run, its cache cleared for each input: opening
	 * one per input allocated and wiped its 130 KiB code cache every time, a quarter
	 * of the run. Clearing must make it as good as new, which this also tests. */
	static struct mem m;
	static struct disasm d;
	static bool opened;
	if (!opened) {
		if (disasm_open(&d, mem_read, &m, sym, NULL) < 0)
			abort();
		opened = true;
	}
	disasm_cache_clear(&d);
	m = (struct mem){ data + 8, size - 8 };
	uint64_t rip = BASE + (data[0] | data[1] << 8) % (m.len + 1);
	uint64_t func = data[2] & 1 ? 0 : BASE + (data[3] | data[2] << 7) % (m.len + 1);
	int before = data[4] % 12, after = data[5] % 12, max = 1 + data[6] % SNAP_MAX_INSNS;
	struct disasm_insn out[SNAP_MAX_INSNS];
	int n = disasm_window(&d, rip, func, before, after, out, max);
	if (n > max)
		abort();
	for (int i = 0; i < n; i++)
		if (out[i].addr < BASE || out[i].addr + out[i].len > BASE + m.len || out[i].len == 0
		    || memchr(out[i].att, '\0', sizeof out[i].att) == NULL)
			abort();
	uint64_t addr;
	int nth = 1 + data[7] % 4;
	int seen = disasm_find_mnemonic(&d, BASE, m.len ? m.len : 1, mnemonics[data[7] >> 5], nth, &addr);
	if (seen > nth || (seen == nth && (addr < BASE || addr >= BASE + m.len)))
		abort();
	n = disasm_decode(&d, m.bytes, m.len, BASE, rip, out, max);
	if (n > max)
		abort();
	return 0;
}
