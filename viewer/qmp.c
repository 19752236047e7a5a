/* qmp.c: QMP over a unix socket (see qmp.h).
 *
 * QMP frames are JSON objects, one per line. After connecting, QEMU sends a greeting
 * ({"QMP": ...}); commands are refused until "qmp_capabilities" has been run. An
 * answer is {"return": ...} or {"error": {"class", "desc"}}; anything with "event" may
 * arrive between them and is skipped. A file descriptor for "getfd" travels as
 * SCM_RIGHTS ancillary data on the same sendmsg as the command's bytes.
 */
#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMP_MAX_LINE (1u << 20)    /* no answer we ask for comes near this */

static int fail(struct qmp *m, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct qmp *m, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	return code;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The next complete line, NUL-terminated in place, or NULL. */
static char *take_line(struct qmp *m, size_t *consumed)
{
	char *nl = m->len ? memchr(m->buf, '\n', m->len) : NULL;
	if (!nl)
		return NULL;
	*nl = '\0';
	*consumed = (size_t)(nl - m->buf) + 1;
	return m->buf;
}

/* Read one JSON object (a line) from QEMU within the timeout. */
static int read_message(struct qmp *m, json_t **out)
{
	long deadline = now_ms() + m->timeout_ms;
	for (;;) {
		size_t used;
		char *line = take_line(m, &used);
		if (line) {
			json_error_t je;
			json_t *j = json_loads(line, 0, &je);
			memmove(m->buf, m->buf + used, m->len - used);
			m->len -= used;
			if (!j || !json_is_object(j)) {
				json_decref(j);
				return fail(m, -EPROTO, "QEMU's monitor sent something that is not a JSON object");
			}
			*out = j;
			return 0;
		}
		if (m->len >= QMP_MAX_LINE)
			return fail(m, -EPROTO, "QEMU's monitor sent a line longer than %u bytes", QMP_MAX_LINE);
		long left = deadline - now_ms();
		if (left <= 0)
			return fail(m, -ETIMEDOUT, "QEMU's monitor did not answer within %d ms", m->timeout_ms);
		struct pollfd p = { .fd = m->fd, .events = POLLIN };
		int n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(m, -errno, "waiting for QEMU's monitor: %s", strerror(errno));
		if (n == 0)
			continue;
		if (m->len + 4096 + 1 > m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 8192;
			char *b = realloc(m->buf, cap);
			if (!b)
				return fail(m, -ENOMEM, "out of memory reading QEMU's monitor");
			m->buf = b;
			m->cap = cap;
		}
		ssize_t r = read(m->fd, m->buf + m->len, m->cap - m->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(m, -errno, "reading QEMU's monitor: %s", strerror(errno));
		if (r == 0)
			return fail(m, -EPIPE, "QEMU closed its monitor connection");
		m->len += (size_t)r;
	}
}

static int send_text(struct qmp *m, const char *text, int fd)
{
	size_t len = strlen(text), off = 0;
	while (off < len) {
		struct iovec iov = { .iov_base = (char *)text + off, .iov_len = len - off };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} control;
		if (fd >= 0 && off == 0) {
			memset(&control, 0, sizeof(control));
			msg.msg_control = control.buf;
			msg.msg_controllen = sizeof(control.buf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		ssize_t n = sendmsg(m->fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(m, -errno, "writing to QEMU's monitor: %s", strerror(errno));
		off += (size_t)n;
	}
	return 0;
}

int qmp_call(struct qmp *m, const char *command, json_t *args, int fd, json_t **ret)
{
	if (ret)
		*ret = NULL;
	if (!m->connected) {
		json_decref(args);
		return fail(m, -ENOTCONN, "QEMU's monitor is not connected");
	}
	json_t *cmd = json_pack("{s:s}", "execute", command);
	if (cmd && args)
		json_object_set_new(cmd, "arguments", args);
	else
		json_decref(args);
	char *text = cmd ? json_dumps(cmd, JSON_COMPACT) : NULL;
	json_decref(cmd);
	if (!text)
		return fail(m, -ENOMEM, "out of memory composing a monitor command");
	int rc = send_text(m, text, fd);
	free(text);
	while (rc == 0) {
		json_t *msg;
		if ((rc = read_message(m, &msg)) < 0)
			break;
		json_t *value = json_object_get(msg, "return");
		json_t *error = json_object_get(msg, "error");
		if (value) {
			if (ret)
				*ret = json_incref(value);
			json_decref(msg);
			return 0;
		}
		if (error) {
			const char *desc = json_string_value(json_object_get(error, "desc"));
			rc = fail(m, -EREMOTEIO, "%s: %s", command, desc ? desc : "refused");
		}
		json_decref(msg);       /* an event: not our answer */
	}
	return rc;
}

int qmp_open(struct qmp *m, const char *path, int timeout_ms)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(m, -ENAMETOOLONG, "monitor socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	m->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->fd < 0)
		return fail(m, -errno, "socket: %s", strerror(errno));
	if (connect(m->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(m->fd);
		m->fd = -1;
		return fail(m, -e, "cannot connect to QEMU's monitor %s: %s", path, strerror(e));
	}
	m->connected = true;
	json_t *greeting = NULL;
	int rc = read_message(m, &greeting);
	if (rc == 0 && !json_object_get(greeting, "QMP"))
		rc = fail(m, -EPROTO, "QEMU's monitor did not greet as QMP does");
	json_decref(greeting);
	if (rc == 0)
		rc = qmp_call(m, "qmp_capabilities", NULL, -1, NULL);
	if (rc < 0) {
		char why[QMP_ERR_LEN];
		snprintf(why, sizeof(why), "%s", m->err);
		qmp_close(m);
		snprintf(m->err, sizeof(m->err), "%s", why);
	}
	return rc;
}

void qmp_close(struct qmp *m)
{
	if (m->connected)
		close(m->fd);
	m->fd = -1;
	m->connected = false;
	free(m->buf);
	m->buf = NULL;
	m->len = m->cap = 0;
}
