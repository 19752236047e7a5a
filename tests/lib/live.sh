# tests/lib/live.sh: what the live tests (real QEMU, real viewer) share. Source it after
# common.sh and tmpdir.
#
#   live_require NAME    skip the whole test (exit 0) when syswalk, the teaching kernel,
#                        QEMU or python3 is missing
#   ANN                  the annotation directory in use; ANN_ARGS the options that select
#                        it (empty when it is the default annotations/teach)
#   note_title ANCHOR    the title of ANCHOR's note, read from the Markdown in $ANN
#   json_py FILE EXPR    print the Python expression EXPR evaluated with d = the JSON FILE
#   live_pids_of PPID    the pids of PPID's children (QEMU is syswalk's child)
#   wait_gone PID [S]    wait up to S seconds (default 10) until PID has exited
#
# annotations/teach/ is the target's own prose. While it does not exist yet (it is written
# in parallel), the tests run on a minimal set of notes written here, one per stop of the
# walk, so that what they check (stops, values, keys) does not depend on the prose.
# LIVE_ANN=minimal forces that set (to tell a broken annotations/teach from a viewer bug).

live_require() {
	local what=$1
	[ -x "$SYSWALK" ] || { skip "$what" "no $SYSWALK (make all)"; exit 0; }
	[ -f "$KERNEL" ] || { skip "$what" "no $KERNEL (make all)"; exit 0; }
	command -v "$QEMU" >/dev/null || { skip "$what" "$QEMU is not installed"; exit 0; }
	command -v python3 >/dev/null || { skip "$what" "python3 is not installed"; exit 0; }
}

if [ -d "$ROOT/annotations/teach" ] && [ "${LIVE_ANN:-}" != minimal ]; then
	ANN=$ROOT/annotations/teach
	ANN_ARGS=()
else
	ANN=$TMP/ann
	ANN_ARGS=(--annotations "$ANN")
	mkdir -p "$ANN"
	cat >"$ANN/10-walk.md" <<-'MD'
	# Minimal notes for the live tests (annotations/teach/ does not exist yet)

	## entry_SYSCALL_64 — Entry
	show: rcx r11

	SYSCALL brought us here.

	## entry_SYSCALL_64_after_hwframe — after hw frame

	hw frame.

	## do_syscall_64 — C

	into C.

	## entry_SYSCALL_64/sysretq — sysretq

	back.

	## swapgs_restore_regs_and_return_to_usermode/iretq — iretq

	back via iret.

	## entry_INT80_compat — int80

	int80.
	MD
fi

note_title() {
	# "## ANCHOR — Title" (or " -- ", " - "); without a title the anchor is the title
	awk -v a="$1" '
		$1 == "##" && $2 == a {
			t = $0
			if (match(t, / (—|--|-) /)) print substr(t, RSTART + RLENGTH); else print a
			exit
		}' "$ANN"/*.md
}

json_py() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

live_pids_of() { pgrep -P "$1" 2>/dev/null || true; }

wait_gone() {
	local pid=$1 limit=${2:-10} end
	end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# reg_hex FILE STOP NAME: register NAME at snapshot STOP (0-based) of the JSON trace FILE,
# as the viewer prints it (16 hex digits)
reg_hex() {
	json_py "$1" "format(int(next(r['value'] for r in d['snapshots'][$2]['regs'] if r['name'] == '$3'), 16), '016x')"
}

# status_line: the viewer's status line (the pane's last non-empty line)
status_line() { tmux_screen | awk 'NF { l = $0 } END { print l }'; }

# screen_reg NAME: the value the Registers pane shows for NAME (16 hex digits)
screen_reg() { tmux_screen | grep -oE "(^|[ │])$1 +[0-9a-f]{16}" | head -1 | grep -oE '[0-9a-f]{16}$'; }

# highlight_matches SCREEN_E JSON STOP: SCREEN_E is `capture-pane -e` of the stop STOP
# (0-based) of the trace JSON. Checks that among the general registers exactly those the
# trace marks changed are drawn with a highlight attribute (bold, reverse, underline or a
# colour), and that at least one is. Prints what differs; exit 1 then.
highlight_matches() {
	python3 - "$@" <<-'PY'
	import json, re, sys
	screen = open(sys.argv[1], encoding="utf-8", errors="replace").read()
	snap = json.load(open(sys.argv[2]))["snapshots"][int(sys.argv[3])]
	general = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10",
	           "r11", "r12", "r13", "r14", "r15", "rip"]
	sgr = r"(?:\x1b\[[0-9;]*m)*"
	plain = {"", "0", "22", "23", "24", "27", "39", "49"}
	shown, want = set(), set()
	for r in snap["regs"]:
	    if r["name"] not in general:
	        continue
	    if r["changed"]:
	        want.add(r["name"])
	    m = re.search(r"(?:^|[ \u2502])" + sgr + re.escape(r["name"]) + r" *" + sgr + r" +(" + sgr + r")([0-9a-f]{16})",
	                  screen, re.M)
	    if not m:
	        print(f"register {r['name']} not found on screen"); sys.exit(1)
	    params = set(p for seq in re.findall(r"\x1b\[([0-9;]*)m", m.group(1)) for p in seq.split(";"))
	    if params - plain:
	        shown.add(r["name"])
	if not want:
	    print("the trace marks no general register changed at this stop"); sys.exit(1)
	if shown != want:
	    print(f"highlighted {sorted(shown)}, changed per the trace {sorted(want)}"); sys.exit(1)
	print(f"highlighted: {' '.join(sorted(shown))}")
	PY
}

# wait_status_change OLD [S]: wait up to S seconds (default 30) until the status line
# differs from OLD
wait_status_change() {
	local old=$1 limit=${2:-30} end
	end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		[ "$(status_line)" != "$old" ] && return 0
		sleep 0.05
	done
	return 1
}
