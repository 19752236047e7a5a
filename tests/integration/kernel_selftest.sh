#!/usr/bin/env bash
# kernel_selftest.sh: boot the teaching kernel with "-append selftest", for both
# builds (page-table isolation on, and the -nopti variant). The ring-3 demo checks
# each of its six system calls itself and prints one "selftest: NAME ... ok" line
# per check; the kernel then prints "selftest: passed" and ends QEMU through
# isa-debug-exit with 0x10, which QEMU turns into exit status (0x10 << 1) | 1 = 33.
# A triple fault or a hang would give 0 or the timeout's 124 instead.
source "$(dirname "$0")/../lib/common.sh"
tmpdir

checks="write getpid enosys x32_getpid rt_sigreturn_ax rt_sigreturn_ip int80_getpid"

boot_selftest() {  # boot_selftest ELF LABEL
	local elf=$1 label=$2 log=$TMP/$2.log rc
	if [ ! -f "$elf" ]; then
		not_ok "$label: kernel image exists" "$elf missing: run make kernel"
		return
	fi
	timeout -k 5 60 "$QEMU" -kernel "$elf" -m 64M -accel tcg -display none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -monitor none \
		-append selftest </dev/null 2>"$TMP/$label.err" | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	check_eq "$label: QEMU exit status is 33 (isa-debug-exit 0x10)" 33 "$rc"
	check "$label: the kernel saw the selftest switch" grep -q '^Run the ring-3 demo at [0-9a-f]* (selftest)$' "$log"
	check "$label: the demo's write reached the console" grep -qx 'Hello from ring 3!' "$log"
	local c name
	for c in $checks; do
		name=${c//_ax/ ax}; name=${name//_ip/ ip}
		check "$label: selftest: $name ... ok" grep -qx "selftest: $name ... ok" "$log"
	done
	check_eq "$label: no check failed" 0 "$(grep -c 'FAIL' "$log")"
	check "$label: selftest: passed" grep -qx 'selftest: passed' "$log"
	if [ "$rc" != 33 ]; then
		sed 's/^/# /' "$log" "$TMP/$label.err" | tail -20
	fi
}

boot_selftest "$KERNEL" pti
check "pti: the banner says isolation is on" grep -q 'page-table isolation on' "$TMP/pti.log"
boot_selftest "${KERNEL%.elf}-nopti.elf" nopti
check "nopti: the banner says isolation is off" grep -q 'page-table isolation off' "$TMP/nopti.log"
exit 0
