/* expr.h: small expressions over a stop's state, for the claims a note makes.
 *
 * A note says "RCX now holds the address after the user's syscall"; its `check:` line
 * says the same thing to the machine: `rcx == $user_return`. The integration tests
 * evaluate every check at every stop where its note is shown, and the quiz (--quiz)
 * computes the answer to a question the same way, from live state, never from a
 * stored constant.
 *
 * Grammar (C precedence, 64-bit unsigned arithmetic, comparisons give 0 or 1):
 *   expr    := or
 *   or      := and ('||' and)*
 *   and     := cmp ('&&' cmp)*
 *   cmp     := bits (('=='|'!='|'<'|'<='|'>'|'>=') bits)?
 *   bits    := shift (('&'|'|'|'^') shift)*
 *   shift   := sum (('<<'|'>>') sum)*
 *   sum     := unary (('+'|'-') unary)*
 *   unary   := ('-'|'~'|'!') unary | primary
 *   primary := NUMBER | NAME | '&' SYMBOL | '$' VARIABLE | '(' expr ')'
 * NAME is a register (rcx, eflags, k_gs_base, ...), pt_regs.FIELD or msr.NAME
 * (lstar star fmask efer gs_base kernel_gs_base cstar); '&SYMBOL' is a kernel symbol's
 * address; '$VARIABLE' is supplied by the caller ($nr, $user_return, $frame, $cpl).
 */
#ifndef SYSWALK_EXPR_H
#define SYSWALK_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct expr_env {
	const struct snapshot *snap;
	void *ctx;
	/* Address of SYMBOL (NAME is LEN bytes, not NUL-terminated); 0 or negative. */
	int (*symbol)(void *ctx, const char *name, size_t len, uint64_t *value);
	/* Value of $VARIABLE; 0 or negative when unknown. */
	int (*variable)(void *ctx, const char *name, size_t len, uint64_t *value);
};

/* Evaluate TEXT in ENV. Returns 0 with *VALUE set, or -1 with a message in ERR naming
 * what was wrong and the column where ("column 7: no register 'rxc'"). */
int expr_eval(const char *text, const struct expr_env *env, uint64_t *value, char *err, size_t errlen);

/* Check TEXT's syntax and names without a snapshot (symbols and variables are not
 * looked up). Returns 0, or -1 with a message in ERR. */
int expr_check_syntax(const char *text, char *err, size_t errlen);

#endif
