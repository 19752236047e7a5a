/*
 * entry_64.S: every way into and out of the kernel from ring 3, after
 * Linux 5.14's arch/x86/entry/entry_64.S and entry_64_compat.S:
 *
 *   entry_SYSCALL_64      the SYSCALL instruction (64-bit system calls)
 *   entry_INT80_compat    int $0x80 (the IA-32 system call ABI)
 *   asm_exc_N             CPU exceptions (print and panic)
 *   swapgs_restore_regs_and_return_to_usermode   the IRET exit
 *   start_user            the first entry into ring 3
 *
 * Everything here lives in .entry.text, which the user page table maps too:
 * these instructions run while CR3 still points at the user page table.
 */
#include "calling.h"

	.section .entry.text, "ax"

/*
 * 64-bit SYSCALL instruction entry. Up to 6 arguments in registers.
 *
 * What SYSCALL did before the first instruction here ran:
 *   RCX <- RIP of the instruction after the user's syscall (the return address)
 *   R11 <- RFLAGS (with RF cleared)
 *   RFLAGS &= ~MSR_SYSCALL_MASK (IF, TF, DF, AC, IOPL, NT cleared)
 *   CS  <- MSR_STAR[47:32] = __KERNEL_CS, SS <- __KERNEL_CS + 8 = __KERNEL_DS
 *   RIP <- MSR_LSTAR = entry_SYSCALL_64
 * What it did NOT do: save anything to memory, or touch RSP. %rsp is still
 * the user's stack pointer, GS_BASE is still the user's, and CR3 (with
 * page-table isolation) is still the user page table. Interrupts are off.
 *
 * Registers on entry:
 *   rax  system call number
 *   rcx  return address
 *   r11  saved rflags
 *   rdi  arg0
 *   rsi  arg1
 *   rdx  arg2
 *   r10  arg3 (moved from rcx, which SYSCALL overwrites, to match the C ABI's rcx slot)
 *   r8   arg4
 *   r9   arg5
 *
 * Only called from user space.
 */
	.globl entry_SYSCALL_64
	.type entry_SYSCALL_64, @function
entry_SYSCALL_64:
	/* GS_BASE <-> KERNEL_GS_BASE: %gs now reaches this CPU's per-CPU area. */
	swapgs
	/* tss.sp2 is scratch space: park the user RSP; no register is free yet. */
	movq	%rsp, PER_CPU_VAR(cpu_tss_rw + TSS_sp2)
	/* %rsp is the only free register: use it as the CR3 scratch. */
	SWITCH_TO_KERNEL_CR3 scratch_reg=%rsp
	movq	PER_CPU_VAR(cpu_current_top_of_stack), %rsp

	/* Construct struct pt_regs on the stack, as an interrupt would have. */
	pushq	$__USER_DS				/* pt_regs->ss */
	pushq	PER_CPU_VAR(cpu_tss_rw + TSS_sp2)	/* pt_regs->sp */
	pushq	%r11					/* pt_regs->flags */
	pushq	$__USER_CS				/* pt_regs->cs */
	pushq	%rcx					/* pt_regs->ip */
	.globl entry_SYSCALL_64_after_hwframe
entry_SYSCALL_64_after_hwframe:
	pushq	%rax					/* pt_regs->orig_ax */

	PUSH_AND_CLEAR_REGS rax=$-ENOSYS

	/* do_syscall_64(regs, nr): IRQs stay off. */
	movq	%rsp, %rdi
	movslq	%eax, %rsi
	call	do_syscall_64

	/*
	 * Try to use SYSRET instead of IRET if we're returning to a completely
	 * clean 64-bit userspace context. SYSRET is faster, but it restores
	 * RIP from RCX and RFLAGS from R11 instead of from the frame, and the
	 * selectors from MSR_STAR; when the frame says anything else, or when
	 * SYSRET would be unsafe, take the IRET path, which restores it all.
	 */
	movq	RCX(%rsp), %rcx
	movq	RIP(%rsp), %r11

	/*
	 * Check 1: SYSRET jumps to RCX. If the syscall changed pt_regs->ip
	 * (execve, rt_sigreturn, ptrace), only IRET can honour it.
	 */
	cmpq	%rcx, %r11	/* SYSRET requires RCX == RIP */
	jne	swapgs_restore_regs_and_return_to_usermode

	/*
	 * Check 2: on Intel CPUs, SYSRET with a non-canonical RCX raises #GP
	 * in ring 0 after the user RSP is already loaded: the user would own
	 * the kernel's exception stack (CVE-2012-0217). shl/sar by 16 copies
	 * bit 47 into bits 48-63; the result equals the original only if the
	 * address was canonical.
	 */
	shl	$(64 - 48), %rcx
	sar	$(64 - 48), %rcx

	/* If this changed %rcx, it was not canonical */
	cmpq	%rcx, %r11
	jne	swapgs_restore_regs_and_return_to_usermode

	/* Check 3: SYSRET loads CS from MSR_STAR, not from the frame. */
	cmpq	$__USER_CS, CS(%rsp)		/* CS must match SYSRET */
	jne	swapgs_restore_regs_and_return_to_usermode

	/* Check 4: SYSRET restores RFLAGS from R11, not from the frame. */
	movq	R11(%rsp), %r11
	cmpq	%r11, EFLAGS(%rsp)		/* R11 == RFLAGS */
	jne	swapgs_restore_regs_and_return_to_usermode

	/*
	 * Check 5: SYSRET cannot restore RF (SYSCALL cleared it in R11), and
	 * restoring TF with SYSRET traps right after it, before the next user
	 * instruction: single-stepping such code could loop forever. IRET
	 * handles both correctly.
	 */
	testq	$(X86_EFLAGS_RF|X86_EFLAGS_TF), %r11
	jnz	swapgs_restore_regs_and_return_to_usermode

	/* nothing to check for RSP */

	/* Check 6: SYSRET loads SS from MSR_STAR, not from the frame. */
	cmpq	$__USER_DS, SS(%rsp)		/* SS must match SYSRET */
	jne	swapgs_restore_regs_and_return_to_usermode

	/*
	 * We win! This label is here just for ease of understanding
	 * perf profiles. Nothing jumps here.
	 */
	.globl syscall_return_via_sysret
syscall_return_via_sysret:
	/* rcx and r11 are already restored (see code above) */
	POP_REGS pop_rdi=0 skip_r11rcx=1

	/*
	 * Now all regs are restored except RSP and RDI. Save the old stack
	 * pointer and switch to the trampoline stack: after the CR3 switch the
	 * task stack is no longer mapped, so the last values must come from
	 * a stack both page tables map.
	 */
	movq	%rsp, %rdi
	movq	PER_CPU_VAR(cpu_tss_rw + TSS_sp0), %rsp

	pushq	RSP-RDI(%rdi)	/* RSP */
	pushq	(%rdi)		/* RDI */

	/*
	 * We are on the trampoline stack. All regs except RDI are live.
	 */
	SWITCH_TO_USER_CR3_STACK scratch_reg=%rdi

	popq	%rdi
	popq	%rsp
	/*
	 * Linux's name since 5.19 (5.14 has no label here): from here to
	 * sysretq, %rsp is the user's stack; an exception now would run on it
	 * unless its gate names an IST stack (here only #DF does; Linux gives
	 * NMI and #MC one too).
	 */
	.globl entry_SYSRETQ_unsafe_stack
entry_SYSRETQ_unsafe_stack:
	swapgs
	sysretq
	.size entry_SYSCALL_64, . - entry_SYSCALL_64

/*
 * The slow exit to user mode: pt_regs is on the task stack and IRETQ pops
 * ip, cs, flags, sp and ss from it, so anything the kernel put in the frame
 * takes effect. Used by the SYSCALL path when a SYSRET check fails, by
 * int $0x80, and by start_user for the very first entry into ring 3.
 */
	.globl swapgs_restore_regs_and_return_to_usermode
	.type swapgs_restore_regs_and_return_to_usermode, @function
swapgs_restore_regs_and_return_to_usermode:
	POP_REGS pop_rdi=0

	/*
	 * The stack is now user RDI, orig_ax, RIP, CS, EFLAGS, RSP, SS.
	 * Save old stack pointer and switch to trampoline stack.
	 */
	movq	%rsp, %rdi
	movq	PER_CPU_VAR(cpu_tss_rw + TSS_sp0), %rsp

	/* Copy the IRET frame to the trampoline stack. */
	pushq	6*8(%rdi)	/* SS */
	pushq	5*8(%rdi)	/* RSP */
	pushq	4*8(%rdi)	/* EFLAGS */
	pushq	3*8(%rdi)	/* CS */
	pushq	2*8(%rdi)	/* RIP */

	/* Push user RDI on the trampoline stack. */
	pushq	(%rdi)

	/*
	 * We are on the trampoline stack. All regs except RDI are live.
	 */
	SWITCH_TO_USER_CR3_STACK scratch_reg=%rdi

	/* Restore RDI. */
	popq	%rdi
	swapgs
	iretq
	.size swapgs_restore_regs_and_return_to_usermode, . - swapgs_restore_regs_and_return_to_usermode

/*
 * 32-bit SYSCALL from compatibility mode lands here (MSR_CSTAR). The demo
 * never runs 32-bit code, so this is a safe refusal, like Linux's
 * ignore_sysret when IA32 emulation is off: nothing was saved, return
 * -ENOSYS at once with SYSRETL (RCX/R11 still hold the user RIP/RFLAGS).
 */
	.globl entry_SYSCALL_compat
entry_SYSCALL_compat:
	movl	$-ENOSYS, %eax
	sysretl

/*
 * int $0x80: the IA-32 system call ABI (number in eax, arguments in ebx,
 * ecx, edx, esi, edi, ebp). The IDT gate has DPL 3 so ring 3 may use it.
 *
 * Unlike SYSCALL, an interrupt from ring 3 makes the CPU switch stacks
 * itself: it loaded RSP from TSS.sp0 (the trampoline stack) and pushed ss,
 * rsp, rflags, cs, rip there. The trampoline stack is mapped in both page
 * tables; the task stack is not, so the frame moves to the task stack after
 * the CR3 switch. Interrupts are off (interrupt gate).
 */
	.globl entry_INT80_compat
	.type entry_INT80_compat, @function
entry_INT80_compat:
	swapgs
	/* switch to thread stack expects orig_ax and rdi to be pushed */
	pushq	%rax			/* pt_regs->orig_ax */
	pushq	%rdi			/* pt_regs->di */

	/* Need to switch before accessing the thread stack. */
	SWITCH_TO_KERNEL_CR3 scratch_reg=%rdi

	movq	%rsp, %rdi
	movq	PER_CPU_VAR(cpu_current_top_of_stack), %rsp

	pushq	6*8(%rdi)		/* regs->ss */
	pushq	5*8(%rdi)		/* regs->rsp */
	pushq	4*8(%rdi)		/* regs->eflags */
	pushq	3*8(%rdi)		/* regs->cs */
	pushq	2*8(%rdi)		/* regs->ip */
	pushq	1*8(%rdi)		/* regs->orig_ax */
	pushq	(%rdi)			/* pt_regs->di */

	pushq	%rsi			/* pt_regs->si */
	xorl	%esi, %esi		/* nospec   si */
	pushq	%rdx			/* pt_regs->dx */
	xorl	%edx, %edx		/* nospec   dx */
	pushq	%rcx			/* pt_regs->cx */
	xorl	%ecx, %ecx		/* nospec   cx */
	pushq	$-ENOSYS		/* pt_regs->ax */
	pushq	%r8			/* pt_regs->r8 */
	xorl	%r8d, %r8d		/* nospec   r8 */
	pushq	%r9			/* pt_regs->r9 */
	xorl	%r9d, %r9d		/* nospec   r9 */
	pushq	%r10			/* pt_regs->r10 */
	xorl	%r10d, %r10d		/* nospec   r10 */
	pushq	%r11			/* pt_regs->r11 */
	xorl	%r11d, %r11d		/* nospec   r11 */
	pushq	%rbx			/* pt_regs->bx */
	xorl	%ebx, %ebx		/* nospec   rbx */
	pushq	%rbp			/* pt_regs->bp */
	xorl	%ebp, %ebp		/* nospec   rbp */
	pushq	%r12			/* pt_regs->r12 */
	xorl	%r12d, %r12d		/* nospec   r12 */
	pushq	%r13			/* pt_regs->r13 */
	xorl	%r13d, %r13d		/* nospec   r13 */
	pushq	%r14			/* pt_regs->r14 */
	xorl	%r14d, %r14d		/* nospec   r14 */
	pushq	%r15			/* pt_regs->r15 */
	xorl	%r15d, %r15d		/* nospec   r15 */

	movq	%rsp, %rdi
	call	do_int80_syscall_32
	jmp	swapgs_restore_regs_and_return_to_usermode
	.size entry_INT80_compat, . - entry_INT80_compat

/*
 * CPU exceptions. The teaching kernel never expects one: each stub builds a
 * pt_regs (the error code, or -1, in orig_ax) and hands it to exc_handler(),
 * which prints the vector, error code and RIP and ends QEMU. From ring 3 the
 * CPU has switched to the trampoline stack (TSS.sp0); #DF always runs on its
 * own IST stack, so even a kernel stack overflow prints a message instead of
 * triple-faulting.
 */
.macro idtentry vector
	.globl asm_exc_\vector
asm_exc_\vector:
	.if (\vector == 8) || (\vector == 10) || (\vector == 11) || (\vector == 12) || \
	    (\vector == 13) || (\vector == 14) || (\vector == 17) || (\vector == 21) || \
	    (\vector == 29) || (\vector == 30)
	/* the CPU pushed an error code: it takes the orig_ax slot */
	.else
	pushq	$-1			/* pt_regs->orig_ax: no error code */
	.endif
	PUSH_REGS
	movl	$\vector, %esi
	jmp	exception_common
.endm

	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	idtentry \vec
	.endr

exception_common:
	testb	$3, CS(%rsp)		/* from user mode? */
	jz	1f
	swapgs
	SWITCH_TO_KERNEL_CR3 scratch_reg=%rax
1:	movq	%rsp, %rdi
	call	exc_handler		/* does not return */
	ud2

	.section .rodata
	.balign 8
	.globl exception_entries
exception_entries:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	asm_exc_\vec
	.endr

/*
 * start_user(regs): enter ring 3 for the first time. The caller built a
 * pt_regs at the top of the task stack as if the demo had made a system
 * call; leaving through the IRET exit path makes the first entry look like
 * any other return to user mode (Linux's ret_from_fork does the same).
 */
	.text
	.globl start_user
	.type start_user, @function
start_user:
	movq	%rdi, %rsp
	jmp	swapgs_restore_regs_and_return_to_usermode
	.size start_user, . - start_user

	.section .note.GNU-stack, "", @progbits
