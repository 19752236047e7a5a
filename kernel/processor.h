/*
 * processor.h: the TSS, the per-CPU machinery and the small CPU helpers
 * (MSRs, port I/O, control registers) the C side of the kernel needs.
 *
 * The TSS offsets at the top are used by entry_64.S (Linux generates them in
 * asm-offsets; here they are written once and checked by _Static_assert).
 */
#ifndef KERNEL_PROCESSOR_H
#define KERNEL_PROCESSOR_H

#include "arch.h"

/*
 * In 64-bit mode the TSS holds no register state (there is no hardware task
 * switch): only stack pointers. sp0 is loaded by the CPU on a ring 3 -> 0
 * interrupt; Linux points it at the per-CPU trampoline (entry) stack. sp1 and
 * sp2 would be used for rings 1 and 2, which nobody uses. Linux borrows sp2
 * as the scratch slot for the user RSP during SYSCALL entry. sp1 stays unused:
 * up to 5.12 it held the top of the current task's stack, but since 5.13
 * (commit 1591584e2e76) that is the per-CPU variable cpu_current_top_of_stack,
 * in 5.14 as in 6.1, and so here.
 */
#define TSS_sp0		4
#define TSS_sp1		12
#define TSS_sp2		20
#define TSS_ist		36
#define TSS_SIZE	104

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct x86_hw_tss {
	uint32_t reserved1;
	uint64_t sp0;		/* +4:  trampoline stack top */
	uint64_t sp1;		/* +12: unused (ring 1) */
	uint64_t sp2;		/* +20: scratch: user RSP during SYSCALL entry */
	uint64_t reserved2;
	uint64_t ist[7];	/* +36: interrupt stack table (IST1 = #DF) */
	uint32_t reserved3;
	uint32_t reserved4;
	uint16_t reserved5;
	uint16_t io_bitmap_base;	/* past the limit: no I/O bitmap */
} __attribute__((packed));

_Static_assert(offsetof(struct x86_hw_tss, sp0) == TSS_sp0, "TSS_sp0");
_Static_assert(offsetof(struct x86_hw_tss, sp1) == TSS_sp1, "TSS_sp1");
_Static_assert(offsetof(struct x86_hw_tss, sp2) == TSS_sp2, "TSS_sp2");
_Static_assert(offsetof(struct x86_hw_tss, ist) == TSS_ist, "TSS_ist");
_Static_assert(sizeof(struct x86_hw_tss) == TSS_SIZE, "sizeof(x86_hw_tss)");

/* Linux's tss_struct adds the I/O bitmap; the teaching kernel has none. */
struct tss_struct {
	struct x86_hw_tss x86_tss;
} __attribute__((aligned(PAGE_SIZE)));

struct desc_struct {
	uint64_t raw;
};

struct gdt_page {
	struct desc_struct gdt[GDT_ENTRIES];
} __attribute__((aligned(PAGE_SIZE)));

/* An IDT gate (interrupt or trap gate, 64-bit). */
struct gate_struct {
	uint16_t offset_low;
	uint16_t segment;
	uint16_t bits;		/* ist:3, zero:5, type:4, zero:1, dpl:2, p:1 */
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct gate_struct) == 16, "64-bit gate descriptor");

#define IDT_ENTRIES 256
extern struct gate_struct idt_table[IDT_ENTRIES];

/* The trampoline stack: where SYSRET/IRET paths and ring-3 interrupts run before CR3 flips. */
struct entry_stack_page {
	unsigned long stack[PAGE_SIZE / sizeof(unsigned long)];
} __attribute__((aligned(PAGE_SIZE)));

/*
 * Per-CPU variables, as in Linux: they are linked into .data..percpu, a
 * template section whose addresses start at 0, so a variable's "address" is
 * its offset in the per-CPU area. Each CPU copies the template into its own
 * area and points GS_BASE at it; assembly then reads %gs:var. C code uses
 * this_cpu_ptr(&var), which adds this CPU's area to the offset.
 */
#define DEFINE_PER_CPU_PAGE_ALIGNED(type, name) \
	__attribute__((section(".data..percpu..page_aligned"), aligned(PAGE_SIZE))) type name
#define DECLARE_PER_CPU_PAGE_ALIGNED(type, name) extern type name
#define DEFINE_PER_CPU(type, name) __attribute__((section(".data..percpu"))) type name
#define DECLARE_PER_CPU(type, name) extern type name

extern char __per_cpu_start[], __per_cpu_end[], __per_cpu_load[], __per_cpu_area[];
#define this_cpu_ptr(ptr) \
	((__typeof__(ptr))((unsigned long)(ptr) + (unsigned long)__per_cpu_area))

DECLARE_PER_CPU_PAGE_ALIGNED(struct gdt_page, gdt_page);
DECLARE_PER_CPU_PAGE_ALIGNED(struct tss_struct, cpu_tss_rw);
DECLARE_PER_CPU_PAGE_ALIGNED(struct entry_stack_page, entry_stack_page);
DECLARE_PER_CPU_PAGE_ALIGNED(struct entry_stack_page, df_stack_page);
/* The top of the current task's kernel stack: where entries build struct pt_regs. */
DECLARE_PER_CPU(unsigned long, cpu_current_top_of_stack);

static inline uint64_t rdmsrl(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsrl(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}

static inline void outb(uint8_t val, uint16_t port)
{
	__asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline void outl(uint32_t val, uint16_t port)
{
	__asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t val;

	__asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

static inline unsigned long read_cr3(void)
{
	unsigned long val;

	__asm__ volatile("mov %%cr3, %0" : "=r"(val));
	return val;
}

static inline void write_cr3(unsigned long val)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(val) : "memory");
}

/* Kernel virtual address of a physical address inside the kernel's 1 GiB window. */
#define __va(phys) ((void *)((unsigned long)(phys) + __START_KERNEL_map))
/* Physical address of a kernel-image virtual address. */
#define __pa(virt) ((unsigned long)(virt) - __START_KERNEL_map)

#endif /* !__ASSEMBLER__ */
#endif /* KERNEL_PROCESSOR_H */
