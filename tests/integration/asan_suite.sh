#!/usr/bin/env bash
# tests/integration/asan_suite.sh: the reliability and integration scripts once more,
# against build/asan/syswalk (make asan: AddressSanitizer with LeakSanitizer, and
# UndefinedBehaviorSanitizer). One TAP line per script: it passes when the script has
# no failure AND the sanitizers wrote no report. Leaks are fatal on every path, the
# error paths the hostile cases take included: a leak makes syswalk exit 23, which
# the scripts' status checks see, and its report is a file here, which this script
# sees even where a test threw syswalk's stderr away.
#
# The subset (the README names it): every rel_*.sh but rel_valgrind_exposure.sh
# (valgrind cannot run an ASan binary), and walk_teach, attach, export_live,
# quiz_check and trace_schema. Left out: the Linux target's scripts
# (minutes of boot each, and nothing in them that the teaching kernel's walk does not
# reach in the viewer's code), kernel_*.sh and target_vs_gdb.sh (they test the kernel
# and the stub, not syswalk), install.sh and manpage.sh (no run of syswalk's logic),
# export_html_chromium.sh (make_trace, not syswalk), qemu_launch.sh (unit programs, not
# syswalk; it also counts every syswalk-qemu.* under /tmp, other users' included).
source "$(dirname "$0")/../lib/common.sh"
tmpdir
ASAN_BIN=$BUILD/asan/syswalk
[ -x "$ASAN_BIN" ] || { skip "scripts under ASan" "no $ASAN_BIN (make asan)"; exit 0; }
SUITE=(rel_hostile rel_stub rel_input rel_kill_export rel_live_viewer rel_sizes
       walk_teach attach export_live quiz_check trace_schema)
if [ -n "${ASAN_SUITE:-}" ]; then read -r -a SUITE <<<"$ASAN_SUITE"; fi
mkdir -p "$TMP/reports"
# Our own handlers keep SIGSEGV, SIGBUS, SIGFPE and SIGABRT (the tests send them to
# check that the terminal and QEMU's directory come back); memory errors are caught by
# the instrumentation, not by a fault.
export ASAN_OPTIONS="detect_leaks=1:exitcode=23:log_path=$TMP/reports/asan:handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$TMP/reports/ubsan"
export LSAN_OPTIONS="suppressions=$ROOT/tests/asan.supp:print_suppressions=0"

for s in "${SUITE[@]}"; do
	script=$ROOT/tests/integration/$s.sh
	[ -f "$script" ] || { not_ok "$s under ASan" "no $script"; continue; }
	before=$(ls "$TMP/reports" | wc -l)
	start=$SECONDS
	SYSWALK=$ASAN_BIN SYSWALK_ASAN=1 timeout -k 5 600 bash "$script" >"$TMP/$s.log" 2>&1
	rc=$?
	passed=$(grep -c '^ok' "$TMP/$s.log")
	failed=$(grep '^not ok' "$TMP/$s.log" | head -3 | tr '\n' ' ')
	reports=$(ls "$TMP/reports" | wc -l)
	if [ "$rc" = 0 ] && [ -z "$failed" ] && [ "$reports" = "$before" ]; then
		ok "$s under ASan+UBSan+LSan: $passed checks, no report ($((SECONDS - start)) s)"
	else
		why="status $rc; $failed"
		if [ "$reports" != "$before" ]; then
			why+="; sanitizer report: $(cat "$TMP/reports"/* | grep -m3 -E 'ERROR|runtime error|SUMMARY' | tr '\n' ' ')"
			mkdir -p "$BUILD/test-logs/asan"
			cp "$TMP/reports"/* "$BUILD/test-logs/asan/" 2>/dev/null
			rm -f "$TMP/reports"/*
		fi
		not_ok "$s under ASan+UBSan+LSan" "$why"
		cp "$TMP/$s.log" "$BUILD/test-logs/asan-$s.log" 2>/dev/null
	fi
done
exit 0
