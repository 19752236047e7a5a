# tests/lib/tmux.sh: drive a full-screen program in a private tmux server (source after
# common.sh). Every server uses its own socket name (-L), so a test never touches the
# user's tmux, and it is killed at exit.
#
#   UI_CMD               the viewer command to test (default: the fixture); a test for the
#                        real walk sets UI_CMD="$SYSWALK" before sourcing this file
#   tmux_start W H CMD   start CMD in a detached session of W x H
#   tmux_wrapped W H     start UI_CMD inside a wrapper that records, in $TMP, `stty -g`
#                        before and after (stty.before, stty.after), the viewer's pid
#                        (pid) and its exit status (rc)
#   tmux_keys KEY...     tmux send-keys
#   tmux_screen          the pane's text
#   tmux_wait TEXT [S]   wait up to S seconds (default 10) until the pane shows TEXT
#   tmux_wait_file F [S] wait until file F exists and is not empty
#   tmux_has_colour      true when the pane shows a foreground/background colour (SGR 30-47)
UI_CMD=${UI_CMD:-$BUILD/tests/tools/ui_fixture}
TMUX_SOCK=syswalk-test-$$
_tmux_n=0

tmux_t() { tmux -L "$TMUX_SOCK" "$@"; }

tmux_start() {
	local w=$1 h=$2; shift 2
	# a fresh server each time: reusing a socket just killed races with its shutdown
	_tmux_n=$((_tmux_n + 1))
	TMUX_SOCK=syswalk-test-$$-$_tmux_n
	on_exit "tmux -L '$TMUX_SOCK' kill-server"
	tmux_t -f /dev/null new-session -d -s t -x "$w" -y "$h" "$@"
	# a fixed size that the tests can change with resize-window
	tmux_t set-option -g window-size manual >/dev/null 2>&1 || true
}

tmux_wrapped() {
	local w=$1 h=$2 wrap=$TMP/wrap.sh q
	q=$(printf '%q ' $UI_CMD)
	cat >"$wrap" <<-WRAP
	#!/usr/bin/env bash
	stty -g >'$TMP/stty.before'
	sh -c 'echo \$\$ >"$TMP/pid.tmp" && mv "$TMP/pid.tmp" "$TMP/pid" && exec "\$@"' sh $q
	echo \$? >'$TMP/rc.tmp'
	stty -g >'$TMP/stty.after'
	mv '$TMP/rc.tmp' '$TMP/rc'
	echo "wrapper: viewer exited"
	sleep 600
	WRAP
	chmod +x "$wrap"
	rm -f "$TMP/rc" "$TMP/pid" "$TMP/stty.before" "$TMP/stty.after"
	tmux_start "$w" "$h" "$wrap"
	tmux_wait_file "$TMP/pid" 10
}

tmux_keys() { tmux_t send-keys -t t "$@"; }
tmux_screen() { tmux_t capture-pane -p -t t; }

tmux_wait() {
	local text=$1 limit=${2:-10} end
	end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		tmux_screen 2>/dev/null | grep -qF -- "$text" && return 0
		sleep 0.1
	done
	return 1
}

tmux_wait_file() {
	local f=$1 limit=${2:-10} end
	end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		[ -s "$f" ] && return 0
		sleep 0.1
	done
	return 1
}

tmux_has_colour() {
	tmux_t capture-pane -p -e -t t | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7])(;[0-9;]*)?m'
}

# tmux_wait_stop N M [S] [REST]: wait until the status line says "stop N of M", or "of ≥M"
# (">=M" without UTF-8) while a live walk's first pass can still grow; REST (fixed text)
# must follow it.
tmux_wait_stop() {
	local n=$1 m=$2 limit=${3:-10} rest=${4:-} end
	end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		tmux_screen 2>/dev/null | tail -n 1 | grep -qF -e "stop $n of $m$rest" -e "stop $n of ≥$m$rest" -e "stop $n of >=$m$rest" && return 0
		sleep 0.1
	done
	return 1
}
