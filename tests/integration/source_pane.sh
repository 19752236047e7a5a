#!/usr/bin/env bash
# source_pane.sh: the source pane on both targets. At entry_SYSCALL_64 the snapshot (and so
# the viewer, the HTML export and --replay) carries the kernel's own source lines around the
# line that ran, found through DWARF's file:line: the teaching kernel's kernel/entry_64.S,
# and for Debian's Linux 6.1 arch/x86/entry/entry_64.S from linux-source-6.1 of the same
# version (scripts/fetch-linux.sh --dbg --source; skipped when Debian's archive cannot be
# reached). On Linux the viewer is also started in tmux at 120x40 and its Source pane read.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "source pane"

# entry_check JSON FILE NEEDLE: stop 1 of JSON is at FILE, the line that ran is swapgs,
# and the lines around it hold NEEDLE (a macro or comment only the source has).
entry_check() {
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["snapshots"][0]
assert s["location"] == "entry_SYSCALL_64", s["location"]
assert s["source_file"] == sys.argv[2], s["source_file"]
text = s["source_text"]
assert text, "no source_text"
lines = text.split("\n")
cur = lines[s["source_line"] - s["source_first"]]
assert cur.strip() == "swapgs", "line %d is %r" % (s["source_line"], cur)
assert sys.argv[3] in text, "%r not in the source lines" % sys.argv[3]
print("ok")
PY
}

check "teach: the write walk exports" "$SYSWALK" --export "$TMP/teach.json" --syscall getpid
check_eq "teach: stop 1 carries kernel/entry_64.S around swapgs, macros and comments included" ok \
	"$(entry_check "$TMP/teach.json" kernel/entry_64.S 'SWITCH_TO_KERNEL_CR3 scratch_reg=%rsp' 2>&1)"
check "teach: the pushes keep their pt_regs comments" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "/* pt_regs->ss */" in d["snapshots"][0]["source_text"]' "$TMP/teach.json"

cache=$("$ROOT/scripts/fetch-linux.sh" --dbg --source 2>"$TMP/fetch.err"); rc=$?
if [ $rc -eq 3 ]; then
	skip "source pane on Linux" "Debian's archive cannot be reached: $(tail -n1 "$TMP/fetch.err")"
	exit 0
elif [ $rc -ne 0 ]; then
	not_ok "fetch the Linux kernel and its source" "$(tail -n1 "$TMP/fetch.err")"
	exit 0
fi
make -C "$ROOT" --no-print-directory linux-initramfs >/dev/null || { not_ok "build the init"; exit 0; }
timeout 180 "$SYSWALK" --target linux --export "$TMP/linux.json" --syscall getpid 2>"$TMP/linux.err"
check_eq "linux: the getpid walk exports" 0 $?
check_eq "linux: stop 1 carries arch/x86/entry/entry_64.S around swapgs, with SYM_CODE_START" ok \
	"$(entry_check "$TMP/linux.json" arch/x86/entry/entry_64.S 'SYM_CODE_START(entry_SYSCALL_64)' 2>&1)"

command -v tmux >/dev/null || { skip "source pane on Linux in tmux" "tmux is not installed"; exit 0; }
UI_CMD="$SYSWALK --target linux --syscall getpid"
source "$ROOT/tests/lib/tmux.sh"
tmux_wrapped 120 40
check "linux 120x40: the viewer reaches entry_SYSCALL_64" tmux_wait_stop 1 1 120 " | entry_SYSCALL_64"
check "linux 120x40: the Source pane names entry_64.S" tmux_wait "── Source" 5
check "linux 120x40: swapgs is the marked source line" bash -c "tmux -L '$TMUX_SOCK' capture-pane -p -t t | grep -qE '▶ +[0-9]+ +swapgs'"
mkdir -p "$BUILD/classroom-screens"
tmux_screen >"$BUILD/classroom-screens/linux-entry-120x40.txt"
tmux_keys q
tmux_wait_file "$TMP/rc" 15 >/dev/null
echo "# Linux at entry_SYSCALL_64, 120x40:"
sed 's/^/#   /' "$BUILD/classroom-screens/linux-entry-120x40.txt"
exit 0
