#!/usr/bin/env bash
# tests/ui/live_restart.sh: r (walk again) in the real viewer, started from the saved
# machine state. r swaps in a second QEMU loaded with the state (viewer/vmstate.c): the
# walk starts over at entry_SYSCALL_64 with the same registers as the first time, the
# console pane keeps showing the new QEMU's serial output (its pipe was moved onto the
# descriptor the viewer polls), n still walks, and q leaves no QEMU behind.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "r in the live viewer"
export XDG_CACHE_HOME=$TMP/cache
UI_CMD="$SYSWALK ${ANN_ARGS[*]}"
source "$ROOT/tests/lib/tmux.sh"
command -v tmux >/dev/null || { skip "r in the live viewer" "tmux is not installed"; exit 0; }

# The first run saves the state; the reference walk of write comes from it too.
ref=$TMP/write.json
if ! timeout 120 "$SYSWALK" "${ANN_ARGS[@]}" --export "$ref" --syscall write >"$TMP/export.out" 2>&1; then
	not_ok "--export of write (the reference, saving the state)" "$(tail -3 "$TMP/export.out")"
	exit 0
fi
check "the reference walk saved the machine state" grep -q 'saved the machine state' "$TMP/export.out"
nstops=$(json_py "$ref" 'len(d["snapshots"])')

tmux_wrapped 120 40
vpid=$(cat "$TMP/pid")
check "first screen: stop 1 of 1" tmux_wait "stop 1 of 1" 60
rcx=$(screen_reg rcx)
check_eq "RCX at entry is the reference's" "$(reg_hex "$ref" 0 rcx)" "$rcx"

# n to the end of write: its handler prints the demo's line on the serial console.
for ((n = 2; n <= nstops; n++)); do
	tmux_keys n
	tmux_wait "stop $n of $n" 60 || break
done
check "n walks write to its end (stop $nstops)" tmux_wait "stop $nstops of $nstops" 5
sleep 2      # a user reads the stop; the spare QEMU finishes loading meanwhile
qemus=$(live_pids_of "$vpid" | wc -l)
check_eq "two QEMUs: the walk's and the one loaded for r" 2 "$qemus"
first_qemu=$(live_pids_of "$vpid" | head -1)

tmux_keys r
check "r: back to stop 1 of 1" tmux_wait "stop 1 of 1" 30
check_eq "r: RCX at entry is the same" "$rcx" "$(screen_reg rcx)"
check "r: the walk's first QEMU is gone" wait_gone "$first_qemu" 10
tmux_screen >"$TMP/after-r.txt"
check "r: the new walk's console starts empty (the line is not there yet)" \
	bash -c "! grep -q 'Hello from ring 3!' '$TMP/after-r.txt'"
for ((n = 2; n <= nstops; n++)); do
	tmux_keys n
	tmux_wait "stop $n of $n" 60 || break
done
check "after r, n walks write to its end again" tmux_wait "stop $nstops of $nstops" 5
check "the console pane shows the new QEMU's output (the demo's line)" tmux_wait "Hello from ring 3!" 5
qemu_pids=$(live_pids_of "$vpid" | tr '\n' ' ')

tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 15
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "terminal settings restored after q" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
for p in $qemu_pids; do
	check "no QEMU left after q (pid $p)" wait_gone "$p" 10
done
exit 0
