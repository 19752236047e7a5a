/*
 * syscall.h: the system call tables and the handlers they point to.
 *
 * Handlers take the saved registers, as Linux's do since 4.17: the
 * __x64_sys_foo wrapper reads its arguments out of pt_regs (di, si, dx, r10,
 * r8, r9 for 64-bit; bx, cx, dx, si, di, bp for IA-32), so no user value is
 * passed on in a register the CPU might speculate with.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include "ptrace.h"
#include "unistd_64.h"		/* generated: __NR_write ..., __NR_syscalls */
#include "unistd_64_x32.h"	/* generated: __NR_x32_syscalls */
#include "unistd_32_ia32.h"	/* generated: __NR_ia32_getpid ..., __NR_ia32_syscalls */

#define NR_syscalls		__NR_syscalls
#define X32_NR_syscalls		__NR_x32_syscalls
#define IA32_NR_syscalls	__NR_ia32_syscalls

typedef long (*sys_call_ptr_t)(const struct pt_regs *);

extern const sys_call_ptr_t sys_call_table[];
extern const sys_call_ptr_t x32_sys_call_table[];
extern const sys_call_ptr_t ia32_sys_call_table[];

long __x64_sys_ni_syscall(const struct pt_regs *regs);
long __x64_sys_write(const struct pt_regs *regs);
long __x64_sys_getpid(const struct pt_regs *regs);
long __x64_sys_rt_sigreturn(const struct pt_regs *regs);
long __x64_sys_exit_group(const struct pt_regs *regs);
long __ia32_sys_write(const struct pt_regs *regs);
long __ia32_sys_getpid(const struct pt_regs *regs);
long __ia32_sys_exit(const struct pt_regs *regs);

/* common.c: called from entry_64.S */
void do_syscall_64(struct pt_regs *regs, int nr);
void do_int80_syscall_32(struct pt_regs *regs);

/*
 * The frame the demo leaves at its RSP before calling rt_sigreturn: a tiny
 * stand-in for Linux's struct rt_sigframe / sigcontext.
 */
struct teach_sigframe {
	unsigned long ip;
	unsigned long sp;
	unsigned long flags;
	unsigned long ax;
};

#endif /* KERNEL_SYSCALL_H */
