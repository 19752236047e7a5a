#!/usr/bin/env bash
# vmstate.sh: the machine-state cache on the teaching kernel (viewer/vmstate.c).
#   - a walk started from the saved state, and a restart (r), are identical to a booted
#     walk, stop by stop, every register (the teaching kernel is deterministic);
#   - a truncated, corrupted, foreign or other-QEMU state file, and a stream QEMU itself
#     refuses, fall back to a boot with a one-line note, and a fresh state replaces it;
#   - two syswalk processes starting at once on a cold cache leave one good state;
#   - --no-cache neither reads nor writes the cache; without $XDG_CACHE_HOME the cache
#     is ~/.cache/syswalk; a different kernel is a different state.
# Everything runs with XDG_CACHE_HOME (or HOME) in a private directory.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/vmstate.sh"
tmpdir
export XDG_CACHE_HOME=$TMP/cache SYSWALK_CACHE_VERBOSE=1
C=$XDG_CACHE_HOME/syswalk

walk() {  # walk NAME [ARGS...]: every demo syscall with --batch; stdout NAME.out, stderr NAME.err
	local name=$1; shift
	timeout 120 "$SYSWALK" --batch --syscall all "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
}

walk booted --no-cache
check_eq "a booted walk (--no-cache) exits 0" 0 $?
check "--no-cache does not create the cache directory" test ! -e "$C"

walk cold
check_eq "the first walk with the cache exits 0" 0 $?
check "it says it saved the state, with its size" grep -qE '^syswalk: saved the machine state at demo_syscall_write .*: [0-9.]+ MB in ' "$TMP/cold.err"
check_eq "one state file in the cache" 1 "$(state_files "$C" | wc -l)"
check "the cache directory is private (0700)" test "$(stat -c %a "$C")" = 700
check "the walk that saved is identical to the booted walk" cmp -s "$TMP/booted.out" "$TMP/cold.out"
state=$(state_files "$C")
inode=$(stat -c %i "$state")

walk warm
check_eq "a walk from the saved state exits 0" 0 $?
check "it was restored" grep -q '^syswalk: restored the machine state ' "$TMP/warm.err"
check "restored and booted walks are identical (every stop, every register, the console)" \
	cmp -s "$TMP/booted.out" "$TMP/warm.out"
check_eq "restoring leaves the state file alone" "$inode" "$(stat -c %i "$state")"

# r: the tool walks write, restarts twice, and prints the three walks.
tree_datadir "$TMP/data"
SYSWALK_DATADIR=$TMP/data "$BUILD/tests/tools/walk_restart" --restarts 2 >"$TMP/r.out" 2>"$TMP/r.err"
check_eq "walk, restart, restart: exits 0" 0 $?
check "the walk started from the saved state" grep -qx 'restored yes' "$TMP/r.out"
walk_part "$TMP/r.out" 1 | drop_console >"$TMP/r1"
walk_part "$TMP/r.out" 2 | drop_console >"$TMP/r2"
walk_part "$TMP/r.out" 3 | drop_console >"$TMP/r3"
check "the walk has stops" test "$(grep -c '^=== stop ' "$TMP/r1")" -gt 5
same_walk "a restart walks the same stops with the same registers" "$TMP/r1" "$TMP/r2"
same_walk "and so does the next one" "$TMP/r1" "$TMP/r3"

# Bad state files: each is noticed, the kernel boots, the walk is right, and a fresh
# state replaces the bad one (the next run restores again).
bad_state() {  # bad_state NAME WHY-PATTERN: run after damaging $state
	walk "$1"
	check_eq "$1: the walk exits 0" 0 $?
	check "$1: one line says why the state was not used" \
		test "$(grep -c "^syswalk: not using the saved machine state .*$2.*booting instead" "$TMP/$1.err")" = 1
	check "$1: the walk is the booted one" cmp -s "$TMP/booted.out" "$TMP/$1.out"
	walk "$1-again"
	check "$1: the next walk restores the fresh state" grep -q '^syswalk: restored the machine state ' "$TMP/$1-again.err"
	check "$1: and is the booted walk too" cmp -s "$TMP/booted.out" "$TMP/$1-again.out"
}
truncate -s -4096 "$state"
bad_state truncated "truncated"
flip_byte "$state" $(( $(stat -c %s "$state") / 2 ))
bad_state corrupt "corrupt"
edit_header "$state" qemu "9.9.9 (elsewhere)"
bad_state other-qemu "saved by QEMU 9.9.9"
edit_header "$state" key "$(printf 'f%.0s' $(seq 64))"
bad_state foreign "another machine"
# A stream whose hash is right but whose content QEMU cannot load: QEMU's own refusal.
damage_stream_keep_hash "$state"
bad_state refused "QEMU exited"
check "the refusal note carries QEMU's own words" grep -q 'Not a migration stream' "$TMP/refused.err"

# Two processes at once on a cold cache: both walk, one good state is left, no temporary.
rm -rf "$C"
walk race1 & p1=$!
walk race2 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check_eq "two cold starts at once both succeed" "0 0" "$r1 $r2"
check "both walks are the booted walk" cmp -s "$TMP/race1.out" "$TMP/booted.out"
check "(the second too)" cmp -s "$TMP/race2.out" "$TMP/booted.out"
check_eq "one state file is left" 1 "$(state_files "$C" | wc -l)"
check_eq "and no temporary file" 0 "$(find "$C" -name '.*' -type f | wc -l)"
walk after-race
check "the state left is good: the next walk restores it" grep -q '^syswalk: restored the machine state ' "$TMP/after-race.err"
check "and walks as booted" cmp -s "$TMP/after-race.out" "$TMP/booted.out"

# Another kernel is another machine: the nopti build gets its own state.
nopti=$BUILD/kernel/syswalk-kernel-nopti.elf
if [ -f "$nopti" ]; then
	walk nopti --kernel "$nopti"
	check "another kernel boots and saves its own state" grep -q '^syswalk: saved the machine state' "$TMP/nopti.err"
	check_eq "two state files now" 2 "$(state_files "$C" | wc -l)"
	cp "$KERNEL" "$TMP/copy.elf"
	walk copy --kernel "$TMP/copy.elf"
	check "the same kernel bytes under another path restore the same state" \
		grep -q '^syswalk: restored the machine state ' "$TMP/copy.err"
fi

# Without $XDG_CACHE_HOME the cache is ~/.cache/syswalk.
mkdir -p "$TMP/home"
(unset XDG_CACHE_HOME; HOME=$TMP/home timeout 120 "$SYSWALK" --batch --syscall getpid >/dev/null 2>"$TMP/home.err")
check "without XDG_CACHE_HOME the state goes to ~/.cache/syswalk" test "$(state_files "$TMP/home/.cache/syswalk" | wc -l)" = 1

# Without the verbose switch a restore says nothing.
SYSWALK_CACHE_VERBOSE= timeout 120 "$SYSWALK" --batch --syscall getpid >/dev/null 2>"$TMP/quiet.err"
check_eq "a restore says nothing about the machine state by default" 0 "$(grep -c 'machine state' "$TMP/quiet.err")"

# A cache directory that cannot be made: one line says so, the kernel boots, all is well.
XDG_CACHE_HOME=/dev/null/nowhere timeout 120 "$SYSWALK" --batch --syscall all >"$TMP/nodir.out" 2>"$TMP/nodir.err"
check_eq "an unusable cache directory: the walk exits 0" 0 $?
check "one line says the cache is not used, and why" \
	test "$(grep -c '^syswalk: machine state cache not used: cannot create /dev/null/nowhere' "$TMP/nodir.err")" = 1
check "and the walk is the booted one" cmp -s "$TMP/booted.out" "$TMP/nodir.out"
