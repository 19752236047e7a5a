#!/usr/bin/env bash
# linux_gdb.sh: Debian's Linux 6.1 with our init, observed by the real gdb (the oracle).
#
# What it proves, before the viewer's walk engine exists, is the ground truth the
# viewer will be compared with later:
#   - the init runs as PID 1 and its five system calls give the documented results
#     (run-once mode, read from the serial console, no debugger involved);
#   - at entry_SYSCALL_64, RCX is the address after OUR syscall and RAX its number;
#   - at do_syscall_64 the struct pt_regs on the stack holds CS 0x33, SS 0x2b,
#     orig_ax 39 and the user RIP;
#   - the path goes through do_syscall_64 and x64_sys_call and reaches sysretq,
#     where RAX is getpid's 1; after sysretq RIP is the saved RCX, CS is 0x33;
#   - syscall 500 and the x32-numbered getpid return -38 (ENOSYS); int $0x80 getpid 1;
#   - the CR3 switch is executed twice (entry and exit) with pti=on, never without.
# Boot-to-first-stop time and the instruction counts are printed as TAP comments,
# never used as pass/fail bounds (TCG speed depends on the machine and its load).
#
# Skips when Debian's archive cannot be reached (scripts/fetch-linux.sh exits 3).
# Needs the -dbg package's System.map (fetch-linux.sh --dbg).
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
tmpdir

# --- the kernel ---------------------------------------------------------------
linux_kernel "linux target" || exit 0
cache=$LINUX_CACHE
map=$cache/System.map
sym() { awk -v s="$1" '$3 == s { print $1; exit }' "$map"; }
for s in entry_SYSCALL_64 do_syscall_64 x64_sys_call entry_SYSRETQ_unsafe_stack; do
	v=$(sym "$s")
	if [ -z "$v" ]; then
		not_ok "symbol $s in $map" "not found: is this the -dbg package's System.map?"
		exit 0
	fi
	export "SYM_$s=$v"
done

# --- the init and its initramfs -------------------------------------------------
# kernel/linux.mk is included by the top Makefile once the lead wires it in; until
# then it is passed to make as a second makefile.
mkargs=()
grep -q 'kernel/linux.mk' Makefile || mkargs=(-f Makefile -f kernel/linux.mk)
if ! make -s "${mkargs[@]}" build/linux/initramfs.cpio >"$TMP/make.log" 2>&1; then
	not_ok "build build/linux/initramfs.cpio" "$(tail -n 3 "$TMP/make.log" | tr '\n' ' ')"
	exit 0
fi
ok "build build/linux/initramfs.cpio"
init_sym() { nm build/linux/init | awk -v s="init_syscall_$1" '$3 == s { print $1 }'; }
for s in getpid enosys x32 int80; do
	export "INIT_$s=$(init_sym "$s")"
done
getpid_next=$(printf '0x%x' $((0x$INIT_getpid + 2)))

boot_args=(-kernel "$cache/vmlinuz" -initrd build/linux/initramfs.cpio -m 256M
	-accel tcg -display none -no-reboot -monitor none)
# The command line syswalk boots Linux with, said once (viewer/kernels.c).
append_base=$("$SYSWALK" --target linux --kernel-command-line)

# --- 1. run-once mode: the init reports its own results and powers off ---------
timeout 120 "$QEMU" "${boot_args[@]}" -append "$append_base once" \
	-serial "file:$TMP/once.log" </dev/null >"$TMP/once.qemu" 2>&1
rc=$?
check_eq "run-once boot powers off (QEMU exit status)" 0 "$rc"
result_line() { tr -d '\r' <"$TMP/once.log" | awk -v k="$1" '$1 == k && $2 == "=" { print $3; exit }'; }
check_eq "init: write returns 19" 19 "$(result_line write)"
check_eq "init: getpid returns 1 (PID 1)" 1 "$(result_line getpid)"
check_eq "init: syscall 500 returns -ENOSYS" -38 "$(result_line syscall500)"
check_eq "init: x32 getpid returns -ENOSYS (no CONFIG_X86_X32_ABI)" -38 "$(result_line x32_getpid)"
check_eq "init: int \$0x80 getpid returns 1" 1 "$(result_line int80_getpid)"

# --- 2. the live path under gdb -------------------------------------------------
# walk NAME APPEND: boot stopped (-S), gdbstub on a unix socket in a private
# directory, run tests/integration/linux_gdb.py, leave its output in $TMP/NAME.out.
walk() {
	local name=$1 append=$2 dir=$TMP/$1 qpid i
	mkdir -m 700 "$dir"
	QEMU_STARTED=$(date +%s.%N)
	export QEMU_STARTED GDB_SOCKET=$dir/gdb.sock
	"$QEMU" "${boot_args[@]}" -append "$append_base $append" -S \
		-chardev "socket,path=$dir/gdb.sock,server=on,wait=off,id=gdb0" -gdb chardev:gdb0 \
		-serial "file:$dir/serial.log" </dev/null >"$dir/qemu.log" 2>&1 &
	qpid=$!
	on_exit "kill $qpid"
	for i in $(seq 100); do [ -S "$dir/gdb.sock" ] && break; sleep 0.1; done
	timeout -k 5 150 gdb -batch -nx -ex "set pagination off" -ex "set confirm off" \
		-x tests/integration/linux_gdb.py </dev/null >"$TMP/$name.out" 2>&1
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	grep '^error ' "$TMP/$name.out" | sed "s/^/# $name: /"
	return 0
}
get() { awk -v k="$2" '$1 == "result" && $2 == k { print $3; exit }' "$TMP/$1.out"; }
fig() { awk -v k="$2" '$1 == "info" && $2 == k { print $3; exit }' "$TMP/$1.out"; }

walk nopti ""
echo "# boot to first stop: $(fig nopti boot_to_first_stop) s (TCG, PTI off)"
echo "# instructions entry_SYSCALL_64..sysretq for getpid, PTI off: $(fig nopti instructions_entry_to_sysretq)"
echo "# live instruction after the scratch store, PTI off: $(fig nopti insn_after_scratch_store)"
check_eq "entry: RCX == init_syscall_getpid + 2" "$getpid_next" "$(get nopti entry_rcx)"
check_eq "entry: RAX == 39 (getpid)" 39 "$(get nopti entry_rax)"
check_eq "entry: CS == 0x10 (__KERNEL_CS from STAR)" 0x10 "$(get nopti entry_cs)"
check_eq "do_syscall_64: second argument (nr) == 39" 39 "$(get nopti do_syscall_64_nr)"
check_eq "pt_regs->cs == 0x33 (__USER_CS)" 0x33 "$(get nopti pt_regs_cs)"
check_eq "pt_regs->ss == 0x2b (__USER_DS)" 0x2b "$(get nopti pt_regs_ss)"
check_eq "pt_regs->orig_ax == 39" 39 "$(get nopti pt_regs_orig_ax)"
check_eq "pt_regs->ip == init_syscall_getpid + 2" "$getpid_next" "$(get nopti pt_regs_ip)"
check_eq "path passes through do_syscall_64" yes "$(get nopti passed_do_syscall_64)"
check_eq "path passes through x64_sys_call" yes "$(get nopti passed_x64_sys_call)"
check_eq "sysretq reached by single steps" yes "$(get nopti reached_sysretq)"
check_eq "no CR3 write on the path with PTI off" 0 "$(get nopti cr3_writes)"
check_eq "sysretq: RAX == 1 (getpid of PID 1)" 1 "$(get nopti sysretq_rax)"
check_eq "sysretq: RCX == init_syscall_getpid + 2" "$getpid_next" "$(get nopti sysretq_rcx)"
check_eq "after sysretq: RIP == saved RCX" yes "$(get nopti user_rip_is_saved_rcx)"
check_eq "after sysretq: CS == 0x33" 0x33 "$(get nopti user_cs)"
check_eq "syscall 500 returns -38 at sysretq" -38 "$(get nopti enosys_rax)"
check_eq "x32-numbered getpid returns -38 at sysretq" -38 "$(get nopti x32_rax)"
check_eq "int \$0x80 getpid: EAX == 1 back in user mode" 1 "$(get nopti int80_eax)"

append_base=$("$SYSWALK" --target linux --pti --kernel-command-line)
walk pti ""
echo "# boot to first stop: $(fig pti boot_to_first_stop) s (TCG, pti=on)"
echo "# instructions entry_SYSCALL_64..sysretq for getpid, pti=on: $(fig pti instructions_entry_to_sysretq)"
echo "# live instruction after the scratch store, pti=on: $(fig pti insn_after_scratch_store)"
check_eq "pti=on: sysretq reached by single steps" yes "$(get pti reached_sysretq)"
check_eq "pti=on: CR3 written twice (entry and exit)" 2 "$(get pti cr3_writes)"
check_eq "pti=on: pt_regs->cs == 0x33 (read at do_syscall_64)" 0x33 "$(get pti pt_regs_cs)"
check_eq "pti=on: sysretq: RAX == 1" 1 "$(get pti sysretq_rax)"
check_eq "pti=on: after sysretq: RIP == saved RCX" yes "$(get pti user_rip_is_saved_rcx)"
exit 0
