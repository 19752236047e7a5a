/* options.h: the command line, parsed into one struct (pure: no I/O but the messages). */
#ifndef SYSWALK_OPTIONS_H
#define SYSWALK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels.h"

enum syswalk_mode {
	MODE_INTERACTIVE,        /* the ncurses viewer (default) */
	MODE_BATCH,              /* --batch: the walk printed as text */
	MODE_EXPORT,             /* --export FILE */
	MODE_REPLAY,             /* --replay FILE.json: the viewer over a saved trace */
	MODE_TRACE,              /* --trace: every instruction of one syscall, headless */
	MODE_CHECK_ANNOTATIONS,  /* --check-annotations DIR */
	MODE_LIST,               /* --list */
	MODE_COMMAND_LINE,       /* --kernel-command-line: what the target's kernel boots with */
	MODE_HELP,
	MODE_VERSION,
};

struct options {
	enum syswalk_mode mode;
	const struct kernel_target *target;   /* --target NAME (kernels.h); the teaching kernel by default */
	const char *syscall;         /* --syscall NAME|NR|all; NULL = the target's first (write) */
	const char *export_path;     /* --export */
	const char *replay_path;     /* --replay */
	const char *check_dir;       /* --check-annotations */
	const char *kernel;          /* --kernel: override the target's kernel image */
	const char *symbols;         /* --symbols: ELF with symbols or System.map */
	const char *kernel_config;   /* --kernel-config: the kernel's .config (for requires:) */
	const char *append;          /* --append: more kernel command-line words */
	const char *annotations;     /* --annotations DIR */
	const char *data_dir;        /* --data-dir: where kernel and annotations are installed */
	const char *attach;          /* --attach unix:PATH | 127.0.0.1:PORT */
	const char *qemu;            /* --qemu BINARY */
	const char *accel;           /* --accel tcg|kvm */
	bool pti;                    /* --pti: page-table isolation on (linux target) */
	bool no_cache;               /* --no-cache: boot the kernel, neither use nor save a machine state */
	bool intel;                  /* --intel: Intel syntax first */
	bool quiz;                   /* --quiz: predict-then-reveal */
	int timeout_ms;              /* --timeout SECONDS for each gdbstub answer */
};

/* Parse argv into *o. Returns 0, or -1 with a message naming the bad argument in err. */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);

/* The --help text. */
const char *options_usage(void);

#endif
