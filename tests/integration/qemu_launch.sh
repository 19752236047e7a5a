#!/usr/bin/env bash
# qemu_launch.sh: the QEMU launcher (viewer/qemu.c) with real kernels.
#
# The launcher's unit test (build/tests/unit/test_qemu) boots a kernel when
# SYSWALK_TEST_KERNEL names one: it continues the guest through the gdbstub socket and
# waits for serial output on the console pipe. Here it runs with
#   1. a 40-line multiboot kernel assembled now, which prints on COM1 and then writes 0x10
#      to isa-debug-exit: proves -nodefaults + "-serial stdio" carry the guest's serial
#      output and that the exit status is explained;
#   2. the teaching kernel, when it is built.
source "$(dirname "$0")/../lib/common.sh"
tmpdir

unit=$BUILD/tests/unit/test_qemu
export CMOCKA_MESSAGE_OUTPUT=TAP
if [ ! -x "$unit" ]; then
	skip "qemu launcher with real kernels" "$unit not built (make unit-tests)"
	exit 0
fi
if ! command -v "$QEMU" >/dev/null; then
	skip "qemu launcher with real kernels" "$QEMU not installed (scripts/install-deps.sh)"
	exit 0
fi

# 1. The multiboot fixture: 32-bit, loaded by QEMU's own multiboot loader.
cat > "$TMP/mb.S" <<'ASM'
	.text
	.code32
	.align 4
	.long 0x1BADB002                /* multiboot magic, in the first 8 KiB */
	.long 0                         /* flags */
	.long -(0x1BADB002)             /* checksum */
	.globl _start
_start:
	mov $msg, %esi
1:	lodsb
	test %al, %al
	jz 2f
	mov $0x3f8, %dx                 /* COM1 data port */
	out %al, %dx
	jmp 1b
2:	mov $0x10, %al
	mov $0xf4, %dx                  /* isa-debug-exit: QEMU exits (0x10 << 1) | 1 = 33 */
	out %al, %dx
3:	hlt
	jmp 3b
	.section .rodata
msg:	.asciz "multiboot fixture: hello on COM1\n"
ASM
if as --32 -o "$TMP/mb.o" "$TMP/mb.S" 2>"$TMP/as.log" &&
   ld -m elf_i386 -Ttext=0x100000 -e _start -o "$TMP/mb.elf" "$TMP/mb.o" 2>>"$TMP/as.log"; then
	SYSWALK_TEST_KERNEL=$TMP/mb.elf SYSWALK_TEST_EXIT_STATUS=33 \
		timeout -k 5 180 "$unit" >"$TMP/mb.log" 2>&1
	check "multiboot fixture: serial output through the console pipe, exit status 33" \
		grep -q "^ok .* - test_real_kernel_serial_reaches_the_console" "$TMP/mb.log"
	check "multiboot fixture: every launcher test passed" \
		test "$(grep -c '^not ok' "$TMP/mb.log")" -eq 0
	check_eq "multiboot fixture: the guest's words reached the console" \
		"# console: multiboot fixture: hello on COM1" "$(grep '^# console:' "$TMP/mb.log")"
else
	skip "multiboot fixture" "cannot assemble it: $(head -1 "$TMP/as.log")"
fi

# 2. The teaching kernel.
if [ -f "$KERNEL" ]; then
	SYSWALK_TEST_KERNEL=$KERNEL timeout -k 5 180 "$unit" >"$TMP/teach.log" 2>&1
	check "teaching kernel: serial output through the console pipe" \
		grep -q "^ok .* - test_real_kernel_serial_reaches_the_console" "$TMP/teach.log"
else
	skip "teaching kernel: serial output through the console pipe" "$KERNEL not built yet"
fi

# Nothing left behind by any of the runs.
left=$(find "${XDG_RUNTIME_DIR:-/nonexistent}" "${TMPDIR:-/tmp}" /tmp -maxdepth 1 -name 'syswalk-qemu.*' \
	-newer "$TMP/mb.S" -user "$(id -u)" 2>/dev/null | wc -l)
check_eq "no private QEMU directory left behind" 0 "$left"
exit 0
