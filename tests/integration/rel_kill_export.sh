#!/usr/bin/env bash
# tests/integration/rel_kill_export.sh: QEMU killed (SIGKILL) at 20 points of an
# `--export FILE.json --syscall all` walk of the teaching kernel.
#
# A clean export first measures the walk's progress in bytes read (every gdbstub answer
# is read: /proc/PID/io's rchar, the same from run to run), from the moment QEMU appears
# as syswalk's child to its end; the 20 kills are spread evenly over that count, so they land at
# the same points of the walk however loaded the machine is. At each point: exit
# status 1 within 1 s of the kill, a message on stderr that says QEMU is gone, no QEMU
# and no private socket directory left, no temporary file left beside FILE, and FILE
# either untouched (the previous export, byte for byte, or still absent) or a complete
# valid JSON document. Kills that land after the walk finished are counted: most must
# land during it, or the test proves nothing.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/reliability.sh"
tmpdir
rel_setup
[ -x "$SYSWALK" ] && [ -f "$KERNEL" ] || { skip "kill during export" "build syswalk and the kernel first"; exit 0; }
command -v "$QEMU" >/dev/null || { skip "kill during export" "no $QEMU"; exit 0; }

POINTS=20
out=$TMP/walk.json
# Every run boots: the machine-state cache would add reads (hashing the kernel and the
# state) that are not the walk's progress, and a restored walk reads less than a booted one.
NOTES+=(--no-cache)

# --- the clean run: how many bytes the walk reads, and a "previous" export -------------
"$SYSWALK" "${NOTES[@]}" --export "$TMP/previous.json" --syscall all >"$TMP/clean.out" 2>"$TMP/clean.err" &
pid=$!
qemu=$(rel_child_of "$pid")
rel_rchar "$pid"; first=${REL_RCHAR:-0}; last=$first
# Up to QEMU's end only: when syswalk reaps QEMU, the kernel adds QEMU's own reads (its
# kernel image among them) to syswalk's count. A sample counts if QEMU still ran after it.
while proc_running "$qemu"; do
	rel_rchar "$pid"
	[ -n "$REL_RCHAR" ] && proc_running "$qemu" && last=$REL_RCHAR
done
rel_wait_exit "$pid" 120; rc=$REL_RC
span=$((last - first))
if [ "$rc" != 0 ] || ! rel_json_ok "$TMP/previous.json" || [ "$span" -lt "$POINTS" ]; then
	not_ok "a clean --export --syscall all works" "status $rc, $span bytes read: $(head -c 300 "$TMP/clean.err")"
	exit 0
fi
ok "a clean --export --syscall all works ($span bytes read after QEMU started)"
check "the clean run leaves no QEMU behind" test -z "$(rel_our_qemus)"

# --- the kills -------------------------------------------------------------------------
landed=0
for ((i = 0; i < POINTS; i++)); do
	# Over the first 90 % of the walk: a kill at its very end may find syswalk done.
	at=$(( first + span * 9 * (2 * i + 1) / (10 * 2 * POINTS) ))
	# Even points: a previous export exists and must survive; odd: no file before.
	rm -f "$out"
	[ $((i % 2)) -eq 0 ] && cp "$TMP/previous.json" "$out"
	"$SYSWALK" "${NOTES[@]}" --export "$out" --syscall all >"$TMP/kill.out" 2>"$TMP/kill.err" &
	pid=$!
	qemu=$(rel_child_of "$pid")
	if [ -z "$qemu" ]; then
		rel_wait_exit "$pid" 10; rc=$REL_RC
		not_ok "kill point $i: QEMU appears as syswalk's child" "status $rc: $(head -c 200 "$TMP/kill.err")"
		continue
	fi
	rel_run_to "$pid" "$at"
	t_kill=$(rel_ms)
	kill -KILL "$qemu" 2>/dev/null
	rel_wait_exit "$pid" 10; rc=$REL_RC
	t_exit=$(rel_ms)
	elapsed=$((t_exit - t_kill))
	why=()
	if [ "$rc" = 0 ]; then
		# The walk was over before the kill: the export must then be complete.
		rel_json_ok "$out" || why+=("finished, but $out is not valid JSON")
	else
		landed=$((landed + 1))
		[ "$rc" = 1 ] || why+=("exit status $rc, want 1")
		[ "$elapsed" -le 1000 ] || why+=("exited ${elapsed} ms after the kill")
		grep -qiE 'QEMU.*(gone|killed|exited)|gdbstub closed' "$TMP/kill.err" ||
			why+=("stderr does not say QEMU is gone: '$(head -c 200 "$TMP/kill.err")'")
		if [ $((i % 2)) -eq 0 ]; then
			cmp -s "$out" "$TMP/previous.json" || rel_json_ok "$out" ||
				why+=("the previous export was damaged")
		else
			[ ! -e "$out" ] || rel_json_ok "$out" || why+=("a partial $out was left")
		fi
	fi
	left=$(rel_our_qemus)
	[ -z "$left" ] || why+=("QEMU left running: $left")
	kill -0 "$qemu" 2>/dev/null && why+=("the killed QEMU $qemu is still there")
	dirs=$(rel_leftover_dirs)
	[ -z "$dirs" ] || why+=("socket directory left: $dirs")
	tmps=$(find "$TMP" -maxdepth 1 -name '.walk.json.*' | tr '\n' ' ')
	[ -z "$tmps" ] || why+=("temporary export file left: $tmps")
	what="kill point $i (QEMU killed at byte $at of $last read, $( [ "$rc" = 0 ] && echo "after it ended" || echo "status $rc after ${elapsed} ms"))"
	if [ ${#why[@]} -eq 0 ]; then ok "$what"; else not_ok "$what" "$(IFS=';'; echo "${why[*]}")"; fi
	pkill -KILL -f "$TMP/syswalk-qemu" 2>/dev/null
	rm -rf "$TMP"/syswalk-qemu.*
done
# The count is nearly the same from run to run (the walk is deterministic; only
# waiting for QEMU's start-up varies), so nearly every kill lands during the walk.
if [ "$landed" -ge $((POINTS * 3 / 4)) ]; then
	ok "$landed of $POINTS kills landed during the walk"
else
	not_ok "at least $((POINTS * 3 / 4)) of $POINTS kills land during the walk" "only $landed"
fi
exit 0
