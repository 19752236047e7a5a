/*
 * mm.c: the page tables.
 *
 * Two PGDs, an 8 KiB-aligned pair as in Linux's page-table isolation:
 *
 *   kernel PGD (CR3 bit 12 clear): the kernel image at 0xffffffff81000000,
 *     supervisor-only, plus the user pages.
 *   user PGD (CR3 bit 12 set): the same user pages, plus, supervisor-only,
 *     only what the CPU touches before the entry code has switched CR3:
 *     the .entry.text pages, the IDT page and this CPU's per-CPU area (GDT,
 *     TSS with the sp2 scratch slot, trampoline stack, #DF stack).
 *
 * The user half of both PGDs points at the same lower-level tables, so a
 * user mapping exists once. Everything uses 4 KiB pages so each page can be
 * given exactly the access it needs; the tables come from a small static pool.
 */
#include "kernel.h"
#include "processor.h"

#define _PAGE_PRESENT	0x001
#define _PAGE_RW	0x002
#define _PAGE_USER	0x004
/* Intermediate levels allow everything; the last level decides. */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)
#define PTRS_PER_TABLE	512
#define PT_POOL_PAGES	16

/* The user stack: 16 KiB just below the top of the user half, as in a real process. */
#define USER_STACK_TOP	_AC(0x7ffffffff000, UL)
#define USER_STACK_SIZE	(4 * PAGE_SIZE)

extern char _text[], _end[], __entry_text_start[], __entry_text_end[];
extern char __user_start[], __user_text_end[], __user_end[], __user_load[];

/* [0..511] kernel PGD, [512..1023] user PGD. */
static unsigned long pgd_pair[2 * PTRS_PER_TABLE] __attribute__((aligned(2 * PAGE_SIZE)));
static unsigned long pt_pool[PT_POOL_PAGES][PTRS_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static unsigned pt_pool_used;
static unsigned char user_stack[USER_STACK_SIZE] __attribute__((aligned(PAGE_SIZE)));

static unsigned long *kernel_pgd(void)
{
	return pgd_pair;
}

static unsigned long *user_pgd(void)
{
	return pgd_pair + PTRS_PER_TABLE;
}

static unsigned long *alloc_table(void)
{
	if (pt_pool_used == PT_POOL_PAGES)
		panic("mm: page-table pool (%d pages) exhausted", PT_POOL_PAGES);
	return pt_pool[pt_pool_used++];	/* .bss: already zero */
}

/* Map one 4 KiB page, creating the intermediate tables as needed. */
static void map_page(unsigned long *pgd, unsigned long va, unsigned long pa, unsigned long flags)
{
	unsigned long *table = pgd;

	for (int shift = 39; shift > PAGE_SHIFT; shift -= 9) {
		unsigned long *entry = &table[(va >> shift) & (PTRS_PER_TABLE - 1)];

		if (!(*entry & _PAGE_PRESENT))
			*entry = __pa(alloc_table()) | _PAGE_TABLE;
		table = __va(*entry & ~(PAGE_SIZE - 1));
	}
	table[(va >> PAGE_SHIFT) & (PTRS_PER_TABLE - 1)] = pa | flags;
}

static void map_range(unsigned long *pgd, unsigned long start, unsigned long end,
		      unsigned long pa, unsigned long flags)
{
	start &= ~(PAGE_SIZE - 1);
	pa &= ~(PAGE_SIZE - 1);
	for (unsigned long va = start; va < end; va += PAGE_SIZE, pa += PAGE_SIZE)
		map_page(pgd, va, pa, flags);
}

/* Map a range of the kernel image at its link address. */
static void map_kernel_range(unsigned long *pgd, const void *start, const void *end)
{
	map_range(pgd, (unsigned long)start, (unsigned long)end, __pa(start), _PAGE_PRESENT | _PAGE_RW);
}

/*
 * The demo's pages: text read-only, data/bss and stack writable, all
 * with the user bit. Its sections are linked at 0x400000 but loaded
 * right after the kernel; __user_load is where (as a kernel address).
 */
static void map_user(unsigned long *pgd)
{
	unsigned long pa = __pa(__user_load);
	unsigned long text_end = (unsigned long)__user_text_end;

	map_range(pgd, (unsigned long)__user_start, text_end, pa, _PAGE_PRESENT | _PAGE_USER);
	map_range(pgd, text_end, (unsigned long)__user_end,
		  pa + (text_end - (unsigned long)__user_start), _PAGE_PRESENT | _PAGE_RW | _PAGE_USER);
	map_range(pgd, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_TOP, __pa(user_stack),
		  _PAGE_PRESENT | _PAGE_RW | _PAGE_USER);
}

/* Build both page tables and switch CR3 to the kernel one. */
void paging_init(void)
{
	map_kernel_range(kernel_pgd(), _text, _end);
	map_user(kernel_pgd());

	if (CONFIG_PAGE_TABLE_ISOLATION) {
		/* The user half is shared: copy the top-level entries (Linux: pti_set_user_pgtbl). */
		for (int i = 0; i < PTRS_PER_TABLE / 2; i++)
			user_pgd()[i] = kernel_pgd()[i];
		map_kernel_range(user_pgd(), __entry_text_start, __entry_text_end);
		map_kernel_range(user_pgd(), idt_table, idt_table + IDT_ENTRIES);
		map_kernel_range(user_pgd(), __per_cpu_area, __per_cpu_area + (__per_cpu_end - __per_cpu_start));
	}
	write_cr3(__pa(kernel_pgd()));
	pr_info("mm: kernel PGD %lx, user PGD %lx, %u page-table pages\n",
		__pa(kernel_pgd()), CONFIG_PAGE_TABLE_ISOLATION ? __pa(user_pgd()) : __pa(kernel_pgd()),
		pt_pool_used);
}

/* The address a new user process starts with in RSP. */
unsigned long user_stack_top(void)
{
	return USER_STACK_TOP;
}

/*
 * A small access_ok(): the range must not wrap and must lie in pages the
 * demo really has, so the kernel never faults on a user pointer.
 */
int user_range_ok(unsigned long addr, unsigned long len)
{
	unsigned long end = addr + len;

	if (end < addr)
		return 0;
	if (addr >= (unsigned long)__user_start && end <= (unsigned long)__user_end)
		return 1;
	return addr >= USER_STACK_TOP - USER_STACK_SIZE && end <= USER_STACK_TOP;
}
