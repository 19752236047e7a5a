#!/usr/bin/env bash
# make-initramfs.sh: pack syswalk's Linux init into a newc initramfs.
#
#   scripts/make-initramfs.sh INIT OUTPUT
#       INIT    the static init ELF (build/linux/init)
#       OUTPUT  the cpio archive to write (build/linux/initramfs.cpio)
#
# The archive holds /init (the kernel runs it as PID 1 when it finds it in the
# initramfs), /dev/console (so init has a stdout before anything mounts devtmpfs:
# the kernel opens /dev/console for PID 1 and warns "unable to open an initial
# console" without it) and /proc, /dev as mount points. Built as an unprivileged
# user: the device node is described to cpio through a listing, never created
# on the host. The output is written atomically (temporary file, then rename).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 INIT OUTPUT" >&2
	exit 2
fi
init=$1 out=$2
[ -f "$init" ] || { echo "make-initramfs: $init: no such file (build it first)" >&2; exit 1; }
command -v cpio >/dev/null || { echo "make-initramfs: cpio is not installed (scripts/install-deps.sh)" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/syswalk-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/root/dev" "$stage/root/proc"
install -m 0755 "$init" "$stage/root/init"

# GNU cpio cannot invent a character device from a listing, so the one device
# node is appended as a hand-made newc record (magic 070701, 13 hex fields, the
# name padded to 4 bytes). /dev/console is char 5:1, mode 0600, owned by root.
newc_entry() {  # newc_entry NAME MODE_OCTAL RDEVMAJOR RDEVMINOR
	local name=$1 mode=$2 maj=$3 min=$4 namesize
	namesize=$(( ${#name} + 1 ))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
		0 $((8#$mode)) 0 0 1 0 0 0 0 "$maj" "$min" "$namesize" 0 "$name"
	# header (110 bytes) + name must end on a multiple of 4
	local pad=$(( (4 - (110 + namesize) % 4) % 4 ))
	head -c "$pad" /dev/zero
}

tmp="$out.tmp.$$"
mkdir -p "$(dirname "$out")"
# cpio writes /init and the directories (owned by root, -R 0:0); /dev/console and
# the trailer follow as a second archive. The kernel unpacks concatenated newc
# archives one after the other, so the two parts form one filesystem. (Debian's
# kernel has a built-in initramfs with /dev/console too; ours does not rely on it.)
(cd "$stage/root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) >"$tmp"
{
	newc_entry dev/console 020600 5 1
	newc_entry 'TRAILER!!!' 0 0 0
} >>"$tmp"
mv -f "$tmp" "$out"
