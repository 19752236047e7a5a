/* debuginfo.h: what the kernel's DWARF tells the walk (libdw): the layout of
 * struct pt_regs, and the source file:line of an address.
 *
 * Without DWARF (a stripped kernel, Debian's image without the -dbg package) the walk
 * still needs the pt_regs frame: x86_64's layout is part of the kernel ABI (ptrace
 * exposes it), so a built-in copy serves, and the layout says which one was used.
 * (The module is not called "dwarf": libdw owns the dwarf_* names.)
 */
#ifndef SYSWALK_DEBUGINFO_H
#define SYSWALK_DEBUGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

#define DEBUGINFO_ERR_LEN 512
#define DEBUGINFO_MAX_FIELDS SNAP_MAX_SLOTS

struct debuginfo_field {
	char name[SNAP_NAME_LEN];
	uint32_t offset;             /* bytes from the start of the struct */
	uint32_t size;               /* bytes */
};

struct debuginfo_layout {
	char source[16];             /* "dwarf" or "builtin" */
	uint32_t size;               /* sizeof the struct */
	int nfields;
	struct debuginfo_field fields[DEBUGINFO_MAX_FIELDS];
};

struct debuginfo {
	int fd;
	void *dwarf;                 /* Dwarf *, kept opaque so users need no libdw headers */
	char path[256];
	char srcroot[256];           /* paths under it are shown relative to it */
	char err[DEBUGINFO_ERR_LEN];
};

/* Open the DWARF of the ELF file PATH. SRCROOT (may be NULL) is the source tree that
 * file names are shortened against (else each compile unit's own directory).
 * Returns 0, or a negative errno with a message (no file, not ELF, no DWARF). */
int debuginfo_open(struct debuginfo *d, const char *path, const char *srcroot);

/* Release D; safe on a zeroed or closed struct, and twice. */
void debuginfo_close(struct debuginfo *d);

/* The layout of "struct NAME" from the DWARF (the first complete definition found).
 * Returns 0, -ENOENT when no compile unit defines it, or another negative errno. */
int debuginfo_struct_layout(struct debuginfo *d, const char *name, struct debuginfo_layout *out);

/* Linux's x86_64 struct pt_regs: r15 at 0 ... ss at 160, 168 bytes, source "builtin". */
void debuginfo_builtin_pt_regs(struct debuginfo_layout *out);

/* struct pt_regs from the DWARF when D is open and has it, else the built-in layout.
 * out->source says which; when the built-in one was used, debuginfo_error(D) says why. */
void debuginfo_pt_regs(struct debuginfo *d, struct debuginfo_layout *out);

/* Copy LAYOUT into a snapshot frame: names, offsets, size and source (values untouched). */
void debuginfo_fill_frame(const struct debuginfo_layout *layout, struct snap_frame *frame);

/* The source FILE (shortened, see debuginfo_open) and *LINE of ADDR. Returns 0, or
 * -ENOENT when the DWARF has no line for it. */
int debuginfo_source_line(struct debuginfo *d, uint64_t addr, char *file, size_t len, int *line);

/* The last error message, "" when none. */
const char *debuginfo_error(const struct debuginfo *d);

/* The GNU build id of the ELF file at PATH as hex into HEX (2 digits a byte). Returns 0,
 * or -ENOENT when PATH is not an ELF file or has no build id (HEX is then ""). */
int debuginfo_build_id(const char *path, char *hex, size_t cap);

#endif
