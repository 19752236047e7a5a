/* paths.h: where syswalk finds its kernel, annotations and the Linux files.
 *
 * Run from the source tree (the binary is SRCDIR/build/syswalk), everything comes from
 * the tree: build/kernel/, annotations/, cache/linux/. Installed, from the data
 * directory (compiled in, or --data-dir, or $SYSWALK_DATADIR). Options override each.
 */
#ifndef SYSWALK_PATHS_H
#define SYSWALK_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include "options.h"

#define PATHS_LEN 4096

struct paths {
	bool source_tree;            /* running from the build tree */
	char data_dir[PATHS_LEN];
	char kernel[PATHS_LEN];      /* the image QEMU boots */
	char symbols[PATHS_LEN];     /* ELF or System.map ("" when none) */
	char debuginfo[PATHS_LEN];   /* ELF with DWARF ("" when none) */
	char srcroot[PATHS_LEN];     /* source tree for DWARF file names ("" when none) */
	char annotations[PATHS_LEN];
	char glossary[PATHS_LEN];    /* "" when none */
	char initrd[PATHS_LEN];      /* linux: our init, packed */
	char user_symbols[PATHS_LEN];/* linux: our init's ELF, for its syscall labels ("" when none) */
};

/* Work out every path for the options given. Returns 0, or -1 with a message naming
 * the missing file and how to get it. */
int paths_resolve(struct paths *p, const struct options *o, char *err, size_t errlen);

#endif
