#!/usr/bin/env bash
# install-deps.sh: install the Debian packages syswalk needs that are missing.
# Idempotent and quiet when everything is already there. Uses sudo when not root.
set -euo pipefail

packages=(
	# build
	build-essential pkg-config clang libclang-rt-14-dev
	libncurses-dev libcapstone-dev libelf-dev libdw-dev libcmark-dev libjansson-dev
	# the machine-state cache: SHA-256 (libcrypto)
	libssl-dev
	# run
	qemu-system-x86
	# tests
	libcmocka-dev tmux gdb chromium valgrind cpio iproute2 groff-base man-db binutils
	python3-jsonschema
	# tests: a kernel built the way a learner builds one (scripts/build-linux.sh)
	linux-source-6.1 bc bison flex xz-utils
	# make bench: /usr/bin/time for peak memory
	time
)

missing=()
for p in "${packages[@]}"; do
	# dpkg-query prints "install ok installed" only for a fully installed package
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
