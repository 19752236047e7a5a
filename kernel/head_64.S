/*
 * head_64.S: from QEMU's PVH entry (32-bit protected mode, paging off) to
 * start_kernel() running in long mode at the kernel's high link address.
 *
 * Why PVH: QEMU's -kernel accepts a multiboot image only as ELF32, and a
 * bzImage needs a real-mode setup stub. An ELF64 with a Xen PVH note is
 * loaded segment by segment at its physical addresses (p_paddr), and the
 * CPU starts at the note's 32-bit entry point with (PVH ABI):
 *   protected mode, paging off, flat 4 GiB CS/DS, interrupts off,
 *   EBX = physical address of struct hvm_start_info (magic, command line).
 * Linux's arch/x86/platform/pvh/head.S starts the same way.
 */
#include "arch.h"

/* Before paging, and in 32-bit code, symbols must be used by physical address. */
#define _pa(x)	((x) - __START_KERNEL_map)

#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define PTE_PRESENT_RW			0x003
#define PTE_LARGE_PAGE			0x083	/* present, writable, 2 MiB page */

/*
 * The note QEMU looks for. QEMU reads the descriptor at the note's name
 * rounded up to the segment alignment and, for an ELF64, as a 64-bit value:
 * hence 4-byte alignment and a .quad.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long	4			/* name size: "Xen\0" */
	.long	8			/* descriptor size */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.balign 4
	.quad	_pa(pvh_start_xen)
	.balign 4

	.section .head.text, "ax"
	.code32
	.globl pvh_start_xen
	.type pvh_start_xen, @function
pvh_start_xen:
	cli
	cld
	movl	%ebx, %esi		/* struct hvm_start_info *, kept for start_kernel */

	/* A GDT with a 64-bit code segment; the real one comes in cpu_init(). */
	lgdt	_pa(early_gdt_descr)
	movl	$__KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss

	/* Long mode needs PAE page tables, EFER.LME, then paging on. */
	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$_pa(early_top_pgt), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
	movl	%eax, %cr0

	/* Loading a 64-bit CS completes the switch (EFER.LMA is now set). */
	ljmp	$__KERNEL_CS, $_pa(startup_64_identity)

	.code64
startup_64_identity:
	/* Still at the physical address (identity-mapped): jump to the link address. */
	movabsq	$startup_64, %rax
	jmp	*%rax

	.globl startup_64
startup_64:
	/*
	 * Clear .bss before anything uses it. QEMU's loader zero-fills it,
	 * but the PVH contract does not promise that.
	 */
	movq	$__bss_start, %rdi
	movq	$__bss_stop, %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb

	movq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp		/* end of the frame-pointer chain */
	movl	%esi, %edi		/* start_kernel(start_info physical address) */
	call	start_kernel
	ud2
	.size pvh_start_xen, . - pvh_start_xen

/*
 * Early page tables: the first 1 GiB identity-mapped (the code above runs
 * there for a few instructions) and the same 1 GiB at __START_KERNEL_map,
 * both with 2 MiB pages. paging_init() replaces them.
 */
	.data
	.balign PAGE_SIZE
early_top_pgt:
	.quad	_pa(early_pud_ident) + PTE_PRESENT_RW	/* 0x0000000000000000 */
	.fill	510, 8, 0
	.quad	_pa(early_pud_high) + PTE_PRESENT_RW	/* 0xffffff8000000000 */
early_pud_ident:
	.quad	_pa(early_pmd) + PTE_PRESENT_RW
	.fill	511, 8, 0
early_pud_high:
	.fill	510, 8, 0
	.quad	_pa(early_pmd) + PTE_PRESENT_RW		/* 0xffffffff80000000 */
	.quad	0
early_pmd:
	.set	.Lpmd_i, 0
	.rept	512
	.quad	(.Lpmd_i << 21) + PTE_LARGE_PAGE
	.set	.Lpmd_i, .Lpmd_i + 1
	.endr

	.balign 8
early_gdt:
	.quad	0					/* null */
	.quad	0x00cf9b000000ffff			/* 0x08 __KERNEL32_CS */
	.quad	0x00af9b000000ffff			/* 0x10 __KERNEL_CS (L=1) */
	.quad	0x00cf93000000ffff			/* 0x18 __KERNEL_DS */
early_gdt_end:
early_gdt_descr:
	.word	early_gdt_end - early_gdt - 1
	.quad	_pa(early_gdt)

	.bss
	.balign 16
boot_stack:
	.skip	16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
