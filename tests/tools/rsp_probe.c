/* rsp_probe: drive a gdbstub through syswalk's rsp/target layers from the shell,
 * so the integration test can compare what syswalk reads with what gdb reads.
 *
 * Usage: rsp_probe SOCKET COMMAND... where the commands run in order:
 *   regs                 every register of at most 64 bits, "name 0xVALUE" per line
 *   hbreak ADDR          insert a breakpoint (hardware)
 *   delete ADDR          remove it
 *   cont [MS]            continue until a stop (MS = timeout, default 60000); if the
 *                        machine exits instead, its stop ("stop exited N") is printed
 *   step [N]             N single steps (default 1)
 *   msr                  LSTAR STAR FMASK EFER GS_BASE KERNEL_GS_BASE CSTAR by injection
 *   mem ADDR LEN         LEN bytes of virtual memory, as hex
 *   vmem CR3 ADDR LEN    the same through a page-table walk from CR3
 *   stop                 the last stop reply, decoded
 *   stats                round trips so far
 *   bench N              N x (step + 'g') through the target layer, microseconds per step
 *   rawbench N           N x ("s" then "g") on the bare connection, for comparison
 *                        (RAW_STEP=vCont;s in the environment to send that instead)
 * Numbers accept 0x prefixes. Exit status 0, or 1 with the error on stderr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "target.h"

static uint64_t num(const char *s)
{
	return strtoull(s, NULL, 0);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void print_hex(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

static int cmd_regs(struct target *t)
{
	struct target_regs r;
	int rc = target_read_regs(t, &r);

	if (rc < 0)
		return rc;
	for (int i = 0; i < t->map.count; i++)
		if (t->map.regs[i].bits <= 64 && r.valid[i])
			printf("%s 0x%" PRIx64 "\n", t->map.regs[i].name, r.value[i]);
	return 0;
}

static int cmd_msr(struct target *t)
{
	static const uint32_t ids[] = { 0xc0000082, 0xc0000081, 0xc0000084, 0xc0000080,
					0xc0000101, 0xc0000102, 0xc0000083 };
	static const char *const names[] = { "msr.lstar", "msr.star", "msr.fmask", "msr.efer", "msr.gs_base",
					     "msr.kernel_gs_base", "msr.cstar" };
	uint64_t v[7];
	int rc = target_read_msrs(t, ids, v, 7);

	if (rc < 0)
		return rc;
	for (int i = 0; i < 7; i++)
		printf("%s 0x%" PRIx64 "\n", names[i], v[i]);
	return 0;
}

static int cmd_bench(struct target *t, long n, bool raw)
{
	struct target_regs r;
	const char *reply;
	size_t len;
	uint64_t before = t->rsp.stats.requests;
	const char *raw_cmd = getenv("RAW_STEP") ? getenv("RAW_STEP") : "s";
	double start = now_us();

	for (long i = 0; i < n; i++) {
		int rc;
		if (raw) {
			if ((rc = rsp_send(&t->rsp, raw_cmd, strlen(raw_cmd))) < 0 ||
			    (rc = rsp_wait_stop(&t->rsp, 0, &reply, &len)) < 0 ||
			    (rc = rsp_request(&t->rsp, "g", &reply, &len)) < 0) {
				snprintf(t->error, sizeof(t->error), "%s", rsp_error(&t->rsp));
				return rc;
			}
		} else if ((rc = target_step(t, NULL)) < 0 || (rc = target_read_regs(t, &r)) < 0) {
			return rc;
		}
	}
	double us = now_us() - start;
	printf("%s %ld steps: %.1f us per step+g, %.2f round trips per step\n",
	       raw ? "raw" : "target", n, us / (double)n,
	       (double)(t->rsp.stats.requests - before) / (double)n);
	return 0;
}

static void print_stop(const struct target_stop *s)
{
	const char *kind = s->kind == TARGET_STOP_SIGNAL ? "signal" :
			   s->kind == TARGET_STOP_EXITED ? "exited" : "killed";
	printf("stop %s %d thread %ld%s%s\n", kind,
	       s->kind == TARGET_STOP_EXITED ? s->exit_status : s->signal, s->tid,
	       s->hwbreak ? " hwbreak" : "", s->swbreak ? " swbreak" : "");
}

int main(int argc, char **argv)
{
	struct target t;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SOCKET COMMAND...\n", argv[0]);
		return 2;
	}
	if (target_open(&t, argv[1]) < 0) {
		fprintf(stderr, "rsp_probe: %s\n", target_error(&t));
		target_close(&t);
		return 1;
	}
	for (int i = 2; i < argc && rc == 0; i++) {
		const char *c = argv[i];
		bool more = i + 1 < argc && (argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9');
		if (strcmp(c, "regs") == 0) {
			rc = cmd_regs(&t);
		} else if (strcmp(c, "hbreak") == 0 && i + 1 < argc) {
			rc = target_break_insert(&t, num(argv[++i]));
		} else if (strcmp(c, "delete") == 0 && i + 1 < argc) {
			rc = target_break_remove(&t, num(argv[++i]));
		} else if (strcmp(c, "cont") == 0) {
			rc = target_continue(&t, more ? (int)num(argv[++i]) : 60000, NULL);
			if (rc == TARGET_ERR_EXITED) {
				print_stop(&t.stop);   /* the machine ended: a result, not a failure */
				rc = 0;
			} else if (rc == RSP_ERR_EOF) {
				/* QEMU ended by isa-debug-exit closes the socket without a 'W'. */
				printf("gone: %s\n", target_error(&t));
				rc = 0;
			}
		} else if (strcmp(c, "step") == 0) {
			long n = more ? (long)num(argv[++i]) : 1;
			for (long k = 0; k < n && rc == 0; k++)
				rc = target_step(&t, NULL);
		} else if (strcmp(c, "msr") == 0) {
			rc = cmd_msr(&t);
		} else if (strcmp(c, "mem") == 0 && i + 2 < argc) {
			size_t n = (size_t)num(argv[i + 2]);
			uint8_t *b = malloc(n ? n : 1);
			rc = b ? target_read_mem(&t, num(argv[i + 1]), b, n) : -1;
			if (rc == 0)
				print_hex(b, n);
			free(b);
			i += 2;
		} else if (strcmp(c, "vmem") == 0 && i + 3 < argc) {
			size_t n = (size_t)num(argv[i + 3]);
			uint8_t *b = malloc(n ? n : 1);
			rc = b ? target_read_virt_phys(&t, num(argv[i + 1]), num(argv[i + 2]), b, n) : -1;
			if (rc == 0)
				print_hex(b, n);
			free(b);
			i += 3;
		} else if (strcmp(c, "stop") == 0) {
			print_stop(&t.stop);
		} else if (strcmp(c, "stats") == 0) {
			printf("round trips %" PRIu64 " retransmits %" PRIu64 " queued stops %" PRIu64 "\n",
			       t.rsp.stats.requests, t.rsp.stats.retransmits, t.rsp.stats.queued_stops);
		} else if ((strcmp(c, "bench") == 0 || strcmp(c, "rawbench") == 0) && i + 1 < argc) {
			rc = cmd_bench(&t, (long)num(argv[++i]), c[0] == 'r');
		} else {
			fprintf(stderr, "rsp_probe: unknown command or missing argument: %s\n", c);
			rc = -1;
			snprintf(t.error, sizeof(t.error), "bad command line");
		}
		fflush(stdout);
	}
	if (rc < 0)
		fprintf(stderr, "rsp_probe: %s\n", target_error(&t));
	target_close(&t);
	return rc < 0 ? 1 : 0;
}
