/* kernels.h: the kernels syswalk can walk, one description per target.
 *
 * Everything that differs between the teaching kernel and Debian's Linux 6.1 lives in
 * one table entry (kernels.c): the notes folder, the kernel command line, the memory,
 * the demo's syscalls and where its files are and how to get them. A new kernel version
 * is one entry here plus a notes folder (docs/linux-target.md, "Adding a kernel").
 *
 * The demo program (kernel/user/ for the teaching kernel, kernel/linux-init/ for Linux)
 * issues the same syscalls in the same order, forever; a walk picks one of them. A
 * syscall is recognised at its entry point by the number in RAX, which the CPU leaves
 * untouched across SYSCALL and INT, and by the return address after the demo's own
 * syscall instruction.
 */
#ifndef SYSWALK_KERNELS_H
#define SYSWALK_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct demo_syscall {
	const char *name;        /* what --syscall takes: "write", "getpid", ... */
	uint64_t rax;            /* number in RAX at the entry point */
	const char *entry;       /* entry symbol: "entry_SYSCALL_64", "asm_int80_emulation", ... */
	const char *user_label;  /* label of the user's syscall instruction in the demo */
	const char *summary;     /* one line for --list */
	const char *requires;    /* kernel option without which the kernel cannot take this
	                            call ("CONFIG_IA32_EMULATION"), NULL when none */
	const char *skip_word;   /* kernel command-line word that makes the demo leave the call
	                            out when the kernel lacks REQUIRES, NULL when none */
};

/* Where a target's kernel image lives when --kernel does not say. */
enum kernel_home {
	KERNEL_HOME_BUILD,       /* built by this tree (build/kernel/), or installed beside syswalk */
	KERNEL_HOME_CACHE,       /* fetched into the cache ($SYSWALK_CACHE or the tree's cache/) */
};

struct kernel_target {
	const char *name;            /* --target NAME, and the trace's "target" */
	const char *title;           /* a few words for --list and the start-up line */
	const char *notes;           /* the notes folder under annotations/ */
	enum kernel_home home;
	const char *home_dir;        /* KERNEL_HOME_CACHE: the folder in the cache ("linux") */
	const char *image;           /* the image's file name there */
	const char *get_image;       /* the command that makes or fetches a missing image */
	const char *append;          /* kernel command line, NULL when none */
	const char *pti_word[2];     /* words for isolation off and on (--pti), NULL: chosen
	                                when the kernel was built */
	const char *memory;          /* QEMU -m, NULL for QEMU's default in qemu.h */
	const char *demo_program;    /* the demo's own ELF ("init") beside the initramfs, when
	                                the demo is not linked into the kernel; NULL otherwise */
	const char *initrd;          /* the initramfs file name, NULL when none */
	const char *get_initrd;      /* the command that builds it */
	const struct demo_syscall *syscalls;   /* in the demo's own order */
	int nsyscalls;
};

/* Every target, in --list order; *N gets the count. */
const struct kernel_target *kernels_all(int *n);

/* The target called NAME, or NULL. */
const struct kernel_target *kernels_find(const char *name);

/* The default target: the teaching kernel. */
const struct kernel_target *kernels_default(void);

/* The demo syscall of KT named or numbered SPEC ("getpid", "39", "0x40000027"), or NULL. */
const struct demo_syscall *kernels_syscall(const struct kernel_target *kt, const char *spec);

/* The kernel command line for KT: its append words, the isolation word (PTI) when the
 * target has one, and EXTRA (may be NULL), space-separated into BUF. Returns BUF, ""
 * when the target boots with none. */
const char *kernels_command_line(const struct kernel_target *kt, bool pti, const char *extra,
				 char *buf, size_t len);

#endif
