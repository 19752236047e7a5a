/*
 * traps.c: the IDT. Vectors 0-31 are CPU exceptions, each reported and
 * fatal; vector 0x80 is the int $0x80 system call gate. Every other vector
 * stays not-present: no device interrupt is ever enabled.
 */
#include "kernel.h"
#include "processor.h"

#define GATE_INTERRUPT	0xe	/* clears IF on entry, like every Linux gate */
#define X86_TRAP_DF	8
#define X86_TRAP_PF	14

/*
 * One page, page-aligned: with page-table isolation the user page table maps
 * exactly this page, because the CPU reads the IDT before any entry code runs.
 */
struct gate_struct idt_table[IDT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
_Static_assert(sizeof(idt_table) == PAGE_SIZE, "the IDT fills exactly one page");

extern const unsigned long exception_entries[32];
extern char entry_INT80_compat[];

static void set_gate(unsigned vector, unsigned long handler, unsigned dpl, unsigned ist)
{
	struct gate_struct *g = &idt_table[vector];

	g->offset_low = (uint16_t)handler;
	g->segment = __KERNEL_CS;
	g->bits = (uint16_t)(ist | (GATE_INTERRUPT << 8) | (dpl << 13) | (1 << 15));
	g->offset_middle = (uint16_t)(handler >> 16);
	g->offset_high = (uint32_t)(handler >> 32);
	g->reserved = 0;
}

/* Fill and load the IDT. */
void trap_init(void)
{
	struct {
		uint16_t size;
		uint64_t address;
	} __attribute__((packed)) idt_descr = { sizeof(idt_table) - 1, (unsigned long)idt_table };

	for (unsigned v = 0; v < ARRAY_SIZE(exception_entries); v++)
		set_gate(v, exception_entries[v], 0, v == X86_TRAP_DF ? 1 : 0);
	/* DPL 3: ring-3 code may raise this one with int $0x80. */
	set_gate(IA32_SYSCALL_VECTOR, (unsigned long)entry_INT80_compat, 3, 0);
	__asm__ volatile("lidt %0" : : "m"(idt_descr));
}

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization",
	"#CP control protection",
};

void exc_handler(struct pt_regs *regs, int vector);

/* Called by exception_common in entry_64.S: report the fault and end QEMU. */
void exc_handler(struct pt_regs *regs, int vector)
{
	const char *name = exception_names[vector] ? exception_names[vector] : "reserved";
	unsigned long cr2 = 0;

	if (vector == X86_TRAP_PF)
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	pr_info("exception %d (%s) in %s mode: error code %lx\n", vector, name,
		user_mode(regs) ? "user" : "kernel", regs->orig_ax);
	pr_info("  RIP %lx  CS %lx  RFLAGS %lx  RSP %lx  SS %lx  CR2 %lx\n",
		regs->ip, regs->cs, regs->flags, regs->sp, regs->ss, cr2);
	pr_info("  RAX %lx  RBX %lx  RCX %lx  RDX %lx  RSI %lx  RDI %lx\n",
		regs->ax, regs->bx, regs->cx, regs->dx, regs->si, regs->di);
	panic("unexpected exception %d", vector);
}
