#!/usr/bin/env bash
# target_vs_gdb.sh: syswalk's own RSP client (rsp + target, driven by
# build/tests/tools/rsp_probe) against the real gdb as the oracle, on the teaching
# kernel under QEMU 7.2, stopped at entry_SYSCALL_64 for the demo's first syscall.
#
#   1. every register rsp_probe reads equals what gdb reads at the same stop;
#   2. MSRs by injection: LSTAR == entry_SYSCALL_64 from the ELF, STAR holds 0x10
#      in bits 47:32 and 0x23 in bits 63:48, EFER has SCE, KERNEL_GS_BASE ==
#      k_gs_base as the gdbstub shows it;
#   3. after the injection every register and the code bytes at RIP are unchanged;
#   4. the machine still works: a later breakpoint (do_syscall_64) is reached, and
#      with the breakpoints gone the demo's self-test passes ("selftest: passed").
# Then the figures (TAP comments, not asserted): microseconds per single step plus
# register read through the target layer, through a bare "s"+"g" loop on the same
# connection code, and through gdb -batch with a stepi loop, over the same 300
# instructions from entry_SYSCALL_64, each on a fresh QEMU.
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
tmpdir
PROBE=$BUILD/tests/tools/rsp_probe
STEPS=${BENCH_STEPS:-300}

if [ ! -f "$KERNEL" ]; then
	skip "target vs gdb" "teaching kernel $KERNEL not built (make kernel)"
	exit 0
fi
for tool in gdb "$QEMU"; do
	if ! command -v "$tool" >/dev/null; then
		skip "target vs gdb" "$tool is not installed (scripts/install-deps.sh)"
		exit 0
	fi
done
if [ ! -x "$PROBE" ]; then
	not_ok "rsp_probe built" "$PROBE missing (make test-tools)"
	exit 0
fi

sym() { local a; a=$(nm "$KERNEL" | awk -v s="$1" '$3 == s { print $1; exit }'); [ -n "$a" ] && printf '0x%x' "$((16#$a))"; }
ENTRY=$(sym entry_SYSCALL_64)
DO_SYSCALL=$(sym do_syscall_64)

# boot NAME: a stopped QEMU with its gdbstub in $TMP/NAME/gdb.sock; sets QPID.
boot() {
	local dir=$TMP/$1 i
	mkdir -m 700 "$dir"
	"$QEMU" -chardev "socket,path=$dir/gdb.sock,server=on,wait=off,id=gdb0" -gdb chardev:gdb0 \
		-S -display none -monitor none -no-reboot -accel tcg -m 64M -kernel "$KERNEL" \
		-append "${2:-}" -serial "file:$dir/serial.txt" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$dir/qemu.log" 2>&1 &
	QPID=$!
	on_exit "kill $QPID"
	for i in $(seq 100); do [ -S "$dir/gdb.sock" ] && break; sleep 0.1; done
}
stop_qemu() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
probe() { timeout -k 5 120 "$PROBE" "$@"; }
# gdb_at SOCK CMDS...: gdb attached to a stopped machine, leaving it stopped.
gdb_at() {
	local sock=$1; shift
	local args=() c
	for c in "$@"; do args+=(-ex "$c"); done
	timeout -k 5 240 gdb -batch -nx -ex "set pagination off" -ex "set confirm off" \
		-ex "file $KERNEL" -ex "target remote $sock" "${args[@]}" -ex disconnect </dev/null 2>&1
}

# --- 0: a user-mode stop, just before the demo's first syscall ------------------
# QEMU forgets breakpoints when a debugger disconnects, so each probe run sets its own.
boot main selftest
SOCK=$TMP/main/gdb.sock
probe "$SOCK" hbreak "$(sym demo_syscall_write)" cont 120000 regs >"$TMP/user.txt" 2>"$TMP/user.err"
check_eq "rsp_probe stops at demo_syscall_write (CPL 3)" "$(sym demo_syscall_write) 0x33" \
	"$(awk '$1 == "rip" { r = $2 } $1 == "cs" { c = $2 } END { print r, c }' "$TMP/user.txt")"
probe "$SOCK" msr >/dev/null 2>"$TMP/msr3.err"
check "MSR injection refused at CPL 3 with a clear message" grep -q "only be read at CPL 0; stopped at CPL 3" "$TMP/msr3.err"
probe "$SOCK" mem "$DO_SYSCALL" 16 >/dev/null 2>"$TMP/umem.err"
check "kernel text unreadable under the user CR3 (page-table isolation), error names the address" \
	grep -q "cannot read 16 bytes at $DO_SYSCALL" "$TMP/umem.err"
ucr3=$(awk '$1 == "cr3" { print $2 }' "$TMP/user.txt")
kcr3=$(printf '0x%x' $(( ${ucr3:-0} & ~0x1000 )))
probe "$SOCK" vmem "$kcr3" "$DO_SYSCALL" 16 >"$TMP/walk.txt" 2>"$TMP/walk.err"
probe "$SOCK" vmem "$ucr3" "$DO_SYSCALL" 16 >/dev/null 2>"$TMP/walk_user.err"
check "the user page table's walk names the missing level" grep -q "is not present" "$TMP/walk_user.err"

# --- 1-4: the same machine, stopped at entry_SYSCALL_64 --------------------------
probe "$SOCK" hbreak "$ENTRY" cont 120000 regs mem "$ENTRY" 16 >"$TMP/before.txt" 2>"$TMP/probe1.err"
check_eq "rsp_probe stops at entry_SYSCALL_64" "$ENTRY" "$(awk '$1 == "rip" { print $2 }' "$TMP/before.txt")"

gdb_at "$SOCK" "info all-registers" "x/16xb \$pc" >"$TMP/gdb.txt"
# gdb prints "name 0xVALUE ..." for the integer registers; x87/vector ones differ.
awk '$2 ~ /^0x/ { print $1, $2 }' "$TMP/gdb.txt" | sort >"$TMP/gdb_regs.txt"
awk '$2 ~ /^0x/ { print $1, $2 }' "$TMP/before.txt" | sort >"$TMP/our_regs.txt"
ours=$(wc -l <"$TMP/our_regs.txt")
mismatch=$(join "$TMP/our_regs.txt" "$TMP/gdb_regs.txt" | awk '$2 != $3 { print $1 ": ours " $2 ", gdb " $3 }')
common=$(join "$TMP/our_regs.txt" "$TMP/gdb_regs.txt" | wc -l)
missing=$(join -v1 "$TMP/our_regs.txt" "$TMP/gdb_regs.txt" | awk '{ print $1 }' | tr '\n' ' ')
echo "# $ours registers read by rsp_probe, $common compared with gdb"
check "rsp_probe reads every general register gdb shows (${ours} of them)" test "$ours" -ge 40 -a -z "$missing"
check_eq "every register equals gdb's at entry_SYSCALL_64" "" "$mismatch"
gdb_code=$(awk '/^0x/ && /<entry_SYSCALL_64/ { for (i = 3; i <= NF; i++) printf "%s", substr($i, 3) }' "$TMP/gdb.txt")
check "gdb showed 16 code bytes at RIP" test "${#gdb_code}" -eq 32
check_eq "code bytes at RIP equal gdb's" "$gdb_code" "$(sed -n '$p' "$TMP/before.txt")"

probe "$SOCK" msr regs mem "$ENTRY" 16 stats >"$TMP/after.txt" 2>"$TMP/probe2.err"
val() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
lstar=$(val msr.lstar "$TMP/after.txt"); star=$(val msr.star "$TMP/after.txt")
check_eq "LSTAR by injection == entry_SYSCALL_64 from nm" "$ENTRY" "$lstar"
if [ -n "$star" ]; then
	check_eq "STAR[47:32] == 0x10 (__KERNEL_CS)" "0x10" "$(printf '0x%x' $(( (star >> 32) & 0xffff )))"
	check_eq "STAR[63:48] == 0x23 (__USER32_CS)" "0x23" "$(printf '0x%x' $(( (star >> 48) & 0xffff )))"
else
	not_ok "STAR read" "$(cat "$TMP/probe2.err")"
fi
efer=$(val msr.efer "$TMP/after.txt")
check "EFER.SCE (bit 0) set" test -n "$efer" -a $(( ${efer:-0} & 1 )) -eq 1
check_eq "KERNEL_GS_BASE by injection == gdbstub's k_gs_base" \
	"$(val k_gs_base "$TMP/gdb_regs.txt")" "$(val msr.kernel_gs_base "$TMP/after.txt")"
awk '$2 ~ /^0x/ && $1 !~ /^msr\./ { print $1, $2 }' "$TMP/after.txt" | sort >"$TMP/our_after.txt"
check_eq "every register unchanged by the injection" "" \
	"$(diff "$TMP/our_regs.txt" "$TMP/our_after.txt" | grep '^[<>]' | tr '\n' ' ')"
check_eq "code bytes at RIP unchanged by the injection" "$(sed -n '$p' "$TMP/before.txt")" \
	"$(grep -E '^[0-9a-f]{32}$' "$TMP/after.txt")"
echo "# $(grep '^round trips' "$TMP/after.txt") (MSR batch of 7 plus the handshake)"

probe "$SOCK" delete "$ENTRY" hbreak "$DO_SYSCALL" cont 120000 regs >"$TMP/later.txt" 2>"$TMP/probe3.err"
check_eq "a later breakpoint (do_syscall_64) is reached after the injection" "$DO_SYSCALL" \
	"$(val rip "$TMP/later.txt")"
probe "$SOCK" mem "$DO_SYSCALL" 16 >"$TMP/kmem.txt" 2>>"$TMP/probe3.err"
check "page walk through the kernel CR3 read 16 bytes" grep -qE '^[0-9a-f]{32}$' "$TMP/walk.txt"
check_eq "page walk through the kernel CR3 at the user stop == bytes read at the kernel stop" \
	"$(cat "$TMP/kmem.txt")" "$(cat "$TMP/walk.txt")"
probe "$SOCK" delete "$DO_SYSCALL" cont 300000 >"$TMP/end.txt" 2>"$TMP/probe4.err"
for i in $(seq 100); do grep -q "selftest: passed\|selftest: failed" "$TMP/main/serial.txt" && break; sleep 0.1; done
check "the demo completes its self-test after the injection" grep -q "selftest: passed" "$TMP/main/serial.txt"
stop_qemu "$QPID"
if grep -q . "$TMP"/probe*.err; then echo "# probe errors:"; sed 's/^/#   /' "$TMP"/probe*.err; fi

# --- 5: the same instructions three ways ---------------------------------------
boot bench1
probe "$TMP/bench1/gdb.sock" hbreak "$ENTRY" cont 120000 delete "$ENTRY" bench "$STEPS" >"$TMP/b1.txt" 2>&1
stop_qemu "$QPID"
boot bench2
probe "$TMP/bench2/gdb.sock" hbreak "$ENTRY" cont 120000 delete "$ENTRY" rawbench "$STEPS" >"$TMP/b2.txt" 2>&1
stop_qemu "$QPID"
boot bench3
gdb_at "$TMP/bench3/gdb.sock" "hbreak *$ENTRY" continue "delete" \
	"python import time; t0 = time.time()" \
	"python [gdb.execute('stepi', to_string=True) + gdb.execute('info registers', to_string=True) for i in range($STEPS)]" \
	"python print('gdb %d steps: %.1f us per stepi+info registers' % ($STEPS, (time.time() - t0) * 1e6 / $STEPS))" \
	>"$TMP/b3.txt"
stop_qemu "$QPID"
for f in b1 b2 b3; do
	line=$(grep -E '^(target|raw|gdb) [0-9]+ steps' "$TMP/$f.txt")
	if [ -n "$line" ]; then ok "benchmark: $line"; else not_ok "benchmark $f" "$(tail -3 "$TMP/$f.txt" | tr '\n' ' ')"; fi
done
exit 0
