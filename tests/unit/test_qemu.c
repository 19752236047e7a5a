/* test_qemu.c: the QEMU launcher.
 *
 * Most tests launch a fake QEMU: this very test program, run again with TEST_QEMU_FAKE
 * set, which records its command line, process group and stdin, listens on the gdbstub
 * socket named on its command line and prints to the "serial port" (its stdout). That
 * gives full control over start-up failures, stubborn processes and parent death. The
 * last tests launch the real qemu-system-x86_64 (stopped by -S, no kernel needed); with
 * SYSWALK_TEST_KERNEL=path (tests/integration/qemu_launch.sh) a kernel is booted and
 * its serial output must come through the console pipe (and, with
 * SYSWALK_TEST_EXIT_STATUS=N, QEMU must end with status N through isa-debug-exit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qemu.h"

/* ---- the fake QEMU (runs in the child) ---- */

static const char *arg_after(int argc, char **argv, const char *flag)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], flag))
			return argv[i + 1];
	return NULL;
}

static int fake_qemu(const char *mode, int argc, char **argv)
{
	const char *report = getenv("TEST_QEMU_REPORT");
	if (report) {
		FILE *f = fopen(report, "w");
		struct stat in, null;
		bool devnull = fstat(0, &in) == 0 && stat("/dev/null", &null) == 0 && in.st_rdev == null.st_rdev;
		for (int i = 0; f && i < argc; i++)
			fprintf(f, "arg %s\n", argv[i]);
		if (f) {
			fprintf(f, "pid %d pgid %d stdin %s\n", (int)getpid(), (int)getpgid(0),
				devnull ? "devnull" : "other");
			fclose(f);
		}
	}
	if (!strcmp(mode, "fail")) {
		fprintf(stderr, "qemu-system-x86_64: -kernel nope: No such file\n");
		return 1;
	}
	if (!strcmp(mode, "stubborn"))
		signal(SIGTERM, SIG_IGN);
	if (strcmp(mode, "silent") != 0) {
		const char *chardev = arg_after(argc, argv, "-chardev");
		char path[PATH_MAX];
		if (!chardev || sscanf(chardev, "socket,path=%4095[^,]", path) != 1)
			return 3;
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path) >= (int)sizeof sa.sun_path)
			return 5;
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0)
			return 4;
	}
	printf("hello from the fake serial port\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* ---- helpers ---- */

struct env {
	char self[PATH_MAX];         /* this program, used as the fake QEMU */
	char report[PATH_MAX];
	char kernel[PATH_MAX];       /* an existing file passed as -kernel and -initrd */
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	if (!e)
		return -1;
	*state = e;
	ssize_t n = readlink("/proc/self/exe", e->self, sizeof e->self - 1);
	if (n <= 0)
		return -1;
	e->self[n] = '\0';
	const char *tmp = getenv("TMPDIR");
	snprintf(e->report, sizeof e->report, "%s/test_qemu_report.%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
	setenv("TEST_QEMU_REPORT", e->report, 1);
	snprintf(e->kernel, sizeof e->kernel, "%s/test_qemu_kernel.%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
	FILE *f = fopen(e->kernel, "w");
	if (!f || fputs("fake\n", f) < 0 || fclose(f) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	if (e) {
		unlink(e->report);
		unlink(e->kernel);
	}
	free(e);
	unsetenv("TEST_QEMU_FAKE");
	return 0;
}

static int start_fake(struct env *e, struct qemu *q, const char *mode, struct qemu_config *c)
{
	setenv("TEST_QEMU_FAKE", mode, 1);
	c->binary = e->self;
	int rc = qemu_start(q, c);
	unsetenv("TEST_QEMU_FAKE");
	return rc;
}

/* Whether the fake's recorded report has the line LINE. */
static bool report_has(const struct env *e, const char *line)
{
	FILE *f = fopen(e->report, "r");
	char buf[PATH_MAX + 16];
	bool found = false;
	while (f && !found && fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		found = !strcmp(buf, line);
	}
	if (f)
		fclose(f);
	return found;
}

/* Two consecutive arguments, as the report lists them. */
static void assert_args(const struct env *e, const char *a, const char *b)
{
	char l1[PATH_MAX], l2[PATH_MAX];
	snprintf(l1, sizeof l1, "arg %s", a);
	snprintf(l2, sizeof l2, "arg %s", b);
	if (!report_has(e, l1) || (b && !report_has(e, l2)))
		fail_msg("QEMU's command line lacks \"%s %s\"", a, b ? b : "");
}

static bool wait_console(struct qemu *q, const char *want, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		struct pollfd p = { .fd = qemu_console_fd(q), .events = POLLIN };
		if (p.fd >= 0)
			poll(&p, 1, 50);
		else
			usleep(50000);
		if (qemu_console_read(q) < 0)
			return false;
		if (strstr(qemu_console_peek(q, NULL), want))
			return true;
	}
	return false;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* ---- tests with the fake ---- */

static void test_missing_binary_is_a_clear_error(void **state)
{
	(void)state;
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	c.binary = "qemu-system-x86_64-not-installed";
	assert_int_equal(qemu_start(&q, &c), -ENOENT);
	assert_string_equal(qemu_error(&q), "qemu-system-x86_64-not-installed not found: "
			    "install qemu-system-x86 (scripts/install-deps.sh)");
	assert_int_equal(qemu_stop(&q), 0);
}

static void test_command_line_socket_and_console(void **state)
{
	struct env *e = *state;
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	const char *extra[] = { "-smp", "1", NULL };
	c.kernel = e->kernel;
	c.append = "console=ttyS0 quiet";
	c.extra_args = extra;
	assert_int_equal(start_fake(e, &q, "listen", &c), 0);

	/* the private directory and the socket in it */
	struct stat st;
	assert_int_equal(stat(qemu_dir(&q), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(stat(qemu_gdb_socket(&q), &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	char want[PATH_MAX];
	snprintf(want, sizeof want, "%s/gdb.sock", qemu_dir(&q));
	assert_string_equal(qemu_gdb_socket(&q), want);

	/* the command line: stopped, no shell, gdbstub on the socket only */
	snprintf(want, sizeof want, "socket,path=%s/gdb.sock,server=on,wait=off,id=gdb0", qemu_dir(&q));
	assert_args(e, "-chardev", want);
	assert_args(e, "-gdb", "chardev:gdb0");
	assert_args(e, "-S", NULL);
	assert_args(e, "-no-reboot", NULL);
	assert_args(e, "-monitor", "none");
	assert_args(e, "-display", "none");
	assert_args(e, "-accel", "tcg");
	assert_args(e, "-m", "64M");
	assert_args(e, "-serial", "stdio");
	assert_args(e, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");
	assert_args(e, "-kernel", e->kernel);
	assert_args(e, "-append", "console=ttyS0 quiet");
	assert_args(e, "-smp", "1");
	assert_false(report_has(e, "arg -s"));
	assert_false(report_has(e, "arg -cpu"));
	assert_false(report_has(e, "arg -initrd"));

	/* own process group, stdin on /dev/null */
	char line[128];
	snprintf(line, sizeof line, "pid %d pgid %d stdin devnull", (int)q.pid, (int)q.pid);
	assert_true(report_has(e, line));

	/* the serial port */
	assert_true(qemu_alive(&q));
	assert_true(wait_console(&q, "hello from the fake serial port\n", 5000));
	char *out = qemu_console_take(&q);
	assert_string_equal(out, "hello from the fake serial port\n");
	free(out);
	out = qemu_console_take(&q);
	assert_string_equal(out, "");
	free(out);

	/* stop: TERM is enough, everything removed, twice is fine */
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", qemu_dir(&q));
	assert_int_equal(qemu_stop(&q), 0);
	assert_false(exists(dir));
	assert_false(qemu_alive(&q));
	char how[128];
	assert_string_equal(qemu_describe_exit(&q, how, sizeof how), "killed by signal 15 (Terminated)");
	assert_int_equal(qemu_stop(&q), 0);
	assert_int_equal(qemu_console_fd(&q), -1);
	assert_string_equal(qemu_gdb_socket(&q), "");
}

static void test_options_reach_the_command_line(void **state)
{
	struct env *e = *state;
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	c.accel = "kvm";
	c.memory = "256M";
	c.cpu = "max";
	c.initrd = e->kernel;
	assert_int_equal(start_fake(e, &q, "listen", &c), 0);
	assert_args(e, "-accel", "kvm");
	assert_args(e, "-m", "256M");
	assert_args(e, "-cpu", "max");
	assert_args(e, "-initrd", e->kernel);
	assert_false(report_has(e, "arg -kernel"));
	assert_int_equal(qemu_stop(&q), 0);
}

static void test_stubborn_qemu_gets_sigkill(void **state)
{
	struct env *e = *state;
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	c.stop_timeout_ms = 200;
	assert_int_equal(start_fake(e, &q, "stubborn", &c), 0);
	assert_int_equal(qemu_stop(&q), 0);
	char how[128];
	assert_string_equal(qemu_describe_exit(&q, how, sizeof how), "killed by signal 9 (Killed)");
}

static void test_exit_during_start_reports_stderr(void **state)
{
	struct env *e = *state;
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	assert_int_equal(start_fake(e, &q, "fail", &c), -ECHILD);
	assert_non_null(strstr(qemu_error(&q), "QEMU exited with status 1"));
	assert_non_null(strstr(qemu_error(&q), "during start-up: qemu-system-x86_64: -kernel nope: No such file"));
	assert_false(exists(q.dir));
	assert_int_equal(qemu_stop(&q), 0);
}

static void test_socket_never_appears(void **state)
{
	struct env *e = *state;
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	c.start_timeout_ms = 300;
	c.stop_timeout_ms = 200;
	assert_int_equal(start_fake(e, &q, "silent", &c), -ETIMEDOUT);
	assert_non_null(strstr(qemu_error(&q), "did not open its gdbstub socket"));
	assert_non_null(strstr(qemu_error(&q), "within 300 ms"));
	assert_true(q.exited);          /* killed and reaped, not left behind */
	assert_false(exists(q.dir));
}

static void test_qemu_dies_with_its_parent(void **state)
{
	struct env *e = *state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		/* The "viewer": starts QEMU, tells the test, then is SIGKILLed. */
		struct qemu q;
		struct qemu_config c;
		qemu_config_init(&c);
		if (start_fake(e, &q, "listen", &c) < 0)
			_exit(1);
		char msg[PATH_MAX + 32];
		int n = snprintf(msg, sizeof msg, "%d %s", (int)q.pid, q.dir);
		if (write(p[1], msg, (size_t)n + 1) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	char msg[PATH_MAX + 32] = "";
	assert_true(read(p[0], msg, sizeof msg - 1) > 0);
	close(p[0]);
	int qpid = 0;
	char dir[PATH_MAX] = "";
	assert_int_equal(sscanf(msg, "%d %4095s", &qpid, dir), 2);
	kill(mid, SIGKILL);
	waitpid(mid, NULL, 0);
	/* Gone (or a zombie waiting for a reaper that is not us) within 5 s. */
	bool dead = false;
	for (int i = 0; i < 100 && !dead; i++) {
		char path[64], st[256] = "";
		snprintf(path, sizeof path, "/proc/%d/stat", qpid);
		FILE *f = fopen(path, "r");
		if (!f || !fgets(st, sizeof st, f))
			dead = true;
		else if (strstr(st, ") Z "))
			dead = true;
		if (f)
			fclose(f);
		if (!dead)
			usleep(50000);
	}
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	if (!dead) {
		kill(qpid, SIGKILL);
		fail_msg("QEMU (pid %d) outlived the process that started it", qpid);
	}
}

/* ---- tests with the real QEMU ---- */

/* Whether PID holds a listening TCP socket (any address): its socket inodes against
 * the LISTEN (0A) entries of /proc/net/tcp and tcp6. */
static bool has_tcp_listener(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	unsigned long inodes[256];
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 256) {
		char link[400], target[128];
		snprintf(link, sizeof link, "%s/%s", path, de->d_name);
		ssize_t len = readlink(link, target, sizeof target - 1);
		if (len > 0) {
			target[len] = '\0';
			if (sscanf(target, "socket:[%lu]", &inodes[n]) == 1)
				n++;
		}
	}
	closedir(d);
	const char *tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	for (int t = 0; t < 2; t++) {
		FILE *f = fopen(tables[t], "r");
		char line[512];
		while (f && fgets(line, sizeof line, f)) {
			char st[8];
			unsigned long ino;
			if (sscanf(line, "%*s %*s %*s %7s %*s %*s %*s %*s %*s %lu", st, &ino) != 2 || strcmp(st, "0A"))
				continue;
			for (int i = 0; i < n; i++)
				if (inodes[i] == ino) {
					fclose(f);
					return true;
				}
		}
		if (f)
			fclose(f);
	}
	return false;
}

static void test_real_qemu_starts_and_stops(void **state)
{
	(void)state;
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	if (qemu_start(&q, &c) < 0)
		fail_msg("%s", qemu_error(&q));
	assert_true(qemu_alive(&q));
	assert_false(has_tcp_listener(q.pid));
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", qemu_dir(&q));
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(qemu_stop(&q), 0);
	assert_false(exists(dir));
	char how[128];
	qemu_describe_exit(&q, how, sizeof how);
	/* QEMU exits 0 on SIGTERM ("terminating on signal 15") */
	if (strcmp(how, "exited with status 0") && strcmp(how, "killed by signal 15 (Terminated)"))
		fail_msg("QEMU ended unexpectedly: %s", how);
}

static void test_missing_kernel_is_reported_before_launch(void **state)
{
	(void)state;
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	c.kernel = "/nonexistent/syswalk-kernel.elf";
	assert_int_equal(qemu_start(&q, &c), -ENOENT);
	assert_string_equal(qemu_error(&q), "-kernel /nonexistent/syswalk-kernel.elf: No such file or directory");
	c.kernel = NULL;
	c.initrd = "/nonexistent/initrd";
	assert_int_equal(qemu_start(&q, &c), -ENOENT);
	assert_string_equal(qemu_error(&q), "-initrd /nonexistent/initrd: No such file or directory");
}

static void test_real_qemu_bad_kernel_in_its_own_words(void **state)
{
	struct env *e = *state;
	/* QEMU opens its sockets, then rejects the kernel: seen at start or by qemu_check. */
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	c.kernel = e->report;
	FILE *f = fopen(e->report, "w");
	assert_non_null(f);
	fputs("not a kernel\n", f);
	fclose(f);
	int rc = qemu_start(&q, &c);
	for (int i = 0; rc == 0 && i < 400; i++) {
		rc = qemu_check(&q);
		if (rc == 0)
			usleep(50000);
	}
	assert_int_equal(rc, -ECHILD);
	assert_non_null(strstr(qemu_error(&q), "QEMU exited with status 1"));
	assert_non_null(strstr(qemu_error(&q), "qemu: invalid kernel header"));
	assert_int_equal(qemu_stop(&q), 0);
	assert_false(exists(q.dir));
}

/* Send one RSP packet by hand (the rsp module is not under test here). */
static int rsp_continue(const char *socket_path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", socket_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(write(fd, "$c#63", 5), 5);
	return fd;      /* kept open until QEMU stops: closing it would detach the debugger */
}

static void test_real_kernel_serial_reaches_the_console(void **state)
{
	(void)state;
	const char *kernel = getenv("SYSWALK_TEST_KERNEL");
	struct qemu q;
	struct qemu_config c;
	qemu_config_init(&c);
	c.kernel = kernel;
	if (qemu_start(&q, &c) < 0)
		fail_msg("%s", qemu_error(&q));
	int gdb = rsp_continue(qemu_gdb_socket(&q));
	/* any byte will do: the teaching kernel prints a banner on COM1 first */
	bool got = false;
	for (int i = 0; i < 1200 && !got; i++) {
		struct pollfd p = { .fd = qemu_console_fd(&q), .events = POLLIN };
		poll(&p, 1, 50);
		qemu_console_read(&q);
		/* a whole line, or everything the guest printed before QEMU ended */
		got = strchr(qemu_console_peek(&q, NULL), '\n') || (q.console_eof && q.console_len);
	}
	char how[128];
	if (!got)
		fail_msg("no serial output within 60 s; QEMU %s", qemu_describe_exit(&q, how, sizeof how));
	printf("# console: %.60s\n", qemu_console_peek(&q, NULL));
	/* A kernel that ends itself through isa-debug-exit: QEMU's status says so. */
	const char *status = getenv("SYSWALK_TEST_EXIT_STATUS");
	if (status) {
		for (int i = 0; i < 1200 && qemu_alive(&q); i++)
			usleep(50000);
		char want[64];
		snprintf(want, sizeof want, "exited with status %s ", status);
		qemu_describe_exit(&q, how, sizeof how);
		if (strncmp(how, want, strlen(want)))
			fail_msg("QEMU %s, want \"%s...\"", how, want);
		assert_int_equal(qemu_check(&q), -ECHILD);
	}
	assert_int_equal(qemu_stop(&q), 0);
	close(gdb);
}

int main(int argc, char **argv)
{
	const char *fake = getenv("TEST_QEMU_FAKE");
	if (fake)
		return fake_qemu(fake, argc, argv);
	struct CMUnitTest tests[16] = {
		cmocka_unit_test(test_missing_binary_is_a_clear_error),
		cmocka_unit_test(test_command_line_socket_and_console),
		cmocka_unit_test(test_options_reach_the_command_line),
		cmocka_unit_test(test_stubborn_qemu_gets_sigkill),
		cmocka_unit_test(test_exit_during_start_reports_stderr),
		cmocka_unit_test(test_socket_never_appears),
		cmocka_unit_test(test_qemu_dies_with_its_parent),
		cmocka_unit_test(test_missing_kernel_is_reported_before_launch),
	};
	size_t n = 8;
	/* cmocka 1.1.5 prints a skipped test as "not ok", so absent tests are left out. */
	if (system("command -v " QEMU_DEFAULT_BINARY " >/dev/null 2>&1") == 0) {
		tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_real_qemu_starts_and_stops);
		tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_real_qemu_bad_kernel_in_its_own_words);
	} else {
		printf("# SKIP real QEMU tests: " QEMU_DEFAULT_BINARY " is not installed\n");
	}
	if (getenv("SYSWALK_TEST_KERNEL"))
		tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_real_kernel_serial_reaches_the_console);
	return _cmocka_run_group_tests("qemu", tests, n, setup, teardown);
}
