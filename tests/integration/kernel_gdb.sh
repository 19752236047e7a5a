#!/usr/bin/env bash
# kernel_gdb.sh: the teaching kernel observed by the real gdb (the oracle until
# syswalk's own RSP client exists), through QEMU's gdbstub on a unix socket in a
# private 0700 directory. Hardware breakpoints (hbreak) only.
#
# For the demo's first system call, write(1, "Hello from ring 3!\n", 19):
#   at demo_syscall_write (user side): RFLAGS, the value SYSCALL will copy to R11
#     (0x202 apart from the arithmetic flags the demo's code left);
#   at entry_SYSCALL_64: RCX == demo_syscall_write + 2, R11 == that RFLAGS,
#     RAX == 1, CS == 0x10 and SS == 0x18 (from MSR_STAR), GS_BASE is the user's (0);
#   one stepi over swapgs: GS_BASE and KERNEL_GS_BASE have swapped;
#   at sysretq: RCX is still the return address, RAX == 19;
#   one stepi over sysretq: CS 0x33, SS 0x2b, RIP == saved RCX, RAX == 19.
# rt_sigreturn leaves by the IRET path and lands at the frame's ip with its ax;
# int $0x80 enters entry_INT80_compat with eax 20 and returns 1.
# Then, stepping every instruction from the user's syscall to the instruction
# after sysretq, for write and getpid with PTI on and off: the path must pass
# through do_syscall_64, do_syscall_x64 and the handler, and write CR3 twice
# with PTI and never without. The counts are printed as TAP comments (figures,
# not bounds: they are facts of the build, not of the machine).
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
tmpdir

if ! command -v gdb >/dev/null; then
	skip "kernel under gdb" "gdb is not installed (scripts/install-deps.sh)"
	exit 0
fi

# run_gdb NAME ELF SCRIPT: boot ELF stopped (-S) with the gdbstub on a unix socket,
# run the gdb SCRIPT against it, leave gdb's output in $TMP/NAME.out.
run_gdb() {
	local name=$1 elf=$2 script=$3 dir=$TMP/$1 qpid i
	mkdir -m 700 "$dir"
	"$QEMU" -kernel "$elf" -m 64M -accel tcg -display none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor none -S \
		-chardev "socket,path=$dir/gdb.sock,server=on,wait=off,id=gdb0" -gdb chardev:gdb0 \
		-serial "file:$dir/serial.log" </dev/null >"$dir/qemu.log" 2>&1 &
	qpid=$!
	on_exit "kill $qpid"
	for i in $(seq 100); do [ -S "$dir/gdb.sock" ] && break; sleep 0.1; done
	if [ ! -S "$dir/gdb.sock" ]; then
		echo "# $name: the gdbstub socket never appeared: $(head -c 300 "$dir/qemu.log")"
	fi
	timeout -k 5 240 gdb -batch -nx -ex "set pagination off" -ex "set confirm off" \
		-ex "file $elf" -ex "target remote $dir/gdb.sock" -x "$script" \
		</dev/null >"$TMP/$name.out" 2>&1
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	return 0
}
get() { awk -v k="$2" '$1 == "result" && $2 == k { print $3; exit }' "$TMP/$1.out"; }
addr() {  # addr ELF SYMBOL: 0x-prefixed, no leading zeros (as gdb prints it)
	local a
	a=$(nm "$1" | awk -v s="$2" '$3 == s { print $1; exit }')
	[ -n "$a" ] && printf '0x%x' "$((16#$a))"
}
hex() { printf '0x%x' "$1"; }

# --- 1. registers around the write's entry and exit ----------------------------
elf=$KERNEL
write_insn=$(addr "$elf" demo_syscall_write)
entry=$(addr "$elf" entry_SYSCALL_64)
unsafe=$(addr "$elf" entry_SYSRETQ_unsafe_stack)
if [ -z "$write_insn" ] || [ -z "$entry" ] || [ -z "$unsafe" ]; then
	not_ok "symbols in $elf" "demo_syscall_write, entry_SYSCALL_64 or entry_SYSRETQ_unsafe_stack missing: run make kernel"
	exit 0
fi
write_next=$(hex $((write_insn + 2)))
sysretq=$(hex $((unsafe + 3)))		# swapgs is 3 bytes (0f 01 f8)
iret_insn=$(addr "$elf" demo_syscall_iret)
landing=$(addr "$elf" demo_sigreturn_landing)
slowpath=$(addr "$elf" swapgs_restore_regs_and_return_to_usermode)
int80_insn=$(addr "$elf" demo_syscall_int80)
int80_entry=$(addr "$elf" entry_INT80_compat)
int80_next=$(hex $((int80_insn + 2)))

cat >"$TMP/regs.gdb" <<GDB
hbreak *$write_insn
continue
printf "result user_rip 0x%lx\n", \$pc
printf "result user_eflags 0x%x\n", \$eflags
delete
hbreak *$entry
continue
printf "result entry_rip 0x%lx\n", \$pc
printf "result entry_rcx 0x%lx\n", \$rcx
printf "result entry_r11 0x%lx\n", \$r11
printf "result entry_rax %ld\n", \$rax
printf "result entry_cs 0x%x\n", \$cs
printf "result entry_ss 0x%x\n", \$ss
printf "result entry_gs_base 0x%lx\n", \$gs_base
printf "result entry_k_gs_base 0x%lx\n", \$k_gs_base
stepi
printf "result swapgs_gs_base 0x%lx\n", \$gs_base
printf "result swapgs_k_gs_base 0x%lx\n", \$k_gs_base
delete
hbreak *$sysretq
continue
printf "result sysretq_rip 0x%lx\n", \$pc
printf "result sysretq_rcx 0x%lx\n", \$rcx
printf "result sysretq_rax %ld\n", \$rax
stepi
printf "result user_rip_after 0x%lx\n", \$pc
printf "result user_cs 0x%x\n", \$cs
printf "result user_ss 0x%x\n", \$ss
printf "result user_rax %ld\n", \$rax
printf "result user_gs_base 0x%lx\n", \$gs_base
delete
hbreak *$iret_insn
continue
delete
hbreak *$slowpath
hbreak *$sysretq
continue
printf "result sigreturn_exit 0x%lx\n", \$pc
delete
hbreak *$landing
continue
printf "result landing_rip 0x%lx\n", \$pc
printf "result landing_rax %ld\n", \$rax
delete
hbreak *$int80_insn
continue
delete
hbreak *$int80_entry
continue
printf "result int80_entry 0x%lx\n", \$pc
printf "result int80_rax %ld\n", \$rax
delete
hbreak *$int80_next
continue
printf "result int80_user_rax %ld\n", \$rax
GDB
run_gdb regs "$elf" "$TMP/regs.gdb"
grep -iE 'error|cannot|warning: remote' "$TMP/regs.out" | head -5 | sed 's/^/# gdb: /'

check_eq "stopped at demo_syscall_write" "$write_insn" "$(get regs user_rip)"
user_flags=$(get regs user_eflags)
# Arithmetic flags (CF PF AF ZF SF OF = 0x8d5) depend on the demo's last
# computation; the rest must be IF plus the always-one bit: no TF, RF, AC, ...
check_eq "user RFLAGS at the syscall is 0x202 apart from arithmetic flags" 0x202 \
	"$( [ -n "$user_flags" ] && hex $((user_flags & ~0x8d5)) )"
check_eq "entry_SYSCALL_64 reached" "$entry" "$(get regs entry_rip)"
check_eq "entry: RCX == demo_syscall_write + 2 (return address)" "$write_next" "$(get regs entry_rcx)"
check_eq "entry: R11 == the user's RFLAGS" "$user_flags" "$(get regs entry_r11)"
check_eq "entry: RAX == 1 (__NR_write)" 1 "$(get regs entry_rax)"
check_eq "entry: CS == 0x10 (__KERNEL_CS from MSR_STAR)" 0x10 "$(get regs entry_cs)"
check_eq "entry: SS == 0x18 (__KERNEL_CS + 8, set by SYSCALL)" 0x18 "$(get regs entry_ss)"
check_eq "entry: GS_BASE is still the user's (0)" 0x0 "$(get regs entry_gs_base)"
kgs=$(get regs entry_k_gs_base)
if [ -n "$kgs" ] && [ "$kgs" != 0x0 ]; then ok "entry: KERNEL_GS_BASE holds the per-CPU area ($kgs)"; else not_ok "entry: KERNEL_GS_BASE holds the per-CPU area" "got '$kgs'"; fi
check_eq "after swapgs: GS_BASE == the old KERNEL_GS_BASE" "$kgs" "$(get regs swapgs_gs_base)"
check_eq "after swapgs: KERNEL_GS_BASE == the old GS_BASE" "$(get regs entry_gs_base)" "$(get regs swapgs_k_gs_base)"
check_eq "sysretq reached (entry_SYSRETQ_unsafe_stack + 3)" "$sysretq" "$(get regs sysretq_rip)"
check_eq "at sysretq: RCX == demo_syscall_write + 2" "$write_next" "$(get regs sysretq_rcx)"
check_eq "at sysretq: RAX == 19 (bytes written)" 19 "$(get regs sysretq_rax)"
check_eq "after sysretq: RIP == saved RCX" "$write_next" "$(get regs user_rip_after)"
check_eq "after sysretq: CS == 0x33 (__USER_CS)" 0x33 "$(get regs user_cs)"
check_eq "after sysretq: SS == 0x2b (__USER_DS)" 0x2b "$(get regs user_ss)"
check_eq "after sysretq: RAX == 19" 19 "$(get regs user_rax)"
check_eq "after sysretq: GS_BASE is the user's again" 0x0 "$(get regs user_gs_base)"
# rt_sigreturn rewrites pt_regs->ip: the first SYSRET check fails, IRET is used.
check_eq "rt_sigreturn leaves through swapgs_restore_regs_and_return_to_usermode, not sysretq" \
	"$slowpath" "$(get regs sigreturn_exit)"
check_eq "rt_sigreturn resumes at the frame's ip (demo_sigreturn_landing)" "$landing" "$(get regs landing_rip)"
check_eq "rt_sigreturn returns the frame's ax (42)" 42 "$(get regs landing_rax)"
check_eq "int \$0x80 enters entry_INT80_compat" "$int80_entry" "$(get regs int80_entry)"
check_eq "int \$0x80: RAX == 20 (IA-32 getpid)" 20 "$(get regs int80_rax)"
check_eq "int \$0x80 getpid returns 1" 1 "$(get regs int80_user_rax)"

# --- 2. every instruction of a syscall, PTI on and off -----------------------------
# count NAME ELF LABEL HANDLER: from the user's syscall at LABEL to LABEL + 2.
count_path() {
	local name=$1 elf=$2 label=$3 handler=$4 insn next
	insn=$(addr "$elf" "$label")
	next=$(hex $((insn + 2)))
	cat >"$TMP/$name.gdb" <<GDB
hbreak *$insn
continue
delete
set \$n = 0
set \$cr3_writes = 0
set \$seen_do_syscall_64 = 0
set \$seen_x64 = 0
set \$seen_handler = 0
set \$last_cr3 = \$cr3
while \$pc != $next && \$n < 2000
  stepi
  set \$n = \$n + 1
  if \$cr3 != \$last_cr3
    set \$cr3_writes = \$cr3_writes + 1
    set \$last_cr3 = \$cr3
  end
  if \$pc == $(addr "$elf" do_syscall_64)
    set \$seen_do_syscall_64 = 1
  end
  if \$pc == $(addr "$elf" do_syscall_x64)
    set \$seen_x64 = 1
  end
  if \$pc == $(addr "$elf" "$handler")
    set \$seen_handler = 1
  end
end
printf "result steps %d\n", \$n
printf "result end_rip 0x%lx\n", \$pc
printf "result cr3_changes %d\n", \$cr3_writes
printf "result do_syscall_64 %d\n", \$seen_do_syscall_64
printf "result do_syscall_x64 %d\n", \$seen_x64
printf "result handler %d\n", \$seen_handler
GDB
	run_gdb "$name" "$elf" "$TMP/$name.gdb"
	check_eq "$name: stepped back to $label + 2" "$next" "$(get "$name" end_rip)"
	check_eq "$name: the path runs do_syscall_64" 1 "$(get "$name" do_syscall_64)"
	check_eq "$name: the path runs do_syscall_x64" 1 "$(get "$name" do_syscall_x64)"
	check_eq "$name: the path runs $handler" 1 "$(get "$name" handler)"
	echo "# $name: $(get "$name" steps) instructions from the user's syscall to the instruction after sysretq"
}

nopti=${KERNEL%.elf}-nopti.elf
count_path write_pti "$KERNEL" demo_syscall_write __x64_sys_write
# CR3 is observed as it changes: kernel half on entry, user half on exit.
check_eq "write_pti: CR3 changes twice (entry and exit)" 2 "$(get write_pti cr3_changes)"
count_path getpid_pti "$KERNEL" demo_syscall_getpid __x64_sys_getpid
check_eq "getpid_pti: CR3 changes twice" 2 "$(get getpid_pti cr3_changes)"
if [ -f "$nopti" ]; then
	count_path write_nopti "$nopti" demo_syscall_write __x64_sys_write
	check_eq "write_nopti: CR3 never changes" 0 "$(get write_nopti cr3_changes)"
	count_path getpid_nopti "$nopti" demo_syscall_getpid __x64_sys_getpid
	check_eq "getpid_nopti: CR3 never changes" 0 "$(get getpid_nopti cr3_changes)"
else
	not_ok "nopti kernel exists" "$nopti missing: run make kernel"
fi
exit 0
