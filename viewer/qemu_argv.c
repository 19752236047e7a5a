/* qemu_argv.c: QEMU's command line as text, and the binary it runs, for the
 * machine-state cache's key (see qemu.h; the argv itself is built in qemu.c). */
#include "qemu.h"
#include "qemu_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qemu_command_line(const struct qemu_config *c, char *buf, size_t len)
{
	struct qemu *q = calloc(1, sizeof(*q));
	struct argv_builder *b = calloc(1, sizeof(*b));
	int rc = -ENOMEM;
	if (!q || !b)
		goto out;
	snprintf(q->binary, sizeof q->binary, "%s", c->binary ? c->binary : QEMU_DEFAULT_BINARY);
	snprintf(q->gdb_socket, sizeof q->gdb_socket, "DIR/gdb.sock");
	snprintf(q->qmp_socket, sizeof q->qmp_socket, "DIR/qmp.sock");
	struct qemu_config plain = *c;
	plain.incoming = false;
	if ((rc = qemu_build_argv(q, &plain, b)) < 0)
		goto out;
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < b->argc; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? " " : "", b->argv[i]);
		if (n < 0 || (size_t)n >= len - used) {
			rc = -E2BIG;
			goto out;
		}
		used += (size_t)n;
	}
	rc = 0;
out:
	free(q);
	free(b);
	return rc;
}

int qemu_binary_path(const struct qemu_config *c, char *buf, size_t len)
{
	struct qemu *q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	int rc = qemu_resolve_binary(q, c->binary ? c->binary : QEMU_DEFAULT_BINARY);
	if (rc == 0 && (size_t)snprintf(buf, len, "%s", q->binary) >= len)
		rc = -ENAMETOOLONG;
	free(q);
	return rc;
}
