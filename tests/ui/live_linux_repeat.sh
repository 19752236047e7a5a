#!/usr/bin/env bash
# tests/ui/live_linux_repeat.sh: the same walk, ten times over, gives the same stops.
#
# On real Linux QEMU's gdbstub sometimes answers a step without having run the
# instruction (under load, when the vCPU is kicked at that moment); the walk used to
# record that non-stop as a second, identical stop (issue 11: stops 12 and 13 both
# do_syscall_64+0x64). Ten viewer walks of getpid through Debian's 6.1 kernel, in a
# real terminal, exported with `e`, must give identical stop lists (location and every
# register), equal to what --export records; run while the machine is busy (the test
# runner's other work), which is when the repeat showed.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "ten Linux viewer walks"
command -v tmux >/dev/null || { skip "ten Linux viewer walks" "tmux is not installed"; exit 0; }
cache=$("$ROOT/scripts/fetch-linux.sh" --dbg 2>"$TMP/fetch.err"); rc=$?
if [ $rc -eq 3 ]; then
	skip "ten Linux viewer walks" "Debian's archive cannot be reached: $(tail -n1 "$TMP/fetch.err")"
	exit 0
fi
make -C "$ROOT" --no-print-directory linux-initramfs >/dev/null || { not_ok "build the init"; exit 0; }
# The boot is made repeatable where Linux randomises on purpose: norandmaps (the init's
# stack, hence RSP and R12 in user mode) and randomize_kstack_offset=off (the stack
# offset do_syscall_64 draws from the TSC). What still legitimately differs between
# boots is what the C code leaves in the call-clobbered registers (RAX, RDI, RSI, RDX,
# R8-R10) once its exit work ran: whether a timer interrupt came, and when, is the
# emulator's timing; and CR3, the init's page table, a page the allocator hands out in
# an order that timing decides too. So every register but CR3 must match at every stop
# up to the call into C, and the callee-saved and architectural ones (RIP, RSP, RBX,
# RBP, R11-R15, RCX, CS, SS, RFLAGS, GS bases) at every stop.
WORDS="norandmaps randomize_kstack_offset=off"
# tmux_wrapped splits UI_CMD at spaces: the words go through a script of their own.
printf '#!/bin/sh\nexec "%s" --target linux --syscall getpid --append "%s"\n' "$SYSWALK" "$WORDS" >"$TMP/viewer.sh"
chmod +x "$TMP/viewer.sh"
UI_CMD="$TMP/viewer.sh"
source "$ROOT/tests/lib/tmux.sh"
timeout 120 "$SYSWALK" --target linux --syscall getpid --append "$WORDS" --export "$TMP/ref.json" 2>"$TMP/ref.err"
check_eq "--export of getpid (the reference)" 0 $?

runs=${RUNS:-10}
for i in $(seq 1 $runs); do
	tmux_wrapped 120 40
	if ! tmux_wait "stop 1 of" 120; then
		not_ok "viewer walk $i: first stop" "$(status_line)"
		continue
	fi
	# n to the end: keys wait in the terminal while a run is under way.
	for _ in $(seq 1 40); do tmux_keys n; done
	tmux_wait "Back in user mode" 120 || { not_ok "viewer walk $i reaches user mode" "$(status_line)"; continue; }
	sleep 0.5
	tmux_keys e
	tmux_wait "xport" 5
	tmux_keys "$TMP/run$i.json" Enter
	tmux_wait_file "$TMP/run$i.json" 30
	tmux_keys q
	tmux_wait_file "$TMP/rc" 15
	tmux_t kill-server >/dev/null 2>&1
done

python3 - "$TMP" "$runs" <<'PY'
import json, os, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
def stops(path):
    snaps = json.load(open(path))["snapshots"]
    return [(s["location"], tuple((r["name"], r["value"]) for r in s["regs"]
             )) for s in snaps]
ref = stops(os.path.join(tmp, "ref.json"))
clobbered = {"rax", "rdi", "rsi", "rdx", "r8", "r9", "r10"}
into_c = next(k for k, st in enumerate(ref) if st[0] == "do_syscall_64")
def fixed(st):
    return [(loc, tuple(r for r in regs if r[0] != "cr3" and (k <= into_c or r[0] not in clobbered)))
            for k, (loc, regs) in enumerate(st)]
n = 0
for i in range(1, runs + 1):
    n += 1
    p = os.path.join(tmp, f"run{i}.json")
    if not os.path.exists(p):
        print(f"not ok {n} - viewer walk {i}: exported"); continue
    got = stops(p)
    dup = [a[0] for a, b in zip(got, got[1:]) if a == b]
    same = [a[0] for a, b in zip(got, ref)] == [b[0] for b in ref] and len(got) == len(ref)
    print(("ok" if not dup else "not ok") + f" {n} - viewer walk {i}: no stop repeats the one before"
          + (f" ({dup})" if dup else ""))
    n += 1
    print(("ok" if same else "not ok") + f" {n} - viewer walk {i}: the {len(ref)} stops of --export, in order"
          + ("" if same else f" (got {[a[0] for a in got]})"))
    n += 1
    regs_same = same and fixed(got) == fixed(ref)
    diff = sorted(set(f"{a[0]}:{x[0]}" for a, b in zip(fixed(got), fixed(ref))
                      for x, y in zip(a[1], b[1]) if x != y)) if same else []
    print(("ok" if regs_same else "not ok") + f" {n} - viewer walk {i}: the registers at every stop as "
          "in --export (the call-clobbered ones up to the call into C)" + ("" if regs_same else f" ({diff[:6]})"))
PY
