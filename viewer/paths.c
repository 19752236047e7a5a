/* paths.c: locating the files syswalk needs (see paths.h). */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SYSWALK_DATADIR
#define SYSWALK_DATADIR "/usr/local/share/syswalk"
#endif
#ifndef SYSWALK_SRCDIR
#define SYSWALK_SRCDIR ""
#endif

static bool exists(const char *path)
{
	return path[0] && access(path, R_OK) == 0;
}

static void set(char *dst, const char *fmt, const char *a, const char *b)
{
	snprintf(dst, PATHS_LEN, fmt, a, b);
}

/* The binary is SRCDIR/build/syswalk: we run from the tree it was built in. */
static bool running_from_source_tree(void)
{
	char self[PATH_MAX], expect[PATH_MAX];
	if (!SYSWALK_SRCDIR[0] || !realpath("/proc/self/exe", self))
		return false;
	bool same = false;
	/* build/asan/syswalk is the same program built with the sanitizers (make asan). */
	for (int i = 0; i < 2 && !same; i++) {
		snprintf(expect, sizeof(expect), "%s/build/%ssyswalk", SYSWALK_SRCDIR, i ? "asan/" : "");
		char *real_expect = realpath(expect, NULL);
		same = real_expect && strcmp(real_expect, self) == 0;
		free(real_expect);
	}
	return same;
}

static int need(const char *path, const char *what, const char *hint, char *err, size_t errlen)
{
	if (exists(path))
		return 0;
	snprintf(err, errlen, "%s not found at %s%s%s", what, path, hint ? ": " : "", hint ? hint : "");
	return -1;
}

int paths_resolve(struct paths *p, const struct options *o, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	const char *env = getenv("SYSWALK_DATADIR");
	p->source_tree = !o->data_dir && !(env && env[0]) && running_from_source_tree();
	const char *base = p->source_tree ? SYSWALK_SRCDIR : o->data_dir ? o->data_dir
				: (env && env[0]) ? env : SYSWALK_DATADIR;
	snprintf(p->data_dir, sizeof(p->data_dir), "%s", base);
	const char *target = o->target == TARGET_LINUX ? "linux-6.1" : "teach";

	set(p->annotations, "%s/annotations/%s", base, target);
	set(p->glossary, "%s/annotations/%s", base, "glossary.md");
	if (o->target == TARGET_TEACH) {
		set(p->kernel, p->source_tree ? "%s/build/kernel/%s" : "%s/%s", base, "syswalk-kernel.elf");
		snprintf(p->symbols, PATHS_LEN, "%s", p->kernel);
		snprintf(p->debuginfo, PATHS_LEN, "%s", p->kernel);
		if (p->source_tree)
			snprintf(p->srcroot, PATHS_LEN, "%s", base);
	} else {
		/* Debian's kernel is fetched into the tree's cache/ (scripts/fetch-linux.sh). */
		const char *cache = getenv("SYSWALK_CACHE");
		char linux_dir[PATHS_LEN / 2];
		snprintf(linux_dir, sizeof(linux_dir), "%s/linux",
			 cache && cache[0] ? cache : p->source_tree ? SYSWALK_SRCDIR "/cache" : base);
		set(p->kernel, "%s/%s", linux_dir, "vmlinuz");
		set(p->symbols, "%s/%s", linux_dir, "System.map");
		set(p->debuginfo, "%s/%s", linux_dir, "vmlinux");
		set(p->initrd, p->source_tree ? "%s/build/linux/%s" : "%s/%s", base, "initramfs.cpio");
		set(p->user_symbols, p->source_tree ? "%s/build/linux/%s" : "%s/%s", base, "init");
		if (!exists(p->user_symbols))
			p->user_symbols[0] = '\0';
		if (!exists(p->symbols))
			p->symbols[0] = '\0';
		if (!exists(p->debuginfo))
			p->debuginfo[0] = '\0';
	}
	if (o->kernel)
		snprintf(p->kernel, PATHS_LEN, "%s", o->kernel);
	if (o->symbols)
		snprintf(p->symbols, PATHS_LEN, "%s", o->symbols);
	if (o->annotations)
		snprintf(p->annotations, PATHS_LEN, "%s", o->annotations);
	if (!exists(p->glossary))
		p->glossary[0] = '\0';

	const char *kernel_hint = o->target == TARGET_LINUX ? "run scripts/fetch-linux.sh --dbg (or make run-linux)"
			       : p->source_tree ? "run make kernel" : "reinstall syswalk or pass --kernel";
	if (!o->attach && need(p->kernel, "kernel image", kernel_hint, err, errlen) < 0)
		return -1;
	if (o->target == TARGET_LINUX && !o->attach &&
	    need(p->initrd, "the init's initramfs", "run make linux-initramfs", err, errlen) < 0)
		return -1;
	if (need(p->annotations, "annotation directory", NULL, err, errlen) < 0)
		return -1;
	if (o->symbols && need(p->symbols, "symbol file", NULL, err, errlen) < 0)
		return -1;
	return 0;
}
