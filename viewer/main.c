/* main.c: syswalk's command line: pick a mode, set up the walk, run it, and exit.
 *
 * Only this file exits. Every mode but --replay, --list, --help and --version drives a
 * live walk (walk.h); the interactive viewer and the exporters read its history of
 * snapshots, never the target itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "annot.h"
#include "kernels.h"
#include "export.h"
#include "options.h"
#include "paths.h"
#include "replay.h"
#include "debuginfo.h"
#include "textout.h"
#include "textsafe.h"
#include "trace_json.h"
#include "ui.h"
#include "verify.h"
#include "walk.h"

#ifndef SYSWALK_VERSION
#define SYSWALK_VERSION "0.1"
#endif

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

/* The signal self-pipe of the headless modes and of the viewer's start-up (the viewer
 * has its own, in ui_term.c, once its screen is up): SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * SIGUSR1, SIGUSR2 and SIGALRM set the flag and make the pipe readable, which interrupts
 * a running target (rsp watches it) and ends every loop over the target (target_guard);
 * the walk then stops, QEMU is stopped and its private directory removed, and syswalk
 * exits with 128 + the signal. A crash (SIGSEGV, SIGBUS, SIGFPE, SIGABRT) kills the QEMUs
 * of CRASH_WALK (its own and the cache's spare) and removes their directories before
 * dying. SIGPIPE is ignored: a write to a dead peer is an error where it happens. The
 * only mutable globals, as DESIGN.md allows. */
static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t signal_caught;
static const struct walk *volatile crash_walk;

static const int quit_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM };
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT };

static void on_signal(int sig)
{
	int saved = errno;
	signal_caught = sig;
	if (write(signal_pipe[1], "", 1) < 0) {
		/* the pipe is full: it is readable already, which is all that matters */
	}
	errno = saved;
}

/* Async-signal-safe: every QEMU the walk may have running, the machine-state cache's
 * spare (the next r's) included. */
static void kill_qemus_now(const struct walk *w)
{
	qemu_kill_now(&w->qemu);
	qemu_kill_now(&w->vm.spare);
}

static void on_crash(int sig)
{
	if (crash_walk)
		kill_qemus_now(crash_walk);
	raise(sig);     /* SA_RESETHAND put the default action back */
}

static int catch_signals(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	struct sigaction sa = { .sa_handler = on_signal }, crash = { .sa_handler = on_crash };
	sigemptyset(&sa.sa_mask);
	sigemptyset(&crash.sa_mask);
	crash.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof(quit_signals) / sizeof(quit_signals[0]); i++)
		if (sigaction(quit_signals[i], &sa, NULL) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		if (sigaction(crash_signals[i], &crash, NULL) < 0)
			return -1;
	return 0;
}

/* Until the viewer's own handlers are in place (ui_term_open unblocks them): a signal
 * that arrives in between waits for them instead of reaching ours unseen. */
static void hold_quit_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(quit_signals) / sizeof(quit_signals[0]); i++)
		sigaddset(&set, quit_signals[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void viewer_crash_cleanup(void *ctx);

static bool interrupted(void)
{
	if (signal_caught)
		textsafe_printf(stderr, "syswalk: %s: stopping QEMU and leaving\n", strsignal(signal_caught));
	return signal_caught != 0;
}

static int list_walks(void)
{
	int nt;
	const struct kernel_target *targets = kernels_all(&nt);
	for (int t = 0; t < nt; t++) {
		printf("%s: %s\n", targets[t].name, targets[t].title);
		for (int i = 0; i < targets[t].nsyscalls; i++) {
			const struct demo_syscall *sc = &targets[t].syscalls[i];
			printf("  %-7s %s%s%s%s\n", sc->name, sc->summary, sc->requires ? " (needs " : "",
			       sc->requires ? sc->requires : "", sc->requires ? ")" : "");
		}
	}
	return EXIT_OK;
}

/* The 'e' key and --export: a live walk is dated now; a replayed trace keeps its date. */
static int export_history(void *ctx, const char *path, char *err, size_t errlen)
{
	struct trace *t = ctx;
	if (!t->origin)
		trace_stamp_date(t);
	return export_trace(t, path, err, errlen);
}

/* The quiz score goes into the trace, so an export carries it. */
static void record_quiz_score(void *ctx, int asked, int right)
{
	struct trace *t = ctx;
	t->quiz_asked = asked;
	t->quiz_right = right;
}

/* What the trace says about how it was made. */
static void describe_trace(struct trace *t, const struct paths *p, int argc, char **argv)
{
	char line[1024] = "", files[1024];
	size_t used = 0;
	for (int i = 0; i < argc && used < sizeof(line); i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", i ? " " : "", argv[i]);
	snprintf(t->syswalk_version, sizeof(t->syswalk_version), "%s", SYSWALK_VERSION);
	trace_set_string(&t->command_line, line);
	trace_set_string(&t->kernel_path, p->kernel.image);
	trace_set_string(&t->kernel_files, kernel_files_describe(&p->kernel, files, sizeof(files)));
	/* The image's own id, else that of the DWARF or symbol file (a bzImage has none). */
	if (debuginfo_build_id(p->kernel.image, t->kernel_build_id, sizeof t->kernel_build_id) < 0 &&
	    debuginfo_build_id(p->kernel.debuginfo, t->kernel_build_id, sizeof t->kernel_build_id) < 0)
		debuginfo_build_id(p->kernel.symbols, t->kernel_build_id, sizeof t->kernel_build_id);
}

/* --- a live walk ------------------------------------------------------------------ */

static int open_walk(struct walk *w, const struct options *o, const struct paths *p,
		     const struct demo_syscall *sc, bool start)
{
	char files[1024];
	/* One line that says which files describe the kernel: a wrong symbol file is the
	 * commonest reason a walk goes astray, so it is named before anything runs. The
	 * viewer's terminal shows it while the kernel boots; --batch, --check-annotations
	 * and the exports carry it in their own output, and keep stderr for errors. */
	kernel_files_describe(&p->kernel, files, sizeof(files));
	if (o->mode == MODE_INTERACTIVE)
		textsafe_printf(stderr, "syswalk: %s\n", files);
	else if (o->mode == MODE_CHECK_ANNOTATIONS)
		textsafe_printf(stdout, "%s\n", files);
	struct walk_config cfg = {
		.kt = o->target,
		.kernel = p->kernel.image,
		.symbols = p->kernel.symbols[0] ? p->kernel.symbols : NULL,
		.symbols_are_elf = p->kernel.symbols_are_elf,
		.user_symbols = p->user_symbols[0] ? p->user_symbols : NULL,
		.debuginfo = p->kernel.debuginfo[0] ? p->kernel.debuginfo : NULL,
		.kernel_config = p->kernel.config[0] ? p->kernel.config : NULL,
		.srcroot = p->srcroot[0] ? p->srcroot : NULL,
		.annotations = p->annotations,
		.glossary = p->glossary[0] ? p->glossary : NULL,
		.initrd = p->initrd[0] ? p->initrd : NULL,
		.pti = o->pti,
		.append = o->append,
		.attach = o->attach,
		.qemu_binary = o->qemu,
		.accel = o->accel,
		.timeout_ms = o->timeout_ms,
		.syscall = sc,
		.interrupt_fd = signal_pipe[0],     /* the viewer sets its own once its screen is up */
		.use_cache = !o->no_cache,
		.restart_ahead = o->mode == MODE_INTERACTIVE,   /* only the viewer has r */
	};
	int rc = walk_open(w, &cfg);
	if (walk_cache_note(w)[0])
		textsafe_printf(stderr, "syswalk: %s\n", walk_cache_note(w));
	if (rc == 0 && start && !signal_caught)
		rc = walk_start(w);
	if (interrupted())
		return -1;
	if (rc < 0) {
		textsafe_printf(stderr, "syswalk: %s\n", walk_error(w));
		return -1;
	}
	return 0;
}

/* Walk the current syscall to its end with "next" (or "stepi" for --trace). */
static int walk_to_end(struct walk *w, enum walk_action a, void (*each)(const struct walk *, void *),
		       void *arg)
{
	while (!walk_finished(w)) {
		int rc = walk_act(w, a);
		if (interrupted())
			return -1;
		if (rc < 0) {
			textsafe_printf(stderr, "syswalk: %s\n", walk_error(w));
			return -1;
		}
		if (each)
			each(w, arg);
	}
	return 0;
}

/* --syscall all: every demo syscall once, in the demo's order. A walk this kernel cannot
 * take, or that cannot be followed, is reported and the others still run; returns -1
 * when any was lost (after all were tried), -2 when interrupted. */
static int walk_all(struct walk *w)
{
	const struct kernel_target *kt = w->cfg.kt;
	int lost = 0;
	for (int i = 0; i < kt->nsyscalls; i++) {
		const struct demo_syscall *sc = &kt->syscalls[i];
		char why[256];
		if (!walk_syscall_available(w, sc, why, sizeof(why))) {
			textsafe_printf(stderr, "syswalk: %s (skipped)\n", why);
			continue;
		}
		int rc = walk_current(w) && w->sys.sc == sc && !walk_finished(w) ? 0 : walk_goto(w, sc);
		if (rc == 0)
			rc = walk_to_end(w, WALK_NEXT, NULL, NULL);
		else if (!interrupted())
			textsafe_printf(stderr, "syswalk: the %s walk could not be followed: %s\n", sc->name, walk_error(w));
		if (interrupted())
			return -2;
		if (rc < 0)
			lost++;
		if (rc < 0 && !w->connected)
			return -1;       /* the target is gone: nothing more can run */
	}
	return lost ? -1 : 0;
}

/* --trace: after each step, the instruction just run (the stop before) with the
 * registers it changed (marked in the stop it led to). */
static void print_trace_step(const struct walk *w, void *arg)
{
	(void)arg;
	size_t n = w->history.n;
	if (n >= 2)
		textout_trace_line(stdout, &w->history.snaps[n - 2], &w->history.snaps[n - 1]);
}

/* --check-annotations, once the walk is at its first stop: where each note sits (or why
 * it does not apply to this kernel), then every claim and question against the live
 * CPU on every walk. A note whose requires: line does not hold does not apply and is no
 * problem; an anchor this kernel lacks although the note's requirements hold is one
 * (the note needs a requires: line, or a better anchor), and so is a false claim. */
static int check_annotations_live(struct walk *w, const struct paths *p)
{
	size_t unmet = 0, missing = 0;
	for (size_t i = 0; i < w->notes.nnotes; i++) {
		const struct annot_note *n = &w->notes.notes[i];
		char where[160];
		if (n->resolved) {
			symbols_format(&w->syms, n->addr, where, sizeof(where));
			textsafe_printf(stdout, "%-56s 0x%016llx  %s\n", n->anchor_text, (unsigned long long)n->addr, where);
		} else if (n->requirement_unmet) {
			textsafe_printf(stdout, "%-56s does not apply: %s\n", n->anchor_text, n->not_applicable);
			unmet++;
		} else {
			textsafe_printf(stderr, "%s:%d: anchor '%s' does not resolve on this kernel: %s\n", n->file, n->line,
				n->anchor_text, n->not_applicable ? n->not_applicable : "unknown");
			missing++;
		}
	}
	struct verify_counts vc;
	int rc = verify_walks(w, stderr, &vc);
	if (rc < 0)
		textsafe_printf(stderr, "syswalk: %s\n", walk_error(w));
	size_t problems = vc.problems + missing;
	if (rc == 0 && problems)
		rc = -1;
	/* Before the summary, which stays the last line (scripts read it so). */
	if (w->stats.msr_injection_failures)
		printf("(%llu rdmsr injection%s did not complete and %s retried)\n",
		       (unsigned long long)w->stats.msr_injection_failures,
		       w->stats.msr_injection_failures == 1 ? "" : "s",
		       w->stats.msr_injection_failures == 1 ? "was" : "were");
	textsafe_printf(stdout, "%s: %zu notes, %zu apply, %zu do not apply to this kernel, %zu anchor%s not found; "
			"%zu stops walked, %zu checks and %zu questions evaluated, %zu problem%s (%zu false "
			"claim%s), %zu notes not reached\n", p->annotations, w->notes.nnotes,
			w->notes.nnotes - unmet - missing, unmet, missing, missing == 1 ? "" : "s", vc.stops, vc.checks,
			vc.questions, problems, problems == 1 ? "" : "s", vc.false_claims, vc.false_claims == 1 ? "" : "s",
			vc.unreached);
	return rc;
}

static int run_headless(const struct options *o, const struct paths *p, const struct demo_syscall *sc,
			int argc, char **argv)
{
	struct walk w;
	bool all = o->syscall && strcmp(o->syscall, "all") == 0;
	memset(&w, 0, sizeof(w));
	crash_walk = &w;
	/* --syscall all starts each walk itself, so that one it cannot follow is only one. */
	int rc = open_walk(&w, o, p, sc, !all);
	describe_trace(&w.history, p, argc, argv);
	if (rc == 0) {
		switch (o->mode) {
		case MODE_TRACE:
			rc = walk_to_end(&w, WALK_STEPI, print_trace_step, NULL);
			if (rc == 0 && w.history.n)     /* where the walk ends: not run */
				textout_trace_line(stdout, &w.history.snaps[w.history.n - 1], NULL);
			break;
		case MODE_BATCH:
			rc = all ? walk_all(&w) : walk_to_end(&w, WALK_NEXT, NULL, NULL);
			if (rc == 0 || (rc == -1 && w.history.n)) {
				char files[1024];
				textsafe_printf(stdout, "syswalk %s: target %s\n%s\n\n", SYSWALK_VERSION, w.describe,
				       kernel_files_describe(&p->kernel, files, sizeof(files)));
				for (size_t i = 0; i < w.history.n; i++) {
					textout_stop(stdout, &w.history.snaps[i], i + 1, w.history.n);
					if (o->quiz)
						textout_questions(stdout, &w.history.snaps[i]);
				}
				if (o->quiz)
					textout_quiz_summary(stdout, w.history.snaps, w.history.n);
			}
			break;
		case MODE_EXPORT: {
			char err[512];
			rc = all ? walk_all(&w) : walk_to_end(&w, WALK_NEXT, NULL, NULL);
			if (rc == 0 || (all && rc == -1 && w.history.n)) {
				int walked = rc;
				trace_stamp_date(&w.history);
				snprintf(w.history.syscalls, sizeof(w.history.syscalls), "%s",
					 all ? "all" : sc->name);
				rc = export_trace(&w.history, o->export_path, err, sizeof(err));
				if (rc < 0)
					textsafe_printf(stderr, "syswalk: %s\n", err);
				else
					rc = walked;     /* written, and still an error if a walk was lost */
			}
			break;
		}
		case MODE_CHECK_ANNOTATIONS:
			rc = check_annotations_live(&w, p);
			break;
		default:
			break;
		}
	}
	walk_close(&w);
	crash_walk = NULL;
	if (signal_caught)
		return 128 + signal_caught;
	return rc == 0 ? EXIT_OK : EXIT_ERROR;
}

/* --- interactive ------------------------------------------------------------------ */

/* What the viewer's callbacks reach: the walk (its console) and its history. */
struct viewer_ctx {
	struct walk *walk;
	struct trace *trace;
};

static int viewer_export(void *ctx, const char *path, char *err, size_t errlen)
{
	return export_history(((struct viewer_ctx *)ctx)->trace, path, err, errlen);
}

static void viewer_quiz_score(void *ctx, int asked, int right)
{
	record_quiz_score(((struct viewer_ctx *)ctx)->trace, asked, right);
}

/* The gdbstub's socket, watched by the viewer between actions. */
static int viewer_target_fd(void *ctx)
{
	return walk_target_fd(((struct viewer_ctx *)ctx)->walk);
}

/* From the viewer's crash handler: async-signal-safe only. */
static void viewer_crash_cleanup(void *ctx)
{
	kill_qemus_now(((struct viewer_ctx *)ctx)->walk);
}

static int viewer_target_event(void *ctx, char *msg, size_t len)
{
	struct walk *w = ((struct viewer_ctx *)ctx)->walk;

	if (walk_poll_idle(w) == 0)
		return 0;
	snprintf(msg, len, "%s", walk_error(w));
	return -1;
}

/* Serial output between stops, for the viewer's live console; the bytes stay in QEMU's
 * buffer for the next stop's snapshot. 0 at end of file: QEMU has exited. */
static ssize_t viewer_console_read(void *ctx, char *buf, size_t cap)
{
	struct qemu *q = &((struct viewer_ctx *)ctx)->walk->qemu;
	size_t before;
	qemu_console_peek(q, &before);
	long rc = qemu_console_read(q);
	if (rc < 0)
		return -1;
	size_t after;
	const char *all = qemu_console_peek(q, &after);
	if (after <= before)
		return q->console_eof ? 0 : -EAGAIN;     /* nothing after all: keep watching */
	size_t n = after - before < cap ? after - before : cap;
	memcpy(buf, all + before, n);
	return (ssize_t)n;
}

static int run_interactive(const struct options *o, const struct paths *p, const struct demo_syscall *sc,
			   int argc, char **argv)
{
	/* Refuse before booting anything: no usable terminal, no viewer. */
	char why[256];
	if (ui_check_terminal(why, sizeof(why)) < 0) {
		textsafe_printf(stderr, "syswalk: %s\n", why);
		return EXIT_USAGE;
	}
	struct walk w;
	memset(&w, 0, sizeof(w));
	crash_walk = &w;
	if (open_walk(&w, o, p, sc, true) < 0) {
		walk_close(&w);
		crash_walk = NULL;
		return signal_caught ? 128 + signal_caught : EXIT_ERROR;
	}
	describe_trace(&w.history, p, argc, argv);
	struct ui_options uo = ui_options_default();
	uo.syntax = o->intel ? UI_SYNTAX_INTEL : UI_SYNTAX_ATT;
	struct viewer_ctx vc = { .walk = &w, .trace = &w.history };
	uo.export = viewer_export;
	uo.quiz = o->quiz;
	uo.quiz_score = viewer_quiz_score;
	uo.target_fd = viewer_target_fd;
	uo.target_event = viewer_target_event;
	if (w.qemu_started) {
		uo.console_fd = qemu_console_fd(&w.qemu);
		uo.console_read = viewer_console_read;
	}
	uo.crash_cleanup = viewer_crash_cleanup;
	uo.ctx = &vc;
	struct stop_source src = walk_source(&w);
	hold_quit_signals();
	int rc = signal_caught ? 128 + signal_caught : ui_run(&uo, &src);
	walk_close(&w);
	crash_walk = NULL;
	return rc;
}

static int run_replay(const struct options *o)
{
	struct trace t;
	char err[1024];
	/* The terminal first: a large trace is not read only to be refused. */
	if (ui_check_terminal(err, sizeof(err)) < 0) {
		textsafe_printf(stderr, "syswalk: %s\n", err);
		return EXIT_USAGE;
	}
	if (trace_json_load(o->replay_path, &t, err, sizeof(err)) < 0) {
		textsafe_printf(stderr, "syswalk: %s\n", err);
		return signal_caught ? 128 + signal_caught : EXIT_ERROR;
	}
	struct replay r;
	struct stop_source src = replay_source_init(&r, &t);
	struct ui_options uo = ui_options_default();
	uo.syntax = o->intel ? UI_SYNTAX_INTEL : UI_SYNTAX_ATT;
	uo.export = export_history;
	uo.quiz = o->quiz;
	uo.quiz_score = record_quiz_score;
	uo.ctx = &t;
	hold_quit_signals();
	int rc = signal_caught ? 128 + signal_caught : ui_run(&uo, &src);
	trace_free(&t);
	return rc;
}

static int check_annotation_syntax(const char *dir)
{
	struct annot_set set;
	annot_set_init(&set);
	int rc = annot_load_dir(&set, dir);
	size_t errors = annot_print_errors(&set, stderr);
	if (rc >= 0 && errors == 0 && set.nnotes == 0) {
		textsafe_printf(stderr, "%s: no notes found (no *.md file with an anchor heading)\n", dir);
		errors = 1;
	}
	annot_set_free(&set);
	return rc < 0 || errors ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct options o;
	char err[1024];
	if (catch_signals() < 0) {
		textsafe_printf(stderr, "syswalk: cannot set up signal handling: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	if (options_parse(&o, argc, argv, err, sizeof(err)) < 0) {
		textsafe_printf(stderr, "syswalk: %s\n", err);
		return EXIT_USAGE;
	}
	switch (o.mode) {
	case MODE_HELP:
		fputs(options_usage(), stdout);
		return EXIT_OK;
	case MODE_VERSION:
		printf("syswalk %s\n", SYSWALK_VERSION);
		return EXIT_OK;
	case MODE_LIST:
		return list_walks();
	case MODE_COMMAND_LINE: {
		char line[512];
		printf("%s\n", kernels_command_line(o.target, o.pti, o.append, line, sizeof(line)));
		return EXIT_OK;
	}
	case MODE_REPLAY:
		return run_replay(&o);
	default:
		break;
	}
	if (o.mode == MODE_CHECK_ANNOTATIONS) {
		if (check_annotation_syntax(o.check_dir) < 0)
			return EXIT_ERROR;
		o.annotations = o.check_dir;
	}
	struct paths p;
	if (paths_resolve(&p, &o, err, sizeof(err)) < 0) {
		textsafe_printf(stderr, "syswalk: %s\n", err);
		return EXIT_ERROR;
	}
	const struct demo_syscall *sc = NULL;
	const char *spec = o.syscall && strcmp(o.syscall, "all") != 0 ? o.syscall : NULL;
	if (o.syscall && strcmp(o.syscall, "all") == 0 && o.mode != MODE_BATCH && o.mode != MODE_EXPORT) {
		textsafe_printf(stderr, "syswalk: --syscall all is for --batch and --export\n");
		return EXIT_USAGE;
	}
	sc = spec ? kernels_syscall(o.target, spec) : &o.target->syscalls[0];
	if (!sc) {
		textsafe_printf(stderr, "syswalk: --syscall: the %s demo issues no syscall '%s' (see --list)\n",
			o.target->name, spec);
		return EXIT_USAGE;
	}
	if (o.mode == MODE_INTERACTIVE)
		return run_interactive(&o, &p, sc, argc, argv);
	return run_headless(&o, &p, sc, argc, argv);
}
