/* qemu_internal.h: what qemu.c shares with qemu_argv.c and qemu_console.c (not for
 * other modules). */
#ifndef SYSWALK_QEMU_INTERNAL_H
#define SYSWALK_QEMU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "qemu.h"

#define QEMU_MAX_ARGS   64

/* The argv being built: pointers into the config or into BUF, which holds composed values. */
struct argv_builder {
	const char *argv[QEMU_MAX_ARGS + 1];
	int argc;
	char buf[1024];
	size_t used;
	bool overflow;
};

/* Q->err from FMT; returns CODE, so a failure is one line: return qemu_fail(q, -E, ...). */
int qemu_fail(struct qemu *q, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Find NAME as execvp would, into Q->binary. Returns 0 or -ENOENT with Q->err set. */
int qemu_resolve_binary(struct qemu *q, const char *name);

/* QEMU's argv for C, with Q's binary and socket paths, into B. Returns 0 or -E2BIG. */
int qemu_build_argv(struct qemu *q, const struct qemu_config *c, struct argv_builder *b);

#endif
