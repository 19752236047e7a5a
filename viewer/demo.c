/* demo.c: the table of demo syscalls per target (see demo.h). */
#include "demo.h"

#include <stdlib.h>
#include <string.h>

/* Kept in the demo's own order: kernel/user/demo.c issues them exactly so. */
static const struct demo_syscall teach_syscalls[] = {
	{ "write", 1, "entry_SYSCALL_64", "demo_syscall_write",
	  "write(1, \"Hello from ring 3!\\n\", 19): a handler that does real work, returns 19" },
	{ "getpid", 39, "entry_SYSCALL_64", "demo_syscall_getpid",
	  "getpid(): the shortest round trip through the kernel, returns 1" },
	{ "enosys", 500, "entry_SYSCALL_64", "demo_syscall_enosys",
	  "syscall 500, which no table holds: -ENOSYS (-38) from the pt_regs->ax preset" },
	{ "x32", 0x40000027, "entry_SYSCALL_64", "demo_syscall_x32",
	  "getpid with the x32 bit (0x40000000|39): dispatched through x32_sys_call_table" },
	{ "iret", 15, "entry_SYSCALL_64", "demo_syscall_iret",
	  "rt_sigreturn: rewrites the saved user context, so SYSRET's checks fail and IRET returns" },
	{ "int80", 20, "entry_INT80_compat", "demo_syscall_int80",
	  "int $0x80 with eax 20: the 32-bit getpid through the IDT and ia32_sys_call_table" },
};

/* Linux has no clean equivalent of the teaching kernel's rt_sigreturn demo. */
static const struct demo_syscall linux_syscalls[] = {
	{ "write", 1, "entry_SYSCALL_64", "init_syscall_write",
	  "write(1, \"Hello from ring 3!\\n\", 19) to the console: a deep handler, run through" },
	{ "getpid", 39, "entry_SYSCALL_64", "init_syscall_getpid",
	  "getpid(): returns 1, our init is process 1" },
	{ "enosys", 500, "entry_SYSCALL_64", "init_syscall_enosys",
	  "syscall 500, unused on x86_64: -ENOSYS (-38)" },
	{ "x32", 0x40000027, "entry_SYSCALL_64", "init_syscall_x32",
	  "getpid with the x32 bit: Debian builds 6.1 without CONFIG_X86_X32_ABI, so -ENOSYS" },
	/* Since a 2023 stable backport, 6.1 enters int $0x80 through asm_int80_emulation. */
	{ "int80", 20, "asm_int80_emulation", "init_syscall_int80",
	  "int $0x80 with eax 20: the 32-bit getpid through asm_int80_emulation" },
};

const struct demo_syscall *demo_syscalls(enum syswalk_target target, int *n)
{
	if (target == TARGET_LINUX) {
		*n = (int)(sizeof(linux_syscalls) / sizeof(linux_syscalls[0]));
		return linux_syscalls;
	}
	*n = (int)(sizeof(teach_syscalls) / sizeof(teach_syscalls[0]));
	return teach_syscalls;
}

const struct demo_syscall *demo_find(enum syswalk_target target, const char *spec)
{
	int n;
	const struct demo_syscall *all = demo_syscalls(target, &n);
	char *end;
	unsigned long long nr = strtoull(spec, &end, 0);
	bool numeric = end != spec && *end == '\0';

	for (int i = 0; i < n; i++) {
		if (strcmp(all[i].name, spec) == 0 || (numeric && all[i].rax == nr))
			return &all[i];
	}
	return NULL;
}

const char *demo_target_name(enum syswalk_target target)
{
	return target == TARGET_LINUX ? "linux" : "teach";
}
