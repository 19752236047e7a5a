#!/usr/bin/env bash
# tests/ui/viewer_resize.sh: the too-small screen, recovery after a resize, a resize
# storm, and the compact layout, in a real terminal (tmux).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/tmux.sh"
tmpdir
[ -x "${UI_CMD%% *}" ] || { skip "viewer resize" "no $UI_CMD (make test-tools)"; exit 0; }
command -v tmux >/dev/null || { skip "viewer resize" "tmux is not installed"; exit 0; }

tmux_wrapped 120 40
check "the viewer starts" tmux_wait_stop 1 1 10
tmux_t resize-window -t t -x 40 -y 10
check "40x10 shows the too-small screen" tmux_wait "terminal too small (needs 80x24)"
check "it says the current size" tmux_wait "now 40x10"
tmux_keys n
sleep 0.3
check "keys other than q do nothing while too small" tmux_wait "now 40x10"
tmux_t resize-window -t t -x 120 -y 40
check "back to 120x40 the panes return" tmux_wait "the CPU has just executed syscall"
check "and the registers" tmux_wait "rcx 0000000000401013"

for i in $(seq 1 20); do
	tmux_t resize-window -t t -x $((40 + i * 7)) -y $((10 + i * 2))
done
tmux_t resize-window -t t -x 100 -y 30
check "after 20 resizes the compact layout is drawn" tmux_wait "Disassembly (AT&T)"
check "the viewer is still running after the storm" kill -0 "$(cat "$TMP/pid")"
check "compact layout shows the note" tmux_wait "the CPU has just executed syscall"
tmux_keys Tab
check "Tab brings the registers into the compact layout" tmux_wait "rcx 0000000000401013"
tmux_keys Tab Tab
check "Tab again shows the pt_regs pane" tmux_wait "not on the kernel stack yet"

tmux_t resize-window -t t -x 80 -y 24
check "80x24 is enough" tmux_wait_stop 1 1 10
screen=$(tmux_screen)
if grep -qF "too small" <<<"$screen"; then not_ok "80x24 is not too small"; else ok "80x24 is not too small"; fi

# Scrolling: at 80x24 the frame (22 rows) does not fit above the disassembly.
tmux_keys n n
tmux_wait "On the kernel stack" >/dev/null
# the focus is still on pt_regs (Tab above), so the compact layout shows it
check "the focused pt_regs pane is shown" tmux_wait "RSP at the top: nothing pushed yet"
tmux_keys j j j
sleep 0.3
if tmux_wait "+0x88 cs" 5 && ! tmux_screen | grep -qF "+0xa0 ss"; then
	ok "j scrolls the focused pane down"
else
	not_ok "j scrolls the focused pane down"
fi
tmux_keys k k k
check "k scrolls it back up" tmux_wait "+0xa0 ss"

tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 10
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "terminal settings restored (stty -g)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
tmux_t kill-server 2>/dev/null

# Outside a UTF-8 locale: ASCII line drawing and markers only. With NO_COLOR: no colours.
NO_COLOR=1 LC_ALL=C LANG=C tmux_wrapped 120 40
check "C locale: the viewer starts" tmux_wait_stop 1 1 10
check "C locale: ASCII rules" tmux_wait "-- Registers ---"
check "C locale: ASCII current-line marker" tmux_wait "> ffffffff81200000  swapgs"
if tmux_screen | LC_ALL=C grep -q $'[\x80-\xff]'; then
	not_ok "C locale: no byte above 0x7f on screen" "$(tmux_screen | LC_ALL=C grep $'[\x80-\xff]' | head -2)"
else
	ok "C locale: no byte above 0x7f on screen"
fi
tmux_keys n
tmux_wait_stop 2 2 10 >/dev/null
if tmux_has_colour; then
	not_ok "NO_COLOR: no colour on screen"
else
	ok "NO_COLOR: no colour on screen"
fi
tmux_keys q
check "C locale: q quits" tmux_wait_file "$TMP/rc" 10
exit 0
