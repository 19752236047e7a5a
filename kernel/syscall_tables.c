/*
 * syscall_tables.c: sys_call_table, x32_sys_call_table and
 * ia32_sys_call_table, filled from the headers that
 * scripts/gen-syscall-table.sh generates from kernel/syscall_64.tbl and
 * kernel/syscall_32.tbl (Linux: arch/x86/entry/syscall_{64,x32,32}.c).
 *
 * Each generated header is a list of __SYSCALL(nr, entry) lines; defining
 * __SYSCALL before including it turns the list into designated initialisers.
 * Every slot first gets sys_ni_syscall, then the listed ones override it.
 */
#include "kernel.h"
#include "syscall.h"

/* Overriding the [0 ... N-1] default is the point here, not a mistake. */
#pragma GCC diagnostic ignored "-Woverride-init"

#define __SYSCALL(nr, sym) [nr] = __x64_##sym,
const sys_call_ptr_t sys_call_table[] = {
	[0 ... NR_syscalls - 1] = &__x64_sys_ni_syscall,
#include "syscalls_64.h"
};

/* x32 uses the 64-bit handlers for every "common" entry. */
const sys_call_ptr_t x32_sys_call_table[] = {
	[0 ... X32_NR_syscalls - 1] = &__x64_sys_ni_syscall,
#include "syscalls_x32.h"
};
#undef __SYSCALL

#define __SYSCALL(nr, sym) [nr] = __ia32_##sym,
const sys_call_ptr_t ia32_sys_call_table[] = {
	[0 ... IA32_NR_syscalls - 1] = &__x64_sys_ni_syscall,
#include "syscalls_32.h"
};
#undef __SYSCALL

_Static_assert(ARRAY_SIZE(sys_call_table) == NR_syscalls, "NR_syscalls = highest number + 1");
_Static_assert(ARRAY_SIZE(x32_sys_call_table) == X32_NR_syscalls, "X32_NR_syscalls");
_Static_assert(ARRAY_SIZE(ia32_sys_call_table) == IA32_NR_syscalls, "IA32_NR_syscalls");
