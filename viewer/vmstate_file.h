/* vmstate_file.h: the machine-state cache's files: where they live, their key, their
 * header, and checking a file before QEMU is given it (used by vmstate.c).
 *
 * A state file is a 1024-byte text header, NUL-padded, then the serial console's output
 * up to the stop (a booted walk shows it at its first stop, so a restored one must
 * too), then QEMU's migration stream:
 *
 *   syswalk-vmstate 1
 *   key <sha-256 of what makes the machine, see vmstate_file_key>
 *   qemu <QEMU's version string, as query-version gives it>
 *   stop <label> <address>
 *   console <bytes of console output>
 *   size <bytes after the header: console output and stream>
 *   sha256 <sha-256 of those bytes>
 *
 * It is named DIR/<key>.state, so a different kernel, initramfs, command line or QEMU
 * looks for a different file; the header repeats the key so that a file copied or
 * renamed from elsewhere ("foreign") is recognised, and the size and the stream's hash
 * catch truncation and corruption, which QEMU would not always notice.
 */
#ifndef SYSWALK_VMSTATE_FILE_H
#define SYSWALK_VMSTATE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "qemu.h"

#define VMSTATE_HEADER_LEN   1024
#define VMSTATE_HASH_HEX     65          /* 64 hex digits and a NUL */
#define VMSTATE_PATH_LEN     4096
#define VMSTATE_VERSION_LEN  160
#define VMSTATE_LABEL_LEN    64

struct vmstate_header {
	char key[VMSTATE_HASH_HEX];
	char qemu_version[VMSTATE_VERSION_LEN];
	char label[VMSTATE_LABEL_LEN];
	uint64_t addr;
	uint64_t console_len;            /* console output right after the header */
	uint64_t size;                   /* everything after the header */
	char sha256[VMSTATE_HASH_HEX];
};

/* The cache directory ($XDG_CACHE_HOME/syswalk, else ~/.cache/syswalk), created 0700
 * when missing, into DIR. Returns 0, or a negative errno with the reason in ERR. */
int vmstate_file_dir(char *dir, size_t len, char *err, size_t errlen);

/* SHA-256 of LEN bytes of FD from OFFSET (pread: the file offset is left alone) into
 * HEX. LEN UINT64_MAX = to the end. Returns 0 or a negative errno. */
int vmstate_file_hash_fd(int fd, off_t offset, uint64_t len, char hex[VMSTATE_HASH_HEX]);

/* The identity of the QEMU binary C runs (path, device, inode, size, change time), for
 * the version memo: DIR/qemu-<hash>.version. Writes the memo's path into MEMO. */
int vmstate_file_memo_path(const char *dir, const struct qemu_config *c, char *memo, size_t len);

/* The key of a machine: sha-256 over a format tag, QEMU's version string, its command
 * line (kernel and initramfs named by their content's hash, not their path) and the
 * label of the stop the state is saved at (its address follows from the bytes; the
 * header keeps it, and a restore checks it against the walk's symbols). Returns 0, or
 * a negative errno with ERR set. */
int vmstate_file_key(const struct qemu_config *c, const char *qemu_version, const char *label,
		     char key[VMSTATE_HASH_HEX], char *err, size_t errlen);

/* Read and parse the header of FD. Returns 0, or -EINVAL with what is wrong in ERR. */
int vmstate_file_read_header(int fd, struct vmstate_header *h, char *err, size_t errlen);

/* The header's text, NUL-padded to VMSTATE_HEADER_LEN, into BUF. */
void vmstate_file_format_header(const struct vmstate_header *h, char buf[VMSTATE_HEADER_LEN]);

/* QEMU 7.2 refuses a stream saved while the gdbstub holds the CPU: its global state
 * says "debug", and loading it would make the runstate go inmigrate -> debug, which
 * aborts QEMU. Rewrite that word to "paused" in the stream of FD, which ends at END
 * and is STREAM_LEN bytes long. Returns 0, or -ENOENT when the section is not where
 * QEMU 7.2 puts it. */
int vmstate_file_fix_runstate(int fd, uint64_t end, uint64_t stream_len);

/* Remove what a killed save left behind (DIR/.*.state.XXXXXX older than ten minutes)
 * and all but the KEEP most recently used state files. */
void vmstate_file_prune(const char *dir, int keep);

#endif
