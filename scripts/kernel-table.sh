#!/usr/bin/env bash
# kernel-table.sh: how syswalk fares on each kernel it can be given, side by side.
#
#   scripts/kernel-table.sh [RUNS]     (default 3 runs per figure; median reported)
#
# For Debian's cloud kernel (with its -dbg symbols), Debian's generic kernel without any
# symbols (its image package only: the placeholder System.map), and the two kernels
# scripts/build-linux.sh builds from linux-source-6.1 (minimal, full), it prints: the
# time to the end of the getpid walk (boot included), the stops of that walk, the
# notes that apply and those that do not, and what --check-annotations finds false
# there. Kernels that are not on this machine are left out with the command that gets
# them. Figures, not pass/fail: timings under TCG follow the machine's load.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SYSWALK=build/syswalk
cache=${SYSWALK_CACHE:-$PWD/cache}
[ -x "$SYSWALK" ] || { echo "kernel-table: build first (make all)" >&2; exit 2; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }

row() {  # row NAME ARGS...: one line of the table for syswalk --target linux ARGS
	local name=$1; shift
	local times=() out=/tmp/kernel-table.$$
	for _ in $(seq "$RUNS"); do
		local t0 t1
		t0=$(date +%s.%N)
		timeout 300 "$SYSWALK" --target linux "$@" --batch --syscall getpid >"$out" 2>"$out.err" ||
			{ printf '| %s | failed: %s |\n' "$name" "$(tail -n1 "$out.err")"; rm -f "$out" "$out.err"; return; }
		t1=$(date +%s.%N)
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
	done
	local stops header shown left
	stops=$(grep -c '^=== ' "$out")
	header=$(grep -m1 '^syswalk .*: target' "$out")
	shown=$(sed -nE 's/.* ([0-9]+) notes( \(([0-9]+) do not apply.*)?, .*/\1/p' <<<"$header")
	left=$(sed -nE 's/.* [0-9]+ notes \(([0-9]+) do not apply.*/\1/p' <<<"$header")
	timeout 600 "$SYSWALK" --target linux "$@" --check-annotations annotations/linux-6.1 >"$out" 2>&1
	local summary false
	summary=$(tail -n1 "$out")
	false=$(sed -nE 's/.*\(([0-9]+) false claims?\).*/\1/p' <<<"$summary")
	printf '| %s | %s s | %s | %s / %s | %s |\n' "$name" "$(printf '%s\n' "${times[@]}" | median)" \
		"$stops" "${shown:-?}" "${left:-0}" "${false:-?}"
	rm -f "$out" "$out.err"
}

echo "syswalk on kernels it was not tuned to — $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null)"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs per time, median"
echo
echo "| kernel | boot + getpid walk | stops | notes shown / do not apply | false claims (--check-annotations, all walks) |"
echo "|---|---|---|---|---|"
if [ -e "$cache/linux/vmlinuz" ]; then
	row "Debian 6.1 cloud, -dbg symbols" --kernel "$cache/linux/vmlinuz"
	row "Debian 6.1 cloud, -dbg symbols, --pti" --kernel "$cache/linux/vmlinuz" --pti
else
	echo "| Debian 6.1 cloud | not fetched: scripts/fetch-linux.sh --dbg |"
fi
generic=$(ls "$cache"/linux-generic/boot/vmlinuz-* 2>/dev/null | head -1)
if [ -n "$generic" ]; then
	row "Debian 6.1 generic, no symbols" --kernel "$generic"
else
	echo "| Debian 6.1 generic | not fetched: apt-get download linux-image-6.1.0-NN-amd64-unsigned, unpack ./boot into $cache/linux-generic |"
fi
for config in minimal full; do
	tree=$(ls -d "$cache"/linux-build/"$config"-* 2>/dev/null | head -1)
	if [ -n "$tree" ] && [ -f "$tree/.syswalk-built" ]; then
		row "linux-source-6.1, $config config" --kernel "$tree/arch/x86/boot/bzImage"
		[ "$config" = full ] && row "linux-source-6.1, $config config, --pti" --kernel "$tree/arch/x86/boot/bzImage" --pti
		if [ "$config" = minimal ]; then
			mkdir -p /tmp/kernel-table-alone.$$
			cp "$tree/arch/x86/boot/bzImage" /tmp/kernel-table-alone.$$/
			row "linux-source-6.1, $config config, no symbols" --kernel /tmp/kernel-table-alone.$$/bzImage
			rm -rf /tmp/kernel-table-alone.$$
		fi
	else
		echo "| linux-source-6.1, $config config | not built: scripts/build-linux.sh $config |"
	fi
done
