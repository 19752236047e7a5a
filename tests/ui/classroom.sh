#!/usr/bin/env bash
# tests/ui/classroom.sh: what a projector audience must find on the screen, at the sizes a
# classroom uses (tmux 80x24 and 120x40), on a real walk of write replayed (--replay), with
# one note's claim made false in the file: the keys n s c b f ? q on the status line from
# 80 columns (with a Tab hint when panes are hidden, and the pane Tab goes to on the
# header), "stop N of M", "more" marks on cut panes, the source pane (entry_64.S with its
# comments, the line that ran marked) and v cycling the code panes, the false claim
# marked as a warning in the note, e proposing SYSCALL.html, and the end of the recording
# said plainly (no Error box). The captures go to build/classroom-screens/.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "classroom screens"
command -v tmux >/dev/null || { skip "classroom screens" "tmux is not installed"; exit 0; }
shots=$BUILD/classroom-screens
mkdir -p "$shots"

check "the write walk exports to JSON" "$SYSWALK" --export "$TMP/write.json"
# Stop 1's first claim made false, as the walk does when the live kernel contradicts a note.
python3 - "$TMP/write.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["snapshots"][0]["note_caveats"] = "This note's claim `rcx == r11` does not hold here: live rcx=0x40033f r11=0x206\n"
json.dump(d, open(sys.argv[1], "w"))
PY
n=$(json_py "$TMP/write.json" 'len(d["snapshots"])')
UI_CMD="$SYSWALK --replay $TMP/write.json"
source "$ROOT/tests/lib/tmux.sh"
screen_has() { tmux_screen | grep -qF -- "$1"; }

# --- 120x40 ---------------------------------------------------------------------------
tmux_wrapped 120 40
check "120x40: the replay starts at stop 1 of $n" tmux_wait_stop 1 "$n" 20
status=$(status_line)
for k in "n next" "s step" "c syscall" "b/f back" "? help" "q quit"; do
	if [[ $status == *"$k"* ]]; then ok "120x40: the status line shows '$k'"; else not_ok "120x40: the status line shows '$k'" "$status"; fi
done
check "120x40: the source pane names entry_64.S:48" screen_has "── Source"
check "120x40: the line that ran is marked in the source" bash -c "tmux -L '$TMUX_SOCK' capture-pane -p -t t | grep -qE '▶ +48 +swapgs'"
check "120x40: the source keeps its comments" screen_has "/* GS_BASE <-> KERNEL_GS_BASE"
check "120x40: the false claim is a marked warning in the note" screen_has "⚠ Warning: This note's claim \`rcx == r11\` does not hold"
check "120x40: a cut pane says more" screen_has "more ↓"
tmux_screen >"$shots/entry-120x40.txt"
tmux_keys v
check "v: the source alone" tmux_wait "code: source" 5
if screen_has "── Disassembly"; then not_ok "v: the disassembly is hidden"; else ok "v: the disassembly is hidden"; fi
tmux_keys v
check "v again: the disassembly alone" tmux_wait "code: disassembly" 5
if screen_has "── Source"; then not_ok "v again: the source is hidden"; else ok "v again: the source is hidden"; fi
tmux_keys v
check "v a third time: both" tmux_wait "code: disassembly and source" 5
tmux_keys e
check "e proposes write.html in the current directory" tmux_wait "Export the walk to (Enter: write, Esc: cancel): write.html" 5
tmux_keys Escape
tmux_keys c
check "c goes to the last stop" tmux_wait_stop "$n" "$n" 10
tmux_keys n
check "n at the end says so plainly" tmux_wait "already at the last stop" 5
if screen_has "── Error"; then not_ok "the end is no Error box"; else ok "the end is no Error box"; fi
if tmux_screen | grep -qE '── +──|──  ─'; then not_ok "no empty box title on screen"; else ok "no empty box title on screen"; fi
tmux_keys q
tmux_wait_file "$TMP/rc" 10 >/dev/null
tmux_t kill-server 2>/dev/null

# --- 80x24 ----------------------------------------------------------------------------
tmux_wrapped 80 24
check "80x24: the replay starts" tmux_wait_stop 1 "$n" 20
status=$(status_line)
if [[ $status =~ n.*s.*c.*b.*f.*Tab.*\?.*q ]]; then
	ok "80x24: the status line shows the keys n s c b f, Tab, ? and q ($(sed 's/.*  //' <<<"$status"))"
else
	not_ok "80x24: the status line shows the keys n s c b f, Tab, ? and q" "$status"
fi
check "80x24: the Note's header says Tab goes to Registers" screen_has "── Note ── Tab → Registers"
check "80x24: the Note is cut and says more" screen_has "more ↓"
check "80x24: the source pane is there" screen_has "── Source"
tmux_screen >"$shots/entry-80x24.txt"
tmux_keys Tab
check "Tab: the Registers pane, saying Tab goes to MSRs" tmux_wait "── Registers ── Tab → MSRs" 5
tmux_keys Tab Tab
check "Tab Tab: the pt_regs pane" tmux_wait "── pt_regs" 5
tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 10
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"

echo "# 120x40 at entry_SYSCALL_64:"
sed 's/^/#   /' "$shots/entry-120x40.txt"
echo "# 80x24 at entry_SYSCALL_64:"
sed 's/^/#   /' "$shots/entry-80x24.txt"
exit 0
