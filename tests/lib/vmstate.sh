# tests/lib/vmstate.sh: helpers for the machine-state cache's tests (source after
# common.sh). The state file's format is in viewer/vmstate_file.h: a 1024-byte text
# header, the console output, QEMU's migration stream.

state_files() {  # state_files DIR: the state files in the cache directory DIR
	find "$1" -maxdepth 1 -name '*.state' -type f 2>/dev/null
}

# tree_datadir DIR: a data directory (as `make install` lays it out) made of links into
# this tree, for tools that find their files through paths.h like an installed syswalk.
tree_datadir() {
	mkdir -p "$1"
	ln -sf "$KERNEL" "$1/syswalk-kernel.elf"
	ln -sfn "$ROOT/annotations" "$1/annotations"
	ln -sf "$BUILD/linux/initramfs.cpio" "$BUILD/linux/init" "$1/"
	# An installed syswalk finds a fetched kernel beside its data (paths.c), unless
	# $SYSWALK_CACHE says where: link the one linux_kernel fetched.
	if [ -n "${LINUX_CACHE:-}" ]; then ln -sfn "$LINUX_CACHE" "$1/linux"; fi
}

walk_part() {  # walk_part FILE N: the N-th walk printed by walk_restart
	awk -v n="$2" '/^== walk /{ f = ($3 == n); next } /^(restart|restore)_ms /{ next } f' "$1"
}

# drop_console: the console text of each stop removed. A restart's first stop has no
# boot log (the boot happened before the saved state), everything else is the same.
drop_console() {
	awk '/^console: /{ skip = 1 } /^=== stop /{ skip = 0 } !skip && !/^$/'
}

# Kernel stack addresses below the pt_regs frame (within the 16 KiB task stack): Linux
# moves the stack by a random offset at every syscall (RANDOMIZE_KSTACK_OFFSET), drawn
# from the TSC, which runs on with the host's clock. Every value that points there (RSP,
# and registers that copied it) is written KSTACK: the only legitimate difference.
drop_kstack_offset() {
	perl -pe 'if (/^pt_regs at (0x[0-9a-f]+)/) { $f = hex($1) }
		s{\b(0xffff[0-9a-f]{12})\b}{ my $v = hex($1);
			(defined $f && $v < $f && $v >= $f - 16384) ? "KSTACK" : $1 }ge'
}

flip_byte() {  # flip_byte FILE OFFSET
	python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], 'r+b') as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0xff]))
PY
}

edit_header() {  # edit_header FILE FIELD VALUE: rewrite one header field, keep the layout
	python3 - "$@" <<'PY'
import sys
path, name, value = sys.argv[1:4]
with open(path, 'r+b') as f:
    head = f.read(1024).rstrip(b'\0').decode()
    lines = [f"{name} {value}" if l.split(' ', 1)[0] == name else l for l in head.split('\n')]
    text = '\n'.join(lines).encode()
    assert len(text) <= 1024
    f.seek(0); f.write(text + b'\0' * (1024 - len(text)))
PY
}

# damage_stream_keep_hash FILE: break the migration stream's magic ("QEVM") and put the
# new hash in the header, so that only QEMU itself can notice.
damage_stream_keep_hash() {
	python3 - "$1" <<'PY'
import sys, hashlib
path = sys.argv[1]
with open(path, 'r+b') as f:
    head = f.read(1024).rstrip(b'\0').decode()
    fields = dict(l.split(' ', 1) for l in head.split('\n') if ' ' in l)
    start = 1024 + int(fields['console'])
    f.seek(start); assert f.read(4) == b'QEVM'
    f.seek(start); f.write(b'XEVM')
    f.seek(1024); digest = hashlib.sha256(f.read()).hexdigest()
    head = head.replace(fields['sha256'], digest).encode()
    f.seek(0); f.write(head + b'\0' * (1024 - len(head)))
PY
}

same_walk() {  # same_walk NAME FILE1 FILE2: ok when identical, else the first differences
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "walks differ"
		diff "$2" "$3" | head -20 | sed 's/^/# /'
	fi
}

# same_until_interrupts NAME FILE1 FILE2: two Linux walks (drop_kstack_offset'ed text)
# walk the same stops, and every stop is identical, register for register, up to the one
# where the kernel turns interrupts on (IF, 0x200 in eflags), but for the arithmetic flags
# (CF PF AF ZF SF OF): the instruction that applies the random stack offset sets them
# from it. After interrupts are on a timer tick may arrive anywhere: the C code then does
# other work (a reschedule, time keeping) and leaves other values in scratch registers,
# as two runs of one boot do too; only the stops' places are compared from there.
same_until_interrupts() {
	local out
	out=$(python3 - "$2" "$3" <<'PY'
import re, sys
def stops(path):
    text = open(path).read()
    return [b for b in re.split(r'(?m)^(?==== stop )', text) if b.startswith('=== stop ')]
def norm(block):
    # the changed registers as a set (their line wrapping depends on what is listed),
    # eflags without its arithmetic flags
    m = re.search(r'(?ms)^registers changed:(.*?)^(?=msrs:)', block)
    if not m:
        return block, frozenset()
    regs = set()
    for tok in m.group(1).split():
        name, _, val = tok.partition('=')
        if name == 'eflags':
            continue
        regs.add(tok)
    return block[:m.start()] + block[m.end():], frozenset(regs)
def flags(block):
    m = re.search(r'(?ms)^registers changed:.*?eflags=(0x[0-9a-f]+).*?^msrs:', block)
    return int(m.group(1), 16) if m else None
a, b = stops(sys.argv[1]), stops(sys.argv[2])
head = lambda s: s.split('\n', 1)[0]
if [head(s) for s in a] != [head(s) for s in b]:
    first = next((i + 1 for i, (x, y) in enumerate(zip(a, b)) if head(x) != head(y)), min(len(a), len(b)) + 1)
    print(f"the stops differ: {len(a)} and {len(b)}, first at stop {first}")
    sys.exit(1)
exact = 0
for x, y in zip(a, b):
    fx, fy = flags(x), flags(y)
    if norm(x) != norm(y) or \
       (fx is not None and fy is not None and (fx & ~0x8d5) != (fy & ~0x8d5)):
        print(f"stop {exact + 1} differs before interrupts are on: " + head(x))
        sys.exit(1)
    exact += 1
    if (fx or 0) & 0x200:
        break
print(f"{len(a)} stops, {exact} identical up to interrupts on")
PY
)
	if [ $? -eq 0 ]; then
		ok "$1"
		echo "# $out"
	else
		not_ok "$1" "$out"
	fi
}
