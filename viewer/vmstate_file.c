/* vmstate_file.c: the machine-state cache's files (see vmstate_file.h). */
#include "vmstate_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC            "syswalk-vmstate 1\n"
#define HASH_CHUNK       (1u << 20)
#define RUNSTATE_WINDOW  (4u << 20)     /* the global state section is this near the end */
#define STALE_TEMP_S     600

static void hex(const unsigned char *md, unsigned n, char out[VMSTATE_HASH_HEX])
{
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int vmstate_file_dir(char *dir, size_t len, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;
	/* The XDG spec: a relative $XDG_CACHE_HOME is invalid and is ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(dir, len, "%s/syswalk", xdg);
	else if (home && home[0] == '/')
		n = snprintf(dir, len, "%s/.cache/syswalk", home);
	else {
		snprintf(err, errlen, "neither $XDG_CACHE_HOME nor $HOME names a directory");
		return -ENOENT;
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "the cache directory's path is too long");
		return -ENAMETOOLONG;
	}
	/* mkdir -p, the last level private: the states hold the guest's memory. */
	for (char *p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		int rc = mkdir(dir, c ? 0755 : 0700);
		*p = c;
		if (rc < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
			return -errno;
		}
		if (!c)
			break;
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) < 0) {
		snprintf(err, errlen, "%s is not a writable directory", dir);
		return -ENOTDIR;
	}
	return 0;
}

int vmstate_file_hash_fd(int fd, off_t offset, uint64_t len, char out[VMSTATE_HASH_HEX])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(HASH_CHUNK);
	int rc = 0;
	if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = -ENOMEM;
		goto out;
	}
	while (len > 0) {
		size_t want = len < HASH_CHUNK ? (size_t)len : HASH_CHUNK;
		ssize_t n = pread(fd, buf, want, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0) {
			if (len != UINT64_MAX)
				rc = -EIO;     /* shorter than it should be */
			break;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		offset += n;
		if (len != UINT64_MAX)
			len -= (uint64_t)n;
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (rc == 0 && EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		rc = -EIO;
	if (rc == 0)
		hex(md, mdlen, out);
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* SHA-256 of the whole file PATH into OUT. */
static int hash_file(const char *path, char out[VMSTATE_HASH_HEX], char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = fd < 0 ? -errno : vmstate_file_hash_fd(fd, 0, UINT64_MAX, out);
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
	return rc;
}

static int hash_text(const char *text, char out[VMSTATE_HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL) != 1)
		return -EIO;
	hex(md, mdlen, out);
	return 0;
}

int vmstate_file_memo_path(const char *dir, const struct qemu_config *c, char *memo, size_t len)
{
	char path[PATH_MAX], id[PATH_MAX + 160], h[VMSTATE_HASH_HEX];
	struct stat st;
	if (qemu_binary_path(c, path, sizeof(path)) < 0 || stat(path, &st) < 0)
		return -ENOENT;
	snprintf(id, sizeof(id), "%s %ju %ju %jd %jd.%09ld %jd.%09ld", path, (uintmax_t)st.st_dev,
		 (uintmax_t)st.st_ino, (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec,
		 st.st_mtim.tv_nsec, (intmax_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	if (hash_text(id, h) < 0)
		return -EIO;
	int n = snprintf(memo, len, "%s/qemu-%.16s.version", dir, h);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int vmstate_file_key(const struct qemu_config *c, const char *qemu_version, const char *label,
		     char key[VMSTATE_HASH_HEX], char *err, size_t errlen)
{
	char kernel[VMSTATE_HASH_HEX] = "-", initrd[VMSTATE_HASH_HEX] = "-";
	if ((c->kernel && hash_file(c->kernel, kernel, err, errlen) < 0) ||
	    (c->initrd && hash_file(c->initrd, initrd, err, errlen) < 0))
		return -EIO;
	/* The files by content: the same bytes under another path are the same machine. */
	struct qemu_config named = *c;
	named.kernel = c->kernel ? "KERNEL" : NULL;
	named.initrd = c->initrd ? "INITRD" : NULL;
	size_t cap = 8192;
	char *cmd = malloc(cap), *text = malloc(cap + 1024);
	int rc = cmd && text ? qemu_command_line(&named, cmd, cap) : -ENOMEM;
	if (rc == 0) {
		snprintf(text, cap + 1024, "%sqemu %s\ncommand %s\nkernel %s\ninitrd %s\nstop %s\n",
			 MAGIC, qemu_version, cmd, kernel, initrd, label);
		rc = hash_text(text, key);
	}
	if (rc < 0)
		snprintf(err, errlen, "cannot compose the machine's key: %s", strerror(-rc));
	free(cmd);
	free(text);
	return rc;
}

/* The value after "NAME " on its own line of TEXT, into OUT. */
static int field(const char *text, const char *name, char *out, size_t len)
{
	size_t n = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, n) != 0 || p[n] != ' ')
			continue;
		const char *v = p + n + 1, *end = strchr(v, '\n');
		size_t vlen = end ? (size_t)(end - v) : strlen(v);
		if (vlen == 0 || vlen >= len)
			return -EINVAL;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return 0;
	}
	return -EINVAL;
}

int vmstate_file_read_header(int fd, struct vmstate_header *h, char *err, size_t errlen)
{
	char buf[VMSTATE_HEADER_LEN + 1], size[32], addr[32], stop[VMSTATE_LABEL_LEN + 40], console[32];
	memset(h, 0, sizeof(*h));
	ssize_t n = pread(fd, buf, VMSTATE_HEADER_LEN, 0);
	if (n != VMSTATE_HEADER_LEN) {
		snprintf(err, errlen, "shorter than its header");
		return -EINVAL;
	}
	buf[VMSTATE_HEADER_LEN] = '\0';
	if (strncmp(buf, MAGIC, strlen(MAGIC)) != 0) {
		snprintf(err, errlen, "not a syswalk machine state (or another format version)");
		return -EINVAL;
	}
	char *end;
	if (field(buf, "key", h->key, sizeof(h->key)) < 0 ||
	    field(buf, "qemu", h->qemu_version, sizeof(h->qemu_version)) < 0 ||
	    field(buf, "stop", stop, sizeof(stop)) < 0 ||
	    sscanf(stop, "%63s %31s", h->label, addr) != 2 ||
	    field(buf, "console", console, sizeof(console)) < 0 ||
	    field(buf, "size", size, sizeof(size)) < 0 ||
	    field(buf, "sha256", h->sha256, sizeof(h->sha256)) < 0) {
		snprintf(err, errlen, "its header lacks a field");
		return -EINVAL;
	}
	h->addr = strtoull(addr, &end, 0);
	h->console_len = strtoull(console, &end, 10);
	bool bad = *end;
	h->size = strtoull(size, &end, 10);
	if (bad || *end || h->console_len > h->size || strlen(h->key) != 64 || strlen(h->sha256) != 64) {
		snprintf(err, errlen, "its header is malformed");
		return -EINVAL;
	}
	return 0;
}

void vmstate_file_format_header(const struct vmstate_header *h, char buf[VMSTATE_HEADER_LEN])
{
	memset(buf, 0, VMSTATE_HEADER_LEN);
	snprintf(buf, VMSTATE_HEADER_LEN, "%skey %s\nqemu %s\nstop %s 0x%" PRIx64 "\nconsole %" PRIu64
		 "\nsize %" PRIu64 "\nsha256 %s\n", MAGIC, h->key, h->qemu_version, h->label, h->addr,
		 h->console_len, h->size, h->sha256);
}

int vmstate_file_fix_runstate(int fd, uint64_t end, uint64_t stream_len)
{
	/* The section: type 4 (full), a 4-byte id, the name's length (11) and the name,
	 * instance 0, version 1, then the runstate's length (4 bytes) and its name. It
	 * comes after the RAM, before the JSON description that ends the stream. */
	static const char pattern[] = "\x0bglobalstate\0\0\0\0\0\0\0\x01";
	size_t plen = sizeof(pattern) - 1;
	uint64_t window = stream_len < RUNSTATE_WINDOW ? stream_len : RUNSTATE_WINDOW;
	off_t start = (off_t)(end - window);
	char *buf = malloc(window);
	if (!buf)
		return -ENOMEM;
	int rc = -ENOENT;
	if (window > plen + 16 && pread(fd, buf, window, start) == (ssize_t)window) {
		for (size_t i = window - plen - 10; i > 0; i--) {
			if (memcmp(buf + i, pattern, plen) != 0)
				continue;
			char *name = buf + i + plen + 4;
			if (memcmp(name, "debug\0", 6) == 0) {
				static const char paused[] = "\0\0\0\x07paused";
				rc = pwrite(fd, paused, sizeof(paused), start + (off_t)(i + plen)) ==
				     (ssize_t)sizeof(paused) ? 0 : -EIO;
			} else if (memcmp(name, "paused\0", 7) == 0) {
				rc = 0;
			}
			break;
		}
	}
	free(buf);
	return rc;
}

struct state_entry {
	char name[NAME_MAX + 1];
	time_t mtime;
};

static int newest_first(const void *a, const void *b)
{
	const struct state_entry *x = a, *y = b;
	return (x->mtime < y->mtime) - (x->mtime > y->mtime);
}

void vmstate_file_prune(const char *dir, int keep)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct state_entry *list = NULL;
	size_t n = 0, cap = 0;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		bool temp = e->d_name[0] == '.' && strstr(e->d_name, ".state.");
		bool state = !temp && len > 6 && strcmp(e->d_name + len - 6, ".state") == 0;
		struct stat st;
		if ((!temp && !state) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (temp) {
			if (now - st.st_mtime > STALE_TEMP_S)
				unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		if (n == cap) {
			struct state_entry *l = realloc(list, (cap = cap ? cap * 2 : 16) * sizeof(*l));
			if (!l)
				break;
			list = l;
		}
		snprintf(list[n].name, sizeof(list[n].name), "%s", e->d_name);
		list[n++].mtime = st.st_mtime;
	}
	qsort(list, n, sizeof(*list), newest_first);
	for (size_t i = (size_t)keep; i < n; i++)
		unlinkat(dirfd(d), list[i].name, 0);
	free(list);
	closedir(d);
}
