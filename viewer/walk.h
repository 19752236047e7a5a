/* walk.h: the walkthrough engine.
 *
 * The walk drives a kernel through one syscall of its demo program: it runs to the
 * syscall's entry point, then from one annotated anchor to the next (or one instruction
 * at a time), and at every stop builds a step snapshot from live state. Snapshots go
 * into a history that can be browsed backwards and forwards without re-running
 * anything. Data flows one way: QEMU -> rsp -> target -> walk -> snapshots; the UI
 * and the exporters read the history through walk_source() and never speak RSP.
 */
#ifndef SYSWALK_WALK_H
#define SYSWALK_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "annot.h"
#include "debuginfo.h"
#include "kernels.h"
#include "disasm.h"
#include "kconfig.h"
#include "qemu.h"
#include "srcfile.h"
#include "stops.h"
#include "symbols.h"
#include "target.h"
#include "trace.h"
#include "vmstate.h"

#define WALK_ERR_LEN 1024
#define WALK_CODE_CACHE 4            /* functions kept decoded */
#define WALK_CODE_MAX_INSNS 512

/* One function's code, decoded once: kernel text does not change while the walk runs. */
struct walk_code {
	uint64_t start;
	int n;
	struct disasm_insn *insns;
};

/* Everything the walk needs to know before it starts; paths are resolved by main. */
struct walk_config {
	const struct kernel_target *kt;  /* the target's description (kernels.h) */
	const char *kernel;          /* image QEMU boots (teach: the ELF; linux: bzImage/vmlinuz) */
	const char *symbols;         /* ELF or System.map with the kernel's symbols (may be NULL) */
	bool symbols_are_elf;        /* SYMBOLS is an ELF file, not a System.map */
	const char *user_symbols;    /* ELF of the demo program when not in the kernel (linux init) */
	const char *debuginfo;       /* ELF with DWARF (may be NULL: built-in pt_regs layout) */
	const char *kernel_config;   /* the kernel's .config (may be NULL: options inferred) */
	const char *srcroot;         /* source tree for shortening DWARF paths (may be NULL) */
	const char *annotations;     /* directory of notes */
	const char *glossary;        /* glossary file (may be NULL) */
	const char *initrd;          /* linux: our init's initramfs */
	bool pti;                    /* ask for page-table isolation (targets with a pti word) */
	const char *append;          /* more command-line words from the user (may be NULL) */
	const char *cpu;             /* QEMU -cpu (may be NULL) */
	const char *attach;          /* use this gdbstub instead of starting QEMU */
	const char *qemu_binary;     /* may be NULL */
	const char *accel;           /* "tcg" or "kvm" */
	int timeout_ms;              /* per gdbstub answer and per step */
	int run_timeout_ms;          /* for a run to the next syscall (boot included) */
	int interrupt_fd;            /* readable = the user interrupts (signal self-pipe); 0/-1 none */
	bool use_cache;              /* start from the saved machine state (vmstate.h) */
	bool restart_ahead;          /* keep a QEMU loaded for "walk again" (interactive use) */
	const struct demo_syscall *syscall;  /* the walk to start with */
};

/* What the walk knows about the syscall it is inside. */
struct walk_syscall_state {
	const struct demo_syscall *sc;   /* NULL between syscalls */
	bool finished;                   /* back in user mode: the walk of this syscall is over */
	bool frame_known;                /* frame_base below is right */
	uint64_t frame_base;             /* &pt_regs, from the per-CPU top of stack */
	uint64_t frame_low;              /* lowest RSP seen inside the frame: slots at or
	                                    above it have been written by the entry code */
	uint64_t stack_low;              /* the task stack: stops with RSP outside it belong
	                                    to another task (linux) and are run through */
	bool msrs_pending;               /* the MSRs are still to be read for this syscall */
	bool recorded;                   /* a stop of this syscall is in the history: last_regs */
	struct target_regs last_regs;    /* the registers of the last stop recorded */
	bool have_user_regs;             /* user_regs below were read at the user's syscall */
	struct target_regs user_regs;    /* the registers just before SYSCALL / INT ran */
};

struct walk_stats {
	uint64_t stops;                  /* snapshots built */
	uint64_t skipped_stops;          /* breakpoint hits run through (other tasks) */
	uint64_t repeated_stops;         /* stops that repeated the last one exactly (no_progress) */
	uint64_t msr_injections;
	uint64_t msr_injection_failures; /* rdmsr steps that did not complete (retried) */
	uint64_t phys_reads;             /* reads that went through the kernel page table */
};

enum walk_pti { WALK_PTI_UNKNOWN, WALK_PTI_OFF, WALK_PTI_ON };

struct walk {
	struct walk_config cfg;
	char command_line[512];          /* what the kernel boots with (kernels.h, plus skip words) */
	struct qemu qemu;
	bool qemu_started;
	struct vmstate vm;               /* the saved machine state, when the cache is used */
	struct target target;
	bool connected;
	char gone[256];                  /* once not connected: how the target went, for later messages */
	struct symbols syms;
	bool kernel_symbols;             /* syms holds the kernel's own table (not only what
	                                    walk_discover named) */
	struct kconfig kconfig;          /* the kernel's .config, when one was found */
	struct debuginfo dbg;
	struct srcfile src;           /* the source lines shown beside the code */
	bool have_dwarf;
	struct debuginfo_layout ptregs;
	struct disasm dis;
	struct annot_set notes;
	struct annot_set glossary;
	bool notes_resolved;
	bool anchors_set;                /* breakpoints on every resolved note are in */
	bool discovered;                 /* no kernel symbols: the path was found live */
	size_t notes_left_out;           /* notes that do not apply to this kernel */
	enum walk_pti pti;               /* seen in the code the CPU runs (walk_resolve_anchors) */

	struct trace history;            /* every snapshot, in order */
	size_t pos;                      /* the one shown */
	struct target_regs regs;         /* registers at the last live stop */
	bool regs_valid;
	struct walk_syscall_state sys;

	/* MSRs read by injection at the last kernel stop; shown as carried elsewhere. */
	struct snap_msr msrs[SNAP_MSR_COUNT];

	struct walk_code code[WALK_CODE_CACHE];
	unsigned code_next;              /* the entry to replace next */
	uint64_t entry_text_lo, entry_text_hi;  /* [__entry_text_start, __entry_text_end) */
	uint64_t percpu_top_sym;         /* value of cpu_current_top_of_stack (a per-CPU offset) */
	bool have_percpu_top;
	int interrupt_fd;
	struct walk_stats stats;
	char describe[192];
	char err[WALK_ERR_LEN];
};

/* Start (or attach to) the target, load symbols, DWARF, annotations and the glossary.
 * Returns 0, or a negative code with the message in walk_error(W); walk_close is
 * still needed. */
int walk_open(struct walk *w, const struct walk_config *cfg);

/* Run to the entry of the configured syscall and take the first snapshot. */
int walk_start(struct walk *w);

/* Run to the entry of demo syscall SC (any when NULL) and take its first snapshot; the
 * history is kept (--syscall all walks each in turn). A syscall this kernel cannot take
 * is refused with the reason. */
int walk_goto(struct walk *w, const struct demo_syscall *sc);

/* Whether this kernel can take demo syscall SC: false with the reason in WHY when it
 * lacks what SC requires ("this kernel has no IA32_EMULATION: ..."). */
bool walk_syscall_available(const struct walk *w, const struct demo_syscall *sc, char *why, size_t len);

/* Perform an action (see stops.h). Returns 0 or a negative code with a message; the
 * history is never damaged by a failure. */
int walk_act(struct walk *w, enum walk_action a);

/* The stop source over this walk, for the UI and the exporters. */
struct stop_source walk_source(struct walk *w);

/* Whether the syscall being walked is over (back in user mode). */
bool walk_finished(const struct walk *w);

/* The current snapshot, or NULL before walk_start. */
const struct snapshot *walk_current(const struct walk *w);

/* What the machine-state cache has to tell the user (one line, "" when nothing). */
const char *walk_cache_note(const struct walk *w);

/* Back to the saved machine state for "walk again", when there is one: a new QEMU from
 * the state, the gdbstub reconnected. Returns 0 (also when there is nothing to go back
 * to: the walk then goes on from where it is), or a negative code once the target is lost. */
int walk_rewind(struct walk *w);

/* Once a walk's first stop is recorded: get the next "walk again" ready in the
 * background (a QEMU loading the saved state, when the config asked for it). */
void walk_cache_ahead(struct walk *w);

/* Stop QEMU and release everything. Safe after a failed walk_open and twice. */
void walk_close(struct walk *w);

/* The last error, "" when none. */
const char *walk_error(const struct walk *w);

/* The gdbstub's socket, for a poll loop between actions; -1 when not connected. */
int walk_target_fd(const struct walk *w);

/* Between actions, when that socket turns readable: take what the stub sent unasked.
 * Returns 0, or < 0 once the target is gone (the walk is then no longer live), with
 * the message in walk_error(W). */
int walk_poll_idle(struct walk *w);

/* Build the snapshot of the current stop (walk_snapshot.c). KIND says how we got here. */
int walk_snapshot(struct walk *w, enum snap_kind kind, struct snapshot *out);

/* An environment for expr.h over snapshot S of this walk: '&SYMBOL' from the symbol
 * tables, and the variables $nr (the syscall's number), $user_rip (its syscall or int
 * instruction), $user_return (the instruction after it), $frame and $frame_top (the
 * pt_regs frame), $percpu (the kernel's per-CPU base) and $user.REG (register REG just
 * before the syscall instruction ran). */
struct expr_env;
void walk_expr_env(struct walk *w, const struct snapshot *s, struct expr_env *env);

/* Read kernel or user memory at ADDR; kernel memory that the loaded (user) page table
 * does not map is read through the kernel page table. For disasm and the frame. */
int walk_read_memory(void *walk, uint64_t addr, void *buf, size_t len);

#endif
