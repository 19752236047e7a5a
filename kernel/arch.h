/*
 * arch.h: the x86_64 constants the teaching kernel shares between C and assembly.
 *
 * Names follow Linux (asm/segment.h, asm/msr-index.h, asm/processor-flags.h,
 * asm/page_64_types.h) so a learner who reads this kernel recognises them in
 * arch/x86 later. Only plain numbers live here: the file is included by .S files.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

/* _AC(): a constant with a C type suffix that the assembler would reject. */
#ifdef __ASSEMBLER__
#define _AC(x, suffix) x
#else
#define _AC(x, suffix) (x##suffix)
#endif

/*
 * Memory map. The image is loaded at physical 16 MiB and linked at
 * __START_KERNEL_map + 16 MiB = 0xffffffff81000000, exactly where Linux puts
 * its text, so addresses a learner sees in gdb look like a real kernel's.
 */
#define __START_KERNEL_map	_AC(0xffffffff80000000, UL)
#define LOAD_PHYSICAL_ADDR	_AC(0x1000000, UL)
#define __START_KERNEL		(__START_KERNEL_map + LOAD_PHYSICAL_ADDR)
#define PAGE_SHIFT		12
#define PAGE_SIZE		(_AC(1, UL) << PAGE_SHIFT)

/* The ring-3 demo: linked at 0x400000 like an ordinary ELF program. */
#define USER_TEXT_START		_AC(0x400000, UL)
/* Highest user address + 1 (47-bit user half, as Linux's TASK_SIZE_MAX). */
#define TASK_SIZE_MAX		((_AC(1, UL) << 47) - PAGE_SIZE)

/* GDT layout in Linux's order (asm/segment.h, 64-bit). */
#define GDT_ENTRY_KERNEL32_CS		1
#define GDT_ENTRY_KERNEL_CS		2
#define GDT_ENTRY_KERNEL_DS		3
#define GDT_ENTRY_DEFAULT_USER32_CS	4
#define GDT_ENTRY_DEFAULT_USER_DS	5
#define GDT_ENTRY_DEFAULT_USER_CS	6
#define GDT_ENTRY_TSS			8	/* 16 bytes: entries 8 and 9 */
#define GDT_ENTRIES			16

#define __KERNEL32_CS	(GDT_ENTRY_KERNEL32_CS * 8)		/* 0x08 */
#define __KERNEL_CS	(GDT_ENTRY_KERNEL_CS * 8)		/* 0x10 */
#define __KERNEL_DS	(GDT_ENTRY_KERNEL_DS * 8)		/* 0x18 */
#define __USER32_CS	(GDT_ENTRY_DEFAULT_USER32_CS * 8 + 3)	/* 0x23 */
#define __USER_DS	(GDT_ENTRY_DEFAULT_USER_DS * 8 + 3)	/* 0x2b */
#define __USER_CS	(GDT_ENTRY_DEFAULT_USER_CS * 8 + 3)	/* 0x33 */
#define __TSS_SELECTOR	(GDT_ENTRY_TSS * 8)			/* 0x40 */

/* Model-specific registers (asm/msr-index.h). */
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define EFER_SCE		(1 << 0)	/* SYSCALL/SYSRET enable */
#define EFER_LME		(1 << 8)	/* long mode enable */

/* RFLAGS bits (asm/processor-flags.h). */
#define X86_EFLAGS_CF		_AC(0x00000001, UL)
#define X86_EFLAGS_FIXED	_AC(0x00000002, UL)	/* bit 1 always reads 1 */
#define X86_EFLAGS_TF		_AC(0x00000100, UL)
#define X86_EFLAGS_IF		_AC(0x00000200, UL)
#define X86_EFLAGS_DF		_AC(0x00000400, UL)
#define X86_EFLAGS_IOPL		_AC(0x00003000, UL)
#define X86_EFLAGS_NT		_AC(0x00004000, UL)
#define X86_EFLAGS_RF		_AC(0x00010000, UL)
#define X86_EFLAGS_AC		_AC(0x00040000, UL)

#define X86_CR0_PE		_AC(0x00000001, UL)
#define X86_CR0_WP		_AC(0x00010000, UL)
#define X86_CR0_PG		_AC(0x80000000, UL)
#define X86_CR4_PAE		_AC(0x00000020, UL)

/*
 * Page-table isolation: the kernel PGD and the user PGD are the two halves of
 * an 8 KiB-aligned pair, so one bit of CR3 (bit 12) selects between them.
 */
#ifndef CONFIG_PAGE_TABLE_ISOLATION
#define CONFIG_PAGE_TABLE_ISOLATION 1
#endif
#define PTI_USER_PGTABLE_BIT	PAGE_SHIFT
#define PTI_USER_PGTABLE_MASK	(1 << PTI_USER_PGTABLE_BIT)

/* System call ABI. */
#define __X32_SYSCALL_BIT	0x40000000
#define IA32_SYSCALL_VECTOR	0x80

/* isa-debug-exit (QEMU exits with status (value << 1) | 1). */
#define QEMU_EXIT_PORT		0xf4
#define QEMU_EXIT_SUCCESS	0x10	/* status 33 */
#define QEMU_EXIT_FAILURE	0x11	/* status 35: self-test failed */
#define QEMU_EXIT_PANIC		0x12	/* status 37: kernel panic */

/* errno values returned (negated) by system calls; same numbers as Linux. */
#define EBADF	9
#define EFAULT	14
#define EINVAL	22
#define ENOSYS	38

#endif /* KERNEL_ARCH_H */
