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

/* The directory a target's image lives in when --kernel does not say (kernels.h). */
static void home_dir(const struct paths *p, const struct kernel_target *kt, char *dir, size_t len)
{
	if (kt->home == KERNEL_HOME_BUILD) {
		snprintf(dir, len, p->source_tree ? "%s/build/kernel" : "%s", p->data_dir);
		return;
	}
	/* Fetched kernels live in the cache (scripts/fetch-linux.sh): the tree's cache/ or
	 * $SYSWALK_CACHE; installed, beside the data. */
	const char *cache = getenv("SYSWALK_CACHE");
	if (cache && cache[0])
		snprintf(dir, len, "%s/%s", cache, kt->home_dir);
	else
		snprintf(dir, len, p->source_tree ? "%s/cache/%s" : "%s/%s", p->data_dir, kt->home_dir);
}

/* FILE of the demo program, built into build/linux/ in the tree, installed in the data dir. */
static void demo_file(const struct paths *p, const char *file, char *out)
{
	snprintf(out, PATHS_LEN, p->source_tree ? "%s/build/linux/%s" : "%s/%s", p->data_dir, file);
}

int paths_resolve(struct paths *p, const struct options *o, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	const struct kernel_target *kt = o->target;
	const char *env = getenv("SYSWALK_DATADIR");
	p->source_tree = !o->data_dir && !(env && env[0]) && running_from_source_tree();
	const char *base = p->source_tree ? SYSWALK_SRCDIR : o->data_dir ? o->data_dir
				: (env && env[0]) ? env : SYSWALK_DATADIR;
	snprintf(p->data_dir, sizeof(p->data_dir), "%s", base);

	set(p->annotations, "%s/annotations/%s", base, kt->notes);
	set(p->glossary, "%s/annotations/%s", base, "glossary.md");
	if (o->annotations)
		snprintf(p->annotations, PATHS_LEN, "%s", o->annotations);
	if (!exists(p->glossary))
		p->glossary[0] = '\0';
	if (kt->home == KERNEL_HOME_BUILD && p->source_tree && !o->kernel)
		snprintf(p->srcroot, PATHS_LEN, "%s", base);
	if (kt->initrd)
		demo_file(p, kt->initrd, p->initrd);
	if (kt->demo_program) {
		demo_file(p, kt->demo_program, p->user_symbols);
		if (!exists(p->user_symbols))
			p->user_symbols[0] = '\0';
	}

	char image[PATHS_LEN], dir[PATHS_LEN / 2];
	home_dir(p, kt, dir, sizeof(dir));
	snprintf(image, sizeof(image), "%s/%s", dir, kt->image);
	if (o->kernel)
		snprintf(image, sizeof(image), "%s", o->kernel);
	const char *hint = o->kernel ? NULL : p->source_tree || kt->home == KERNEL_HOME_CACHE ? kt->get_image
			 : "reinstall syswalk or pass --kernel";
	if (!o->attach && need(image, "kernel image", hint, err, errlen) < 0)
		return -1;
	/* With --attach the image is only read for its companions, when it is there. */
	if ((!o->attach || exists(image)) &&
	    kernel_files_find(&p->kernel, image, o->symbols, o->kernel_config, err, errlen) < 0)
		return -1;
	if (o->attach && !exists(image) &&
	    kernel_files_given(&p->kernel, image, o->symbols, err, errlen) < 0)
		return -1;
	if (!p->srcroot[0] && p->kernel.srcroot[0])
		snprintf(p->srcroot, PATHS_LEN, "%s", p->kernel.srcroot);
	if (kt->initrd && !o->attach && need(p->initrd, "the demo's initramfs", kt->get_initrd, err, errlen) < 0)
		return -1;
	if (need(p->annotations, "annotation directory", NULL, err, errlen) < 0)
		return -1;
	return 0;
}
