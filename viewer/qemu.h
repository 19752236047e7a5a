/* qemu.h: launch qemu-system-x86_64 for the walk, and make sure it dies with us.
 *
 * QEMU is started without a shell (fork + exec of an argv array), stopped at the first
 * instruction (-S), with its gdbstub on a unix socket inside a fresh private directory
 * (mode 0700): never on a TCP port, which anyone on the machine could reach. The guest's
 * serial port (COM1) is QEMU's stdout, a pipe whose read end the caller polls; the bytes
 * are kept here until the walk takes them ("console since the last stop").
 *
 * Speaking RSP over the socket is not this module's business (rsp.h does that): it only
 * hands out the socket path. QEMU is reaped with waitpid: the program must not set
 * SIGCHLD to SIG_IGN (or SA_NOCLDWAIT), or its exit status would be lost.
 */
#ifndef SYSWALK_QEMU_H
#define SYSWALK_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define QEMU_DEFAULT_BINARY     "qemu-system-x86_64"
#define QEMU_DEFAULT_MEMORY     "64M"
#define QEMU_DEFAULT_ACCEL      "tcg"
#define QEMU_DEFAULT_START_MS   15000   /* TCG start-up on a busy 2-core machine */
#define QEMU_DEFAULT_STOP_MS    1000    /* SIGTERM grace period before SIGKILL */
#define QEMU_PATH_LEN           108     /* sizeof(sun_path): socket paths must fit */
#define QEMU_ERR_LEN            1024

/* What to run. Every pointer may be NULL (the default is used, or the option omitted). */
struct qemu_config {
	const char *binary;             /* name looked up in $PATH, or a path; default qemu-system-x86_64 */
	const char *kernel;             /* -kernel */
	const char *append;             /* -append (kernel command line) */
	const char *initrd;             /* -initrd (the Linux target) */
	const char *memory;             /* -m, default 64M */
	const char *accel;              /* -accel, default tcg ("kvm" when asked) */
	const char *cpu;                /* -cpu, omitted when NULL */
	const char *const *extra_args;  /* more arguments, NULL-terminated array, or NULL */
	bool monitor;                   /* a QMP monitor on DIR/qmp.sock (vmstate.h drives it) */
	bool incoming;                  /* load a saved machine state from incoming_fd (-incoming fd:N) */
	int incoming_fd;                /* open for reading at the stream's start; stays the caller's */
	bool no_wait;                   /* qemu_start returns once QEMU runs; qemu_wait_ready waits for the sockets */
	int start_timeout_ms;           /* wait for the gdbstub socket; 0 = QEMU_DEFAULT_START_MS */
	int stop_timeout_ms;            /* SIGTERM grace period; 0 = QEMU_DEFAULT_STOP_MS */
	int interrupt_fd;               /* readable = the user asks to stop waiting; 0 = none */
};

/* One running (or finished) QEMU. Zero-initialise it, or let qemu_start fill it. */
struct qemu {
	bool active;                    /* resources exist that qemu_stop must release */
	pid_t pid;                      /* also the process group id; 0 once reaped */
	bool exited;                    /* reaped: exit_status is valid */
	int exit_status;                /* raw waitpid status */
	int stop_timeout_ms;
	int start_timeout_ms;
	int start_interrupt_fd;         /* readable = stop waiting for the socket; -1 none */
	int console_fd;                 /* read end of QEMU's stdout (the serial port), -1 after EOF */
	bool console_eof;
	char *console;                  /* bytes read and not yet taken, NUL-terminated */
	size_t console_len, console_cap;
	size_t console_dropped;         /* bytes discarded because nobody took them */
	char dir[QEMU_PATH_LEN];        /* private 0700 directory */
	char gdb_socket[QEMU_PATH_LEN]; /* DIR/gdb.sock */
	char stderr_path[QEMU_PATH_LEN];/* DIR/qemu.stderr */
	char qmp_socket[QEMU_PATH_LEN]; /* DIR/qmp.sock when the config asked for a monitor, else "" */
	char binary[4096];              /* the resolved executable */
	char err[QEMU_ERR_LEN];
};

/* Fill C with the defaults (every field NULL or 0). */
void qemu_config_init(struct qemu_config *c);

/* Start QEMU as C says and wait until its gdbstub socket listens. Q must be zeroed or
 * stopped. Returns 0, or a negative errno with the reason in qemu_error(Q) (QEMU's own
 * stderr when it refused to start); everything started is already cleaned up then.
 * QEMU may still fail after this returns (see qemu_check). */
int qemu_start(struct qemu *q, const struct qemu_config *c);

/* After qemu_start with no_wait: wait until the sockets listen, as qemu_start would
 * have. Returns 0, or a negative errno with the reason (QEMU is stopped then). */
int qemu_wait_ready(struct qemu *q);

/* Path of the gdbstub's unix socket (for rsp), "" when not started. */
const char *qemu_gdb_socket(const struct qemu *q);

/* Path of the QMP monitor's unix socket, "" when not started or not asked for. */
const char *qemu_qmp_socket(const struct qemu *q);

/* The command line qemu_start would run for C, arguments separated by spaces, with the
 * private directory written "DIR" and without -incoming: what makes the machine, for
 * the machine-state cache's key. Returns 0, or -E2BIG when it does not fit in LEN. */
int qemu_command_line(const struct qemu_config *c, char *buf, size_t len);

/* The executable C runs, looked up in $PATH as qemu_start does, into BUF. Returns 0 or
 * -ENOENT. */
int qemu_binary_path(const struct qemu_config *c, char *buf, size_t len);

/* Move the console's read end onto descriptor FD (dup2), so that a poller watching FD
 * goes on working when this QEMU replaces an earlier one. Returns 0 or a negative errno. */
int qemu_console_move(struct qemu *q, int fd);

/* The private directory holding the sockets, "" when not started. */
const char *qemu_dir(const struct qemu *q);

/* The fd to poll for serial output, or -1 (not started, or QEMU closed it). */
int qemu_console_fd(const struct qemu *q);

/* Read whatever serial output is available without blocking and keep it. Returns the
 * number of bytes read (0 when none or at end of file), or a negative errno. */
long qemu_console_read(struct qemu *q);

/* The serial output kept so far (NUL-terminated); *len gets its length when not NULL. */
const char *qemu_console_peek(const struct qemu *q, size_t *len);

/* Keep LEN bytes of DATA as if QEMU had printed them (a restored machine's earlier
 * output). Returns 0 or -ENOMEM. */
int qemu_console_inject(struct qemu *q, const char *data, size_t len);

/* Hand the kept serial output to the caller (malloc'd, NUL-terminated, never NULL unless
 * out of memory) and start a new buffer: "console since the last stop". */
char *qemu_console_take(struct qemu *q);

/* Whether QEMU is still running (reaps it when it has exited). */
bool qemu_alive(struct qemu *q);

/* 0 while QEMU runs; once it has ended, -ECHILD with qemu_error(Q) saying how and what
 * it printed ("QEMU exited with status 1: qemu: invalid kernel header"). Call it when the
 * gdbstub connection or the console closes: QEMU loads the kernel after opening its
 * sockets, so some start-up failures are only seen then. */
int qemu_check(struct qemu *q);

/* Explain how QEMU ended ("exited with status 0", "killed by signal 9 (Killed)",
 * "still running") into BUF. Returns BUF. */
const char *qemu_describe_exit(struct qemu *q, char *buf, size_t len);

/* QEMU's stderr so far (at most LEN-1 bytes, trailing newlines removed) into BUF. */
const char *qemu_stderr_text(const struct qemu *q, char *buf, size_t len);

/* Stop QEMU: SIGTERM to its process group, SIGKILL after the grace period, reap it,
 * close the console, remove the sockets and the directory. Safe on a zeroed struct and
 * when called twice. Returns 0, or a negative errno when cleaning up failed. */
int qemu_stop(struct qemu *q);

/* For a crash handler: SIGKILL to QEMU's group, remove its sockets, its stderr file and
 * the private directory. Only async-signal-safe calls, nothing freed or reaped. */
void qemu_kill_now(const struct qemu *q);

/* The last error message, "" when none. */
const char *qemu_error(const struct qemu *q);

#endif
