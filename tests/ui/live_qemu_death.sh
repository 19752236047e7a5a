#!/usr/bin/env bash
# tests/ui/live_qemu_death.sh: QEMU killed (SIGKILL) in the middle of a walk in the real
# viewer. The viewer must say so in plain words, keep the history it has (b/f still
# browse it, e still exports it), quit cleanly on q, and leave no QEMU behind.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "live viewer, QEMU killed"
UI_CMD="$SYSWALK ${ANN_ARGS[*]}"
source "$ROOT/tests/lib/tmux.sh"
command -v tmux >/dev/null || { skip "live viewer, QEMU killed" "tmux is not installed"; exit 0; }


# 120 columns: the status line cuts the message, which then shows whole in a box above it
tmux_wrapped 120 50
vpid=$(cat "$TMP/pid")
check "the viewer starts at stop 1" tmux_wait_stop 1 1 60
rcx1=$(screen_reg rcx)
tmux_keys n
check "n reaches stop 2" tmux_wait_stop 2 2 60
rsp2=$(screen_reg rsp)
qemu_pid=$(live_pids_of "$vpid" | head -1)
if [ -z "$qemu_pid" ] || [ "$(cat "/proc/$qemu_pid/comm" 2>/dev/null)" != qemu-system-x86 ]; then
	not_ok "QEMU is the viewer's child" "children of $vpid: $(live_pids_of "$vpid" | tr '\n' ' ')"
	exit 0
fi
ok "QEMU is the viewer's child (pid $qemu_pid)"
kill -KILL "$qemu_pid"
end=$((SECONDS + 10))
while proc_running "$qemu_pid" && [ $SECONDS -le $end ]; do sleep 0.1; done
check "QEMU is dead" test "$(proc_running "$qemu_pid" && echo yes)" != yes

# The viewer watches the gdbstub's socket (and QEMU's serial line) between actions: it
# says how QEMU ended before any key is pressed. At 120 columns the status line cuts the
# message, which then shows whole in a box above it; the box wraps at word boundaries,
# so the screen is compared with its blanks squeezed.
check "the viewer notices QEMU's death by itself, before any key" \
	tmux_wait "QEMU is gone (killed by signal 9" 5
want="QEMU is gone (killed by signal 9 (Killed)) while waiting between actions; the stops already seen can still be browsed and exported"
check "the message the status line cuts is shown whole" \
	grep -qF -- "$want" <<<"$(tmux_screen 2>/dev/null | tr -s ' \n' '  ')"
echo "# status line: $(status_line | sed 's/  */ /g')"
check "the status line says the walk is not live" tmux_wait "| not live" 2
tmux_keys n
check "n then says again how QEMU ended" tmux_wait "next: QEMU is gone (killed by signal 9 (Killed)); the stops" 10
check "the viewer is still running" kill -0 "$vpid"

tmux_keys b
check "b still goes back (stop 1 of 2)" tmux_wait_stop 1 2 10
check_eq "stop 1 still shows its RCX" "$rcx1" "$(screen_reg rcx)"
tmux_keys f
check "f still goes forward (stop 2 of 2)" tmux_wait_stop 2 2 10
check_eq "stop 2 still shows its RSP" "$rsp2" "$(screen_reg rsp)"
tmux_keys s
sleep 0.5
check "s without QEMU adds no stop" tmux_wait_stop 2 2 5

tmux_keys e
check "e asks for a file name" tmux_wait "Export the walk to" 5
tmux_keys "$TMP/after-death.json" Enter
check "the history is exported after QEMU's death" tmux_wait "exported the walk so far to $TMP/after-death.json" 30
check_eq "the export holds the two stops seen" "2" "$(json_py "$TMP/after-death.json" 'len(d["snapshots"])' 2>&1)"

tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 15
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "terminal settings restored (stty -g)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
check "the viewer has exited" wait_gone "$vpid" 10
check "no QEMU process remains (not even a zombie)" wait_gone "$qemu_pid" 10
exit 0
