/* errcode.h: syswalk's own error codes, in one space that cannot collide with errno.
 *
 * Functions return 0 or a negative code. A code is either -errno, for what the system
 * said (-ENOENT, -ENOMEM, -EINTR), or one of ours below, all at or under -ERRCODE_BASE:
 * errno values end at 4095 (Linux's MAX_ERRNO), so RSP_ERR_TIMEOUT can never be read
 * as -ENOMEM again, nor RSP_ERR_IO as -ECHILD, whichever layer classifies it.
 * errcode_strerror names both kinds. Each module keeps its message in its context; the
 * code says what kind of failure it was, for callers that must decide by kind.
 */
#ifndef SYSWALK_ERRCODE_H
#define SYSWALK_ERRCODE_H

#include <stdbool.h>

#define ERRCODE_BASE 4096

/* X(name, number, what it means): the number is the offset under -ERRCODE_BASE. */
#define ERRCODE_LIST(X) \
	/* rsp_codec: the packet decoder */ \
	X(RSP_ERR_CHECKSUM, 2, "a packet's checksum does not match") \
	X(RSP_ERR_SYNTAX, 3, "malformed packet framing") \
	X(RSP_ERR_RUNLENGTH, 4, "bad run-length encoding in a packet") \
	X(RSP_ERR_TOO_BIG, 5, "a packet larger than the receive buffer") \
	X(RSP_ERR_NOMEM, 6, "out of memory for packet buffers") \
	/* rsp: the connection */ \
	X(RSP_ERR_IO, 10, "the gdbstub connection failed") \
	X(RSP_ERR_EOF, 11, "the gdbstub closed the connection") \
	X(RSP_ERR_TIMEOUT, 12, "the gdbstub did not answer in time") \
	X(RSP_ERR_REJECTED, 13, "the gdbstub kept rejecting a request") \
	X(RSP_ERR_ADDRESS, 14, "not a gdbstub address syswalk accepts") \
	X(RSP_ERR_QUEUE, 15, "too many stop replies arrived unasked") \
	X(RSP_ERR_ARG, 16, "a request too large for the packet buffer") \
	/* target_xml: the target description */ \
	X(TARGET_XML_ERR_SYNTAX, 20, "the target description is not well-formed") \
	X(TARGET_XML_ERR_REG, 21, "a register of the target description is malformed") \
	X(TARGET_XML_ERR_FULL, 22, "the target description lists too many registers") \
	X(TARGET_XML_ERR_INCLUDE, 23, "an include of the target description failed") \
	/* target: run control */ \
	X(TARGET_ERR_PROTOCOL, 40, "the gdbstub answered something unexpected") \
	X(TARGET_ERR_STUB, 41, "the gdbstub answered with an error") \
	X(TARGET_ERR_MEMORY, 42, "memory not readable or writable") \
	X(TARGET_ERR_NOT_PRESENT, 43, "a page-table entry is not present") \
	X(TARGET_ERR_CPL3, 44, "the CPU is in user mode") \
	X(TARGET_ERR_RESTORE, 45, "the state after an injection differs from before") \
	X(TARGET_ERR_EXITED, 46, "the target has exited") \
	X(TARGET_ERR_ARG, 47, "a bad argument for the target") \
	X(TARGET_ERR_UNSUPPORTED, 48, "the gdbstub lacks a needed feature") \
	X(TARGET_ERR_INTERRUPTED, 49, "interrupted") \
	X(TARGET_ERR_LIMIT, 50, "gave up after too many rounds with the gdbstub")

enum errcode {
#define ERRCODE_ENUM(name, n, text) name = -(ERRCODE_BASE + (n)),
	ERRCODE_LIST(ERRCODE_ENUM)
#undef ERRCODE_ENUM
};

/* Whether RC (< 0) is one of syswalk's own codes rather than -errno. */
bool errcode_is_ours(int rc);

/* What RC means, in words: ours from the table, -errno through strerror, 0 "success".
 * Static or strerror's storage: use it before the next call. */
const char *errcode_strerror(int rc);

#endif
