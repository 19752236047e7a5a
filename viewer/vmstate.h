/* vmstate.h: instant start. Boot each kernel once, save the machine at the stop before
 * the first demo syscall, and start every later walk, and every restart, from there.
 *
 * The saved state is QEMU's own migration stream ("migrate" to a file descriptor, read
 * back with "-incoming fd:N"), driven over a private QMP monitor socket in QEMU's 0700
 * directory. It is kept under $XDG_CACHE_HOME/syswalk (vmstate_file.h), keyed by what
 * makes the machine: kernel and initramfs bytes, QEMU's full command line and version.
 * A state that is missing, stale, corrupt or foreign is never trusted: the kernel boots
 * as it would without the cache, a one-line note says why, and a fresh state replaces
 * the bad one. Why migration and not savevm/loadvm: docs/decisions.md.
 *
 * Used by the walk where QEMU is started (vmstate_launch, then vmstate_ready once the
 * symbols are loaded: QEMU loads the state meanwhile), once the gdbstub is connected
 * (vmstate_settle runs a booted machine to the stop and saves it), for "walk again"
 * (vmstate_restart) and at the end (vmstate_close).
 */
#ifndef SYSWALK_VMSTATE_H
#define SYSWALK_VMSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "qemu.h"
#include "target.h"
#include "vmstate_file.h"

#define VMSTATE_NOTE_LEN 768

/* A QEMU started on the state file and still loading it. */
struct vmstate_load {
	bool active;
	int fd;                          /* the state file, QEMU reads it from its own offset */
	struct vmstate_header h;
	double t0;
};

struct vmstate {
	bool enabled;                    /* the cache is in use for this walk */
	bool restored;                   /* the running QEMU started from the saved state */
	bool have_state;                 /* a good state for this machine is on disk */
	bool save_pending;               /* booted with the cache on: save at the stop */
	bool want_spare;                 /* keep a second QEMU loaded with the state, for r */
	struct vmstate_load load;        /* the walk's QEMU, between launch and ready */
	struct qemu spare;               /* the next r's QEMU, loading or loaded */
	struct vmstate_load spare_load;
	struct stat good;                /* the state file last checked in full */
	struct qemu_config qc;           /* the machine, with the monitor (strings stay the caller's) */
	char dir[VMSTATE_PATH_LEN];
	char path[VMSTATE_PATH_LEN];     /* DIR/<key>.state; "" while QEMU's version is unknown */
	char key[VMSTATE_HASH_HEX];
	char qemu_version[VMSTATE_VERSION_LEN];
	char label[VMSTATE_LABEL_LEN];   /* the stop: the demo's first syscall instruction */
	uint64_t addr;
	uint64_t state_bytes;            /* size of the state file */
	double restore_ms, save_ms;      /* how long the last restore and the save took */
	char note[VMSTATE_NOTE_LEN];     /* one line for the user, "" when there is nothing to say */
};

/* Start QEMU for the machine C: from the saved state when the cache is ENABLED and holds
 * one for this machine, else booting (with a monitor, to save the state later). QEMU is
 * not waited for: the caller loads its symbols meanwhile, then calls vmstate_ready.
 * LABEL names the stop the state is saved at (the first demo syscall's user
 * instruction); without it, with an accelerator other than tcg, or when the cache
 * directory cannot be used, QEMU starts exactly as qemu_start(Q, C) would. SPARE: keep
 * a second QEMU loaded with the state, so that r is a swap (interactive use). Returns
 * qemu_start's result; a bad state is never an error, only a note. */
int vmstate_launch(struct vmstate *v, struct qemu *q, const struct qemu_config *c, bool enabled,
		   const char *label, bool spare);

/* Finish the start once the walk knows ADDR, the stop's address (0: unknown, and the
 * cache is not used): check what QEMU loaded (hash, QEMU's own verdict, the address),
 * or boot when it is not good, with a note. Returns 0 or qemu_start's error. */
int vmstate_ready(struct vmstate *v, struct qemu *q, uint64_t addr);

/* Once T is connected to Q's gdbstub: when Q booted with the cache on, run to the stop
 * and save the machine there. Afterwards the CPU is at the stop whether Q booted or was
 * restored (with the cache off nothing runs). Returns 0, or a target error code when
 * running failed (-EINTR when interrupted); failing to save is only a note. */
int vmstate_settle(struct vmstate *v, struct qemu *q, struct target *t, int timeout_ms);

/* Replace the running QEMU Q by a new one started from the saved state, keeping the
 * console's descriptor number (a poller keeps watching it). Q is untouched on failure.
 * The caller reconnects its gdbstub client. Returns 0, -ENOENT when there is no saved
 * state for this walk, or another negative code (with a note) when it did not work. */
int vmstate_restart(struct vmstate *v, struct qemu *q);

/* When asked for at launch (SPARE), start the next restart's QEMU now, loading the state
 * in the background (call it once a stop is shown: it competes for the CPU). */
void vmstate_prepare_restart(struct vmstate *v);

/* Stop the spare QEMU and close what is open. Safe twice. */
void vmstate_close(struct vmstate *v);

/* The last note for the user, one line ("" when none). */
const char *vmstate_note(const struct vmstate *v);

#endif
