#!/usr/bin/env bash
# walk_teach.sh: the teaching kernel's walkthrough prose against the live CPU.
#
# 1. `syswalk --check-annotations annotations/teach`: every note loads, every check:
#    line parses, every anchor resolves against the running kernel.
# 2. build/tests/tools/walk_verify: walks each of the six demo syscalls with "next",
#    evaluates every check: line of every note shown, asserts the facts of issue 4 at
#    named stops (RCX/R11 at entry, GS after swapgs, the stack switch, the hardware
#    frame and orig_ax, do_syscall_64's arguments, the result, sysretq or iretq),
#    browses back and forward, and reports notes that no walk reached. It prints its
#    own TAP lines, passed through here.
source "$(dirname "$0")/../lib/common.sh"
tmpdir

VERIFY=$BUILD/tests/tools/walk_verify
NOTES=$ROOT/annotations/teach

if timeout -k 5 120 "$SYSWALK" --check-annotations "$NOTES" >"$TMP/check.txt" 2>&1; then
	ok "syswalk --check-annotations annotations/teach: $(tail -1 "$TMP/check.txt")"
else
	not_ok "syswalk --check-annotations annotations/teach" "$(tr '\n' ' ' <"$TMP/check.txt" | cut -c1-600)"
fi

if [ ! -x "$VERIFY" ]; then
	not_ok "walk_verify is built" "$VERIFY missing: run make test-tools"
	exit 0
fi
start=$(date +%s.%N)
timeout -k 5 600 "$VERIFY" --annotations "$NOTES" >"$TMP/verify.txt" 2>&1
rc=$?
end=$(date +%s.%N)
# Its own numbering and plan are dropped: tests/run.sh counts the lines.
grep -E '^(ok|not ok) ' "$TMP/verify.txt" | sed -E 's/^(ok|not ok) [0-9]+ - /\1 - /' | while IFS= read -r line; do
	case $line in
		"ok - "*) ok "${line#ok - }" ;;
		*) not_ok "${line#not ok - }" ;;
	esac
done
grep '^#' "$TMP/verify.txt"
check_eq "walk_verify exits 0" 0 "$rc"
check "walk_verify checked something" grep -qE '^# [1-9][0-9]* checks evaluated' "$TMP/verify.txt"
echo "# walk_verify wall time: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s"

# --kernel brings its own symbols: the nopti build walks with its own ELF (it once took
# the default kernel's symbols and stopped on "two notes at one address"), and the
# notes about the CR3 switch, code that build does not have, do not apply.
nopti=${KERNEL%.elf}-nopti.elf
timeout -k 5 120 "$SYSWALK" --kernel "$nopti" --batch --syscall all >"$TMP/nopti.txt" 2>"$TMP/nopti.err"
check_eq "--kernel $(basename "$nopti") --batch --syscall all exits 0" 0 $?
check "the nopti walk uses the nopti ELF's own symbols" \
	grep -q "^kernel syswalk-kernel-nopti.elf; symbols syswalk-kernel-nopti.elf (ELF, the image itself)" "$TMP/nopti.txt"
check "the nopti walk says isolation is off and which notes do not apply" \
	grep -qE '^syswalk .*target teach, [0-9]+ notes \([1-9][0-9]* do not apply to this kernel\), page-table isolation off' "$TMP/nopti.txt"
check "no nopti stop shows a note about the CR3 switch" bash -c "! grep -qiE '^--- .*(CR3|isolation)' '$TMP/nopti.txt'"
exit 0
