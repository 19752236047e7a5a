#!/usr/bin/env bash
# tests/ui/quiz.sh: predict-then-reveal (`syswalk --quiz`) in a real terminal (tmux) on the
# real teaching kernel, with annotations/teach's questions.
#
# The first stop, entry_SYSCALL_64, asks three questions. This test answers the first
# (which CS the kernel runs with) right, the second (where the return address is) wrong,
# and skips the third with Esc. The right values are computed here, independently of the
# viewer: __KERNEL_CS from kernel/arch.h, the return address from `nm` (the syscall at
# demo_syscall_write is 2 bytes long). Asserted: the question is a box over the note while
# the Registers, MSRs, pt_regs and code stay on screen with the answer's own value hidden;
# keys the question's kind does not allow are refused with the reason, and so is a choice
# that does not exist; q in the field asks before quitting; the verdicts name the right
# choice ("(1) in RCX: 0x...") and never an expression; the score on the status line
# (Esc adds nothing); a stop is asked only once (b/f); the next stop asks its own; the
# score when the walk ends and when the viewer quits; `e` exports the score.
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
box_open() { screen_has "Predict, then reveal"; }

tmux_wrapped 120 40
vpid=$(cat "$TMP/pid")
check "question 1 is a box over the first stop" tmux_wait "Predict, then reveal: question 1 of 3" 90
# (the box wraps a long question: its first words are enough to know it)
first_words() { cut -d' ' -f1-6 <<<"$1"; }
check "question 1 is the note's first ask: line" screen_has "$(first_words "${asks[0]}")"
check "the Registers pane stays on screen under the question" screen_has "── Registers"
check "the MSRs and pt_regs panes stay on screen" bash -c "tmux -L '$TMUX_SOCK' capture-pane -p -t t | grep -q 'Syscall MSRs' && tmux -L '$TMUX_SOCK' capture-pane -p -t t | grep -q 'pt_regs @'"
check "RCX is on screen while CS is asked" test -n "$(screen_reg rcx)"
check_eq "the answer's own value is hidden: cs shows ????" "cs ????" "$(tmux_screen | grep -oE 'cs [0-9a-f?]{4}' | head -1)"
status=$(status_line)
if [[ $status == *"| ? | quiz 0 of 0 right"* ]]; then
	ok "before any answer: the status line hides the location, score 0 of 0"
else
	not_ok "before any answer: the status line hides the location, score 0 of 0" "status: $status"
fi
qemu_pid=$(live_pids_of "$vpid" | head -1)

# Keys a number cannot hold are refused, with the reason, and never typed.
tmux_keys -l "z"
check "'z' is refused: not part of a number" tmux_wait "'z' is not part of a number" 5
tmux_keys -l "a"
check "'a' is refused: a hex digit needs 0x first" tmux_wait "'a' is a hex digit: start the number with 0x" 5
check "nothing was typed into the field" bash -c "tmux -L '$TMUX_SOCK' capture-pane -p -t t | grep -qE 'Your answer: *\$|Your answer:  '"
tmux_keys Enter
check "Enter on an empty field says what is wanted" tmux_wait "type a value first" 5
if screen_has "Right:" || screen_has "Not quite"; then not_ok "an empty field is not judged"; else ok "an empty field is not judged"; fi

# q in the field: never a silent quit.
tmux_keys q
check "q asks first: q again quits" tmux_wait "q again quits (quiz: no question answered)" 5
check "the viewer still runs after one q" kill -0 "$vpid"
tmux_keys x
sleep 0.3
check "another key goes on: the question is still there" screen_has "Predict, then reveal: question 1 of 3"

# Question 1, right. (-l: tmux would read "0x10" as a key code, not as four characters.)
tmux_keys -l "$kernel_cs"
tmux_keys Enter
check "answer $kernel_cs: 'Right', with the CS read from the CPU" \
	tmux_wait "Right: the answer is $kernel_cs, read from the CPU at this stop." 10
check "the score after question 1: 1 of 1" tmux_wait "quiz 1 of 1 right" 5
tmux_screen >"$TMP/q1.txt"

# Question 2, a choice: letters and choices that do not exist are refused.
tmux_keys x
check "any key goes on to question 2" tmux_wait "Predict, then reveal: question 2 of 3" 10
check "question 2 is the note's second ask: line" screen_has "$(first_words "${asks[1]}")"
r11=$(tmux_screen | sed -nE 's/^.*│? *([0-9])\) in R11 *│?.*$/\1/p' | head -1)
rcx=$(tmux_screen | sed -nE 's/^.*│? *([0-9])\) in RCX *│?.*$/\1/p' | head -1)
if [ -z "$r11" ] || [ -z "$rcx" ]; then
	not_ok "question 2 offers 'in RCX' and 'in R11'" "$(tmux_screen | sed -n 12,30p | tr '\n' '|')"
	exit 0
fi
ok "question 2 offers 'in RCX' ($rcx) and 'in R11' ($r11)"
tmux_keys -l n
check "a letter is refused: the number of a choice is wanted" tmux_wait "'n': this question wants the number of a choice, 1 to 4" 5
tmux_keys -l 9
tmux_keys Enter
check "choice 9 (there is none) is refused with the range" tmux_wait "'9' is not a choice: type a number from 1 to 4" 5
check "choice 9 is not judged" test "$(tmux_screen | grep -c 'Not quite\|Right:')" = 0
tmux_keys BSpace
tmux_keys -l "$r11"
tmux_keys Enter
want=$(printf 'Not quite: the answer is (%s) in RCX: 0x%x' "$rcx" $((0x$user_return)))
check "choice $r11 (R11): 'Not quite', naming the right choice and its value" tmux_wait "$want" 10
if tmux_screen | grep -q '\$user_return'; then not_ok "the verdict shows no expression"; else ok "the verdict shows no expression"; fi
check "the score after question 2: quiz 1 of 2 right" tmux_wait "quiz 1 of 2 right" 5
check "the verdict shows the score so far" screen_has "Score so far: 1 of 2 right."
tmux_screen >"$TMP/q2.txt"

# Question 3, skipped: unscored, and the stop is revealed.
tmux_keys x
check "question 3 is asked" tmux_wait "Predict, then reveal: question 3 of 3" 10
check "question 3 is the note's third ask: line" screen_has "$(first_words "${asks[2]}")"
tmux_keys Escape
check "Esc skips the last question: the note is revealed" tmux_wait "── Note" 10
if box_open; then not_ok "no question box after the last one"; else ok "no question box after the last one"; fi
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
check "n: the next stop is covered by its first question" tmux_wait "Predict, then reveal: question 1 of 2" 60
tmux_keys Escape
check "Esc: its second question" tmux_wait "Predict, then reveal: question 2 of 2" 10
tmux_keys Escape
check "Esc: stop 2 revealed" tmux_wait_stop 2 2 10 " | entry_SYSCALL_64+0x3 | quiz 1 of 2 right"
tmux_keys b
check "b: back at stop 1, shown at once (asked already)" tmux_wait_stop 1 2 10 " | entry_SYSCALL_64 | quiz"
if box_open; then not_ok "b: no question over stop 1"; else ok "b: no question over stop 1"; fi
tmux_keys f
check "f: stop 2 again, shown at once" tmux_wait_stop 2 2 10 " | entry_SYSCALL_64+0x3 | quiz"
if box_open; then not_ok "f: no question over stop 2"; else ok "f: no question over stop 2"; fi

# e: the export carries the score.
tmux_keys e
check "e proposes write.html" tmux_wait "Export the walk to (Enter: write, Esc: cancel): write.html" 5
tmux_keys -l "$TMP/quiz.json"
tmux_keys Enter
check "e reports the export" tmux_wait "exported the walk so far to" 30
check_eq "the exported quiz object: asked 2, right 1" "2 1" \
	"$(json_py "$TMP/quiz.json" '"%d %d" % (d["quiz"]["asked"], d["quiz"]["right"])' 2>&1)"
check_eq "the export holds stop 1's three questions, answer of the first = CS" "3 $kernel_cs" \
	"$(json_py "$TMP/quiz.json" '"%d %s" % (len(d["snapshots"][0]["questions"]), d["snapshots"][0]["questions"][0]["answer"])' 2>&1)"
check_eq "the export names question 2's answer by its choice" "($rcx) in RCX: 0x$(printf %x $((0x$user_return)))" \
	"$(json_py "$TMP/quiz.json" 'd["snapshots"][0]["questions"][1]["answer_text"]' 2>&1)"

# To the end of the walk, skipping every question: the score is said there.
for i in $(seq 1 40); do
	if box_open; then tmux_keys Escape; sleep 0.2; continue; fi
	status_line | grep -q "walk of write over" && break
	tmux_keys n
	sleep 0.5
	tmux_wait "stop" 60 >/dev/null
done
check "the end of the walk is a plain status with the score" \
	tmux_wait "walk of write over; quiz: 1 of 2 right; c next syscall, r again" 30
if screen_has "── Error"; then not_ok "the end of the walk is no Error box"; else ok "the end of the walk is no Error box"; fi
tmux_screen >"$TMP/end.txt"

tmux_keys q
check "q quits" tmux_wait_file "$TMP/rc" 15
check_eq "exit status after q" "0" "$(cat "$TMP/rc" 2>/dev/null)"
check "the score is left on the terminal after quitting" tmux_wait "syswalk: quiz: 1 of 2 right" 5
check "no QEMU left after q" wait_gone "${qemu_pid:-0}" 10

# The exchange, for the record (build/test-logs keeps this output).
echo "# question 1 and its verdict:"
sed 's/^/#   /' "$TMP/q1.txt"
echo "# question 2 and its verdict:"
sed 's/^/#   /' "$TMP/q2.txt"
echo "# the end of the walk:"
tail -n 1 "$TMP/end.txt" | sed 's/^/#   /'
exit 0
