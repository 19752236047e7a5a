/*
 * kernel.h: what the kernel's C files share: the console (pr_info, panic),
 * the few string helpers a freestanding kernel must bring itself, and the
 * boot-time set-up functions that start_kernel() calls in order.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "ptrace.h"

#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* lib.c: the compiler may emit calls to memset/memcpy even with -ffreestanding. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
/* True when the space-separated command line contains the word. */
int cmdline_has_word(const char *cmdline, const char *word);

/* printk.c: COM1 console, formatted output, panic and QEMU exit. */
void serial_init(void);
void serial_write(const char *buf, size_t len);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__printf(1, 2) void pr_info(const char *fmt, ...);
__printf(1, 2) __noreturn void panic(const char *fmt, ...);
/* Ends QEMU through isa-debug-exit: status = (code << 1) | 1. */
__noreturn void qemu_exit(uint32_t code);

/* cpu.c */
void setup_per_cpu_areas(void);
void cpu_init(void);
void syscall_init(void);
void init_pic_masked(void);

/* traps.c */
void trap_init(void);

/* mm.c */
void paging_init(void);
/* True when [addr, addr + len) lies inside the demo's mapped user pages. */
int user_range_ok(unsigned long addr, unsigned long len);
/* The RSP a new user process starts with. */
unsigned long user_stack_top(void);

/* main.c: the "process" state the few syscalls need. */
struct task {
	int pid;
	int selftest;		/* run the demo once and end QEMU with its verdict */
};
extern struct task init_task;

/* entry_64.S */
__noreturn void start_user(struct pt_regs *regs);

#endif /* KERNEL_KERNEL_H */
