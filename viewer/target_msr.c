/* target_msr.c: what the gdbstub does not show directly: MSRs and memory that the
 * loaded page table does not map.
 *
 * MSRs. QEMU's gdbstub exposes no LSTAR, STAR or FMASK, so syswalk makes the CPU
 * read them itself: while stopped in kernel mode it writes rdmsr (0f 32) over the
 * two bytes at RIP, loads ECX, steps once, and takes EDX:EAX. Everything that can
 * change is saved first and put back after, then checked: a debugger that leaves
 * the kernel subtly different from how it found it would teach the wrong thing.
 *
 * Page tables. Under page-table isolation the user CR3 maps almost none of the
 * kernel, so reading kernel memory at a user-mode stop fails. With the kernel's
 * CR3 (for the teaching kernel: the user one with bit 12 clear) syswalk walks the
 * 4-level tables itself through physical reads (QEMU's Qqemu.PhyMemMode).
 */
#include "target.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PTE_PRESENT   0x1ULL
#define PTE_LARGE     0x80ULL                  /* PS: 1 GiB (PDPT) or 2 MiB (PD) page */
#define PTE_ADDR_MASK 0x000ffffffffff000ULL    /* bits 51:12 */


/* Put back every register whose bytes differ from SAVED (found by one 'g'). Only
 * registers rdmsr or a fault could have touched differ, so this costs a few 'P'. */
static int restore_regs(struct target *t, const struct target_regs *saved, struct target_regs *now)
{
	int rc = target_read_regs(t, now);

	if (rc < 0)
		return rc;
	for (int i = 0; i < t->map.count; i++) {
		const struct target_reg *r = &t->map.regs[i];
		if (!saved->valid[i] || r->bits > 64)
			continue;
		if (memcmp(saved->raw + r->offset, now->raw + r->offset, (size_t)r->bits / 8) == 0)
			continue;
		if ((rc = target_write_reg(t, i, saved->value[i])) < 0)
			return rc;
	}
	return 0;
}

/* Compare the state after the restore with the state before: every register of
 * the 'g' packet and the code bytes at RIP. */
static int verify(struct target *t, const struct target_regs *saved, uint64_t rip,
		  const uint8_t code[2])
{
	struct target_regs now;
	uint8_t bytes[2];
	int rc;

	if ((rc = target_read_regs(t, &now)) < 0)
		return rc;
	if (now.raw_len != saved->raw_len || memcmp(now.raw, saved->raw, saved->raw_len) != 0) {
		for (int i = 0; i < t->map.count; i++) {
			const struct target_reg *r = &t->map.regs[i];
			if (memcmp(saved->raw + r->offset, now.raw + r->offset, (size_t)r->bits / 8) != 0)
				return target_set_error(t, TARGET_ERR_RESTORE,
						 "MSR injection did not restore register %s (was 0x%llx, now 0x%llx)",
						 r->name, (unsigned long long)saved->value[i],
						 (unsigned long long)now.value[i]);
		}
		return target_set_error(t, TARGET_ERR_RESTORE, "MSR injection changed the register packet");
	}
	if ((rc = target_read_mem(t, rip, bytes, 2)) < 0)
		return rc;
	if (memcmp(bytes, code, 2) != 0)
		return target_set_error(t, TARGET_ERR_RESTORE,
				 "MSR injection did not restore the code at 0x%llx (%02x %02x, was %02x %02x)",
				 (unsigned long long)rip, bytes[0], bytes[1], code[0], code[1]);
	return 0;
}

/* Step the injected rdmsr once per MSR; stops at the first failure. */
static int inject(struct target *t, uint64_t rip, const uint32_t *msrs, uint64_t *values, int n)
{
	struct target_regs regs;
	int rc;

	for (int i = 0; i < n; i++) {
		if ((rc = target_write_reg(t, t->idx_rcx, msrs[i])) < 0)
			return rc;
		if (i > 0 && (rc = target_write_reg(t, t->idx_rip, rip)) < 0)
			return rc;
		if ((rc = target_step(t, NULL)) < 0)
			return rc;
		if ((rc = target_read_regs(t, &regs)) < 0)
			return rc;
		/* rdmsr of an MSR the CPU lacks raises #GP instead of advancing. */
		if (regs.value[t->idx_rip] != rip + 2)
			return target_set_error(t, TARGET_ERR_PROTOCOL,
					 "rdmsr 0x%x did not complete (the step went to 0x%llx, not 0x%llx)",
					 msrs[i], (unsigned long long)regs.value[t->idx_rip],
					 (unsigned long long)rip + 2);
		values[i] = (regs.value[t->idx_rdx] & 0xffffffffULL) << 32 |
			    (regs.value[t->idx_rax] & 0xffffffffULL);
	}
	return 0;
}

int target_read_msrs(struct target *t, const uint32_t *msrs, uint64_t *values, int n)
{
	static const uint8_t rdmsr[2] = { 0x0f, 0x32 };
	struct target_regs saved, now;
	uint8_t code[2];
	int rc;

	if (t->idx_rcx < 0 || t->idx_rax < 0 || t->idx_rdx < 0 || t->idx_cs < 0)
		return target_set_error(t, TARGET_ERR_UNSUPPORTED, "register map lacks rax/rcx/rdx/cs: cannot inject rdmsr");
	if ((rc = target_read_regs(t, &saved)) < 0)
		return rc;
	if (!saved.valid[t->idx_rip] || !saved.valid[t->idx_cs])
		return target_set_error(t, TARGET_ERR_PROTOCOL, "gdbstub did not report rip and cs");
	uint64_t rip = saved.value[t->idx_rip];
	int cpl = (int)(saved.value[t->idx_cs] & 3);
	if (cpl != 0)
		return target_set_error(t, TARGET_ERR_CPL3,
				 "MSRs can only be read at CPL 0; stopped at CPL %d (rip 0x%llx)",
				 cpl, (unsigned long long)rip);
	if ((rc = target_read_mem(t, rip, code, 2)) < 0)
		return rc;
	/* A breakpoint at RIP would fire instead of the injected instruction. */
	bool had_bp = target_break_at(t, rip);
	enum target_bp_type bp_type = t->bp_type;
	for (int i = 0; i < t->nbps; i++)
		if (t->bps[i].addr == rip)
			bp_type = t->bps[i].type;
	if (had_bp && (rc = target_break_remove(t, rip)) < 0)
		return rc;

	int inj = target_write_mem(t, rip, rdmsr, 2);
	char inj_err[sizeof(t->error)] = "";
	if (inj == 0)
		inj = inject(t, rip, msrs, values, n);
	if (inj < 0)
		snprintf(inj_err, sizeof(inj_err), "%s", t->error);

	/* Restore whatever happened above, and report the first failure. */
	rc = target_write_mem(t, rip, code, 2);
	if (rc == 0)
		rc = restore_regs(t, &saved, &now);
	if (had_bp) {
		enum target_bp_type cur = t->bp_type;
		t->bp_type = bp_type;
		int brc = target_break_insert(t, rip);
		t->bp_type = cur;
		if (rc == 0)
			rc = brc;
	}
	if (rc == 0)
		rc = verify(t, &saved, rip, code);
	if (rc < 0) {
		char why[sizeof(t->error)];
		snprintf(why, sizeof(why), "%s", t->error);
		return target_set_error(t, TARGET_ERR_RESTORE, "RESTORE FAILED after MSR injection at 0x%llx: %s%s%s",
				 (unsigned long long)rip, why, inj_err[0] ? "; injection: " : "", inj_err);
	}
	if (inj < 0)
		return target_set_error(t, inj, "%s", inj_err);
	return 0;
}

/* Switch QEMU's memory packets between virtual (0) and physical (1) addresses. */
static int phys_mode(struct target *t, int on)
{
	const char *reply;
	size_t len;
	char req[32];

	snprintf(req, sizeof(req), "Qqemu.PhyMemMode:%d", on);
	int rc = rsp_request(&t->rsp, req, &reply, &len);
	if (rc < 0)
		return target_set_error(t, rc, "%s", rsp_error(&t->rsp));
	if (strcmp(reply, "OK") != 0)
		return target_set_error(t, TARGET_ERR_UNSUPPORTED,
				 "gdbstub cannot read physical memory ('%s' answered '%.20s')", req, reply);
	return 0;
}

int target_read_phys(struct target *t, uint64_t paddr, void *buf, size_t len)
{
	int rc = phys_mode(t, 1);

	if (rc < 0)
		return rc;
	rc = target_read_mem(t, paddr, buf, len);
	int back = phys_mode(t, 0);
	return rc < 0 ? rc : back;
}

/* Physical address of VADDR under CR3; phys mode must be on. */
static int translate(struct target *t, uint64_t cr3, uint64_t vaddr, uint64_t *paddr, uint64_t *page_end)
{
	static const char *const level_name[4] = { "PML4", "PDPT", "PD", "PT" };
	uint64_t table = cr3 & PTE_ADDR_MASK;

	for (int level = 0; level < 4; level++) {
		int shift = 39 - 9 * level;
		unsigned idx = (unsigned)((vaddr >> shift) & 511);
		uint8_t raw[8];
		int rc = target_read_mem(t, table + 8 * idx, raw, 8);
		if (rc < 0)
			return rc;
		uint64_t e = target_le(raw, 8);
		if (!(e & PTE_PRESENT))
			return target_set_error(t, TARGET_ERR_NOT_PRESENT,
					 "0x%llx is not mapped under cr3 0x%llx: %s entry %u is not present (0x%llx)",
					 (unsigned long long)vaddr, (unsigned long long)cr3, level_name[level],
					 idx, (unsigned long long)e);
		if (level == 3 || ((level == 1 || level == 2) && (e & PTE_LARGE))) {
			uint64_t size = 1ULL << shift;
			uint64_t base = e & PTE_ADDR_MASK & ~(size - 1);
			*paddr = base | (vaddr & (size - 1));
			*page_end = (vaddr | (size - 1)) + 1;
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
	return target_set_error(t, TARGET_ERR_PROTOCOL, "page walk fell through");  /* not reached */
}

int target_read_virt_phys(struct target *t, uint64_t cr3, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t done = 0;
	int rc;

	/* Bits 63:47 must all equal bit 47, or the address is not canonical. */
	uint64_t top = addr >> 47;
	if (top != 0 && top != 0x1ffff)
		return target_set_error(t, TARGET_ERR_ARG, "0x%llx is not a canonical address", (unsigned long long)addr);
	if ((rc = phys_mode(t, 1)) < 0)
		return rc;
	while (done < len) {
		uint64_t va = addr + done, pa = 0, end = 0;
		if ((rc = translate(t, cr3, va, &pa, &end)) < 0)
			break;
		size_t n = end - va < len - done ? (size_t)(end - va) : len - done;
		if ((rc = target_read_mem(t, pa, out + done, n)) < 0)
			break;
		done += n;
	}
	int back = phys_mode(t, 0);
	return rc < 0 ? rc : back;
}
