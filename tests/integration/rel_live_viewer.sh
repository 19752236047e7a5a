#!/usr/bin/env bash
# tests/integration/rel_live_viewer.sh: the interactive viewer on the live teaching
# kernel, under tmux. SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
# SIGSEGV and SIGABRT: the exit status is 128 + the signal, the terminal comes back
# (stty -g identical), no QEMU and no socket directory is left; SIGPIPE is ignored (the
# viewer goes on, q then exits 0). QEMU killed while the viewer is idle at
# 20 points of the walk (stops 1 to 20, reached with 's'): within a second, without a
# key, the viewer says so in plain words; history stays browsable (b), q exits with
# status 0 and the terminal is restored.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/reliability.sh"
tmpdir
rel_setup
command -v tmux >/dev/null || { skip "live viewer" "tmux is not installed"; exit 0; }
[ -x "$SYSWALK" ] && [ -f "$KERNEL" ] || { skip "live viewer" "build syswalk and the kernel first"; exit 0; }
UI_CMD="$SYSWALK ${NOTES[*]}"
source "$ROOT/tests/lib/tmux.sh"
# tmux runs the wrapper with the server's environment: hand TMPDIR over explicitly.
UI_CMD="env TMPDIR=$TMP $UI_CMD"

for sig in INT TERM HUP QUIT USR1 USR2 ALRM PIPE SEGV ABRT; do
	tmux_wrapped 160 45
	if ! tmux_wait "stop 1 of" 30; then
		not_ok "SIG$sig: the live viewer starts" "$(tmux_screen | tail -2 | tr '\n' ' ')"
		tmux_t kill-server 2>/dev/null
		continue
	fi
	kill -"$sig" "$(cat "$TMP/pid")"
	want=$((128 + $(kill -l "$sig")))
	if [ "$sig" = PIPE ]; then
		sleep 0.5
		check "SIGPIPE: ignored, the viewer goes on" kill -0 "$(cat "$TMP/pid")"
		tmux_keys q
		want=0
	fi
	if tmux_wait_file "$TMP/rc" 10; then
		check_eq "SIG$sig: exit status" "$want" "$(cat "$TMP/rc")"
		check_eq "SIG$sig: terminal settings restored (stty -g)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after")"
		sleep 0.3
		check_eq "SIG$sig: no QEMU left" "" "$(rel_our_qemus)"
		check_eq "SIG$sig: no socket directory left" "" "$(rel_leftover_dirs)"
	else
		not_ok "SIG$sig: the viewer exits" "no exit status after 10 s"
	fi
	tmux_t kill-server 2>/dev/null
	pkill -KILL -f "$TMP/syswalk-qemu" 2>/dev/null
	rm -rf "$TMP"/syswalk-qemu.*
done

for ((k = 0; k < 20; k++)); do
	tmux_wrapped 160 45
	if ! tmux_wait "stop 1 of" 30; then
		not_ok "kill at stop $((k + 1)): the live viewer starts"
		tmux_t kill-server 2>/dev/null
		continue
	fi
	for ((j = 0; j < k; j++)); do tmux_keys s; tmux_wait "stop $((j + 2)) of" 10 >/dev/null; done
	kill -KILL "$(pgrep -P "$(cat "$TMP/pid")" | head -1)"
	t0=$(rel_ms)
	# The gdbstub's socket ("QEMU is gone (killed by signal 9 ...)") or the serial line
	# ("QEMU has exited"), whichever the viewer's poll loop hears first.
	gone='QEMU (is gone|has exited)'
	until tmux_screen 2>/dev/null | grep -qE "$gone" || [ $(( $(rel_ms) - t0 )) -gt 1000 ]; do
		sleep 0.02
	done
	said=$(tmux_screen 2>/dev/null | grep -cE "$gone")
	check "kill at stop $((k + 1)): within 1 s, with no key, the viewer says QEMU is gone" \
		test "$said" -gt 0
	check "kill at stop $((k + 1)): the viewer is still running" kill -0 "$(cat "$TMP/pid")"
	tmux_keys n
	check "kill at stop $((k + 1)): n then says the target is gone" tmux_wait "QEMU" 5
	tmux_keys b
	if [ "$k" -gt 0 ]; then
		check "kill at stop $((k + 1)): back still works" tmux_wait "stop $k of" 5
	fi
	tmux_keys q
	check "kill at stop $((k + 1)): q exits" tmux_wait_file "$TMP/rc" 10
	check_eq "kill at stop $((k + 1)): exit status 0" 0 "$(cat "$TMP/rc" 2>/dev/null)"
	check_eq "kill at stop $((k + 1)): terminal restored" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
	check "kill at stop $((k + 1)): no QEMU left" test -z "$(rel_our_qemus)"
	tmux_t kill-server 2>/dev/null
done
exit 0
