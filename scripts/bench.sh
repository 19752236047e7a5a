#!/usr/bin/env bash
# scripts/bench.sh: `make bench` — syswalk's speed measured side by side with the raw
# protocol floor and with gdb, on the teaching kernel under QEMU/TCG (docs/performance.md).
#
# The machine is shared and noisy, so: every figure is the median of BENCH_RUNS runs
# (default 5); every ratio is computed inside one round, where the contenders ran back
# to back on fresh QEMUs started with the same command line, and the median of those
# ratios is printed; instruction counts (callgrind) are given where a regression must
# show as a number. Each figure is printed with the command that produced it. Nothing
# here passes or fails on timing: the targets are reported as met or not met.
#
# Needs: make all bench-build (make bench does it), gdb, valgrind, tmux, /usr/bin/time.
# Environment: BENCH_SECTIONS (default "1 2 3 4 5 6"), BENCH_RUNS, BENCH_ANNOTATIONS (default annotations/teach when it holds
# notes that all resolve, else tests/bench/annotations), QEMU, BENCH_OUT (default build/bench/latest.txt).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=$ROOT/build
B=$BUILD/bench
QEMU=${QEMU:-qemu-system-x86_64}
KERNEL=$BUILD/kernel/syswalk-kernel.elf
SYSWALK=$BUILD/syswalk
RUNS=${BENCH_RUNS:-5}
SECTIONS=" ${BENCH_SECTIONS:-1 2 3 4 5 6} "
want() { [[ $SECTIONS == *" $1 "* ]]; }
OUT=${BENCH_OUT:-$B/latest.txt}
if [ -n "${BENCH_ANNOTATIONS:-}" ]; then
	ANN=$BENCH_ANNOTATIONS
elif ls annotations/teach/*.md >/dev/null 2>&1 &&
     build/syswalk --check-annotations annotations/teach >/dev/null 2>&1; then
	ANN=annotations/teach
else
	ANN=tests/bench/annotations
fi

RESTART=$BUILD/tests/tools/walk_restart
for f in "$KERNEL" "$SYSWALK" "$B/bench_walk" "$B/bench_codec" "$B/rsp_floor" "$RESTART"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "bench: $f is missing (make all bench-build)" >&2; exit 1; }
done
for tool in "$QEMU" gdb valgrind tmux /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/syswalk-bench.XXXXXX")
chmod 700 "$TMP"
# Sections 2 and 4 boot (--no-cache), as their figures always did; section 6 measures the
# machine-state cache in directories of its own. The user's own cache is never touched.
export XDG_CACHE_HOME=$TMP/cache
PIDS=()
TMUX_SOCK=syswalk-bench-$$
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE   # a reader that went away (| head) must not leave QEMU or tmux behind

exec > >(tee "$OUT") 2>&1

sym() { printf '0x%s' "$(nm "$KERNEL" | awk -v s="$1" '$3 == s { print $1; exit }')"; }
ENTRY=$(sym entry_SYSCALL_64)
# median: of the numbers on stdin, one a line.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }'; }
val() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# The QEMU command line with the parts that differ by design made equal: the private
# socket directory and how the binary and the kernel were spelled.
norm_argv() {
	sed -e 's|^qemu_argv ||' -e 's|path=[^,]*/gdb.sock|path=DIR/gdb.sock|' \
	    -e "s|^[^ ]*qemu-system-x86_64|qemu-system-x86_64|" -e "s| [^ ]*syswalk-kernel.elf| KERNEL|"
}

# boot_qemu DIR: QEMU as viewer/qemu.c starts it (same arguments, no shell between),
# its gdbstub on DIR/gdb.sock; sets QPID.
boot_qemu() {
	local dir=$1 i
	mkdir -m 700 "$dir"
	"$QEMU" -S -no-reboot -nodefaults -display none -monitor none -accel tcg -m 64M \
		-chardev "socket,path=$dir/gdb.sock,server=on,wait=off,id=gdb0" -gdb chardev:gdb0 \
		-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$KERNEL" \
		</dev/null >/dev/null 2>"$dir/qemu.err" &
	QPID=$!
	PIDS+=("$QPID")
	for i in $(seq 300); do [ -S "$dir/gdb.sock" ] && return 0; sleep 0.01; done
	echo "bench: QEMU did not open its gdbstub: $(cat "$dir/qemu.err")" >&2
	return 1
}

# gdb_walk N FRAME: gdb -batch over a fresh QEMU, stepi + info registers + x/21gx of the
# frame at every step from entry_SYSCALL_64 (write) until ring 3. gdb stops a script at
# the first error, so the frame is examined only while the kernel page table is loaded
# (CR3 bit 12 clear): gdb is spared the reads the floor makes and fails.
gdb_walk() {
	local n=$1 frame=$2 dir=$TMP/gdb$1
	boot_qemu "$dir" || return 1
	tr '\0' ' ' </proc/"$QPID"/cmdline | sed 's/^/qemu_argv /;s/ $//' >"$dir/argv"
	cat >"$dir/walk.gdb" <<-GDB
	set pagination off
	set confirm off
	file $KERNEL
	target remote $dir/gdb.sock
	hbreak *$ENTRY
	condition 1 \$rax == 1
	continue
	delete
	shell date +%s%N >$dir/t0
	set \$steps = 0
	while ((\$cs & 3) == 0)
	  stepi
	  info registers
	  if ((\$cr3 & 0x1000) == 0)
	    x/21gx $frame
	  end
	  set \$steps = \$steps + 1
	end
	shell date +%s%N >$dir/t1
	printf "gdb_steps %d\n", \$steps
	GDB
	timeout -k 5 300 gdb -batch -nx -x "$dir/walk.gdb" </dev/null >"$dir/out" 2>&1
	kill "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null
	local steps t0 t1
	steps=$(awk '$1 == "gdb_steps" { print $2 }' "$dir/out")
	t0=$(cat "$dir/t0" 2>/dev/null); t1=$(cat "$dir/t1" 2>/dev/null)
	if [ -z "$steps" ] || [ -z "$t0" ] || [ -z "$t1" ]; then
		echo "bench: the gdb run failed: $(tail -3 "$dir/out")" >&2
		return 1
	fi
	echo "steps $steps"
	echo "us_per_step $(calc "($t1 - $t0) / 1000 / $steps" 1)"
}

echo "syswalk benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null)"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tools: $("$QEMU" --version | head -1); $(gdb --version | head -1); $(valgrind --version); kernel $(uname -r)"
echo "annotations: $ANN ($(grep -h '^## ' "$ANN"/*.md | wc -l) anchors); $RUNS runs per figure; median [min..max]"
echo

# ---- 1. per-step cost of a full stepi walk of write ------------------------------------
if want 1; then
echo "== 1. stepi over write: entry_SYSCALL_64 to the user instruction after sysretq, full snapshot per stop"
echo "   syswalk: $B/bench_walk stepi $ROOT $ANN"
echo "   floor:   $B/rsp_floor $QEMU $KERNEL walk $ENTRY FRAME   (vCont;s + g + m FRAME,a8 per step)"
echo "   gdb:     gdb -batch -nx -x walk.gdb   (stepi; info registers; x/21gx FRAME, in a while loop)"
: >"$TMP/sw.us"; : >"$TMP/fl.us"; : >"$TMP/gdb.us"; : >"$TMP/r1"; : >"$TMP/r2"
same_argv=yes
same_steps=yes
for r in $(seq "$RUNS"); do
	"$B/bench_walk" stepi "$ROOT" "$ANN" >"$TMP/sw$r" 2>&1 || { echo "bench: $(tail -2 "$TMP/sw$r")"; exit 1; }
	FRAME=$(val frame "$TMP/sw$r")
	"$B/rsp_floor" "$QEMU" "$KERNEL" walk "$ENTRY" "$FRAME" >"$TMP/fl$r" 2>&1 || { echo "bench: $(tail -2 "$TMP/fl$r")"; exit 1; }
	gdb_walk "$r" "$FRAME" >"$TMP/gd$r" || exit 1
	sw=$(val us_per_step "$TMP/sw$r"); fl=$(val us_per_step "$TMP/fl$r"); gd=$(val us_per_step "$TMP/gd$r")
	echo "$sw" >>"$TMP/sw.us"; echo "$fl" >>"$TMP/fl.us"; echo "$gd" >>"$TMP/gdb.us"
	calc "$sw / $fl" 3 >>"$TMP/r1"; echo >>"$TMP/r1"
	calc "$gd / $sw" 2 >>"$TMP/r2"; echo >>"$TMP/r2"
	a=$(grep qemu_argv "$TMP/sw$r" | norm_argv); b=$(grep qemu_argv "$TMP/fl$r" | norm_argv)
	c=$(norm_argv <"$TMP/gdb$r/argv")
	[ "$a" = "$b" ] && [ "$a" = "$c" ] || same_argv="NO: syswalk '$a' / floor '$b' / gdb '$c'"
	steps="$(val steps "$TMP/sw$r") $(val steps "$TMP/fl$r") $(val steps "$TMP/gd$r")"
	[ "$(echo "$steps" | tr ' ' '\n' | sort -u | wc -l)" = 1 ] || same_steps="NO: $steps in round $r"
	echo "   round $r: syswalk $sw us/step, floor $fl, gdb $gd (steps: $(val steps "$TMP/sw$r") / $(val steps "$TMP/fl$r") / $(val steps "$TMP/gd$r"); load $(cut -d' ' -f1 /proc/loadavg))"
done
SW=$(median <"$TMP/sw.us"); FL=$(median <"$TMP/fl.us"); GD=$(median <"$TMP/gdb.us")
R1=$(grep . "$TMP/r1" | median); R2=$(grep . "$TMP/r2" | median)
echo "   same QEMU command line for all three: $same_argv; same number of steps: $same_steps"
echo "   QEMU: $(grep qemu_argv "$TMP/sw1" | norm_argv)"
echo "   syswalk  $SW us/step [$(spread <"$TMP/sw.us")], $(val requests_per_step "$TMP/sw1") round trips/step"
echo "   floor    $FL us/step [$(spread <"$TMP/fl.us")], $(val requests_per_step "$TMP/fl1") round trips/step ($(val frame_unreadable "$TMP/fl1") frame reads refused under the user CR3)"
echo "   gdb      $GD us/step [$(spread <"$TMP/gdb.us")]"
R1_OK=$(awk -v r="$R1" 'BEGIN { print (r <= 1.2) ? "met" : "NOT met" }')
R2_OK=$(awk -v r="$R2" 'BEGIN { print (r >= 5) ? "met" : "NOT met" }')
echo "   ratio syswalk/floor $R1 [$(grep . "$TMP/r1" | spread)] (target <= 1.2: $R1_OK)"
echo "   ratio gdb/syswalk   $R2 [$(grep . "$TMP/r2" | spread)] (target >= 5: $R2_OK)"
for r in $(seq "$RUNS"); do val cpu_us_per_step "$TMP/sw$r"; done >"$TMP/sw.cpu"
for r in $(seq "$RUNS"); do val cpu_us_per_step "$TMP/fl$r"; done >"$TMP/fl.cpu"
for r in $(seq "$RUNS"); do val disasm_window_us_per_step "$TMP/sw$r"; done >"$TMP/sw.dis"
echo "   CPU per step (getrusage user+sys): syswalk $(median <"$TMP/sw.cpu") us [$(spread <"$TMP/sw.cpu")], floor $(median <"$TMP/fl.cpu") us [$(spread <"$TMP/fl.cpu")];"
echo "     of syswalk's, disasm_window alone $(median <"$TMP/sw.dis") us [$(spread <"$TMP/sw.dis")] (every stop's window decoded again from the byte cache)"
echo "   syswalk's steps by round trips (run 1):"
sed -n 's/^rt_group /     /p' "$TMP/sw1"
echo "     MSR injections $(val msr_injections "$TMP/sw1"), page-walk reads $(val phys_reads "$TMP/sw1"), disasm cache $(val disasm_hits "$TMP/sw1") hits / $(val disasm_misses "$TMP/sw1") misses"
echo

fi
# ---- 2. cold start ---------------------------------------------------------------------
if want 2; then
echo "== 2. cold start to the first stop (write at entry_SYSCALL_64)"
echo "   syswalk: $B/bench_walk cold $ROOT $ANN   (main() to walk_open + walk_start done)"
echo "   QEMU:    $B/rsp_floor $QEMU $KERNEL cold $ENTRY   (launch QEMU, Z1 + c until RAX == 1)"
echo "   exec:    $SYSWALK --version   (process start: exec, dynamic linking of the same libraries)"
: >"$TMP/c_sw"; : >"$TMP/c_fl"; : >"$TMP/c_diff"; : >"$TMP/c_exec"; : >"$TMP/c_open"
# Cold starts are cheap and noisier than the rest: three times as many runs.
for r in $(seq $((RUNS * 3))); do
	"$B/bench_walk" cold "$ROOT" "$ANN" >"$TMP/cs$r" 2>&1 || { echo "bench: $(tail -2 "$TMP/cs$r")"; exit 1; }
	"$B/rsp_floor" "$QEMU" "$KERNEL" cold "$ENTRY" >"$TMP/cf$r" 2>&1 || { echo "bench: $(tail -2 "$TMP/cf$r")"; exit 1; }
	t0=$EPOCHREALTIME; "$SYSWALK" --version >/dev/null; t1=$EPOCHREALTIME
	x=$(calc "($t1 - $t0) * 1000" 2)
	s=$(val ms_first_stop "$TMP/cs$r"); f=$(val ms_to_entry "$TMP/cf$r")
	echo "$s" >>"$TMP/c_sw"; echo "$f" >>"$TMP/c_fl"; echo "$x" >>"$TMP/c_exec"
	val ms_open "$TMP/cs$r" >>"$TMP/c_open"
	calc "$s + $x - $f" 2 >>"$TMP/c_diff"; echo >>"$TMP/c_diff"
done
# The real viewer, to its first screen: launched into a tmux server that is already
# running, the pane polled every 5 ms until the status line says "stop 1 of".
# The same measurement of a command that prints that text at once is the baseline:
# what tmux and the polling cost by themselves.
tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -s idle -x 160 -y 50 "sleep 600"
on_screen() {  # on_screen SESSION CMD: ms from launching CMD until "| stop 1 of" shows
	local t0 t1 i
	t0=$EPOCHREALTIME
	tmux -L "$TMUX_SOCK" new-session -d -s "$1" -x 160 -y 50 "$2"
	for i in $(seq 2000); do
		tmux -L "$TMUX_SOCK" capture-pane -p -t "$1" 2>/dev/null | grep -q "| stop 1 of" && break
		sleep 0.005
	done
	t1=$EPOCHREALTIME
	tmux -L "$TMUX_SOCK" send-keys -t "$1" q
	calc "($t1 - $t0) * 1000" 1; echo
	sleep 0.2
	tmux -L "$TMUX_SOCK" kill-session -t "$1" 2>/dev/null
}
: >"$TMP/c_ui"; : >"$TMP/c_tmux"
for r in $(seq "$RUNS"); do
	on_screen v$r "exec $SYSWALK --no-cache --annotations $ANN" >>"$TMP/c_ui"
	on_screen e$r "echo '| stop 1 of'; exec sleep 60" >>"$TMP/c_tmux"
done
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
CD=$(grep . "$TMP/c_diff" | median)
CD_OK=$(awk -v d="$CD" 'BEGIN { print (d < 50) ? "met" : "NOT met" }')
echo "   syswalk first stop $(median <"$TMP/c_sw") ms [$(spread <"$TMP/c_sw")] (of which walk_open $(median <"$TMP/c_open") ms: symbols, DWARF, notes, QEMU start, handshake; $(val requests_open "$TMP/cs1")+$(val requests_start "$TMP/cs1") round trips)"
echo "   before QEMU starts (warm, run 1): $(sed -n 's/^ms_load //p' "$TMP/cs1") ms"
echo "   process start      $(median <"$TMP/c_exec") ms [$(spread <"$TMP/c_exec")]"
echo "   QEMU alone         $(median <"$TMP/c_fl") ms [$(spread <"$TMP/c_fl")] ($(val requests_to_entry "$TMP/cf1") round trips)"
echo "   viewer on screen   $(grep . "$TMP/c_ui" | median) ms [$(grep . "$TMP/c_ui" | spread)] (tmux: $SYSWALK --no-cache --annotations $ANN until the status line shows stop 1)"
echo "     tmux baseline    $(grep . "$TMP/c_tmux" | median) ms [$(grep . "$TMP/c_tmux" | spread)] (the same for a command that prints that line at once)"
echo "   syswalk adds       $CD ms [$(grep . "$TMP/c_diff" | spread)] (first stop + process start - QEMU alone; target < 50 ms: $CD_OK)"
echo

fi
# ---- 3. next across every demo syscall ---------------------------------------------------
if want 3; then
echo "== 3. next across the whole walk of each demo syscall (round trips are exact counts)"
echo "   $B/bench_walk next $ROOT $ANN"
"$B/bench_walk" next "$ROOT" "$ANN" >"$TMP/next" 2>&1 || { echo "bench: $(tail -2 "$TMP/next")"; exit 1; }
echo "   first stop (write): $(val requests_start "$TMP/next") round trips after the handshake's $(val requests_open "$TMP/next")"
grep -E '^(next|run_to) ' "$TMP/next" | sed 's/^/   /'
echo

fi
# ---- 4. export and memory ------------------------------------------------------------------
if want 4; then
echo "== 4. export of all demo syscalls, and the viewer's memory"
# /usr/bin/time's %M is the largest RSS among the process and the children it reaped:
# with syswalk's own QEMU that is QEMU's. So each export runs twice: as a user runs it
# (wall time; %M = QEMU), and attached (--attach) to a QEMU the script started, where
# %M is syswalk's own peak.
for fmt in json html md; do
	: >"$TMP/e_t"; : >"$TMP/e_m"; : >"$TMP/e_q"
	for r in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$TMP/time" "$SYSWALK" --no-cache --export "$TMP/all.$fmt" --syscall all \
			--annotations "$ANN" >/dev/null 2>"$TMP/export.err" || { echo "bench: $(cat "$TMP/export.err")"; exit 1; }
		awk '{ print $1 * 1000 }' "$TMP/time" >>"$TMP/e_t"
		awk '{ print $2 }' "$TMP/time" >>"$TMP/e_q"
		boot_qemu "$TMP/x$fmt$r" || exit 1
		/usr/bin/time -f '%e %M' -o "$TMP/time" "$SYSWALK" --attach "unix:$TMP/x$fmt$r/gdb.sock" \
			--export "$TMP/att.$fmt" --syscall all --annotations "$ANN" >/dev/null 2>"$TMP/export.err" ||
			{ echo "bench: $(cat "$TMP/export.err")"; exit 1; }
		kill "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null
		awk '{ print $2 }' "$TMP/time" >>"$TMP/e_m"
	done
	echo "   --export all.$fmt: $(median <"$TMP/e_t") ms [$(spread <"$TMP/e_t")], $(stat -c %s "$TMP/all.$fmt") bytes; syswalk's peak RSS $(median <"$TMP/e_m") KiB [$(spread <"$TMP/e_m")] (QEMU's: $(median <"$TMP/e_q") KiB)"
done
echo "     (/usr/bin/time -f '%e %M' $SYSWALK [--no-cache | --attach unix:SOCK] --export F --syscall all --annotations $ANN)"

# The interactive viewer in a private tmux server, over the whole walk of write: with n
# (the annotated stops) and with s (every instruction: the history is largest then).
screen() { tmux -L "$TMUX_SOCK" capture-pane -p -t b 2>/dev/null; }
stop_no() { screen | sed -n 's/.*| stop \([0-9]*\) of .*/\1/p' | tail -1; }
viewer_peak() {  # viewer_peak KEY: press KEY until "Back in user mode"; sets HWM_KEY
	local key=$1 presses=0 hwm vpid
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -s b -x 160 -y 50 \
		"exec $SYSWALK --no-cache --annotations $ANN" 2>/dev/null
	vpid=$(tmux -L "$TMUX_SOCK" display-message -p -t b '#{pane_pid}' 2>/dev/null)
	# One key at a time, each after the last stop is on screen (bounded: 120 s in all).
	for _ in $(seq 6000); do
		screen | grep -q "Back in user mode" && break
		if [ "$(stop_no)" = "$((presses + 1))" ]; then
			tmux -L "$TMUX_SOCK" send-keys -t b "$key"
			presses=$((presses + 1))
		fi
		sleep 0.02
	done
	if screen | grep -q "Back in user mode" && [ -n "$vpid" ]; then
		hwm=$(awk '/^VmHWM/ { print $2 }' /proc/"$vpid"/status)
		echo "   interactive viewer over the walk of write ($presses presses of $key): VmHWM $hwm KiB"
		printf -v "HWM_$key" '%s' "$hwm"
	else
		echo "   interactive viewer ($key): the walk did not reach user mode in tmux (screen: $(screen | grep -m1 . ))"
	fi
	tmux -L "$TMUX_SOCK" send-keys -t b q 2>/dev/null
	sleep 0.3
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
}
viewer_peak n
viewer_peak s
HWM=${HWM_s:-}
[ -n "$HWM" ] && HWM_OK=$(awk -v m="$HWM" 'BEGIN { print (m < 16384) ? "met" : "NOT met" }')
echo "   target < 16384 KiB besides QEMU over a full walk, taken as the s walk: ${HWM_OK:-?}"
echo "     (tmux: $SYSWALK --no-cache --annotations $ANN, n or s until \"Back in user mode\", VmHWM from /proc/PID/status)"
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
echo

fi
# ---- 5. instruction counts ----------------------------------------------------------------
if want 5; then
echo "== 5. instruction counts (valgrind --tool=callgrind; repeatable where wall time is not)"
cg() { valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" "$@" >"$TMP/cg.stdout" 2>"$TMP/cg.err"; awk '/Collected :/ { print $NF }' "$TMP/cg.err"; }
CODEC=$(cg --toggle-collect=codec_workload "$B/bench_codec" 1000)
echo "   RSP codec, 1000 rounds of one step's traffic (3 requests encoded, $(awk '/bytes_per_round/ { print $2 }' < <("$B/bench_codec" 1)) bytes of replies decoded): $CODEC Ir, $(calc "$CODEC / 1000" 0) per round"
echo "     (valgrind --tool=callgrind --toggle-collect=codec_workload $B/bench_codec 1000)"
SNAP=$(cg --toggle-collect=walk_snapshot "$B/bench_walk" stepi "$ROOT" "$ANN")
NSNAP=$(( $(val steps "$TMP/cg.stdout") + 1 ))
echo "   snapshot builder over the stepi walk of write ($NSNAP snapshots, round trips inside included): $SNAP Ir, $(calc "$SNAP / $NSNAP" 0) per snapshot"
echo "     (valgrind --tool=callgrind --toggle-collect=walk_snapshot $B/bench_walk stepi $ROOT $ANN)"
# Where the snapshot's instructions go (inclusive counts of its parts).
callgrind_annotate --inclusive=yes "$TMP/cg.out" 2>/dev/null |
	grep -E '^ *[0-9,]+ +\( *[0-9.]+%\) +[^ ]+:(disasm_window|fill_frame|fill_note|fill_msrs|fill_registers|debuginfo_source_line|symbols_format|rsp_request) ' |
	awk '{ f = $NF ~ /^\[/ ? $(NF - 1) : $NF; sub(/^.*:/, "", f); match($0, /\( *[0-9.]+%\)/)
	       pct = substr($0, RSTART + 1, RLENGTH - 2); gsub(/ /, "", pct)
	       if (!seen[f]++) printf "     %-13s Ir (%s) in %s\n", $1, pct, f }'
echo

fi
# ---- 6. instant start: the machine-state cache -------------------------------------------
if want 6; then
echo "== 6. first stop and r (walk again), booting vs from the saved machine state (viewer/vmstate.c)"
echo "   $RESTART [KERNEL ARGS] [--no-cache] --restarts 1 --think 1000 --quiet   (walk_open + walk_start; then, 1 s later"
echo "     as a user reading the last stop, walk_act(WALK_RESTART) to its first stop; \"r at once\": --think 0)"
echo "   boot: --no-cache, as before the cache; r then runs to the syscall's next occurrence"
echo "   cold: an empty \$XDG_CACHE_HOME: boot, run to the first demo syscall, save; r from the state"
echo "   warm: the state saved: restore; r swaps in the QEMU loaded meanwhile.  (figures, not pass/fail; targets from issue 15)"
# walk_restart finds its files as an installed syswalk does: a data directory of links.
DATA=$TMP/data
mkdir -p "$DATA"
ln -sf "$KERNEL" "$DATA/syswalk-kernel.elf"; ln -sfn "$ROOT/annotations" "$DATA/annotations"
ln -sf "$BUILD/linux/initramfs.cpio" "$BUILD/linux/init" "$DATA/"
LINUX_FILES=${SYSWALK_CACHE:-$ROOT/cache}
kernels=("teach|")
[ -f "$LINUX_FILES/linux/vmlinuz" ] && kernels+=("debian-cloud|--target linux")
for d in "$LINUX_FILES"/linux-build/*/; do
	[ -f "$d/arch/x86/boot/bzImage" ] && [ -f "$d/vmlinux" ] &&
		kernels+=("self-built $(basename "$d")|--target linux --kernel ${d}arch/x86/boot/bzImage --symbols ${d}vmlinux")
done
sw_restart() {  # sw_restart OUT CACHE ARGS...: one walk_restart run, "key value" lines in OUT
	local out=$1 cache=$2; shift 2
	SYSWALK_DATADIR=$DATA XDG_CACHE_HOME=$cache SYSWALK_CACHE=$LINUX_FILES \
		timeout 300 "$RESTART" --restarts 1 --think 1000 --quiet "$@" >"$out" 2>"$out.err"
}
s6() { awk "BEGIN { printf \"%.3f\", $1 / 1000 }"; }
printf '   %-34s %-27s %-27s %-27s %s\n' "kernel" "first stop: boot" "cold (boot + save)" "warm (restored)" "state"
for k in "${kernels[@]}"; do
	name=${k%%|*}; read -r -a args <<<"${k#*|}"
	for f in boot cold warm; do : >"$TMP/k_$f.first"; : >"$TMP/k_$f.r"; done
	: >"$TMP/k_now.r"
	failed=""
	for r in $(seq "$RUNS"); do
		sw_restart "$TMP/k_boot" "$TMP/xdg-none" "${args[@]}" --no-cache || failed=$(tail -1 "$TMP/k_boot.err")
		rm -rf "$TMP/xdg-k"
		sw_restart "$TMP/k_cold" "$TMP/xdg-k" "${args[@]}" || failed=$(tail -1 "$TMP/k_cold.err")
		sw_restart "$TMP/k_warm" "$TMP/xdg-k" "${args[@]}" || failed=$(tail -1 "$TMP/k_warm.err")
		sw_restart "$TMP/k_now" "$TMP/xdg-k" "${args[@]}" --think 0 || failed=$(tail -1 "$TMP/k_now.err")
		[ -n "$failed" ] && break
		val restart_ms "$TMP/k_now" >>"$TMP/k_now.r"
		for f in boot cold warm; do
			val first_stop_ms "$TMP/k_$f" >>"$TMP/k_$f.first"; val restart_ms "$TMP/k_$f" >>"$TMP/k_$f.r"
		done
	done
	if [ -n "$failed" ]; then
		printf '   %-34s the walk fails here: %s\n' "$name" "$(echo "$failed" | cut -c1-110)"
		continue
	fi
	size=$(find "$TMP/xdg-k/syswalk" -name '*.state' -printf '%s\n' | head -1)
	cell() { echo "$(s6 "$(median <"$1")") s [$(s6 "$(sort -g "$1" | head -1)")..$(s6 "$(sort -g "$1" | tail -1)")]"; }
	printf '   %-34s %-27s %-27s %-27s %s MB\n' "$name" "$(cell "$TMP/k_boot.first")" "$(cell "$TMP/k_cold.first")" \
		"$(cell "$TMP/k_warm.first")" "$(calc "${size:-0} / 1000000" 1)"
	printf '   %-34s %-27s %-27s %-27s\n' "  r (walk again)" "$(cell "$TMP/k_boot.r")" "$(cell "$TMP/k_cold.r")" "$(cell "$TMP/k_warm.r")"
	printf '   %-34s %-27s %-27s %-27s\n' "  r at once (spare still loading)" "" "" "$(cell "$TMP/k_now.r")"
	echo "     ($RESTART --restarts 1 --think 1000 --quiet ${args[*]}, with and without --no-cache)"
done
echo "   targets: warm first stop <= 0.15 s (teaching kernel), <= 0.5 s (Linux); r <= 0.3 s"
echo

fi
echo "== summary: syswalk/floor ${R1:-?} (${R1_OK:-?}), gdb/syswalk ${R2:-?} (${R2_OK:-?}), cold start adds ${CD:-?} ms (${CD_OK:-?}), viewer VmHWM ${HWM:-?} KiB (${HWM_OK:-?})"
