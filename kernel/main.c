/*
 * main.c: start_kernel(), from the PVH boot information to the first
 * instruction of the ring-3 demo.
 */
#include "kernel.h"
#include "processor.h"

#define XEN_HVM_START_MAGIC_VALUE	0x336ec578
#define THREAD_SIZE			(4 * PAGE_SIZE)
#define COMMAND_LINE_SIZE		256

/* struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h), version 0 part. */
struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;		/* NUL-terminated, physical address */
	uint64_t rsdp_paddr;
};

/* The one process: pid 1, like init. */
struct task init_task = { .pid = 1 };

/* Its kernel stack: entries build pt_regs at the top (cpu_current_top_of_stack). */
static unsigned long init_task_stack[THREAD_SIZE / sizeof(unsigned long)]
	__attribute__((aligned(THREAD_SIZE)));

static char boot_command_line[COMMAND_LINE_SIZE];

extern char demo_start[];

/*
 * The start_info block and the command line are read through the early
 * 1 GiB mapping, so this must run before paging_init() replaces it.
 */
static void copy_boot_params(unsigned long start_info_phys)
{
	const struct hvm_start_info *si = __va(start_info_phys);

	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		panic("boot: start_info at %lx has magic %x, want %x (not booted through PVH?)",
		      start_info_phys, si->magic, XEN_HVM_START_MAGIC_VALUE);
	if (si->cmdline_paddr) {
		const char *cmdline = __va(si->cmdline_paddr);
		size_t i = 0;

		while (cmdline[i] && i < COMMAND_LINE_SIZE - 1) {
			boot_command_line[i] = cmdline[i];
			i++;
		}
		boot_command_line[i] = '\0';
	}
}

/*
 * Build the first return to user mode: a pt_regs at the top of the task
 * stack, as if the demo had just made a system call, with ip = its entry
 * point, RFLAGS = IF | the always-one bit (0x202), and rdi = "self-test?"
 * (the demo's first argument).
 */
static __noreturn void run_init_process(void)
{
	unsigned long top = (unsigned long)(init_task_stack + ARRAY_SIZE(init_task_stack));
	struct pt_regs *regs = (struct pt_regs *)top - 1;

	*this_cpu_ptr(&cpu_current_top_of_stack) = top;
	memset(regs, 0, sizeof(*regs));
	regs->ip = (unsigned long)demo_start;
	regs->cs = __USER_CS;
	regs->flags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	regs->sp = user_stack_top();
	regs->ss = __USER_DS;
	regs->orig_ax = (unsigned long)-1;
	regs->di = (unsigned long)init_task.selftest;
	pr_info("Run the ring-3 demo at %lx%s\n", regs->ip, init_task.selftest ? " (selftest)" : "");
	start_user(regs);
}

void start_kernel(unsigned long start_info_phys);

/* Called by startup_64 (head_64.S) on the boot stack, interrupts off. */
void start_kernel(unsigned long start_info_phys)
{
	serial_init();
	copy_boot_params(start_info_phys);
	pr_info("syswalk teaching kernel, page-table isolation %s\n",
		CONFIG_PAGE_TABLE_ISOLATION ? "on" : "off");
	pr_info("Command line: %s\n", boot_command_line);
	init_task.selftest = cmdline_has_word(boot_command_line, "selftest");

	setup_per_cpu_areas();
	cpu_init();
	trap_init();
	init_pic_masked();
	syscall_init();
	paging_init();
	run_init_process();
}
