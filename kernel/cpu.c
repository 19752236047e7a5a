/*
 * cpu.c: per-CPU data, the GDT and TSS, GS and the SYSCALL MSRs.
 *
 * After this file has run, the CPU is set up the way Linux leaves it:
 * GDT in Linux's order, TR = the per-CPU TSS, GS_BASE = this CPU's per-CPU
 * area (while in the kernel), and SYSCALL enters entry_SYSCALL_64.
 */
#include "kernel.h"
#include "processor.h"

/*
 * A 64-bit code or data descriptor from Linux's GDT_ENTRY_INIT(flags, base,
 * limit) arguments: the low byte of flags is the access byte (present, DPL,
 * type), the top nibble holds G, D/B and L. In 64-bit mode base and limit are
 * ignored for code and data, but the flat values keep 32-bit mode happy.
 */
#define GDT_ENTRY(flags, base, limit)					\
	((((base) & 0xff000000ULL) << 32) | (((flags) & 0xf0ffULL) << 40) |	\
	 (((limit) & 0xf0000ULL) << 32) | (((base) & 0xffffffULL) << 16) |	\
	 ((limit) & 0xffffULL))

/* The template of this CPU's GDT: copied with the rest of .data..percpu. */
DEFINE_PER_CPU_PAGE_ALIGNED(struct gdt_page, gdt_page) = { .gdt = {
	[GDT_ENTRY_KERNEL32_CS]		= { GDT_ENTRY(0xc09b, 0, 0xfffff) },
	[GDT_ENTRY_KERNEL_CS]		= { GDT_ENTRY(0xa09b, 0, 0xfffff) },	/* L=1 */
	[GDT_ENTRY_KERNEL_DS]		= { GDT_ENTRY(0xc093, 0, 0xfffff) },
	[GDT_ENTRY_DEFAULT_USER32_CS]	= { GDT_ENTRY(0xc0fb, 0, 0xfffff) },	/* DPL 3 */
	[GDT_ENTRY_DEFAULT_USER_DS]	= { GDT_ENTRY(0xc0f3, 0, 0xfffff) },
	[GDT_ENTRY_DEFAULT_USER_CS]	= { GDT_ENTRY(0xa0fb, 0, 0xfffff) },	/* L=1, DPL 3 */
	/* entry 7 unused; GDT_ENTRY_TSS (8, 9) is filled in by cpu_init() */
} };

DEFINE_PER_CPU_PAGE_ALIGNED(struct tss_struct, cpu_tss_rw) = {
	.x86_tss = {
		/* An offset past the TSS limit means "no I/O bitmap": ring 3 gets no ports. */
		.io_bitmap_base = TSS_SIZE,
	},
};
DEFINE_PER_CPU_PAGE_ALIGNED(struct entry_stack_page, entry_stack_page);
DEFINE_PER_CPU_PAGE_ALIGNED(struct entry_stack_page, df_stack_page);

/*
 * The top of the current task's kernel stack, which the entry code loads into
 * RSP right after the CR3 switch. As in Linux since 5.13 (commit 1591584e2e76,
 * "Move cpu_current_top_of_stack out of TSS"), so in the 5.14 this kernel
 * mirrors and in 6.1 (arch/x86/kernel/cpu/common.c), it is a per-CPU variable
 * of its own, not the TSS's sp1 slot. run_init_process() sets it; with one
 * task it never changes afterwards.
 */
DEFINE_PER_CPU(unsigned long, cpu_current_top_of_stack);

struct desc_ptr {
	uint16_t size;
	uint64_t address;
} __attribute__((packed));

/* Copy the per-CPU template into this (the only) CPU's area. */
void setup_per_cpu_areas(void)
{
	memcpy(__per_cpu_area, __per_cpu_load, (size_t)(__per_cpu_end - __per_cpu_start));
}

/* A 16-byte 64-bit TSS descriptor (type 9: available TSS). */
static void set_tss_desc(struct desc_struct *desc, unsigned long base)
{
	unsigned long limit = TSS_SIZE - 1;

	desc[0].raw = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		      ((limit & 0xf0000ULL) << 32) | ((base & 0xff000000ULL) << 32);
	desc[1].raw = base >> 32;
}

/* Load this CPU's GDT, segments, TSS and GS bases. */
void cpu_init(void)
{
	struct desc_struct *gdt = this_cpu_ptr(&gdt_page)->gdt;
	struct x86_hw_tss *tss = &this_cpu_ptr(&cpu_tss_rw)->x86_tss;
	struct desc_ptr gdt_descr = { sizeof(gdt_page.gdt) - 1, (unsigned long)gdt };

	tss->sp0 = (unsigned long)(this_cpu_ptr(&entry_stack_page) + 1);
	tss->ist[0] = (unsigned long)(this_cpu_ptr(&df_stack_page) + 1);
	set_tss_desc(&gdt[GDT_ENTRY_TSS], (unsigned long)tss);

	/*
	 * A far return reloads CS from the new GDT; the data segments follow.
	 * Loading GS wipes GS_BASE, so the MSRs are written afterwards.
	 */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmovl %2, %%eax\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 : : "m"(gdt_descr), "i"(__KERNEL_CS), "i"(__KERNEL_DS), "r"(__TSS_SELECTOR)
			 : "rax", "memory");

	/*
	 * In the kernel GS_BASE is this CPU's area; KERNEL_GS_BASE holds the
	 * user's GS base (0) until the first swapgs on the way out swaps them.
	 */
	wrmsrl(MSR_FS_BASE, 0);
	wrmsrl(MSR_GS_BASE, (unsigned long)__per_cpu_area);
	wrmsrl(MSR_KERNEL_GS_BASE, 0);
}

extern char entry_SYSCALL_64[], entry_SYSCALL_compat[];

/*
 * syscall_init - point the SYSCALL instruction at entry_SYSCALL_64.
 *
 * STAR[47:32] gives the kernel CS on SYSCALL (SS = CS + 8). STAR[63:48] is
 * the base SYSRET uses: 64-bit SYSRET loads CS = base + 16 = __USER_CS and
 * SS = base + 8 = __USER_DS, which is why Linux orders its GDT
 * USER32_CS, USER_DS, USER_CS. SYSCALL_MASK lists the RFLAGS bits SYSCALL
 * clears: IF (no maskable interrupt before the stack switch; NMI and #MC
 * ignore IF), TF (no single-step trap on the user stack), DF (C code
 * expects it clear), AC (no SMAP bypass), IOPL and NT.
 */
void syscall_init(void)
{
	wrmsrl(MSR_EFER, rdmsrl(MSR_EFER) | EFER_SCE);
	wrmsrl(MSR_STAR, ((uint64_t)__USER32_CS << 48) | ((uint64_t)__KERNEL_CS << 32));
	wrmsrl(MSR_LSTAR, (unsigned long)entry_SYSCALL_64);
	/* 32-bit SYSCALL (compat mode) is not supported: the stub returns -ENOSYS. */
	wrmsrl(MSR_CSTAR, (unsigned long)entry_SYSCALL_compat);
	wrmsrl(MSR_SYSCALL_MASK, X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_IF |
				 X86_EFLAGS_IOPL | X86_EFLAGS_AC | X86_EFLAGS_NT);
}

/*
 * The legacy 8259 PICs start out delivering IRQs on vectors 8-15, where the
 * CPU's exceptions live. Move them to 0x20-0x2f (as Linux does) and mask
 * every line: the teaching kernel takes no device interrupt at all, so the
 * instruction stream is the same on every run.
 */
void init_pic_masked(void)
{
	outb(0xff, 0x21);		/* mask everything first */
	outb(0xff, 0xa1);
	outb(0x11, 0x20);		/* ICW1: initialise, expect ICW4 */
	outb(0x11, 0xa0);
	outb(0x20, 0x21);		/* ICW2: master vectors 0x20-0x27 */
	outb(0x28, 0xa1);		/*       slave vectors 0x28-0x2f */
	outb(0x04, 0x21);		/* ICW3: slave on IRQ 2 */
	outb(0x02, 0xa1);
	outb(0x01, 0x21);		/* ICW4: 8086 mode */
	outb(0x01, 0xa1);
	outb(0xff, 0x21);		/* and mask everything again */
	outb(0xff, 0xa1);
}
