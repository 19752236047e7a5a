/*
 * syscalls.S: the demo's system calls, one small function each, callable
 * from C (arguments already in rdi, rsi, rdx as the syscall ABI wants them).
 *
 * Each syscall / int $0x80 instruction carries a global label
 * (demo_syscall_write, ...) so tests, annotations and the viewer can find
 * the exact user address: after SYSCALL, RCX = that label + 2.
 *
 * This code runs in ring 3. It is linked at 0x400000 with the rest of the
 * demo and may not call into the kernel except through these instructions.
 */
#include "arch.h"
#include "unistd_64.h"
#include "unistd_32_ia32.h"

#define DEMO_ENOSYS_NR	500	/* unused in Linux too */

	.text

/* The demo's entry point: rdi = 1 in self-test mode (set by the kernel). */
	.globl demo_start
	.type demo_start, @function
demo_start:
	xorl	%ebp, %ebp		/* end of the frame-pointer chain */
	call	demo_main
	ud2				/* demo_main never returns */
	.size demo_start, . - demo_start

/* long demo_write(unsigned int fd, const char *buf, unsigned long count) */
	.globl demo_write
	.type demo_write, @function
demo_write:
	movl	$__NR_write, %eax
	.globl demo_syscall_write
demo_syscall_write:
	syscall
	ret
	.size demo_write, . - demo_write

/* long demo_getpid(void) */
	.globl demo_getpid
	.type demo_getpid, @function
demo_getpid:
	movl	$__NR_getpid, %eax
	.globl demo_syscall_getpid
demo_syscall_getpid:
	syscall
	ret
	.size demo_getpid, . - demo_getpid

/* long demo_enosys(void): a number beyond every table */
	.globl demo_enosys
	.type demo_enosys, @function
demo_enosys:
	movl	$DEMO_ENOSYS_NR, %eax
	.globl demo_syscall_enosys
demo_syscall_enosys:
	syscall
	ret
	.size demo_enosys, . - demo_enosys

/* long demo_x32_getpid(void): getpid with the x32 bit, through x32_sys_call_table */
	.globl demo_x32_getpid
	.type demo_x32_getpid, @function
demo_x32_getpid:
	movl	$(__X32_SYSCALL_BIT | __NR_getpid), %eax
	.globl demo_syscall_x32
demo_syscall_x32:
	syscall
	ret
	.size demo_x32_getpid, . - demo_x32_getpid

/*
 * long demo_sigreturn(long ax, int *landed)
 *
 * Builds a struct teach_sigframe { ip, sp, flags, ax } at the stack pointer
 * and calls rt_sigreturn. The kernel resumes at frame.ip
 * (demo_sigreturn_landing) with rsp = frame.sp and rax = frame.ax, by IRET
 * since pt_regs->ip no longer matches RCX. The landing code sets
 * *landed = 1; if the kernel refused the frame, execution falls through
 * after the syscall instead and sets *landed = 0.
 */
	.globl demo_sigreturn
	.type demo_sigreturn, @function
demo_sigreturn:
	movq	%rsp, %rcx		/* frame.sp: points at our return address */
	pushq	%rdi			/* frame.ax */
	pushfq				/* frame.flags */
	pushq	%rcx			/* frame.sp */
	leaq	demo_sigreturn_landing(%rip), %rcx
	pushq	%rcx			/* frame.ip */
	movl	$__NR_rt_sigreturn, %eax
	.globl demo_syscall_iret
demo_syscall_iret:
	syscall
	/* Only reached if the kernel refused the frame. */
	addq	$32, %rsp
	movl	$0, (%rsi)
	ret
	.globl demo_sigreturn_landing
demo_sigreturn_landing:
	movl	$1, (%rsi)
	ret
	.size demo_sigreturn, . - demo_sigreturn

/* long demo_int80_getpid(void): the IA-32 getpid (20) through int $0x80 */
	.globl demo_int80_getpid
	.type demo_int80_getpid, @function
demo_int80_getpid:
	movl	$__NR_ia32_getpid, %eax
	.globl demo_syscall_int80
demo_syscall_int80:
	int	$0x80
	ret
	.size demo_int80_getpid, . - demo_int80_getpid

/* long demo_raw_write(unsigned int fd, const char *buf, unsigned long count): for reports */
	.globl demo_raw_write
	.type demo_raw_write, @function
demo_raw_write:
	movl	$__NR_write, %eax
	syscall
	ret
	.size demo_raw_write, . - demo_raw_write

/* void demo_exit_group(int code) */
	.globl demo_exit_group
	.type demo_exit_group, @function
demo_exit_group:
	movl	$__NR_exit_group, %eax
	syscall
	ud2				/* exit_group does not return */
	.size demo_exit_group, . - demo_exit_group

	.section .note.GNU-stack, "", @progbits
