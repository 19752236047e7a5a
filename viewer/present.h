/* present.h: how a stop is shown, decided once for every output.
 *
 * The curses panes, --batch, the Markdown handout, the HTML page and the JSON trace
 * all lay out what this module decides: which registers go together, what an MSR's
 * value means (STAR's selectors, FMASK's flags, EFER's bits, LSTAR's symbol), the
 * words for a stop's kind, which names a note's show: line points at, the order of
 * the pt_regs fields, how code bytes and quiz answers are written. One change here
 * changes every output. Pure: no curses, no I/O, only snapshots in and text out.
 */
#ifndef SYSWALK_PRESENT_H
#define SYSWALK_PRESENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

/* A group of registers shown together, in this order. */
struct present_group {
	const char *title;           /* "general", "segment", "system", "other" */
	const char *const *names;    /* NULL for "other": every register no group names */
	int n;
	int name_w;                  /* columns a name takes in a fixed-width layout */
	int digits;                  /* hex digits of a value */
};

enum { PRESENT_GROUP_COUNT = 4 };

/* The register groups, in display order (the last one, "other", has no names). */
extern const struct present_group present_groups[PRESENT_GROUP_COUNT];

/* The registers of group G that S has, in order, into OUT (room for SNAP_MAX_REGS).
 * Returns how many. */
int present_group_regs(const struct snapshot *s, const struct present_group *g,
		       const struct snap_reg **out);

/* The register called NAME (case-insensitive; "rflags" finds QEMU's "eflags"), or NULL. */
const struct snap_reg *present_reg(const struct snapshot *s, const char *name);

/* A value with as many hex digits as BITS needs (16 for 0 or 64), "0x" first. */
void present_hex(char *buf, size_t cap, uint64_t v, unsigned bits);

/* Names of the set bits of an RFLAGS value, low to high ("CF PF ZF IF"); IOPL as
 * "IOPL=N" when WITH_IOPL, else "IOPL" when any of its bits is set. */
void present_flags_names(uint64_t flags, bool with_iopl, char *buf, size_t cap);

/* Names of the set EFER bits ("SCE LME LMA NXE"). */
void present_efer_names(uint64_t efer, char *buf, size_t cap);

/* The MSR's name in show: lines and the JSON decode ("msr.lstar", "msr.kernel_gs_base"). */
const char *present_msr_show_name(enum snap_msr_id id);

/* How an MSR's value came to this stop, in words ("read at this stop", ...). */
const char *present_msr_source(enum snap_msr_source src);

/* What the MSR's value means at stop S, as up to MAX lines of at most 64 bytes:
 * LSTAR "= entry_SYSCALL_64" (when the stop knows the symbol), STAR "syscall: CS 0010
 * SS 0018" and "sysret:  CS 0033 SS 002b", FMASK "clears: TF IF DF AC", EFER "bits: SCE
 * LME LMA NXE". Returns the lines written (0 when the MSR was never read or means
 * nothing more than its value). */
int present_msr_decode(const struct snapshot *s, enum snap_msr_id id, char lines[][64], int max);

/* The words for a stop's kind: "annotated stop", "single step", "user mode". */
const char *present_kind_word(enum snap_kind k);

/* The short form: "stop", "step", "user" (--batch headings, JSON, CSS classes use
 * present_kind_class: "anchor", "step", "user"). */
const char *present_kind_short(enum snap_kind k);
const char *present_kind_class(enum snap_kind k);

/* The one spelling of a show: name: lower case, "rflags" as "eflags" (QEMU's name),
 * into BUF. Returns BUF. */
char *present_show_canonical(const char *name, size_t len, char *buf, size_t cap);

/* Whether TEXT (a show: line, a question's expression) names NAME, in the spelling of
 * present_show_canonical: its words are the runs of letters, digits, '_' and '.'. */
bool present_mentions(const char *text, const char *name);

/* Whether the note's show: line at S points at NAME ("rcx", "rflags", "msr.lstar",
 * "pt_regs.ip"): one rule for the screen and every export. */
bool present_shown(const struct snapshot *s, const char *name);

/* The frame's slot indexes, highest offset first (the order the stack is drawn, ss on
 * top), into ORDER (room for SNAP_MAX_SLOTS). Returns how many. */
int present_frame_order(const struct snap_frame *f, int *order);

/* Code bytes spaced two hex digits apart: "0f 01 f8". */
void present_bytes(const struct snap_insn *in, char *buf, size_t cap);

/* The right answer of a question in words: the choice(s) it names with the value,
 * "(1) in RCX: 0x40033f", or for a typed answer the value, "0x10", with its signed
 * decimal when it reads as a small negative number ("0xffffffffffffffda = -38").
 * "unknown at this stop" when it could not be computed. */
void present_answer(const struct snap_question *q, char *buf, size_t cap);

/* The number of the first choice whose value is the answer (1-based), 0 for none. */
int present_answer_choice(const struct snap_question *q);

/* The mark every output puts before a caveat line (a note's claim that does not hold
 * at this stop, or a note that does not apply to this kernel): "⚠ " or, without
 * UTF-8, "! ". */
const char *present_caveat_mark(bool utf8);

/* The I-th line (0-based) of a snapshot's note_caveats into BUF, without its newline,
 * prefixed with the mark and "Warning: ". Returns false when there is no such line. */
bool present_caveat_line(const char *caveats, int i, bool utf8, char *buf, size_t cap);

/* The last component of PATH ("syswalk-kernel.elf"); "" for NULL. */
const char *present_basename(const char *path);

/* A command line with every word that names a path cut to its file name, so an export
 * carries no machine path: "build/syswalk --kernel /tmp/x/bzImage" becomes "syswalk
 * --kernel bzImage" (also "--opt=/a/b" -> "--opt=b"). */
void present_command(const char *cmd, char *buf, size_t cap);

#endif
