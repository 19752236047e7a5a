/* target.c: handshake, registers, memory, breakpoints and execution over rsp.
 *
 * MSR injection and the page-table walk live in target_msr.c; both use only the
 * functions declared in target.h.
 */
#include "target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XFER_MAX_DOC   (256 * 1024)  /* a target description larger than this is refused */
#define XFER_MAX_DEPTH 4             /* xi:include nesting */
#define XFER_MAX_DOCS 32             /* documents in all: QEMU 7.2 sends 2 for x86_64, and
				      * a depth bound alone lets K includes per document
				      * make a hostile stub's handshake fetch K^4 of them */

int target_set_error(struct target *t, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->error, sizeof(t->error), fmt, ap);
	va_end(ap);
	return code;
}

/* Copy the connection's message after a failed rsp call. */
static int rsp_failed(struct target *t, int rc)
{
	snprintf(t->error, sizeof(t->error), "%s", rsp_error(&t->rsp));
	if (rc == RSP_ERR_EOF)
		t->exited = true;
	return rc;
}

const char *target_error(const struct target *t)
{
	return t->error;
}

const struct rsp_stats *target_stats(const struct target *t)
{
	return &t->rsp.stats;
}

int target_reg_index(const struct target *t, const char *name)
{
	return target_regmap_find(&t->map, name);
}

void target_set_interrupt_fd(struct target *t, int fd)
{
	t->rsp.interrupt_fd = fd;
}

int target_guard(struct target *t, unsigned *rounds, const char *what)
{
	if (rsp_interrupt_requested(&t->rsp))
		return target_set_error(t, TARGET_ERR_INTERRUPTED, "interrupted while %s", what);
	if (++*rounds > TARGET_MAX_ROUNDS)
		return target_set_error(t, TARGET_ERR_LIMIT, "gave up %s after %d rounds with the "
					"gdbstub (is it the kernel the symbols describe?)", what,
					TARGET_MAX_ROUNDS);
	return 0;
}

/* Request that must be answered with data; "Enn" becomes TARGET_ERR_STUB. */
static int request(struct target *t, const char *req, const char **reply, size_t *len)
{
	int rc = rsp_request(&t->rsp, req, reply, len);

	if (rc < 0)
		return rsp_failed(t, rc);
	if (*len == 3 && (*reply)[0] == 'E')
		return target_set_error(t, TARGET_ERR_STUB, "gdbstub answered '%s' to '%.40s'", *reply, req);
	return 0;
}

/* Request whose only good answer is "OK". */
static int request_ok(struct target *t, const char *req)
{
	const char *reply;
	size_t len;
	int rc = request(t, req, &reply, &len);

	if (rc < 0)
		return rc;
	if (len == 0)
		return target_set_error(t, TARGET_ERR_UNSUPPORTED, "gdbstub does not support '%.40s'", req);
	if (strcmp(reply, "OK") != 0)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "gdbstub answered '%.40s' to '%.40s'", reply, req);
	return 0;
}

/* Fetch one annex of qXfer:features:read in chunks ('m' = more, 'l' = last). */
static int xfer_read(struct target *t, const char *annex, char **doc, size_t *doclen)
{
	size_t chunk = t->stub_packet_size < t->rsp.dec.cap ? t->stub_packet_size : t->rsp.dec.cap;
	size_t len = 0;
	char *buf = NULL;

	chunk = chunk > 64 ? chunk - 16 : 48;
	for (;;) {
		char req[200];
		const char *reply;
		size_t rlen;
		snprintf(req, sizeof(req), "qXfer:features:read:%s:%zx,%zx", annex, len, chunk);
		int rc = request(t, req, &reply, &rlen);
		if (rc < 0) {
			free(buf);
			return rc;
		}
		if (rlen == 0 || (reply[0] != 'm' && reply[0] != 'l')) {
			free(buf);
			return target_set_error(t, TARGET_ERR_PROTOCOL,
					 "reading %s: expected 'm' or 'l' data, got '%.20s'", annex, reply);
		}
		if (len + rlen - 1 > XFER_MAX_DOC) {
			free(buf);
			return target_set_error(t, TARGET_ERR_PROTOCOL, "%s is larger than %d bytes", annex, XFER_MAX_DOC);
		}
		char *nb = realloc(buf, len + rlen);
		if (!nb) {
			free(buf);
			return target_set_error(t, TARGET_ERR_ARG, "out of memory reading %s", annex);
		}
		buf = nb;
		memcpy(buf + len, reply + 1, rlen - 1);
		len += rlen - 1;
		buf[len] = '\0';
		if (reply[0] == 'l' || rlen == 1)
			break;
	}
	*doc = buf;
	*doclen = len;
	return 0;
}

static int parse_annex(struct target *t, const char *annex);

static int include_cb(void *arg, const char *href, struct target_regmap *map)
{
	struct target *t = arg;

	(void)map;
	/* The name goes back to the stub inside a qXfer request: only a plain file name
	 * (QEMU's are "i386-64bit.xml"), never a separator, an RSP special byte ('$', '#',
	 * '}', '*') or a control byte that the stub would be sent back. */
	if (href[strspn(href, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")] ||
	    strlen(href) > 100)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "target.xml includes an unusable name '%.100s'", href);
	return parse_annex(t, href);
}

static int parse_annex(struct target *t, const char *annex)
{
	char *doc = NULL;
	size_t len = 0;
	char err[200] = "";

	if (t->xml_depth >= XFER_MAX_DEPTH)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "target description includes nest deeper than %d",
				 XFER_MAX_DEPTH);
	if (++t->xml_docs > XFER_MAX_DOCS)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "target description spans more than %d documents "
				 "(xi:include of '%.100s')", XFER_MAX_DOCS, annex);
	int rc = xfer_read(t, annex, &doc, &len);
	if (rc < 0)
		return rc;
	t->xml_depth++;
	rc = target_xml_parse(doc, len, &t->map, include_cb, t, err, sizeof(err));
	t->xml_depth--;
	free(doc);
	if (rc < 0 && rc != TARGET_XML_ERR_INCLUDE && err[0])
		return target_set_error(t, rc, "%s: %s", annex, err);
	return rc;
}

/* qSupported: advertise our receive cap and learn the stub's. */
static int negotiate(struct target *t)
{
	const char *reply;
	size_t len;
	char req[160];

	snprintf(req, sizeof(req), "qSupported:PacketSize=%zx;qXfer:features:read+;xmlRegisters=i386",
		 t->rsp.dec.cap);
	int rc = request(t, req, &reply, &len);
	if (rc < 0)
		return rc;
	t->stub_packet_size = 400;  /* the protocol's minimum when the stub says nothing */
	for (const char *p = reply; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
		if (strncmp(p, "PacketSize=", 11) == 0) {
			unsigned long v = strtoul(p + 11, NULL, 16);
			if (v >= 64)
				t->stub_packet_size = v;
		} else if (strncmp(p, "qXfer:features:read+", 20) == 0) {
			t->xfer_features = true;
		}
	}
	if (!t->xfer_features)
		return target_set_error(t, TARGET_ERR_UNSUPPORTED,
				 "gdbstub cannot send its target description (no qXfer:features:read+): '%.80s'",
				 reply);
	rc = request(t, "vCont?", &reply, &len);
	if (rc < 0)
		return rc;
	t->vcont = strstr(reply, ";s") && strstr(reply, ";c");
	return 0;
}

static int handshake(struct target *t)
{
	const char *reply;
	size_t len;
	char err[200];
	int rc;

	t->bp_type = TARGET_BP_HARDWARE;
	t->idx_rip = t->idx_cs = t->idx_rax = t->idx_rcx = t->idx_rdx = -1;
	target_regmap_init(&t->map);
	if ((rc = negotiate(t)) < 0)
		return rc;
	/* The answer to '?' is a stop reply but no run: the stub owes it at once, so the
	 * connection's timeout applies (0 here would wait forever on a hung stub). */
	if ((rc = rsp_send(&t->rsp, "?", 1)) < 0 ||
	    (rc = rsp_wait_stop(&t->rsp, t->rsp.timeout_ms, &reply, &len)) < 0)
		return rsp_failed(t, rc);
	if (target_stop_parse(reply, len, &t->stop, err, sizeof(err)) < 0)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "answer to '?': %s", err);
	t->xml_docs = 0;
	if ((rc = parse_annex(t, "target.xml")) < 0)
		return rc;
	if ((rc = target_regmap_finish(&t->map, err, sizeof(err))) < 0)
		return target_set_error(t, rc, "%s", err);
	t->idx_rip = target_reg_index(t, "rip");
	if (t->idx_rip < 0)
		t->idx_rip = target_reg_index(t, "pc");
	t->idx_cs = target_reg_index(t, "cs");
	t->idx_rax = target_reg_index(t, "rax");
	t->idx_rcx = target_reg_index(t, "rcx");
	t->idx_rdx = target_reg_index(t, "rdx");
	if (t->idx_rip < 0)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "target description has no rip (architecture '%s')",
				 t->map.arch);
	return 0;
}

int target_open_fd(struct target *t, int fd)
{
	memset(t, 0, sizeof(*t));
	int rc = rsp_open_fd(&t->rsp, fd, RSP_DEFAULT_CAP);
	if (rc < 0)
		return rsp_failed(t, rc);
	return handshake(t);
}

int target_open(struct target *t, const char *where)
{
	return target_open_with(t, where, RSP_DEFAULT_TIMEOUT_MS, -1);
}

int target_open_with(struct target *t, const char *where, int timeout_ms, int interrupt_fd)
{
	memset(t, 0, sizeof(*t));
	int rc = rsp_open(&t->rsp, where, RSP_DEFAULT_CAP);
	if (rc < 0)
		return rsp_failed(t, rc);
	t->rsp.timeout_ms = timeout_ms;      /* the handshake already waits this long at most */
	target_set_interrupt_fd(t, interrupt_fd);   /* and the user can cut it short */
	return handshake(t);
}

void target_close(struct target *t)
{
	rsp_close(&t->rsp);
}

int target_read_regs(struct target *t, struct target_regs *out)
{
	const char *reply;
	size_t len;
	char err[200];
	int rc = request(t, "g", &reply, &len);

	if (rc < 0)
		return rc;
	if (target_regs_decode(&t->map, reply, len, out, err, sizeof(err)) < 0)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "%s", err);
	if (out->valid[t->idx_rip]) {
		t->rip = out->value[t->idx_rip];
		t->rip_known = true;
	}
	return 0;
}

int target_read_reg(struct target *t, int idx, uint64_t *value)
{
	const char *reply;
	size_t len;
	uint8_t buf[TARGET_MAX_BITS / 8];

	if (idx < 0 || idx >= t->map.count)
		return target_set_error(t, TARGET_ERR_ARG, "no register with index %d", idx);
	const struct target_reg *r = &t->map.regs[idx];
	char req[32];
	snprintf(req, sizeof(req), "p%x", r->regnum);
	int rc = request(t, req, &reply, &len);
	if (rc < 0)
		return rc;
	if (len != (size_t)r->bits / 4 || rsp_hex_decode(reply, len, buf, sizeof(buf)) < 0)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "answer to '%s' (%s, %d bits) is '%.40s'",
				 req, r->name, r->bits, reply);
	*value = target_le(buf, r->bits / 8 < 8 ? (size_t)r->bits / 8 : 8);
	if (idx == t->idx_rip) {
		t->rip = *value;
		t->rip_known = true;
	}
	return 0;
}

int target_write_reg(struct target *t, int idx, uint64_t value)
{
	uint8_t buf[TARGET_MAX_BITS / 8] = { 0 };
	char req[16 + 2 * sizeof(buf) + 1];

	if (idx < 0 || idx >= t->map.count)
		return target_set_error(t, TARGET_ERR_ARG, "no register with index %d", idx);
	const struct target_reg *r = &t->map.regs[idx];
	size_t n = (size_t)r->bits / 8;
	for (size_t i = 0; i < n && i < 8; i++)
		buf[i] = (uint8_t)(value >> (8 * i));
	int off = snprintf(req, sizeof(req), "P%x=", r->regnum);
	rsp_hex_encode(buf, n, req + off);
	int rc = request_ok(t, req);
	if (idx == t->idx_rip) {
		t->rip = value;
		t->rip_known = rc == 0;
	}
	return rc;
}

/* Largest memory chunk whose packet fits both our cap and the stub's. */
static size_t mem_chunk(const struct target *t)
{
	size_t ps = t->stub_packet_size < t->rsp.dec.cap ? t->stub_packet_size : t->rsp.dec.cap;

	return ps > 96 ? (ps - 48) / 2 : 16;
}

int target_read_mem(struct target *t, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t done = 0, chunk = mem_chunk(t);

	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		uint64_t a = addr + done;
		char req[64];
		const char *reply;
		size_t rlen;
		snprintf(req, sizeof(req), "m%llx,%zx", (unsigned long long)a, n);
		int rc = rsp_request(&t->rsp, req, &reply, &rlen);
		if (rc < 0)
			return rsp_failed(t, rc);
		if ((rlen == 3 && reply[0] == 'E') || rlen == 0)
			return target_set_error(t, TARGET_ERR_MEMORY,
					 "cannot read %zu bytes at 0x%llx (gdbstub answered '%s')",
					 n, (unsigned long long)a, rlen ? reply : "(empty)");
		long got = rlen <= 2 * n ? rsp_hex_decode(reply, rlen, out + done, n) : -1;
		if (got <= 0)
			return target_set_error(t, TARGET_ERR_PROTOCOL, "answer to '%s' is not %zu hex bytes: '%.40s'",
					 req, n, reply);
		done += (size_t)got;   /* a short answer: ask again for the rest */
	}
	return 0;
}

int target_write_mem(struct target *t, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	size_t done = 0, chunk = mem_chunk(t);
	char *req = malloc(64 + 2 * chunk);

	if (!req)
		return target_set_error(t, TARGET_ERR_ARG, "out of memory for a memory write");
	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		int off = sprintf(req, "M%llx,%zx:", (unsigned long long)(addr + done), n);
		rsp_hex_encode(in + done, n, req + off);
		int rc = request_ok(t, req);
		if (rc < 0) {
			free(req);
			if (rc == TARGET_ERR_STUB)
				return target_set_error(t, TARGET_ERR_MEMORY, "cannot write %zu bytes at 0x%llx",
						 n, (unsigned long long)(addr + done));
			return rc;
		}
		done += n;
	}
	free(req);
	return 0;
}

bool target_break_at(const struct target *t, uint64_t addr)
{
	for (int i = 0; i < t->nbps; i++)
		if (t->bps[i].addr == addr)
			return true;
	return false;
}

/* Z/z packet for one breakpoint; x86 "kind" is the instruction length, 1 will do. */
static int break_packet(struct target *t, char op, enum target_bp_type type, uint64_t addr)
{
	char req[48];

	snprintf(req, sizeof(req), "%c%d,%llx,1", op, (int)type, (unsigned long long)addr);
	return request_ok(t, req);
}

int target_break_insert(struct target *t, uint64_t addr)
{
	if (target_break_at(t, addr))
		return 0;
	if (t->nbps == TARGET_MAX_BPS)
		return target_set_error(t, TARGET_ERR_ARG, "more than %d breakpoints", TARGET_MAX_BPS);
	int rc = break_packet(t, 'Z', t->bp_type, addr);
	if (rc < 0)
		return rc;
	t->bps[t->nbps++] = (struct target_bp){ .addr = addr, .type = t->bp_type };
	return 0;
}

int target_break_remove(struct target *t, uint64_t addr)
{
	for (int i = 0; i < t->nbps; i++) {
		if (t->bps[i].addr != addr)
			continue;
		int rc = break_packet(t, 'z', t->bps[i].type, addr);
		if (rc < 0)
			return rc;
		t->bps[i] = t->bps[--t->nbps];
		return 0;
	}
	return 0;
}

/* Send a resume packet and wait for the stop it leads to. */
static int resume(struct target *t, const char *cmd, int timeout_ms, struct target_stop *stop)
{
	const char *reply;
	size_t len;
	char err[200];
	int rc;

	if (t->exited)
		return target_set_error(t, TARGET_ERR_EXITED, "the target has exited; nothing to run");
	t->rip_known = false;
	if ((rc = rsp_send(&t->rsp, cmd, strlen(cmd))) < 0)
		return rsp_failed(t, rc);
	rc = rsp_wait_stop(&t->rsp, timeout_ms, &reply, &len);
	if (rc == RSP_ERR_TIMEOUT) {
		/* Leave the machine stopped, as every other return does: interrupt it
		 * and collect the stop, then report the timeout. */
		if (rsp_interrupt(&t->rsp) == 0 &&
		    rsp_wait_stop(&t->rsp, t->rsp.timeout_ms, &reply, &len) == 0)
			target_stop_parse(reply, len, &t->stop, err, sizeof(err));
		return target_set_error(t, RSP_ERR_TIMEOUT, "'%s' did not stop within %d ms; interrupted it",
				 cmd, timeout_ms);
	}
	if (rc < 0)
		return rsp_failed(t, rc);
	if (target_stop_parse(reply, len, &t->stop, err, sizeof(err)) < 0)
		return target_set_error(t, TARGET_ERR_PROTOCOL, "after '%s': %s", cmd, err);
	if (stop)
		*stop = t->stop;
	if (t->stop.kind != TARGET_STOP_SIGNAL) {
		t->exited = true;
		return target_set_error(t, TARGET_ERR_EXITED, "the target exited (%s %d)",
				 t->stop.kind == TARGET_STOP_EXITED ? "status" : "signal",
				 t->stop.kind == TARGET_STOP_EXITED ? t->stop.exit_status : t->stop.signal);
	}
	return 0;
}

static int raw_step(struct target *t, struct target_stop *stop)
{
	return resume(t, t->vcont ? "vCont;s" : "s", t->rsp.timeout_ms, stop);
}

/* The QEMU 7.2 quirk: resuming at a breakpoint reports that breakpoint again
 * without executing anything. So a breakpoint at RIP is lifted for one step. */
static int step_over_breakpoint(struct target *t, struct target_stop *stop, bool *stepped)
{
	*stepped = false;
	if (t->nbps == 0)
		return 0;
	if (!t->rip_known) {
		uint64_t rip;
		int rc = target_read_reg(t, t->idx_rip, &rip);
		if (rc < 0)
			return rc;
	}
	if (!target_break_at(t, t->rip))
		return 0;
	uint64_t at = t->rip;
	enum target_bp_type saved = t->bp_type;
	for (int i = 0; i < t->nbps; i++)
		if (t->bps[i].addr == at)
			t->bp_type = t->bps[i].type;   /* put it back as it was */
	int rc = target_break_remove(t, at);
	if (rc < 0) {
		t->bp_type = saved;
		return rc;
	}
	int step_rc = raw_step(t, stop);
	rc = target_break_insert(t, at);
	t->bp_type = saved;
	*stepped = true;
	return step_rc < 0 ? step_rc : rc;
}

int target_step(struct target *t, struct target_stop *stop)
{
	bool stepped;
	int rc = step_over_breakpoint(t, stop, &stepped);

	if (rc < 0 || stepped)
		return rc;
	return raw_step(t, stop);
}

int target_continue(struct target *t, int timeout_ms, struct target_stop *stop)
{
	bool stepped;
	int rc = step_over_breakpoint(t, stop, &stepped);

	if (rc < 0)
		return rc;
	return resume(t, t->vcont ? "vCont;c" : "c", timeout_ms, stop);
}

int target_poll_idle(struct target *t)
{
	int rc = rsp_poll_idle(&t->rsp);

	return rc < 0 ? target_set_error(t, rc, "%s", rsp_error(&t->rsp)) : 0;
}
