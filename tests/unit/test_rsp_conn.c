/* test_rsp_conn: the connection against a scripted fake gdbstub on a socketpair.
 *
 * The stub runs in a thread: it waits for given bytes from the client, writes
 * scripted bytes (some corrupt on purpose), or hangs up; everything the client
 * sent is recorded so the tests can check acks, naks and retransmissions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rsp.h"

enum stub_op { EXPECT, SEND, HANGUP, END };

#define X(s) { EXPECT, s, 0 }
#define S(s) { SEND, s, 0 }
#define HUP  { HANGUP, NULL, 0 }
#define DONE { END, NULL, 0 }

struct step {
	enum stub_op op;
	const char *data;      /* EXPECT: bytes to wait for; SEND: bytes to write */
	size_t len;            /* SEND: 0 = strlen(data) */
};

struct stub {
	int fd;
	const struct step *steps;
	char got[8192];
	size_t got_len, matched;
	char why[160];         /* set when the script could not proceed */
	pthread_t thread;
};

static void *stub_main(void *arg)
{
	struct stub *s = arg;

	for (const struct step *st = s->steps; st->op != END; st++) {
		if (st->op == SEND) {
			size_t n = st->len ? st->len : strlen(st->data);
			if (write(s->fd, st->data, n) != (ssize_t)n)
				snprintf(s->why, sizeof(s->why), "write failed");
		} else if (st->op == HANGUP) {
			break;
		} else {
			for (;;) {
				char *hit = memmem(s->got + s->matched, s->got_len - s->matched,
						   st->data, strlen(st->data));
				if (hit) {
					s->matched = (size_t)(hit - s->got) + strlen(st->data);
					break;
				}
				struct pollfd p = { .fd = s->fd, .events = POLLIN };
				ssize_t n;
				if (poll(&p, 1, 3000) <= 0 ||
				    (n = read(s->fd, s->got + s->got_len, sizeof(s->got) - 1 - s->got_len)) <= 0) {
					snprintf(s->why, sizeof(s->why), "never received '%s'", st->data);
					goto out;
				}
				s->got_len += (size_t)n;
			}
		}
	}
out:
	/* Drain what the client sends after the script, to record late acks. */
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		ssize_t n;
		if (poll(&p, 1, 50) <= 0 ||
		    (n = read(s->fd, s->got + s->got_len, sizeof(s->got) - 1 - s->got_len)) <= 0)
			break;
		s->got_len += (size_t)n;
	}
	s->got[s->got_len] = '\0';
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	return NULL;
}

/* Start a stub playing STEPS and connect C to it. */
static void start(struct stub *s, struct rsp_conn *c, const struct step *steps, size_t cap)
{
	int sv[2];

	memset(s, 0, sizeof(*s));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s->fd = sv[1];
	s->steps = steps;
	assert_int_equal(rsp_open_fd(c, sv[0], cap), 0);
	c->timeout_ms = 2000;
	assert_int_equal(pthread_create(&s->thread, NULL, stub_main, s), 0);
}

static void finish(struct stub *s, struct rsp_conn *c)
{
	rsp_close(c);
	pthread_join(s->thread, NULL);
}

static void test_request_and_ack(void **state)
{
	(void)state;
	static const struct step steps[] = {
		X("$qC#b4"), S("+$OK#9a"), X("+"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 0);
	assert_int_equal(rsp_request(&c, "qC", &reply, &len), 0);
	assert_string_equal(reply, "OK");
	assert_int_equal(len, 2);
	assert_int_equal(c.stats.requests, 1);
	finish(&s, &c);
	assert_string_equal(s.why, "");
	assert_string_equal(s.got, "$qC#b4+");
}

static void test_nak_retransmit(void **state)
{
	(void)state;
	static const struct step steps[] = {
		X("$g#67"), S("-"),
		X("$g#67"), S("+$00#60"), X("+"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 0);
	assert_int_equal(rsp_request(&c, "g", &reply, &len), 0);
	assert_string_equal(reply, "00");
	assert_int_equal(c.stats.retransmits, 1);
	assert_int_equal(c.stats.requests, 1);
	finish(&s, &c);
	assert_string_equal(s.why, "");
	assert_string_equal(s.got, "$g#67$g#67+");
}

static void test_nak_gives_up(void **state)
{
	(void)state;
	static const struct step steps[] = {
		X("$g#67"), S("-"), X("$g#67"), S("-"),
		X("$g#67"), S("-"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 0);
	c.max_retries = 2;
	assert_int_equal(rsp_request(&c, "g", &reply, &len), RSP_ERR_REJECTED);
	assert_non_null(strstr(rsp_error(&c), "giving up"));
	assert_non_null(strstr(rsp_error(&c), "3 times"));
	finish(&s, &c);
}

static void test_corrupt_reply_is_nakked(void **state)
{
	(void)state;
	/* Wrong sum, a non-hex checksum digit, a bad run-length: each answered '-'. */
	static const struct step steps[] = {
		X("#"), S("+$OK#00"), X("-"),
		S("$OK#G0"), X("-"),
		S("$*!#4b"), X("-"),
		S("$OK#9a"), X("+"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 0);
	assert_int_equal(rsp_request(&c, "?", &reply, &len), 0);
	assert_string_equal(reply, "OK");
	assert_int_equal(c.stats.naks_sent, 3);
	finish(&s, &c);
	assert_string_equal(s.why, "");
}

static void test_corrupt_gives_up(void **state)
{
	(void)state;
	static const struct step steps[] = {
		X("#"), S("+$OK#G0"), X("-"), S("$OK#0G"), X("-"),
		S("$OK#0G"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 0);
	c.max_retries = 2;
	assert_int_equal(rsp_request(&c, "?", &reply, &len), RSP_ERR_SYNTAX);
	assert_non_null(strstr(rsp_error(&c), "bad checksum digit 'G'"));
	/* A stream that lost its framing answers nothing reliably: the next requests are
	 * refused at once, saying why, and never sent. (A stub that kept sending garbage
	 * once drew a request and a flood of '-' for every anchor of the walk, until its
	 * socket buffer filled and a write timed out.) */
	assert_int_equal(rsp_request(&c, "g", &reply, &len), RSP_ERR_SYNTAX);
	assert_non_null(strstr(rsp_error(&c), "answers are corrupt"));
	assert_non_null(strstr(rsp_error(&c), "not sending 'g'"));
	assert_int_equal(rsp_wait_stop(&c, 100, &reply, &len), RSP_ERR_SYNTAX);
	finish(&s, &c);
	assert_null(strstr(s.got, "$g#"));
}

static void test_timeout(void **state)
{
	(void)state;
	static const struct step steps[] = { X("#"), S("+"), X("never"), DONE };
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 0);
	c.timeout_ms = 150;
	assert_int_equal(rsp_request(&c, "m0,4", &reply, &len), RSP_ERR_TIMEOUT);
	assert_non_null(strstr(rsp_error(&c), "timed out"));
	assert_non_null(strstr(rsp_error(&c), "m0,4"));
	finish(&s, &c);
}

/* After a timed-out answer the two sides are out of step (a late answer would pass
 * for the next request's), so the connection refuses further requests at once,
 * saying why, and sends nothing more: found with a gdbstub that hangs mid-walk,
 * where the MSR restore went on to wait the full timeout twice more. */
static void test_timeout_stalls(void **state)
{
	(void)state;
	static const struct step steps[] = { X("#"), S("+"), X("never"), DONE };
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 0);
	c.timeout_ms = 150;
	assert_int_equal(rsp_request(&c, "m0,4", &reply, &len), RSP_ERR_TIMEOUT);
	assert_int_equal(rsp_request(&c, "g", &reply, &len), RSP_ERR_TIMEOUT);
	assert_non_null(strstr(rsp_error(&c), "stopped answering"));
	assert_non_null(strstr(rsp_error(&c), "m0,4"));
	assert_int_equal(rsp_wait_stop(&c, 100, &reply, &len), RSP_ERR_TIMEOUT);
	finish(&s, &c);
	assert_null(strstr(s.got, "$g#"));
}

/* A run that outlasts its timeout is not a stalled stub: it can still be interrupted
 * and its stop collected. Only a stub deaf to the interrupt too has stalled. */
static void test_run_timeout_then_interrupt(void **state)
{
	(void)state;
	static const struct step steps[] = {
		X("#"), S("+"), X("\x03"), S("$T02#b6"), X("+"), X("$g#67"), S("+"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 0);
	assert_int_equal(rsp_send(&c, "c", 1), 0);
	assert_int_equal(rsp_wait_stop(&c, 100, &reply, &len), RSP_ERR_TIMEOUT);
	assert_int_equal(rsp_interrupt(&c), 0);
	assert_int_equal(rsp_wait_stop(&c, 2000, &reply, &len), 0);
	assert_string_equal(reply, "T02");
	assert_int_equal(rsp_send(&c, "g", 1), 0);
	finish(&s, &c);
	assert_string_equal(s.why, "");
}

/* The stub hangs up after every possible prefix of its answer. */
static void test_eof_at_every_offset(void **state)
{
	(void)state;
	static const char answer[] = "+$O6869#2c$1234#ca";
	char prefix[sizeof(answer)];

	for (size_t k = 0; k < sizeof(answer) - 1; k++) {
		memcpy(prefix, answer, k);
		prefix[k] = '\0';
		struct step steps[] = { X("#"), { SEND, prefix, k ? k : 1 }, HUP, DONE };
		if (k == 0)
			steps[1] = (struct step)HUP;
		struct stub s;
		struct rsp_conn c;
		const char *reply;
		size_t len;
		start(&s, &c, steps, 0);
		int rc = rsp_request(&c, "m0,2", &reply, &len);
		if (rc != RSP_ERR_EOF)
			fail_msg("prefix of %zu bytes: rc %d (%s)", k, rc, rsp_error(&c));
		assert_non_null(strstr(rsp_error(&c), "gdbstub closed the connection (QEMU exited?)"));
		finish(&s, &c);
	}
}

/* A stub killed with our bytes still unread in its socket: the kernel reports
 * ECONNRESET rather than end of file. Same news, same words (found by killing QEMU
 * during a walk: "read from gdbstub: Connection reset by peer"). */
static void test_reset_reads_as_closed(void **state)
{
	(void)state;
	for (int writing = 0; writing < 2; writing++) {
		int sv[2];
		struct rsp_conn c;
		const char *reply;
		size_t len;

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		assert_int_equal(rsp_open_fd(&c, sv[0], 0), 0);
		c.timeout_ms = 2000;
		assert_int_equal(send(sv[0], "$g#67", 5, 0), 5);   /* never read by the stub */
		close(sv[1]);
		int rc = writing ? rsp_request(&c, "g", &reply, &len)
				 : rsp_wait_stop(&c, 0, &reply, &len);
		if (rc != RSP_ERR_EOF)
			fail_msg("%s: rc %d (%s)", writing ? "request" : "wait", rc, rsp_error(&c));
		assert_non_null(strstr(rsp_error(&c), "gdbstub closed the connection"));
		rsp_close(&c);
	}
}

static void on_console(void *arg, const char *text, size_t len)
{
	strncat(arg, text, len);
}

static void test_unsolicited_stop_and_console(void **state)
{
	(void)state;
	/* While 'm' waits: console output, then a stop reply nobody asked for yet. */
	static const struct step steps[] = {
		X("$m1000,4#"), S("+$O68690a#bd$T05thread:01;#07$01020304#8a"),
		X("+"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;
	char console[64] = "";

	start(&s, &c, steps, 0);
	rsp_set_console(&c, on_console, console);
	assert_int_equal(rsp_request(&c, "m1000,4", &reply, &len), 0);
	assert_string_equal(reply, "01020304");
	assert_string_equal(console, "hi\n");
	assert_int_equal(c.stats.queued_stops, 1);
	assert_int_equal(c.stats.console_packets, 1);
	/* The stop reply is handed out next, without touching the socket. */
	assert_int_equal(rsp_wait_stop(&c, 100, &reply, &len), 0);
	assert_string_equal(reply, "T05thread:01;");
	finish(&s, &c);
	assert_string_equal(s.why, "");
}

/* Between actions the viewer polls the socket: what arrives unasked is taken without
 * waiting (console to the callback, a stop to the queue, each acknowledged), a packet
 * cut short waits in the decoder, and the stub's hang-up is news. */
static void test_poll_idle(void **state)
{
	(void)state;
	static const struct step steps[] = {
		S("$O68690a#bd$T05thread:01;#07$T0"), X("++"), S("5#b9"), X("+"), HUP,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;
	char console[64] = "";

	start(&s, &c, steps, 0);
	rsp_set_console(&c, on_console, console);
	assert_int_equal(rsp_poll_idle(&c), 0);        /* maybe nothing yet: never waits */
	for (int i = 0; i < 200 && c.stats.packets_in < 3; i++) {
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
		assert_int_equal(rsp_poll_idle(&c), 0);
	}
	assert_string_equal(console, "hi\n");
	assert_int_equal(c.stats.queued_stops, 2);
	assert_int_equal(rsp_wait_stop(&c, 100, &reply, &len), 0);
	assert_string_equal(reply, "T05thread:01;");
	assert_int_equal(rsp_wait_stop(&c, 100, &reply, &len), 0);
	assert_string_equal(reply, "T05");
	int rc = 0;
	for (int i = 0; i < 200 && rc == 0; i++) {
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
		rc = rsp_poll_idle(&c);
	}
	assert_int_equal(rc, RSP_ERR_EOF);
	assert_non_null(strstr(rsp_error(&c), "gdbstub closed the connection"));
	finish(&s, &c);
	assert_string_equal(s.why, "");
}

static void test_oversize_packet(void **state)
{
	(void)state;
	static const struct step steps[] = {
		X("#"), S("+$0123456789abcdef0123#00"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;

	start(&s, &c, steps, 16);
	assert_int_equal(rsp_request(&c, "g", &reply, &len), RSP_ERR_TOO_BIG);
	assert_non_null(strstr(rsp_error(&c), "16-byte receive limit"));
	finish(&s, &c);
}

static void test_interrupt_fd(void **state)
{
	(void)state;
	static const struct step steps[] = {
		X("$c#63"), S("+"), X("\x03"), S("$S02#b5"), X("+"), DONE,
	};
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;
	int pipefd[2];

	assert_int_equal(pipe(pipefd), 0);
	start(&s, &c, steps, 0);
	c.interrupt_fd = pipefd[0];
	assert_int_equal(rsp_send(&c, "c", 1), 0);
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	assert_int_equal(rsp_wait_stop(&c, 2000, &reply, &len), 0);
	assert_string_equal(reply, "S02");
	assert_true(c.interrupted);
	assert_int_equal(c.stats.interrupts_sent, 1);
	finish(&s, &c);
	assert_string_equal(s.why, "");
	close(pipefd[0]);
	close(pipefd[1]);
}

/* A stub deaf to the user's interrupt does not hold the program for the rest of a
 * long run timeout: the stop must come within RSP_INTERRUPT_GRACE_MS of the 0x03. */
static void test_interrupt_ignored(void **state)
{
	(void)state;
	static const struct step steps[] = { X("$c#63"), S("+"), X("\x03"), X("never"), DONE };
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;
	int pipefd[2];
	struct timespec t0, t1;

	assert_int_equal(pipe(pipefd), 0);
	start(&s, &c, steps, 0);
	c.interrupt_fd = pipefd[0];
	assert_int_equal(rsp_send(&c, "c", 1), 0);
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rsp_wait_stop(&c, 60000, &reply, &len), RSP_ERR_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms < RSP_INTERRUPT_GRACE_MS + 5000);
	assert_non_null(strstr(rsp_error(&c), "of the interrupt"));
	assert_true(c.stalled);
	finish(&s, &c);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Ctrl-C while a request waits on a stub that stopped answering: the wait is cut to
 * the grace, not the (here one minute) timeout, and the connection is stalled. */
static void test_interrupt_cuts_request(void **state)
{
	(void)state;
	static const struct step steps[] = { X("$g#67"), X("never"), DONE };
	struct stub s;
	struct rsp_conn c;
	const char *reply;
	size_t len;
	int pipefd[2];
	struct timespec t0, t1;

	assert_int_equal(pipe(pipefd), 0);
	start(&s, &c, steps, 0);
	c.timeout_ms = 60000;
	c.interrupt_fd = pipefd[0];
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rsp_request(&c, "g", &reply, &len), RSP_ERR_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms < RSP_INTERRUPT_GRACE_MS + 5000);
	assert_non_null(strstr(rsp_error(&c), "interrupted"));
	assert_true(c.stalled);
	assert_int_equal(c.stats.interrupts_sent, 0);   /* no 0x03 outside a run */
	finish(&s, &c);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_refuses_non_loopback(void **state)
{
	(void)state;
	struct rsp_conn c;

	/* Refused before any socket is made (192.0.2.0/24 is a documentation range). */
	assert_int_equal(rsp_open(&c, "192.0.2.1:1234", 0), RSP_ERR_ADDRESS);
	assert_non_null(strstr(rsp_error(&c), "only loopback"));
	assert_int_equal(rsp_open(&c, "example.org:1234", 0), RSP_ERR_ADDRESS);
	assert_int_equal(rsp_open(&c, "127.0.0.1:99999", 0), RSP_ERR_ADDRESS);
	assert_int_equal(rsp_open(&c, "nonsense", 0), RSP_ERR_ADDRESS);
	assert_int_equal(rsp_open(&c, "unix:/nonexistent/gdb.sock", 0), RSP_ERR_IO);
	assert_non_null(strstr(rsp_error(&c), "/nonexistent/gdb.sock"));
}

/* Loopback TCP works (a listener of our own on 127.0.0.1, port chosen by the kernel). */
static void test_loopback_tcp(void **state)
{
	(void)state;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct rsp_conn c;
	char where[64];

	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(where, sizeof(where), "127.0.0.1:%u", ntohs(sa.sin_port));
	assert_int_equal(rsp_open(&c, where, 0), 0);
	int afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(write(afd, "+", 1), 1);
	assert_int_equal(rsp_send(&c, "?", 1), 0);
	rsp_close(&c);
	snprintf(where, sizeof(where), "localhost:%u", ntohs(sa.sin_port));
	assert_int_equal(rsp_open(&c, where, 0), 0);
	rsp_close(&c);
	close(afd);
	close(lfd);
}

static void test_classifiers(void **state)
{
	(void)state;
	assert_true(rsp_is_stop_reply("T05thread:01;", 13));
	assert_true(rsp_is_stop_reply("W00", 3));
	assert_false(rsp_is_stop_reply("OK", 2));
	assert_false(rsp_is_stop_reply("E01", 3));
	assert_false(rsp_is_stop_reply("0102", 4));
	assert_true(rsp_is_console("O6869", 5));
	assert_false(rsp_is_console("OK", 2));
	assert_false(rsp_is_console("O686", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_and_ack),
		cmocka_unit_test(test_nak_retransmit),
		cmocka_unit_test(test_nak_gives_up),
		cmocka_unit_test(test_corrupt_reply_is_nakked),
		cmocka_unit_test(test_corrupt_gives_up),
		cmocka_unit_test(test_poll_idle),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_stalls),
		cmocka_unit_test(test_run_timeout_then_interrupt),
		cmocka_unit_test(test_eof_at_every_offset),
		cmocka_unit_test(test_reset_reads_as_closed),
		cmocka_unit_test(test_unsolicited_stop_and_console),
		cmocka_unit_test(test_oversize_packet),
		cmocka_unit_test(test_interrupt_fd),
		cmocka_unit_test(test_interrupt_ignored),
		cmocka_unit_test(test_interrupt_cuts_request),
		cmocka_unit_test(test_refuses_non_loopback),
		cmocka_unit_test(test_loopback_tcp),
		cmocka_unit_test(test_classifiers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
