#!/usr/bin/env bash
# build-linux.sh: build a small Linux kernel from Debian's linux-source-6.1, the way a
# learner would, so that syswalk is tested on kernels its notes were not written on.
#
#   scripts/build-linux.sh NAME     NAME is a fragment in kernel/linux-configs/
#                                   (minimal, full): `make tinyconfig`, then the
#                                   fragment merged in, then `make bzImage`
#
# The result is an ordinary kernel build tree (O=DIR): DIR/arch/x86/boot/bzImage,
# DIR/vmlinux (with DWARF), DIR/System.map and DIR/.config, exactly where `make` puts
# them, because that is the layout `syswalk --kernel DIR/arch/x86/boot/bzImage` must
# find its symbols in. DIR is cache/linux-build/NAME-KEY, KEY a hash of the fragment,
# the source package's version and the compiler's, so a machine builds each kernel
# once (about 5 minutes on two cores) and a changed fragment builds anew.
#
# Prints DIR on stdout. Exit status 3 when it cannot run here (no linux-source-6.1
# package, no compiler): the tests then say SKIPPED with this script's reason.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "build-linux: $*" >&2; }
cannot() { say "$*"; exit 3; }

[ $# -eq 1 ] || { echo "usage: $0 NAME (one of: $(ls kernel/linux-configs | sed 's/\.config$//' | tr '\n' ' '))" >&2; exit 2; }
name=$1
fragment=kernel/linux-configs/$name.config
[ -f "$fragment" ] || { say "no config fragment $fragment"; exit 2; }

tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || cannot "$tarball is missing: install the linux-source-6.1 package (scripts/install-deps.sh does)"
for tool in gcc make bc bison flex xz; do
	command -v $tool >/dev/null || cannot "$tool is not installed (scripts/install-deps.sh installs it)"
done

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)
key=$( { echo "$srcver"; gcc --version | head -n 1; cat "$fragment"; } | sha256sum | cut -c1-12)
cache=${SYSWALK_CACHE:-$PWD/cache}
out=$cache/linux-build/$name-$key
mkdir -p "$cache/linux-build" "$cache/linux-src"

# One builder at a time per machine: two test runs must not build into one tree.
exec 9>"$cache/linux-build/.lock"
flock 9

if [ -f "$out/.syswalk-built" ]; then
	echo "$out"
	exit 0
fi

# The source, unpacked once per package version.
src=$cache/linux-src/$srcver/linux-source-6.1
if [ ! -f "$src/.syswalk-unpacked" ]; then
	say "unpacking $tarball (linux-source-6.1 $srcver)"
	rm -rf "$cache/linux-src/$srcver"
	mkdir -p "$cache/linux-src/$srcver"
	tar -xJf "$tarball" -C "$cache/linux-src/$srcver"
	touch "$src/.syswalk-unpacked"
fi

# A build cut short leaves a tree without the marker: start it again from nothing.
rm -rf "$out"
mkdir -p "$out"
kmake() { make -s -C "$src" O="$out" ARCH=x86_64 "$@"; }
log=$out/build.log
say "building $name (log: $log); about 5 minutes on two cores"
{
	kmake tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment"
	kmake olddefconfig
} >"$log" 2>&1 || { say "configuring failed; see $log"; exit 1; }

# Every line of the fragment must hold in the final .config: an option whose
# dependencies are missing is dropped by olddefconfig without a word.
while IFS= read -r line; do
	case $line in
		CONFIG_*=*) grep -qxF "$line" "$out/.config" ;;
		"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
			! grep -q "^$opt=" "$out/.config" ;;
		*) true ;;
	esac || { say "$fragment: '$line' does not hold after olddefconfig"; exit 1; }
done <"$fragment"

kmake -j"$(nproc)" bzImage >>"$log" 2>&1 || { say "the build failed; see $log"; exit 1; }
for f in arch/x86/boot/bzImage vmlinux System.map .config; do
	[ -s "$out/$f" ] || { say "the build made no $f; see $log"; exit 1; }
done
touch "$out/.syswalk-built"
say "built $out/arch/x86/boot/bzImage"
echo "$out"
