#!/usr/bin/env bash
# tests/ui/viewer_signals.sh: the terminal comes back after SIGTERM, SIGHUP and a crash
# (SIGSEGV); Ctrl-C interrupts a running target; without a terminal the viewer refuses.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/tmux.sh"
tmpdir
[ -x "${UI_CMD%% *}" ] || { skip "viewer signals" "no $UI_CMD (make test-tools)"; exit 0; }
command -v tmux >/dev/null || { skip "viewer signals" "tmux is not installed"; exit 0; }

# kill_and_check SIGNAL STATUS: start the viewer, send SIGNAL, expect STATUS and the same stty.
kill_and_check() {
	local sig=$1 want=$2
	tmux_wrapped 120 40
	if ! tmux_wait_stop 1 1 10; then
		not_ok "SIG$sig: the viewer starts"
	else
		kill -"$sig" "$(cat "$TMP/pid")"
		if tmux_wait_file "$TMP/rc" 15; then
			check_eq "SIG$sig: exit status" "$want" "$(cat "$TMP/rc")"
			check_eq "SIG$sig: terminal settings restored (stty -g)" \
				"$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after")"
		else
			not_ok "SIG$sig: the viewer exits" "no exit status after 15 s"
		fi
	fi
	tmux_t kill-server 2>/dev/null
}
kill_and_check TERM 143
kill_and_check HUP 129
kill_and_check SEGV 139
kill_and_check ABRT 134

# Ctrl-C while the target runs stops the run, not the viewer.
UI_FIXTURE_SLOW_MS=20000 tmux_wrapped 120 40
if tmux_wait_stop 1 1 10; then
	tmux_keys n
	check "a slow run says it is running" tmux_wait "running: next"
	tmux_keys C-c
	check "Ctrl-C interrupts the run" tmux_wait "interrupted by the user" 10
	check "the viewer is still there" kill -0 "$(cat "$TMP/pid")"
	check "still at the first stop" tmux_wait_stop 1 1 10
	tmux_keys C-c
	check "Ctrl-C with nothing running quits" tmux_wait_file "$TMP/rc" 10
	check_eq "exit status after an idle Ctrl-C" "130" "$(cat "$TMP/rc" 2>/dev/null)"
	check_eq "terminal settings restored after Ctrl-C" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
else
	not_ok "slow fixture starts"
fi
tmux_t kill-server 2>/dev/null

# A resize while the target runs redraws but must not interrupt the run.
UI_FIXTURE_SLOW_MS=1500 tmux_wrapped 120 40
if tmux_wait_stop 1 1 10; then
	tmux_keys n
	tmux_wait "running: next" >/dev/null
	tmux_t resize-window -t t -x 100 -y 30
	check "a resize during a run does not interrupt it" tmux_wait_stop 2 2 10
	screen=$(tmux_screen)
	if grep -qF "interrupted" <<<"$screen"; then not_ok "no interruption message after a resize"; else ok "no interruption message after a resize"; fi
	tmux_keys q
	tmux_wait_file "$TMP/rc" 10 >/dev/null
else
	not_ok "slow fixture starts (resize case)"
fi
tmux_t kill-server 2>/dev/null

# Without a terminal: a clear message and status 2.
msg="syswalk: the interactive viewer needs a terminal; use --batch or --export FILE"
out=$($UI_CMD </dev/null 2>&1 >/dev/null); rc=$?
check_eq "stdin not a terminal: status 2" "2" "$rc"
check_eq "stdin not a terminal: the message" "$msg" "$out"
rc=$( { $UI_CMD 2>"$TMP/err" | cat; } ; echo "${PIPESTATUS[0]}")
check_eq "stdout to a pipe: status 2" "2" "$rc"
check_eq "stdout to a pipe: the message" "$msg" "$(cat "$TMP/err")"
exit 0
