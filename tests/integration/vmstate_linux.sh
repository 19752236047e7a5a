#!/usr/bin/env bash
# vmstate_linux.sh: the machine-state cache on Debian's Linux 6.1 (viewer/vmstate.c).
# The walk that booted the kernel and saved its state, a walk restored from that state,
# and restarts (r) of both walk the same stops with the same registers, console
# included, except one thing Linux does on purpose: it moves the kernel stack by a
# random offset at every syscall (RANDOMIZE_KSTACK_OFFSET), drawn from the TSC, which
# runs on with the host's clock; so RSP below the pt_regs frame may differ
# (drop_kstack_offset). Two boots differ more than that (the user stack is placed at
# random): the comparison is with the boot that saved the state.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/vmstate.sh"
tmpdir
export XDG_CACHE_HOME=$TMP/cache SYSWALK_CACHE_VERBOSE=1

linux_kernel "linux machine state" || exit 0
tree_datadir "$TMP/data"
export SYSWALK_DATADIR=$TMP/data

for sc in getpid int80; do
	timeout 300 "$BUILD/tests/tools/walk_restart" --target linux --syscall $sc --restarts 1 \
		>"$TMP/cold-$sc.out" 2>"$TMP/cold-$sc.err"
	check_eq "$sc: the first walk (boot, save, walk, restart) exits 0" 0 $?
	timeout 300 "$BUILD/tests/tools/walk_restart" --target linux --syscall $sc --restarts 1 \
		>"$TMP/warm-$sc.out" 2>"$TMP/warm-$sc.err"
	check_eq "$sc: the second (restore, walk, restart) exits 0" 0 $?
	check "$sc: the second started from the saved state" grep -qx 'restored yes' "$TMP/warm-$sc.out"
	for part in cold:1 cold:2 warm:1 warm:2; do
		walk_part "$TMP/${part%:*}-$sc.out" "${part#*:}" | drop_kstack_offset >"$TMP/$sc-${part/:/}"
	done
	check "$sc: the walk has stops" test "$(grep -c '^=== stop ' "$TMP/$sc-cold1")" -gt 3
	same_until_interrupts "$sc: restored walk = booted walk, console included" "$TMP/$sc-cold1" "$TMP/$sc-warm1"
	drop_console <"$TMP/$sc-cold1" >"$TMP/$sc-cold1.noconsole"
	drop_console <"$TMP/$sc-cold2" >"$TMP/$sc-cold2.noconsole"
	same_until_interrupts "$sc: a restart = the booted walk (but the boot log)" "$TMP/$sc-cold1.noconsole" "$TMP/$sc-cold2.noconsole"
	same_until_interrupts "$sc: a restart of the restored walk too" "$TMP/$sc-cold2" "$TMP/$sc-warm2"
done
check "the first walk saved the state" grep -q '^syswalk: saved the machine state at init_syscall_write' "$TMP/cold-getpid.err"
check_eq "one state for the Linux machine" 1 "$(state_files "$XDG_CACHE_HOME/syswalk" | wc -l)"
