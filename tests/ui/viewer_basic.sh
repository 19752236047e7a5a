#!/usr/bin/env bash
# tests/ui/viewer_basic.sh: the viewer in a real terminal (tmux): the first screen,
# stepping forward and back, help, syntax toggle, export, and a terminal left as it was.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/tmux.sh"
tmpdir
unset NO_COLOR    # this test checks that colours are used by default
[ -x "${UI_CMD%% *}" ] || { skip "viewer basics" "no $UI_CMD (make test-tools)"; exit 0; }
command -v tmux >/dev/null || { skip "viewer basics" "tmux is not installed"; exit 0; }

UI_FIXTURE_CONSOLE=$'late\x1b]0;title\x07 line from the console\n' tmux_wrapped 120 40
check "first screen shows the note title" tmux_wait "entry_SYSCALL_64: the CPU has just executed syscall"
# SYSCALL put the user RIP after the 2-byte instruction at 0x401011 into RCX
check "first screen shows RCX = user RIP after syscall" tmux_wait "rcx 0000000000401013"
check "status says stop 1 of 1" tmux_wait_stop 1 1 10
check "console escape bytes are shown, not obeyed" tmux_wait 'teach: \x1b[31mred?\x1b[0m demo'
check "bytes read from the console fd are shown, sanitised" tmux_wait 'late\x1b]0;title\x07 line from the console'

start=$(date +%s%N)
tmux_keys n
check "n advances to stop 2" tmux_wait_stop 2 2 10
echo "# latency: n to screen $(( ($(date +%s%N) - start) / 1000000 )) ms (tmux polling included)"
check "the new note is shown" tmux_wait "swapgs: GS now points at this CPU's data"
# colours by default when the terminal has them (tmux does): SGR 30-37/40-47 on screen
check "colours are used when NO_COLOR is unset" tmux_has_colour
tmux_keys b
check "b goes back to stop 1" tmux_wait_stop 1 2 10
check "back shows the first note again" tmux_wait "the CPU has just executed syscall"
tmux_keys f
check "f goes forward to stop 2" tmux_wait_stop 2 2 10
tmux_keys Right
check "forward past the history says why" tmux_wait "no later stop in the history"
tmux_keys Left
check "the left arrow goes back" tmux_wait_stop 1 2 10

tmux_keys n n n
check "three more n reach the pushes" tmux_wait "orig_ax: the syscall number, kept"
check "the slot just written is marked" tmux_wait "orig_ax  0000000000000001 "
screen=$(tmux_screen)
if grep -q "orig_ax  0000000000000001 .* written" <<<"$screen" && grep -qE "\+0x50 ax +\(empty\)" <<<"$screen"; then
	ok "pt_regs shows the slot just written and the empty ones"
else
	not_ok "pt_regs shows the slot just written and the empty ones" "$(grep -E 'orig_ax|\+0x50' <<<"$screen" | head -3)"
fi
tmux_keys s
check "s steps one instruction" tmux_wait_stop 5 5 10

tmux_keys a
check "a switches to Intel syntax" tmux_wait "Disassembly (Intel)"
check "Intel operand order" tmux_wait "mov    rdi, rsp"
tmux_keys a
check "a switches back to AT&T" tmux_wait "Disassembly (AT&T)"

tmux_keys '?'
check "? shows the keys" tmux_wait "any key closes this help"
tmux_keys x
tmux_wait "Disassembly (AT&T)" && ! tmux_screen | grep -qF "any key closes" && ok "any key closes the help" ||
	not_ok "any key closes the help"

tmux_keys e
check "e asks for a file name" tmux_wait "Export the walk to"
tmux_keys Escape
check "Esc cancels the export" tmux_wait "export cancelled"
tmux_keys e
tmux_wait "Export the walk to" >/dev/null
tmux_keys "$TMP/walk.txt" Enter
check "export reports the file" tmux_wait "exported the walk so far to"
check_eq "export wrote every stop seen" "5" "$(wc -l <"$TMP/walk.txt" 2>/dev/null | tr -d ' ')"

tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 10
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check_eq "terminal settings restored after q (stty -g)" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
check "the screen is back to the shell" tmux_wait "wrapper: viewer exited"
exit 0
