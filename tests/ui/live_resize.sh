#!/usr/bin/env bash
# tests/ui/live_resize.sh: the real viewer on the real walk through resizes: the
# too-small screen at 40x10 and the recovery, then a storm of 20 quick resizes (some
# below the minimum) while `n` keys are pressed, after which the viewer must still be
# alive, draw the stop it is at, and walk on to the end of write.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "live viewer resize"
UI_CMD="$SYSWALK ${ANN_ARGS[*]}"
source "$ROOT/tests/lib/tmux.sh"
command -v tmux >/dev/null || { skip "live viewer resize" "tmux is not installed"; exit 0; }

ref=$TMP/write.json
if ! timeout 120 "$SYSWALK" "${ANN_ARGS[@]}" --export "$ref" --syscall write >"$TMP/export.out" 2>&1; then
	not_ok "--export of write (the reference)" "$(tail -3 "$TMP/export.out")"
	exit 0
fi
nstops=$(json_py "$ref" 'len(d["snapshots"])')
last=$(json_py "$ref" 'd["snapshots"][-1]["location"]')
rcx=$(reg_hex "$ref" 0 rcx)

tmux_wrapped 120 40
vpid=$(cat "$TMP/pid")
check "the viewer starts at stop 1" tmux_wait_stop 1 1 60
tmux_t resize-window -t t -x 40 -y 10
check "40x10 shows the too-small screen" tmux_wait "terminal too small (needs 80x24)" 10
tmux_keys n
sleep 0.5
tmux_t resize-window -t t -x 120 -y 40
check "back at 120x40 the walk is drawn again" tmux_wait_stop 1 1 10 " | entry_SYSCALL_64"
check "n pressed while too small did nothing" test "$(tmux_screen | grep -c 'stop 2 of')" -eq 0
check_eq "and RCX is shown as before" "$rcx" "$(screen_reg rcx)"
if tmux_screen | grep -qF "too small"; then not_ok "the too-small text is gone"; else ok "the too-small text is gone"; fi

# The storm: sizes from 40x10 up to 173x48, an n after every fifth resize, no waiting.
for i in $(seq 1 20); do
	tmux_t resize-window -t t -x $((40 + i * 7)) -y $((10 + (i * 13) % 39))
	[ $((i % 5)) -eq 0 ] && tmux_keys n
	sleep 0.02
done
tmux_t resize-window -t t -x 120 -y 40
check "the viewer is alive after 20 resizes" kill -0 "$vpid"
check "it draws its stop at 120x40 again" tmux_wait "── Registers" 10
check "the status line is back" tmux_wait "| write | stop" 10
# Some of the n were sent at a size below the minimum and ignored: walk on to the end.
for ((i = 0; i < nstops; i++)); do
	[[ $(status_line) == *"| $last"* ]] && break
	before=$(status_line)
	tmux_keys n
	wait_status_change "$before" 60 || break
done
check "after the storm n still walks to the end of write ($last)" tmux_wait "| $last" 30
check_eq "the last stop shows write's result in RAX" "$(reg_hex "$ref" $((nstops - 1)) rax)" "$(screen_reg rax)"

tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 15
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "terminal settings restored (stty -g)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
exit 0
