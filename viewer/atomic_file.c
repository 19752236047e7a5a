/* atomic_file.c: temporary file + fsync + rename + directory fsync.
 *
 * Why each step: rename() within one directory is atomic, so readers never see a
 * half-written export; but without fsync before the rename a crash can leave the
 * new name pointing at an empty or partial inode (the data was still in the page
 * cache), and without fsync of the directory the rename itself may be lost. The
 * temporary lives in the destination directory because rename cannot cross file
 * systems. mkstemp creates it 0600, so we give it the mode the old file had (or the
 * usual 0666 minus umask) before it becomes visible under the real name.
 *
 * A symbolic link at PATH is followed, as editors do: the file it points to is what
 * gets the new content (atomically, in that file's directory), and the link stays a
 * link. Replacing the link by a file would leave its target silently stale.
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Split PATH into its directory ("." when none) and its last component. */
static int split_path(const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*dir = strdup(".");
		*base = path;
	} else {
		size_t len = slash == path ? 1 : (size_t)(slash - path);

		*dir = strndup(path, len);
		*base = slash + 1;
	}
	return *dir ? 0 : -ENOMEM;
}

/* Where PATH really is: each symbolic link followed (a relative one from its own
 * directory), up to 40 as the kernel allows, also when the last one dangles. A malloc'd
 * path, or NULL with errno set (ELOOP, ENOMEM). */
static char *follow_links(const char *path)
{
	char *cur = strdup(path);

	for (int hops = 0; cur; hops++) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;

		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;          /* not a link (or not there yet): write here */
		if (hops == 40 || (n = readlink(cur, target, sizeof(target) - 1)) < 0) {
			free(cur);
			errno = hops == 40 ? ELOOP : errno;
			return NULL;
		}
		target[n] = '\0';
		char *next = NULL, *slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash)
			next = strdup(target);
		else if (asprintf(&next, "%.*s/%s", (int)(slash - cur), cur, target) < 0)
			next = NULL;
		free(cur);
		cur = next;
	}
	errno = ENOMEM;
	return NULL;
}

/* The mode the new file should have: the old file's, else 0666 minus the umask. */
static mode_t wanted_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	/* Some file systems cannot sync a directory (EINVAL); the rename is still done. */
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	close(fd);
	return rc;
}

/* Write PATH through WRITE_FN (see atomic_file.h). */
int atomic_file_write(const char *path,
		      int (*write_fn)(FILE *f, void *arg, char *err, size_t errlen), void *arg,
		      char *err, size_t errlen)
{
	char why[256] = "";
	char *dir = NULL, *tmp = NULL, *real = follow_links(path);
	const char *base;
	FILE *f = NULL;
	int fd = -1, rc;

	if (!real) {
		rc = -errno;
		snprintf(why, sizeof(why), "%s", strerror(errno));
		goto fail;
	}
	rc = split_path(real, &dir, &base);
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", strerror(-rc));
		goto fail;
	}
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		rc = -EISDIR;
		snprintf(why, sizeof(why), "not a file name");
		goto fail;
	}
	/* The temporary's name must fit in NAME_MAX (255) too: a long name is cut in it. */
	if (asprintf(&tmp, "%s/.%.240s.XXXXXX", dir, base) < 0) {
		tmp = NULL;
		rc = -ENOMEM;
		snprintf(why, sizeof(why), "%s", strerror(ENOMEM));
		goto fail;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		tmp = NULL;      /* nothing was created: nothing to unlink */
		snprintf(why, sizeof(why), "%s", strerror(-rc));
		goto fail;
	}
	if (fchmod(fd, wanted_mode(real)) < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		snprintf(why, sizeof(why), "%s", strerror(-rc));
		goto fail;
	}
	fd = -1;                 /* owned by f from here */

	rc = write_fn(f, arg, why, sizeof(why));
	if (rc < 0)
		goto fail;
	errno = 0;
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0) {
		rc = errno ? -errno : -EIO;
		snprintf(why, sizeof(why), "%s", strerror(-rc));
		goto fail;
	}
	rc = fclose(f);
	f = NULL;
	if (rc != 0) {
		rc = -errno;
		snprintf(why, sizeof(why), "%s", strerror(-rc));
		goto fail;
	}
	if (rename(tmp, real) < 0) {
		rc = -errno;
		snprintf(why, sizeof(why), "%s", strerror(-rc));
		goto fail;
	}
	free(tmp);
	tmp = NULL;
	rc = fsync_dir(dir);
	if (rc < 0) {
		snprintf(why, sizeof(why), "written, but syncing directory %s failed: %s", dir,
			 strerror(-rc));
		goto fail;
	}
	free(dir);
	free(real);
	return 0;

fail:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	free(real);
	snprintf(err, errlen, "cannot write %s: %s", path, why[0] ? why : "unknown error");
	return rc < 0 ? rc : -EIO;
}
