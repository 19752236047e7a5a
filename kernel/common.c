/*
 * common.c: the C half of system call entry, after Linux 5.14's
 * arch/x86/entry/common.c. entry_SYSCALL_64 has saved the user registers
 * as a struct pt_regs and calls do_syscall_64(); int $0x80 arrives in
 * do_int80_syscall_32().
 */
#include "kernel.h"
#include "syscall.h"

#define noinline __attribute__((noinline))
#define likely(x) __builtin_expect(!!(x), 1)

/*
 * array_index_mask_nospec - ~0UL when index < size, 0 otherwise, computed
 * without a branch (cmp sets the carry flag, sbb turns it into all ones).
 *
 * The bounds check before a table lookup is a branch the CPU may predict
 * wrongly (Spectre v1): for a few instructions it would index the table
 * with an out-of-range, attacker-chosen number. ANDing the index with this
 * mask makes even that speculative lookup use entry 0.
 */
static inline unsigned long array_index_mask_nospec(unsigned long index, unsigned long size)
{
	unsigned long mask;

	__asm__ volatile("cmp %1, %2; sbb %0, %0" : "=r"(mask) : "g"(size), "r"(index) : "cc");
	return mask;
}

#define array_index_nospec(index, size) ((index) & array_index_mask_nospec((index), (size)))

/*
 * Linux marks do_syscall_x64/x32 __always_inline. The teaching kernel keeps
 * them as real functions (noinline) so that a learner can stop in each one
 * and see which table a number went to.
 */
static noinline int do_syscall_x64(struct pt_regs *regs, int nr)
{
	/*
	 * Convert negative numbers to very high and thus out of range
	 * numbers for comparisons.
	 */
	unsigned int unr = (unsigned int)nr;

	if (likely(unr < NR_syscalls)) {
		unr = (unsigned int)array_index_nospec(unr, NR_syscalls);
		regs->ax = (unsigned long)sys_call_table[unr](regs);
		return 1;
	}
	return 0;
}

static noinline int do_syscall_x32(struct pt_regs *regs, int nr)
{
	/*
	 * Adjust the starting offset of the table, and convert numbers
	 * < __X32_SYSCALL_BIT to very high and thus out of range
	 * numbers for comparisons.
	 */
	unsigned int xnr = (unsigned int)nr - __X32_SYSCALL_BIT;

	if (likely(xnr < X32_NR_syscalls)) {
		xnr = (unsigned int)array_index_nospec(xnr, X32_NR_syscalls);
		regs->ax = (unsigned long)x32_sys_call_table[xnr](regs);
		return 1;
	}
	return 0;
}

/*
 * Linux also calls syscall_enter_from_user_mode() before the dispatch
 * (context tracking, then sti, then ptrace/seccomp/tracing, which may change
 * nr) and syscall_exit_to_user_mode() after it (exit tracing with IRQs on,
 * then cli, then signals and rescheduling). The teaching kernel has none of
 * that work and keeps IRQs off, so the dispatch is all there is.
 *
 * A number no table takes still gets a stored result: sys_ni_syscall()'s
 * -ENOSYS, the same value as the entry's preset. Only nr == -1 (a syscall
 * seccomp or a tracer cancelled) leaves the preset as the result.
 */
void do_syscall_64(struct pt_regs *regs, int nr)
{
	if (!do_syscall_x64(regs, nr) && !do_syscall_x32(regs, nr) && nr != -1) {
		/* Invalid system call, but still a system call. */
		regs->ax = (unsigned long)__x64_sys_ni_syscall(regs);
	}
}

/*
 * int $0x80: the number is in eax (orig_ax), the table is the IA-32 one.
 * Linux's __ia32_sys_ni_syscall is an alias of the same -ENOSYS function.
 */
void do_int80_syscall_32(struct pt_regs *regs)
{
	unsigned int nr = (unsigned int)regs->orig_ax;

	if (likely(nr < IA32_NR_syscalls)) {
		nr = (unsigned int)array_index_nospec(nr, IA32_NR_syscalls);
		regs->ax = (unsigned long)ia32_sys_call_table[nr](regs);
	} else if ((int)nr != -1) {
		regs->ax = (unsigned long)__x64_sys_ni_syscall(regs);
	}
}
