/* annot.h: the annotation files, loaded, checked and resolved to addresses.
 *
 * A target's prose lives in a directory of Markdown files (annotations/teach/, ...)
 * that a teacher edits without recompiling. Every level-2 heading ("## ...") starts a
 * note and names its anchor, the place in the kernel where the walk stops to show it:
 *
 *     ## entry_SYSCALL_64                   the first byte of a symbol
 *     ## entry_SYSCALL_64+0x1c              a byte offset inside it
 *     ## entry_SYSCALL_64/swapgs#2          the 2nd swapgs inside it (#1 by default)
 *     ## entry_SYSCALL_64/swapgs — Swapping GS      with a title after " — "
 *     ## syscall_return_via_sysret/mov:%rsp,%rdi    the mov whose operands read so
 *     ## do_syscall_64->syscall_exit_to_user_mode   the call (or tail jmp) to a symbol
 *
 * Code that exists only in some kernels (page-table isolation, the IA-32 emulation,
 * SMP) is noted with "requires:" lines: a note whose requirement does not hold, or
 * whose anchor this kernel does not have, does not apply to it. It is left out of the
 * walk with the reason kept (never attached elsewhere, never fatal).
 *
 * A "show: rcx r11 msr.lstar pt_regs.orig_ax" line directly under the heading names
 * what the screen highlights; any number of "check: rcx == $user_return" lines there
 * state the note's claims about values at the stop as expressions (expr.h) that the
 * integration tests evaluate against the live CPU. Loading checks everything it can without a kernel and
 * collects every problem as a "file:line: message" string; resolution (annot_resolve)
 * then turns anchors into addresses through callbacks that the walk provides.
 * docs/annotations.md is the teacher's description of the format.
 */
#ifndef SYSWALK_ANNOT_H
#define SYSWALK_ANNOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ANNOT_MAX_FILE_SIZE (1024 * 1024)   /* larger files are refused, not truncated */

enum annot_anchor_kind {
	ANNOT_AT_SYMBOL,     /* SYMBOL */
	ANNOT_AT_OFFSET,     /* SYMBOL+0xOFF */
	ANNOT_AT_MNEMONIC,   /* SYMBOL/MNEMONIC[:OPERANDS][#N] */
	ANNOT_AT_BRANCH,     /* SYMBOL->TARGET[#N]: a call or jmp to TARGET */
	ANNOT_AT_GLOSSARY,   /* glossary entry: MNEMONIC[/MNEMONIC...] in symbol */
};

struct annot_anchor {
	enum annot_anchor_kind kind;
	char *symbol;        /* the symbol; for a glossary entry the '/'-separated names */
	uint64_t offset;     /* ANNOT_AT_OFFSET */
	char *mnemonic;      /* ANNOT_AT_MNEMONIC, else NULL */
	char *operands;      /* ANNOT_AT_MNEMONIC: text the operands contain, or NULL */
	char *target;        /* ANNOT_AT_BRANCH: the symbol branched to, else NULL */
	int nth;             /* ANNOT_AT_MNEMONIC, ANNOT_AT_BRANCH: which one, from 1 */
};

#define ANNOT_MAX_QUESTIONS 3        /* = SNAP_MAX_QUESTIONS */
#define ANNOT_MAX_CHOICES 6          /* = SNAP_MAX_CHOICES */
#define ANNOT_MAX_QUESTION_LEN 200
#define ANNOT_MAX_LABEL_LEN 32

/* A predict-then-reveal question ("ask: QUESTION => EXPR [; LABEL = EXPR]..."): the
 * answer is EXPR evaluated at the stop, from live state; never a stored constant. */
struct annot_question {
	char *text;
	char *expr;
	int nchoices;                /* 0: the learner types a value */
	char *choice_label[ANNOT_MAX_CHOICES];
	char *choice_expr[ANNOT_MAX_CHOICES];
	const char *file;            /* the note's file (owned by the note) */
	int line;
};

struct annot_note {
	char *anchor_text;   /* the anchor as written: "entry_SYSCALL_64/swapgs" */
	struct annot_anchor anchor;
	char *title;         /* the title after the separator, or the anchor text when none */
	char *show;          /* space-separated names to highlight, "" when none */
	char **requires;     /* the "requires: ..." lines' values: "CONFIG_SMP", "!pti",
	                        "symbol asm_int80_emulation" */
	int *requires_lines;
	size_t nrequires;
	char **checks;       /* the "check: EXPR" lines (expr.h), in file order */
	int *check_lines;    /* line of each check, from 1 */
	size_t nchecks;
	struct annot_question questions[ANNOT_MAX_QUESTIONS];   /* "ask:" lines, --quiz */
	size_t nquestions;
	char *markdown;      /* the prose, verbatim Markdown, never empty */
	char *file;          /* path as given to the loader */
	int line;            /* line of the heading, from 1 */
	bool resolved;       /* addr is valid (after annot_resolve) */
	uint64_t addr;
	/* After annot_resolve, for a note that is not resolved: why it does not apply to
	 * this kernel ("needs CONFIG_IA32_EMULATION, not set in .config", "no 'mov' with
	 * operands ',%cr3' in entry_SYSCALL_64"); NULL otherwise. */
	char *not_applicable;
	bool requirement_unmet;  /* the reason is a requires: line (else the anchor) */
};

/* Text before the first anchor of a file (its title and introduction). */
struct annot_intro {
	char *file;
	char *markdown;      /* "" when the file starts with an anchor */
};

struct annot_set {
	struct annot_note *notes;    /* in load order: file name order, then line order */
	size_t nnotes;
	struct annot_intro *intros;  /* one per file loaded */
	size_t nintros;
	char **errors;               /* "file:line: message", in the order found */
	size_t nerrors;
	bool glossary;               /* anchors are mnemonics (annot_load_glossary) */
	size_t cap_notes, cap_intros, cap_errors;
};

/* How annot_resolve reaches a kernel: callbacks supplied by the walk (or a test). */
struct annot_resolver {
	void *ctx;
	/* Address and size in bytes (0 when unknown) of NAME; 0, or negative when absent. */
	int (*lookup_symbol)(void *ctx, const char *name, uint64_t *addr, uint64_t *size);
	/* Count the instructions in [func_addr, func_addr+func_size) that match: by
	 * MNEMONIC (and OPERANDS, text the operands contain, when not NULL), or, when
	 * BRANCH_TARGET is not 0, the calls and jmps to that address. When there are at
	 * least N, set *addr to the N-th (N from 1). Returns the count seen (it may stop
	 * counting at N), or negative when the code cannot be disassembled. */
	int (*find_insn)(void *ctx, uint64_t func_addr, uint64_t func_size, const char *mnemonic,
	                 const char *operands, uint64_t branch_target, int n, uint64_t *addr);
	/* Whether requirement ITEM (a requires: value) holds for this kernel: 1 yes, 0 no
	 * (with the reason in WHY), negative when it cannot be told (the note is then
	 * kept, and its anchor decides). NULL: every requirement is taken as met. */
	int (*requirement)(void *ctx, const char *item, char *why, size_t whylen);
};

/* An empty set, ready for loading. */
void annot_set_init(struct annot_set *set);

/* Release everything the set holds; it is empty (and reusable) afterwards. */
void annot_set_free(struct annot_set *set);

/* Load every *.md of DIR in name order; returns the number of errors added, or -ENOMEM. */
int annot_load_dir(struct annot_set *set, const char *dir);

/* Load one file; returns the number of errors added, or -ENOMEM. */
int annot_load_file(struct annot_set *set, const char *path);

/* Load LEN bytes as if read from a file called NAME; errors added, or -ENOMEM. */
int annot_load_buffer(struct annot_set *set, const char *name, const char *buf, size_t len);

/* Load the mnemonic glossary (headings are "## mnemonic[/mnemonic...]") into an empty set. */
int annot_load_glossary(struct annot_set *set, const char *path);

/* Give every note an address through R, or the reason it does not apply to this kernel
 * (not_applicable). Two notes at one address: the later one does not apply. Returns
 * the number of notes that do not apply, or -ENOMEM. Nothing is added to the errors:
 * a kernel the notes were not written for is not a mistake in the notes. */
int annot_resolve(struct annot_set *set, const struct annot_resolver *r);

/* Check a requires: value's syntax; returns NULL or what is wrong with it. */
const char *annot_requirement_syntax(const char *item);

/* The resolved note at ADDR, or NULL. */
const struct annot_note *annot_find_by_addr(const struct annot_set *set, uint64_t addr);

/* The note whose anchor is written exactly ANCHOR, or NULL. */
const struct annot_note *annot_find_by_anchor(const struct annot_set *set, const char *anchor);

/* The glossary entry for an instruction, given capstone's MNEMONIC and OPERANDS (may be
 * NULL): "movq %rax, %cr3" finds "mov-cr3" before "mov"; "pushq" finds "push". */
const struct annot_note *annot_glossary_find(const struct annot_set *set,
                                             const char *mnemonic, const char *operands);

/* Append "FMT, ..." to the errors (the caller writes the "file:line: " part); 0 or -ENOMEM. */
int annot_add_error(struct annot_set *set, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Release what a question holds (the struct itself is the caller's). */
void annot_question_free(struct annot_question *q);

/* Print every error, one per line; returns how many. */
size_t annot_print_errors(const struct annot_set *set, FILE *out);

#endif
