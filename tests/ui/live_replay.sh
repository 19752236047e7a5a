#!/usr/bin/env bash
# tests/ui/live_replay.sh: `--replay` of a JSON that the live viewer exported (key e) in
# this same test shows the same stops with the same values: every stop's location in
# order, and at the first and the last stop the same screen (registers, MSRs, pt_regs,
# disassembly, note, console) apart from the status line's source.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "live viewer replay"
UI_CMD="$SYSWALK ${ANN_ARGS[*]}"
source "$ROOT/tests/lib/tmux.sh"
command -v tmux >/dev/null || { skip "live viewer replay" "tmux is not installed"; exit 0; }

# panes: the screen without its status line (the last line)
panes() { tmux_screen | sed '$d'; }
# stop_location: the location field of the status line
# The location: what follows "stop N of M | " on the status line, up to the next field.
stop_location() { status_line | sed -E 's/.*stop [0-9]+ of (≥)?[0-9]+ \| //' | awk '{ print $1 }'; }

tmux_wrapped 120 40
check "live: the viewer starts at stop 1" tmux_wait_stop 1 1 60
panes >"$TMP/live-first.txt"
locs=("$(stop_location)")
for ((i = 2; i < 64; i++)); do
	before=$(status_line)
	tmux_keys n
	wait_status_change "$before" 60 || break
	tmux_wait_stop $i $i 5 || break   # n at the end of the walk adds no stop
	locs+=("$(stop_location)")
	tmux_screen | grep -q 'CPL 3 ─' && break   # the Registers header: back in user mode
done
panes >"$TMP/live-last.txt"
n=${#locs[@]}
check "live: n walked write to user mode ($n stops)" test "$n" -ge 3
tmux_keys e
tmux_wait "Export the walk to" 5 >/dev/null
tmux_keys "$TMP/walk.json" Enter
check "live: e exported the walk" tmux_wait_file "$TMP/walk.json" 30
tmux_keys q
tmux_wait_file "$TMP/rc" 15 >/dev/null
tmux_t kill-server 2>/dev/null

UI_CMD="$SYSWALK --replay $TMP/walk.json"
tmux_wrapped 120 40
check "replay: starts at stop 1 of $n" tmux_wait_stop 1 $n 30
check "replay: says it is a replay" tmux_wait " replay | write | stop 1 of $n |" 2
if diff -u "$TMP/live-first.txt" <(panes) >"$TMP/diff-first.txt"; then
	ok "replay: stop 1 shows the same screen as live"
else
	not_ok "replay: stop 1 shows the same screen as live" "$(grep '^[-+][^-+]' "$TMP/diff-first.txt" | head -4 | tr '\n' '|')"
fi
check_eq "replay: stop 1 at ${locs[0]}" "${locs[0]}" "$(stop_location)"
same=1
for ((i = 1; i < n; i++)); do
	tmux_keys f
	if ! tmux_wait_stop $((i + 1)) $n 10 || [ "$(stop_location)" != "${locs[i]}" ]; then
		not_ok "replay: stop $((i + 1)) is ${locs[i]}" "status: $(status_line)"
		same=0
		break
	fi
done
[ $same = 1 ] && ok "replay: f visits the same $n stops in the same order"
if diff -u "$TMP/live-last.txt" <(panes) >"$TMP/diff-last.txt"; then
	ok "replay: the last stop shows the same screen as live"
else
	not_ok "replay: the last stop shows the same screen as live" "$(grep '^[-+][^-+]' "$TMP/diff-last.txt" | head -4 | tr '\n' '|')"
fi
tmux_keys n
check "replay: n past the end adds nothing" tmux_wait_stop $n $n 5
tmux_keys q
check "replay: q quits" tmux_wait_file "$TMP/rc" 10
check_eq "replay: exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "replay: terminal settings restored (stty -g)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
exit 0
