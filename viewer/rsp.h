/* rsp.h: a connection to a gdbstub speaking the GDB remote serial protocol.
 *
 * The transport under the target layer: it frames requests (rsp_codec), waits for the
 * stub's '+', retransmits on '-', acknowledges every packet received, passes console
 * output ('O' packets) to a callback, and keeps stop replies that arrive while some
 * other answer is awaited in a queue for the target layer. Every wait is bounded by a
 * poll timeout; every failure is a negative code with a message in rsp_error().
 *
 * QEMU 7.2 has no QStartNoAckMode, so acknowledgements are always on.
 */
#ifndef SYSWALK_RSP_H
#define SYSWALK_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/un.h>
#include "rsp_codec.h"

/* Errors of the connection are errcode.h's RSP_ERR_* (the codec's reused where they
 * apply): IO (read/write/connect failed, errno in the message), EOF (the stub closed the
 * connection), TIMEOUT, REJECTED (the stub kept answering '-'), ADDRESS (neither a unix
 * socket path nor a loopback host:port), QUEUE (too many unsolicited stop replies), ARG
 * (a request too large for the packet buffer). */

#define RSP_DEFAULT_CAP         16384  /* receive cap, advertised as PacketSize */
#define RSP_DEFAULT_TIMEOUT_MS  5000
#define RSP_DEFAULT_RETRIES     5      /* NAKs tolerated per packet, each direction */
#define RSP_STOP_QUEUE          8
#define RSP_INTERRUPT_GRACE_MS  2000   /* a stub must stop this soon after the user's 0x03 */
#define RSP_IMPATIENCE_MS       300    /* an awaited answer, once the user has interrupted */

/* Counters the benchmark and the status line report. */
struct rsp_stats {
	uint64_t requests;        /* request packets sent (round trips), retransmits excluded */
	uint64_t retransmits;     /* packets sent again after a '-' */
	uint64_t packets_in;      /* good packets received */
	uint64_t naks_sent;       /* '-' sent for a corrupt packet */
	uint64_t stray_acks;      /* '+' or '-' received while none was awaited */
	uint64_t stray_packets;   /* packets received while nothing was asked, dropped */
	uint64_t console_packets; /* 'O' packets passed to the console callback */
	uint64_t notifications;   /* '%' packets (ignored) */
	uint64_t queued_stops;    /* stop replies that arrived unasked and were queued */
	uint64_t interrupts_sent; /* 0x03 bytes sent */
	uint64_t bytes_in, bytes_out;
};

/* Called with the decoded text of each 'O' packet (not NUL-terminated). */
typedef void (*rsp_console_fn)(void *arg, const char *text, size_t len);

struct rsp_conn {
	int fd;                   /* -1 when closed */
	int timeout_ms;           /* per wait; 0 = wait forever */
	int max_retries;
	int interrupt_fd;         /* -1, or an fd whose readability means "send 0x03" */
	bool interrupted;         /* the last rsp_wait_stop sent 0x03 */
	bool interrupt_pending;   /* 0x03 sent, its stop reply not yet received */
	int64_t interrupt_deadline; /* after interrupt_fd fired: the stop must come by then */
	bool impatient;           /* interrupt_fd fired while an ack or answer was awaited */
	int64_t wait_start;       /* when the current wait began (ms, monotonic) */
	rsp_console_fn console;
	void *console_arg;

	struct rsp_decoder dec;
	uint8_t in[4096];         /* bytes read but not yet decoded */
	size_t in_pos, in_len;
	char *out;                /* encode buffer */
	size_t out_cap;
	char *reply;              /* last reply, NUL-terminated, dec.cap + 1 bytes */
	size_t reply_len;
	char *stops[RSP_STOP_QUEUE]; /* unsolicited stop replies, oldest first */
	int nstops;

	/* Set when the stub let a request's ack or answer, or the stop after an interrupt,
	 * time out, or sent more corrupt packets in a row than max_retries. RSP has no
	 * request ids: a late answer would be taken for the answer to the next request,
	 * and a stream that lost its framing answers nothing reliably; so every later
	 * call fails at once with this reason and code. */
	bool stalled;
	int stalled_rc;
	char stalled_why[200];

	struct rsp_stats stats;
	char error[256];
	bool opened;              /* buffers allocated: rsp_close frees them (once) */
};

/* A gdbstub's address, parsed (see rsp_parse_address). */
struct rsp_address {
	bool is_unix;
	struct sockaddr_un un;
	struct sockaddr_in in;
};

/* Parse WHERE: "unix:PATH", a path containing '/', or "127.0.0.1:PORT" /
 * "localhost:PORT" (any other host is refused), without connecting: so that the command
 * line can refuse a bad --attach as a usage error. 0, or RSP_ERR_ADDRESS with ERR set. */
int rsp_parse_address(const char *where, struct rsp_address *a, char *err, size_t errlen);

/* Connect to WHERE (rsp_parse_address's forms). CAP = receive cap (0 = default). */
int rsp_open(struct rsp_conn *c, const char *where, size_t cap);

/* Wrap an already connected stream socket (tests use a socketpair); takes ownership. */
int rsp_open_fd(struct rsp_conn *c, int fd, size_t cap);

/* Close the socket and free the buffers; safe to call twice, and on a zeroed struct or
 * one whose rsp_open failed (the error message stays readable). */
void rsp_close(struct rsp_conn *c);

/* The message of the last error ("" when none). */
const char *rsp_error(const struct rsp_conn *c);

/* Console output callback for 'O' packets (NULL to drop them). */
void rsp_set_console(struct rsp_conn *c, rsp_console_fn fn, void *arg);

/* Send PAYLOAD and wait for the stub's '+' (retransmitting on '-'). Counts a request. */
int rsp_send(struct rsp_conn *c, const char *payload, size_t len);

/* Send PAYLOAD and wait for its answer, which *REPLY points at (valid until the next
 * call). A stop reply ('T', 'S', 'W', 'X') arriving meanwhile is queued, not taken. */
int rsp_request(struct rsp_conn *c, const char *payload, const char **reply, size_t *len);

/* rsp_request with a printf-style payload. */
int rsp_requestf(struct rsp_conn *c, const char **reply, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Wait for a stop reply (the answer to '?', 'c', 's', vCont): a queued one first.
 * TIMEOUT_MS overrides the connection's (0 = forever). While waiting, readability
 * of interrupt_fd sends one 0x03 (the fd is not drained: its owner does that), and
 * the stop must then come within RSP_INTERRUPT_GRACE_MS. While rsp_send or
 * rsp_request wait, readability of interrupt_fd cuts their wait to that grace, counted
 * from its start, so Ctrl-C also ends a wait on a stub that stopped answering. */
int rsp_wait_stop(struct rsp_conn *c, int timeout_ms, const char **reply, size_t *len);

/* Take what the stub sent while nothing was asked (the viewer calls it when the socket
 * turns readable between actions), without waiting: console packets go to the
 * callback, stop replies to the queue, stray acks are counted; a packet cut short stays
 * in the decoder for later. Returns 0, RSP_ERR_EOF when the stub has closed the
 * connection (QEMU exited), or another negative code (the connection then stalls). */
int rsp_poll_idle(struct rsp_conn *c);

/* Send the 0x03 interrupt byte now. */
int rsp_interrupt(struct rsp_conn *c);

/* Whether the user asks to stop (interrupt_fd is readable), without waiting. A loop of
 * prompt requests never waits long enough for rsp's own impatience: it asks this. */
bool rsp_interrupt_requested(const struct rsp_conn *c);

/* Whether PAYLOAD is a stop reply (T.., S.., W.., X..), as opposed to data or OK/Enn. */
bool rsp_is_stop_reply(const char *payload, size_t len);

/* Whether PAYLOAD is an 'O' console packet ("O" + hex; "OK" is not one). */
bool rsp_is_console(const char *payload, size_t len);

#endif
