# tests/lib/reliability.sh: helpers for the reliability suite (tests/integration/rel_*.sh).
# Source after common.sh and after calling tmpdir.
#
#   rel_setup            TMPDIR=$TMP for syswalk (so QEMU's private socket directory is
#                        made under $TMP and our QEMUs are told apart from everyone
#                        else's on this shared machine); NOTES=(--annotations DIR), five
#                        stops of our own (entry, do_syscall_64, sysretq, iretq, int80)
#   rel_our_qemus        pids of QEMUs started by this test (their -chardev names $TMP)
#   rel_leftover_dirs    private socket directories left under $TMP
#   rel_child_of PID [S] wait up to S seconds (default 15) for PID's first child; print it
#   rel_ms               monotonic-enough milliseconds (date +%s%3N)
#   rel_wait_exit PID S  wait up to S seconds for PID (a child of this shell: do not
#                        call it in $(...)) to end; sets REL_RC to its exit status, or
#                        to "timeout" after killing it
#   rel_json_ok FILE     FILE is complete, valid JSON (python3 -m json.tool)
#   rel_rchar PID        sets REL_RCHAR to the bytes PID has read so far (/proc/PID/io),
#                        without forking: a measure of progress through a walk, since
#                        every gdbstub answer and console line is read (and, once
#                        syswalk reaps QEMU, QEMU's own reads are added). Bytes, not read
#                        calls: how many reads an answer takes depends on how its bytes
#                        arrive, so on a loaded machine a walk made half the reads it
#                        made on an idle one, and kills aimed by reads landed after its
#                        end. (Requests go out with send(), which /proc/PID/io does not
#                        count.)
#   rel_run_to PID N     spin until PID has read N bytes (or has exited: status 1)
#   rel_start_stub FAULT [fake_stub options]
#                        tests/tools/fake_stub listening on $TMP/f.sock (its stdout in
#                        $TMP/stub.out, its pid in REL_STUB_PID, killed at exit)

rel_setup() {
	export TMPDIR=$TMP
	unset XDG_RUNTIME_DIR
	# Always five stops of our own, not annotations/teach: the suite tests how syswalk
	# survives faults, and must not depend on prose that is being edited.
	mkdir -p "$TMP/notes"
	cat >"$TMP/notes/10-path.md" <<-'EOF'
	# Five stops for the reliability suite

	## entry_SYSCALL_64 — Arriving in the kernel

	The CPU has just executed `syscall`.

	## do_syscall_64 — The C dispatcher

	Called with the `pt_regs` frame and the syscall number.

	## entry_SYSRETQ_unsafe_stack/sysretq — Back to ring 3

	The last kernel instruction of the fast path.

	## swapgs_restore_regs_and_return_to_usermode/iretq — The slow way back

	The SYSRET checks failed: IRET restores everything from the stack.

	## entry_INT80_compat — The 32-bit entry

	`int $0x80` arrives here through the IDT.
	EOF
	NOTES=(--annotations "$TMP/notes")
	on_exit "pkill -KILL -f '$TMP/syswalk-qemu'"
}

rel_our_qemus() { pgrep -f "$TMP/syswalk-qemu" | tr '\n' ' ' | sed 's/ $//'; }

rel_leftover_dirs() { find "$TMP" -maxdepth 1 -name 'syswalk-qemu.*' 2>/dev/null | tr '\n' ' '; }

rel_child_of() {
	local pid=$1 limit=${2:-15} end c
	end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		c=$(pgrep -P "$pid" | head -1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

rel_ms() { date +%s%3N; }

rel_wait_exit() {
	local pid=$1 limit=$2 end
	end=$(( $(rel_ms) + limit * 1000 ))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(rel_ms)" -ge "$end" ]; then
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			REL_RC=timeout
			return 1
		fi
		sleep 0.01
	done
	wait "$pid"
	REL_RC=$?
}

rel_json_ok() { python3 -m json.tool "$1" >/dev/null 2>&1; }

rel_rchar() {
	local k v
	REL_RCHAR=
	while IFS=': ' read -r k v; do
		[ "$k" = rchar ] && REL_RCHAR=$v
	done 2>/dev/null <"/proc/$1/io"
}

rel_run_to() {
	while kill -0 "$1" 2>/dev/null; do
		rel_rchar "$1"
		[ "${REL_RCHAR:-0}" -ge "$2" ] && return 0
	done
	return 1
}

rel_start_stub() {
	rm -f "$TMP/f.sock" "$TMP/stub.out"
	"$BUILD/tests/tools/fake_stub" "$TMP/f.sock" "$@" >"$TMP/stub.out" 2>&1 &
	REL_STUB_PID=$!
	on_exit "kill -9 $REL_STUB_PID"
	for _ in $(seq 100); do grep -q listening "$TMP/stub.out" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
