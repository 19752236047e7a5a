#!/usr/bin/env bash
# tests/ui/live_attach_death.sh: the real viewer attached (--attach) to a QEMU it did not
# start, which is then killed between two keys. With no serial line of its own to watch,
# the viewer learns of the death from the gdbstub's socket, which its poll loop watches
# between actions: the message must appear before any key is pressed, the history stay
# browsable, and q give the terminal back as it was.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "live viewer attached to a QEMU that dies"
command -v tmux >/dev/null || { skip "live viewer attached to a QEMU that dies" "tmux is not installed"; exit 0; }

check "QEMU's gdbstub socket appears" qemu_gdb_start "$TMP/q.sock"
qpid=$QEMU_GDB_PID

UI_CMD="$SYSWALK ${ANN_ARGS[*]} --attach unix:$TMP/q.sock"
source "$ROOT/tests/lib/tmux.sh"
tmux_wrapped 120 50
vpid=$(cat "$TMP/pid")
check "the attached viewer reaches stop 1" tmux_wait_stop 1 1 60
tmux_keys n
check "n reaches stop 2" tmux_wait_stop 2 2 60

kill -KILL "$qpid"
wait "$qpid" 2>/dev/null
check "before any key, the viewer says the gdbstub has gone" \
	tmux_wait "gdbstub closed the connection" 5
check "and that the stops seen can still be browsed and exported" \
	grep -qF "the stops already seen can still be browsed and exported" \
	<<<"$(tmux_screen 2>/dev/null | tr -s ' \n' '  ')"
check "the status line says the walk is not live" tmux_wait "| not live" 2
tmux_keys b
check "b still goes back (stop 1 of 2)" tmux_wait_stop 1 2 10
tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 15
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "terminal settings restored (stty -g)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
check "the viewer has exited" wait_gone "$vpid" 10
exit 0
