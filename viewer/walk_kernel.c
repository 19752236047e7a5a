/* walk_kernel.c: what the kernel being walked has: its build options, the per-CPU
 * layout, the demo syscalls it can take, and whether a note's "requires:" lines hold.
 *
 * A learner's own build differs from the kernel the notes were written on (no SMP, no
 * page-table isolation, no IA-32 emulation...). Its .config says so when it is found
 * beside the image; without one, a few options are told by symbols that exist exactly
 * when the option is set. What cannot be told is "unknown", and a note is then kept:
 * its anchor decides, and a false check: line is shown as such at the stop.
 */
#include <stdio.h>
#include <string.h>

#include "walk.h"
#include "walk_internal.h"

/* Options that leave a symbol exactly when set (Linux 6.1): the file that defines it is
 * built only with the option, or the definition sits inside its #ifdef. */
static const struct {
	const char *option;
	const char *symbol;
} option_symbols[] = {
	{ "CONFIG_IA32_EMULATION", "ia32_sys_call" },            /* arch/x86/entry/syscall_32.c */
	{ "CONFIG_X86_X32_ABI", "x32_sys_call" },                /* arch/x86/entry/syscall_x32.c */
	{ "CONFIG_PAGE_TABLE_ISOLATION", "pti_init" },           /* arch/x86/mm/pti.c */
	{ "CONFIG_SMP", "__per_cpu_offset" },                    /* arch/x86/kernel/setup_percpu.c */
	{ "CONFIG_RANDOMIZE_KSTACK_OFFSET", "randomize_kstack_offset" },  /* init/main.c */
};

enum kconfig_state walk_kernel_option(const struct walk *w, const char *name)
{
	enum kconfig_state st = kconfig_state(&w->kconfig, name);
	if (st != KCONFIG_UNKNOWN || !w->kernel_symbols)
		return st;
	for (size_t i = 0; i < sizeof(option_symbols) / sizeof(option_symbols[0]); i++)
		if (strcmp(option_symbols[i].option, name) == 0)
			return symbols_by_name(&w->syms, option_symbols[i].symbol) ? KCONFIG_YES : KCONFIG_NO;
	return KCONFIG_UNKNOWN;
}

/* Where the answer came from, for messages: "in .config", "(told by its symbols)". */
static const char *option_source(const struct walk *w)
{
	return w->kconfig.loaded ? "in the kernel's .config" : "by this kernel's symbols";
}

int walk_requirement(void *ctx, const char *item, char *why, size_t whylen)
{
	const struct walk *w = ctx;
	bool negate = item[0] == '!';
	const char *p = item + negate;
	int holds;
	if (strcmp(p, "pti") == 0) {
		if (w->pti == WALK_PTI_UNKNOWN)
			return -1;
		holds = w->pti == WALK_PTI_ON;
		snprintf(why, whylen, "page-table isolation is %s in this boot", holds ? "on" : "off");
	} else if (strncmp(p, "symbol ", 7) == 0) {
		if (!w->kernel_symbols)
			return -1;
		holds = symbols_by_name(&w->syms, p + 7) != NULL;
		snprintf(why, whylen, "this kernel %s symbol '%s'", holds ? "has a" : "has no", p + 7);
	} else {
		enum kconfig_state st = walk_kernel_option(w, p);
		if (st == KCONFIG_UNKNOWN)
			return -1;
		holds = st == KCONFIG_YES;
		snprintf(why, whylen, "%s is %s %s", p, holds ? "set" : "not set", option_source(w));
	}
	return negate ? !holds : holds;
}

bool walk_syscall_available(const struct walk *w, const struct demo_syscall *sc, char *why, size_t len)
{
	if (sc->requires && walk_kernel_option(w, sc->requires) == KCONFIG_NO) {
		snprintf(why, len, "this kernel has no %s (not set %s): the %s walk is not available",
			 sc->requires + strlen("CONFIG_"), option_source(w), sc->name);
		return false;
	}
	if (w->kernel_symbols && !symbols_by_name(&w->syms, sc->entry)) {
		snprintf(why, len, "this kernel has no symbol '%s': the %s walk is not available",
			 sc->entry, sc->name);
		return false;
	}
	return true;
}

uint64_t walk_percpu_address(const struct walk *w, uint64_t sym)
{
	if (sym >= KERNEL_HALF)
		return sym;
	uint64_t gs = walk_reg(w, "gs_base"), kgs = walk_reg(w, "k_gs_base");
	return (gs >= KERNEL_HALF ? gs : kgs) + sym;
}
