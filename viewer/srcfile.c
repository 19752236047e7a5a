/* srcfile.c: source lines from the kernel's tree (see srcfile.h). */
#include "srcfile.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void add_root(struct srcfile *sf, const char *dir)
{
	struct stat st;

	if (sf->nroots >= SRCFILE_MAX_ROOTS || !dir || !*dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return;
	for (int i = 0; i < sf->nroots; i++)
		if (strcmp(sf->roots[i], dir) == 0)
			return;
	char *copy = strdup(dir);
	if (copy)
		sf->roots[sf->nroots++] = copy;
}

void srcfile_init(struct srcfile *sf, const char *srcroot, const char *debuginfo)
{
	char dir[4096], path[4200];

	memset(sf, 0, sizeof *sf);
	add_root(sf, srcroot);
	if (!debuginfo || !*debuginfo)
		return;
	snprintf(dir, sizeof dir, "%s", debuginfo);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	add_root(sf, dir);                       /* an in-tree build: vmlinux at the top */
	snprintf(path, sizeof path, "%s/source", dir);
	add_root(sf, path);                      /* an O= build links its source tree */
	/* Debian's linux-source, unpacked once per version next to the fetched kernel
	 * (cache/linux/vmlinux -> cache/linux-src/VERSION/linux-source-6.1). */
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, "..");
	snprintf(path, sizeof path, "%s/linux-src/*/linux-source-*", dir);
	glob_t g;
	if (glob(path, GLOB_NOSORT | GLOB_ONLYDIR, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			add_root(sf, g.gl_pathv[i]);
		globfree(&g);
	}
}

/* Read PATH whole, when it is a regular file of a sane size. */
static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (off_t)SRCFILE_MAX_BYTES &&
	    (buf = malloc((size_t)st.st_size + 1)) != NULL) {
		size_t got = 0;
		ssize_t n;

		while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			got += (size_t)n;
		}
		buf[got] = '\0';
		*len = got;
	}
	close(fd);
	return buf;
}

/* Make FILE the cached one: found under the first root that has it. */
static void load(struct srcfile *sf, const char *file)
{
	if (sf->name && strcmp(sf->name, file) == 0)
		return;
	free(sf->name);
	free(sf->text);
	sf->text = NULL;
	sf->len = 0;
	sf->name = strdup(file);
	if (file[0] == '/') {
		sf->text = read_file(file, &sf->len);
		return;
	}
	for (int i = 0; i < sf->nroots && !sf->text; i++) {
		char path[8192];

		snprintf(path, sizeof path, "%s/%s", sf->roots[i], file);
		sf->text = read_file(path, &sf->len);
	}
}

char *srcfile_lines(struct srcfile *sf, const char *file, int line, int before, int after, int *first)
{
	if (!file || !*file || line <= 0)
		return NULL;
	load(sf, file);
	if (!sf->text)
		return NULL;
	int from = line - before < 1 ? 1 : line - before, to = line + after, n = 1;
	const char *p = sf->text, *end = sf->text + sf->len, *start = NULL;

	for (; p < end && n < from; p++)
		if (*p == '\n')
			n++;
	if (p >= end || n != from)
		return NULL;
	start = p;
	/* LINE itself must be in the file, else DWARF named another version of it. */
	for (; p < end && n <= to; p++)
		if (*p == '\n')
			n++;
	if (n + (p >= end && p > start && p[-1] != '\n') <= line)
		return NULL;
	size_t len = (size_t)(p - start);
	char *out = malloc(len + 2);
	if (!out)
		return NULL;
	memcpy(out, start, len);
	if (len == 0 || out[len - 1] != '\n')
		out[len++] = '\n';
	out[len] = '\0';
	*first = from;
	return out;
}

void srcfile_free(struct srcfile *sf)
{
	for (int i = 0; i < sf->nroots; i++)
		free(sf->roots[i]);
	free(sf->name);
	free(sf->text);
	memset(sf, 0, sizeof *sf);
}
