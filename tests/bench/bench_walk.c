/* bench_walk.c: syswalk's walk engine under the stopwatch, for `make bench`.
 *
 * The harness sets the walk up exactly as build/syswalk does from the source tree (the
 * teaching kernel, its ELF for symbols and DWARF, the glossary) and drives it through
 * the public API of walk.h only, so what it measures is what a user waits for:
 *
 *   cold    from main() to the first stop (walk_open + walk_start)
 *   stepi   then walk_act(WALK_STEPI) to the end of the syscall: µs and round trips per
 *           step, and which steps cost more than the usual three round trips
 *   next    every demo syscall with WALK_NEXT (as --batch --syscall all does): stops,
 *           round trips per stop, disassembly cache hits and misses
 *
 * Usage: bench_walk cold|stepi|next ROOT ANNOTATIONS [SYSCALL]
 * Output: "key value" lines that scripts/bench.sh reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "walk.h"

#define MAX_STEPS 4096

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

static uint64_t requests(const struct walk *w)
{
	return w->target.rsp.stats.requests;
}

/* QEMU's own argument list, so the script can check that the floor ran the same. */
static void print_qemu_argv(const struct walk *w)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)w->qemu.pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	printf("qemu_argv");
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
		printf(" %s", buf + i);
	printf("\n");
}

static int fail(struct walk *w, const char *doing)
{
	fprintf(stderr, "bench_walk: %s: %s\n", doing, walk_error(w));
	walk_close(w);
	return 1;
}

/* One stepi walk to the end, with the round trips of every step kept to explain them. */
static int bench_stepi(struct walk *w)
{
	static uint64_t rt[MAX_STEPS];
	static double us[MAX_STEPS];
	static int kind[MAX_STEPS];
	static uint64_t rip[MAX_STEPS];
	uint64_t inj0 = w->stats.msr_injections, phys0 = w->stats.phys_reads, hits0, miss0;
	disasm_cache_stats(&w->dis, &hits0, &miss0);
	uint64_t req0 = requests(w);
	int n = 0;
	double t0 = now_ms(), c0 = cpu_us();
	while (!walk_finished(w) && n < MAX_STEPS) {
		uint64_t r = requests(w);
		double s = now_ms();
		if (walk_act(w, WALK_STEPI) < 0)
			return fail(w, "stepping");
		us[n] = (now_ms() - s) * 1e3;
		rt[n] = requests(w) - r;
		kind[n] = walk_current(w)->kind;
		rip[n] = walk_current(w)->rip;
		n++;
	}
	double t1 = now_ms(), c1 = cpu_us();
	uint64_t hits, miss;
	disasm_cache_stats(&w->dis, &hits, &miss);
	printf("steps %d\nus_per_step %.1f\nrequests_per_step %.2f\n", n, (t1 - t0) * 1e3 / n,
	       (double)(requests(w) - req0) / n);
	/* The disassembly window of every stop again, as walk_snapshot's fill_code asks for
	 * it: the bytes are all in the cache now, so this is its CPU cost alone. */
	static struct disasm_insn insns[SNAP_MAX_INSNS];
	double d0 = now_ms();
	for (int i = 0; i < n; i++) {
		uint64_t start = 0, size = 0;
		const struct sym *fn = symbols_function(&w->syms, rip[i], &start, &size);
		disasm_window(&w->dis, rip[i], fn ? start : 0, 6, 10, insns, SNAP_MAX_INSNS);
	}
	double d1 = now_ms();
	printf("cpu_us_per_step %.1f\ndisasm_window_us_per_step %.1f\n", (c1 - c0) / n, (d1 - d0) * 1e3 / n);
	printf("msr_injections %llu\nphys_reads %llu\ndisasm_hits %llu\ndisasm_misses %llu\n",
	       (unsigned long long)(w->stats.msr_injections - inj0),
	       (unsigned long long)(w->stats.phys_reads - phys0), (unsigned long long)(hits - hits0),
	       (unsigned long long)(miss - miss0));
	/* Steps grouped by their number of round trips: where the time above the floor goes. */
	for (uint64_t k = 0; k < 256; k++) {
		int count = 0, anchors = 0;
		double total = 0;
		for (int i = 0; i < n; i++)
			if (rt[i] == k) {
				count++;
				total += us[i];
				anchors += kind[i] == SNAP_ANCHOR;
			}
		if (count)
			printf("rt_group %llu round trips: %d steps (%d at annotated stops), %.0f us in all, "
			       "%.0f us each\n", (unsigned long long)k, count, anchors, total, total / count);
	}
	return 0;
}

/* What walk_open does before it starts QEMU (symbols, DWARF, the notes, capstone),
 * timed piece by piece on fresh structures. Run after the walk, so the files are in
 * the page cache, as they are in the walk itself after the first run. */
static void time_local_loading(const struct walk_config *cfg)
{
	struct symbols syms;
	struct debuginfo dbg = { .fd = -1 };
	struct debuginfo_layout layout;
	struct annot_set notes, glossary;
	struct disasm dis;
	double t0 = now_ms();
	symbols_init(&syms);
	symbols_load_elf(&syms, cfg->symbols);
	double t1 = now_ms();
	bool dwarf = debuginfo_open(&dbg, cfg->debuginfo, cfg->srcroot) == 0;
	debuginfo_pt_regs(&dbg, &layout);
	double t2 = now_ms();
	annot_set_init(&notes);
	annot_set_init(&glossary);
	annot_load_dir(&notes, cfg->annotations);
	annot_load_glossary(&glossary, cfg->glossary);
	double t3 = now_ms();
	bool dis_ok = disasm_open(&dis, walk_read_memory, NULL, symbols_symbolize, &syms) == 0;
	double t4 = now_ms();
	printf("ms_load symbols %.2f, DWARF %.2f, notes+glossary %.2f, capstone %.2f\n", t1 - t0, t2 - t1,
	       t3 - t2, t4 - t3);
	if (dis_ok)
		disasm_close(&dis);
	annot_set_free(&notes);
	annot_set_free(&glossary);
	if (dwarf)
		debuginfo_close(&dbg);
	symbols_free(&syms);
}

/* Every demo syscall walked with "next", as --batch --syscall all does. */
static int bench_next(struct walk *w)
{
	int nsys = kernels_default()->nsyscalls;
	const struct demo_syscall *all = kernels_default()->syscalls;
	for (int i = 0; i < nsys; i++) {
		if (i > 0) {
			uint64_t r = requests(w);
			if (walk_act(w, WALK_CONTINUE) < 0)
				return fail(w, "continuing to the next syscall");
			printf("run_to %s: %llu round trips to reach its entry and take its first stop\n",
			       all[i].name, (unsigned long long)(requests(w) - r));
		}
		uint64_t r0 = requests(w), hits0, miss0, inj0 = w->stats.msr_injections;
		uint64_t phys0 = w->stats.phys_reads, skip0 = w->stats.skipped_stops;
		disasm_cache_stats(&w->dis, &hits0, &miss0);
		size_t stops0 = w->history.n;
		double t0 = now_ms();
		while (!walk_finished(w))
			if (walk_act(w, WALK_NEXT) < 0)
				return fail(w, "next");
		double t1 = now_ms();
		uint64_t hits, miss;
		disasm_cache_stats(&w->dis, &hits, &miss);
		size_t stops = w->history.n - stops0;
		uint64_t rt = requests(w) - r0;
		printf("next %s: %zu stops after the first, %llu round trips, %.1f per stop, %.1f ms; "
		       "disasm cache %llu hits %llu misses; %llu MSR injections, %llu page-walk reads, "
		       "%llu skipped stops\n",
		       all[i].name, stops, (unsigned long long)rt, stops ? (double)rt / stops : 0.0, t1 - t0,
		       (unsigned long long)(hits - hits0), (unsigned long long)(miss - miss0),
		       (unsigned long long)(w->stats.msr_injections - inj0),
		       (unsigned long long)(w->stats.phys_reads - phys0),
		       (unsigned long long)(w->stats.skipped_stops - skip0));
	}
	printf("total_requests %llu\n", (unsigned long long)requests(w));
	return 0;
}

int main(int argc, char **argv)
{
	double t0 = now_ms();
	if (argc < 4 || (strcmp(argv[1], "cold") && strcmp(argv[1], "stepi") && strcmp(argv[1], "next"))) {
		fprintf(stderr, "usage: bench_walk cold|stepi|next ROOT ANNOTATIONS [SYSCALL]\n");
		return 2;
	}
	const char *root = argv[2];
	static char kernel[4096], glossary[4096];
	snprintf(kernel, sizeof(kernel), "%s/build/kernel/syswalk-kernel.elf", root);
	snprintf(glossary, sizeof(glossary), "%s/annotations/glossary.md", root);
	const struct demo_syscall *sc = kernels_syscall(kernels_default(), argc > 4 ? argv[4] : "write");
	if (!sc) {
		fprintf(stderr, "bench_walk: no demo syscall '%s'\n", argv[4]);
		return 2;
	}
	/* What main.c's open_walk builds for the teaching kernel from the source tree. */
	struct walk_config cfg = {
		.kt = kernels_default(),
		.kernel = kernel,
		.symbols = kernel,
		.symbols_are_elf = true,
		.debuginfo = kernel,
		.srcroot = root,
		.annotations = argv[3],
		.glossary = glossary,
		.accel = "tcg",
		.syscall = sc,
	};
	static struct walk w;
	if (walk_open(&w, &cfg) < 0)
		return fail(&w, "walk_open");
	double t_open = now_ms();
	uint64_t r_open = requests(&w);
	if (walk_start(&w) < 0)
		return fail(&w, "walk_start");
	double t_first = now_ms();
	print_qemu_argv(&w);
	printf("ms_open %.2f\nms_first_stop %.2f\nrequests_open %llu\nrequests_start %llu\n",
	       t_open - t0, t_first - t0, (unsigned long long)r_open,
	       (unsigned long long)(requests(&w) - r_open));
	printf("frame 0x%llx\n", (unsigned long long)w.sys.frame_base);
	int rc = 0;
	if (strcmp(argv[1], "cold") == 0)
		time_local_loading(&cfg);
	if (strcmp(argv[1], "stepi") == 0)
		rc = bench_stepi(&w);
	else if (strcmp(argv[1], "next") == 0)
		rc = bench_next(&w);
	if (rc)
		return rc;
	walk_close(&w);
	return 0;
}
