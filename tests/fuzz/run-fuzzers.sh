#!/usr/bin/env bash
# tests/fuzz/run-fuzzers.sh: run every libFuzzer harness for SECONDS each (make fuzz).
#
# Usage: tests/fuzz/run-fuzzers.sh [SECONDS] [NAME...]
#   SECONDS   time per harness (default 60; FUZZ_SECONDS in make)
#   NAME...   only these harnesses (e.g. rsp_codec annot); default: every build/fuzz/fuzz_*
#   FUZZ_RUNS (environment) also stop a harness after this many inputs, e.g.
#             FUZZ_RUNS=10000000 for the issue's 10 million: SECONDS is then the cap
#
# Each harness grows its own corpus under build/fuzz/corpus/NAME (the seeds in
# tests/fuzz/corpus/NAME are read, never written), leaves crash reproducers in
# build/fuzz/artifacts/NAME/ and its log in build/fuzz/logs/NAME.log. One line per
# harness says how many inputs ran and whether anything crashed; the exit status is 1
# when any harness found a crash (or failed to run), 0 otherwise. Harnesses run one
# after another: the machine has two cores and other work to do.
set -u
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for b in build/fuzz/fuzz_*; do
		[ -x "$b" ] && names+=("${b##*/fuzz_}")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "run-fuzzers: no harness in build/fuzz (run make fuzz-build)" >&2
	exit 1
fi

# The longest input each harness is given (-max_len). Without it libFuzzer takes the
# largest seed, or 4096: the JSON seeds once made replay_json mutate 71 KB traces at
# 900 inputs/s. Each bound keeps one whole real input and no more, since every parser
# here works line by line or element by element and a longer input only repeats them:
max_len_for() {
	case $1 in
	target_xml)  echo 8192 ;;   # QEMU 7.2's i386-64bit.xml, 8175 bytes, stays whole
	replay_json) echo 8192 ;;   # one real stop written compactly, or three trimmed ones
	annot)       echo 4096 ;;   # a few notes with their key lines and prose
	system_map)  echo 4096 ;;   # about a hundred symbol lines
	disasm)      echo 1024 ;;   # 8 control bytes and a function of entry code
	rsp_codec|stop_reply) echo 4096 ;;  # a packet of QEMU's PacketSize (0x1000)
	*)           echo 4096 ;;
	esac
}

failed=0
printf '%-14s %12s %10s %8s  %s\n' harness executions exec/s crashes status
for name in "${names[@]}"; do
	bin=build/fuzz/fuzz_$name
	if [ ! -x "$bin" ]; then
		printf '%-14s %12s %10s %8s  %s\n' "$name" - - - "no $bin"
		failed=1
		continue
	fi
	corpus=build/fuzz/corpus/$name
	artifacts=build/fuzz/artifacts/$name
	log=build/fuzz/logs/$name.log
	mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
	stamp=$log.start
	touch "$stamp"
	seeds=()
	[ -d "tests/fuzz/corpus/$name" ] && seeds=("tests/fuzz/corpus/$name")
	# -timeout: one input taking 10 s is a hang worth a reproducer; -rss_limit_mb: a
	# leak or an unbounded allocation is a finding too.
	"$bin" -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} \
		-max_len="$(max_len_for "$name")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
	speed=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
	crashes=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' \) -newer "$stamp" 2>/dev/null | wc -l)
	rm -f "$stamp"
	status=ok
	if [ "$rc" -ne 0 ]; then
		status="FAILED (exit $rc; see $log)"
		failed=1
	fi
	printf '%-14s %12s %10s %8s  %s\n' "$name" "${execs:-?}" "${speed:-?}" "$crashes" "$status"
done
exit $failed
