/* kernel_files.h: a kernel image's companions: its symbols, its DWARF and its .config.
 *
 * A learner brings a kernel as the image QEMU boots (arch/x86/boot/bzImage of their
 * build tree, or a distribution's /boot/vmlinuz-RELEASE). Its symbols and debugging
 * information live in other files that belong to exactly that build, at places fixed by
 * how kernels are built and packaged:
 *
 *   build tree (make O=DIR)   DIR/arch/x86/boot/bzImage  DIR/vmlinux  DIR/System.map  DIR/.config
 *   Debian's packages         /boot/vmlinuz-REL  /boot/System.map-REL  /boot/config-REL,
 *                             /usr/lib/debug/boot/vmlinux-REL (the -dbg package)
 *   beside the image          DIR/vmlinux, DIR/System.map, DIR/.config, or the -REL names
 *
 * This module looks only there, never at another kernel's files: a wrong symbol table
 * puts breakpoints on the wrong bytes. An ELF image (the teaching kernel, a vmlinux) is
 * its own symbol and DWARF file. Pure file-system work, no kernel is run.
 */
#ifndef SYSWALK_KERNEL_FILES_H
#define SYSWALK_KERNEL_FILES_H

#include <stdbool.h>
#include <stddef.h>

#define KERNEL_FILES_LEN 4096

struct kernel_files {
	char image[KERNEL_FILES_LEN];        /* what QEMU boots */
	char symbols[KERNEL_FILES_LEN];      /* ELF or System.map, "" when none was found */
	char debuginfo[KERNEL_FILES_LEN];    /* ELF with DWARF, "" when none */
	char config[KERNEL_FILES_LEN];       /* the build's .config, "" when none */
	char srcroot[KERNEL_FILES_LEN];      /* the source tree of a build tree (its "source"
	                                        link, made by make O=), "" when unknown */
	bool symbols_are_elf;
	char symbols_from[48];               /* how SYMBOLS was chosen: "the image itself",
	                                        "--symbols", "beside the image", ... */
};

/* Find the companions of IMAGE. SYMBOLS and CONFIG are the user's choices (NULL when not
 * given) and win over what is found; a System.map given as SYMBOLS still gets the DWARF
 * of a vmlinux found beside the image. Returns 0, or -1 with a message in ERR when IMAGE
 * or a file given cannot be read. Finding no symbols is not an error (the walk then
 * finds its way from the CPU). */
int kernel_files_find(struct kernel_files *kf, const char *image, const char *symbols,
		      const char *config, char *err, size_t errlen);

/* The files of a kernel whose image is not here (--attach to a QEMU started elsewhere):
 * IMAGE is only named, SYMBOLS (NULL when not given) is checked and read as
 * kernel_files_find reads it. Returns 0, or -1 with a message in ERR. */
int kernel_files_given(struct kernel_files *kf, const char *image, const char *symbols,
		       char *err, size_t errlen);

/* Whether PATH is an ELF file (its first four bytes). */
bool kernel_files_is_elf(const char *path);

/* Whether the ELF file PATH has DWARF (a .debug_info section). */
bool kernel_files_has_dwarf(const char *path);

/* One line naming the files in use by their file names ("kernel bzImage; symbols
 * vmlinux (ELF, beside the image); DWARF vmlinux; config .config"), for the start-up
 * message and the exports. Returns BUF. */
const char *kernel_files_describe(const struct kernel_files *kf, char *buf, size_t len);

#endif
