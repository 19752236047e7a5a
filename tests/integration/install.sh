#!/usr/bin/env bash
# install.sh: make install puts syswalk where a Debian user expects it, and the installed
# binary works without the source tree:
#   1. a DESTDIR install (PREFIX=/usr/local), run from another directory with --data-dir
#      and with $SYSWALK_DATADIR: the walk prints, from the installed kernel and notes;
#   2. an install to a private PREFIX (its own build directory), run with no option at
#      all: the compiled-in data directory is PREFIX/share/syswalk;
#   3. the installed man page; make uninstall leaves no file behind.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
command -v make >/dev/null || { skip "make install" "make is not installed"; exit 0; }
# Debian's kernel for the installed Linux target, with the -dbg symbols the walk is
# checked to use; when the archive is unreachable that part says SKIP.
LINUX_CACHE=$("$ROOT/scripts/fetch-linux.sh" --dbg 2>/dev/null)

# A fresh make, not the jobserver of the `make test` that may be running us.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$ROOT" "$@"; }

# The files install must put under PREFIX, worked out from the tree (not from the Makefile).
expected_files() {  # expected_files BUILD-DIR
	echo bin/syswalk
	echo share/man/man1/syswalk.1
	echo share/syswalk/syswalk-kernel.elf
	echo share/syswalk/syswalk-kernel-nopti.elf
	echo share/syswalk/annotations/glossary.md
	(cd "$ROOT" && ls annotations/*/*.md) | sed 's|^|share/syswalk/|'
	[ -f "$1/linux/init" ] && echo share/syswalk/init
	[ -f "$1/linux/initramfs.cpio" ] && echo share/syswalk/initramfs.cpio
	for f in README.md user-guide.md classroom.md annotations.md trace-format.md trace-schema.json; do
		echo "share/doc/syswalk/$f"
	done
}

# The teaching kernel's own notes are being written: until annotations/teach exists, the
# walks use a small set of ours (the kernel still comes from the installed data).
if [ -d "$ROOT/annotations/teach" ]; then
	NOTES=()
else
	mkdir -p "$TMP/notes"
	cat >"$TMP/notes/10-path.md" <<-'EOF'
	# Three stops for the install test

	## entry_SYSCALL_64 — Arriving in the kernel

	The CPU has just executed `syscall`.

	## do_syscall_64 — The C dispatcher

	Called with the `pt_regs` frame and the syscall number.

	## entry_SYSRETQ_unsafe_stack/sysretq — Back to ring 3

	The last kernel instruction of the fast path.
	EOF
	NOTES=(--annotations "$TMP/notes")
	skip "the installed annotations/teach drive the walk" "annotations/teach is not in the tree yet"
fi

walk_ok() {  # walk_ok NAME KERNEL-PATH OUTPUT-FILE: the batch walk printed, from that kernel
	# (--batch names the kernel by its file name; the installed binary outside the tree
	# has no other kernel to take than the data directory's)
	local name=$1 kernel=$2 out=$3
	if [ -f "$kernel" ] && grep -qF "kernel $(basename "$kernel"); symbols $(basename "$kernel") (ELF, the image itself)" "$out" &&
	   grep -q '^=== stop 1 of' "$out" &&
	   grep -q 'entry_SYSCALL_64' "$out" && grep -q 'sysretq' "$out"; then
		ok "$name"
	else
		not_ok "$name" "$(head -c 300 "$out" | tr '\n' ' ')"
	fi
}

# --- 1. DESTDIR ----------------------------------------------------------------------
DEST=$TMP/dest
mk install PREFIX=/usr/local DESTDIR="$DEST" >"$TMP/install.log" 2>&1
check_eq "make install PREFIX=/usr/local DESTDIR=... succeeds" 0 $?
(cd "$DEST/usr/local" && find . -type f | sed 's|^\./||' | sort) >"$TMP/installed"
expected_files "$BUILD" | sort >"$TMP/expected"
if diff -u "$TMP/expected" "$TMP/installed" >"$TMP/files.diff"; then
	ok "installs exactly the expected $(wc -l <"$TMP/expected") files"
else
	not_ok "installs exactly the expected files" "$(grep -E '^[-+][a-z]' "$TMP/files.diff" | tr '\n' ' ')"
fi
check "the installed kernel is the one built" cmp -s "$BUILD/kernel/syswalk-kernel.elf" \
	"$DEST/usr/local/share/syswalk/syswalk-kernel.elf"
check "the binary is executable" test -x "$DEST/usr/local/bin/syswalk"

BIN=$DEST/usr/local/bin/syswalk
DATA=$DEST/usr/local/share/syswalk
mkdir -p "$TMP/elsewhere"
cd "$TMP/elsewhere" || exit 1

"$BIN" --list >"$TMP/list.txt" 2>&1
check_eq "installed --list exits 0" 0 $?
check "installed --list names the teach walks" grep -qE '^  write +write\(1' "$TMP/list.txt"
check "installed --list names the linux walks" grep -q '^linux:' "$TMP/list.txt"

timeout 120 "$BIN" --batch --data-dir "$DATA" "${NOTES[@]}" >"$TMP/datadir.txt" 2>&1
check_eq "installed --batch --data-dir exits 0" 0 $?
walk_ok "the walk prints from the installed kernel (--data-dir)" "$DATA/syswalk-kernel.elf" "$TMP/datadir.txt"

SYSWALK_DATADIR=$DATA timeout 120 "$BIN" --batch "${NOTES[@]}" >"$TMP/env.txt" 2>&1
check_eq "installed --batch with SYSWALK_DATADIR exits 0" 0 $?
walk_ok "the walk prints from the installed kernel (SYSWALK_DATADIR)" "$DATA/syswalk-kernel.elf" "$TMP/env.txt"

SYSWALK_DATADIR=$TMP/nowhere timeout 120 "$BIN" --batch --data-dir "$DATA" "${NOTES[@]}" >"$TMP/both.txt" 2>&1
check_eq "--data-dir wins over SYSWALK_DATADIR" 0 $?

if [ ! -e /usr/local/share/syswalk ]; then
	"$BIN" --batch >"$TMP/none.txt" 2>&1
	rc=$?
	check_eq "with no data directory, exit status 1" 1 "$rc"
	check "the message names the compiled-in data directory" \
		grep -qF "not found at /usr/local/share/syswalk/" "$TMP/none.txt"
else
	skip "the message names the compiled-in data directory" "/usr/local/share/syswalk exists here"
fi

# The Linux target from an install: our init from the data directory, Debian's kernel
# from SYSWALK_CACHE. Only when the kernel was fetched and the init built.
if [ -n "$LINUX_CACHE" ] && [ -f "$LINUX_CACHE/vmlinuz" ] && [ -f "$DATA/initramfs.cpio" ]; then
	SYSWALK_CACHE=$(dirname "$LINUX_CACHE") timeout 300 "$BIN" --target linux --syscall getpid --batch \
		--data-dir "$DATA" >"$TMP/linux.txt" 2>&1
	check_eq "installed --target linux --batch (SYSWALK_CACHE) exits 0" 0 $?
	check "the Linux walk uses the fetched kernel and its -dbg symbols" grep -qE "^kernel vmlinuz; symbols vmlinux-[0-9.]+-[0-9]+-cloud-amd64 \\(ELF, beside the image\\)" "$TMP/linux.txt"
	check "the Linux walk reaches sysretq" grep -q 'sysretq' "$TMP/linux.txt"
else
	skip "installed Linux target" "scripts/fetch-linux.sh --dbg fetched no kernel, or no initramfs"
fi
cd "$ROOT" || exit 1

# --- 2. a private PREFIX: the compiled-in data directory ------------------------------
PREFIX=$TMP/prefix
mk install PREFIX="$PREFIX" BUILD="$TMP/build" >"$TMP/install2.log" 2>&1
check_eq "make install PREFIX=<private> (own build directory) succeeds" 0 $?
cd "$TMP/elsewhere" || exit 1
env -u SYSWALK_DATADIR timeout 120 "$PREFIX/bin/syswalk" --batch "${NOTES[@]}" >"$TMP/compiled.txt" 2>&1
check_eq "the installed binary runs with no data option" 0 $?
walk_ok "it finds its kernel in PREFIX/share/syswalk (compiled in)" \
	"$PREFIX/share/syswalk/syswalk-kernel.elf" "$TMP/compiled.txt"
cd "$ROOT" || exit 1

# --- 3. the man page, then uninstall --------------------------------------------------
page=$PREFIX/share/man/man1/syswalk.1
check_eq "the installed man page renders without a warning" "" "$(groff -ww -z -man "$page" 2>&1)"
check "its FILES name the data directory of this install" grep -qF "$PREFIX/share/syswalk/syswalk" "$page"
check "man finds it through MANPATH" bash -c "MANPATH='$PREFIX/share/man' man -w syswalk | grep -qF '$page'"

mk uninstall PREFIX=/usr/local DESTDIR="$DEST" >"$TMP/uninstall.log" 2>&1
check_eq "make uninstall DESTDIR=... succeeds" 0 $?
check_eq "make uninstall leaves no file behind (DESTDIR)" "" "$(find "$DEST" -type f)"
mk uninstall PREFIX="$PREFIX" BUILD="$TMP/build" >>"$TMP/uninstall.log" 2>&1
check_eq "make uninstall leaves no file behind (PREFIX)" "" "$(find "$PREFIX" -type f)"
exit 0
