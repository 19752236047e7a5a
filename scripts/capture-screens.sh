#!/usr/bin/env bash
# capture-screens.sh: regenerate the screen captures in docs/user-guide.md from the real
# program, so the guide never shows a screen syswalk no longer draws.
#
#   scripts/capture-screens.sh [--check] [--size WxH] [-- SYSWALK-ARGS...]
#
# It runs build/syswalk on the live teaching kernel inside a private tmux server, takes
# the pane's text (tmux capture-pane) at the first stop (entry_SYSCALL_64) and at the
# stop on sysretq, and puts each between its markers in the guide:
#
#   <!-- capture:entry -->  ...  <!-- /capture -->
#   <!-- capture:sysretq --> ... <!-- /capture -->
#
# --check writes nothing: it exits 1 and shows the difference when the guide is stale.
# SYSWALK-ARGS go to syswalk (for example --annotations DIR while notes are drafted).
# Needs: make all, tmux, a UTF-8 locale (C.UTF-8 is used).
set -euo pipefail
cd "$(dirname "$0")/.."
guide=${SYSWALK_GUIDE:-docs/user-guide.md}
syswalk=build/syswalk
size=110x34          # the smallest terminal that shows every pane at once
check=0
args=()
while [ $# -gt 0 ]; do
	case $1 in
		--check) check=1 ;;
		--size) size=$2; shift ;;
		--) shift; args=("$@"); break ;;
		*) echo "capture-screens: unknown argument '$1' (see the comment at the top)" >&2; exit 2 ;;
	esac
	shift
done
die() { echo "capture-screens: $*" >&2; exit 1; }
[ -x "$syswalk" ] || die "$syswalk is not built (make all)"
command -v tmux >/dev/null || die "tmux is not installed"
[[ $size =~ ^([0-9]+)x([0-9]+)$ ]] || die "--size wants WxH, got '$size'"
width=${BASH_REMATCH[1]} height=${BASH_REMATCH[2]}

work=$(mktemp -d "${TMPDIR:-/tmp}/syswalk-capture.XXXXXX")
sock=syswalk-capture-$$
cleanup() { tmux -L "$sock" kill-server >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# The same screen for everyone: UTF-8 line drawing, no colour codes (capture-pane -p
# drops them anyway), a fixed size.
export LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=1
printf -v cmd '%q ' "$PWD/$syswalk" "${args[@]}"
tmux -L "$sock" -f /dev/null new-session -d -s cap -x "$width" -y "$height" \
	"$cmd; rc=\$?; echo; echo \"syswalk exited with status \$rc\"; sleep 600"
tmux -L "$sock" set-option -g window-size manual >/dev/null 2>&1 || true

screen() { tmux -L "$sock" capture-pane -p -t cap | sed 's/[[:space:]]*$//'; }
status_stop() { screen | grep -oE 'stop [0-9]+ of (≥)?[0-9]+' | tail -1 | awk '{print $2}'; }
wait_for() {  # wait_for SECONDS PREDICATE...: poll the screen until PREDICATE holds
	local end=$((SECONDS + $1)); shift
	while [ $SECONDS -le $end ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}
has_stop() { [ -n "$(status_stop)" ] && ! screen | grep -q 'running:'; }
exited() { screen | grep -q 'syswalk exited with status'; }
fail_with_screen() { echo "--- the screen:" >&2; screen | sed '/^$/d' >&2; die "$1"; }

stop_or_exit() { exited || has_stop; }
wait_for 120 stop_or_exit || fail_with_screen "the viewer never showed its first stop"
exited && fail_with_screen "syswalk exited before its first stop (its message is above)"
screen >"$work/entry"

# "n" until the current instruction (the ▶ line of the disassembly) is sysretq.
at_sysretq() { screen | grep -E '(▶|^> |│> )' | grep -q 'sysretq'; }
for _ in $(seq 60); do
	at_sysretq && break
	before=$(status_stop)
	tmux -L "$sock" send-keys -t cap n
	moved() { local now; now=$(status_stop); [ -n "$now" ] && [ "$now" != "$before" ] && ! screen | grep -q 'running:'; }
	wait_for 60 moved || fail_with_screen "n did not reach another stop after stop $before"
done
at_sysretq || fail_with_screen "60 presses of n never reached sysretq"
screen >"$work/sysretq"
tmux -L "$sock" send-keys -t cap q

# Put each capture between its markers; everything else in the guide stays as it is.
awk -v dir="$work" '
	/^<!-- capture:[a-z]+ -->$/ {
		print; name = $0; sub(/^<!-- capture:/, "", name); sub(/ -->$/, "", name)
		file = dir "/" name
		if ((getline line < file) <= 0) { print "capture-screens: no capture named " name > "/dev/stderr"; exit 3 }
		print "```text"; print line
		while ((getline line < file) > 0) print line
		print "```"
		skipping = 1; next
	}
	/^<!-- \/capture -->$/ { skipping = 0 }
	!skipping { print }
' "$guide" >"$work/guide.md"
if [ "$check" = 1 ]; then
	if diff -u "$guide" "$work/guide.md"; then
		echo "capture-screens: $guide is up to date"
	else
		die "$guide is stale: run scripts/capture-screens.sh"
	fi
else
	cp "$work/guide.md" "$guide"
	echo "capture-screens: updated the captures in $guide"
fi
