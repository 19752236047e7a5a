/* test_fuzz_seeds: the fuzzers' seed inputs still mean what they were written to mean.
 *
 * A seed that the parser refuses at its first byte teaches the fuzzer nothing: when
 * the trace format gained its "quiz" member, every replay_json seed became a trace
 * the loader rejects at the top level, and the harness spent days of CPU on 31 edges
 * of code while reporting no crash. These tests fail as soon as a format change
 * leaves the seeds behind (regenerate them as docs/reliability.md says).
 *
 * The convention, per corpus directory: a seed whose name starts with "bad-" must be
 * refused, with a message; every other seed must be accepted.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "annot.h"
#include "kconfig.h"
#include "trace_json.h"

#define CORPUS SYSWALK_SRCDIR "/tests/fuzz/corpus/"

/* Call CHECK on every regular seed in CORPUS/NAME; returns how many there were. */
static int for_each_seed(const char *name, void (*check)(const char *path, bool bad))
{
	char dir[512], path[1024];
	int n = 0;

	snprintf(dir, sizeof(dir), CORPUS "%s", name);
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		check(path, strncmp(e->d_name, "bad-", 4) == 0);
		n++;
	}
	closedir(d);
	return n;
}

static void check_trace_seed(const char *path, bool bad)
{
	struct trace t;
	char err[512] = "";
	int rc = trace_json_load(path, &t, err, sizeof(err));

	if (bad) {
		if (rc == 0)
			fail_msg("%s: a bad- seed was accepted", path);
		assert_true(err[0] != '\0');
		return;
	}
	if (rc < 0)
		fail_msg("%s: refused: %s", path, err);
	assert_true(t.n >= 1);
	trace_free(&t);
}

static void test_replay_json_seeds(void **state)
{
	(void)state;
	/* At least one accepted trace of more than one stop, and one refused. */
	assert_true(for_each_seed("replay_json", check_trace_seed) >= 3);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Annotation seeds are loaded as the harness loads them (as a glossary when the
 * second byte is 'G'): good ones without an error, bad- ones with one. */
static void check_annot_seed(const char *path, bool bad)
{
	struct annot_set set;
	size_t len;
	char *buf = slurp(path, &len);
	const char *base = strrchr(path, '/') + 1;

	annot_set_init(&set);
	set.glossary = len > 1 && buf[1] == 'G';
	annot_load_buffer(&set, base, buf, len);
	if (bad && set.nerrors == 0)
		fail_msg("%s: a bad- seed loaded without an error", path);
	if (!bad && set.nerrors > 0)
		fail_msg("%s: %s", path, set.errors[0]);
	annot_set_free(&set);
	free(buf);
}

static void test_annot_seeds(void **state)
{
	(void)state;
	assert_true(for_each_seed("annot", check_annot_seed) >= 2);
}

/* .config seeds: good ones load, bad- ones are refused with a message. */
static void check_kconfig_seed(const char *path, bool bad)
{
	struct kconfig kc;
	size_t len;
	char *buf = slurp(path, &len);
	kconfig_init(&kc);
	int rc = kconfig_load_buffer(&kc, path, buf, len);
	if (bad && (rc == 0 || !kc.err[0]))
		fail_msg("%s: a bad- seed was accepted", path);
	if (!bad && rc < 0)
		fail_msg("%s: %s", path, kc.err);
	kconfig_free(&kc);
	free(buf);
}

static void test_kconfig_seeds(void **state)
{
	(void)state;
	assert_true(for_each_seed("kconfig", check_kconfig_seed) >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_json_seeds),
		cmocka_unit_test(test_annot_seeds),
		cmocka_unit_test(test_kconfig_seeds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
