/* fake_stub: a gdbstub on a unix socket that misbehaves on cue, for fault injection.
 *
 * Usage: fake_stub LISTEN_PATH FAULT [--upstream SOCKET] [--match PREFIX] [--after N]
 *                  [--xml DIR] [--reply PAYLOAD] [--delay MS] [--log]
 *
 * It answers like QEMU 7.2 because, given --upstream, it IS QEMU 7.2: every byte is
 * relayed to and from a real gdbstub until the fault's cue, the N-th packet from the
 * client (default the first) whose payload starts with PREFIX (default: any packet).
 * Without --upstream it plays the start of a QEMU 7.2 session itself (qSupported,
 * vCont?, '?', the target description read from --xml DIR, default the unit tests'
 * fixtures, which hold QEMU 7.2's target.xml and the i386-64bit.xml it includes)
 * and answers anything else with an empty packet ("not supported"), enough to reach
 * the cue during the handshake.
 *
 * FAULT, what happens at the cue (the cue packet is never relayed):
 *   none       nothing: a transparent relay (or the scripted handshake)
 *   silent     acknowledge nothing, answer nothing, keep the connection open: a hung stub
 *   silent-ack '+' for the cue packet, then nothing (a stub that took the request and froze)
 *   close-mid  '+' and half of a stop reply ("$T05thre"), then close the connection
 *   garbage    '+', then every 20 ms a burst of bytes that are never a valid packet
 *              (bad checksums, stray '#', noise), until the client leaves
 *   noise      like garbage but without any '$': bytes a decoder can only skip
 * and the hostile ones, after which the session goes on (relayed or scripted):
 *   reply      the cue packet is answered with --reply PAYLOAD (C escapes \e \a \n
 *              \\ \xNN are decoded: a stub that sends terminal escapes)
 *   mem-error  from the cue on, every 'm' is answered "E14" (memory unreadable)
 *   stop-elsewhere  from the cue on, every continue ('c', "vCont;c") is answered at
 *              once with a stop reply, the CPU never having moved: every stop is
 *              somewhere else than the caller waits for
 *
 * --delay MS waits that long before each answer given in place (a slow hostile stub).
 * --log prints "packet PAYLOAD" (non-printable bytes as \xNN) for each packet the
 * client sends, so a test can tell what was asked.
 *
 * Prints "listening PATH" on stdout once the socket accepts connections, and "cue MS
 * PAYLOAD" when the fault begins (MS: wall-clock milliseconds, as `date +%s%3N`, so a
 * test can time detection from the fault itself); serves one client, exits when it
 * leaves (status 0).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rsp_codec.h"

enum fault { F_NONE, F_SILENT, F_SILENT_ACK, F_CLOSE_MID, F_GARBAGE, F_NOISE,
	     F_REPLY, F_MEM_ERROR, F_STOP_ELSEWHERE };

struct stub {
	enum fault fault;
	const char *match;         /* payload prefix of the cue, "" = any */
	int after;                 /* the cue is the AFTER-th matching packet */
	int seen;                  /* matching packets so far */
	bool faulting;
	int client, upstream;      /* fds; upstream -1 when scripted */
	struct rsp_decoder dec;    /* client -> stub items */
	char item[20000];          /* raw bytes of the item being decoded */
	size_t item_len;
	const char *xml_dir;       /* scripted: where the target description's files are */
	char reply[4096];          /* --reply, decoded */
	size_t reply_len;
	bool log;                  /* --log */
	int delay_ms;              /* --delay */
};

static const char *fault_names[] = { "none", "silent", "silent-ack", "close-mid", "garbage", "noise",
				     "reply", "mem-error", "stop-elsewhere" };

/* Faults after which the session goes on: only some packets are answered in place. */
static bool fault_goes_on(enum fault f)
{
	return f == F_REPLY || f == F_MEM_ERROR || f == F_STOP_ELSEWHERE;
}

/* --reply's C escapes decoded into S->reply. */
static void decode_reply(struct stub *s, const char *arg)
{
	size_t n = 0;

	for (const char *p = arg; *p && n < sizeof s->reply; p++) {
		if (*p != '\\' || !p[1]) {
			s->reply[n++] = *p;
			continue;
		}
		switch (*++p) {
		case 'e': s->reply[n++] = 0x1b; break;
		case 'a': s->reply[n++] = 0x07; break;
		case 'n': s->reply[n++] = '\n'; break;
		case 'x': {
			unsigned v = 0;
			int k = 0;
			while (k < 2 && rsp_hex_digit((unsigned char)p[1]) >= 0)
				v = v * 16 + (unsigned)rsp_hex_digit((unsigned char)*++p), k++;
			s->reply[n++] = (char)v;
			break;
		}
		default: s->reply[n++] = *p; break;
		}
	}
	s->reply_len = n;
}

static int die(const char *what)
{
	fprintf(stderr, "fake_stub: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;       /* the client left: the main loop will notice */
		p += n;
		len -= (size_t)n;
	}
}

static void put_packet(struct stub *s, const char *payload, size_t len)
{
	static char out[2 * 20000 + 8];
	long n = rsp_encode(payload, len, out, sizeof out);
	if (n > 0)
		put(s->client, out, (size_t)n);
}

/* The annex NAME from DIR, or NULL when there is no such file. */
static char *read_annex(const char *dir, const char *name, size_t *len)
{
	static char buf[200000];
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = strchr(name, '/') ? NULL : fopen(path, "r");
	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* The scripted half of a QEMU 7.2 session: only what the handshake asks. */
static void scripted_answer(struct stub *s, const char *p, size_t len)
{
	char annex[128];
	unsigned long off, n;

	put(s->client, "+", 1);
	if (strncmp(p, "qSupported", 10) == 0) {
		const char *a = "PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+";
		put_packet(s, a, strlen(a));
	} else if (strcmp(p, "vCont?") == 0) {
		put_packet(s, "vCont;c;C;s;S", 13);
	} else if (strcmp(p, "?") == 0) {
		put_packet(s, "T05thread:01;", 13);
	} else if (sscanf(p, "qXfer:features:read:%127[^:]:%lx,%lx", annex, &off, &n) == 3) {
		static char reply[20000];
		size_t xml_len;
		const char *xml = read_annex(s->xml_dir, annex, &xml_len);
		if (!xml || n + 1 > sizeof reply) {
			put_packet(s, "E00", 3);
			return;
		}
		size_t left = off < xml_len ? xml_len - off : 0;
		size_t take = left < n ? left : n;
		reply[0] = take < left ? 'm' : 'l';
		memcpy(reply + 1, xml + off, take);
		put_packet(s, reply, take + 1);
	} else {
		put_packet(s, "", 0);
	}
	(void)len;
}

/* Bytes that look like RSP but never decode: a wrong checksum, a bad checksum digit,
 * a '#' with no packet, a '$' inside a packet; NOISE leaves out every '$'. */
static void send_garbage(struct stub *s, bool noise)
{
	static const char junk[] = "$T05#00$zz#zz#42}}$O4#g1*\x7f\xff+x$m$#";
	static const char quiet[] = "T05#00 zz#zz#42}}O4#g1*\x7f\xff x#";
	if (noise)
		put(s->client, quiet, sizeof quiet - 1);
	else
		put(s->client, junk, sizeof junk - 1);
}

static void begin_fault(struct stub *s, const char *payload)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	printf("cue %lld %.60s\n", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000, payload);
	fflush(stdout);
	s->faulting = true;
	switch (s->fault) {
	case F_SILENT_ACK:
		put(s->client, "+", 1);
		break;
	case F_CLOSE_MID:
		put(s->client, "+$T05thre", 9);
		close(s->client);
		s->client = -1;
		break;
	case F_GARBAGE:
	case F_NOISE:
		put(s->client, "+", 1);
		break;
	case F_REPLY:
		put(s->client, "+", 1);
		put_packet(s, s->reply, s->reply_len);
		break;
	default:
		break;
	}
}

/* After the cue of a fault that goes on: answer P here when the fault says so (after
 * --delay). */
static bool answer_in_place(struct stub *s, const char *p)
{
	const char *answer = NULL;

	if (s->fault == F_MEM_ERROR && p[0] == 'm')
		answer = "E14";
	else if (s->fault == F_STOP_ELSEWHERE && (strcmp(p, "c") == 0 || strncmp(p, "vCont;c", 7) == 0))
		answer = "T05thread:01;";
	if (!answer)
		return false;
	if (s->delay_ms > 0)
		nanosleep(&(struct timespec){ .tv_sec = s->delay_ms / 1000,
					      .tv_nsec = (s->delay_ms % 1000) * 1000000L }, NULL);
	put(s->client, "+", 1);
	put_packet(s, answer, strlen(answer));
	return true;
}

static void log_packet(const char *p, size_t len)
{
	fputs("packet ", stdout);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('\n');
	fflush(stdout);
}

/* One complete item from the client (its raw bytes in s->item). */
static void client_item(struct stub *s)
{
	bool packet = s->dec.kind == RSP_KIND_PACKET;
	if (packet && s->log)
		log_packet(s->dec.payload, s->dec.len);
	if (packet && s->fault != F_NONE && !s->faulting &&
	    strncmp(s->dec.payload, s->match, strlen(s->match)) == 0 && ++s->seen == s->after) {
		begin_fault(s, s->dec.payload);
		if (!fault_goes_on(s->fault) || s->fault == F_REPLY)
			return;
	}
	if (s->faulting && fault_goes_on(s->fault)) {
		if (packet && answer_in_place(s, s->dec.payload))
			return;
	} else if (s->faulting) {
		return;               /* a faulty stub hears nothing more */
	}
	if (s->upstream >= 0)
		put(s->upstream, s->item, s->item_len);
	else if (packet)
		scripted_answer(s, s->dec.payload, s->dec.len);
}

static void from_client(struct stub *s, const char *buf, size_t len)
{
	while (len > 0 && s->client >= 0) {
		size_t used = 0;
		int rc = rsp_decode(&s->dec, buf, len, &used);
		if (s->item_len + used <= sizeof s->item) {
			memcpy(s->item + s->item_len, buf, used);
			s->item_len += used;
		}
		buf += used;
		len -= used;
		if (rc == RSP_NEED_MORE)
			continue;
		if (rc == RSP_COMPLETE)
			client_item(s);
		else if (!s->faulting && s->upstream >= 0)
			put(s->upstream, s->item, s->item_len);   /* let the real stub nak it */
		s->item_len = 0;
	}
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "fake_stub: socket path too long: %s\n", path);
		exit(1);
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0)
		die(path);
	return fd;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die(path);
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: fake_stub LISTEN_PATH none|silent|silent-ack|close-mid|garbage|noise|"
			"reply|mem-error|stop-elsewhere [--upstream SOCKET] [--match PREFIX] [--after N] "
			"[--xml DIR] [--reply PAYLOAD] [--delay MS] [--log]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct stub s = { .match = "", .after = 1, .upstream = -1, .client = -1 };
	const char *upstream = NULL, *xml = SYSWALK_SRCDIR "/tests/unit/fixtures";

	if (argc < 3)
		usage();
	s.fault = (enum fault)-1;
	for (int i = 0; i < (int)(sizeof fault_names / sizeof fault_names[0]); i++)
		if (strcmp(argv[2], fault_names[i]) == 0)
			s.fault = (enum fault)i;
	if ((int)s.fault < 0)
		usage();
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--log") == 0) {
			s.log = true;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--upstream") == 0)
			upstream = argv[++i];
		else if (strcmp(argv[i], "--match") == 0)
			s.match = argv[++i];
		else if (strcmp(argv[i], "--after") == 0)
			s.after = atoi(argv[++i]);
		else if (strcmp(argv[i], "--xml") == 0)
			xml = argv[++i];
		else if (strcmp(argv[i], "--reply") == 0)
			decode_reply(&s, argv[++i]);
		else if (strcmp(argv[i], "--delay") == 0)
			s.delay_ms = atoi(argv[++i]);
		else
			usage();
	}
	signal(SIGPIPE, SIG_IGN);
	if (rsp_decoder_init(&s.dec, 16384) < 0)
		die("decoder");
	s.xml_dir = xml;

	int lfd = listen_on(argv[1]);
	printf("listening %s\n", argv[1]);
	fflush(stdout);
	s.client = accept(lfd, NULL, NULL);
	if (s.client < 0)
		die("accept");
	close(lfd);
	unlink(argv[1]);
	if (upstream)
		s.upstream = connect_to(upstream);

	char buf[8192];
	while (s.client >= 0) {
		struct pollfd p[2] = { { .fd = s.client, .events = POLLIN }, { .fd = s.upstream, .events = POLLIN } };
		bool spewing = s.faulting && (s.fault == F_GARBAGE || s.fault == F_NOISE);
		int r = poll(p, s.upstream >= 0 ? 2 : 1, spewing ? 20 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("poll");
		if (spewing)
			send_garbage(&s, s.fault == F_NOISE);
		if (p[0].revents) {
			ssize_t n = read(s.client, buf, sizeof buf);
			if (n <= 0)
				break;
			from_client(&s, buf, (size_t)n);
		}
		if (s.upstream >= 0 && s.client >= 0 && p[1].revents) {
			ssize_t n = read(s.upstream, buf, sizeof buf);
			if (n <= 0)
				break;
			if (!s.faulting || fault_goes_on(s.fault))
				put(s.client, buf, (size_t)n);
		}
	}
	rsp_decoder_free(&s.dec);
	return 0;
}
