#!/usr/bin/env bash
# tests/integration/rel_hostile.sh: the hostile cases of issue 14, one regression test
# each (the numbers are the issue's items). Every case ends on its own within a bound,
# with a message naming what was wrong, the expected exit status, no control byte of the
# input on the terminal (stdout and stderr), no QEMU and no socket directory left.
#
#  1  notes that cannot be read (a directory, a FIFO named *.md): refused, no crash
#  2  a System.map whose entry text is far away; a stub answering every 'm' with E14
#  3  a stub whose every continue stops elsewhere: a bounded number of rounds
#  4  terminal escapes from the stub (qSupported, <architecture>, xi:include, a stop) and
#     from notes (show:, a heading, C1 CSI and a bidi override in --batch and exports)
#  6  SIGINT, and two SIGINTs 10 ms apart, while the viewer starts; signals in --batch
#  7  no leak when the handshake fails (valgrind)
#  8  FIFOs as --symbols, --replay, --kernel and a note; an empty --kernel
#  9  an export through a symlink, and a 253-byte file name
# 10  --replay checks the terminal before reading the trace
# 11  exit status 2 for TERM unset, unknown or dumb (before QEMU), and a bad --attach
# (5, signals on the running viewer, is in rel_live_viewer.sh; 12 in the unit tests.)
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/reliability.sh"
tmpdir
rel_setup
STUB=$BUILD/tests/tools/fake_stub
MAKE_TRACE=$BUILD/tests/tools/make_trace
[ -x "$STUB" ] && [ -x "$SYSWALK" ] && [ -f "$KERNEL" ] && [ -x "$MAKE_TRACE" ] ||
	{ skip "hostile input" "make all test-tools first"; exit 0; }
CASES=0

# Bytes that would drive a terminal: C0 controls but tab/newline, DEL, C1 as UTF-8.
raw_controls() { LC_ALL=C grep -caP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@" 2>/dev/null | awk -F: '{ s += $NF } END { print s + 0 }'; }

# run_case NAME STATUS REGEX LIMIT CMD...: run CMD (stdin /dev/null) for at most LIMIT
# seconds; want exit STATUS (a regex: 0|1), REGEX on stderr (QUIET: nothing on stderr
# but the machine-state cache's note that it saved a state, ANY: whatever it says),
# nothing raw on
# stdout or stderr, no QEMU and no private directory left behind.
run_case() {
	local name=$1 want=$2 regex=$3 limit=$4 rc why=()
	shift 4
	CASES=$((CASES + 1))
	timeout -k 2 "$limit" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	[[ "$rc" =~ ^($want)$ ]] || why+=("exit status $rc, want $want")
	if [ "$regex" = ANY ]; then
		:
	elif [ "$regex" = QUIET ]; then
		! grep -qv '^syswalk: saved the machine state at ' "$TMP/err" ||
			why+=("stderr: '$(head -c 300 "$TMP/err" | cat -v)'")
	else
		grep -qE -- "$regex" "$TMP/err" || why+=("stderr: '$(head -c 300 "$TMP/err" | cat -v)'")
	fi
	[ "$(raw_controls "$TMP/out" "$TMP/err")" = 0 ] || why+=("raw control bytes reached the terminal")
	sleep 0.1
	[ -z "$(rel_our_qemus)" ] || why+=("QEMU left running")
	[ -z "$(rel_leftover_dirs)" ] || why+=("left $(rel_leftover_dirs)")
	if [ ${#why[@]} -eq 0 ]; then
		ok "$name: $(head -c 150 "$TMP/err" | tr '\n' ' ')"
	else
		not_ok "$name" "$(IFS=';'; echo "${why[*]}")"
	fi
}

# --- 1 and 8: notes -----------------------------------------------------------------------
mkdir -p "$TMP/n1/x.md"
run_case "1: a directory named x.md" 1 "x.md:1: cannot read: a directory" 20 \
	"$SYSWALK" --check-annotations "$TMP/n1"
mkdir -p "$TMP/n2/x.md"; cp "$TMP/notes/10-path.md" "$TMP/n2/"
run_case "1: a directory named x.md next to a valid note" 1 "x.md:1: cannot read: a directory" 20 \
	"$SYSWALK" --check-annotations "$TMP/n2"
mkdir -p "$TMP/n3"; cp "$TMP/notes/10-path.md" "$TMP/n3/"; mkfifo "$TMP/n3/20-fifo.md"
run_case "8: a FIFO named 20-fifo.md in the notes" 1 "20-fifo.md:1: cannot read: a FIFO, not a regular file" 10 \
	"$SYSWALK" --check-annotations "$TMP/n3"

# --- 4: escapes in notes --------------------------------------------------------------------
mkdir -p "$TMP/n4"
printf '## entry_SYSCALL_64 — title\nshow: rcx \e]0;PWNED\a\n\nText.\n\n## \e[2Jnot_a_symbol\n\nText.\n' \
	>"$TMP/n4/10-bad.md"
run_case "4: show: with an OSC title, a heading with ESC[2J (--check-annotations)" 1 \
	'\\x1b\]0;PWNED\\x07.*|\\x1b\[2Jnot_a_symbol' 20 "$SYSWALK" --check-annotations "$TMP/n4"
run_case "4: the same notes in --batch" 1 '\\x1b' 20 "$SYSWALK" --batch --annotations "$TMP/n4"
mkdir -p "$TMP/n5"
sed 's/The CPU has just executed `syscall`./CSI \xc2\x9b2J and \xe2\x80\xaereversed, ESC \x1b[31m./' \
	"$TMP/notes/10-path.md" >"$TMP/n5/10-path.md"
run_case "4: a note with C1 CSI, a bidi override and ESC in --batch" 0 QUIET 30 \
	"$SYSWALK" --batch --annotations "$TMP/n5"
check "4: --batch shows them as \\u009b, \\u202e, \\x1b" \
	grep -qF 'CSI \u009b2J and \u202ereversed, ESC \x1b[31m.' "$TMP/out"
for ext in md html json; do
	run_case "4: the same note exported as .$ext" 0 QUIET 30 \
		"$SYSWALK" --annotations "$TMP/n5" --export "$TMP/walk.$ext"
	check_eq "4: no raw control byte in the .$ext export" 0 "$(raw_controls "$TMP/walk.$ext")"
done

# --- 4: escapes from the stub (scripted, no QEMU) ------------------------------------------
stop_stub() { kill -9 $REL_STUB_PID 2>/dev/null; wait $REL_STUB_PID 2>/dev/null; }
attach=(--attach "unix:$TMP/f.sock" --timeout 2)

rel_start_stub reply --match qSupported --reply 'PacketSize=1000;\e]0;PWNED\a;\xc2\x9b2J'
run_case "4: a qSupported answer with OSC and C1 CSI" 1 'PacketSize=1000;\\x1b\]0;PWNED\\x07;\\u009b2J' 20 \
	"$SYSWALK" "${NOTES[@]}" "${attach[@]}" --batch
stop_stub
mkdir -p "$TMP/xml1" "$TMP/xml2"
printf '<?xml version="1.0"?><target><architecture>\e[2J\e]0;X\a</architecture><feature name="x"><reg name="r0" bitsize="64"/></feature></target>' \
	>"$TMP/xml1/target.xml"
rel_start_stub none --xml "$TMP/xml1"
run_case "4: <architecture> with ESC[2J and an OSC title" 1 "architecture '\\\\x1b\[2J\\\\x1b\]0;X\\\\x07'" 20 \
	"$SYSWALK" "${NOTES[@]}" "${attach[@]}" --batch
stop_stub
printf '<?xml version="1.0"?><target><xi:include href="\e[2Jx$#}.xml"/></target>' >"$TMP/xml2/target.xml"
rel_start_stub none --xml "$TMP/xml2" --log
run_case "4: an xi:include href with ESC and RSP specials" 1 "unusable name '\\\\x1b\[2Jx" 20 \
	"$SYSWALK" "${NOTES[@]}" "${attach[@]}" --batch
check_eq "4: the href is never sent back to the stub" "1" \
	"$(grep -c '^packet qXfer' "$TMP/stub.out")"
stop_stub

# --- 2, 3 and 4 on a real walk: relayed to QEMU until the cue -----------------------------
qpid=
start_relay() {  # start_relay FAULT ARGS...: QEMU's gdbstub behind the stub
	qemu_gdb_start "$TMP/q.sock"
	qpid=$QEMU_GDB_PID
	rel_start_stub "$@" --upstream "$TMP/q.sock"
}
stop_relay() { stop_stub; kill -9 $qpid 2>/dev/null; wait $qpid 2>/dev/null; }

start_relay reply --match 'vCont;c' --after 2 --reply 'T05thread:\e[2J\e]0;PWNED\a;'
run_case "4: a stop reply with ESC[2J and an OSC title" 1 "bad thread id '\\\\x1b\\[2J\\\\x1b\\]0'" 30 \
	"$SYSWALK" "${NOTES[@]}" "${attach[@]}" --batch
stop_relay

# Only symbol anchors: no note needs memory to resolve, so the walk reaches the scan.
mkdir -p "$TMP/n6"
printf '## entry_SYSCALL_64 — in\n\nIn.\n\n## do_syscall_64 — C\n\nC.\n' >"$TMP/n6/10.md"
start_relay mem-error --match m
run_case "2: every 'm' answered E14: the walk ends, bounded" '0|1' ANY 60 \
	"$SYSWALK" --annotations "$TMP/n6" "${attach[@]}" --batch
stop_relay

start_relay stop-elsewhere --match 'vCont;c'
run_case "3: every continue stops elsewhere: bounded rounds" 1 'gave up running to the syscall after 4096 rounds' 120 \
	"$SYSWALK" "${NOTES[@]}" "${attach[@]}" --batch
stop_relay

# SIGINT while a prompt stub keeps the loop going: answered within 1 s.
sigint_case() {  # sigint_case NAME FAULT ARGS...
	local name=$1 t0 t1; shift
	CASES=$((CASES + 1))
	start_relay "$@"
	env --default-signal=INT "$SYSWALK" "${NOTES[@]}" "${attach[@]}" --batch >/dev/null 2>"$TMP/err" &
	local pid=$!
	for _ in $(seq 200); do grep -q '^cue' "$TMP/stub.out" && break; sleep 0.05; done
	sleep 0.5
	t0=$(rel_ms)
	kill -INT "$pid"
	rel_wait_exit "$pid" 10
	t1=$(rel_ms)
	if [ "$REL_RC" = 130 ] && [ $((t1 - t0)) -le 1000 ]; then
		ok "$name: SIGINT answered in $((t1 - t0)) ms: $(head -c 120 "$TMP/err")"
	else
		not_ok "$name: SIGINT within 1 s" "status $REL_RC after $((t1 - t0)) ms: $(head -c 200 "$TMP/err")"
	fi
	stop_relay
}
sigint_case "3: continues that stop elsewhere (5 ms each)" stop-elsewhere --match 'vCont;c' --delay 5

# A System.map whose __entry_text_end is 64 MiB past its start.
nm -n "$KERNEL" | awk '$3 == "__entry_text_end" { $1 = "ffffffff85001000" } { print }' | sort >"$TMP/far-System.map"
run_case "2: a System.map with the entry text's end 64 MiB away" 1 'larger than 256 KiB' 30 \
	"$SYSWALK" "${NOTES[@]}" --symbols "$TMP/far-System.map" --batch

# --- 8: FIFOs and an empty kernel ----------------------------------------------------------
mkfifo "$TMP/fifo-System.map" "$TMP/fifo.elf" "$TMP/fifo.json"
run_case "8: --symbols is a FIFO" 1 'a FIFO, not a regular file' 10 \
	"$SYSWALK" "${NOTES[@]}" --symbols "$TMP/fifo-System.map" --batch
run_case "8: --kernel is a FIFO" 1 'kernel.*fifo.elf: a FIFO, not a regular file' 10 \
	"$SYSWALK" "${NOTES[@]}" --kernel "$TMP/fifo.elf" --symbols "$KERNEL" --batch
: >"$TMP/empty.elf"
run_case "11: --kernel is an empty file" 1 '-kernel .*empty.elf: the file is empty' 10 \
	"$SYSWALK" "${NOTES[@]}" --kernel "$TMP/empty.elf" --symbols "$KERNEL" --batch

# --- 10 and 11: the terminal, checked first -------------------------------------------------
# in_tty CMD...: CMD on a pseudo-terminal (script(1)); its output in $TMP/tty.out and its
# exit status in $TMP/tty.rc.
in_tty() {
	local q
	q=$(printf '%q ' "$@")
	timeout -k 2 20 script -qec "$q; echo \"rc=\$?\" >'$TMP/tty.rc'" /dev/null </dev/null >"$TMP/tty.out" 2>&1
}
tty_case() {  # tty_case NAME STATUS REGEX CMD...
	local name=$1 want=$2 regex=$3; shift 3
	CASES=$((CASES + 1))
	rm -f "$TMP/tty.rc" "$TMP/qemu-ran"
	in_tty "$@"
	local rc; rc=$(sed -n 's/^rc=//p' "$TMP/tty.rc" 2>/dev/null)
	if [ "$rc" = "$want" ] && grep -qE -- "$regex" "$TMP/tty.out" && [ ! -e "$TMP/qemu-ran" ]; then
		ok "$name: $(grep -m1 syswalk "$TMP/tty.out" | tr -d '\r')"
	else
		not_ok "$name" "status '$rc', want $want; qemu ran: $([ -e "$TMP/qemu-ran" ] && echo yes || echo no); $(head -c 200 "$TMP/tty.out" | tr -d '\r')"
	fi
}
# A QEMU that only says it ran: none of these may get as far as starting it.
printf '#!/bin/sh\ntouch %q\nexec %q "$@"\n' "$TMP/qemu-ran" "$(command -v "$QEMU")" >"$TMP/qemu"
chmod +x "$TMP/qemu"
if command -v script >/dev/null; then
	tty_case "11: TERM unset" 2 'TERM is not set' env -u TERM "$SYSWALK" "${NOTES[@]}" --qemu "$TMP/qemu"
	tty_case "11: TERM unknown" 2 "unknown terminal type 'no-such-term'" \
		env TERM=no-such-term "$SYSWALK" "${NOTES[@]}" --qemu "$TMP/qemu"
	tty_case "11: TERM=dumb" 2 "terminal type 'dumb' \(TERM\) cannot move the cursor" \
		env TERM=dumb "$SYSWALK" "${NOTES[@]}" --qemu "$TMP/qemu"
	tty_case "8: --replay of a FIFO" 1 'fifo.json: a FIFO, not a regular file' \
		env TERM=xterm "$SYSWALK" --replay "$TMP/fifo.json"
	truncate -s 300M "$TMP/huge.json"
	tty_case "10: --replay of a 300 MB trace: refused by its size, unread" 1 'huge.json: too large' \
		env TERM=xterm "$SYSWALK" --replay "$TMP/huge.json"
else
	skip "11: TERM unset, unknown, dumb; --replay of a FIFO" "no script(1)"
fi
# Without a terminal --replay says so before it opens the trace (a FIFO would block).
run_case "10: --replay without a terminal, of a FIFO" 2 'needs a terminal' 10 \
	"$SYSWALK" --replay "$TMP/fifo.json"
for bad in unix: 10.0.0.1:1234 127.0.0.1:99999 nonsense; do
	run_case "11: --attach $bad is a usage error" 2 "--attach: " 10 "$SYSWALK" --batch --attach "$bad"
done

# --- 6: signals while QEMU starts (a QEMU that takes 3 s to exec) ---------------------------
printf '#!/bin/sh\nsleep 3\nexec %q "$@"\n' "$(command -v "$QEMU")" >"$TMP/slow-qemu"
chmod +x "$TMP/slow-qemu"
# signal_case NAME STATUS SIGNAL... : --batch, the signals sent 10 ms apart once QEMU's
# wrapper runs; exit STATUS within 2 s, nothing left.
signal_case() {
	local name=$1 want=$2 t0 t1; shift 2
	CASES=$((CASES + 1))
	"$SYSWALK" "${NOTES[@]}" --qemu "$TMP/slow-qemu" --batch >/dev/null 2>"$TMP/err" &
	local pid=$! sig
	if ! rel_child_of "$pid" 15 >/dev/null; then
		not_ok "$name" "QEMU's wrapper never started"
		return
	fi
	t0=$(rel_ms)
	for sig in "$@"; do kill -"$sig" "$pid"; sleep 0.01; done
	rel_wait_exit "$pid" 10
	t1=$(rel_ms)
	sleep 0.2
	if [ "$REL_RC" = "$want" ] && [ $((t1 - t0)) -le 2000 ] && [ -z "$(rel_leftover_dirs)" ] &&
	   [ -z "$(rel_our_qemus)" ] && ! pgrep -f "$TMP/slow-qemu" >/dev/null; then
		ok "$name: status $REL_RC in $((t1 - t0)) ms, nothing left"
	else
		not_ok "$name" "status $REL_RC after $((t1 - t0)) ms (want $want); left: $(rel_leftover_dirs) $(rel_our_qemus)"
	fi
	pkill -KILL -f "$TMP/slow-qemu" 2>/dev/null
	rm -rf "$TMP"/syswalk-qemu.*
}
signal_case "6: --batch, SIGINT while QEMU starts" 130 INT
signal_case "6: --batch, two SIGINTs 10 ms apart" 130 INT INT
for s in TERM HUP QUIT USR1 USR2 ALRM; do
	signal_case "6: --batch, SIG$s while QEMU starts" $((128 + $(kill -l "$s"))) "$s"
done
signal_case "6: --batch, SIGSEGV while QEMU starts (crash cleanup)" 139 SEGV
signal_case "6: --batch, SIGPIPE is ignored" 130 PIPE INT

# The interactive viewer's start-up, in tmux: the terminal comes back, nothing is left.
if command -v tmux >/dev/null; then
	UI_CMD="env TMPDIR=$TMP $SYSWALK ${NOTES[*]} --qemu $TMP/slow-qemu"
	source "$ROOT/tests/lib/tmux.sh"
	for sigs in "INT" "INT INT" "TERM" "QUIT"; do
		CASES=$((CASES + 1))
		tmux_wrapped 120 40
		if ! rel_child_of "$(cat "$TMP/pid")" 15 >/dev/null; then
			not_ok "6: viewer start-up, SIG${sigs// /+SIG}" "QEMU's wrapper never started"
		else
			for s in $sigs; do kill -"$s" "$(cat "$TMP/pid")"; sleep 0.01; done
			if tmux_wait_file "$TMP/rc" 10; then
				sleep 0.2
				first=${sigs%% *}
				check_eq "6: viewer start-up, SIG${sigs// /+SIG}: status, terminal, nothing left" \
					"$((128 + $(kill -l "$first"))):$(cat "$TMP/stty.before")::" \
					"$(cat "$TMP/rc"):$(cat "$TMP/stty.after"):$(rel_leftover_dirs):$(rel_our_qemus)"
			else
				not_ok "6: viewer start-up, SIG${sigs// /+SIG}" "no exit after 10 s"
			fi
		fi
		tmux_t kill-server 2>/dev/null
		pkill -KILL -f "$TMP/slow-qemu" 2>/dev/null
		rm -rf "$TMP"/syswalk-qemu.*
	done
else
	skip "6: viewer start-up signals" "no tmux"
fi

# --- 7: no leak on a failed handshake -------------------------------------------------------
if command -v valgrind >/dev/null && [ -z "${SYSWALK_ASAN:-}" ]; then
	rel_start_stub garbage --match qSupported
	run_case "7: a handshake that fails leaks nothing (valgrind)" 1 'corrupt packets' 120 \
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$SYSWALK" "${NOTES[@]}" "${attach[@]}" --batch
	stop_stub
	start_relay close-mid --match g --after 3
	run_case "7: a stub that dies mid-walk leaks nothing (valgrind)" 1 'closed the connection' 120 \
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$SYSWALK" "${NOTES[@]}" "${attach[@]}" --batch
	stop_relay
else
	skip "7: leaks on error paths (valgrind)" "no valgrind, or under ASan (LSan checks every run there)"
fi

# --- 9: exports ----------------------------------------------------------------------------
mkdir -p "$TMP/exports"
echo old >"$TMP/exports/real.html"
ln -s real.html "$TMP/exports/link.html"
run_case "9: --export through a symlink" 0 QUIET 30 "$SYSWALK" "${NOTES[@]}" --export "$TMP/exports/link.html"
check "9: the link is still a link" test -L "$TMP/exports/link.html"
check "9: its target holds the export" grep -q '</html>' "$TMP/exports/real.html"
long=$(printf 'w%.0s' $(seq 248)).json
run_case "9: --export to a 253-byte name" 0 QUIET 30 "$SYSWALK" "${NOTES[@]}" --export "$TMP/exports/$long"
check "9: the 253-byte file is complete JSON" rel_json_ok "$TMP/exports/$long"

echo "# $CASES hostile cases"
exit 0
