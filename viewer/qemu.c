/* qemu.c: start, watch and stop qemu-system-x86_64 (see qemu.h); its serial console
 * is qemu_console.c, its command line qemu_argv.c. */
#include "qemu.h"
#include "qemu_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "infile.h"
#define POLL_STEP_MS    10


int qemu_fail(struct qemu *q, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->err, sizeof q->err, fmt, ap);
	va_end(ap);
	return code;
}

static void add(struct argv_builder *b, const char *arg)
{
	if (b->argc >= QEMU_MAX_ARGS) {
		b->overflow = true;
		return;
	}
	b->argv[b->argc++] = arg;
	b->argv[b->argc] = NULL;
}

/* Add a composed argument (printf-style), stored in the builder's buffer. */
static void addf(struct argv_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void addf(struct argv_builder *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof b->buf - b->used;
	va_start(ap, fmt);
	int n = vsnprintf(b->buf + b->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->overflow = true;
		return;
	}
	add(b, b->buf + b->used);
	b->used += (size_t)n + 1;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Find NAME the way execvp would, so that "not installed" is reported before forking
 * (and the child can use execv, which unlike execvp never allocates after fork). */
int qemu_resolve_binary(struct qemu *q, const char *name)
{
	if (strchr(name, '/')) {
		if (access(name, X_OK) < 0)
			return qemu_fail(q, -ENOENT, "%s: not an executable file: %s", name, strerror(errno));
		snprintf(q->binary, sizeof q->binary, "%s", name);
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		int n = snprintf(q->binary, sizeof q->binary, "%.*s/%s",
				 (int)len, len ? path : ".", name);
		if (n > 0 && (size_t)n < sizeof q->binary && access(q->binary, X_OK) == 0)
			return 0;
		path += len;
		if (*path == ':')
			path++;
	}
	q->binary[0] = '\0';
	return qemu_fail(q, -ENOENT, "%s not found: install qemu-system-x86 (scripts/install-deps.sh)", name);
}

/* A fresh private directory for the sockets. mkdtemp creates it 0700, but we check what
 * we got rather than trust it: the gdbstub is full control over the guest, so nobody
 * else may reach its socket. */
static int make_private_dir(struct qemu *q, bool want_qmp)
{
	const char *bases[] = { getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/tmp" };
	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		struct stat st;
		const char *base = bases[i];
		if (!base || !*base || stat(base, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		/* DIR/qemu.stderr is the longest name placed inside it. */
		int n = snprintf(q->dir, sizeof q->dir, "%s/syswalk-qemu.XXXXXX", base);
		if (n < 0 || (size_t)n + sizeof "/qemu.stderr" > sizeof q->dir)
			continue;
		if (!mkdtemp(q->dir))
			continue;
		if (lstat(q->dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()
		    || (st.st_mode & 07777) != 0700) {
			int e = errno ? errno : EPERM;
			rmdir(q->dir);
			q->dir[0] = '\0';
			return qemu_fail(q, -e, "private directory under %s is not ours with mode 0700", base);
		}
		/* Both fit: the length was checked against the longer name above. */
		if (snprintf(q->gdb_socket, sizeof q->gdb_socket, "%s/gdb.sock", q->dir) < 0
		    || snprintf(q->stderr_path, sizeof q->stderr_path, "%s/qemu.stderr", q->dir) < 0
		    || (want_qmp && snprintf(q->qmp_socket, sizeof q->qmp_socket, "%s/qmp.sock", q->dir) < 0))
			return qemu_fail(q, -EINVAL, "socket path under %s does not fit", q->dir);
		return 0;
	}
	q->dir[0] = '\0';
	return qemu_fail(q, -ENOENT, "cannot create a private directory for the QEMU sockets "
		    "under $XDG_RUNTIME_DIR, $TMPDIR or /tmp (or the path would not fit in a socket address)");
}

int qemu_build_argv(struct qemu *q, const struct qemu_config *c, struct argv_builder *b)
{
	add(b, q->binary);
	add(b, "-S");                   /* stopped until the walk continues it */
	add(b, "-no-reboot");           /* a triple fault ends QEMU instead of looping */
	add(b, "-nodefaults");          /* no VGA, NIC or default serial/monitor */
	add(b, "-display"); add(b, "none");
	add(b, "-monitor"); add(b, "none");
	add(b, "-accel"); add(b, c->accel ? c->accel : QEMU_DEFAULT_ACCEL);
	add(b, "-m"); add(b, c->memory ? c->memory : QEMU_DEFAULT_MEMORY);
	if (c->cpu) {
		add(b, "-cpu"); add(b, c->cpu);
	}
	add(b, "-chardev");
	addf(b, "socket,path=%s,server=on,wait=off,id=gdb0", q->gdb_socket);
	add(b, "-gdb"); add(b, "chardev:gdb0");
	/* COM1 on QEMU's stdout, a pipe to us: see docs/decisions.md (qemu). */
	add(b, "-serial"); add(b, "stdio");
	add(b, "-device"); add(b, "isa-debug-exit,iobase=0xf4,iosize=0x04");
	if (c->kernel) {
		add(b, "-kernel"); add(b, c->kernel);
	}
	if (c->append) {
		add(b, "-append"); add(b, c->append);
	}
	if (c->initrd) {
		add(b, "-initrd"); add(b, c->initrd);
	}
	for (const char *const *e = c->extra_args; e && *e; e++)
		add(b, *e);
	/* The machine-state cache's monitor: QMP on a socket beside the gdbstub's. It adds
	 * no device, so a machine started with it is the machine started without. */
	if (c->monitor) {
		add(b, "-chardev");
		addf(b, "socket,path=%s,server=on,wait=off,id=qmp0", q->qmp_socket);
		add(b, "-mon"); add(b, "chardev=qmp0,mode=control");
	}
	if (c->incoming) {
		add(b, "-incoming");
		addf(b, "fd:%d", c->incoming_fd);
	}
	if (b->overflow)
		return qemu_fail(q, -E2BIG, "QEMU command line too long (more than %d arguments)", QEMU_MAX_ARGS);
	return 0;
}

/* In the child, between fork and exec: only async-signal-safe calls. Never returns. */
static void exec_child(struct qemu *q, const struct argv_builder *b, pid_t parent,
		       int out_fd, int err_fd, int report_fd, int keep_fd)
{
	/* Own process group: the terminal's Ctrl-C reaches syswalk only, and qemu_stop
	 * can signal QEMU together with anything it started. */
	setpgid(0, 0);
	/* If syswalk dies without running qemu_stop (SIGKILL, a crash), the kernel sends
	 * QEMU SIGKILL. The flag fires when the parent *thread* exits; syswalk is single-
	 * threaded. If the parent already died before the prctl, we are orphaned: give up. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		goto out;
	/* Dispositions the viewer set (ignored SIGPIPE, handlers) must not leak into QEMU. */
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGWINCH, SIGTSTP };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The saved machine state QEMU reads (-incoming fd:N): the only fd it inherits. */
	if (keep_fd > 2 && fcntl(keep_fd, F_SETFD, 0) < 0)
		goto out;
	execv(q->binary, (char *const *)b->argv);
out:;
	int e = errno;
	ssize_t w = write(report_fd, &e, sizeof e);
	(void)w;
	_exit(127);
}

/* Whether the kernel lists PATH as a listening unix socket. QEMU binds the socket file
 * just before it listens; a connect in between would be refused. Flags 00010000 is
 * __SO_ACCEPTCON, set by listen(). Without /proc we fall back to the file's existence. */
static bool socket_listening(const char *path)
{
	FILE *f = fopen("/proc/net/unix", "r");
	if (!f)
		return true;
	char line[4096];
	bool found = false;
	size_t plen = strlen(path);
	while (!found && fgets(line, sizeof line, f)) {
		unsigned long flags;
		char name[4096];
		/* Num RefCount Protocol Flags Type St Inode Path */
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %4095s", &flags, name) == 2)
			found = (flags & 0x10000) && strlen(name) == plen && !strcmp(name, path);
	}
	fclose(f);
	return found;
}

static void reap(struct qemu *q, int status)
{
	q->exited = true;
	q->exit_status = status;
	q->pid = 0;
}

/* Whether FD (-1: none) is readable now: the user's interrupt. */
static bool interrupt_requested(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return fd >= 0 && poll(&p, 1, 0) > 0;
}

static int wait_for_socket(struct qemu *q, int timeout_ms, int interrupt_fd)
{
	long deadline = now_ms() + timeout_ms;
	for (;;) {
		if (interrupt_requested(interrupt_fd))
			return qemu_fail(q, -EINTR, "interrupted while QEMU was starting");
		struct stat st;
		if (stat(q->gdb_socket, &st) == 0 && S_ISSOCK(st.st_mode) && socket_listening(q->gdb_socket)
		    && (!q->qmp_socket[0] || socket_listening(q->qmp_socket)))
			return 0;
		int status;
		pid_t r = waitpid(q->pid, &status, WNOHANG);
		if (r == q->pid) {
			reap(q, status);
			char how[128], text[QEMU_ERR_LEN - 200];
			qemu_describe_exit(q, how, sizeof how);
			qemu_stderr_text(q, text, sizeof text);
			return qemu_fail(q, -ECHILD, "QEMU %s during start-up%s%s", how,
				    text[0] ? ": " : " (it printed nothing)", text);
		}
		if (now_ms() >= deadline)
			return qemu_fail(q, -ETIMEDOUT, "QEMU did not open its gdbstub socket %s within %d ms",
				    q->gdb_socket, timeout_ms);
		sleep_ms(POLL_STEP_MS);
	}
}

void qemu_config_init(struct qemu_config *c)
{
	memset(c, 0, sizeof *c);
}

int qemu_start(struct qemu *q, const struct qemu_config *c)
{
	memset(q, 0, sizeof *q);
	q->console_fd = -1;
	q->stop_timeout_ms = c->stop_timeout_ms > 0 ? c->stop_timeout_ms : QEMU_DEFAULT_STOP_MS;
	int rc = qemu_resolve_binary(q, c->binary ? c->binary : QEMU_DEFAULT_BINARY);
	if (rc < 0)
		return rc;
	/* QEMU opens its sockets before it loads the kernel, so a bad -kernel would only show
	 * up after qemu_start returned (a FIFO even as a handshake that never comes): check
	 * the files here, in plain words. */
	const char *files[][2] = { { "-kernel", c->kernel }, { "-initrd", c->initrd } };
	for (int i = 0; i < 2; i++) {
		struct stat st;
		char why[128];
		if (!files[i][1])
			continue;
		int fd = infile_open(files[i][1], &st, why, sizeof why);
		if (fd < 0)
			return qemu_fail(q, fd, "%s %s: %s", files[i][0], files[i][1], why);
		close(fd);
		if (st.st_size == 0)
			return qemu_fail(q, -EINVAL, "%s %s: the file is empty", files[i][0], files[i][1]);
	}
	if (c->incoming && c->incoming_fd <= 2)
		return qemu_fail(q, -EBADF, "the saved machine state must not be read from fd %d", c->incoming_fd);
	q->active = true;
	char saved[QEMU_ERR_LEN];
	struct argv_builder b;
	memset(&b, 0, sizeof b);
	if ((rc = make_private_dir(q, c->monitor)) < 0 || (rc = qemu_build_argv(q, c, &b)) < 0)
		goto undo;

	int out[2] = { -1, -1 }, report[2] = { -1, -1 };
	int err_fd = open(q->stderr_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (err_fd < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) {
		rc = qemu_fail(q, -errno, "cannot prepare QEMU's output files in %s: %s", q->dir, strerror(errno));
		goto close_fds;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		rc = qemu_fail(q, -errno, "fork: %s", strerror(errno));
		goto close_fds;
	}
	if (pid == 0)
		exec_child(q, &b, parent, out[1], err_fd, report[1], c->incoming ? c->incoming_fd : -1);
	q->pid = pid;
	setpgid(pid, pid);      /* also here: whichever of the two runs first wins the race */
	close(out[1]);
	close(report[1]);
	close(err_fd);
	err_fd = out[1] = report[1] = -1;
	q->console_fd = out[0];
	fcntl(q->console_fd, F_SETFL, fcntl(q->console_fd, F_GETFL) | O_NONBLOCK);

	/* The report pipe closes on a successful exec (O_CLOEXEC) or carries exec's errno. */
	int exec_errno = 0;
	ssize_t n;
	while ((n = read(report[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (n == (ssize_t)sizeof exec_errno) {
		rc = qemu_fail(q, -exec_errno, "cannot run %s: %s", q->binary, strerror(exec_errno));
		goto undo;
	}
	q->start_timeout_ms = c->start_timeout_ms > 0 ? c->start_timeout_ms : QEMU_DEFAULT_START_MS;
	q->start_interrupt_fd = c->interrupt_fd > 0 ? c->interrupt_fd : -1;
	if (c->no_wait)
		return 0;
	rc = wait_for_socket(q, q->start_timeout_ms, q->start_interrupt_fd);
	if (rc < 0)
		goto undo;
	return 0;

close_fds:
	if (err_fd >= 0)
		close(err_fd);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (report[i] >= 0)
			close(report[i]);
	}
undo:
	/* qemu_stop overwrites nothing in err, but keep the first reason regardless. */
	snprintf(saved, sizeof saved, "%s", q->err);
	qemu_stop(q);
	snprintf(q->err, sizeof q->err, "%s", saved);
	return rc;
}

int qemu_wait_ready(struct qemu *q)
{
	if (!q->active)
		return qemu_fail(q, -ESRCH, "QEMU is not running");
	int rc = wait_for_socket(q, q->start_timeout_ms > 0 ? q->start_timeout_ms : QEMU_DEFAULT_START_MS,
				 q->start_interrupt_fd);
	if (rc < 0) {
		char saved[QEMU_ERR_LEN];
		snprintf(saved, sizeof saved, "%s", q->err);
		qemu_stop(q);
		snprintf(q->err, sizeof q->err, "%s", saved);
	}
	return rc;
}

const char *qemu_gdb_socket(const struct qemu *q)
{
	return q->active ? q->gdb_socket : "";
}

const char *qemu_qmp_socket(const struct qemu *q)
{
	return q->active ? q->qmp_socket : "";
}

const char *qemu_dir(const struct qemu *q)
{
	return q->active ? q->dir : "";
}

bool qemu_alive(struct qemu *q)
{
	if (!q->active || q->pid <= 0)
		return false;
	int status;
	pid_t r = waitpid(q->pid, &status, WNOHANG);
	if (r == q->pid) {
		reap(q, status);
		return false;
	}
	return true;
}

int qemu_check(struct qemu *q)
{
	if (qemu_alive(q))
		return 0;
	if (!q->exited)
		return qemu_fail(q, -ESRCH, "QEMU is not running");
	char how[128], text[QEMU_ERR_LEN - 200];
	qemu_describe_exit(q, how, sizeof how);
	qemu_stderr_text(q, text, sizeof text);
	return qemu_fail(q, -ECHILD, "QEMU %s%s%s", how, text[0] ? ": " : "", text);
}

const char *qemu_describe_exit(struct qemu *q, char *buf, size_t len)
{
	if (qemu_alive(q))
		snprintf(buf, len, "still running (pid %d)", (int)q->pid);
	else if (!q->exited)
		snprintf(buf, len, "not started");
	else if (WIFEXITED(q->exit_status)) {
		int st = WEXITSTATUS(q->exit_status);
		/* isa-debug-exit makes QEMU exit with (value << 1) | 1: name the value written. */
		if ((st & 1) && st > 1)
			snprintf(buf, len, "exited with status %d (isa-debug-exit value 0x%x, or an error)",
				 st, st >> 1);
		else
			snprintf(buf, len, "exited with status %d", st);
	} else if (WIFSIGNALED(q->exit_status)) {
		int sig = WTERMSIG(q->exit_status);
		snprintf(buf, len, "killed by signal %d (%s)", sig, strsignal(sig));
	} else {
		snprintf(buf, len, "ended with wait status 0x%x", q->exit_status);
	}
	return buf;
}

const char *qemu_stderr_text(const struct qemu *q, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!q->stderr_path[0] || len == 0)
		return buf;
	int fd = open(q->stderr_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return buf;
}

int qemu_stop(struct qemu *q)
{
	if (!q->active)
		return 0;
	if (q->pid > 0 && qemu_alive(q)) {
		/* The group: QEMU plus anything it may have started (helpers). */
		kill(-q->pid, SIGTERM);
		long deadline = now_ms() + q->stop_timeout_ms;
		while (qemu_alive(q) && now_ms() < deadline)
			sleep_ms(POLL_STEP_MS);
		if (q->pid > 0) {
			kill(-q->pid, SIGKILL);
			int status;
			while (waitpid(q->pid, &status, 0) < 0 && errno == EINTR)
				;
			reap(q, status);
		}
	}
	if (q->console_fd >= 0) {
		close(q->console_fd);
		q->console_fd = -1;
	}
	int rc = 0;
	if (q->dir[0]) {
		unlink(q->gdb_socket);
		unlink(q->stderr_path);
		if (q->qmp_socket[0])
			unlink(q->qmp_socket);
		if (rmdir(q->dir) < 0 && errno != ENOENT)
			rc = qemu_fail(q, -errno, "cannot remove %s: %s", q->dir, strerror(errno));
	}
	free(q->console);
	q->console = NULL;
	q->console_len = q->console_cap = 0;
	q->active = false;
	return rc;
}

void qemu_kill_now(const struct qemu *q)
{
	if (!q->active)
		return;
	if (q->pid > 0)
		kill(-q->pid, SIGKILL);
	if (q->dir[0]) {
		unlink(q->gdb_socket);
		unlink(q->stderr_path);
		if (q->qmp_socket[0])
			unlink(q->qmp_socket);
		rmdir(q->dir);
	}
}

const char *qemu_error(const struct qemu *q)
{
	return q->err;
}
