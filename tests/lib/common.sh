# tests/lib/common.sh: helpers for the shell tests. Source it; it prints TAP lines
# that tests/run.sh counts, and cleans up what a test started when it exits.
#
#   ok "name" / not_ok "name" "why" / skip "name" "reason"
#   check "name" CMD...          ok when CMD succeeds
#   check_eq "name" WANT GOT     ok when the two strings are equal
#   tmpdir                       a private directory removed at exit (in $TMP)
#   on_exit "CMD"                run CMD at exit (kill QEMU, tmux sessions, ...)
#   proc_running PID             PID exists and is not a zombie
#   qemu_gdb_start SOCK          the teaching kernel stopped, gdbstub on SOCK ($QEMU_GDB_PID)
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build
KERNEL=${KERNEL:-$BUILD/kernel/syswalk-kernel.elf}
SYSWALK=${SYSWALK:-$BUILD/syswalk}
QEMU=${QEMU:-qemu-system-x86_64}
_tap_n=0
_exit_cmds=()

ok()     { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }
not_ok() { _tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - $1${2:+ ($2)}"; }
skip()   { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP ${2:-}"; }
check()  { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n" "command failed: $*"; fi; }
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want '$2', got '$3'"; fi
}
on_exit() { _exit_cmds+=("$1"); }
_run_exit() { local c; for c in "${_exit_cmds[@]}"; do eval "$c" >/dev/null 2>&1; done; }
trap _run_exit EXIT
tmpdir() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/syswalk-test.XXXXXX")
	chmod 700 "$TMP"
	on_exit "rm -rf '$TMP'"
}
# linux_kernel NAME: fetch Debian's kernel (with the -dbg symbols) and build our init;
# sets LINUX_CACHE. Returns 1 after a skip (archive unreachable) or a failure line,
# so a test says: linux_kernel "what" || exit 0. Needs tmpdir first.
linux_kernel() {
	local rc
	LINUX_CACHE=$("$ROOT/scripts/fetch-linux.sh" --dbg 2>"$TMP/fetch.err"); rc=$?
	if [ "$rc" -eq 3 ]; then
		skip "$1" "Debian's archive cannot be reached: $(tail -n 1 "$TMP/fetch.err")"
		return 1
	elif [ "$rc" -ne 0 ]; then
		not_ok "fetch the Linux kernel" "scripts/fetch-linux.sh --dbg exited $rc: $(tail -n 1 "$TMP/fetch.err")"
		return 1
	fi
	make -C "$ROOT" --no-print-directory linux-initramfs >/dev/null || { not_ok "build the init"; return 1; }
}

# The machine-state cache (viewer/vmstate.c) never touches the user's own cache: each
# test gets a private one, unless tests/run.sh gave the whole run one (later tests then
# start warm, as a user's second run does).
if [ -z "${SYSWALK_TEST_CACHE:-}" ]; then
	SYSWALK_TEST_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/syswalk-cache.XXXXXX")
	on_exit "rm -rf '$SYSWALK_TEST_CACHE'"
fi
export XDG_CACHE_HOME=$SYSWALK_TEST_CACHE
# proc_running PID: PID exists and is not a zombie. The state is read once: testing for
# /proc/PID and then reading its status raced with a reap in between, and an unreadable
# status then counted as "running" (a CI failure).
proc_running() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "${state#[ZX]}" = "$state" ]
}

# qemu_gdb_start SOCK: the teaching kernel in QEMU, stopped, its gdbstub on the unix
# socket SOCK and its serial line discarded (what --attach is for); sets QEMU_GDB_PID,
# kills it on exit, and returns once SOCK exists (1 when it never does, in 5 s).
qemu_gdb_start() {
	rm -f "$1"
	"$QEMU" -kernel "$KERNEL" -m 64M -accel tcg -display none -no-reboot -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial null -S \
		-chardev "socket,path=$1,server=on,wait=off,id=gdb0" -gdb chardev:gdb0 \
		</dev/null >/dev/null 2>&1 &
	QEMU_GDB_PID=$!
	on_exit "kill -9 $QEMU_GDB_PID"
	for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done
	return 1
}
