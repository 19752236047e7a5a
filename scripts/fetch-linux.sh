#!/usr/bin/env bash
# fetch-linux.sh: fetch Debian's Linux 6.1 cloud kernel as package files (nothing is
# installed on the host) and unpack what syswalk needs into cache/linux/.
#
#   scripts/fetch-linux.sh          the image package: vmlinuz and config
#   scripts/fetch-linux.sh --dbg    also the matching -dbg package (about 270 MiB):
#                                   the real System.map and vmlinux with DWARF
#   scripts/fetch-linux.sh --source also Debian's linux-source-X.Y of the same version
#                                   (about 140 MiB, 1.3 GiB unpacked), for the viewer's
#                                   source pane: unpacked once into
#                                   cache/linux-src/VERSION/linux-source-X.Y, where
#                                   scripts/build-linux.sh unpacks it too
#   --series X.Y                    another kernel series Debian carries (default 6.1,
#                                   unpacked into cache/linux; others into
#                                   cache/linux-X.Y, the folder its entry in
#                                   viewer/kernels.c names)
#   (the options may be combined)
#
# Prints the directory on stdout. Idempotent: what is already unpacked is kept.
# Exit status 3 when Debian's archive cannot be reached (the tests then say SKIPPED).
set -euo pipefail
cd "$(dirname "$0")/.."
want_dbg=0 want_source=0 series=6.1
while [ $# -gt 0 ]; do
	case $1 in
		--dbg) want_dbg=1 ;;
		--source) want_source=1 ;;
		--series) series=${2:?--series needs X.Y}; shift ;;
		*) echo "usage: $0 [--dbg] [--source] [--series X.Y]" >&2; exit 2 ;;
	esac
	shift
done
[[ $series =~ ^[0-9]+\.[0-9]+$ ]] || { echo "fetch-linux: --series '$series' is not X.Y" >&2; exit 2; }
folder=linux
[ "$series" = 6.1 ] || folder=linux-$series
cache=${SYSWALK_CACHE:-$PWD/cache}/$folder
series_re=${series//./[.]}
mkdir -p "$cache/debs"

say() { echo "fetch-linux: $*" >&2; }

# The image the meta package points at: Debian's current cloud kernel of the series.
if [ -f "$cache/package" ]; then
	pkg=$(cat "$cache/package")
else
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		awk -v re="^linux-image-${series_re}[^ ]*-cloud-amd64$" '$1 == "Depends:" && $2 ~ re {print $2; exit}')
	if [ -z "$pkg" ]; then
		say "cannot find linux-image-cloud-amd64 in the package lists; running apt-get update"
		apt-get update -qq >/dev/null 2>&1 || { say "Debian's archive cannot be reached (apt-get update failed)"; exit 3; }
		pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			awk -v re="^linux-image-${series_re}[^ ]*-cloud-amd64$" '$1 == "Depends:" && $2 ~ re {print $2; exit}')
	fi
	[ -n "$pkg" ] || { say "no linux-image-$series*-cloud-amd64 package in the archive"; exit 3; }
fi
release=${pkg#linux-image-}

fetch() {  # fetch PACKAGE: download its .deb into cache/linux/debs once
	local p=$1
	ls "$cache/debs/${p}_"*.deb >/dev/null 2>&1 && return 0
	say "downloading $p"
	(cd "$cache/debs" && apt-get download -q "$p" >/dev/null 2>"$cache/apt.err") || {
		say "Debian's archive cannot be reached: $(tail -n 1 "$cache/apt.err")"; exit 3; }
}

if [ ! -f "$cache/vmlinuz-$release" ]; then
	# The unsigned package holds the same kernel without the EFI signature wrapper.
	fetch "$pkg-unsigned"
	tmp=$(mktemp -d "$cache/unpack.XXXXXX")
	dpkg-deb --fsys-tarfile "$cache/debs/${pkg}-unsigned_"*.deb |
		tar -x -C "$tmp" ./boot
	mv "$tmp/boot/vmlinuz-$release" "$tmp/boot/config-$release" "$cache/"
	rm -rf "$tmp"
fi

if [ "$want_dbg" = 1 ] && [ ! -f "$cache/vmlinux-$release" ]; then
	fetch "$pkg-dbg"
	tmp=$(mktemp -d "$cache/unpack.XXXXXX")
	# Only usr/lib/debug/boot/: System.map and vmlinux with DWARF (the modules are not needed).
	dpkg-deb --fsys-tarfile "$cache/debs/${pkg}-dbg_"*.deb |
		tar -x -C "$tmp" --wildcards './usr/lib/debug/boot/*'
	mv "$tmp/usr/lib/debug/boot/"* "$cache/"
	rm -rf "$tmp"
	rm -f "$cache/debs/${pkg}-dbg_"*.deb   # 270 MiB we no longer need
fi
if [ "$want_source" = 1 ]; then
	# The source of this very kernel: linux-source-SERIES at the image package's version.
	version=$(dpkg-deb -f "$(ls "$cache/debs/${pkg}-unsigned_"*.deb | head -n 1)" Version 2>/dev/null ||
		  ls "$cache/debs/${pkg}-unsigned_"*.deb | sed -E 's/.*_([^_]+)_amd64\.deb$/\1/' | head -n 1)
	src=$cache/../linux-src/$version/linux-source-$series
	if [ ! -f "$src/.syswalk-unpacked" ]; then
		tarball=/usr/src/linux-source-$series.tar.xz
		installed=$(dpkg-query -W -f='${Version}' "linux-source-$series" 2>/dev/null || true)
		if [ "$installed" != "$version" ] || [ ! -f "$tarball" ]; then
			fetch "linux-source-$series=$version"
			tmp=$(mktemp -d "$cache/unpack.XXXXXX")
			dpkg-deb --fsys-tarfile "$cache/debs/linux-source-${series}_${version}_all.deb" |
				tar -x -C "$tmp" "./usr/src/linux-source-$series.tar.xz"
			tarball=$tmp/usr/src/linux-source-$series.tar.xz
		fi
		say "unpacking linux-source-$series $version for the source pane"
		rm -rf "$cache/../linux-src/$version"
		mkdir -p "$cache/../linux-src/$version"
		tar -xJf "$tarball" -C "$cache/../linux-src/$version"
		touch "$src/.syswalk-unpacked"
		[ -n "${tmp:-}" ] && rm -rf "$tmp"
		rm -f "$cache/debs/linux-source-${series}_"*.deb
	fi
fi
echo "$pkg" > "$cache/package"
ln -sfn "vmlinuz-$release" "$cache/vmlinuz"
ln -sfn "config-$release" "$cache/config"
[ -f "$cache/vmlinux-$release" ] && ln -sfn "vmlinux-$release" "$cache/vmlinux"
[ -f "$cache/System.map-$release" ] && ln -sfn "System.map-$release" "$cache/System.map"
echo "$cache"
