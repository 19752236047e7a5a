/* kernel/linux-init/init.S: the init that syswalk runs as PID 1 on Debian's Linux 6.1.
 *
 * A static x86_64 ELF with no libc: the kernel starts it from the initramfs
 * (/init) with argc, argv and envp on the stack. It prints a banner, then issues
 * the same system calls as the teaching kernel's demo, where Linux has them:
 *
 *   write(1, "Hello from ring 3!\n", 19)   -> 19
 *   getpid()                                -> 1 (we are init)
 *   syscall 500                             -> -ENOSYS (-38): no such number
 *   getpid with the x32 bit (0x40000000|39) -> -ENOSYS on Debian: its kernel is
 *                                              built without CONFIG_X86_X32_ABI
 *   int $0x80 with eax = 20 (i386 getpid)   -> 1, through the IA-32 emulation
 *
 * Each system call instruction has a global label (init_syscall_*), so the tests
 * and the viewer read its address with nm and recognise OUR syscall at the kernel
 * entry: there RCX holds the address of the next instruction, label + 2 (both
 * `syscall` and `int $0x80` are two bytes long).
 *
 * Normal mode loops for ever, so a walk can take the next syscall whenever it
 * wants. With the word `once` on the kernel command line (the kernel hands
 * unknown words without '=' to init as argv), init runs the five calls once,
 * prints one line per result and powers the machine off, so QEMU exits under
 * -no-reboot. That mode is how the tests check the results without a debugger.
 *
 * The word `noint80` leaves int $0x80 out (its result reads -ENOSYS). A kernel built
 * without CONFIG_IA32_EMULATION has no gate for vector 0x80: the #GP would kill PID 1
 * and panic the kernel. syswalk adds the word when the kernel's .config or symbols say
 * the option is missing (viewer/kernels.c).
 */

#define SYS_write	1
#define SYS_getpid	39
#define SYS_reboot	169
#define SYS_unknown	500
#define X32_BIT		0x40000000
#define IA32_getpid	20

/* reboot(2) magic numbers and the power-off command (include/uapi/linux/reboot.h) */
#define LINUX_REBOOT_MAGIC1		0xfee1dead
#define LINUX_REBOOT_MAGIC2		672274793
#define LINUX_REBOOT_CMD_POWER_OFF	0x4321fedc

	.section .rodata
banner:
	.ascii	"syswalk init: PID 1 on Linux; write, getpid, 500, x32 getpid, int $0x80 getpid\n"
	.set	banner_len, . - banner
hello:
	.ascii	"Hello from ring 3!\n"
	.set	hello_len, . - hello
once_word:
	.asciz	"once"
noint80_word:
	.asciz	"noint80"

/* Names printed in run-once mode, in the order of the results array. */
name_write:	.asciz	"write"
name_getpid:	.asciz	"getpid"
name_enosys:	.asciz	"syscall500"
name_x32:	.asciz	"x32_getpid"
name_int80:	.asciz	"int80_getpid"
names:
	.quad	name_write, name_getpid, name_enosys, name_x32, name_int80
	.set	nresults, 5

	.section .bss
	.balign	8
results:
	.skip	8 * nresults
line:				/* one output line: name, " = ", a signed number, "\n" */
	.skip	64

	.text
	.globl	_start
_start:
	/* The stack holds argc, then argv[0..argc-1], NULL. Look for "once", "noint80". */
	xor	%r15d, %r15d			/* r15 = 1 in run-once mode */
	xor	%r14d, %r14d			/* r14 = 1: leave int $0x80 out */
	mov	(%rsp), %rbx			/* argc */
	lea	8(%rsp), %r12			/* &argv[0] */
1:	test	%rbx, %rbx
	jz	2f
	mov	(%r12), %rdi
	lea	once_word(%rip), %rsi
	call	str_equal
	or	%eax, %r15d
	mov	(%r12), %rdi
	lea	noint80_word(%rip), %rsi
	call	str_equal
	or	%eax, %r14d
	add	$8, %r12
	dec	%rbx
	jmp	1b
2:
	mov	$SYS_write, %eax
	mov	$1, %edi
	lea	banner(%rip), %rsi
	mov	$banner_len, %edx
	syscall

demo_loop:
	mov	$SYS_write, %eax
	mov	$1, %edi
	lea	hello(%rip), %rsi
	mov	$hello_len, %edx
	.globl	init_syscall_write
init_syscall_write:
	syscall
	mov	%rax, results+0(%rip)

	mov	$SYS_getpid, %eax
	.globl	init_syscall_getpid
init_syscall_getpid:
	syscall
	mov	%rax, results+8(%rip)

	mov	$SYS_unknown, %eax
	.globl	init_syscall_enosys
init_syscall_enosys:
	syscall
	mov	%rax, results+16(%rip)

	mov	$(X32_BIT | SYS_getpid), %eax
	.globl	init_syscall_x32
init_syscall_x32:
	syscall
	mov	%rax, results+24(%rip)

	/* int $0x80 takes the i386 numbering and returns a 32-bit result in eax. */
	mov	$-38, %rax			/* -ENOSYS when it is left out */
	test	%r14d, %r14d
	jnz	5f
	mov	$IA32_getpid, %eax
	.globl	init_syscall_int80
init_syscall_int80:
	int	$0x80
	movslq	%eax, %rax
5:	mov	%rax, results+32(%rip)

	test	%r15d, %r15d
	jz	demo_loop

	/* Run-once mode: report every result, then power off. */
	xor	%ebx, %ebx
3:	lea	names(%rip), %rax
	mov	(%rax,%rbx,8), %rdi
	lea	results(%rip), %rax
	mov	(%rax,%rbx,8), %rsi
	call	print_result
	inc	%ebx
	cmp	$nresults, %ebx
	jb	3b

	mov	$SYS_reboot, %eax
	mov	$LINUX_REBOOT_MAGIC1, %edi
	mov	$LINUX_REBOOT_MAGIC2, %esi
	mov	$LINUX_REBOOT_CMD_POWER_OFF, %edx
	syscall
	/* Only reached if the power-off failed: spin rather than let PID 1 exit
	 * (that would panic, which reboots, which -no-reboot turns into an exit too). */
4:	pause
	jmp	4b

/* str_equal(rdi = a, rsi = b): eax = 1 when the two C strings are equal, else 0. */
str_equal:
1:	movzbl	(%rdi), %eax
	movzbl	(%rsi), %ecx
	cmp	%ecx, %eax
	jne	2f
	test	%eax, %eax
	jz	3f
	inc	%rdi
	inc	%rsi
	jmp	1b
2:	xor	%eax, %eax
	ret
3:	mov	$1, %eax
	ret

/* print_result(rdi = name, rsi = signed value): writes "name = value\n" to fd 1. */
print_result:
	push	%rbx
	lea	line(%rip), %r8			/* r8 = write cursor */
1:	movzbl	(%rdi), %eax			/* copy the name */
	test	%eax, %eax
	jz	2f
	mov	%al, (%r8)
	inc	%rdi
	inc	%r8
	jmp	1b
2:	movb	$' ', 0(%r8)
	movb	$'=', 1(%r8)
	movb	$' ', 2(%r8)
	add	$3, %r8
	mov	%rsi, %rax
	test	%rax, %rax
	jns	3f
	movb	$'-', (%r8)
	inc	%r8
	neg	%rax
3:	/* Digits come out least significant first: build them backwards on the stack. */
	mov	%rsp, %r9
	mov	$10, %ecx
4:	xor	%edx, %edx
	div	%rcx
	add	$'0', %dl
	dec	%rsp
	mov	%dl, (%rsp)
	test	%rax, %rax
	jnz	4b
5:	movzbl	(%rsp), %eax
	mov	%al, (%r8)
	inc	%rsp
	inc	%r8
	cmp	%r9, %rsp
	jne	5b
	movb	$'\n', (%r8)
	inc	%r8
	lea	line(%rip), %rsi
	mov	%r8, %rdx
	sub	%rsi, %rdx
	mov	$SYS_write, %eax
	mov	$1, %edi
	syscall
	pop	%rbx
	ret

	.section .note.GNU-stack, "", @progbits
