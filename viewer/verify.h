/* verify.h: every claim of a target's notes, checked against the live CPU.
 *
 * --check-annotations loads and resolves the notes, then walks every demo syscall of
 * the target with "next" and, at every stop, evaluates the `check:` lines of the note
 * shown there (they must hold) and the answers of its `ask:` questions (they must be
 * computable). Notes that no walk reaches are reported as warnings (some stops exist
 * only in some boots). Problems are printed as
 * "file:line: message", the way a teacher's editor jumps to them.
 */
#ifndef SYSWALK_VERIFY_H
#define SYSWALK_VERIFY_H

#include <stdio.h>
#include "walk.h"

struct verify_counts {
	size_t stops, checks, questions, problems, unreached;
	size_t false_claims;         /* check: lines false at a stop (among the problems) */
	size_t skipped_walks;        /* demo syscalls this kernel cannot take */
};

/* Walk W (already at its first stop) through every demo syscall of its target, from
 * the current one on, checking as described above; problems go to OUT. Returns 0 when
 * the walks ran (problems are counted in *C), or negative when a walk failed. */
int verify_walks(struct walk *w, FILE *out, struct verify_counts *c);

#endif
