/*
 * ptrace.h: struct pt_regs, the register frame every kernel entry builds on the
 * kernel stack, in Linux's order (arch/x86/include/asm/ptrace.h).
 *
 * The frame is built from the top down: the CPU (or entry_SYSCALL_64 imitating
 * it) pushes ss, sp, flags, cs, ip; the entry code pushes orig_ax and then the
 * general registers. So the last field is pushed first, and %rsp ends up
 * pointing at r15, the first field. The offsets below are the ones the
 * assembly uses (as Linux's uapi/asm/ptrace-abi.h); the C half checks each
 * against offsetof() so the two can never drift apart.
 */
#ifndef KERNEL_PTRACE_H
#define KERNEL_PTRACE_H

#define R15		0
#define R14		8
#define R13		16
#define R12		24
#define RBP		32
#define RBX		40
#define R11		48
#define R10		56
#define R9		64
#define R8		72
#define RAX		80
#define RCX		88
#define RDX		96
#define RSI		104
#define RDI		112
#define ORIG_RAX	120	/* the syscall number / error code */
#define RIP		128	/* from here on: the hardware (IRET) frame */
#define CS		136
#define EFLAGS		144
#define RSP		152
#define SS		160
#define FRAME_SIZE	168	/* sizeof(struct pt_regs) */

#ifndef __ASSEMBLER__
#include <stddef.h>

struct pt_regs {
	/* Callee-saved registers: only saved on a full entry. */
	unsigned long r15;	/*   0 */
	unsigned long r14;	/*   8 */
	unsigned long r13;	/*  16 */
	unsigned long r12;	/*  24 */
	unsigned long bp;	/*  32 */
	unsigned long bx;	/*  40 */
	/* Caller-saved registers. */
	unsigned long r11;	/*  48: user RFLAGS after SYSCALL */
	unsigned long r10;	/*  56: 4th syscall argument */
	unsigned long r9;	/*  64: 6th syscall argument */
	unsigned long r8;	/*  72: 5th syscall argument */
	unsigned long ax;	/*  80: return value (-ENOSYS until a handler runs) */
	unsigned long cx;	/*  88: user RIP after SYSCALL */
	unsigned long dx;	/*  96: 3rd syscall argument */
	unsigned long si;	/* 104: 2nd syscall argument */
	unsigned long di;	/* 112: 1st syscall argument */
	/* The syscall number for syscalls, the error code for exceptions. */
	unsigned long orig_ax;	/* 120 */
	/* The return frame, as IRETQ pops it. */
	unsigned long ip;	/* 128 */
	unsigned long cs;	/* 136 */
	unsigned long flags;	/* 144 */
	unsigned long sp;	/* 152 */
	unsigned long ss;	/* 160 */
};

_Static_assert(offsetof(struct pt_regs, r15) == R15, "pt_regs.r15");
_Static_assert(offsetof(struct pt_regs, r14) == R14, "pt_regs.r14");
_Static_assert(offsetof(struct pt_regs, r13) == R13, "pt_regs.r13");
_Static_assert(offsetof(struct pt_regs, r12) == R12, "pt_regs.r12");
_Static_assert(offsetof(struct pt_regs, bp) == RBP, "pt_regs.bp");
_Static_assert(offsetof(struct pt_regs, bx) == RBX, "pt_regs.bx");
_Static_assert(offsetof(struct pt_regs, r11) == R11, "pt_regs.r11");
_Static_assert(offsetof(struct pt_regs, r10) == R10, "pt_regs.r10");
_Static_assert(offsetof(struct pt_regs, r9) == R9, "pt_regs.r9");
_Static_assert(offsetof(struct pt_regs, r8) == R8, "pt_regs.r8");
_Static_assert(offsetof(struct pt_regs, ax) == RAX, "pt_regs.ax");
_Static_assert(offsetof(struct pt_regs, cx) == RCX, "pt_regs.cx");
_Static_assert(offsetof(struct pt_regs, dx) == RDX, "pt_regs.dx");
_Static_assert(offsetof(struct pt_regs, si) == RSI, "pt_regs.si");
_Static_assert(offsetof(struct pt_regs, di) == RDI, "pt_regs.di");
_Static_assert(offsetof(struct pt_regs, orig_ax) == ORIG_RAX, "pt_regs.orig_ax");
_Static_assert(offsetof(struct pt_regs, ip) == RIP, "pt_regs.ip");
_Static_assert(offsetof(struct pt_regs, cs) == CS, "pt_regs.cs");
_Static_assert(offsetof(struct pt_regs, flags) == EFLAGS, "pt_regs.flags");
_Static_assert(offsetof(struct pt_regs, sp) == RSP, "pt_regs.sp");
_Static_assert(offsetof(struct pt_regs, ss) == SS, "pt_regs.ss");
_Static_assert(sizeof(struct pt_regs) == FRAME_SIZE, "sizeof(struct pt_regs)");

/* True when the frame was saved while the CPU ran ring-3 code. */
static inline int user_mode(const struct pt_regs *regs)
{
	return (regs->cs & 3) == 3;
}

#endif /* !__ASSEMBLER__ */
#endif /* KERNEL_PTRACE_H */
