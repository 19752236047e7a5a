/* test_disasm.c: capstone decoding in both syntaxes, symbolised branches, the code
 * cache, the window around RIP and the N-th mnemonic finder. Memory is a byte array
 * behind a fake reader that counts its calls, symbols a small table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include "disasm.h"
#include "symbols.h"

#define KERNEL_ELF SYSWALK_SRCDIR "/build/kernel/syswalk-kernel.elf"

#define BASE 0xffffffff81000000ull

/* The fake target: MEM mapped at BASE, everything else unreadable. */
struct fake_mem {
	uint8_t mem[4096];
	int reads;
	bool broken;             /* every read fails */
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;
	m->reads++;
	if (m->broken || addr < BASE || addr + len > BASE + sizeof m->mem)
		return -1;
	memcpy(buf, m->mem + (addr - BASE), len);
	return 0;
}

/* Two symbols: entry_SYSCALL_64 at BASE (0x40 bytes), do_syscall_64 at BASE+0x100. */
static int fake_symbolize(void *ctx, uint64_t addr, char *name, size_t len, uint64_t *off)
{
	(void)ctx;
	if (addr >= BASE && addr < BASE + 0x40) {
		snprintf(name, len, "entry_SYSCALL_64");
		*off = addr - BASE;
		return 0;
	}
	if (addr >= BASE + 0x100 && addr < BASE + 0x180) {
		snprintf(name, len, "do_syscall_64");
		*off = addr - (BASE + 0x100);
		return 0;
	}
	return -1;
}

/* A small entry path: each line one instruction (offsets in comments). */
static const uint8_t entry_code[] = {
	0x0f, 0x01, 0xf8,                               /* 0x00 swapgs */
	0x65, 0x48, 0x89, 0x24, 0x25, 0x14, 0, 0, 0,    /* 0x03 mov %rsp,%gs:0x14 */
	0x65, 0x48, 0x8b, 0x24, 0x25, 0x14, 0, 0, 0,    /* 0x0c mov %gs:0x14,%rsp */
	0x50,                                           /* 0x15 push %rax */
	0x0f, 0x32,                                     /* 0x16 rdmsr */
	0xe8, 0xe3, 0x00, 0x00, 0x00,                   /* 0x18 call BASE+0x100 */
	0x50,                                           /* 0x1d push %rax */
	0x48, 0x0f, 0x07,                               /* 0x1e sysretq */
	0x0f, 0x05,                                     /* 0x21 syscall */
};

static void setup_mem(struct fake_mem *m)
{
	memset(m, 0, sizeof *m);
	memset(m->mem, 0x90, sizeof m->mem);            /* nop everywhere else */
	memcpy(m->mem, entry_code, sizeof entry_code);
	m->mem[0x100] = 0xc3;                           /* do_syscall_64: ret */
}

static void test_known_instructions_both_syntaxes(void **state)
{
	(void)state;
	struct disasm d;
	assert_int_equal(disasm_open(&d, NULL, NULL, fake_symbolize, NULL), 0);
	struct disasm_insn in[16];
	int n = disasm_decode(&d, entry_code, sizeof entry_code, BASE, BASE + 0x16, in, 16);
	assert_int_equal(n, 9);
	assert_string_equal(in[0].att, "swapgs");
	assert_string_equal(in[0].intel, "swapgs");
	assert_int_equal(in[0].len, 3);
	assert_memory_equal(in[0].bytes, "\x0f\x01\xf8", 3);
	assert_string_equal(in[1].att, "movq %rsp, %gs:0x14");
	assert_string_equal(in[2].att, "movq %gs:0x14, %rsp");
	assert_string_equal(in[2].intel, "mov rsp, qword ptr gs:[0x14]");
	assert_int_equal(in[2].len, 9);
	assert_int_equal(in[2].addr, BASE + 0x0c);
	assert_string_equal(in[4].att, "rdmsr");
	assert_true(in[4].current);
	assert_false(in[3].current);
	assert_string_equal(in[5].att, "callq do_syscall_64");
	assert_string_equal(in[5].intel, "call do_syscall_64");
	assert_string_equal(in[7].att, "sysretq");
	assert_int_equal(in[7].len, 3);
	assert_string_equal(in[8].att, "syscall");
	assert_memory_equal(in[8].bytes, "\x0f\x05", 2);
	/* label only where a symbol starts */
	assert_string_equal(in[0].label, "entry_SYSCALL_64");
	assert_string_equal(in[1].label, "");
	disasm_close(&d);
}

static void test_branch_targets_symbolised_with_offset_or_left_numeric(void **state)
{
	(void)state;
	struct disasm d;
	assert_int_equal(disasm_open(&d, NULL, NULL, fake_symbolize, NULL), 0);
	struct disasm_insn in[4];
	/* jmp rel8 to BASE+0x04, and a call to an address no symbol covers */
	const uint8_t code[] = { 0xeb, 0x02, 0x90, 0x90, 0xe8, 0x00, 0x10, 0x00, 0x00 };
	assert_int_equal(disasm_decode(&d, code, sizeof code, BASE, 0, in, 4), 4);
	assert_string_equal(in[0].att, "jmp entry_SYSCALL_64+0x4");
	assert_string_equal(in[3].att, "callq 0xffffffff81001009");
	assert_string_equal(in[3].intel, "call 0xffffffff81001009");
	disasm_close(&d);

	/* Without a symboliser every target stays an address. */
	assert_int_equal(disasm_open(&d, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(disasm_decode(&d, code, sizeof code, BASE, 0, in, 4), 4);
	assert_string_equal(in[0].att, "jmp 0xffffffff81000004");
	assert_string_equal(in[0].label, "");
	disasm_close(&d);
}

static void test_rip_relative_operand_gets_symbol_comment(void **state)
{
	(void)state;
	struct disasm d;
	assert_int_equal(disasm_open(&d, NULL, NULL, fake_symbolize, NULL), 0);
	/* mov 0xf9(%rip),%rax at BASE: target BASE + 7 + 0xf9 = BASE + 0x100 */
	const uint8_t code[] = { 0x48, 0x8b, 0x05, 0xf9, 0x00, 0x00, 0x00 };
	struct disasm_insn in[1];
	assert_int_equal(disasm_decode(&d, code, sizeof code, BASE, 0, in, 1), 1);
	assert_string_equal(in[0].att, "movq 0xf9(%rip), %rax # do_syscall_64");
	assert_string_equal(in[0].intel, "mov rax, qword ptr [rip + 0xf9] ; do_syscall_64");
	disasm_close(&d);
}

static void test_bytes_that_are_no_instruction(void **state)
{
	(void)state;
	struct disasm d;
	assert_int_equal(disasm_open(&d, NULL, NULL, NULL, NULL), 0);
	struct disasm_insn in[4];
	const uint8_t bad[] = { 0x06 };                 /* push %es: invalid in 64-bit mode */
	assert_int_equal(disasm_decode(&d, bad, sizeof bad, BASE, 0, in, 4), 0);
	const uint8_t cut[] = { 0xe8, 0x00, 0x00 };     /* call rel32 cut short */
	assert_int_equal(disasm_decode(&d, cut, sizeof cut, BASE, 0, in, 4), 0);
	disasm_close(&d);
}

static void test_cache_one_miss_then_hits(void **state)
{
	(void)state;
	struct fake_mem m;
	setup_mem(&m);
	struct disasm d;
	assert_int_equal(disasm_open(&d, fake_read, &m, NULL, NULL), 0);
	uint8_t buf[16];
	uint64_t hits, misses;
	assert_int_equal(disasm_cache_read(&d, BASE + 0x10, buf, 16), 16);
	disasm_cache_stats(&d, &hits, &misses);
	assert_int_equal(misses, 1);
	assert_int_equal(hits, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(disasm_cache_read(&d, BASE + 0x10, buf, 16), 16);
	disasm_cache_stats(&d, &hits, &misses);
	assert_int_equal(misses, 1);
	assert_int_equal(hits, 3);
	assert_int_equal(m.reads, 1);
	assert_memory_equal(buf, entry_code + 0x10, 16);

	/* The target's code changes (MSR injection): stale until invalidated. */
	m.mem[0x12] = 0xcc;
	assert_int_equal(disasm_cache_read(&d, BASE + 0x12, buf, 1), 1);
	assert_int_equal(buf[0], entry_code[0x12]);
	disasm_cache_invalidate(&d, BASE + 0x12, 1);
	assert_int_equal(disasm_cache_read(&d, BASE + 0x12, buf, 1), 1);
	assert_int_equal(buf[0], 0xcc);
	assert_int_equal(m.reads, 2);

	/* A read across a chunk boundary touches two chunks. */
	disasm_cache_clear(&d);
	assert_int_equal(disasm_cache_read(&d, BASE + DISASM_CHUNK - 4, buf, 8), 8);
	assert_int_equal(m.reads, 4);
	disasm_close(&d);
}

static void test_cache_never_keeps_a_failed_read(void **state)
{
	(void)state;
	struct fake_mem m;
	setup_mem(&m);
	m.broken = true;
	struct disasm d;
	assert_int_equal(disasm_open(&d, fake_read, &m, NULL, NULL), 0);
	uint8_t buf[4];
	assert_true(disasm_cache_read(&d, BASE, buf, 4) < 0);
	assert_non_null(strstr(disasm_error(&d), "0xffffffff81000000"));
	m.broken = false;   /* e.g. the kernel page table is loaded again */
	assert_int_equal(disasm_cache_read(&d, BASE, buf, 4), 4);
	assert_memory_equal(buf, entry_code, 4);
	/* Readable memory followed by unreadable: the readable part is returned. */
	uint8_t big[DISASM_CHUNK * 2];
	uint64_t last = BASE + sizeof m.mem - DISASM_CHUNK;
	assert_int_equal(disasm_cache_read(&d, last, big, sizeof big), DISASM_CHUNK);
	disasm_close(&d);
}

static void test_window_around_rip(void **state)
{
	(void)state;
	struct fake_mem m;
	setup_mem(&m);
	struct disasm d;
	assert_int_equal(disasm_open(&d, fake_read, &m, fake_symbolize, NULL), 0);
	struct disasm_insn in[SNAP_MAX_INSNS];
	uint64_t rip = BASE + 0x16;                     /* rdmsr, the 5th instruction */

	int n = disasm_window(&d, rip, BASE, 2, 3, in, SNAP_MAX_INSNS);
	assert_int_equal(n, 6);
	assert_int_equal(in[0].addr, BASE + 0x0c);
	assert_int_equal(in[1].addr, BASE + 0x15);
	assert_true(in[2].current);
	assert_int_equal(in[2].addr, rip);
	assert_string_equal(in[5].att, "sysretq");

	/* More asked before than exist: from the function start. */
	n = disasm_window(&d, rip, BASE, 10, 1, in, SNAP_MAX_INSNS);
	assert_int_equal(n, 6);
	assert_int_equal(in[0].addr, BASE);
	assert_true(in[4].current);

	/* Unknown function start, or one that is not an instruction boundary: from RIP. */
	n = disasm_window(&d, rip, 0, 2, 1, in, SNAP_MAX_INSNS);
	assert_int_equal(n, 2);
	assert_true(in[0].current);
	n = disasm_window(&d, rip, rip + 4, 2, 1, in, SNAP_MAX_INSNS);
	assert_int_equal(n, 2);
	assert_true(in[0].current);
	/* Decoding from the start never lands on BASE+0x17 (inside rdmsr): from RIP. */
	n = disasm_window(&d, BASE + 0x17, BASE, 2, 0, in, SNAP_MAX_INSNS);
	assert_int_equal(n, 1);
	assert_true(in[0].current);
	assert_int_equal(in[0].addr, BASE + 0x17);

	/* MAX bounds the output. */
	n = disasm_window(&d, rip, BASE, 4, 10, in, 3);
	assert_int_equal(n, 3);

	/* RIP at an unreadable address: an error, not garbage. */
	assert_true(disasm_window(&d, 0x1000, 0, 2, 2, in, SNAP_MAX_INSNS) < 0);
	disasm_close(&d);
}

static void test_find_nth_mnemonic(void **state)
{
	(void)state;
	struct fake_mem m;
	setup_mem(&m);
	struct disasm d;
	assert_int_equal(disasm_open(&d, fake_read, &m, NULL, NULL), 0);
	uint64_t a = 0;
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "swapgs", 1, &a), 1);
	assert_int_equal(a, BASE);
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "push", 2, &a), 2);
	assert_int_equal(a, BASE + 0x1d);
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "pushq", 1, &a), 1);
	assert_int_equal(a, BASE + 0x15);
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "call", 1, &a), 1);
	assert_int_equal(a, BASE + 0x18);
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "SYSRETQ", 1, &a), 1);
	assert_int_equal(a, BASE + 0x1e);
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "sysret", 1, &a), 1);
	assert_int_equal(a, BASE + 0x1e);
	/* "pus" is not "push" minus a suffix */
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "pus", 1, &a), 0);
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "push", 3, &a), 2);
	assert_non_null(strstr(disasm_error(&d), "only 2 \"push\" instructions"));
	assert_int_equal(disasm_find_mnemonic(&d, BASE, sizeof entry_code, "push", 0, &a), -EINVAL);

	/* The search used the cache: one chunk read, later searches hit it. */
	uint64_t hits, misses;
	disasm_cache_stats(&d, &hits, &misses);
	assert_int_equal(misses, 1);
	assert_int_equal(m.reads, 1);
	assert_int_equal(hits, 7);

	/* Bytes that are not code in the middle of the function: a clear error. */
	m.mem[0x300] = 0x06;
	assert_int_equal(disasm_find_mnemonic(&d, BASE + 0x2f0, 0x40, "ret", 1, &a), -EILSEQ);
	assert_non_null(strstr(disasm_error(&d), "0xffffffff81000300"));
	disasm_close(&d);
}

static void test_close_twice_and_zeroed(void **state)
{
	(void)state;
	struct disasm d;
	memset(&d, 0, sizeof d);
	disasm_close(&d);
	struct disasm_insn in[1];
	assert_int_equal(disasm_decode(&d, (const uint8_t *)"\x90", 1, 0, 0, in, 1), -EBADF);
	assert_int_equal(disasm_open(&d, NULL, NULL, NULL, NULL), 0);
	disasm_close(&d);
	disasm_close(&d);
}

/* Kernel memory read from the ELF file through its program headers, as the target
 * would read it from the guest (the teaching kernel does not patch its text). */
struct elf_mem {
	int fd;
	Elf *elf;
};

static int elf_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct elf_mem *m = ctx;
	size_t n;
	if (elf_getphdrnum(m->elf, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(m->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr + len <= ph.p_vaddr + ph.p_filesz)
			return pread(m->fd, buf, len, (off_t)(ph.p_offset + addr - ph.p_vaddr)) == (ssize_t)len ? 0 : -1;
	}
	return -1;
}

static void test_teaching_kernel_entry(void **state)
{
	(void)state;
	struct symbols s;
	symbols_init(&s);
	assert_true(symbols_load_elf(&s, KERNEL_ELF) > 0);
	struct elf_mem m = { open(KERNEL_ELF, O_RDONLY), NULL };
	assert_true(m.fd >= 0);
	elf_version(EV_CURRENT);
	m.elf = elf_begin(m.fd, ELF_C_READ, NULL);
	assert_non_null(m.elf);
	struct disasm d;
	assert_int_equal(disasm_open(&d, elf_read, &m, symbols_symbolize, &s), 0);

	const struct sym *entry = symbols_by_name(&s, "entry_SYSCALL_64");
	assert_non_null(entry);
	uint64_t start, size, a;
	assert_non_null(symbols_function(&s, entry->addr, &start, &size));
	/* the first instruction of the entry is swapgs; the path ends in sysretq */
	assert_int_equal(disasm_find_mnemonic(&d, start, size, "swapgs", 1, &a), 1);
	assert_int_equal(a, entry->addr);
	if (disasm_find_mnemonic(&d, start, size, "sysretq", 1, &a) != 1)
		fail_msg("%s", disasm_error(&d));
	/* the call into C is shown by name */
	assert_int_equal(disasm_find_mnemonic(&d, start, size, "call", 1, &a), 1);
	struct disasm_insn in[SNAP_MAX_INSNS];
	int n = disasm_window(&d, a, start, 3, 2, in, SNAP_MAX_INSNS);
	assert_int_equal(n, 6);
	assert_true(in[3].current);
	for (int i = 0; i < n; i++)
		printf("# %016llx %-24s | %-28s | %s\n", (unsigned long long)in[i].addr, in[i].label,
		       in[i].att, in[i].intel);
	assert_string_equal(in[3].att, "callq do_syscall_64");
	disasm_close(&d);
	elf_end(m.elf);
	close(m.fd);
	symbols_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_instructions_both_syntaxes),
		cmocka_unit_test(test_branch_targets_symbolised_with_offset_or_left_numeric),
		cmocka_unit_test(test_rip_relative_operand_gets_symbol_comment),
		cmocka_unit_test(test_bytes_that_are_no_instruction),
		cmocka_unit_test(test_cache_one_miss_then_hits),
		cmocka_unit_test(test_cache_never_keeps_a_failed_read),
		cmocka_unit_test(test_window_around_rip),
		cmocka_unit_test(test_find_nth_mnemonic),
		cmocka_unit_test(test_close_twice_and_zeroed),
		cmocka_unit_test(test_teaching_kernel_entry),
	};
	size_t n = sizeof tests / sizeof tests[0];
	/* cmocka 1.1.5 prints a skipped test as "not ok", so an absent kernel's test is
	 * left out and said so. */
	if (access(KERNEL_ELF, R_OK) != 0) {
		printf("# SKIP test_teaching_kernel_entry: %s is not built yet\n", KERNEL_ELF);
		n--;
	}
	return _cmocka_run_group_tests("disasm", tests, n, NULL, NULL);
}
