#!/usr/bin/env bash
# tests/integration/rel_sizes.sh: the viewer on an exported trace (--replay) in
# terminals from 1x1 to 300x100, and resized across that range while it runs: it
# never dies, q leaves with status 0 and the terminal restored.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/reliability.sh"
tmpdir
rel_setup
command -v tmux >/dev/null || { skip "terminal sizes" "tmux is not installed"; exit 0; }
[ -x "$SYSWALK" ] && [ -f "$KERNEL" ] || { skip "terminal sizes" "build syswalk and the kernel first"; exit 0; }
"$SYSWALK" "${NOTES[@]}" --export "$TMP/trace.json" --syscall all >/dev/null 2>"$TMP/err" ||
	{ not_ok "export a trace to replay" "$(head -c 200 "$TMP/err")"; exit 0; }
UI_CMD="$SYSWALK --replay $TMP/trace.json"
source "$ROOT/tests/lib/tmux.sh"

for size in 1x1 2x2 5x3 20x6 40x12 79x23 80x24 132x43 300x100; do
	w=${size%x*} h=${size#*x}
	tmux_wrapped "$w" "$h"
	sleep 1
	alive=yes; kill -0 "$(cat "$TMP/pid" 2>/dev/null)" 2>/dev/null || alive=no
	tmux_keys n n b
	sleep 0.3
	kill -0 "$(cat "$TMP/pid" 2>/dev/null)" 2>/dev/null || alive=no
	tmux_keys q
	if tmux_wait_file "$TMP/rc" 10 && [ "$alive" = yes ]; then
		check_eq "${size}: q exits with status 0, terminal restored" \
			"0 $(cat "$TMP/stty.before")" "$(cat "$TMP/rc") $(cat "$TMP/stty.after")"
	else
		not_ok "${size}: the viewer survives and q exits" "alive=$alive rc=$(cat "$TMP/rc" 2>/dev/null)"
	fi
	tmux_t kill-server 2>/dev/null
done

# One viewer resized through the whole range while it runs.
tmux_wrapped 80 24
tmux_wait "stop 1 of" 10 >/dev/null
for size in 300x100 1x1 2x40 200x2 10x10 80x24; do
	tmux_t resize-window -t t -x "${size%x*}" -y "${size#*x}"
	sleep 0.3
done
check "resized from 300x100 to 1x1 and back: still running" kill -0 "$(cat "$TMP/pid")"
check "and showing a stop again at 80x24" tmux_wait "stop 1 of" 5
tmux_keys q
tmux_wait_file "$TMP/rc" 10 >/dev/null
check_eq "after the resizes: status 0, terminal restored" "0 $(cat "$TMP/stty.before")" \
	"$(cat "$TMP/rc" 2>/dev/null) $(cat "$TMP/stty.after" 2>/dev/null)"
tmux_t kill-server 2>/dev/null
exit 0
