/* snapshot.h: one stop of the walk, as data.
 *
 * A step snapshot is everything the screen and the exporters show about one stop.
 * It is built once by the walk engine from live state (rsp -> target -> walk) and
 * never changes afterwards; the UI, the exporters and --replay only read it.
 * Nothing here knows about RSP, QEMU or curses, so a snapshot can also be loaded
 * from a JSON trace (trace_json.h) and shown without any emulator.
 */
#ifndef SYSWALK_SNAPSHOT_H
#define SYSWALK_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_MAX_REGS   64   /* registers of at most 64 bits from target.xml */
#define SNAP_MAX_SLOTS  32   /* struct pt_regs has 21 eight-byte fields */
#define SNAP_MAX_INSNS  24   /* decoded instructions kept around RIP */
#define SNAP_NAME_LEN   24
#define SNAP_MAX_QUESTIONS 3  /* predict-then-reveal questions of one note */
#define SNAP_MAX_CHOICES   6

/* One register as the target described it (name from target.xml). */
struct snap_reg {
	char name[SNAP_NAME_LEN];
	uint64_t value;
	uint8_t bits;        /* 8..64 */
	bool changed;        /* differs from the previous stop of the walk */
};

/* The syscall MSRs, in display order. */
enum snap_msr_id {
	SNAP_MSR_LSTAR,
	SNAP_MSR_STAR,
	SNAP_MSR_FMASK,          /* IA32_FMASK, Linux's MSR_SYSCALL_MASK */
	SNAP_MSR_EFER,
	SNAP_MSR_GS_BASE,
	SNAP_MSR_KERNEL_GS_BASE,
	SNAP_MSR_CSTAR,
	SNAP_MSR_COUNT
};

/* Where an MSR value came from: MSRs can only be read at CPL 0 (by injecting
 * rdmsr), so at a user-mode stop we show the last value read and say so. */
enum snap_msr_source {
	SNAP_MSR_UNKNOWN = 0,    /* never read */
	SNAP_MSR_LIVE,           /* read at this stop */
	SNAP_MSR_CARRIED,        /* carried from the last kernel stop */
};

struct snap_msr {
	uint64_t value;
	enum snap_msr_source source;
};

/* One eight-byte field of struct pt_regs on the kernel stack. */
struct snap_slot {
	char name[SNAP_NAME_LEN];    /* "r15", ..., "orig_ax", "ip", "cs", "flags", "sp", "ss" */
	uint32_t offset;             /* byte offset inside struct pt_regs */
	uint64_t value;
	bool filled;                 /* written by the entry code at or before this stop */
	bool just_written;           /* written by the instruction that led to this stop */
};

struct snap_frame {
	bool valid;                  /* false until the frame's place is known */
	uint64_t base;               /* address of the struct (lowest byte, = &regs->r15) */
	uint32_t size;               /* sizeof(struct pt_regs) */
	char layout_source[16];      /* "dwarf" or "builtin" */
	int nslots;
	struct snap_slot slots[SNAP_MAX_SLOTS];
};

/* Longest instruction text and label kept (longer ones are cut by the disassembler,
 * and refused when a trace file holds them). */
#define SNAP_INSN_TEXT_LEN 96
#define SNAP_LABEL_LEN     64

/* One decoded instruction of the window around RIP. Its three strings live in the
 * snapshot's insn_text block (snapshot_add_insn puts them there): a stepi walk keeps
 * hundreds of snapshots, and fixed text buffers made each one 7 KiB larger. */
struct snap_insn {
	uint64_t addr;
	uint8_t bytes[16];
	uint8_t len;
	bool current;                /* addr == RIP */
	const char *att;             /* AT&T text, branch targets symbolised */
	const char *intel;           /* Intel text, same */
	const char *label;           /* "symbol" when addr starts a symbol, else "" */
};

/* A question a note asks before its stop is revealed (--quiz). The answer is computed
 * from the state at this stop when the snapshot is built, never stored in the note. */
struct snap_question {
	char text[200];              /* "Which address does RCX hold now?" */
	char expr[120];              /* how the answer is computed: "rcx" */
	bool answer_known;           /* false when expr could not be evaluated at this stop */
	uint64_t answer;
	int nchoices;                /* 0: the learner types a value */
	char choice_label[SNAP_MAX_CHOICES][32];
	uint64_t choice_value[SNAP_MAX_CHOICES];
};

enum snap_kind {
	SNAP_ANCHOR,                 /* an annotated stop ("next") */
	SNAP_STEP,                   /* a single instruction step ("stepi") */
	SNAP_USER,                   /* back in user mode after the syscall */
};

struct snapshot {
	int index;                   /* 0-based position in the walk's history */
	enum snap_kind kind;
	char syscall[16];            /* demo syscall being walked: "write", "getpid", ... */
	uint64_t rip;
	int cpl;                     /* CS & 3 */

	int nregs;
	struct snap_reg regs[SNAP_MAX_REGS];
	struct snap_msr msrs[SNAP_MSR_COUNT];
	struct snap_frame frame;

	int ninsns;                  /* added with snapshot_add_insn only */
	struct snap_insn insns[SNAP_MAX_INSNS];

	char location[160];          /* "entry_SYSCALL_64+0x1c" */
	char source_file[160];       /* "kernel/entry_64.S" or "" */
	int source_line;             /* 0 when unknown */

	int nquestions;              /* added with snapshot_add_question only */
	struct snap_question *questions;  /* heap, NULL when there are none: most stops ask nothing */

	/* Heap strings owned by the snapshot (snapshot_free releases them); NULL when absent. */
	char *anchor;                /* the annotation anchor reached, e.g. "entry_SYSCALL_64/swapgs" */
	char *note_title;            /* heading of the note shown */
	char *note_markdown;         /* the note's prose, Markdown */
	char *note_show;             /* space-separated names to highlight: "rcx r11 msr.lstar pt_regs.ip" */
	char *note_caveats;          /* lines (each ending in \n) that qualify the note at this stop:
	                                a check: claim that does not hold here, with the live
	                                values; NULL when the note holds as written */
	char *console;               /* serial output since the previous stop */
	char *source_text;           /* the source lines around source_line, '\n' after each; NULL when the file was not found */
	int source_first;            /* line number of source_text's first line */
	char *insn_text;             /* the instructions' strings, back to back */
	size_t insn_text_used, insn_text_cap;
};

/* Names of the MSRs as shown ("LSTAR", "STAR", "FMASK", ...). */
const char *snapshot_msr_name(enum snap_msr_id id);

/* The register called NAME, or NULL. */
const struct snap_reg *snapshot_reg(const struct snapshot *s, const char *name);

/* Value of register NAME into *out; returns false when the snapshot has no such register. */
bool snapshot_reg_value(const struct snapshot *s, const char *name, uint64_t *out);

/* The pt_regs slot called NAME, or NULL (also when the frame is not valid). */
const struct snap_slot *snapshot_slot(const struct snapshot *s, const char *name);

/* Append an instruction to the window: IN's fields are copied, its three strings
 * (NULL counts as "") into the snapshot's own storage. Returns 0, -ENOMEM, or -E2BIG
 * past SNAP_MAX_INSNS. */
int snapshot_add_insn(struct snapshot *s, const struct snap_insn *in);

/* Empty the instruction window (its storage is kept for the next snapshot_add_insn). */
void snapshot_clear_insns(struct snapshot *s);

/* A new, zeroed question at the end of the snapshot's list, or NULL when memory runs
 * out or SNAP_MAX_QUESTIONS are there already. */
struct snap_question *snapshot_add_question(struct snapshot *s);

/* Deep copy (heap strings duplicated); returns 0 or -ENOMEM. */
int snapshot_copy(struct snapshot *dst, const struct snapshot *src);

/* Release what the snapshot owns on the heap and empty its instruction and question
 * lists; the struct itself is the caller's. */
void snapshot_free(struct snapshot *s);

/* Whether two snapshots hold the same state (used by the back/forward test). */
bool snapshot_equal(const struct snapshot *a, const struct snapshot *b);

#endif
