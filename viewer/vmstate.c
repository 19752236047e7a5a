/* vmstate.c: instant start from a saved machine state (see vmstate.h).
 *
 * Restoring: QEMU starts with the machine's own command line plus "-incoming fd:N", N
 * the state file opened at the stream's start. While QEMU loads it, the stream's hash
 * is checked here (pread: the shared file offset QEMU reads from is left alone). The
 * gdbstub is only connected once QMP says the load is over ("inmigrate" has ended):
 * registers read earlier would be the reset state. QEMU exits when it cannot load the
 * stream; its stderr then goes into the note and the kernel boots instead.
 *
 * Saving: the booted machine runs to the stop under a breakpoint, then QMP "getfd"
 * hands QEMU a temporary file in the cache directory and "migrate fd:" writes the
 * stream into it. Migration is rate-limited to 32 MiB/s by default, which would make a
 * Linux save take seconds: the limit is lifted first. The CPU stays stopped; after the
 * migration QEMU is "postmigrate", from which the gdbstub's continue runs it as usual.
 */
#include "vmstate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "qmp.h"

#define QMP_TIMEOUT_MS   10000
#define LOAD_TIMEOUT_MS  60000    /* a Linux state is ~80 MB; a loaded machine is slow */
#define KEEP_STATES      8
#define POLL_US          1000

static void note(struct vmstate *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct vmstate *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->note, sizeof(v->note), fmt, ap);
	va_end(ap);
}

/* Add to the note: what happened next stays on the same line. */
static void note_more(struct vmstate *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note_more(struct vmstate *v, const char *fmt, ...)
{
	size_t used = strlen(v->note);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->note + used, sizeof(v->note) - used, fmt, ap);
	va_end(ap);
}

/* SYSWALK_CACHE_VERBOSE=1: say so also when all went well (tests, curious users). */
static bool verbose(void)
{
	const char *e = getenv("SYSWALK_CACHE_VERBOSE");
	return e && *e && strcmp(e, "0") != 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void pause_briefly(void)
{
	struct timespec ts = { 0, POLL_US * 1000L };
	nanosleep(&ts, NULL);
}

/* The version memo: QEMU's version string for this very binary, learnt from QMP at a
 * boot, so that starting never pays for running "qemu --version" (80 ms). */
static void read_memo(struct vmstate *v)
{
	char memo[VMSTATE_PATH_LEN];
	v->qemu_version[0] = '\0';
	if (vmstate_file_memo_path(v->dir, &v->qc, memo, sizeof(memo)) < 0)
		return;
	FILE *f = fopen(memo, "re");
	if (!f)
		return;
	if (fgets(v->qemu_version, sizeof(v->qemu_version), f))
		v->qemu_version[strcspn(v->qemu_version, "\n")] = '\0';
	fclose(f);
}

static int write_memo_text(FILE *f, void *arg, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return fprintf(f, "%s\n", (const char *)arg) < 0 ? -EIO : 0;
}

/* Work out the state file's path once QEMU's version is known. */
static int compose_path(struct vmstate *v)
{
	char err[256];
	v->path[0] = '\0';
	if (!v->qemu_version[0])
		return -ENOENT;
	if (vmstate_file_key(&v->qc, v->qemu_version, v->label, v->key, err, sizeof(err)) < 0) {
		note(v, "machine state cache not used: %s", err);
		return -EIO;
	}
	int n = snprintf(v->path, sizeof(v->path), "%.*s/%s.state", (int)(sizeof(v->path) - 80), v->dir, v->key);
	return n > 0 && (size_t)n < sizeof(v->path) ? 0 : -ENAMETOOLONG;
}

/* The header of the state file FD, checked against this machine. */
static int check_header(struct vmstate *v, int fd, struct vmstate_header *h, char *why, size_t len)
{
	struct stat st;
	if (vmstate_file_read_header(fd, h, why, len) < 0)
		return -EINVAL;
	if (strcmp(h->key, v->key) != 0 || strcmp(h->label, v->label) != 0) {
		snprintf(why, len, "it was saved for another machine (foreign)");
		return -EINVAL;
	}
	if (strcmp(h->qemu_version, v->qemu_version) != 0) {
		snprintf(why, len, "it was saved by QEMU %s, this is QEMU %s", h->qemu_version, v->qemu_version);
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size != VMSTATE_HEADER_LEN + h->size) {
		snprintf(why, len, "it is %lld bytes long, its header says %llu (truncated?)",
			 (long long)st.st_size, (unsigned long long)(VMSTATE_HEADER_LEN + h->size));
		return -EINVAL;
	}
	return 0;
}

/* QEMU exits when it cannot load a stream, a moment after its monitor goes: give it
 * half a second, so that its own words ("Not a migration stream") are the reason. */
static void qemu_words(struct qemu *q, const char *otherwise, char *why, size_t len)
{
	for (int i = 0; i < 50 && qemu_alive(q); i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	const char *text = qemu_check(q) < 0 ? qemu_error(q) : otherwise;
	/* The note is one line: QEMU's stderr may have several. */
	size_t used = 0;
	for (const char *p = text; *p && used + 4 < len; p++) {
		if (*p == '\n') {
			memcpy(why + used, " / ", 3);
			used += 3;
		} else {
			why[used++] = *p;
		}
	}
	why[used] = '\0';
}

/* Wait until QEMU has loaded the stream: the runstate leaves "inmigrate". */
static int wait_loaded(struct qmp *m, struct qemu *q, char *why, size_t len)
{
	double deadline = now_ms() + LOAD_TIMEOUT_MS;
	for (;;) {
		json_t *st = NULL;
		int rc = qmp_call(m, "query-status", NULL, -1, &st);
		const char *s = json_string_value(json_object_get(st, "status"));
		char status[32];
		snprintf(status, sizeof(status), "%s", s ? s : "");
		json_decref(st);
		if (rc < 0) {
			qemu_words(q, m->err, why, len);
			return rc;
		}
		if (strcmp(status, "paused") == 0)
			return 0;
		if (strcmp(status, "inmigrate") != 0) {
			snprintf(why, len, "QEMU is '%s' after loading it", status);
			return -EPROTO;
		}
		if (now_ms() > deadline) {
			snprintf(why, len, "QEMU did not finish loading it within %d s", LOAD_TIMEOUT_MS / 1000);
			return -ETIMEDOUT;
		}
		pause_briefly();
	}
}

/* The console output the booted machine had printed up to the stop, given to Q as if
 * it had printed it: the first stop of a restored walk shows what a booted one does. */
static int restore_console(struct qemu *q, int fd, uint64_t n, char *why, size_t len)
{
	char *text = n ? malloc(n) : NULL;
	int rc = 0;
	if (n && (!text || pread(fd, text, n, VMSTATE_HEADER_LEN) != (ssize_t)n))
		rc = -EIO;
	if (rc == 0 && n)
		rc = qemu_console_inject(q, text, n);
	if (rc < 0)
		snprintf(why, len, "cannot read its console output");
	free(text);
	return rc;
}

/* Boot Q (not waited for): the state will be saved at the stop. */
static int boot(struct vmstate *v, struct qemu *q)
{
	struct qemu_config qc = v->qc;
	qc.no_wait = true;
	v->save_pending = true;
	return qemu_start(q, &qc);
}

/* Begin starting Q from the state file: checked header, QEMU started loading it (not
 * waited for). Returns 0, -ENOENT when there is none (no note), or another negative
 * code with WHY filled; nothing is left running then. */
static int restore_begin(struct vmstate *v, struct qemu *q, struct vmstate_load *ld, char *why, size_t len)
{
	memset(ld, 0, sizeof(*ld));
	ld->t0 = now_ms();
	ld->fd = open(v->path, O_RDONLY | O_CLOEXEC);
	if (ld->fd < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return errno == ENOENT ? -ENOENT : -errno;
	}
	int rc = check_header(v, ld->fd, &ld->h, why, len);
	if (rc == 0 && lseek(ld->fd, (off_t)(VMSTATE_HEADER_LEN + ld->h.console_len), SEEK_SET) < 0)
		rc = -errno;
	struct qemu_config qc = v->qc;
	qc.incoming = true;
	qc.incoming_fd = ld->fd;
	qc.no_wait = true;
	if (rc == 0 && (rc = qemu_start(q, &qc)) < 0)
		snprintf(why, len, "%s", qemu_error(q));
	if (rc < 0) {
		close(ld->fd);
		return rc;
	}
	ld->active = true;
	return 0;
}

/* Connect to the monitor of a QEMU started without waiting (qemu.h's no_wait): retry
 * while its socket is not there yet, which is sooner than polling for it. QEMU only
 * greets once it has loaded the state, and its gdbstub listens by then. */
static int monitor_connect(struct qmp *m, struct qemu *q)
{
	double deadline = now_ms() + QEMU_DEFAULT_START_MS;
	for (;;) {
		int rc = qmp_open(m, qemu_qmp_socket(q), LOAD_TIMEOUT_MS);
		if ((rc != -ENOENT && rc != -ECONNREFUSED) || !qemu_alive(q) || now_ms() > deadline)
			return rc;
		pause_briefly();
	}
}

/* The state file is the one already checked (same inode, size, time): no new hash. */
static bool known_good(const struct vmstate *v, int fd)
{
	struct stat st;
	return v->good.st_ino && fstat(fd, &st) == 0 && st.st_ino == v->good.st_ino &&
	       st.st_dev == v->good.st_dev && st.st_size == v->good.st_size &&
	       st.st_mtim.tv_sec == v->good.st_mtim.tv_sec && st.st_mtim.tv_nsec == v->good.st_mtim.tv_nsec;
}

/* Finish what restore_begin started: the stream's hash (while QEMU loads), QEMU done
 * loading, the stop where the walk expects it. Q is stopped on failure. */
static int restore_finish(struct vmstate *v, struct qemu *q, struct vmstate_load *ld, bool with_console,
			  char *why, size_t len)
{
	ld->active = false;
	char sha[VMSTATE_HASH_HEX] = "";
	bool trusted = known_good(v, ld->fd);
	int hrc = trusted ? 0 : vmstate_file_hash_fd(ld->fd, VMSTATE_HEADER_LEN, ld->h.size, sha);
	struct qmp m = { .fd = -1 };
	int rc = monitor_connect(&m, q);
	if (rc < 0)
		qemu_words(q, m.err, why, len);
	else
		rc = wait_loaded(&m, q, why, len);
	qmp_close(&m);
	if (rc == 0 && !trusted && (hrc < 0 || strcmp(sha, ld->h.sha256) != 0)) {
		snprintf(why, len, "its content does not match its hash (corrupt)");
		rc = -EBADMSG;
	}
	if (rc == 0 && ld->h.addr != v->addr) {
		snprintf(why, len, "it was saved at 0x%llx, %s is at 0x%llx here (foreign)",
			 (unsigned long long)ld->h.addr, v->label, (unsigned long long)v->addr);
		rc = -EINVAL;
	}
	if (rc == 0 && with_console)
		rc = restore_console(q, ld->fd, ld->h.console_len, why, len);
	if (rc == 0) {
		futimens(ld->fd, NULL);     /* recently used: kept when old states are pruned */
		fstat(ld->fd, &v->good);
	}
	close(ld->fd);
	if (rc < 0) {
		if (q->active)
			qemu_stop(q);
		return rc;
	}
	v->state_bytes = VMSTATE_HEADER_LEN + ld->h.size;
	v->restore_ms = now_ms() - ld->t0;
	v->have_state = true;
	return 0;
}

void vmstate_prepare_restart(struct vmstate *v)
{
	char why[256];
	if (v->want_spare && v->have_state && !v->spare_load.active &&
	    restore_begin(v, &v->spare, &v->spare_load, why, sizeof(why)) < 0)
		v->want_spare = false;          /* r restores the slow way */
}

int vmstate_launch(struct vmstate *v, struct qemu *q, const struct qemu_config *c, bool enabled,
		   const char *label, bool spare)
{
	memset(v, 0, sizeof(*v));
	v->qc = *c;
	bool tcg = !c->accel || strcmp(c->accel, "tcg") == 0;
	if (!enabled || !tcg || !label || strlen(label) >= sizeof(v->label))
		return qemu_start(q, c);
	char err[512];
	if (vmstate_file_dir(v->dir, sizeof(v->dir), err, sizeof(err)) < 0) {
		note(v, "machine state cache not used: %s", err);
		return qemu_start(q, c);
	}
	snprintf(v->label, sizeof(v->label), "%s", label);
	v->enabled = true;
	v->want_spare = spare;
	v->qc.monitor = true;
	read_memo(v);
	char why[512];
	if (compose_path(v) == 0) {
		int rc = restore_begin(v, q, &v->load, why, sizeof(why));
		if (rc == 0)
			return 0;
		if (rc != -ENOENT)
			note(v, "not using the saved machine state %s: %s; booting instead", v->path, why);
	}
	return boot(v, q);
}

int vmstate_ready(struct vmstate *v, struct qemu *q, uint64_t addr)
{
	v->addr = addr;
	if (!v->enabled)
		return 0;
	if (!v->load.active)                 /* booting */
		return qemu_wait_ready(q);
	if (!addr) {                         /* the walk cannot name the stop: no cache */
		v->enabled = false;
		v->load.active = false;
		close(v->load.fd);
		qemu_stop(q);
		struct qemu_config plain = v->qc;
		plain.monitor = false;
		return qemu_start(q, &plain);
	}
	char why[512];
	int rc = restore_finish(v, q, &v->load, true, why, sizeof(why));
	if (rc == 0) {
		v->restored = true;
		if (verbose())
			note(v, "restored the machine state %s (%.1f MB) in %.0f ms", v->path,
			     v->state_bytes / 1e6, v->restore_ms);
		return 0;
	}
	note(v, "not using the saved machine state %s: %s; booting instead", v->path, why);
	return (rc = boot(v, q)) < 0 ? rc : qemu_wait_ready(q);
}

/* Run the booted machine to the stop. */
static int run_to_stop(struct vmstate *v, struct target *t, int timeout_ms)
{
	int rc = target_break_at(t, v->addr) ? 0 : target_break_insert(t, v->addr);
	struct target_regs regs;
	int irip = target_reg_index(t, "rip"), ics = target_reg_index(t, "cs");
	for (int hits = 0; rc == 0; hits++) {
		if ((rc = target_continue(t, timeout_ms, NULL)) < 0 || (rc = target_read_regs(t, &regs)) < 0)
			break;
		if (t->rsp.interrupted) {
			rc = -EINTR;
			break;
		}
		if (irip >= 0 && ics >= 0 && regs.value[irip] == v->addr && (regs.value[ics] & 3) == 3)
			break;
	}
	int rm = target_break_remove(t, v->addr);
	return rc < 0 ? rc : rm;
}

/* atomic_file_write's writer: QEMU writes the stream, then the header goes in front. */
struct save_ctx {
	struct vmstate *v;
	struct qmp *m;
	const char *console;
	size_t console_len;
};

static int migrate_into(FILE *f, void *arg, char *err, size_t errlen)
{
	struct save_ctx *s = arg;
	struct vmstate *v = s->v;
	int fd = fileno(f);
	char header[VMSTATE_HEADER_LEN] = { 0 };
	off_t stream = (off_t)(VMSTATE_HEADER_LEN + s->console_len);
	if (pwrite(fd, header, sizeof(header), 0) != (ssize_t)sizeof(header) ||
	    pwrite(fd, s->console, s->console_len, VMSTATE_HEADER_LEN) != (ssize_t)s->console_len ||
	    lseek(fd, stream, SEEK_SET) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -errno;
	}
	int rc = qmp_call(s->m, "migrate-set-parameters", json_pack("{s:I}", "max-bandwidth",
			  (json_int_t)1 << 40), -1, NULL);
	if (rc == 0)
		rc = qmp_call(s->m, "getfd", json_pack("{s:s}", "fdname", "syswalk-vmstate"), fd, NULL);
	if (rc == 0)
		rc = qmp_call(s->m, "migrate", json_pack("{s:s}", "uri", "fd:syswalk-vmstate"), -1, NULL);
	double deadline = now_ms() + LOAD_TIMEOUT_MS;
	while (rc == 0) {
		json_t *mi = NULL;
		if ((rc = qmp_call(s->m, "query-migrate", NULL, -1, &mi)) < 0)
			break;
		const char *st = json_string_value(json_object_get(mi, "status"));
		bool done = st && strcmp(st, "completed") == 0;
		bool failed = !st || strcmp(st, "failed") == 0 || strcmp(st, "cancelled") == 0;
		json_decref(mi);
		if (done)
			break;
		if (failed || now_ms() > deadline) {
			snprintf(err, errlen, "QEMU's migration %s", failed ? "failed" : "took too long");
			return -EIO;
		}
		pause_briefly();
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", s->m->err);
		return rc;
	}
	off_t end = lseek(fd, 0, SEEK_END);
	struct vmstate_header h = { .addr = v->addr, .console_len = s->console_len };
	if (end <= stream) {
		snprintf(err, errlen, "QEMU wrote no migration stream");
		return -EIO;
	}
	h.size = (uint64_t)end - VMSTATE_HEADER_LEN;
	if (vmstate_file_fix_runstate(fd, (uint64_t)end, (uint64_t)(end - stream)) < 0) {
		snprintf(err, errlen, "QEMU's stream has no global state section where QEMU 7.2 puts it");
		return -EPROTO;
	}
	if ((rc = vmstate_file_hash_fd(fd, VMSTATE_HEADER_LEN, h.size, h.sha256)) < 0) {
		snprintf(err, errlen, "reading the stream back: %s", strerror(-rc));
		return rc;
	}
	snprintf(h.key, sizeof(h.key), "%s", v->key);
	snprintf(h.qemu_version, sizeof(h.qemu_version), "%s", v->qemu_version);
	snprintf(h.label, sizeof(h.label), "%s", v->label);
	vmstate_file_format_header(&h, header);
	if (pwrite(fd, header, sizeof(header), 0) != (ssize_t)sizeof(header)) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -EIO;
	}
	v->state_bytes = (uint64_t)end;
	return 0;
}

/* QEMU's version as "--version" prints it: "7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)". */
static int learn_version(struct vmstate *v, struct qmp *m)
{
	json_t *ver = NULL;
	int rc = qmp_call(m, "query-version", NULL, -1, &ver);
	json_t *num = json_object_get(ver, "qemu");
	const char *pkg = json_string_value(json_object_get(ver, "package"));
	if (rc == 0 && num) {
		snprintf(v->qemu_version, sizeof(v->qemu_version), "%lld.%lld.%lld%s%s%s",
			 json_integer_value(json_object_get(num, "major")),
			 json_integer_value(json_object_get(num, "minor")),
			 json_integer_value(json_object_get(num, "micro")),
			 pkg && *pkg ? " (" : "", pkg && *pkg ? pkg : "", pkg && *pkg ? ")" : "");
		char memo[VMSTATE_PATH_LEN], err[256];
		if (vmstate_file_memo_path(v->dir, &v->qc, memo, sizeof(memo)) == 0)
			atomic_file_write(memo, write_memo_text, v->qemu_version, err, sizeof(err));
	} else if (rc == 0) {
		rc = -EPROTO;
	}
	json_decref(ver);
	return rc;
}

static void save(struct vmstate *v, struct qemu *q)
{
	double t0 = now_ms();
	struct qmp m;
	char err[512] = "";
	int rc = qmp_open(&m, qemu_qmp_socket(q), QMP_TIMEOUT_MS);
	if (rc == 0 && (rc = learn_version(v, &m)) < 0)
		snprintf(err, sizeof(err), "%s", m.err);
	if (rc == 0 && (rc = compose_path(v)) < 0)
		snprintf(err, sizeof(err), "%.*s", (int)sizeof(err) - 1, v->note);
	struct save_ctx ctx = { .v = v, .m = &m };
	qemu_console_read(q);
	ctx.console = qemu_console_peek(q, &ctx.console_len);
	if (rc == 0)
		rc = atomic_file_write(v->path, migrate_into, &ctx, err, sizeof(err));
	else if (!err[0])
		snprintf(err, sizeof(err), "%s", m.err);
	qmp_close(&m);
	bool replacing = v->note[0];
	if (rc < 0 && replacing)
		note_more(v, "; the fresh state could not be saved: %s", err);
	else if (rc < 0)
		note(v, "machine state not saved (the next start boots again): %s", err);
	if (rc < 0)
		return;
	vmstate_file_prune(v->dir, KEEP_STATES);
	stat(v->path, &v->good);         /* what the spare QEMU loads needs no new hash */
	v->have_state = true;
	v->save_ms = now_ms() - t0;
	if (replacing)
		note_more(v, "; saved a fresh state (%.1f MB)", v->state_bytes / 1e6);
	else
		note(v, "saved the machine state at %s for quicker starts: %.1f MB in %s", v->label,
		     v->state_bytes / 1e6, v->path);
}

int vmstate_settle(struct vmstate *v, struct qemu *q, struct target *t, int timeout_ms)
{
	if (v->save_pending && v->addr) {
		v->save_pending = false;
		int rc = run_to_stop(v, t, timeout_ms);
		if (rc < 0)
			return rc;
		save(v, q);
	}
	return 0;
}

int vmstate_restart(struct vmstate *v, struct qemu *q)
{
	if (!v->enabled || !v->have_state || !v->path[0])
		return -ENOENT;
	struct qemu fresh;
	struct vmstate_load ld;
	char why[512];
	int rc = 0;
	if (v->spare_load.active) {          /* loaded in the background: swap it in */
		fresh = v->spare;
		ld = v->spare_load;
		memset(&v->spare, 0, sizeof(v->spare));
		v->spare_load.active = false;
	} else {
		rc = restore_begin(v, &fresh, &ld, why, sizeof(why));
	}
	if (rc == 0)
		rc = restore_finish(v, &fresh, &ld, false, why, sizeof(why));
	if (rc < 0) {
		v->have_state = false;
		note(v, "cannot restart from the saved machine state %s: %s", v->path, why);
		return rc == -ENOENT ? -ESTALE : rc;
	}
	int console = qemu_console_fd(q);
	qemu_stop(q);
	*q = fresh;
	if (console >= 0)
		qemu_console_move(q, console);
	v->restored = true;
	return 0;
}

void vmstate_close(struct vmstate *v)
{
	if (v->spare_load.active) {
		close(v->spare_load.fd);
		v->spare_load.active = false;
	}
	if (v->load.active) {
		close(v->load.fd);
		v->load.active = false;
	}
	qemu_stop(&v->spare);
}

const char *vmstate_note(const struct vmstate *v)
{
	return v->note;
}
