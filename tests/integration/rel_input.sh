#!/usr/bin/env bash
# tests/integration/rel_input.sh: bad input, each refused with a message that names what
# was wrong and where, and the documented exit status (1 error, 2 usage). Then Ctrl-C,
# SIGTERM and SIGHUP to a headless --export walk: no QEMU left, and no private socket
# directory left behind either.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/reliability.sh"
tmpdir
rel_setup
[ -x "$SYSWALK" ] && [ -f "$KERNEL" ] || { skip "bad input" "build syswalk and the kernel first"; exit 0; }

bad() {  # bad NAME STATUS REGEX ARGS...: syswalk ARGS exits STATUS, stderr matches REGEX
	# (an empty REGEX: stderr must be empty). With BAD_TTY set, on a pseudo-terminal
	# (script(1)): --replay looks for a terminal before it reads the trace.
	local name=$1 want=$2 re=$3 rc; shift 3
	if [ -n "${BAD_TTY:-}" ]; then
		rm -f "$TMP/rc"
		TERM=xterm timeout -k 2 30 script -qec "$(printf '%q ' "$SYSWALK" "$@") 2>'$TMP/err'; echo \$? >'$TMP/rc'" \
			/dev/null </dev/null >/dev/null 2>&1
		rc=$(cat "$TMP/rc" 2>/dev/null)
	else
		timeout -k 2 30 "$SYSWALK" "$@" >/dev/null 2>"$TMP/err" </dev/null
		rc=$?
	fi
	local said=no
	if [ -z "$re" ]; then
		[ -s "$TMP/err" ] || said=yes
	elif grep -qE "$re" "$TMP/err"; then
		said=yes
	fi
	if [ "$rc" = "$want" ] && [ "$said" = yes ]; then
		ok "$name: status $rc: $(head -c 150 "$TMP/err" | tr '\n' ' ')"
	else
		not_ok "$name" "status $rc (want $want): $(head -c 300 "$TMP/err" | tr '\n' ' ')"
	fi
}

head -c 3000 "$KERNEL" >"$TMP/truncated.elf"
printf '\177ELF garbage' >"$TMP/corrupt.elf"
printf 'ffffffff81000000 T _text\nthis is not a line\n' >"$TMP/System.map"
mkdir -p "$TMP/badnotes"
printf '## entry_SYSCALL_64 — fine\n\ntext\n\n## nosuchsymbol+0xzz — bad\n\nx\n' >"$TMP/badnotes/10-bad.md"
"$SYSWALK" "${NOTES[@]}" --export "$TMP/good.json" --syscall getpid >/dev/null 2>&1
head -c 700 "$TMP/good.json" >"$TMP/truncated.json"
echo '{"format":"syswalk-trace","version":1,"snapshots":[{"registers":"x"}]}' >"$TMP/hostile.json"
python3 -c 'print("[" * 100000)' >"$TMP/deep.json"

bad "truncated kernel ELF" 1 'truncated.elf: truncated' "${NOTES[@]}" --batch --kernel "$TMP/truncated.elf"
bad "corrupt kernel ELF" 1 'corrupt.elf: not an ELF file' "${NOTES[@]}" --batch --kernel "$TMP/corrupt.elf"
bad "missing kernel file" 1 'nothere.elf' "${NOTES[@]}" --batch --kernel "$TMP/nothere.elf"
bad "System.map with a garbage line" 1 'System.map:2:' "${NOTES[@]}" --batch --symbols "$TMP/System.map"
bad "unknown --syscall" 2 "no syscall 'nosuch'" "${NOTES[@]}" --batch --syscall nosuch
bad "missing QEMU binary" 1 '/nonexistent.*not an executable' "${NOTES[@]}" --batch --qemu /nonexistent
bad "--attach to a missing socket" 1 'cannot connect.*/nonexistent' "${NOTES[@]}" --batch --attach unix:/nonexistent
: >"$TMP/plain-file"
bad "--attach to a file that is not a socket" 1 'plain-file' "${NOTES[@]}" --batch --attach "unix:$TMP/plain-file"
bad "broken annotation file (file:line)" 1 '10-bad.md:5:' --batch --annotations "$TMP/badnotes"
BAD_TTY=1 bad "--replay of a truncated JSON" 1 'truncated.json: line [0-9]+' --replay "$TMP/truncated.json"
BAD_TTY=1 bad "--replay of a hostile JSON" 1 'hostile.json: ' --replay "$TMP/hostile.json"
BAD_TTY=1 bad "--replay of a deeply nested JSON" 1 'deep.json' --replay "$TMP/deep.json"
BAD_TTY=1 bad "--replay of a missing file" 1 'nothere.json' --replay "$TMP/nothere.json"
mkdir -p "$TMP/ro" && chmod 500 "$TMP/ro"
if [ "$(id -u)" = 0 ]; then
	skip "--export into an unwritable directory" "root writes anywhere"
else
	bad "--export into an unwritable directory" 1 'cannot write' "${NOTES[@]}" --export "$TMP/ro/x.json"
fi
# An unwritable or too long place for the private socket directory.
TMPDIR=/nonexistent-dir bad "unusable TMPDIR falls back to /tmp" 0 '' "${NOTES[@]}" --batch --syscall getpid
long=$TMP/$(printf 'd%.0s' $(seq 90)); mkdir -p "$long"
TMPDIR=$long bad "TMPDIR too long for a socket path falls back" 0 '' "${NOTES[@]}" --batch --syscall getpid

# Signals to a headless walk: the default action ends syswalk, PR_SET_PDEATHSIG ends QEMU.
for sig in INT TERM HUP; do
	env --default-signal=INT "$SYSWALK" "${NOTES[@]}" --export "$TMP/sig.json" --syscall all >/dev/null 2>&1 &
	pid=$!
	rel_child_of "$pid" >/dev/null
	rel_rchar "$pid"; rel_run_to "$pid" $(( ${REL_RCHAR:-0} + 20000 ))
	kill -"$sig" "$pid"
	rel_wait_exit "$pid" 5 2>/dev/null
	sleep 0.2
	check_eq "SIG$sig to --export: no QEMU left" "" "$(rel_our_qemus)"
	check_eq "SIG$sig to --export: no socket directory left" "" "$(rel_leftover_dirs)"
	rm -rf "$TMP"/syswalk-qemu.*
done
exit 0
