/* qemu_console.c: QEMU's serial console (its stdout, a pipe): read without blocking,
 * kept until the walk takes it for a stop ("what the kernel printed since the last
 * stop"), bounded so that a chatty kernel nobody reads cannot grow it for ever. */
#include "qemu.h"
#include "qemu_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONSOLE_MAX     (1u << 20)   /* keep at most 1 MiB of untaken serial output */

int qemu_console_move(struct qemu *q, int fd)
{
	if (!q->active || q->console_fd < 0 || fd < 0)
		return -EBADF;
	if (q->console_fd == fd)
		return 0;
	if (dup3(q->console_fd, fd, O_CLOEXEC) < 0)
		return -errno;
	close(q->console_fd);
	q->console_fd = fd;
	return 0;
}

int qemu_console_fd(const struct qemu *q)
{
	return q->active ? q->console_fd : -1;
}

/* Append to the kept output. When nobody takes it for a long time, the oldest half is
 * dropped (and counted) rather than growing without bound. */
static int keep(struct qemu *q, const char *data, size_t n)
{
	if (q->console_len + n > CONSOLE_MAX) {
		size_t drop = q->console_len / 2;
		if (n > CONSOLE_MAX / 2) {
			drop = q->console_len;
			data += n - CONSOLE_MAX / 2;
			q->console_dropped += n - CONSOLE_MAX / 2;
			n = CONSOLE_MAX / 2;
		}
		memmove(q->console, q->console + drop, q->console_len - drop);
		q->console_len -= drop;
		q->console_dropped += drop;
	}
	if (q->console_len + n + 1 > q->console_cap) {
		size_t cap = q->console_cap ? q->console_cap : 4096;
		while (cap < q->console_len + n + 1)
			cap *= 2;
		char *p = realloc(q->console, cap);
		if (!p)
			return qemu_fail(q, -ENOMEM, "out of memory keeping the serial console output");
		q->console = p;
		q->console_cap = cap;
	}
	memcpy(q->console + q->console_len, data, n);
	q->console_len += n;
	q->console[q->console_len] = '\0';
	return 0;
}

long qemu_console_read(struct qemu *q)
{
	if (!q->active || q->console_fd < 0)
		return 0;
	long total = 0;
	char buf[4096];
	for (;;) {
		ssize_t n = read(q->console_fd, buf, sizeof buf);
		if (n > 0) {
			int rc = keep(q, buf, (size_t)n);
			if (rc < 0)
				return rc;
			total += n;
			continue;
		}
		if (n == 0) {
			/* QEMU closed its stdout: it is exiting. Stop polling this fd. */
			close(q->console_fd);
			q->console_fd = -1;
			q->console_eof = true;
			return total;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return total;
		return qemu_fail(q, -errno, "reading QEMU's serial output: %s", strerror(errno));
	}
}

int qemu_console_inject(struct qemu *q, const char *data, size_t len)
{
	return keep(q, data, len);
}

const char *qemu_console_peek(const struct qemu *q, size_t *len)
{
	if (len)
		*len = q->console_len;
	return q->console ? q->console : "";
}

char *qemu_console_take(struct qemu *q)
{
	char *out = q->console;
	if (!out)
		out = calloc(1, 1);
	q->console = NULL;
	q->console_len = q->console_cap = 0;
	return out;
}
