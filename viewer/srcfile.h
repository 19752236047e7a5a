/* srcfile.h: the kernel source lines around a stop, for the source pane and the exports.
 *
 * DWARF gives each stop a file name and line ("kernel/entry_64.S", 48; for Debian's
 * Linux "arch/x86/entry/entry_64.S", 103). This module finds that file under a few
 * source roots (the teaching kernel's tree; a Linux build tree beside its vmlinux, or
 * its "source" link; Debian's linux-source-6.1 unpacked in the cache's linux-src/) and
 * cuts out the lines around the one that ran: entry_64.S with its macros and comments,
 * as gdb -tui shows it. The last file read is kept, since consecutive stops are mostly
 * in the same file.
 */
#ifndef SYSWALK_SRCFILE_H
#define SYSWALK_SRCFILE_H

#include <stddef.h>

#define SRCFILE_MAX_ROOTS 6
#define SRCFILE_MAX_BYTES (4u << 20)   /* a source file larger than this is not read */

struct srcfile {
	int nroots;
	char *roots[SRCFILE_MAX_ROOTS];
	char *name;          /* the file cached (as asked for), NULL when none */
	char *text;          /* its contents, NUL-terminated; NULL when it was not found */
	size_t len;
};

/* Source roots for a kernel: SRCROOT (may be NULL) first, then the directory of
 * DEBUGINFO (a build tree), its "source" link (an O= build), and every
 * linux-src/VERSION/linux-source-* beside the directory holding it (the cache). */
void srcfile_init(struct srcfile *sf, const char *srcroot, const char *debuginfo);

/* The lines of FILE from LINE - BEFORE to LINE + AFTER as a new string ('\n' after each
 * line, control bytes kept: the outputs make them safe), with the number of its first
 * line in *FIRST. NULL when the file is not found under a root, or LINE is not in it. */
char *srcfile_lines(struct srcfile *sf, const char *file, int line, int before, int after, int *first);

/* Release the roots and the cached file. */
void srcfile_free(struct srcfile *sf);

#endif
