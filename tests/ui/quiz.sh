#!/usr/bin/env bash
# tests/ui/quiz.sh: predict-then-reveal (`syswalk --quiz`) in a real terminal (tmux) on the
# real teaching kernel, with annotations/teach's questions.
#
# The first stop, entry_SYSCALL_64, asks three questions. This test answers the first
# (which CS the kernel runs with) right, the second (where the return address is) wrong,
# and skips the third with Esc. The right values are computed here, independently of the
# viewer: __KERNEL_CS from kernel/arch.h, the return address from `nm` (the syscall at
# demo_syscall_write is 2 bytes long). Asserted: the stop's registers and location stay
# hidden until the last question is done, the verdicts ("Right" / "Not quite") and the
# values they give, input that is not a value is not judged, the score on the status line
# ("quiz 1 of 2 right"; Esc adds nothing), the reveal, a stop is asked only once (b/f),
# the next stop asks its own, and `e` exports a JSON whose `quiz` object holds the score.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "quiz in the live viewer"
command -v tmux >/dev/null || { skip "quiz in the live viewer" "tmux is not installed"; exit 0; }
command -v nm >/dev/null || { skip "quiz in the live viewer" "nm is not installed (binutils)"; exit 0; }
NOTES=$ROOT/annotations/teach
UI_CMD="$SYSWALK --quiz --annotations $NOTES"
source "$ROOT/tests/lib/tmux.sh"

# The three questions of the entry note, as the file says them.
mapfile -t asks < <(awk '/^## entry_SYSCALL_64 /,/^$/' "$NOTES/10-entry.md" | grep '^ask:' |
	sed -E 's/^ask: *//; s/ *=>.*//')
if [ "${#asks[@]}" -ne 3 ]; then
	not_ok "the entry note asks three questions" "found ${#asks[@]} in $NOTES/10-entry.md"
	exit 0
fi
# Independent answers: __KERNEL_CS is GDT entry GDT_ENTRY_KERNEL_CS times 8.
gdt=$(awk '$1 == "#define" && $2 == "GDT_ENTRY_KERNEL_CS" { print $3 }' "$ROOT/kernel/arch.h")
kernel_cs=$(printf '0x%x' $((gdt * 8)))
ret=$(nm "$KERNEL" | awk '$3 == "demo_syscall_write" { print $1 }')
user_return=$(printf '%016x' $((0x$ret + 2)))
check_eq "__KERNEL_CS from kernel/arch.h" 0x10 "$kernel_cs"
check "demo_syscall_write found by nm ($ret)" test -n "$ret"

screen_has() { tmux_screen | grep -qF -- "$1"; }
registers_hidden() { ! screen_has "── Registers" && [ -z "$(screen_reg rcx)" ]; }

tmux_wrapped 120 40
vpid=$(cat "$TMP/pid")
check "question 1 covers the first stop" tmux_wait "Question 1 of 3 at entry_SYSCALL_64" 90
check "question 1 is the note's first ask: line" screen_has "${asks[0]}"
check "before any answer: no Registers pane, no RCX on screen" registers_hidden
status=$(status_line)
if [[ $status == *"| ? | quiz 0 of 0 right"* ]]; then
	ok "before any answer: the status line hides the location, score 0 of 0"
else
	not_ok "before any answer: the status line hides the location, score 0 of 0" "status: $status"
fi
qemu_pid=$(live_pids_of "$vpid" | head -1)

# Not a value: stays on the question, unjudged.
tmux_keys -l "zz"
tmux_keys Enter
sleep 0.5
if screen_has "Your answer: zz" && ! screen_has "Right" && ! screen_has "Not quite"; then
	ok "'zz' + Enter is not judged: the question waits for a value"
else
	not_ok "'zz' + Enter is not judged: the question waits for a value" "$(tmux_screen | sed -n 1,12p | tr '\n' '|')"
fi
tmux_keys BSpace BSpace

# Question 1, right. (-l: tmux would read "0x10" as a key code, not as four characters.)
tmux_keys -l "$kernel_cs"
tmux_keys Enter
check "answer $kernel_cs: 'Right', with the CS read from the CPU" \
	tmux_wait "Right: the answer is $kernel_cs, read from the CPU at this stop." 10
check "the score after question 1: 1 of 1" tmux_wait "quiz 1 of 1 right" 5
check "after a verdict, still no registers" registers_hidden
tmux_screen >"$TMP/q1.txt"

# Question 2, wrong: the choice labelled "in R11", found by its label on screen.
tmux_keys x
check "any key goes on to question 2" tmux_wait "Question 2 of 3 at entry_SYSCALL_64" 10
check "question 2 is the note's second ask: line" screen_has "${asks[1]}"
r11=$(tmux_screen | sed -nE 's/^ *([0-9])\) in R11$/\1/p')
rcx=$(tmux_screen | sed -nE 's/^ *([0-9])\) in RCX$/\1/p')
if [ -z "$r11" ] || [ -z "$rcx" ]; then
	not_ok "question 2 offers 'in RCX' and 'in R11'" "$(tmux_screen | sed -n 1,14p | tr '\n' '|')"
	exit 0
fi
ok "question 2 offers 'in RCX' ($rcx) and 'in R11' ($r11)"
tmux_keys -l 9
tmux_keys Enter
sleep 0.5
check "choice 9 (there is none) is not judged" test "$(tmux_screen | grep -c 'Not quite\|Right:')" = 0
tmux_keys BSpace
tmux_keys -l "$r11"
tmux_keys Enter
want=$(printf 'Not quite: the answer is 0x%x (%s: in RCX)' $((0x$user_return)) "$rcx")
check "choice $r11 (R11): 'Not quite', the answer is demo_syscall_write + 2, in RCX" tmux_wait "$want" 10
check "the score after question 2: quiz 1 of 2 right" tmux_wait "quiz 1 of 2 right" 5
check "the verdict shows the score so far" screen_has "Score so far: 1 of 2."
tmux_screen >"$TMP/q2.txt"

# Question 3, skipped: unscored, and the stop is revealed.
tmux_keys x
check "question 3 is asked" tmux_wait "Question 3 of 3 at entry_SYSCALL_64" 10
check "question 3 is the note's third ask: line" screen_has "${asks[2]}"
check "question 3 has not revealed the registers either" registers_hidden
tmux_keys Escape
check "Esc skips the last question: the stop is revealed" tmux_wait "── Registers" 10
check_eq "revealed: RCX is demo_syscall_write + 2 (nm)" "$user_return" "$(screen_reg rcx)"
check_eq "revealed: CS is __KERNEL_CS" "$(printf '%04x' $((kernel_cs)))" \
	"$(tmux_screen | grep -oE 'cs [0-9a-f]{4}' | head -1 | awk '{ print $2 }')"
status=$(status_line)
if [[ $status == *"| entry_SYSCALL_64 | quiz 1 of 2 right"* ]]; then
	ok "revealed: the status line names the stop; Esc left the score at 1 of 2"
else
	not_ok "revealed: the status line names the stop; Esc left the score at 1 of 2" "status: $status"
fi

# The next stop (swapgs done) asks its own questions; going back and forward asks nothing.
tmux_keys n
check "n: the next stop is covered by its first question" tmux_wait "Question 1 of 2 at entry_SYSCALL_64+0x3" 60
check "n: its registers are hidden" registers_hidden
tmux_keys Escape
check "Esc: its second question" tmux_wait "Question 2 of 2 at entry_SYSCALL_64+0x3" 10
tmux_keys Escape
check "Esc: stop 2 revealed" tmux_wait "stop 2 of 2 | entry_SYSCALL_64+0x3 | quiz 1 of 2 right" 10
tmux_keys b
check "b: back at stop 1, shown at once (asked already)" tmux_wait "stop 1 of 2 | entry_SYSCALL_64 | quiz" 10
check "b: stop 1 shows its registers, no question" screen_has "── Registers"
tmux_keys f
check "f: stop 2 again, shown at once" tmux_wait "stop 2 of 2 | entry_SYSCALL_64+0x3 | quiz" 10
if screen_has "Question"; then not_ok "f: no question over stop 2" "a question is on screen"; else ok "f: no question over stop 2"; fi

# e: the export carries the score.
tmux_keys e
check "e asks for a file name" tmux_wait "Export the walk to" 5
tmux_keys -l "$TMP/quiz.json"
tmux_keys Enter
check "e reports the export" tmux_wait "exported the walk so far to" 30
check_eq "the exported quiz object: asked 2, right 1" "2 1" \
	"$(json_py "$TMP/quiz.json" '"%d %d" % (d["quiz"]["asked"], d["quiz"]["right"])' 2>&1)"
check_eq "the export holds stop 1's three questions, answer of the first = CS" "3 $kernel_cs" \
	"$(json_py "$TMP/quiz.json" '"%d %s" % (len(d["snapshots"][0]["questions"]), d["snapshots"][0]["questions"][0]["answer"])' 2>&1)"

tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 15
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check "no QEMU left after q" wait_gone "${qemu_pid:-0}" 10

# The exchange, for the record (build/test-logs keeps this output).
echo "# question 1 and its verdict:"
sed -n '2,8p' "$TMP/q1.txt" | sed 's/^/#   /'
echo "# question 2 and its verdict:"
sed -n '2,14p' "$TMP/q2.txt" | sed 's/^/#   /'
exit 0
