/* test_target: run control against a fake gdbstub that plays a tiny machine.
 *
 * The fake serves QEMU 7.2's real target description (fixtures), keeps the 608-byte
 * register file and 64 KiB of memory (virtual == physical below 64 KiB, physical
 * only through Qqemu.PhyMemMode:1), and imitates the behaviours syswalk must cope
 * with: a breakpoint at the resume address is reported again without moving, and
 * "0f 32" executes as rdmsr from a small MSR table. Every instruction is one byte
 * otherwise. Each packet it receives is logged for the tests to inspect.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "target.h"

#define MEMSZ 0x10000

struct fake {
	int fd;
	pthread_t thread;
	struct target_regmap map;
	uint8_t regs[608];
	uint8_t mem[MEMSZ];
	uint64_t bps[8];
	int nbps;
	bool phys;
	bool ignore_code_restore;   /* drop 'M' writes after the first (a broken stub) */
	int mwrites;
	const char *xml_prefix;     /* target descriptions from fixtures/PREFIXannex */
	char log[16384];            /* received packets, one per line */
};

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/%s", SYSWALK_SRCDIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static const struct target_reg *reg(struct fake *f, const char *name)
{
	return &f->map.regs[target_regmap_find(&f->map, name)];
}

static uint64_t get(struct fake *f, const char *name)
{
	const struct target_reg *r = reg(f, name);
	return target_le(f->regs + r->offset, r->bits / 8 < 8 ? (size_t)r->bits / 8 : 8);
}

static void set(struct fake *f, const char *name, uint64_t v)
{
	const struct target_reg *r = reg(f, name);
	for (int i = 0; i < r->bits / 8 && i < 8; i++)
		f->regs[r->offset + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static bool bp_at(struct fake *f, uint64_t a)
{
	for (int i = 0; i < f->nbps; i++)
		if (f->bps[i] == a)
			return true;
	return false;
}

static uint64_t msr_value(uint32_t id)
{
	switch (id) {
	case 0xc0000082: return 0xffffffff81001000ULL;   /* LSTAR */
	case 0xc0000081: return 0x0023001000000000ULL;   /* STAR */
	case 0xc0000080: return 0x501;                   /* EFER */
	default: return 0x1000 + id;
	}
}

/* One instruction, QEMU-style: a breakpoint at RIP stops before anything runs. */
static void step_one(struct fake *f, bool *hit)
{
	uint64_t rip = get(f, "rip");

	*hit = bp_at(f, rip);
	if (*hit)
		return;
	if (rip + 1 < MEMSZ && f->mem[rip] == 0x0f && f->mem[rip + 1] == 0x32) {
		uint64_t v = msr_value((uint32_t)get(f, "rcx"));
		set(f, "rax", v & 0xffffffff);
		set(f, "rdx", v >> 32);
		set(f, "rip", rip + 2);
	} else {
		set(f, "rip", rip + 1);
	}
}

static void answer(struct fake *f, const char *payload, size_t len)
{
	static char out[20000];
	long n = rsp_encode(payload, len, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(write(f->fd, out, (size_t)n), n);
}

static void reply(struct fake *f, const char *s)
{
	answer(f, s, strlen(s));
}

static void handle(struct fake *f, const char *p, size_t len)
{
	static char out[8192];
	unsigned long long a, n;
	unsigned num;

	strncat(f->log, p, sizeof(f->log) - strlen(f->log) - 2);
	strcat(f->log, "\n");
	if (strncmp(p, "qSupported", 10) == 0) {
		reply(f, "PacketSize=1000;qXfer:features:read+;vContSupported+");
	} else if (strcmp(p, "vCont?") == 0) {
		reply(f, "vCont;c;C;s;S");
	} else if (strcmp(p, "?") == 0) {
		reply(f, "T05thread:01;");
	} else if (strncmp(p, "qXfer:features:read:", 20) == 0) {
		char annex[64];
		size_t dl;
		char name[96];
		sscanf(p + 20, "%63[^:]:%llx,%llx", annex, &a, &n);
		snprintf(name, sizeof(name), "%s%s", f->xml_prefix ? f->xml_prefix : "", annex);
		char *doc = slurp(name, &dl);
		size_t take = a >= dl ? 0 : (dl - a < n ? dl - a : n);
		out[0] = a + take >= dl ? 'l' : 'm';
		memcpy(out + 1, doc + a, take);
		answer(f, out, take + 1);
		free(doc);
	} else if (strcmp(p, "g") == 0) {
		rsp_hex_encode(f->regs, sizeof(f->regs), out);
		reply(f, out);
	} else if (sscanf(p, "p%x", &num) == 1 && p[0] == 'p') {
		const struct target_reg *r = &f->map.regs[target_regmap_by_regnum(&f->map, (int)num)];
		rsp_hex_encode(f->regs + r->offset, (size_t)r->bits / 8, out);
		reply(f, out);
	} else if (p[0] == 'P' && sscanf(p, "P%x=", &num) == 1) {
		const struct target_reg *r = &f->map.regs[target_regmap_by_regnum(&f->map, (int)num)];
		const char *hex = strchr(p, '=') + 1;
		rsp_hex_decode(hex, strlen(hex), f->regs + r->offset, (size_t)r->bits / 8);
		reply(f, "OK");
	} else if (p[0] == 'm' && sscanf(p, "m%llx,%llx", &a, &n) == 2) {
		if (n > 2048)
			reply(f, "E22");   /* QEMU's limit: MAX_PACKET_LENGTH / 2 */
		else if (a >= MEMSZ || a + n > MEMSZ)
			reply(f, "E14");
		else {
			rsp_hex_encode(f->mem + a, n, out);
			reply(f, out);
		}
	} else if (p[0] == 'M' && sscanf(p, "M%llx,%llx:", &a, &n) == 2) {
		const char *hex = strchr(p, ':') + 1;
		if (a + n > MEMSZ)
			reply(f, "E14");
		else {
			if (!(f->ignore_code_restore && f->mwrites > 0))
				rsp_hex_decode(hex, 2 * n, f->mem + a, n);
			f->mwrites++;
			reply(f, "OK");
		}
	} else if ((p[0] == 'Z' || p[0] == 'z') && sscanf(p + 1, "%u,%llx", &num, &a) == 2) {
		if (p[0] == 'Z')
			f->bps[f->nbps++] = a;
		else
			for (int i = 0; i < f->nbps; i++)
				if (f->bps[i] == a)
					f->bps[i] = f->bps[--f->nbps];
		reply(f, "OK");
	} else if (strcmp(p, "vCont;s") == 0 || strcmp(p, "s") == 0) {
		bool hit;
		step_one(f, &hit);
		reply(f, "T05thread:01;");
	} else if (strcmp(p, "vCont;c") == 0 || strcmp(p, "c") == 0) {
		bool hit = false;
		for (int i = 0; i < 1000 && !hit; i++)
			step_one(f, &hit);
		reply(f, hit ? "T05thread:01;" : "W00");
	} else if (strncmp(p, "Qqemu.PhyMemMode:", 17) == 0) {
		f->phys = p[17] == '1';
		reply(f, "OK");
	} else {
		reply(f, "");
	}
	(void)len;
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	struct rsp_decoder d;
	uint8_t buf[4096];
	ssize_t n;

	rsp_decoder_init(&d, 8192);
	while ((n = read(f->fd, buf, sizeof(buf))) > 0) {
		size_t pos = 0, used;
		while (pos < (size_t)n) {
			int rc = rsp_decode(&d, buf + pos, (size_t)n - pos, &used);
			pos += used;
			if (rc == RSP_COMPLETE && d.kind == RSP_KIND_PACKET) {
				assert_int_equal(write(f->fd, "+", 1), 1);
				handle(f, d.payload, d.len);
			}
		}
	}
	rsp_decoder_free(&d);
	close(f->fd);
	return NULL;
}

/* A machine stopped in kernel mode at RIP 0x100, connected to T; its target
 * description from fixtures/XML_PREFIX*.xml. *RC: target_open_fd's result. */
static struct fake *start_xml(struct target *t, const char *xml_prefix, int *rc)
{
	struct fake *f = calloc(1, sizeof(*f));
	int sv[2];
	size_t len;
	char err[200];

	char *xml = slurp("i386-64bit.xml", &len);
	target_regmap_init(&f->map);
	assert_int_equal(target_xml_parse(xml, len, &f->map, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(target_regmap_finish(&f->map, err, sizeof(err)), 0);
	free(xml);
	set(f, "rip", 0x100);
	set(f, "cs", 0x10);
	set(f, "rax", 0x1111);
	set(f, "rcx", 0x2222);
	set(f, "rdx", 0x3333);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	f->fd = sv[1];
	f->xml_prefix = xml_prefix;
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	*rc = target_open_fd(t, sv[0]);
	return f;
}

/* The same with QEMU 7.2's own target description; the handshake must succeed. */
static struct fake *start(struct target *t)
{
	int rc;
	struct fake *f = start_xml(t, "", &rc);
	if (rc < 0)
		fail_msg("handshake: %s", target_error(t));
	return f;
}

static void stop(struct target *t, struct fake *f)
{
	target_close(t);
	pthread_join(f->thread, NULL);
	free(f);
}

static int count(const char *log, const char *prefix)
{
	int n = 0;
	for (const char *l = log; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += strncmp(l, prefix, strlen(prefix)) == 0;
	return n;
}

static void test_handshake_and_registers(void **state)
{
	(void)state;
	struct target t;
	struct fake *f = start(&t);
	struct target_regs r;
	uint64_t v;

	assert_int_equal(t.map.count, 66);
	assert_int_equal(t.stub_packet_size, 0x1000);
	assert_true(t.vcont);
	assert_int_equal(t.stop.signal, 5);
	assert_non_null(strstr(f->log, "qXfer:features:read:i386-64bit.xml:0,"));
	assert_int_equal(target_read_regs(&t, &r), 0);
	assert_int_equal(r.value[t.idx_rip], 0x100);
	assert_int_equal(r.value[t.idx_rcx], 0x2222);
	assert_int_equal(target_write_reg(&t, target_reg_index(&t, "r9"), 0x99), 0);
	assert_int_equal(target_read_reg(&t, target_reg_index(&t, "r9"), &v), 0);
	assert_int_equal(v, 0x99);
	assert_int_equal(get(f, "r9"), 0x99);
	stop(&t, f);
}

/* Includes four to a document, three deep: 85 documents, each nested within the depth
 * bound. The handshake stops at the 33rd instead of fetching them all. */
static void test_include_fanout_is_bounded(void **state)
{
	(void)state;
	struct target t;
	int rc;
	struct fake *f = start_xml(&t, "fanout-", &rc);

	assert_true(rc < 0);
	assert_non_null(strstr(target_error(&t), "spans more than 32 documents"));
	assert_int_equal(count(f->log, "qXfer:features:read:"), 32);
	stop(&t, f);
}

static void test_memory(void **state)
{
	(void)state;
	struct target t;
	struct fake *f = start(&t);
	uint8_t buf[3000];

	for (int i = 0; i < 3000; i++)
		f->mem[0x4000 + i] = (uint8_t)(i * 13);
	/* 3000 bytes do not fit one packet: several 'm', same bytes. */
	assert_int_equal(target_read_mem(&t, 0x4000, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, f->mem + 0x4000, sizeof(buf));
	assert_true(count(f->log, "m4") >= 2);
	assert_int_equal(target_write_mem(&t, 0x20, "\x01\x02", 2), 0);
	assert_int_equal(f->mem[0x21], 2);
	assert_int_equal(target_read_mem(&t, 0xdead0000, buf, 4), TARGET_ERR_MEMORY);
	assert_non_null(strstr(target_error(&t), "0xdead0000"));
	assert_non_null(strstr(target_error(&t), "E14"));
	stop(&t, f);
}

/* QEMU 7.2 reports a breakpoint at the resume address again forever; the target
 * layer must lift it for one step. The fake behaves the same way. */
static void test_continue_from_breakpoint(void **state)
{
	(void)state;
	struct target t;
	struct fake *f = start(&t);
	struct target_stop st;
	uint64_t rip;

	assert_int_equal(target_break_insert(&t, 0x100), 0);
	assert_int_equal(target_break_insert(&t, 0x105), 0);
	assert_non_null(strstr(f->log, "Z1,100,1"));        /* hardware by default */
	assert_int_equal(target_continue(&t, 1000, &st), 0);
	assert_int_equal(target_read_reg(&t, t.idx_rip, &rip), 0);
	assert_int_equal(rip, 0x105);
	assert_non_null(strstr(f->log, "z1,100,1\nvCont;s\nZ1,100,1\nvCont;c\n"));
	assert_int_equal(f->nbps, 2);                        /* put back */

	assert_int_equal(target_step(&t, &st), 0);           /* a step from 0x105 */
	assert_int_equal(target_read_reg(&t, t.idx_rip, &rip), 0);
	assert_int_equal(rip, 0x106);
	assert_int_equal(f->nbps, 2);
	stop(&t, f);
}

static void test_exit_is_reported(void **state)
{
	(void)state;
	struct target t;
	struct fake *f = start(&t);
	struct target_stop st;

	assert_int_equal(target_continue(&t, 1000, &st), TARGET_ERR_EXITED);
	assert_int_equal(st.kind, TARGET_STOP_EXITED);
	assert_true(t.exited);
	assert_int_equal(target_step(&t, &st), TARGET_ERR_EXITED);
	stop(&t, f);
}

static const uint32_t msrs[7] = { 0xc0000082, 0xc0000081, 0xc0000084, 0xc0000080,
				  0xc0000101, 0xc0000102, 0xc0000083 };

static void test_msr_injection(void **state)
{
	(void)state;
	struct target t;
	struct fake *f = start(&t);
	uint64_t v[7];
	uint8_t regs_before[608];

	f->mem[0x100] = 0x90;
	f->mem[0x101] = 0xc3;
	assert_int_equal(target_break_insert(&t, 0x100), 0);
	memcpy(regs_before, f->regs, sizeof(regs_before));
	uint64_t trips = t.rsp.stats.requests;
	f->log[0] = '\0';
	if (target_read_msrs(&t, msrs, v, 7) < 0)
		fail_msg("%s", target_error(&t));
	assert_int_equal(v[0], 0xffffffff81001000ULL);
	assert_int_equal(v[1], 0x0023001000000000ULL);
	assert_int_equal(v[3], 0x501);
	assert_int_equal(v[6], 0x1000 + 0xc0000083ULL);
	/* Everything back: registers, code bytes, the breakpoint. */
	assert_memory_equal(f->regs, regs_before, sizeof(regs_before));
	assert_int_equal(f->mem[0x100], 0x90);
	assert_int_equal(f->mem[0x101], 0xc3);
	assert_true(bp_at(f, 0x100));
	/* One save/restore around the batch: rdmsr written once, restored once. */
	assert_int_equal(count(f->log, "M100,2:0f32"), 1);
	assert_int_equal(count(f->log, "M100,2:90c3"), 1);
	assert_int_equal(count(f->log, "vCont;s"), 7);
	assert_true(t.rsp.stats.requests - trips <= 40);
	stop(&t, f);
}

static void test_msr_refused_at_cpl3(void **state)
{
	(void)state;
	struct target t;
	struct fake *f = start(&t);
	uint64_t v[7];

	set(f, "cs", 0x33);
	assert_int_equal(target_read_msrs(&t, msrs, v, 7), TARGET_ERR_CPL3);
	assert_non_null(strstr(target_error(&t), "CPL 3"));
	assert_int_equal(count(f->log, "M"), 0);
	stop(&t, f);
}

static void test_msr_restore_is_verified(void **state)
{
	(void)state;
	struct target t;
	struct fake *f = start(&t);
	uint64_t v[7];

	f->ignore_code_restore = true;     /* the stub "loses" the write that restores code */
	f->mem[0x100] = 0x90;
	assert_int_equal(target_read_msrs(&t, msrs, v, 7), TARGET_ERR_RESTORE);
	assert_non_null(strstr(target_error(&t), "RESTORE FAILED"));
	assert_non_null(strstr(target_error(&t), "code at 0x100"));
	stop(&t, f);
}

static void put64(struct fake *f, uint64_t at, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		f->mem[at + (uint64_t)i] = (uint8_t)(v >> (8 * i));
}

static void test_page_walk(void **state)
{
	(void)state;
	struct target t;
	struct fake *f = start(&t);
	uint8_t buf[16];
	const uint64_t va = 0xffffffff81000000ULL;

	/* cr3 0x1000 -> PML4[511] -> PDPT[510] -> PD[8] -> PT[0] -> page 0x5000;
	 * PD[9] is a 2 MiB page at physical 0. */
	put64(f, 0x1000 + 8 * 511, 0x2000 | 3);
	put64(f, 0x2000 + 8 * 510, 0x3000 | 3);
	put64(f, 0x3000 + 8 * 8, 0x4000 | 3);
	put64(f, 0x3000 + 8 * 9, 0x0 | 0x83);
	put64(f, 0x4000 + 8 * 0, 0x5000 | 3);
	memcpy(f->mem + 0x5000, "kernel text here", 16);
	memcpy(f->mem + 0x5ff8, "lastword", 8);

	assert_int_equal(target_read_mem(&t, va, buf, 8), TARGET_ERR_MEMORY);   /* not mapped */
	assert_int_equal(target_read_virt_phys(&t, 0x1000, va, buf, 16), 0);
	assert_memory_equal(buf, "kernel text here", 16);
	assert_int_equal(target_read_virt_phys(&t, 0x1000, va + 0x200000 + 0x5000, buf, 6), 0);
	assert_memory_equal(buf, "kernel", 6);
	assert_false(f->phys);
	/* Crossing into the next 4 KiB page, whose PT entry is empty. */
	assert_int_equal(target_read_virt_phys(&t, 0x1000, va + 0xff8, buf, 16), TARGET_ERR_NOT_PRESENT);
	assert_non_null(strstr(target_error(&t), "PT entry 1 is not present"));
	assert_int_equal(target_read_virt_phys(&t, 0x1000, 0x400000, buf, 1), TARGET_ERR_NOT_PRESENT);
	assert_non_null(strstr(target_error(&t), "PML4 entry 0"));
	assert_false(f->phys);                                  /* switched back after errors too */
	assert_int_equal(target_read_virt_phys(&t, 0x1000, 0x0000800000000000ULL, buf, 1), TARGET_ERR_ARG);
	assert_non_null(strstr(target_error(&t), "canonical"));
	stop(&t, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_and_registers),
		cmocka_unit_test(test_include_fanout_is_bounded),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_continue_from_breakpoint),
		cmocka_unit_test(test_exit_is_reported),
		cmocka_unit_test(test_msr_injection),
		cmocka_unit_test(test_msr_refused_at_cpl3),
		cmocka_unit_test(test_msr_restore_is_verified),
		cmocka_unit_test(test_page_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
