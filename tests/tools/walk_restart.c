/* walk_restart: a walk, then "walk again" (r), both printed stop by stop, with how long
 * each took to reach its first stop. For the machine-state cache's tests (are a
 * restored walk and a restart identical to a booted walk?) and for `make bench`.
 *
 *   build/tests/tools/walk_restart [--target linux] [--syscall NAME] [--no-cache]
 *                                  [--restarts N] [--think MS] [--quiet]
 *
 * Paths are found as build/syswalk finds them (paths.h). Output: "first_stop_ms X",
 * "restored yes|no", then per restart "restart_ms X"; then unless --quiet the walk and
 * each restart's walk, every stop as --batch prints it, after "== walk N" lines. The
 * cache note, if any, goes to stderr as syswalk prints it. --think MS waits that long
 * before each restart, as a user reading the last stop would (the spare QEMU that makes
 * r a swap loads meanwhile, vmstate.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"
#include "options.h"
#include "paths.h"
#include "textout.h"
#include "walk.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail(struct walk *w, const char *doing)
{
	fprintf(stderr, "walk_restart: %s: %s\n", doing, walk_error(w));
	walk_close(w);
	return 1;
}

static void print_walk(const struct walk *w, int n)
{
	printf("== walk %d\n", n);
	for (size_t i = 0; i < w->history.n; i++)
		textout_stop(stdout, &w->history.snaps[i], i + 1, w->history.n);
}

static int walk_to_end(struct walk *w)
{
	while (!walk_finished(w))
		if (walk_act(w, WALK_NEXT) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	int restarts = 1, think_ms = 0;
	bool quiet = false;
	/* Our own flags first; the rest are syswalk's. */
	char *rest[64] = { argv[0] };
	int nrest = 1;
	for (int i = 1; i < argc && nrest < 63; i++) {
		if (strcmp(argv[i], "--restarts") == 0 && i + 1 < argc)
			restarts = atoi(argv[++i]);
		else if (strcmp(argv[i], "--think") == 0 && i + 1 < argc)
			think_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = true;
		else
			rest[nrest++] = argv[i];
	}
	struct options o;
	struct paths p;
	char err[1024];
	if (options_parse(&o, nrest, rest, err, sizeof(err)) < 0 || paths_resolve(&p, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "walk_restart: %s\n", err);
		return 2;
	}
	const struct demo_syscall *sc = o.syscall ? kernels_syscall(o.target, o.syscall) : &o.target->syscalls[0];
	if (!sc) {
		fprintf(stderr, "walk_restart: no syscall %s\n", o.syscall);
		return 2;
	}
	/* As build/syswalk sets up a walk (main.c's open_walk). */
	struct walk_config cfg = {
		.kt = o.target, .kernel = p.kernel.image, .syscall = sc, .annotations = p.annotations,
		.symbols = p.kernel.symbols[0] ? p.kernel.symbols : NULL,
		.symbols_are_elf = p.kernel.symbols_are_elf,
		.user_symbols = p.user_symbols[0] ? p.user_symbols : NULL,
		.debuginfo = p.kernel.debuginfo[0] ? p.kernel.debuginfo : NULL,
		.kernel_config = p.kernel.config[0] ? p.kernel.config : NULL,
		.srcroot = p.srcroot[0] ? p.srcroot : NULL,
		.glossary = p.glossary[0] ? p.glossary : NULL,
		.initrd = p.initrd[0] ? p.initrd : NULL,
		.pti = o.pti, .qemu_binary = o.qemu, .accel = o.accel, .timeout_ms = o.timeout_ms,
		.use_cache = !o.no_cache,
		.restart_ahead = true,      /* as the interactive viewer does */
	};
	static struct walk w;
	double t0 = now_ms();
	int rc = walk_open(&w, &cfg);
	if (walk_cache_note(&w)[0])
		fprintf(stderr, "syswalk: %s\n", walk_cache_note(&w));
	double t1 = now_ms();
	if (rc < 0 || walk_start(&w) < 0)
		return fail(&w, "starting");
	printf("first_stop_ms %.1f\nrestored %s\n", now_ms() - t0, w.vm.restored ? "yes" : "no");
	printf("open_ms %.1f\nrestore_ms %.1f\n", t1 - t0, w.vm.restore_ms);
	if (walk_to_end(&w) < 0)
		return fail(&w, "walking");
	if (!quiet)
		print_walk(&w, 1);
	for (int r = 0; r < restarts; r++) {
		/* A user reads the stop before pressing r: the spare QEMU loads meanwhile. */
		nanosleep(&(struct timespec){ think_ms / 1000, (think_ms % 1000) * 1000000L }, NULL);
		double t = now_ms();
		if (walk_act(&w, WALK_RESTART) < 0)
			return fail(&w, "restarting");
		printf("restart_ms %.1f\nrestore_ms %.1f\n", now_ms() - t, w.vm.restore_ms);
		if (walk_to_end(&w) < 0)
			return fail(&w, "walking again");
		if (!quiet)
			print_walk(&w, r + 2);
	}
	fflush(stdout);
	walk_close(&w);
	return 0;
}
