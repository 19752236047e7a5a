#!/usr/bin/env bash
# capture_screens.sh: scripts/capture-screens.sh really captures the live viewer at
# entry_SYSCALL_64 and at sysretq, puts each capture between its markers and leaves the
# rest of the guide untouched; --check tells a stale guide from a current one.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
command -v tmux >/dev/null || { skip "screen captures" "tmux is not installed"; exit 0; }
[ -x "$SYSWALK" ] && [ -f "$KERNEL" ] || { skip "screen captures" "build first (make all)"; exit 0; }

# Our own notes, so the test does not depend on the teaching notes of the day.
mkdir -p "$TMP/notes"
cat >"$TMP/notes/10.md" <<'EOF'
## entry_SYSCALL_64 — First stop of the capture test

Prose of the first stop.

## entry_SYSRETQ_unsafe_stack/sysretq — Last stop of the capture test

Prose of the last stop.
EOF
cat >"$TMP/guide.md" <<'EOF'
# A guide

Text before.

<!-- capture:entry -->
stale text
<!-- /capture -->

Text between.

<!-- capture:sysretq -->
<!-- /capture -->

Text after.
EOF
cp "$TMP/guide.md" "$TMP/guide.orig"
export SYSWALK_GUIDE=$TMP/guide.md

timeout 300 "$ROOT/scripts/capture-screens.sh" --check -- --annotations "$TMP/notes" >"$TMP/check1.log" 2>&1
check_eq "--check on a stale guide exits 1" 1 $?
check "--check leaves the stale guide as it was" cmp -s "$TMP/guide.md" "$TMP/guide.orig"

timeout 300 "$ROOT/scripts/capture-screens.sh" -- --annotations "$TMP/notes" >"$TMP/run.log" 2>&1
check_eq "capture-screens exits 0" 0 $?
entry=$(sed -n '/^<!-- capture:entry -->$/,/^<!-- \/capture -->$/p' "$TMP/guide.md")
sysret=$(sed -n '/^<!-- capture:sysretq -->$/,/^<!-- \/capture -->$/p' "$TMP/guide.md")
check "the entry capture is the live first stop" grep -qE '▶ ffffffff[0-9a-f]+  swapgs' <<<"$entry"
check "the entry capture shows its note" grep -qF 'First stop of the capture test' <<<"$entry"
check "the entry capture shows the status line" grep -qE 'stop 1 of (≥)?1' <<<"$entry"
check "the sysretq capture is on sysretq" grep -qE '▶ ffffffff[0-9a-f]+  sysretq' <<<"$sysret"
check "the sysretq capture shows its note" grep -qF 'Last stop of the capture test' <<<"$sysret"
check "the stale text is gone" bash -c "! grep -q 'stale text' '$TMP/guide.md'"
check_eq "each capture is a fenced text block" 2 "$(grep -c '^```text$' "$TMP/guide.md")"
rest=$(sed '/^<!-- capture:[a-z]* -->$/,/^<!-- \/capture -->$/d' "$TMP/guide.md")
want=$(sed '/^<!-- capture:[a-z]* -->$/,/^<!-- \/capture -->$/d' "$TMP/guide.orig")
check_eq "the text around the captures is unchanged" "$want" "$rest"
check "no line ends in spaces" bash -c "! grep -q ' \$' '$TMP/guide.md'"

timeout 300 "$ROOT/scripts/capture-screens.sh" --check -- --annotations "$TMP/notes" >"$TMP/check2.log" 2>&1
check_eq "--check on a fresh guide exits 0 (the captures are deterministic)" 0 $?
exit 0
