#!/usr/bin/env bash
# tests/ui/live_walk.sh: the real viewer on the real teaching kernel in a real terminal
# (tmux). The demo is deterministic, so a JSON exported by `--export` in this test is the
# reference for what the screen must show: RCX at entry, the pt_regs slots after the first
# pushes, which registers are highlighted as changed, the location of every stop. Then the
# keys: b/f through the history, s (one instruction), n to the end of write, e (export the
# walk so far), c (on to getpid), q (terminal as it was, no QEMU left).
# Leaves the screen at entry_SYSCALL_64 and at sysretq in build/live-screens/.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "live viewer walk"
UI_CMD="$SYSWALK ${ANN_ARGS[*]}"
source "$ROOT/tests/lib/tmux.sh"
command -v tmux >/dev/null || { skip "live viewer walk" "tmux is not installed"; exit 0; }
unset NO_COLOR    # the highlight check reads colours/attributes

ref=$TMP/write.json
if ! timeout 120 "$SYSWALK" "${ANN_ARGS[@]}" --export "$ref" --syscall write >"$TMP/export.out" 2>&1; then
	not_ok "--export of write (the reference)" "$(tail -3 "$TMP/export.out")"
	exit 0
fi
ok "--export of write (the reference)"
nstops=$(json_py "$ref" 'len(d["snapshots"])')
loc() { json_py "$ref" "d['snapshots'][$1]['location']"; }
shots=$BUILD/live-screens
mkdir -p "$shots"

tmux_wrapped 120 40
vpid=$(cat "$TMP/pid")
title=$(note_title entry_SYSCALL_64)
check "first screen: the note title of entry_SYSCALL_64 ('$title')" tmux_wait "$title" 60
check "first screen: status says stop 1 of 1" tmux_wait_stop 1 1 5
status=$(status_line)
if [[ $status == *"| write |"* && $status == *"| entry_SYSCALL_64"* ]]; then
	ok "first screen: the write walk at entry_SYSCALL_64"
else
	not_ok "first screen: the write walk at entry_SYSCALL_64" "status: $status"
fi
tmux_screen >"$shots/write-entry_SYSCALL_64.txt"
check_eq "RCX on screen equals RCX in the exported JSON" "$(reg_hex "$ref" 0 rcx)" "$(screen_reg rcx)"
check_eq "R11 on screen equals R11 in the exported JSON" "$(reg_hex "$ref" 0 r11)" "$(screen_reg r11)"
qemu_pid=$(live_pids_of "$vpid" | head -1)
check "QEMU runs as the viewer's child" test -n "$qemu_pid"

# frame_matches K: the pt_regs pane shows, for stop K (0-based) of the reference, every
# slot the trace marks filled with its value and every other one as "(empty)". Prints
# "ok FILLED" or what differs.
frame_matches() {
	tmux_screen | python3 -c '
import json, re, sys
screen = sys.stdin.read()
slots = json.load(open(sys.argv[1]))["snapshots"][int(sys.argv[2])]["frame"]["slots"]
filled = 0
for s in slots:
    m = re.search(r"\+0x%02x %s +(\S+)" % (s["offset"], re.escape(s["name"])), screen)
    want = format(int(s["value"], 16), "016x") if s["filled"] else "(empty)"
    if not m or m.group(1) != want:
        print("slot %s: want %s, screen %s" % (s["name"], want, m.group(1) if m else "nothing")); sys.exit()
    filled += s["filled"]
print("ok %d" % filled)' "$ref" "$1"
}
filled_at() { json_py "$ref" "sum(s['filled'] for s in d['snapshots'][$1]['frame']['slots'])"; }

# Stop 2: which registers are highlighted must be exactly those the trace marks changed.
tmux_keys n
check "n reaches stop 2 ($(loc 1))" tmux_wait_stop 2 2 60 " | $(loc 1)"
tmux_t capture-pane -p -e -t t >"$TMP/screen-e.txt"
if why=$(highlight_matches "$TMP/screen-e.txt" "$ref" 1); then
	ok "the registers changed since stop 1 are highlighted, only they ($why)"
else
	not_ok "the registers changed since stop 1 are highlighted, only they" "$why"
fi

tmux_keys b
check "b goes back to stop 1 of 2" tmux_wait_stop 1 2 10
check_eq "back at stop 1: RCX as before" "$(reg_hex "$ref" 0 rcx)" "$(screen_reg rcx)"
tmux_keys f
check "f goes forward to stop 2 of 2" tmux_wait_stop 2 2 10
check_eq "forward at stop 2: RIP as the trace says" "$(reg_hex "$ref" 1 rip)" "$(screen_reg rip)"

# s: exactly one instruction, so RIP is the address of the instruction after stop 2's
next_rip=$(json_py "$ref" '(lambda i: format(int(i[[x["current"] for x in i].index(True) + 1]["addr"], 16), "016x"))(d["snapshots"][1]["insns"])')
tmux_keys s
check "s adds stop 3 of 3" tmux_wait_stop 3 3 60
check_eq "s executed one instruction (RIP is the next one)" "$next_rip" "$(screen_reg rip)"

# n through the rest of write: each stop is the next one of the reference walk (after the
# one s may have landed on). On the way: the first stop with pushes in pt_regs, and sysretq.
start=2
[ "$(reg_hex "$ref" 2 rip)" = "$next_rip" ] && start=3
frame_checked=0
for ((k = start, n = 4; k < nstops; k++, n++)); do
	want=$(loc "$k")
	tmux_keys n
	if ! tmux_wait_stop $n $n 60 " | $want"; then
		not_ok "n reaches every later stop of the reference" "stop $n: want $want, status: $(status_line)"
		break
	fi
	if [ $frame_checked = 0 ] && [ "$(filled_at "$k")" -gt 0 ]; then
		frame_checked=1
		res=$(frame_matches "$k")
		case $res in
			ok*) ok "pt_regs at $want: the filled slots show their values, the others (empty) (${res#ok } filled)" ;;
			*) not_ok "pt_regs at $want: the filled slots show their values, the others (empty)" "$res" ;;
		esac
		check "pt_regs at $want: the slot just written is marked" tmux_wait "← written" 2
	fi
	tmux_screen | grep -q '▶ [0-9a-f]*  sysretq' && tmux_screen >"$shots/write-sysretq.txt"
done
[ "$k" = "$nstops" ] && ok "n reaches every later stop of the reference, in order ($((nstops - start)) stops)"
check "a pt_regs slot was seen filled" test $frame_checked = 1
check "a stop at sysretq was seen (screen kept)" test -s "$shots/write-sysretq.txt"
check_eq "the last stop: RAX is write's result, as in the trace" "$(reg_hex "$ref" $((nstops - 1)) rax)" "$(screen_reg rax)"

# e: the walk so far, as many stops as the status line counts
total=$(status_line | grep -oE 'stop [0-9]+ of (≥)?[0-9]+' | sed 's/.*[^0-9]//')
tmux_keys e
check "e asks for a file name" tmux_wait "Export the walk to" 5
tmux_keys "$TMP/sofar.json" Enter
check "e reports the export" tmux_wait "exported the walk so far to" 30
got=$(json_py "$TMP/sofar.json" 'len(d["snapshots"])' 2>&1)
check_eq "the exported JSON holds as many stops as the status said" "$total" "$got"

tmux_keys c
if tmux_wait_stop $((total + 1)) $((total + 1)) 60 " | entry_SYSCALL_64" && [[ $(status_line) == *"| getpid |"* ]]; then
	ok "c continues to the next syscall (getpid, at entry_SYSCALL_64)"
else
	not_ok "c continues to the next syscall (getpid, at entry_SYSCALL_64)" "status: $(status_line)"
fi
check_eq "at getpid's entry RAX is 39" "0000000000000027" "$(screen_reg rax)"

tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 15
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "terminal settings restored after q (stty -g, same pane)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
check "no QEMU left after q" wait_gone "${qemu_pid:-0}" 10
exit 0
