#!/usr/bin/env bash
# tests/ui/viewer_latency.sh: keypress-to-screen latency for n and s over a whole walk,
# as seen through tmux (so tmux's own delay is included). Reported as TAP comments, never
# a pass/fail on speed: the machine is shared. The only assertions: every stop is reached.
# With the real walk: UI_CMD="$SYSWALK" and expect more stops (set UI_STOPS).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/tmux.sh"
tmpdir
[ -x "${UI_CMD%% *}" ] || { skip "viewer latency" "no $UI_CMD (make test-tools)"; exit 0; }
command -v tmux >/dev/null || { skip "viewer latency" "tmux is not installed"; exit 0; }

# measure KEY N: press KEY until "stop N of N", one key at a time, timing each screen change.
measure() {
	local key=$1 last=$2 i t0 times=()
	for ((i = 2; i <= last; i++)); do
		t0=$(date +%s%N)
		tmux_keys "$key"
		tmux_wait_stop $i $i 20 || { not_ok "$key reaches stop $i"; return; }
		times+=($(( ($(date +%s%N) - t0) / 1000 )))
	done
	ok "$key reaches every stop up to $last"
	printf '%s\n' "${times[@]}" | sort -n | awk -v k="$key" '
		{ v[NR] = $1 } END { printf "# latency %s: %d presses, median %.1f ms, worst %.1f ms\n",
		  k, NR, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}

tmux_wrapped 120 40
check "the viewer starts" tmux_wait_stop 1 1 10
measure s "${UI_STOPS_STEP:-14}"
tmux_keys q
tmux_wait_file "$TMP/rc" 10 >/dev/null
tmux_t kill-server 2>/dev/null

tmux_wrapped 120 40
check "the viewer starts again" tmux_wait_stop 1 1 10
measure n "${UI_STOPS_NEXT:-8}"
echo "# peak memory of the viewer: $(awk '/VmHWM/ { print $2, $3 }' "/proc/$(cat "$TMP/pid")/status" 2>/dev/null)"
tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 10
exit 0
