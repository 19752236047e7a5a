/* paths.h: where syswalk finds its kernel, annotations and the Linux files.
 *
 * Run from the source tree (the binary is SRCDIR/build/syswalk), everything comes from
 * the tree: build/kernel/, annotations/, cache/linux/. Installed, from the data
 * directory (compiled in, or --data-dir, or $SYSWALK_DATADIR). The target's table entry
 * (kernels.h) says which files it needs; a kernel image brings its own symbols, DWARF
 * and .config (kernel_files.h), never another kernel's. Options override each.
 */
#ifndef SYSWALK_PATHS_H
#define SYSWALK_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include "kernel_files.h"
#include "options.h"

#define PATHS_LEN 4096

struct paths {
	bool source_tree;            /* running from the build tree */
	char data_dir[PATHS_LEN];
	struct kernel_files kernel;  /* the image QEMU boots and its companions */
	char srcroot[PATHS_LEN];     /* source tree for DWARF file names ("" when none) */
	char annotations[PATHS_LEN];
	char glossary[PATHS_LEN];    /* "" when none */
	char initrd[PATHS_LEN];      /* the demo's initramfs ("" when the target has none) */
	char user_symbols[PATHS_LEN];/* the demo's ELF when not in the kernel ("" when none) */
};

/* Work out every path for the options given. Returns 0, or -1 with a message naming
 * the missing file and how to get it. */
int paths_resolve(struct paths *p, const struct options *o, char *err, size_t errlen);

#endif
