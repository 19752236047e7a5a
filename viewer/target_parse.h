/* target_parse.h: pure parsers for the stub's answers: stop replies and 'g' packets.
 *
 * No I/O here, so both are unit-tested on fixed strings and fuzzed.
 */
#ifndef SYSWALK_TARGET_PARSE_H
#define SYSWALK_TARGET_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "target_xml.h"

#define TARGET_PARSE_ERR (-30)

enum target_stop_kind {
	TARGET_STOP_SIGNAL,    /* 'S' or 'T': the target stopped with a signal */
	TARGET_STOP_EXITED,    /* 'W': the process (for QEMU: the machine) exited */
	TARGET_STOP_KILLED,    /* 'X': terminated by a signal */
};

/* A stop reply, decoded. */
struct target_stop {
	enum target_stop_kind kind;
	int signal;            /* S/T/X: the signal number (5 = SIGTRAP) */
	int exit_status;       /* W: the exit status */
	bool has_thread;
	long pid;              /* -1 when the reply did not use "pPID.TID" */
	long tid;
	bool swbreak, hwbreak; /* reason given by the stub (QEMU 7.2 gives none) */
	bool watch;
	uint64_t watch_addr;
	int nregs;             /* "NN:value" pairs in a T reply (kept, not decoded) */
};

/* Parse a stop reply (T, S, W, X). Returns 0, or TARGET_PARSE_ERR with ERR set. */
int target_stop_parse(const char *payload, size_t len, struct target_stop *out,
		      char *err, size_t errlen);

/* All registers from one 'g' answer, per the register map. */
struct target_regs {
	int count;
	uint64_t value[TARGET_MAX_REGS];   /* low 64 bits, little-endian decoded */
	bool valid[TARGET_MAX_REGS];       /* false when the stub sent "xx" (unavailable) */
	size_t raw_len;
	uint8_t raw[TARGET_MAX_REGS * (TARGET_MAX_BITS / 8) / 4]; /* the packet's bytes */
};

/* Decode a 'g' answer (hex text) against MAP. A short answer leaves the missing
 * registers invalid (stubs may omit trailing ones); a longer one or non-hex is an
 * error. Returns 0 or TARGET_PARSE_ERR with ERR set. */
int target_regs_decode(const struct target_regmap *map, const char *hex, size_t len,
		       struct target_regs *out, char *err, size_t errlen);

/* Encode registers for a 'G' packet from REGS->raw: writes 2*raw_len hex + NUL. */
void target_regs_encode(const struct target_regs *regs, char *out);

/* Little-endian value of N (1..8) bytes. */
uint64_t target_le(const uint8_t *p, size_t n);

#endif
