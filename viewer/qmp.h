/* qmp.h: a minimal client of QEMU's machine protocol (QMP) over a unix socket.
 *
 * Only what the machine-state cache needs (vmstate.h): connect and negotiate, send one
 * command and wait for its answer (asynchronous events are skipped), optionally with a
 * file descriptor attached (SCM_RIGHTS, for "getfd"). The socket lives in QEMU's
 * private 0700 directory, like the gdbstub's: never a TCP port. Every wait is bounded.
 */
#ifndef SYSWALK_QMP_H
#define SYSWALK_QMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define QMP_ERR_LEN 512

struct qmp {
	bool connected;
	int fd;
	int timeout_ms;         /* per answer */
	char *buf;              /* bytes received and not yet parsed */
	size_t len, cap;
	char err[QMP_ERR_LEN];
};

/* Connect to the QMP socket PATH and leave negotiation mode. Returns 0, or a negative
 * errno with the reason in M->err (M is then closed). */
int qmp_open(struct qmp *m, const char *path, int timeout_ms);

/* Run the command COMMAND ("query-status") with ARGS (a JSON object or NULL; the
 * reference is stolen), passing FD along when FD >= 0. On success *RET (when not NULL)
 * gets the "return" value, a new reference the caller decrefs. Returns 0, -EREMOTEIO
 * when QEMU answered with an error (its description in M->err), or another negative
 * errno (connection lost, timeout). */
int qmp_call(struct qmp *m, const char *command, json_t *args, int fd, json_t **ret);

/* Close the connection. Safe on a closed or zeroed struct. */
void qmp_close(struct qmp *m);

#endif
