/*
 * calling.h: assembler macros for the entry code, after Linux's
 * arch/x86/entry/calling.h: building and unwinding struct pt_regs, and the
 * CR3 switch of page-table isolation. Included by .S files only.
 */
#ifndef KERNEL_CALLING_H
#define KERNEL_CALLING_H

#include "arch.h"
#include "ptrace.h"
#include "processor.h"

/*
 * A per-CPU variable is an offset into the per-CPU area; in the kernel GS_BASE
 * points at this CPU's area, so %gs:var is this CPU's copy.
 */
#define PER_CPU_VAR(var)	%gs:var

/*
 * PUSH_REGS: push the general registers in the order that makes the stack
 * a struct pt_regs (the hardware frame and orig_ax are already there).
 * rax= lets the syscall path store -ENOSYS as the default return value while
 * the real %rax (the syscall number) is kept in orig_ax.
 */
.macro PUSH_REGS rdx=%rdx rax=%rax
	pushq	%rdi		/* pt_regs->di */
	pushq	%rsi		/* pt_regs->si */
	pushq	\rdx		/* pt_regs->dx */
	pushq	%rcx		/* pt_regs->cx */
	pushq	\rax		/* pt_regs->ax */
	pushq	%r8		/* pt_regs->r8 */
	pushq	%r9		/* pt_regs->r9 */
	pushq	%r10		/* pt_regs->r10 */
	pushq	%r11		/* pt_regs->r11 */
	pushq	%rbx		/* pt_regs->bx */
	pushq	%rbp		/* pt_regs->bp */
	pushq	%r12		/* pt_regs->r12 */
	pushq	%r13		/* pt_regs->r13 */
	pushq	%r14		/* pt_regs->r14 */
	pushq	%r15		/* pt_regs->r15 */
.endm

/*
 * CLEAR_REGS: zero the registers that still hold user values, so that
 * speculative execution in the kernel cannot be steered by them (Spectre v1
 * gadgets need attacker-controlled registers). %rdi, %rsi and %rax are left:
 * the caller is about to load them with the C arguments and syscall number.
 * 32-bit xors also clear the upper half and are shorter.
 */
.macro CLEAR_REGS
	xorl	%edx, %edx	/* nospec dx  */
	xorl	%ecx, %ecx	/* nospec cx  */
	xorl	%r8d, %r8d	/* nospec r8  */
	xorl	%r9d, %r9d	/* nospec r9  */
	xorl	%r10d, %r10d	/* nospec r10 */
	xorl	%r11d, %r11d	/* nospec r11 */
	xorl	%ebx, %ebx	/* nospec rbx */
	xorl	%ebp, %ebp	/* nospec rbp */
	xorl	%r12d, %r12d	/* nospec r12 */
	xorl	%r13d, %r13d	/* nospec r13 */
	xorl	%r14d, %r14d	/* nospec r14 */
	xorl	%r15d, %r15d	/* nospec r15 */
.endm

.macro PUSH_AND_CLEAR_REGS rdx=%rdx rax=%rax
	PUSH_REGS rdx=\rdx, rax=\rax
	CLEAR_REGS
.endm

/*
 * POP_REGS: the reverse of PUSH_REGS. pop_rdi=0 leaves pt_regs->di on the
 * stack (the exit paths still need a scratch register); skip_r11rcx=1 pops
 * those two slots into %rsi instead, because the SYSRET path has already
 * loaded %rcx (user RIP) and %r11 (user RFLAGS) for the sysretq.
 */
.macro POP_REGS pop_rdi=1 skip_r11rcx=0
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	.if \skip_r11rcx
	popq	%rsi
	.else
	popq	%r11
	.endif
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	.if \skip_r11rcx
	popq	%rsi
	.else
	popq	%rcx
	.endif
	popq	%rdx
	popq	%rsi
	.if \pop_rdi
	popq	%rdi
	.endif
.endm

#if CONFIG_PAGE_TABLE_ISOLATION
/*
 * Page-table isolation: user code runs on a page table that maps almost no
 * kernel memory (so Meltdown-style attacks have nothing to read). The two
 * PGDs are an 8 KiB-aligned pair: clearing bit 12 of CR3 selects the kernel
 * half, setting it the user half. Linux also juggles PCIDs here; the teaching
 * kernel does not use PCIDs, so every CR3 write flushes the TLB.
 */
.macro SWITCH_TO_KERNEL_CR3 scratch_reg:req
	mov	%cr3, \scratch_reg
	andq	$(~PTI_USER_PGTABLE_MASK), \scratch_reg
	mov	\scratch_reg, %cr3
.endm

/*
 * Linux's _STACK variant saves %rax because its PCID path needs a second
 * scratch register; kept so the instruction sequence matches.
 */
.macro SWITCH_TO_USER_CR3_STACK scratch_reg:req
	pushq	%rax
	mov	%cr3, \scratch_reg
	orq	$(PTI_USER_PGTABLE_MASK), \scratch_reg
	mov	\scratch_reg, %cr3
	popq	%rax
.endm
#else
/* Isolation off (the -nopti build): one page table, no CR3 switch at all. */
.macro SWITCH_TO_KERNEL_CR3 scratch_reg:req
.endm
.macro SWITCH_TO_USER_CR3_STACK scratch_reg:req
.endm
#endif

#endif /* KERNEL_CALLING_H */
