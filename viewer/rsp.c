/* rsp.c: the connection to a gdbstub: sockets, acknowledgements, timeouts, queues
 * (the address a user gives is read by rsp_address.c).
 *
 * All waiting happens in fill(), a poll() on the socket (and, while the target runs,
 * on the interrupt fd) bounded by a deadline, so no call can hang on a silent stub.
 */
#include "rsp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int set_error(struct rsp_conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(struct rsp_conn *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	return code;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t deadline_after(struct rsp_conn *c, int timeout_ms)
{
	c->wait_start = now_ms();
	c->impatient = false;
	return timeout_ms > 0 ? now_ms() + timeout_ms : -1;
}

const char *rsp_error(const struct rsp_conn *c)
{
	return c->error;
}

/* A timed-out wait leaves the conversation out of step (see rsp.h): remember why. */
/* A failure after which the connection cannot be trusted again: remember why. */
static int stall(struct rsp_conn *c, int rc)
{
	const char *what = NULL;

	if (rc == RSP_ERR_TIMEOUT)
		what = "the gdbstub stopped answering";
	else if (rc == RSP_ERR_CHECKSUM || rc == RSP_ERR_SYNTAX || rc == RSP_ERR_RUNLENGTH)
		what = "the gdbstub's answers are corrupt";   /* recv_packet gave up on them */
	if (what && !c->stalled) {
		c->stalled = true;
		c->stalled_rc = rc;
		snprintf(c->stalled_why, sizeof(c->stalled_why), "%s (%.150s)", what, c->error);
	}
	return rc;
}

static int refuse_if_stalled(struct rsp_conn *c, const char *payload, size_t len)
{
	if (!c->stalled)
		return 0;
	return set_error(c, c->stalled_rc, "%s; not sending '%.*s'", c->stalled_why,
			 (int)(len < 24 ? len : 24), payload);
}

void rsp_set_console(struct rsp_conn *c, rsp_console_fn fn, void *arg)
{
	c->console = fn;
	c->console_arg = arg;
}

bool rsp_is_stop_reply(const char *p, size_t len)
{
	if (len < 3 || !strchr("TSWX", p[0]) || p[0] == '\0')
		return false;
	return rsp_hex_digit((unsigned char)p[1]) >= 0 && rsp_hex_digit((unsigned char)p[2]) >= 0;
}

bool rsp_is_console(const char *p, size_t len)
{
	if (len < 3 || p[0] != 'O' || len % 2 == 0)
		return false;
	for (size_t i = 1; i < len; i++)
		if (rsp_hex_digit((unsigned char)p[i]) < 0)
			return false;
	return true;
}

int rsp_open_fd(struct rsp_conn *c, int fd, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->opened = true;            /* from here on rsp_close has something to free */
	c->fd = -1;
	c->interrupt_fd = -1;
	c->timeout_ms = RSP_DEFAULT_TIMEOUT_MS;
	c->max_retries = RSP_DEFAULT_RETRIES;
	if (cap == 0)
		cap = RSP_DEFAULT_CAP;
	if (rsp_decoder_init(&c->dec, cap) < 0) {
		close(fd);
		return set_error(c, RSP_ERR_NOMEM, "%s", c->dec.error);
	}
	c->out_cap = rsp_encoded_max(cap);
	c->out = malloc(c->out_cap);
	c->reply = malloc(cap + 1);
	if (!c->out || !c->reply) {
		close(fd);
		rsp_close(c);
		return set_error(c, RSP_ERR_NOMEM, "out of memory for %zu-byte packet buffers", cap);
	}
	c->reply[0] = '\0';
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		rsp_close(c);
		return set_error(c, RSP_ERR_IO, "cannot make the gdbstub socket nonblocking: %s", strerror(e));
	}
	c->fd = fd;
	return 0;
}

int rsp_open(struct rsp_conn *c, const char *where, size_t cap)
{
	struct rsp_address a;
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if ((rc = rsp_parse_address(where, &a, c->error, sizeof(c->error))) < 0)
		return rc;
	int fd = socket(a.is_unix ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return set_error(c, RSP_ERR_IO, "socket: %s", strerror(errno));
	if (connect(fd, a.is_unix ? (struct sockaddr *)&a.un : (struct sockaddr *)&a.in,
		    a.is_unix ? sizeof(a.un) : sizeof(a.in)) < 0) {
		int e = errno;
		close(fd);
		if (a.is_unix)
			return set_error(c, RSP_ERR_IO, "cannot connect to gdbstub socket %s: %s",
					 a.un.sun_path, strerror(e));
		return set_error(c, RSP_ERR_IO, "cannot connect to %s: %s", where, strerror(e));
	}
	if (!a.is_unix) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return rsp_open_fd(c, fd, cap);
}

void rsp_close(struct rsp_conn *c)
{
	if (!c->opened)
		return;             /* zeroed, never opened, or closed already: fd 0 is not ours */
	c->opened = false;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	rsp_decoder_free(&c->dec);
	free(c->out);
	free(c->reply);
	c->out = c->reply = NULL;
	for (int i = 0; i < c->nstops; i++)
		free(c->stops[i]);
	c->nstops = 0;
}

static int write_all(struct rsp_conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	int64_t deadline = c->timeout_ms > 0 ? now_ms() + c->timeout_ms : -1;

	if (c->fd < 0)
		return set_error(c, RSP_ERR_IO, "not connected to a gdbstub");
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			c->stats.bytes_out += (uint64_t)n;
			continue;
		}
		/* A peer that died with unread data in its socket shows as ECONNRESET,
		 * not EPIPE: it is the same news for the user. */
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return set_error(c, RSP_ERR_EOF, "gdbstub closed the connection (QEMU exited?)");
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return set_error(c, RSP_ERR_IO, "write to gdbstub: %s", strerror(errno));
		int wait = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && wait <= 0)
			return set_error(c, RSP_ERR_TIMEOUT, "timed out writing to the gdbstub");
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		poll(&pfd, 1, wait);
	}
	return 0;
}

/* One read of what the stub has sent, into c->in, without waiting (the socket is
 * nonblocking): 1 when bytes came, 0 when there were none, < 0 when the stub is gone
 * or the read failed. WHAT (may be NULL) says what was awaited, for the message.
 * read(), not recv(): /proc/PID/io counts it, which the reliability tests follow. */
static int read_some(struct rsp_conn *c, const char *what)
{
	ssize_t got = read(c->fd, c->in, sizeof(c->in));
	/* QEMU killed while our last request sat unread in its socket: the kernel
	 * resets the connection instead of closing it. Both mean the stub is gone. */
	if (got == 0 || (got < 0 && errno == ECONNRESET))
		return set_error(c, RSP_ERR_EOF, "gdbstub closed the connection (QEMU exited?)%s%s",
				 what ? " while waiting for " : "", what ? what : "");
	if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (got < 0)
		return set_error(c, RSP_ERR_IO, "read from gdbstub: %s", strerror(errno));
	c->in_pos = 0;
	c->in_len = (size_t)got;
	c->stats.bytes_in += (uint64_t)got;
	return 1;
}

/* Read more bytes into c->in, waiting until DEADLINE (-1 = none). With WATCH set, a
 * readable interrupt fd sends 0x03 once and is then ignored for this wait. */
static int fill(struct rsp_conn *c, int64_t deadline, bool *watch, const char *what)
{
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = c->fd, .events = POLLIN },
			{ .fd = c->interrupt_fd, .events = POLLIN },
		};
		/* While a run goes on, the interrupt fd means "send 0x03"; while an ack or
		 * an answer is awaited, it means the user is tired of waiting. */
		bool run_watch = watch && *watch;
		bool impatience = !watch && !c->impatient;
		nfds_t n = ((run_watch || impatience) && c->interrupt_fd >= 0) ? 2 : 1;
		int wait = -1;

		/* After the user's interrupt a live stub stops (or answers) at once: do not
		 * let a hung one hold the program for the rest of a long timeout. */
		bool hurried = watch ? c->interrupted : c->impatient;
		if (hurried && (deadline < 0 || c->interrupt_deadline <= deadline)) {
			if (now_ms() >= c->interrupt_deadline)
				return set_error(c, RSP_ERR_TIMEOUT, watch ?
						 "the gdbstub did not stop within %d ms of the interrupt" :
						 "interrupted: the gdbstub sent nothing for %d ms after the interrupt",
						 RSP_IMPATIENCE_MS);
			deadline = c->interrupt_deadline;
		}
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0)
				return set_error(c, RSP_ERR_TIMEOUT, "timed out after %lld ms waiting for %s",
						 (long long)(now_ms() - c->wait_start), what);
			wait = (int)left;
		}
		int r = poll(pfd, n, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return set_error(c, RSP_ERR_IO, "poll: %s", strerror(errno));
		if (n == 2 && impatience && (pfd[1].revents & (POLLIN | POLLHUP))) {
			/* A healthy stub answers in microseconds: give it a short grace, then
			 * give up (the connection is then stalled). The user is waiting. */
			c->impatient = true;
			c->interrupt_deadline = now_ms() + RSP_IMPATIENCE_MS;
			continue;
		}
		if (n == 2 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			*watch = false;
			int rc = rsp_interrupt(c);
			if (rc < 0)
				return rc;
			c->interrupted = true;
			c->interrupt_deadline = now_ms() + RSP_INTERRUPT_GRACE_MS;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		int rc = read_some(c, what);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
}

/* Send one ack byte ('+' or '-'). */
static int send_ack(struct rsp_conn *c, char a)
{
	return write_all(c, &a, 1);
}

/* The next complete packet, acknowledged. Corrupt packets are answered with '-'
 * (the stub sends them again) up to max_retries in a row; a packet over the cap is
 * an error at once, since sending it again cannot make it smaller. Acks arriving
 * here were not awaited and are only counted. */
static int recv_packet(struct rsp_conn *c, int64_t deadline, bool *watch, const char *what)
{
	int bad = 0;

	for (;;) {
		if (c->in_pos >= c->in_len) {
			int rc = fill(c, deadline, watch, what);
			if (rc < 0)
				return rc;
		}
		size_t used;
		int rc = rsp_decode(&c->dec, c->in + c->in_pos, c->in_len - c->in_pos, &used);
		c->in_pos += used;
		if (rc == RSP_NEED_MORE)
			continue;
		if (rc == RSP_ERR_TOO_BIG || rc == RSP_ERR_NOMEM)
			return set_error(c, rc, "%s", c->dec.error);
		if (rc < 0) {
			if (++bad > c->max_retries)
				return set_error(c, rc, "gave up after %d corrupt packets; last: %s",
						 bad, c->dec.error);
			c->stats.naks_sent++;
			if ((rc = send_ack(c, '-')) < 0)
				return rc;
			continue;
		}
		switch (c->dec.kind) {
		case RSP_KIND_PACKET:
			c->stats.packets_in++;
			return send_ack(c, '+');
		case RSP_KIND_NOTIFY:
			c->stats.notifications++;
			break;
		default:
			c->stats.stray_acks++;
			break;
		}
	}
}

/* Deal with a received packet that is not the awaited answer: console text goes to
 * the callback, stop replies to the queue. Returns 1 if consumed, 0 if not, <0. */
static int divert(struct rsp_conn *c, bool queue_stops)
{
	const char *p = c->dec.payload;
	size_t len = c->dec.len;

	if (rsp_is_console(p, len)) {
		uint8_t text[512];
		for (size_t i = 1; i < len; i += 2 * sizeof(text)) {
			size_t chunk = len - i < 2 * sizeof(text) ? len - i : 2 * sizeof(text);
			long n = rsp_hex_decode(p + i, chunk, text, sizeof(text));
			if (n > 0 && c->console)
				c->console(c->console_arg, (const char *)text, (size_t)n);
		}
		c->stats.console_packets++;
		return 1;
	}
	if (queue_stops && rsp_is_stop_reply(p, len)) {
		if (c->nstops == RSP_STOP_QUEUE)
			return set_error(c, RSP_ERR_QUEUE, "more than %d stop replies arrived unasked",
					 RSP_STOP_QUEUE);
		c->stops[c->nstops] = strndup(p, len);
		if (!c->stops[c->nstops])
			return set_error(c, RSP_ERR_NOMEM, "out of memory queueing a stop reply");
		c->nstops++;
		c->stats.queued_stops++;
		return 1;
	}
	return 0;
}

static void take_reply(struct rsp_conn *c, const char *p, size_t len)
{
	memcpy(c->reply, p, len);
	c->reply[len] = '\0';
	c->reply_len = len;
}

int rsp_send(struct rsp_conn *c, const char *payload, size_t len)
{
	char what[64];
	long n = rsp_encode(payload, len, c->out, c->out_cap);

	if (n < 0)
		return set_error(c, RSP_ERR_ARG, "request of %zu bytes does not fit the packet buffer", len);
	if (refuse_if_stalled(c, payload, len) < 0)
		return c->stalled_rc;
	snprintf(what, sizeof(what), "the ack of '%.*s'", (int)(len < 24 ? len : 24), payload);
	c->stats.requests++;
	for (int attempt = 0;; attempt++) {
		int rc = write_all(c, c->out, (size_t)n);
		if (rc < 0)
			return rc;
		int64_t deadline = deadline_after(c, c->timeout_ms);
		/* Wait for '+' or '-'. A packet instead means the stub took the request
		 * (the ack was lost or the stub does not send one): keep it for later. */
		for (;;) {
			if (c->in_pos >= c->in_len && (rc = fill(c, deadline, NULL, what)) < 0)
				return stall(c, rc);
			if (c->dec.state == RSP_DEC_IDLE && c->in[c->in_pos] == '+') {
				c->in_pos++;
				c->dec.offset++;
				return 0;
			}
			if (c->dec.state == RSP_DEC_IDLE && c->in[c->in_pos] == '-') {
				c->in_pos++;
				c->dec.offset++;
				break;
			}
			if (c->dec.state == RSP_DEC_IDLE && c->in[c->in_pos] != '$' && c->in[c->in_pos] != '%') {
				c->in_pos++;   /* noise before the ack */
				c->dec.offset++;
				continue;
			}
			return 0;      /* a packet begins: the request was received */
		}
		if (attempt >= c->max_retries)
			return set_error(c, RSP_ERR_REJECTED,
					 "gdbstub answered '-' to '%.*s' %d times; giving up",
					 (int)(len < 24 ? len : 24), payload, attempt + 1);
		c->stats.retransmits++;
	}
}

int rsp_poll_idle(struct rsp_conn *c)
{
	if (c->stalled)
		return set_error(c, c->stalled_rc, "%s", c->stalled_why);
	for (;;) {
		if (c->in_pos >= c->in_len) {
			int got = read_some(c, NULL);
			if (got <= 0)
				return got;     /* nothing more for now, or the stub is gone */
		}
		size_t used;
		int rc = rsp_decode(&c->dec, c->in + c->in_pos, c->in_len - c->in_pos, &used);
		c->in_pos += used;
		if (rc == RSP_NEED_MORE)
			continue;
		if (rc < 0)
			return stall(c, set_error(c, rc, "unasked bytes from the gdbstub: %s", c->dec.error));
		if (c->dec.kind == RSP_KIND_PACKET) {
			c->stats.packets_in++;
			if ((rc = send_ack(c, '+')) < 0)
				return rc;
			if ((rc = divert(c, true)) < 0)
				return rc;
			if (rc == 0)
				c->stats.stray_packets++;   /* an answer nobody asked for: dropped */
		} else if (c->dec.kind == RSP_KIND_NOTIFY) {
			c->stats.notifications++;
		} else {
			c->stats.stray_acks++;
		}
	}
}

int rsp_request(struct rsp_conn *c, const char *payload, const char **reply, size_t *len)
{
	char what[64];
	int rc = rsp_send(c, payload, strlen(payload));

	if (rc < 0)
		return rc;
	snprintf(what, sizeof(what), "the answer to '%.24s'", payload);
	int64_t deadline = deadline_after(c, c->timeout_ms);
	for (;;) {
		if ((rc = recv_packet(c, deadline, NULL, what)) < 0)
			return stall(c, rc);
		if ((rc = divert(c, true)) < 0)
			return rc;
		if (rc == 0)
			break;
	}
	take_reply(c, c->dec.payload, c->dec.len);
	*reply = c->reply;
	if (len)
		*len = c->reply_len;
	return 0;
}

int rsp_requestf(struct rsp_conn *c, const char **reply, size_t *len, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return set_error(c, RSP_ERR_ARG, "request too long for the format buffer");
	return rsp_request(c, buf, reply, len);
}

int rsp_wait_stop(struct rsp_conn *c, int timeout_ms, const char **reply, size_t *len)
{
	bool watch = c->interrupt_fd >= 0;
	int rc;

	if (c->stalled)
		return set_error(c, c->stalled_rc, "%s", c->stalled_why);
	c->interrupted = false;
	if (c->nstops > 0) {
		char *s = c->stops[0];
		take_reply(c, s, strlen(s));
		free(s);
		memmove(c->stops, c->stops + 1, (size_t)(c->nstops - 1) * sizeof(c->stops[0]));
		c->nstops--;
	} else {
		int64_t deadline = deadline_after(c, timeout_ms);
		for (;;) {
			if ((rc = recv_packet(c, deadline, &watch, "a stop reply")) < 0) {
				/* A run may legitimately outlast its timeout (the caller then
				 * interrupts it); a stub deaf to the interrupt too has stalled,
				 * and so has one whose stream lost its framing. */
				if (c->interrupt_pending || c->interrupted || rc != RSP_ERR_TIMEOUT)
					return stall(c, rc);
				return rc;
			}
			if ((rc = divert(c, false)) < 0)
				return rc;
			if (rc == 0)
				break;
		}
		take_reply(c, c->dec.payload, c->dec.len);
	}
	c->interrupt_pending = false;
	*reply = c->reply;
	if (len)
		*len = c->reply_len;
	return 0;
}

bool rsp_interrupt_requested(const struct rsp_conn *c)
{
	struct pollfd p = { .fd = c->interrupt_fd, .events = POLLIN };

	return c->interrupt_fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

int rsp_interrupt(struct rsp_conn *c)
{
	c->stats.interrupts_sent++;
	c->interrupt_pending = true;
	return write_all(c, "\x03", 1);
}
