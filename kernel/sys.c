/*
 * sys.c: the system calls the demo uses. Each __x64_sys_foo / __ia32_sys_foo
 * reads its arguments from pt_regs and returns the value that
 * do_syscall_64() stores in pt_regs->ax (a negative errno on failure).
 */
#include "kernel.h"
#include "processor.h"
#include "syscall.h"

/* Bits a signal frame may change in RFLAGS (Linux: FIX_EFLAGS). */
#define FIX_EFLAGS	(X86_EFLAGS_AC | 0x800 /* OF */ | X86_EFLAGS_DF | X86_EFLAGS_TF | \
			 0x80 /* SF */ | 0x40 /* ZF */ | 0x10 /* AF */ | 0x4 /* PF */ | \
			 X86_EFLAGS_CF | X86_EFLAGS_RF)

/* The saved user registers of the current task: just below the top of its stack. */
static struct pt_regs *current_pt_regs(void)
{
	return (struct pt_regs *)*this_cpu_ptr(&cpu_current_top_of_stack) - 1;
}

/* sys_ni_syscall: every number without a handler. */
long __x64_sys_ni_syscall(const struct pt_regs *regs)
{
	(void)regs;
	return -ENOSYS;
}

/* write(fd, buf, count): fd 1 and 2 both go to the serial console. */
static long ksys_write(unsigned int fd, unsigned long buf, unsigned long count)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	if (!user_range_ok(buf, count))
		return -EFAULT;
	serial_write((const char *)buf, count);
	return (long)count;
}

long __x64_sys_write(const struct pt_regs *regs)
{
	return ksys_write((unsigned int)regs->di, regs->si, regs->dx);
}

/* The IA-32 ABI passes arguments in ebx, ecx, edx; they are 32 bits wide. */
long __ia32_sys_write(const struct pt_regs *regs)
{
	return ksys_write((unsigned int)regs->bx, (uint32_t)regs->cx, (uint32_t)regs->dx);
}

long __x64_sys_getpid(const struct pt_regs *regs)
{
	(void)regs;
	return init_task.pid;
}

long __ia32_sys_getpid(const struct pt_regs *regs)
{
	(void)regs;
	return init_task.pid;
}

/*
 * rt_sigreturn, teaching version. A real signal frame holds every register;
 * this one holds ip, sp, flags and ax (struct teach_sigframe), placed by the
 * demo at its stack pointer. What matters is the effect on the exit path:
 * the handler rewrites pt_regs->ip (and sp, flags), so pt_regs->ip no longer
 * equals pt_regs->cx, the first SYSRET check fails and the kernel returns
 * with IRET, which restores the frame exactly.
 *
 * Like Linux, the handler takes its pt_regs from current_pt_regs(): the
 * argument is const because ordinary handlers must not change the frame.
 */
long __x64_sys_rt_sigreturn(const struct pt_regs *unused)
{
	struct pt_regs *regs = current_pt_regs();
	const struct teach_sigframe *frame = (const struct teach_sigframe *)regs->sp;

	(void)unused;
	if (!user_range_ok(regs->sp, sizeof(*frame)))
		return -EFAULT;
	/* Linux would raise SIGSEGV later; with no signals, refuse a frame IRET would fault on. */
	if (frame->ip >= TASK_SIZE_MAX || frame->sp >= TASK_SIZE_MAX)
		return -EFAULT;
	regs->ip = frame->ip;
	regs->sp = frame->sp;
	regs->flags = (regs->flags & ~FIX_EFLAGS) | (frame->flags & FIX_EFLAGS);
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	return (long)frame->ax;
}

/*
 * exit_group: the demo is the only process (Linux would panic: "Attempted to
 * kill init!"). In self-test mode its exit code is the verdict; QEMU ends
 * through isa-debug-exit either way.
 */
static __noreturn void do_exit_group(int code)
{
	if (init_task.selftest) {
		pr_info("selftest: %s\n", code == 0 ? "passed" : "failed");
	} else {
		pr_info("init exited with code %d\n", code);
	}
	qemu_exit(code == 0 ? QEMU_EXIT_SUCCESS : QEMU_EXIT_FAILURE);
}

long __x64_sys_exit_group(const struct pt_regs *regs)
{
	do_exit_group((int)regs->di);
}

long __ia32_sys_exit(const struct pt_regs *regs)
{
	do_exit_group((int)regs->bx);
}
