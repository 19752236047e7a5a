/* disasm.h: x86_64 disassembly with capstone, in AT&T syntax (what entry_64.S is
 * written in) and Intel syntax, with branch targets named by symbol.
 *
 * Code bytes come from the target through a caller-supplied reader and are cached by
 * address: kernel text does not change while the walk runs, so stepping does not read
 * the same bytes again. This module knows nothing of RSP or of the symbol tables: both
 * arrive as callbacks.
 */
#ifndef SYSWALK_DISASM_H
#define SYSWALK_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

#define DISASM_ERR_LEN     256
#define DISASM_CHUNK       256      /* cache granule, bytes; divides the 4 KiB page */
#define DISASM_CACHE_SLOTS 512      /* at most 128 KiB of code cached */
#define DISASM_MAX_INSN    15       /* longest x86 instruction */

/* Read LEN bytes of guest memory at ADDR into BUF. Returns 0, or negative when the bytes
 * cannot be read (for example kernel text while the user page table is loaded). */
typedef int (*disasm_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/* Name the symbol ADDR falls in: NAME (LEN bytes) and *OFF from its start. Returns 0, or
 * negative when no symbol covers ADDR. symbols_symbolize (symbols.h) fits. */
typedef int (*disasm_symbolize_fn)(void *ctx, uint64_t addr, char *name, size_t len, uint64_t *off);

/* One decoded instruction, with its text in fixed buffers: what the decoder fills and
 * what a function's cached listing holds. A snapshot keeps a compact copy of the
 * instructions around RIP (snapshot_add_insn). */
struct disasm_insn {
	uint64_t addr;
	uint8_t bytes[16];
	uint8_t len;
	char att[SNAP_INSN_TEXT_LEN];    /* AT&T text, branch targets symbolised */
	char intel[SNAP_INSN_TEXT_LEN];  /* Intel text, same */
	char label[SNAP_LABEL_LEN];      /* "symbol" when addr starts a symbol, else "" */
	bool current;                    /* addr == RIP */
};

/* The snapshot's view of IN: same fields, strings pointing into IN. */
struct snap_insn disasm_insn_view(const struct disasm_insn *in);

struct disasm_chunk {
	uint64_t addr;                  /* DISASM_CHUNK-aligned start */
	bool valid;
	uint8_t bytes[DISASM_CHUNK];
};

struct disasm {
	size_t att, intel;              /* capstone handles (csh) */
	disasm_read_fn read;
	void *read_ctx;
	disasm_symbolize_fn symbolize;
	void *sym_ctx;
	struct disasm_chunk *cache;     /* DISASM_CACHE_SLOTS, direct-mapped by address */
	uint64_t hits, misses;
	char err[DISASM_ERR_LEN];
};

/* Open both capstone handles. READ and SYMBOLIZE may be NULL (no target memory; raw
 * addresses). Returns 0, or a negative code with the message in D->err. */
int disasm_open(struct disasm *d, disasm_read_fn read, void *read_ctx,
		disasm_symbolize_fn symbolize, void *sym_ctx);

/* Release D; safe on a zeroed or closed struct, and twice. */
void disasm_close(struct disasm *d);

/* Decode up to MAX instructions from CODE (LEN bytes, loaded at ADDR) into OUT; the one
 * at RIP gets current = true. Stops early at bytes that are not an instruction (or run
 * past LEN). Returns the number decoded (0 when the first bytes are not an instruction). */
int disasm_decode(struct disasm *d, const uint8_t *code, size_t len, uint64_t addr,
		  uint64_t rip, struct disasm_insn *out, int max);

/* Like disasm_decode, reading the bytes at ADDR through the cache. Returns the number
 * decoded, or a negative code when not even the first bytes could be read. */
int disasm_decode_at(struct disasm *d, uint64_t addr, uint64_t rip, struct disasm_insn *out, int max);

/* The instructions around RIP: up to BEFORE instructions before it and AFTER after it
 * (plus RIP's own), in address order. Instructions before RIP are found by decoding from
 * FUNC_START (the start of the function containing RIP, 0 when unknown): x86 cannot be
 * decoded backwards. When FUNC_START is unknown, or decoding from it does not land on
 * RIP, the window starts at RIP. Returns the count (at most MAX), or a negative code. */
int disasm_window(struct disasm *d, uint64_t rip, uint64_t func_start, int before, int after,
		  struct disasm_insn *out, int max);

/* What disasm_find looks for: an instruction by mnemonic (and optionally by a piece of
 * its operand text), or a call or jmp by its direct target. */
struct disasm_pattern {
	const char *mnemonic;    /* as disasm_find_mnemonic matches it; unused when BRANCH */
	const char *operands;    /* NULL, or text the AT&T operands contain (spaces and case
	                            ignored): "%rsp,%rdi", ",%cr3" */
	bool branch;             /* a call or an unconditional jmp whose target is TARGET */
	uint64_t target;
};

/* Find the NTH (from 1) instruction matching PAT within [START, START+SIZE); returns as
 * disasm_find_mnemonic does. */
int disasm_find(struct disasm *d, uint64_t start, uint64_t size, const struct disasm_pattern *pat,
		int nth, uint64_t *addr);

/* Find the NTH (from 1) instruction whose mnemonic is MNEMONIC within [
 * START+SIZE): for anchors "SYMBOL/MNEMONIC#N". MNEMONIC matches the AT&T or the Intel
 * mnemonic, or the AT&T one without its size suffix ("call" finds "callq"). Returns the
 * number of matches seen, counting stops at NTH: NTH means found (*ADDR set), fewer
 * means not there (the message says so). Negative when the bytes cannot be read, or are
 * not code before the NTH match. Fits annot.h's find_mnemonic callback. */
int disasm_find_mnemonic(struct disasm *d, uint64_t start, uint64_t size, const char *mnemonic,
			 int nth, uint64_t *addr);

/* Read LEN bytes at ADDR through the cache. Returns how many bytes from ADDR on could be
 * read (fewer than LEN when memory further on is unreadable), or a negative code when
 * none could. */
long disasm_cache_read(struct disasm *d, uint64_t addr, void *buf, size_t len);

/* Forget cached bytes overlapping [ADDR, ADDR+LEN) (after the target's code was written). */
void disasm_cache_invalidate(struct disasm *d, uint64_t addr, size_t len);

/* Forget every cached byte. */
void disasm_cache_clear(struct disasm *d);

/* Cache statistics since disasm_open: chunk lookups served from the cache, and reads. */
void disasm_cache_stats(const struct disasm *d, uint64_t *hits, uint64_t *misses);

/* The last error message, "" when none. */
const char *disasm_error(const struct disasm *d);

#endif
