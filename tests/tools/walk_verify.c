/* walk_verify: walk each demo syscall of the teaching kernel with its own notes, and
 * check every claim against the live CPU. Prints TAP on stdout; exits 0 unless it
 * could not run at all (failures are the "not ok" lines).
 *
 *   build/tests/tools/walk_verify [--kernel ELF] [--annotations DIR] [--timeout S] [NAME...]
 *
 * For each syscall (all six when no NAME is given) it boots QEMU, runs "next" from the
 * entry to the return to user mode, and at every stop:
 *   - evaluates each `check:` line of the note shown there (annot.h, expr.h);
 *   - asserts the facts of issue 4 at named stops, independently of the notes' own
 *     check lines (RCX/R11 at entry, GS after swapgs, RSP after the stack switch, the
 *     hardware frame and orig_ax, do_syscall_64's arguments, the result in pt_regs->ax
 *     and in RAX, the exit instruction);
 * then browses the history back and forward and compares every snapshot with a copy
 * taken when it was recorded. Last, it says which notes no walk reached.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "annot.h"
#include "kernels.h"
#include "expr.h"
#include "snapshot.h"
#include "walk.h"

#define MAX_NOTES 256
#define MAX_STOPS 512

/* What a demo syscall returns, and how it leaves the kernel. The values are the demo's
 * (kernel/user/demo.c): write prints 19 bytes, the demo is pid 1, rt_sigreturn's
 * frame asks for ax = 42 (DEMO_SIGRETURN_AX). */
struct expected {
	const char *name;
	long long result;
	const char *exit_insn;       /* mnemonic of the last kernel stop */
	const char *user_rip;        /* where the CPU is back in ring 3 */
};

static const struct expected expectations[] = {
	{ "write", 19, "sysretq", "$user_return" },
	{ "getpid", 1, "sysretq", "$user_return" },
	{ "enosys", -38, "sysretq", "$user_return" },
	{ "x32", 1, "sysretq", "$user_return" },
	{ "iret", 42, "iretq", "&demo_sigreturn_landing" },
	{ "int80", 1, "iretq", "$user_return" },
};

/* A fact asserted at a named stop. SYSCALL: "" for every syscall entering through
 * SYSCALL, else the one syscall it is about. */
struct fact {
	const char *syscall;
	const char *anchor;
	const char *expr;
	const char *what;
};

static const struct fact facts[] = {
	{ "", "entry_SYSCALL_64", "rcx == $user_return && r11 == $user.eflags",
	  "at entry RCX is the user's next RIP and R11 the user's RFLAGS" },
	{ "", "entry_SYSCALL_64/movq#1", "gs_base == $percpu && gs_base != $user.gs_base",
	  "after swapgs GS_BASE is the per-CPU area" },
	{ "", "entry_SYSCALL_64/pushq#1", "rsp == $frame_top",
	  "after the stack switch RSP is the per-CPU top of stack" },
	{ "", "entry_SYSCALL_64_after_hwframe/pushq#2",
	  "pt_regs.ip == $user_return && pt_regs.sp == $user.rsp && pt_regs.flags == $user.eflags && "
	  "pt_regs.cs == 0x33 && pt_regs.ss == 0x2b && pt_regs.orig_ax == $nr",
	  "after the six pushes pt_regs ip/sp/flags/cs/ss/orig_ax are the user's values" },
	{ "", "do_syscall_64", "rdi == $frame && rsi == $nr",
	  "in do_syscall_64 RDI is the frame and RSI the number" },
	{ "int80", "entry_INT80_compat/movq#5",
	  "pt_regs.ip == $user_return && pt_regs.sp == $user.rsp && pt_regs.flags == $user.eflags && "
	  "pt_regs.cs == 0x33 && pt_regs.ss == 0x2b && pt_regs.orig_ax == $nr",
	  "the copied frame holds the user's ip/sp/flags/cs/ss and orig_ax" },
	{ "int80", "do_int80_syscall_32", "rdi == $frame",
	  "in do_int80_syscall_32 RDI is the frame" },
	{ "iret", "swapgs_restore_regs_and_return_to_usermode",
	  "pt_regs.ip == &demo_sigreturn_landing && pt_regs.cx == $user_return",
	  "rt_sigreturn moved pt_regs->ip to the landing label, so check 1 failed" },
};

/* Whether fact F is about syscall NAME. */
static bool fact_applies(const struct fact *f, const char *name)
{
	return f->syscall[0] ? strcmp(f->syscall, name) == 0 : strcmp(name, "int80") != 0;
}

/* The first stop after the handler on each exit path: pt_regs->ax holds the result. */
static const char *const after_handler[] = {
	"entry_SYSCALL_64_after_hwframe/cmpq#1",
	"swapgs_restore_regs_and_return_to_usermode",
};

struct verify {
	const char *kernel;
	const char *annotations;
	const char *glossary;
	const char *srcroot;
	int timeout_ms;
	int tests;
	int failures;
	size_t checks;
	char *note_names[MAX_NOTES];   /* every note of the directory, from the first walk */
	bool reached[MAX_NOTES];
	size_t nnotes;
};

static void tap(struct verify *v, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void tap(struct verify *v, bool ok, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", ok ? "ok" : "not ok", ++v->tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		v->failures++;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Evaluate TEXT at snapshot S; a TAP line naming the syscall, the stop and the claim. */
static void assert_expr(struct verify *v, struct walk *w, const struct snapshot *s,
			const char *where, const char *text, const char *what)
{
	struct expr_env env;
	uint64_t value = 0;
	char err[256] = "";
	walk_expr_env(w, s, &env);
	int rc = expr_eval(text, &env, &value, err, sizeof(err));
	if (rc < 0)
		tap(v, false, "%s: %s: %s (error: %s)", s->syscall, where, what ? what : text, err);
	else
		tap(v, value != 0, "%s: %s: %s%s", s->syscall, where, what ? what : text,
		    value ? "" : " (false)");
}

/* A check line is "a == b" or "a && b ...": on failure, show each side's value. */
static void explain_failure(struct walk *w, const struct snapshot *s, const char *text)
{
	struct expr_env env;
	walk_expr_env(w, s, &env);
	char part[256];
	for (const char *p = text; *p; ) {
		const char *and = strstr(p, "&&");
		size_t len = and ? (size_t)(and - p) : strlen(p);
		snprintf(part, sizeof(part), "%.*s", (int)len, p);
		char *eq = strstr(part, "==");
		if (!eq)
			eq = strstr(part, "!=");
		if (eq) {
			char lhs[256], err[128];
			uint64_t a = 0, b = 0;
			snprintf(lhs, sizeof(lhs), "%.*s", (int)(eq - part), part);
			if (expr_eval(lhs, &env, &a, err, sizeof(err)) == 0 &&
			    expr_eval(eq + 2, &env, &b, err, sizeof(err)) == 0)
				printf("#   %s: 0x%llx vs 0x%llx\n", part, (unsigned long long)a,
				       (unsigned long long)b);
		}
		p += len + (and ? 2 : 0);
	}
}

/* Every check: line of the note shown at S. */
static void run_checks(struct verify *v, struct walk *w, const struct snapshot *s)
{
	const struct annot_note *note = annot_find_by_addr(&w->notes, s->rip);
	if (!note)
		return;
	for (size_t i = 0; i < v->nnotes; i++)
		if (strcmp(v->note_names[i], note->anchor_text) == 0)
			v->reached[i] = true;
	for (size_t i = 0; i < note->nchecks; i++) {
		struct expr_env env;
		uint64_t value = 0;
		char err[256] = "";
		walk_expr_env(w, s, &env);
		v->checks++;
		if (expr_eval(note->checks[i], &env, &value, err, sizeof(err)) < 0) {
			tap(v, false, "%s: %s: %s (%s:%d; error: %s)", s->syscall, note->anchor_text,
			    note->checks[i], note->file, note->check_lines[i], err);
		} else {
			tap(v, value != 0, "%s: %s: %s%s", s->syscall, note->anchor_text, note->checks[i],
			    value ? "" : " (false)");
			if (!value)
				explain_failure(w, s, note->checks[i]);
		}
	}
}

/* The facts of the table that apply to the syscall of stop S, at S's anchor. */
static void run_facts(struct verify *v, struct walk *w, const struct snapshot *s, bool *seen)
{
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		if (!fact_applies(&facts[i], s->syscall) || seen[i] || !s->anchor ||
		    strcmp(s->anchor, facts[i].anchor) != 0)
			continue;
		seen[i] = true;
		assert_expr(v, w, s, facts[i].anchor, facts[i].expr, facts[i].what);
	}
}

static const char *current_mnemonic(const struct snapshot *s, char *buf, size_t len)
{
	for (int i = 0; i < s->ninsns; i++)
		if (s->insns[i].current) {
			snprintf(buf, len, "%.*s", (int)strcspn(s->insns[i].att, " "), s->insns[i].att);
			return buf;
		}
	snprintf(buf, len, "(no instruction decoded)");
	return buf;
}

/* Browse back to the first stop and forward to the last: no execution, and every
 * snapshot equal to the copy taken when it was recorded. */
static void check_history(struct verify *v, struct walk *w, const struct expected *e,
			  struct snapshot *copies, size_t n)
{
	uint64_t stops_before = w->stats.stops;
	size_t differ = 0, moves = 0;
	bool ok = w->history.n == n && w->pos == n - 1;

	while (ok && w->pos > 0) {
		size_t pos = w->pos;
		ok = walk_act(w, WALK_BACK) == 0 && w->pos == pos - 1;
		differ += ok && !snapshot_equal(walk_current(w), &copies[w->pos]);
		moves++;
	}
	bool stop_at_first = walk_act(w, WALK_BACK) < 0 && w->pos == 0;
	while (ok && w->pos + 1 < n) {
		size_t pos = w->pos;
		/* NEXT while browsing the history moves through it too, without running. */
		ok = walk_act(w, pos % 2 ? WALK_FORWARD : WALK_NEXT) == 0 && w->pos == pos + 1;
		differ += ok && !snapshot_equal(walk_current(w), &copies[w->pos]);
		moves++;
	}
	bool stop_at_last = walk_act(w, WALK_FORWARD) < 0 && w->pos == n - 1;
	tap(v, ok && differ == 0 && stop_at_first && stop_at_last && w->history.n == n &&
	    w->stats.stops == stops_before,
	    "%s: back then forward through %zu stops (%zu moves) gives the recorded snapshots "
	    "(%zu differ%s%s%s)", e->name, n, moves, differ, stop_at_first ? "" : ", back at the first stop did not refuse",
	    stop_at_last ? "" : ", forward at the last stop did not refuse",
	    w->stats.stops == stops_before ? "" : ", browsing ran the CPU");
}

/* Walk syscall E from its entry to user mode, checking as it goes. */
static void verify_syscall(struct verify *v, const struct expected *e)
{
	const struct demo_syscall *sc = kernels_syscall(kernels_default(), e->name);
	if (!sc) {
		tap(v, false, "%s: the teaching demo has such a syscall", e->name);
		return;
	}
	struct walk_config cfg = {
		.kt = kernels_default(),
		.kernel = v->kernel,
		.symbols = v->kernel,
		.symbols_are_elf = true,
		.debuginfo = v->kernel,
		.srcroot = v->srcroot,
		.annotations = v->annotations,
		.glossary = v->glossary,
		.accel = "tcg",
		.timeout_ms = v->timeout_ms,
		.syscall = sc,
	};
	struct walk *w = calloc(1, sizeof(*w));
	struct snapshot *copies = calloc(MAX_STOPS, sizeof(*copies));
	size_t n = 0;
	bool seen[sizeof(facts) / sizeof(facts[0])] = { false };
	bool every_stop_noted = true;
	char missing[256] = "";
	double t0 = now();

	if (!w || !copies) {
		tap(v, false, "%s: out of memory", e->name);
		free(w);
		free(copies);
		return;
	}
	if (walk_open(w, &cfg) < 0 || walk_start(w) < 0) {
		tap(v, false, "%s: walk to the syscall's entry (%s)", e->name, walk_error(w));
		goto out;
	}
	if (v->nnotes == 0)
		for (size_t i = 0; i < w->notes.nnotes && v->nnotes < MAX_NOTES; i++)
			v->note_names[v->nnotes++] = strdup(w->notes.notes[i].anchor_text);
	for (;;) {
		const struct snapshot *s = walk_current(w);
		if (n < MAX_STOPS && snapshot_copy(&copies[n], s) == 0)
			n++;
		if (s->kind != SNAP_USER && !annot_find_by_addr(&w->notes, s->rip)) {
			every_stop_noted = false;
			snprintf(missing, sizeof(missing), "%s", s->location);
		}
		run_checks(v, w, s);
		run_facts(v, w, s, seen);
		if (walk_finished(w))
			break;
		if (walk_act(w, WALK_NEXT) < 0) {
			tap(v, false, "%s: next from %s (%s)", e->name, s->location, walk_error(w));
			goto out;
		}
	}
	double elapsed = now() - t0;
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (fact_applies(&facts[i], e->name) && !seen[i])
			tap(v, false, "%s: %s: stop reached (%s)", e->name, facts[i].anchor, facts[i].what);
	tap(v, every_stop_noted, "%s: every kernel stop has a note%s%s", e->name,
	    missing[0] ? "; none at " : "", missing);

	/* The result: in pt_regs->ax after the handler, then in RAX back in user mode. */
	char text[128];
	bool found = false;
	snprintf(text, sizeof(text), "pt_regs.ax == %lld", e->result);
	for (size_t i = 0; i < w->history.n && !found; i++) {
		const struct snapshot *s = &w->history.snaps[i];
		for (size_t k = 0; k < sizeof(after_handler) / sizeof(after_handler[0]) && !found; k++)
			if (s->anchor && strcmp(s->anchor, after_handler[k]) == 0) {
				assert_expr(v, w, s, s->anchor, text, NULL);
				found = true;
			}
	}
	if (!found)
		tap(v, false, "%s: a stop after the handler (%s or %s) was reached", e->name,
		    after_handler[0], after_handler[1]);
	const struct snapshot *user = walk_current(w);
	const struct snapshot *last_kernel = w->history.n >= 2 ? &w->history.snaps[w->history.n - 2] : NULL;
	if (user->kind != SNAP_USER) {
		tap(v, false, "%s: the walk ends in user mode (last stop %s)", e->name, user->location);
	} else {
		snprintf(text, sizeof(text), "rax == %lld && rip == %s && cs == 0x33 && ss == 0x2b",
			 e->result, e->user_rip);
		assert_expr(v, w, user, "back in user mode", text, NULL);
	}
	char mnemonic[32];
	if (last_kernel)
		current_mnemonic(last_kernel, mnemonic, sizeof(mnemonic));
	tap(v, last_kernel && strcmp(mnemonic, e->exit_insn) == 0, "%s: leaves the kernel by %s (last "
	    "kernel stop: %s at %s)", e->name, e->exit_insn, last_kernel ? mnemonic : "none",
	    last_kernel ? last_kernel->location : "-");

	check_history(v, w, e, copies, n);
	printf("# %s: %zu stops (%zu in the kernel), walked in %.2f s\n", e->name, w->history.n,
	       w->history.n - 1, elapsed);
out:
	for (size_t i = 0; i < n; i++)
		snapshot_free(&copies[i]);
	free(copies);
	walk_close(w);
	free(w);
}

static int usage(const char *self)
{
	fprintf(stderr, "usage: %s [--kernel ELF] [--annotations DIR] [--timeout SECONDS] [NAME...]\n"
		"NAME: write getpid enosys x32 iret int80 (default: all)\n", self);
	return 2;
}

int main(int argc, char **argv)
{
	static char kernel[4096], annotations[4096], glossary[4096];
	struct verify v = { .timeout_ms = 20000 };
	const struct expected *only[sizeof(expectations) / sizeof(expectations[0])];
	size_t nonly = 0;

	snprintf(kernel, sizeof(kernel), "%s/build/kernel/syswalk-kernel.elf", SYSWALK_SRCDIR);
	snprintf(annotations, sizeof(annotations), "%s/annotations/teach", SYSWALK_SRCDIR);
	snprintf(glossary, sizeof(glossary), "%s/annotations/glossary.md", SYSWALK_SRCDIR);
	v.kernel = kernel;
	v.annotations = annotations;
	v.glossary = glossary;
	v.srcroot = SYSWALK_SRCDIR;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--kernel") == 0) {
			v.kernel = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--annotations") == 0) {
			v.annotations = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--timeout") == 0) {
			v.timeout_ms = atoi(argv[++i]) * 1000;
			if (v.timeout_ms <= 0)
				return usage(argv[0]);
		} else if (argv[i][0] == '-') {
			return usage(argv[0]);
		} else {
			size_t k = 0;
			while (k < sizeof(expectations) / sizeof(expectations[0]) &&
			       strcmp(expectations[k].name, argv[i]) != 0)
				k++;
			if (k == sizeof(expectations) / sizeof(expectations[0])) {
				fprintf(stderr, "%s: no demo syscall '%s'\n", argv[0], argv[i]);
				return usage(argv[0]);
			}
			only[nonly++] = &expectations[k];
		}
	}
	if (nonly == 0)
		for (size_t k = 0; k < sizeof(expectations) / sizeof(expectations[0]); k++)
			only[nonly++] = &expectations[k];

	double t0 = now();
	for (size_t i = 0; i < nonly; i++)
		verify_syscall(&v, only[i]);

	/* Every note must be shown by some walk; with a subset of syscalls this is moot. */
	if (nonly == sizeof(expectations) / sizeof(expectations[0])) {
		char unreached[2048] = "";
		size_t used = 0, count = 0;
		for (size_t i = 0; i < v.nnotes; i++)
			if (!v.reached[i]) {
				count++;
				used += (size_t)snprintf(unreached + used, used < sizeof(unreached) ?
							 sizeof(unreached) - used : 0, " %s", v.note_names[i]);
			}
		tap(&v, v.nnotes > 0 && count == 0, "every note of %s (%zu) is reached by some walk%s%s",
		    v.annotations, v.nnotes, count ? "; unreached:" : "", unreached);
	}
	printf("# %zu checks evaluated; %d tests, %d failed; %.2f s in all\n", v.checks, v.tests,
	       v.failures, now() - t0);
	printf("1..%d\n", v.tests);
	for (size_t i = 0; i < v.nnotes; i++)
		free(v.note_names[i]);
	return 0;
}
