/* rsp_floor.c: the protocol floor for `make bench` — the least a client can do.
 *
 * A deliberately tiny GDB remote-protocol client that shares no code with syswalk, so
 * that what it measures is QEMU's gdbstub and the socket, not our own layers. It starts
 * QEMU with the same arguments syswalk's qemu.c uses (no shell, gdbstub on a unix
 * socket inside a fresh 0700 directory, -S), then:
 *
 *   cold  ENTRY          run ('c') to a hardware breakpoint at ENTRY until RAX == 1
 *                        (the demo's write), and print the time from launching QEMU
 *   walk  ENTRY FRAME    the same, then single-step ('vCont;s') until CS says ring 3,
 *                        and at every stop read all registers ('g') and the 168-byte
 *                        pt_regs frame at FRAME ('m'): only the round trips a snapshot
 *                        strictly needs. An 'm' the loaded page table cannot serve
 *                        (E14 while the user CR3 is loaded) is counted, not retried.
 *
 * Usage: rsp_floor QEMU KERNEL cold ENTRY | walk ENTRY FRAME
 * Output: "key value" lines (qemu_argv, ms_to_entry, steps, us_per_step, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FRAME_SIZE 168        /* sizeof(struct pt_regs) on x86_64 */
#define REPLY_CAP 65536

/* Offsets in the 'g' reply of QEMU's x86_64 register file (bytes): rax is first, rip
 * follows the 16 general registers, then eflags (4 bytes) and cs (4 bytes). */
#define G_RAX 0
#define G_RIP 128
#define G_CS 140

struct floor {
	int fd;
	pid_t qemu;
	char dir[64], sock[100];
	char in[8192];
	size_t in_pos, in_len;
	char reply[REPLY_CAP];
	size_t reply_len;
	uint64_t requests;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time this process has used (user + system), in µs. */
static double cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static void die(struct floor *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "rsp_floor: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (f->qemu > 0) {
		kill(f->qemu, SIGKILL);
		waitpid(f->qemu, NULL, 0);
	}
	if (f->sock[0])
		unlink(f->sock);
	if (f->dir[0])
		rmdir(f->dir);
	exit(1);
}

/* One byte from the socket, bounded by a 10 s alarm set by main. */
static int get_byte(struct floor *f)
{
	if (f->in_pos == f->in_len) {
		ssize_t n = read(f->fd, f->in, sizeof(f->in));
		if (n <= 0)
			die(f, "gdbstub connection: %s", n == 0 ? "closed" : strerror(errno));
		f->in_pos = 0;
		f->in_len = (size_t)n;
	}
	return (unsigned char)f->in[f->in_pos++];
}

/* Send "$PAYLOAD#xx" and wait for the '+'. */
static void send_packet(struct floor *f, const char *payload)
{
	char buf[512];
	unsigned sum = 0;
	for (const char *p = payload; *p; p++)
		sum += (unsigned char)*p;
	int n = snprintf(buf, sizeof(buf), "$%s#%02x", payload, sum & 0xff);
	if (write(f->fd, buf, (size_t)n) != n)
		die(f, "write: %s", strerror(errno));
	f->requests++;
	int c;
	while ((c = get_byte(f)) != '+')
		if (c == '-')
			die(f, "the stub rejected '%s'", payload);
}

/* Read one packet into f->reply (run-length expanded) and acknowledge it. QEMU 7.2
 * never escapes in these replies but does use '*' run-length encoding in 'g'. */
static void read_packet(struct floor *f)
{
	int c;
	while ((c = get_byte(f)) != '$')
		;
	f->reply_len = 0;
	while ((c = get_byte(f)) != '#') {
		if (c == '*') {
			int count = get_byte(f) - 29;
			char prev = f->reply_len ? f->reply[f->reply_len - 1] : '0';
			for (int i = 0; i < count && f->reply_len < REPLY_CAP - 1; i++)
				f->reply[f->reply_len++] = prev;
		} else if (f->reply_len < REPLY_CAP - 1) {
			f->reply[f->reply_len++] = (char)c;
		}
	}
	get_byte(f);
	get_byte(f);
	f->reply[f->reply_len] = '\0';
	if (write(f->fd, "+", 1) != 1)
		die(f, "write: %s", strerror(errno));
}

static void request(struct floor *f, const char *payload)
{
	send_packet(f, payload);
	read_packet(f);
}

/* A little-endian value of WIDTH bytes at byte offset OFF of the 'g' reply. */
static uint64_t reg(struct floor *f, size_t off, int width)
{
	uint64_t v = 0;
	if ((off + (size_t)width) * 2 > f->reply_len)
		die(f, "'g' reply too short (%zu hex digits)", f->reply_len);
	for (int i = width - 1; i >= 0; i--) {
		unsigned byte;
		sscanf(f->reply + (off + (size_t)i) * 2, "%2x", &byte);
		v = v << 8 | byte;
	}
	return v;
}

/* The argument list of viewer/qemu.c's build_argv for the teaching kernel. */
static void start_qemu(struct floor *f, const char *qemu, const char *kernel)
{
	snprintf(f->dir, sizeof(f->dir), "%s/rsp-floor.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))     /* mkdtemp makes it 0700 */
		die(f, "mkdtemp: %s", strerror(errno));
	snprintf(f->sock, sizeof(f->sock), "%s/gdb.sock", f->dir);
	char chardev[256];
	snprintf(chardev, sizeof(chardev), "socket,path=%s,server=on,wait=off,id=gdb0", f->sock);
	const char *argv[] = { qemu, "-S", "-no-reboot", "-nodefaults", "-display", "none", "-monitor",
			       "none", "-accel", "tcg", "-m", "64M", "-chardev", chardev, "-gdb",
			       "chardev:gdb0", "-serial", "stdio", "-device",
			       "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", kernel, NULL };
	printf("qemu_argv");
	for (int i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf("\n");
	fflush(stdout);
	f->qemu = fork();
	if (f->qemu < 0)
		die(f, "fork: %s", strerror(errno));
	if (f->qemu == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		setpgid(0, 0);
		execvp(qemu, (char *const *)argv);
		_exit(127);
	}
}

static void connect_stub(struct floor *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->sock);
	for (int tries = 0;; tries++) {
		f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(f->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return;
		close(f->fd);
		if (tries > 15000 || waitpid(f->qemu, NULL, WNOHANG) == f->qemu)
			die(f, "QEMU's gdbstub at %s never listened", f->sock);
		usleep(1000);
	}
}

/* Continue until the CPU stops at ENTRY with RAX == 1; the breakpoint stays set. */
static void run_to_write(struct floor *f, uint64_t entry)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "Z1,%llx,1", (unsigned long long)entry);
	request(f, cmd);
	if (strcmp(f->reply, "OK") != 0)
		die(f, "'%s' answered '%s'", cmd, f->reply);
	for (;;) {
		send_packet(f, "vCont;c");
		read_packet(f);
		if (f->reply[0] != 'T')
			die(f, "stop reply '%s'", f->reply);
		request(f, "g");
		if (reg(f, G_RIP, 8) == entry && reg(f, G_RAX, 8) == 1)
			return;
		/* Another syscall: QEMU reports a breakpoint at the resume address again, so
		 * lift it for one step. */
		snprintf(cmd, sizeof(cmd), "z1,%llx,1", (unsigned long long)entry);
		request(f, cmd);
		send_packet(f, "vCont;s");
		read_packet(f);
		snprintf(cmd, sizeof(cmd), "Z1,%llx,1", (unsigned long long)entry);
		request(f, cmd);
	}
}

int main(int argc, char **argv)
{
	struct floor f = { .fd = -1 };
	if (argc < 5 || (strcmp(argv[3], "walk") == 0 && argc < 6)) {
		fprintf(stderr, "usage: rsp_floor QEMU KERNEL cold ENTRY | walk ENTRY FRAME\n");
		return 2;
	}
	uint64_t entry = strtoull(argv[4], NULL, 0);
	signal(SIGPIPE, SIG_IGN);
	alarm(120);               /* a hung stub ends the run, never the benchmark */

	double t0 = now_ms();
	start_qemu(&f, argv[1], argv[2]);
	connect_stub(&f);
	double t_conn = now_ms();
	run_to_write(&f, entry);
	double t_entry = now_ms();
	printf("ms_socket %.2f\nms_to_entry %.2f\nrequests_to_entry %llu\n", t_conn - t0, t_entry - t0,
	       (unsigned long long)f.requests);

	if (strcmp(argv[3], "walk") == 0) {
		uint64_t frame = strtoull(argv[5], NULL, 0);
		char cmd[64], rm[64];
		snprintf(rm, sizeof(rm), "z1,%llx,1", (unsigned long long)entry);
		request(&f, rm);
		snprintf(cmd, sizeof(cmd), "m%llx,%x", (unsigned long long)frame, FRAME_SIZE);
		uint64_t steps = 0, unreadable = 0, req0 = f.requests;
		double s0 = now_ms(), c0 = cpu_us();
		for (;;) {
			send_packet(&f, "vCont;s");
			read_packet(&f);
			if (f.reply[0] != 'T')
				die(&f, "stop reply '%s' after %llu steps", f.reply, (unsigned long long)steps);
			request(&f, "g");
			if (steps == 0)
				printf("g_hex_digits %zu\n", f.reply_len);
			uint64_t cs = reg(&f, G_CS, 4);
			request(&f, cmd);
			if (f.reply[0] == 'E')
				unreadable++;
			steps++;
			if ((cs & 3) == 3)
				break;
			if (steps > 100000)
				die(&f, "never returned to ring 3");
		}
		double s1 = now_ms(), c1 = cpu_us();
		printf("cpu_us_per_step %.1f\n", (c1 - c0) / steps);
		printf("steps %llu\nus_per_step %.1f\nrequests_per_step %.2f\nframe_unreadable %llu\n",
		       (unsigned long long)steps, (s1 - s0) * 1e3 / steps,
		       (double)(f.requests - req0) / steps, (unsigned long long)unreadable);
	}
	kill(f.qemu, SIGKILL);
	waitpid(f.qemu, NULL, 0);
	close(f.fd);
	unlink(f.sock);
	rmdir(f.dir);
	return 0;
}
