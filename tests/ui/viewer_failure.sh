#!/usr/bin/env bash
# tests/ui/viewer_failure.sh: the target dies in the middle of a walk: the viewer says
# so in plain words, the history stays browsable and exportable, q leaves cleanly.
# Also: a changed register is really highlighted (attributes read with capture-pane -e).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/tmux.sh"
tmpdir
[ -x "${UI_CMD%% *}" ] || { skip "viewer failure" "no $UI_CMD (make test-tools)"; exit 0; }
command -v tmux >/dev/null || { skip "viewer failure" "tmux is not installed"; exit 0; }

# The fixture's "QEMU" dies when a run would go past its stop 3.
UI_FIXTURE_FAIL_AFTER=3 UI_FIXTURE_COLOR=never tmux_wrapped 120 40
check "the viewer starts" tmux_wait_stop 1 1 10
tmux_keys n
check "stop 2 reached" tmux_wait_stop 2 2 10

# Monochrome: a changed value is drawn in reverse video (SGR 7), an unchanged one not.
esc=$(printf '\033')
attrs=$(tmux_t capture-pane -p -e -t t)
if grep -qE "${esc}\[[0-9;]*7[0-9;]*m[^${esc}]*ffff888007c00000" <<<"$(grep -F 'gs_base' <<<"$attrs" | head -1)"; then
	ok "gs_base, changed by swapgs, is highlighted"
else
	not_ok "gs_base, changed by swapgs, is highlighted" "$(grep -F gs_base <<<"$attrs" | head -1 | cat -v)"
fi
if grep -qE "${esc}\[[0-9;]*7[0-9;]*m[^${esc}]*0000000000401013" <<<"$(grep -F 'rcx' <<<"$attrs" | head -1)"; then
	not_ok "rcx, unchanged, is not highlighted"
else
	ok "rcx, unchanged, is not highlighted"
fi

tmux_keys n
check "stop 3 reached" tmux_wait_stop 3 3 10
tmux_keys n
check "the death of the target is said in plain words" tmux_wait "QEMU exited (killed by signal 9)"
check "the status line says the target is not live" tmux_wait "not live"
check "the viewer is still running" kill -0 "$(cat "$TMP/pid")"
tmux_keys n
check "a second run explains that the target is gone" tmux_wait "the target is gone"
tmux_keys b
check "back still works" tmux_wait_stop 2 3 10
tmux_keys b
check "back to the first stop" tmux_wait "the CPU has just executed syscall"
tmux_keys b
check "back at the first stop says so" tmux_wait "already at the first stop"
tmux_keys f f
check "forward still works" tmux_wait_stop 3 3 10
tmux_keys e
tmux_wait "Export the walk to" >/dev/null
tmux_keys "$TMP/after-death.txt" Enter
check "export still works" tmux_wait "exported the walk so far to"
check_eq "the export holds the three stops" "3" "$(wc -l <"$TMP/after-death.txt" 2>/dev/null | tr -d ' ')"
tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 10
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "terminal settings restored (stty -g)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
exit 0
