#!/usr/bin/env bash
# attach.sh: --attach drives a gdbstub someone else started: on a unix socket, on a
# loopback TCP port; any other address is refused before anything is sent.
source "$(dirname "$0")/../lib/common.sh"
tmpdir

start_qemu() {  # start_qemu GDB-CHARDEV-OPTIONS: a stopped teaching kernel, pid in $qpid
	"$QEMU" -kernel "$KERNEL" -m 64M -accel tcg -display none -no-reboot -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial "file:$TMP/serial.txt" -S \
		-chardev "$1" -gdb chardev:gdb0 </dev/null >/dev/null 2>&1 &
	qpid=$!
	on_exit "kill -9 $qpid"
}

start_qemu "socket,path=$TMP/gdb.sock,server=on,wait=off,id=gdb0"
for _ in $(seq 50); do [ -S "$TMP/gdb.sock" ] && break; sleep 0.1; done
timeout 60 "$SYSWALK" --attach "unix:$TMP/gdb.sock" --batch --syscall getpid >"$TMP/unix.txt" 2>&1
check_eq "--attach unix:PATH walks getpid" 0 $?
check "the unix walk returns to user mode with getpid's result" grep -q 'RAX holds what the syscall returned: `1`' "$TMP/unix.txt"
kill -9 $qpid 2>/dev/null; wait $qpid 2>/dev/null

# A free loopback port: bind to 0 and read the port back.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_qemu "socket,host=127.0.0.1,port=$port,server=on,wait=off,id=gdb0"
for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:$port" && break; sleep 0.1; done
timeout 60 "$SYSWALK" --attach "127.0.0.1:$port" --batch --syscall enosys >"$TMP/tcp.txt" 2>&1
check_eq "--attach 127.0.0.1:PORT walks syscall 500" 0 $?
check "the loopback walk sees -ENOSYS" grep -q 'returned: `-38`' "$TMP/tcp.txt"

timeout 10 "$SYSWALK" --attach 192.0.2.1:1234 --batch >"$TMP/far.txt" 2>&1
rc=$?
check "a non-loopback address is refused with a message, as a usage error (exit 2)" \
	test $rc -eq 2 -a -n "$(grep -i 'loopback\|refus' "$TMP/far.txt")"
timeout 10 "$SYSWALK" --attach "unix:$TMP/nothing-here.sock" --batch >"$TMP/none.txt" 2>&1
check_eq "a missing socket is an error (exit 1)" 1 $?
check "the missing socket's message names the path" grep -q "nothing-here.sock" "$TMP/none.txt"
exit 0
