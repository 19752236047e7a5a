/* infile.c: opening the files syswalk reads without blocking on them (see infile.h). */
#include "infile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What ST is, when it is not a regular file. */
static const char *kind_of(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return "a directory";
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISCHR(st->st_mode))
		return "a character device";
	if (S_ISBLK(st->st_mode))
		return "a block device";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	return "not a file";
}

int infile_open(const char *path, struct stat *st, char *why, size_t whylen)
{
	struct stat own;
	int fd, e;

	if (!st)
		st = &own;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		snprintf(why, whylen, "%s", strerror(e));
		return -e;
	}
	if (fstat(fd, st) < 0) {
		e = errno;
		close(fd);
		snprintf(why, whylen, "%s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		snprintf(why, whylen, "%s, not a regular file", kind_of(st));
		return -EINVAL;
	}
	/* Back to blocking reads: stdio and libelf do not expect EAGAIN. */
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

FILE *infile_fopen(const char *path, char *why, size_t whylen)
{
	int fd = infile_open(path, NULL, why, whylen);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "re");
	if (!f) {
		int e = errno;
		snprintf(why, whylen, "%s", strerror(e));
		close(fd);
		errno = e;
	}
	return f;
}

int infile_read_all(const char *path, size_t max, char **buf, size_t *len, char *why,
		    size_t whylen)
{
	struct stat st;
	int fd = infile_open(path, &st, why, whylen), rc = 0;
	size_t got = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return fd;
	if ((unsigned long long)st.st_size > max) {
		snprintf(why, whylen, "too large (%lld bytes, at most %zu)", (long long)st.st_size, max);
		close(fd);
		return -EFBIG;
	}
	/* One byte more than the size said: a file that grows meanwhile is seen to. */
	char *b = malloc((size_t)st.st_size + 2);
	if (!b) {
		snprintf(why, whylen, "out of memory for %lld bytes", (long long)st.st_size);
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size + 1) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(why, whylen, "%s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (rc == 0 && got > max) {
		snprintf(why, whylen, "too large (more than %zu bytes)", max);
		rc = -EFBIG;
	}
	if (rc < 0) {
		free(b);
		return rc;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}
