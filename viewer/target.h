/* target.h: run control of one stopped-or-running CPU behind a gdbstub.
 *
 * Built on rsp: the handshake (qSupported, '?', the register map from target.xml),
 * registers ('g', 'p'/'P'), memory ('m'/'M', and physical reads through a page-table
 * walk), breakpoints (Z0/Z1), stepping and continuing, and the syscall MSRs read by
 * injecting rdmsr (target_msr.c). Everything returns 0 or a negative code (errcode.h:
 * TARGET_ERR_*, RSP_ERR_*, TARGET_XML_ERR_*) with a message in target_error().
 *
 * QEMU 7.2 behaviours handled here (see docs/rsp.md):
 * - 'p'/'P' only answer once target.xml was read, so the handshake reads it first;
 * - a breakpoint at the address execution resumes from is reported again at once,
 *   so step/continue from a breakpoint lift it, step, and put it back;
 * - single steps run with interrupts and timers masked (qqemu.sstep's default,
 *   which syswalk never changes: with them on, a timer storm swallows the walk).
 */
#ifndef SYSWALK_TARGET_H
#define SYSWALK_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rsp.h"
#include "target_parse.h"
#include "target_xml.h"

/* Errors are errcode.h's TARGET_ERR_*: PROTOCOL (an unexpected answer), STUB (Enn),
 * MEMORY (not readable/writable at an address), NOT_PRESENT (a page-table walk met a
 * non-present entry), CPL3 (MSRs asked for in user mode), RESTORE (the state after an
 * injection differs), EXITED (W/X stop reply), ARG, UNSUPPORTED, INTERRUPTED (the user
 * asked to stop a loop over the target), LIMIT (such a loop reached its bound). */

/* How many times a loop may wait on the target for something that does not come (a
 * stop that is not the one wanted, an unreadable page of a scan): far more than any
 * real kernel needs, few enough that a hostile stub cannot hold the program. */
#define TARGET_MAX_ROUNDS 4096

/* Every annotated stop is a breakpoint. Under TCG QEMU keeps any number of "hardware"
 * breakpoints (they are checked at translation); under KVM the CPU has four debug
 * registers, and QEMU refuses the fifth Z1 with an error that names the cause. */
#define TARGET_MAX_BPS 128

enum target_bp_type {
	TARGET_BP_SOFTWARE = 0,    /* Z0 */
	TARGET_BP_HARDWARE = 1,    /* Z1: the default (QEMU TCG treats both alike; KVM does not) */
};

struct target_bp {
	uint64_t addr;
	enum target_bp_type type;
};

struct target {
	struct rsp_conn rsp;
	struct target_regmap map;
	size_t stub_packet_size;    /* PacketSize from qSupported (bytes) */
	bool vcont;                 /* vCont;s and vCont;c are supported */
	bool xfer_features;         /* qXfer:features:read+ */
	enum target_bp_type bp_type;
	struct target_bp bps[TARGET_MAX_BPS];
	int nbps;
	struct target_stop stop;    /* the last stop reply */
	bool exited;                /* W or X seen: nothing more can be done */
	bool rip_known;             /* rip below is current (cleared on resume/write) */
	uint64_t rip;
	int xml_depth;              /* xi:include nesting of the document being read */
	int xml_docs;               /* documents fetched for this target description */
	/* Indices in map.regs of registers the target layer itself needs (-1 = absent). */
	int idx_rip, idx_cs, idx_rax, idx_rcx, idx_rdx;
	char error[384];
};

/* Connect to WHERE (see rsp_open) and do the handshake. Call target_close afterwards
 * whether it succeeded or not (it frees the buffers either way). */
int target_open(struct target *t, const char *where);

/* Same, every answer (the handshake's too) awaited at most TIMEOUT_MS (0 = forever), and
 * INTERRUPT_FD (-1 for none) watched from the start (see target_set_interrupt_fd). */
int target_open_with(struct target *t, const char *where, int timeout_ms, int interrupt_fd);

/* Same over an already connected socket (tests); takes ownership of FD. */
int target_open_fd(struct target *t, int fd);

/* Disconnect (the stub keeps the machine as it is) and free the connection's buffers.
 * Safe to call twice, on a zeroed struct, and after a failed open or handshake. */
void target_close(struct target *t);

/* Keep a message as the last error and return CODE (for target.c and target_msr.c). */
int target_set_error(struct target *t, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message of the last error. */
const char *target_error(const struct target *t);

/* Index of register NAME in t->map.regs, or -1. */
int target_reg_index(const struct target *t, const char *name);

/* All registers ('g'). */
int target_read_regs(struct target *t, struct target_regs *out);

/* One register by map index ('p'); the low 64 bits for wider ones. */
int target_read_reg(struct target *t, int idx, uint64_t *value);

/* Write one register by map index ('P'); wider registers get zero upper bytes. */
int target_write_reg(struct target *t, int idx, uint64_t value);

/* Read LEN bytes of virtual memory at ADDR (split by packet size). A stub error is
 * TARGET_ERR_MEMORY naming the address; nothing is returned for unreadable bytes. */
int target_read_mem(struct target *t, uint64_t addr, void *buf, size_t len);

/* Write LEN bytes at ADDR ('M'). */
int target_write_mem(struct target *t, uint64_t addr, const void *buf, size_t len);

/* Read physical memory (Qqemu.PhyMemMode:1 around 'm', always switched back). */
int target_read_phys(struct target *t, uint64_t paddr, void *buf, size_t len);

/* Read virtual memory through the 4-level page tables rooted at CR3, using physical
 * reads: works while another CR3 (the user one, under page-table isolation) is loaded.
 * A missing mapping is TARGET_ERR_NOT_PRESENT naming the level. */
int target_read_virt_phys(struct target *t, uint64_t cr3, uint64_t addr, void *buf, size_t len);

/* Insert a breakpoint of t->bp_type (hardware unless changed) at ADDR. */
int target_break_insert(struct target *t, uint64_t addr);

/* Remove the breakpoint at ADDR (no error if there is none). */
int target_break_remove(struct target *t, uint64_t addr);

/* Whether a breakpoint is set at ADDR. */
bool target_break_at(const struct target *t, uint64_t addr);

/* Execute one instruction; the stop reply is stored in *STOP (may be NULL). */
int target_step(struct target *t, struct target_stop *stop);

/* Run until a breakpoint, an interrupt (see target_set_interrupt_fd) or TIMEOUT_MS
 * (0 = no limit); the stop reply is stored in *STOP (may be NULL). */
int target_continue(struct target *t, int timeout_ms, struct target_stop *stop);

/* While continuing, readability of FD sends 0x03 (the UI's signal self-pipe); -1 = off. */
void target_set_interrupt_fd(struct target *t, int fd);

/* Call once per round of a loop that waits on the target (WHAT: "running to the
 * syscall"): 0 to go on; TARGET_ERR_INTERRUPTED once the interrupt fd is readable, or
 * TARGET_ERR_LIMIT after TARGET_MAX_ROUNDS rounds (*ROUNDS counts them, from 0). */
int target_guard(struct target *t, unsigned *rounds, const char *what);

/* Between actions, while the CPU is stopped: take what the stub sent unasked, without
 * waiting (rsp_poll_idle). 0, or < 0 when the connection is gone or broken. */
int target_poll_idle(struct target *t);

/* Read N MSRs by injecting rdmsr at RIP (CPL 0 only, else TARGET_ERR_CPL3), with one
 * save/restore around all of them and the restore verified (TARGET_ERR_RESTORE). */
int target_read_msrs(struct target *t, const uint32_t *msrs, uint64_t *values, int n);

/* Round-trip counters of the underlying connection. */
const struct rsp_stats *target_stats(const struct target *t);

#endif
