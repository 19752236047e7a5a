#!/usr/bin/env bash
# tests/ui/live_latency.sh: keypress-to-screen latency of the real viewer on the real walk
# of write, for n (every annotated stop) and for s (every instruction, from the entry to
# user mode), and the viewer's peak memory after each full walk. Latency is the time from
# `tmux send-keys` returning to the status line changing, polled with capture-pane every
# ~2 ms, so tmux's own delays are included. Figures are TAP comments, never pass/fail (the
# machine is shared); what is asserted is that every stop is reached.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "live viewer latency"
UI_CMD="$SYSWALK ${ANN_ARGS[*]}"
source "$ROOT/tests/lib/tmux.sh"
command -v tmux >/dev/null || { skip "live viewer latency" "tmux is not installed"; exit 0; }

H=40
ref=$TMP/write.json
if ! timeout 120 "$SYSWALK" "${ANN_ARGS[@]}" --export "$ref" --syscall write >"$TMP/export.out" 2>&1; then
	not_ok "--export of write (the reference)" "$(tail -3 "$TMP/export.out")"
	exit 0
fi
last=$(json_py "$ref" 'd["snapshots"][-1]["location"]')
nstops=$(json_py "$ref" 'len(d["snapshots"])')

last_line() { tmux_t capture-pane -p -t t -S $((H - 1)) -E $((H - 1)); }
now_us() { echo $(( ${EPOCHREALTIME/./} )); }

# press KEY LIMIT: press KEY, one at a time, until the status line shows $last (at most
# LIMIT presses); each press's latency in µs goes to $TMP/KEY.times
press() {
	local key=$1 limit=$2 i t0 before cur end
	: >"$TMP/$key.times"
	for ((i = 0; i < limit; i++)); do
		before=$(last_line)
		[[ $before == *"| $last"* ]] && return 0
		t0=$(now_us)
		tmux_keys "$key"
		end=$((SECONDS + 60))
		while cur=$(last_line); [ "$cur" = "$before" ] || [[ $cur == *"running: "* ]]; do
			[ $SECONDS -le $end ] || return 1
			sleep 0.002
		done
		echo $(( $(now_us) - t0 )) >>"$TMP/$key.times"
	done
	[[ $(last_line) == *"| $last"* ]]
}

report() {  # report KEY: median and worst as a TAP comment
	sort -n "$TMP/$1.times" | awk -v k="$1" '{ v[NR] = $1 }
		END { if (NR) printf "# latency %s: %d presses, median %.1f ms, worst %.1f ms\n",
		      k, NR, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}

peak() { awk '/VmHWM/ { print $2, $3 }' "/proc/$(cat "$TMP/pid")/status" 2>/dev/null; }

echo "# command: tests/ui/live_latency.sh (tmux 120x$H, $SYSWALK ${ANN_ARGS[*]})"
tmux_wrapped 120 $H
check "n: the viewer starts" tmux_wait_stop 1 1 60
check "n reaches every annotated stop of write, to $last" press n $((nstops + 2))
check_eq "n: as many stops as the exported walk" "$nstops" "$(( $(wc -l <"$TMP/n.times") + 1 ))"
report n
echo "# peak memory of the viewer after a full walk with n: $(peak)"
tmux_keys q
tmux_wait_file "$TMP/rc" 15 >/dev/null
tmux_t kill-server 2>/dev/null

tmux_wrapped 120 $H
check "s: the viewer starts" tmux_wait_stop 1 1 60
check "s steps every instruction from the entry to $last" press s 2000
report s
echo "# peak memory of the viewer after a full walk with s ($(wc -l <"$TMP/s.times") steps): $(peak)"
tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 15
exit 0
