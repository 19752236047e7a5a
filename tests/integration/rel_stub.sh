#!/usr/bin/env bash
# tests/integration/rel_stub.sh: a gdbstub that misbehaves (tests/tools/fake_stub) with
# `--attach unix:PATH --timeout 2`: a stub that stops answering, acknowledges and then
# freezes, closes mid-packet, or sends garbage, at points of the handshake (scripted,
# no QEMU) and of a real walk (relayed to QEMU 7.2 until the cue). Each is detected
# within the configured timeout (a run: the timeout plus the 2 s interrupt grace) with
# a message saying what happened, exit status 1. Ctrl-C (SIGINT) ends a program waiting
# on a hung stub at once, in --batch mode and in the interactive viewer.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/reliability.sh"
source "$ROOT/tests/lib/tmux.sh"
tmpdir
rel_setup
STUB=$BUILD/tests/tools/fake_stub
[ -x "$STUB" ] && [ -x "$SYSWALK" ] && [ -f "$KERNEL" ] || { skip "fake stub faults" "make all test-tools first"; exit 0; }

qpid=
start_qemu() {  # a stopped teaching kernel with its gdbstub on $TMP/q.sock
	qemu_gdb_start "$TMP/q.sock"; local rc=$?
	qpid=$QEMU_GDB_PID
	return $rc
}


stop_all() {
	kill -9 $REL_STUB_PID $qpid 2>/dev/null
	wait $REL_STUB_PID $qpid 2>/dev/null
}

# fault NAME LIMIT-MS MESSAGE-REGEX STUB-ARGS...: run a --batch walk of every syscall
# through the stub; the stub has started (and QEMU too when STUB-ARGS has --upstream).
fault() {
	local name=$1 limit=$2 want=$3; shift 3
	local start end rc why=()
	timeout -k 2 30 "$SYSWALK" "${NOTES[@]}" --attach "unix:$TMP/f.sock" --timeout 2 \
		--batch --syscall all >/dev/null 2>"$TMP/err"
	rc=$?
	end=$(rel_ms)
	# Timed from the fault (the stub stamps its cue), not from the launch: the walk up
	# to the cue is work that a loaded machine slows down, and not part of detecting it.
	start=$(awk '$1 == "cue" { print $2; exit }' "$TMP/stub.out")
	[ -n "$start" ] || { why+=("the cue never came: $(tr '\n' ' ' <"$TMP/stub.out")"); start=$end; }
	[ "$rc" = 1 ] || why+=("exit status $rc, want 1")
	[ $((end - start)) -le "$limit" ] || why+=("took $((end - start)) ms after the fault, limit $limit")
	grep -qE "$want" "$TMP/err" || why+=("message: '$(head -c 300 "$TMP/err")'")
	if [ ${#why[@]} -eq 0 ]; then
		ok "$name: detected $((end - start)) ms after the fault: $(head -c 160 "$TMP/err")"
	else
		not_ok "$name" "$(IFS=';'; echo "${why[*]}")"
	fi
	stop_all
}

# --- the handshake, against the scripted stub (no QEMU) ---------------------------------
TIMEOUT_MSG='timed out|stopped answering'
rel_start_stub silent --match qXfer
fault "handshake: no answer to the target description" 3500 "$TIMEOUT_MSG"
rel_start_stub silent-ack --match '?'
fault "handshake: '?' acknowledged, never answered" 3500 "$TIMEOUT_MSG"
rel_start_stub close-mid --match vCont?
fault "handshake: connection closed mid-packet" 1000 "closed the connection"
rel_start_stub garbage --match qSupported
fault "handshake: garbage instead of qSupported's answer" 1000 "corrupt packets"
rel_start_stub noise --match qXfer
fault "handshake: noise that never frames a packet" 3500 "$TIMEOUT_MSG"

# --- a real walk, relayed to QEMU until the cue -----------------------------------------
walk_fault() {  # walk_fault NAME LIMIT REGEX FAULT STUB-ARGS...
	local name=$1 limit=$2 want=$3; shift 3
	if start_qemu && rel_start_stub "$@" --upstream "$TMP/q.sock"; then
		fault "$name" "$limit" "$want"
	else
		not_ok "$name" "QEMU or the stub did not start"
		stop_all
	fi
}
start_qemu && rel_start_stub none --upstream "$TMP/q.sock"
timeout 30 "$SYSWALK" "${NOTES[@]}" --attach "unix:$TMP/f.sock" --timeout 2 --batch --syscall all \
	>"$TMP/relay.txt" 2>"$TMP/err"
check_eq "a walk through the faultless relay succeeds" "0:$(head -c 200 "$TMP/err")" "$?:"
stop_all
walk_fault "walk: registers never answered (3rd 'g')" 3500 "$TIMEOUT_MSG" silent --match g --after 3
walk_fault "walk: memory read never answered (10th 'm')" 3500 "$TIMEOUT_MSG" silent --match m --after 10
walk_fault "walk: single step never acknowledged" 3500 "$TIMEOUT_MSG" silent --match 'vCont;s' --after 2
walk_fault "walk: continue acknowledged, never stops, deaf to 0x03" 5500 "$TIMEOUT_MSG|did not stop" \
	silent-ack --match 'vCont;c' --after 3
walk_fault "walk: breakpoint acknowledged, never answered" 3500 "$TIMEOUT_MSG" silent-ack --match Z --after 2
walk_fault "walk: closed mid-packet at the 5th 'g'" 1000 "closed the connection" close-mid --match g --after 5
walk_fault "walk: garbage after the 5th 'm'" 1000 "corrupt packets" garbage --match m --after 5
walk_fault "walk: noise after the 2nd 'g'" 3500 "$TIMEOUT_MSG" noise --match g --after 2
check "no QEMU left by the stub tests" test -z "$(pgrep -f "$TMP/q.sock")"

# --- Ctrl-C while waiting on a hung stub (a long timeout, so only SIGINT can end it) -----
rel_start_stub silent --match qXfer
# (env: a background job of a script starts with SIGINT ignored; a user's shell does not)
env --default-signal=INT "$SYSWALK" "${NOTES[@]}" --attach "unix:$TMP/f.sock" --timeout 60 --batch \
	>/dev/null 2>"$TMP/err" &
pid=$!
for _ in $(seq 100); do grep -q '^cue' "$TMP/stub.out" && break; sleep 0.05; done
sleep 0.3
t0=$(rel_ms)
kill -INT "$pid"
rel_wait_exit "$pid" 5
t1=$(rel_ms)
if [ "$REL_RC" != timeout ] && [ $((t1 - t0)) -le 1000 ]; then
	ok "--batch: SIGINT ends the wait on a hung stub in $((t1 - t0)) ms (status $REL_RC)"
else
	not_ok "--batch: SIGINT ends the wait on a hung stub within 1 s" "status $REL_RC after $((t1 - t0)) ms"
fi
stop_all

# The viewer: 'n' runs to the next stop, the stub freezes at that continue (the walk's
# second: one ran to the user's syscall, and a step took it into the kernel); Ctrl-C
# interrupts it (2 s grace), the viewer says so and stays usable; a second Ctrl-C quits.
if command -v tmux >/dev/null && start_qemu && rel_start_stub silent --match 'vCont;c' --after 2 --upstream "$TMP/q.sock"; then
	UI_CMD="$SYSWALK ${NOTES[*]} --attach unix:$TMP/f.sock --timeout 60"
	tmux_wrapped 220 40     # wide: the status line holds the whole message
	if tmux_wait "stop 1 of" 20; then
		tmux_keys n
		for _ in $(seq 100); do grep -q '^cue' "$TMP/stub.out" && break; sleep 0.05; done
		sleep 0.3
		t0=$(rel_ms)
		tmux_keys C-c
		if tmux_wait "interrupted" 6; then
			t1=$(rel_ms)
			ok "viewer: Ctrl-C during a hung run is answered in $((t1 - t0)) ms"
		else
			not_ok "viewer: Ctrl-C during a hung run is answered" "$(tmux_screen | tail -3 | tr '\n' ' ')"
		fi
		tmux_keys b
		tmux_keys C-c
		check "viewer: a second Ctrl-C quits" tmux_wait_file "$TMP/rc" 10
		check_eq "viewer: terminal settings restored" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after" 2>/dev/null)"
	else
		not_ok "viewer on the relay shows the first stop" "$(tmux_screen | tail -3 | tr '\n' ' ')"
	fi
	tmux_t kill-server 2>/dev/null
else
	skip "viewer: Ctrl-C during a hung run" "no tmux, or QEMU/stub did not start"
fi
stop_all
exit 0
