#!/usr/bin/env bash
# quiz_check.sh: `syswalk --check-annotations` on the notes' questions (ask: lines), against
# the live teaching kernel. A question's answer is an expression evaluated at the stop; a
# name that parses but does not resolve there (a symbol the kernel lacks) only shows up
# when the CPU is really at that stop, so this is where it must be caught.
#
# 1. annotations/teach as it is: exit 0, every question evaluated, 0 problems.
# 2. A copy with four bad questions: in the entry note (in place of its own), an answer
#    that cannot be computed (&no_such_symbol), a choice that cannot be computed, choices
#    that do not include the answer; in the swapgs note, two choices equal to the answer.
#    Exit 1, each is named by file:line at each of the five syscalls that pass there, and
#    nothing else is reported.
# 3. From a JSON export of all six syscalls: every question of annotations/teach has an
#    answer at every stop where it is asked, and a choice question has exactly one choice
#    equal to it, with no two choices equal (what the learner sees is unambiguous).
source "$(dirname "$0")/../lib/common.sh"
tmpdir
NOTES=$ROOT/annotations/teach

[ -x "$SYSWALK" ] || { skip "quiz questions checked live" "no $SYSWALK (make all)"; exit 0; }
[ -f "$KERNEL" ] || { skip "quiz questions checked live" "no $KERNEL (make all)"; exit 0; }
command -v "$QEMU" >/dev/null || { skip "quiz questions checked live" "$QEMU is not installed"; exit 0; }
command -v python3 >/dev/null || { skip "quiz questions checked live" "python3 is not installed"; exit 0; }

# --- 1. the real notes ----------------------------------------------------------------
timeout -k 5 300 "$SYSWALK" --check-annotations "$NOTES" >"$TMP/real.txt" 2>&1
rc=$?
summary=$(tail -1 "$TMP/real.txt")
check_eq "annotations/teach: --check-annotations exits 0" 0 "$rc"
nq=$(grep -oE '[0-9]+ questions evaluated' <<<"$summary" | awk '{ print $1 }')
if [ "${nq:-0}" -gt 0 ] && [[ $summary == *", 0 problems"* ]]; then
	ok "annotations/teach: $nq questions evaluated live, 0 problems"
else
	not_ok "annotations/teach: questions evaluated live, 0 problems" "$summary"
fi
asks=$(cat "$NOTES"/*.md | grep -c '^ask:')
check "annotations/teach carries questions ($asks ask: lines)" test "$asks" -ge 10

# --- 2. a copy with bad questions -----------------------------------------------------
BAD=$TMP/notes
cp -r "$NOTES" "$BAD"
entry=$BAD/10-entry.md
# add_asks FILE ANCHOR LINE...: in FILE, replace the ask: lines of ANCHOR's note with the
# given ones (a note takes at most three), and print their line numbers.
add_asks() {
	python3 - "$@" <<-'PY'
	import sys
	path, anchor, asks = sys.argv[1], sys.argv[2], sys.argv[3:]
	lines = open(path).read().split("\n")
	head = next(i for i, l in enumerate(lines) if l.startswith("## " + anchor + " "))
	end = head + 1
	while lines[end].startswith(("show:", "check:", "ask:")):
	    end += 1
	keys = [l for l in lines[head + 1:end] if not l.startswith("ask:")]
	lines[head + 1:end] = keys + asks
	open(path, "w").write("\n".join(lines))
	first = head + 1 + len(keys) + 1
	print(" ".join(str(first + k) for k in range(len(asks))))
	PY
}
read -r bad_answer bad_choice no_match < <(add_asks "$entry" entry_SYSCALL_64 \
	'ask: Where is the symbol? => &no_such_symbol' \
	'ask: Which CS? => cs ; kernel = 0x10 ; nowhere = &no_such_symbol' \
	'ask: Which CS does the kernel run with? => cs ; user code = 0x33 ; user data = 0x2b')
# The swapgs note keeps its two questions and gets an ambiguous third.
mapfile -t swapgs_asks < <(awk '/^## entry_SYSCALL_64\/movq#1 /,/^$/' "$NOTES/10-entry.md" | grep '^ask:')
read -r _ _ twice < <(add_asks "$entry" entry_SYSCALL_64/movq#1 "${swapgs_asks[@]}" \
	'ask: Which CS now? => cs ; kernel code = 0x10 ; STAR[47:32] = (msr.star >> 32) & 0xffff ; user = 0x33')
check_eq "the copy holds the bad questions where intended" \
	"ask: Where is the symbol? => &no_such_symbol" "$(sed -n "${bad_answer:-0}p" "$entry")"

timeout -k 5 300 "$SYSWALK" --check-annotations "$BAD" >"$TMP/bad.txt" 2>&1
rc=$?
check_eq "bad questions: --check-annotations exits 1" 1 "$rc"
has() { grep -qF -- "$1" "$TMP/bad.txt"; }
check "an answer that does not resolve is named: $entry:$bad_answer" \
	has "$entry:$bad_answer: ask: the answer cannot be computed at entry_SYSCALL_64 in write:"
check "  ... with the reason (the symbol's name)" \
	grep -qE "^$entry:$bad_answer: .*no_such_symbol" "$TMP/bad.txt"
check "a choice that does not resolve is named: $entry:$bad_choice" \
	has "$entry:$bad_choice: ask: the answer cannot be computed at entry_SYSCALL_64 in write:"
check "choices without the answer are named, with the answer: $entry:$no_match" \
	has "$entry:$no_match: ask: no choice equals the answer 0x10 at entry_SYSCALL_64 in write"
check "two choices equal to the answer are named: $entry:$twice" \
	has "$entry:$twice: ask: 2 choices equal the answer 0x10 at entry_SYSCALL_64+0x3 in write"
# The entry note is reached by the five SYSCALL-based syscalls: each bad line is reported
# at each of them, and nothing else is.
others=$(grep -E '^/[^ ]*:[0-9]+: ' "$TMP/bad.txt" | grep -vE "^$entry:($bad_answer|$bad_choice|$no_match|$twice): ask: " || true)
check_eq "nothing but the four bad lines is reported" "" "$others"
for sc in getpid enosys x32 iret; do
	n=$(grep -c "^$entry:$no_match: .* in $sc\$" "$TMP/bad.txt")
	check_eq "the choice problem is reported in $sc too (the entry note is shared)" 1 "$n"
done
summary=$(tail -1 "$TMP/bad.txt")
check "the summary counts 20 problems (4 lines x 5 syscalls): $summary" \
	grep -qF ", 20 problems" <<<"$summary"

# --- 3. unambiguous questions in a real export ----------------------------------------
if ! timeout -k 5 300 "$SYSWALK" --export "$TMP/all.json" --syscall all >"$TMP/export.txt" 2>&1; then
	not_ok "--export of all syscalls" "$(tail -3 "$TMP/export.txt")"
	exit 0
fi
res=$(python3 - "$TMP/all.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	asked, problems, syscalls = 0, [], set()
	for s in d["snapshots"]:
	    for q in s["questions"]:
	        asked += 1
	        syscalls.add(s["syscall"])
	        where = "%s in %s: %s" % (s["location"], s["syscall"], q["text"][:40])
	        values = [c["value"] for c in q["choices"]]
	        if q["answer"] is None:
	            problems.append("no answer at " + where)
	        elif values and values.count(q["answer"]) != 1:
	            problems.append("%d choices equal the answer at %s" % (values.count(q["answer"]), where))
	        if len(set(values)) != len(values):
	            problems.append("two choices have the same value at " + where)
	print("%d %d %s" % (asked, len(syscalls), "; ".join(problems) or "none"))
	PY
)
read -r asked nsys problems <<<"$res"
check "questions are asked in the export ($asked, in $nsys syscalls)" test "${asked:-0}" -gt 0 -a "${nsys:-0}" -eq 6
check_eq "every question has an answer and exactly one right choice" "none" "$problems"
exit 0
