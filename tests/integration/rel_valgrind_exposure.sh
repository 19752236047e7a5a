#!/usr/bin/env bash
# tests/integration/rel_valgrind_exposure.sh: valgrind over a headless walk of every
# syscall and over an export of all (no invalid access, no definite leak; QEMU is a
# child and not traced). Exposure, sampled during a walk: no TCP listener beyond
# loopback, the socket directory is 0700, QEMU's parent is syswalk itself (no shell).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/reliability.sh"
tmpdir
rel_setup
[ -x "$SYSWALK" ] && [ -f "$KERNEL" ] || { skip "valgrind and exposure" "build syswalk and the kernel first"; exit 0; }

if command -v valgrind >/dev/null; then
	VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --trace-children=no)
	timeout 300 "${VG[@]}" "$SYSWALK" "${NOTES[@]}" --batch --syscall all >"$TMP/batch.txt" 2>"$TMP/vg-batch.txt"
	rc=$?
	check_eq "valgrind: --batch --syscall all is clean" "0" "$rc"
	check "valgrind really ran the walk (definitely lost: 0 or no leak)" \
		grep -qE 'definitely lost: 0 bytes|no leaks are possible|All heap blocks were freed' "$TMP/vg-batch.txt"
	check "the walk printed its stops" grep -q '^=== stop' "$TMP/batch.txt"
	timeout 300 "${VG[@]}" "$SYSWALK" "${NOTES[@]}" --export "$TMP/all.json" --syscall all >/dev/null 2>"$TMP/vg-export.txt"
	check_eq "valgrind: --export all.json --syscall all is clean" "0" "$?"
	check "the export is valid JSON" rel_json_ok "$TMP/all.json"
	[ "$rc" = 0 ] || tail -30 "$TMP/vg-batch.txt" | sed 's/^/# /'
else
	skip "valgrind" "valgrind is not installed"
fi

# Exposure, sampled while a walk runs (slowed down by --trace: every instruction).
"$SYSWALK" "${NOTES[@]}" --trace --syscall write >/dev/null 2>&1 &
pid=$!
qemu=$(rel_child_of "$pid")
bad_listen="" dirmode="" parent=""
while kill -0 "$pid" 2>/dev/null; do
	# Only sockets of our processes: other programs share this machine.
	l=$(ss -ltnpH 2>/dev/null | grep -E "pid=($pid|${qemu:-0})," | awk '{print $4}' |
		grep -vE '^(127\.[0-9.]+|\[::1\]|::1):')
	[ -n "$l" ] && bad_listen="$bad_listen $l"
	d=$(find "$TMP" -maxdepth 1 -name 'syswalk-qemu.*' -printf '%m\n' 2>/dev/null | head -1)
	[ -n "$d" ] && dirmode=$d
	if [ -z "$parent" ] && [ -n "$qemu" ]; then
		pp=$(ps -o ppid= -p "$qemu" 2>/dev/null | tr -d ' ')
		[ -n "$pp" ] && parent="$pp $(ps -o comm= -p "$pp")"
	fi
	sleep 0.02
done
wait "$pid"
check_eq "no TCP listener beyond loopback during the walk" "" "$(printf '%s\n' $bad_listen | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "the socket directory is 0700" "700" "$dirmode"
check_eq "QEMU's parent is syswalk, not a shell" "$pid syswalk" "$parent"
exit 0
