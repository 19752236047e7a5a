/* demo.h: the walks a target offers, one per syscall its demo program issues.
 *
 * The teaching kernel's demo (kernel/user/) and the Linux init (kernel/linux-init/) issue
 * the same syscalls in the same order, forever; a walk picks one of them. A syscall is
 * recognised at its entry point by the number in RAX, which the CPU leaves untouched
 * across SYSCALL and INT.
 */
#ifndef SYSWALK_DEMO_H
#define SYSWALK_DEMO_H

#include <stdbool.h>
#include <stdint.h>
#include "options.h"

struct demo_syscall {
	const char *name;        /* what --syscall takes: "write", "getpid", ... */
	uint64_t rax;            /* number in RAX at the entry point */
	const char *entry;       /* entry symbol: "entry_SYSCALL_64" or "entry_INT80_compat" */
	const char *user_label;  /* label of the user's syscall instruction in the demo */
	const char *summary;     /* one line for --list */
};

/* The demo syscalls of TARGET, in the order the demo issues them; *n gets the count. */
const struct demo_syscall *demo_syscalls(enum syswalk_target target, int *n);

/* The demo syscall named or numbered SPEC ("getpid", "39", "0x40000027"), or NULL. */
const struct demo_syscall *demo_find(enum syswalk_target target, const char *spec);

/* The target's name as shown and exported: "teach" or "linux". */
const char *demo_target_name(enum syswalk_target target);

#endif
