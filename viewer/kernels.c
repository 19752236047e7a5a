/* kernels.c: the table of kernel targets (see kernels.h). */
#include "kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept in the demo's own order: kernel/user/demo.c issues them exactly so. */
static const struct demo_syscall teach_syscalls[] = {
	{ "write", 1, "entry_SYSCALL_64", "demo_syscall_write",
	  "write(1, \"Hello from ring 3!\\n\", 19): a handler that does real work, returns 19",
	  NULL, NULL },
	{ "getpid", 39, "entry_SYSCALL_64", "demo_syscall_getpid",
	  "getpid(): the shortest round trip through the kernel, returns 1", NULL, NULL },
	{ "enosys", 500, "entry_SYSCALL_64", "demo_syscall_enosys",
	  "syscall 500, which no table holds: sys_ni_syscall returns -ENOSYS (-38)",
	  NULL, NULL },
	{ "x32", 0x40000027, "entry_SYSCALL_64", "demo_syscall_x32",
	  "getpid with the x32 bit (0x40000000|39): dispatched through x32_sys_call_table",
	  NULL, NULL },
	{ "iret", 15, "entry_SYSCALL_64", "demo_syscall_iret",
	  "rt_sigreturn: rewrites the saved user context, so SYSRET's checks fail and IRET returns",
	  NULL, NULL },
	{ "int80", 20, "entry_INT80_compat", "demo_syscall_int80",
	  "int $0x80 with eax 20: the 32-bit getpid through the IDT and ia32_sys_call_table",
	  NULL, NULL },
};

/* Linux has no clean equivalent of the teaching kernel's rt_sigreturn demo. The init
 * (kernel/linux-init/init.S) leaves int $0x80 out when the command line says "noint80":
 * without CONFIG_IA32_EMULATION vector 0x80 has no gate, and the #GP would kill PID 1. */
static const struct demo_syscall linux_syscalls[] = {
	{ "write", 1, "entry_SYSCALL_64", "init_syscall_write",
	  "write(1, \"Hello from ring 3!\\n\", 19) to the console: the tty layer's work, returns 19",
	  NULL, NULL },
	{ "getpid", 39, "entry_SYSCALL_64", "init_syscall_getpid",
	  "getpid(): returns 1, our init is process 1", NULL, NULL },
	{ "enosys", 500, "entry_SYSCALL_64", "init_syscall_enosys",
	  "syscall 500, unused on x86_64: do_syscall_64 stores sys_ni_syscall's -ENOSYS (-38)",
	  NULL, NULL },
	{ "x32", 0x40000027, "entry_SYSCALL_64", "init_syscall_x32",
	  "getpid with the x32 bit: -ENOSYS on a kernel built without CONFIG_X86_X32_ABI (Debian's)",
	  NULL, NULL },
	/* Since a 2023 stable backport, 6.1 enters int $0x80 through asm_int80_emulation. */
	{ "int80", 20, "asm_int80_emulation", "init_syscall_int80",
	  "int $0x80 with eax 20: the 32-bit getpid through asm_int80_emulation",
	  "CONFIG_IA32_EMULATION", "noint80" },
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct kernel_target targets[] = {
	{
		.name = "teach",
		.title = "the teaching kernel (kernel/)",
		.notes = "teach",
		.home = KERNEL_HOME_BUILD,
		.image = "syswalk-kernel.elf",
		.get_image = "make kernel",
		.syscalls = teach_syscalls,
		.nsyscalls = COUNT(teach_syscalls),
	},
	{
		/* nokaslr: the symbol files' addresses must be the running kernel's. */
		.name = "linux",
		.title = "Debian's Linux 6.1 (cloud-amd64), or your own 6.1 build with --kernel",
		.notes = "linux-6.1",
		.home = KERNEL_HOME_CACHE,
		.home_dir = "linux",
		.image = "vmlinuz",
		.get_image = "scripts/fetch-linux.sh --dbg (or make run-linux)",
		.append = "console=ttyS0 nokaslr panic=-1 quiet",
		.pti_word = { "pti=off", "pti=on" },
		.memory = "256M",
		.demo_program = "init",
		.initrd = "initramfs.cpio",
		.get_initrd = "make linux-initramfs",
		.syscalls = linux_syscalls,
		.nsyscalls = COUNT(linux_syscalls),
	},
};

const struct kernel_target *kernels_all(int *n)
{
	*n = COUNT(targets);
	return targets;
}

const struct kernel_target *kernels_find(const char *name)
{
	for (int i = 0; i < COUNT(targets); i++)
		if (strcmp(targets[i].name, name) == 0)
			return &targets[i];
	return NULL;
}

const struct kernel_target *kernels_default(void)
{
	return &targets[0];
}

const struct demo_syscall *kernels_syscall(const struct kernel_target *kt, const char *spec)
{
	char *end;
	unsigned long long nr = strtoull(spec, &end, 0);
	bool numeric = end != spec && *end == '\0';

	for (int i = 0; i < kt->nsyscalls; i++)
		if (strcmp(kt->syscalls[i].name, spec) == 0 || (numeric && kt->syscalls[i].rax == nr))
			return &kt->syscalls[i];
	return NULL;
}

const char *kernels_command_line(const struct kernel_target *kt, bool pti, const char *extra,
				 char *buf, size_t len)
{
	const char *words[3] = { kt->append, kt->pti_word[pti ? 1 : 0], extra };
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (!words[i] || !words[i][0] || used >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", words[i]);
	}
	return buf;
}
