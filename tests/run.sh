#!/usr/bin/env bash
# tests/run.sh: run every test program and print one closing line "N passed, N failed".
#
# Each program reports TAP lines ("ok ...", "not ok ...", "ok ... # SKIP reason");
# cmocka does so with CMOCKA_MESSAGE_OUTPUT=TAP. A program that prints no TAP line
# counts as one test, judged by its exit status (77 = skipped). A program that dies
# with a non-zero status after printing only "ok" lines adds one failure: a crash
# half way through must never read as a pass.
#
# Usage: tests/run.sh [PATTERN]   (run only programs whose path contains PATTERN)
set -u
cd "$(dirname "$0")/.."
pattern=${1:-}
build=build
logdir=$build/test-logs
mkdir -p "$logdir"

# One machine-state cache for the run, never the user's (tests/lib/common.sh).
SYSWALK_TEST_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/syswalk-cache.XXXXXX")
export SYSWALK_TEST_CACHE XDG_CACHE_HOME=$SYSWALK_TEST_CACHE
trap 'rm -rf "$SYSWALK_TEST_CACHE"' EXIT

passed=0 failed=0 skipped=0
failures=()

run_one() {  # run_one NAME TIMEOUT CMD...
	local name=$1 limit=$2; shift 2
	local log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	local start=$SECONDS
	CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 5 "$limit" "$@" >"$log" 2>&1 </dev/null
	local rc=$?
	local p f s
	p=$(grep -cE '^ok [0-9]*' "$log" | tr -d ' ')
	# cmocka 1.1 prints a skipped test as "not ok N # SKIP": a skip, not a failure.
	local s_ok s_not
	s_ok=$(grep -cE '^ok .*# *(SKIP|skip)' "$log" | tr -d ' ')
	s_not=$(grep -cE '^not ok .*# *(SKIP|skip)' "$log" | tr -d ' ')
	s=$((s_ok + s_not))
	f=$(grep -cE '^not ok' "$log" | tr -d ' ')
	f=$((f - s_not))
	p=$((p - s_ok))
	if [ $((p + f + s)) -eq 0 ]; then
		case $rc in
			0) p=1 ;;
			77) s=1 ;;
			*) f=1 ;;
		esac
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	local verdict="PASS"
	[ "$f" -gt 0 ] && verdict="FAIL" && failures+=("$name (log: $log)")
	[ "$rc" -eq 124 ] && verdict="FAIL (timeout after ${limit}s)"
	printf '%-48s %-6s %3d ok %3d failed %3d skipped  %3ds\n' "$name" "$verdict" "$p" "$f" "$s" $((SECONDS - start))
	grep -E '^not ok|# *SKIP' "$log" | sed 's/^/    /' | head -20
}

wanted() { [ -z "$pattern" ] || [[ "$1" == *"$pattern"* ]]; }

for t in $build/tests/unit/test_*; do
	[ -x "$t" ] && wanted "$t" && run_one "unit/${t##*/}" 120 "$t"
done
for t in $build/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	wanted "$t" || continue
	name=${t##*/}
	corpus=tests/fuzz/corpus/${name#fuzz_}
	work=$build/fuzz/ci-corpus/${name#fuzz_}
	mkdir -p "$work"
	# A short bounded run in CI; `make fuzz` runs each for minutes.
	run_one "fuzz/$name" 120 "$t" -max_total_time=${FUZZ_CI_SECONDS:-8} -timeout=5 -rss_limit_mb=2048 "$work" $( [ -d "$corpus" ] && echo "$corpus")
done
for t in tests/integration/*.sh tests/ui/*.sh; do
	# The own-kernel tests build a kernel the first time on a machine (about 5 minutes on
	# two idle cores, 8 when the machine is busy): their limit covers a slow build.
	limit=900
	[[ $t == */own_kernel_* ]] && limit=2400
	[ -f "$t" ] && wanted "$t" && run_one "${t#tests/}" $limit bash "$t"
done

if [ ${#failures[@]} -gt 0 ]; then
	echo; echo "Failures:"; printf '  %s\n' "${failures[@]}"
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
