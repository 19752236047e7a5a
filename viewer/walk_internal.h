/* walk_internal.h: what the walk's own files (walk.c, walk_run.c, walk_snapshot.c)
 * share with each other and nobody else. */
#ifndef SYSWALK_WALK_INTERNAL_H
#define SYSWALK_WALK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "walk.h"

/* Addresses at or above this are the kernel's half of the canonical space. */
#define KERNEL_HALF 0xffff800000000000ULL

/* Keep a message in w->err; returns CODE (or -1 when CODE is not negative). */
int walk_fail(struct walk *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A failed target operation, explained: a dead QEMU is the news, not the socket error. */
int walk_fail_target(struct walk *w, int rc, const char *doing);

/* Register NAME at the last live stop (0 when unknown). */
uint64_t walk_reg(const struct walk *w, const char *name);

/* Remove every breakpoint the target holds. */
void walk_remove_breakpoints(struct walk *w);

/* Resolve the notes' anchors against the running kernel (once). */
int walk_resolve_anchors(struct walk *w);

/* A breakpoint on every resolved note (once). */
int walk_set_anchor_breakpoints(struct walk *w);

/* Set w->describe from what is known so far (target, notes, isolation). */
void walk_describe(struct walk *w);

/* Whether the kernel has build option NAME ("CONFIG_SMP"): from its .config, else told
 * by a symbol that exists exactly when it is set (walk_kernel.c), else unknown. */
enum kconfig_state walk_kernel_option(const struct walk *w, const char *name);

/* annot.h's requirement callback over this walk (CTX is the walk). */
int walk_requirement(void *ctx, const char *item, char *why, size_t whylen);

/* The address of per-CPU variable SYM for the CPU at the last stop: an SMP kernel
 * links per-CPU symbols at small offsets from the per-CPU base (GS), a uniprocessor
 * kernel at their final address. */
uint64_t walk_percpu_address(const struct walk *w, uint64_t sym);

/* $VARIABLE of expr.h for the syscall being walked. */
int walk_env_variable(void *ctx, const char *name, size_t len, uint64_t *value);

/* Read all registers into w->regs ('g'). */
int walk_read_regs(struct walk *w);

/* At a stop on one of the demo's user syscall instructions (WANT, or any when NULL):
 * keep the registers as the "before" of the syscall and return that syscall; else NULL. */
const struct demo_syscall *walk_at_user_syscall(struct walk *w, const struct demo_syscall *want);

/* The kernel has no symbol for the entry point of WANT (or of some demo syscall). */
bool walk_needs_discovery(const struct walk *w, const struct demo_syscall *want);

/* Find the syscall path without kernel symbols (walk_discover.c): run to the demo's own
 * syscall instruction, step through it, and name what the CPU reached. */
int walk_discover(struct walk *w, const struct demo_syscall *want, const struct demo_syscall **found);

#endif
