/* kconfig.h: a kernel's build options, read from its .config.
 *
 * Notes may hold only for some kernels ("requires: CONFIG_PAGE_TABLE_ISOLATION"), and
 * the demo's int $0x80 needs CONFIG_IA32_EMULATION. The running kernel's options come
 * from the .config of its build (the build tree's, or the config-RELEASE file Debian
 * ships beside the image); /proc/config.gz would need the guest's cooperation. Lines are
 * "CONFIG_NAME=VALUE" or "# CONFIG_NAME is not set"; everything else is a comment.
 */
#ifndef SYSWALK_KCONFIG_H
#define SYSWALK_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define KCONFIG_ERR_LEN 512

enum kconfig_state {
	KCONFIG_UNKNOWN,     /* no .config was read */
	KCONFIG_NO,          /* not set (or absent from a .config that was read) */
	KCONFIG_YES,         /* =y, =m, or any other value */
};

struct kconfig {
	bool loaded;
	char **names;        /* "CONFIG_SMP", ... set to something other than n, sorted */
	size_t count, cap;
	char source[256];
	char err[KCONFIG_ERR_LEN];
};

/* An empty set: every option is unknown. */
void kconfig_init(struct kconfig *kc);

/* Read PATH. Returns 0, or negative with a message in kc->err ("PATH:LINE: ..."). A
 * malformed line rejects the file: it is not a .config. */
int kconfig_load(struct kconfig *kc, const char *path);

/* The same from memory (NAME is used in messages): for tests and the fuzzer. */
int kconfig_load_buffer(struct kconfig *kc, const char *name, const char *buf, size_t len);

/* Whether option NAME ("CONFIG_SMP") is set in the loaded file. */
enum kconfig_state kconfig_state(const struct kconfig *kc, const char *name);

/* Release what KC holds; it is empty (unknown) afterwards. */
void kconfig_free(struct kconfig *kc);

#endif
