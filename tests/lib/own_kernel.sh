# tests/lib/own_kernel.sh: syswalk on a kernel a learner builds from Debian's
# linux-source-6.1 (scripts/build-linux.sh NAME), sourced by tests/integration/own_kernel_*.sh.
#
# The notes were written on Debian's cloud kernel; this kernel is another build (another
# config, another compiler output). What must hold anyway: the walk runs with the build
# tree's vmlinux and with its System.map, the CPU's facts hold at every stop, notes the
# kernel lacks are left out and counted (never placed elsewhere), a false claim is
# carried as a caveat, and without symbols the path is still found.
#
#   own_kernel_test NAME HAS_IA32 HAS_PTI
own_kernel_test() {
	local name=$1 has_ia32=$2 has_pti=$3
	local out rc
	out=$("$ROOT/scripts/build-linux.sh" "$name" 2>"$TMP/build.err"); rc=$?
	if [ $rc -eq 3 ]; then
		skip "own kernel '$name'" "$(tail -n1 "$TMP/build.err") (run scripts/install-deps.sh, then scripts/build-linux.sh $name)"
		return 0
	elif [ $rc -ne 0 ]; then
		not_ok "build the '$name' kernel with scripts/build-linux.sh" "$(tail -n3 "$TMP/build.err" | tr '\n' ' ')"
		return 0
	fi
	ok "scripts/build-linux.sh $name built $out"
	make -C "$ROOT" --no-print-directory linux-initramfs >/dev/null || { not_ok "build the init"; return 0; }
	local image=$out/arch/x86/boot/bzImage

	# 1. The image alone on the command line: its symbols come from the build tree.
	timeout 300 "$SYSWALK" --target linux --kernel "$image" --export "$TMP/all.json" --syscall all \
		>"$TMP/all.out" 2>"$TMP/all.err"
	check_eq "$name: --kernel bzImage --export --syscall all exits 0" 0 $?
	python3 - "$TMP/all.json" <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["kernel_files"]
want = "kernel bzImage; symbols vmlinux (ELF, from the build tree); DWARF vmlinux; config .config"
print(("ok" if files == want else "not ok") + f" - the export names the build tree's vmlinux and .config ({files})")
PY
	if [ "$has_ia32" = no ]; then
		check "$name: the int80 walk is named as unavailable, not attempted" \
			grep -q 'this kernel has no IA32_EMULATION (not set in the kernel.s .config): the int80 walk is not available' "$TMP/all.err"
	fi
	nm "$ROOT/build/linux/init" >"$TMP/init.sym"
	python3 - "$TMP/all.json" "$out/System.map" "$TMP/init.sym" "$ROOT/tests/lib" "$has_ia32" "$name" <<'PY'
import sys
sys.path.insert(0, sys.argv[4])
import trace_facts as t
trace = t.load(sys.argv[1])
kernel = {l.split()[2]: int(l.split()[0], 16) for l in open(sys.argv[2]) if len(l.split()) == 3}
user = {l.split()[2]: int(l.split()[0], 16) for l in open(sys.argv[3]) if len(l.split()) == 3}
has_ia32, name = sys.argv[5] == "yes", sys.argv[6]
n = 0
def check(what, ok, detail=""):
    global n
    n += 1
    print(("ok" if ok else "not ok") + f" {n} - {name}: {what}" + ("" if ok else f" ({detail})"))

walks = t.walks(trace)
want = ["write", "getpid", "enosys", "x32"] + (["int80"] if has_ia32 else [])
check("every demo syscall the kernel takes was walked: " + " ".join(want), list(walks) == want, list(walks))
check("the trace names the kernel's files", "vmlinux" in (trace.get("kernel_files") or ""), trace.get("kernel_files"))
for sc, stops in walks.items():
    if sc == "int80":
        continue
    first, last = stops[0], stops[-1]
    ret = user["init_syscall_" + sc] + 2
    check(f"{sc}: the first stop is entry_SYSCALL_64 of this kernel (LSTAR)",
          t.value(first["rip"]) == kernel["entry_SYSCALL_64"] == t.msr(first, "LSTAR")[0], first["location"])
    check(f"{sc}: at the entry RCX holds the address after the user's syscall", t.reg(first, "rcx") == ret)
    sysret = [s for s in stops if t.current_insn(s).startswith("sysret")]
    check(f"{sc}: the walk stops at sysretq", len(sysret) == 1, [s["location"] for s in sysret])
    if sysret:
        s = sysret[0]
        check(f"{sc}: at sysretq RCX is the saved pt_regs->ip", t.reg(s, "rcx") == t.slot(s, "ip") == ret)
    check(f"{sc}: after sysretq RIP is the saved RCX, CS 0x33, SS 0x2b",
          last["cpl"] == 3 and t.value(last["rip"]) == ret and t.reg(last, "cs") == 0x33 and t.reg(last, "ss") == 0x2b,
          (last["rip"], t.reg(last, "cs"), t.reg(last, "ss")))
# No note on an instruction its anchor does not name.
wrong = []
for s in trace["snapshots"]:
    a = s["anchor"]
    if not a or s["kind"] != "anchor":
        continue
    insn = t.current_insn(s)
    a = a.strip("`")
    if "->" in a:
        target = a.split("->")[1].split("#")[0]
        ok = insn.split()[0].startswith(("call", "jmp")) and insn.split()[-1] == target
    elif "/" in a:
        spec = a.split("/")[1].split("#")[0]
        mnem, _, ops = spec.partition(":")
        ok = insn.split()[0].startswith(mnem) and (not ops or "&" in ops or ops in insn.replace(" ", ""))
    elif "+" in a:
        ok = True
    else:
        ok = t.value(s["rip"]) == kernel.get(a, user.get(a, -1))
    if not ok:
        wrong.append(f"{a} on '{insn}'")
check("every note sits on the instruction its anchor names", not wrong, "; ".join(sorted(set(wrong))[:5]))
caveats = [s for s in trace["snapshots"] if s.get("note_caveats")]
check("notes whose claims do not hold on this build carry a caveat", bool(caveats))
check("a caveat names the claim and the live values",
      all("does not hold here" in s["note_caveats"] or "cannot be checked" in s["note_caveats"] for s in caveats))
PY

	# 2. Its own System.map instead of vmlinux (as `make` writes it, with '?' lines):
	# the same stops at the same addresses.
	grep -q '^[0-9a-f]* ? ' "$out/System.map"
	check "$name: its System.map has the '?' lines make writes" test $? -eq 0
	timeout 300 "$SYSWALK" --target linux --kernel "$image" --symbols "$out/System.map" \
		--export "$TMP/map.json" --syscall getpid 2>"$TMP/map.err"
	check_eq "$name: --symbols System.map walks getpid" 0 $?
	timeout 300 "$SYSWALK" --target linux --kernel "$image" --export "$TMP/elf.json" --syscall getpid 2>/dev/null
	python3 - "$TMP/map.json" "$TMP/elf.json" "$name" <<'PY'
import json, sys
a, b = (json.load(open(p))["snapshots"] for p in sys.argv[1:3])
ra, rb = [s["rip"] for s in a], [s["rip"] for s in b]
print(("ok" if ra == rb else "not ok") + f" - {sys.argv[3]}: System.map and vmlinux give the same {len(ra)} stops"
      + ("" if ra == rb else f" ({ra} vs {rb})"))
PY

	# 3. --check-annotations tells "does not apply" from "wrong".
	local pti=""
	[ "$has_pti" = yes ] && pti=--pti
	timeout 300 "$SYSWALK" --target linux $pti --kernel "$image" --check-annotations "$ROOT/annotations/linux-6.1" \
		>"$TMP/check.txt" 2>&1
	local summary
	summary=$(tail -n1 "$TMP/check.txt")
	echo "# $name: $summary"
	check "$name: every anchor resolves or is declared not to apply (0 anchors not found)" \
		grep -q ', 0 anchors not found;' <<<"$summary"
	if [ "$has_ia32" = no ]; then
		check "$name: the int80 notes do not apply (requires CONFIG_IA32_EMULATION)" \
			grep -q '^asm_int80_emulation .*does not apply: requires CONFIG_IA32_EMULATION' "$TMP/check.txt"
	fi
	if [ "$has_pti" = no ]; then
		check "$name: the CR3 notes do not apply (requires CONFIG_PAGE_TABLE_ISOLATION)" \
			grep -q 'mov:%cr3,%rsp .*does not apply: requires CONFIG_PAGE_TABLE_ISOLATION' "$TMP/check.txt"
	else
		check "$name: with --pti the CR3 notes apply" grep -qE '^`?entry_SYSCALL_64/mov:%cr3,%rsp`? +0x' "$TMP/check.txt"
	fi

	# 3b. A kernel that panics is reported in its own words, not as a dead socket.
	if [ "$name" = minimal ]; then
		timeout 120 "$SYSWALK" --target linux --kernel "$image" --append rdinit=/nonexistent --batch \
			--syscall getpid >/dev/null 2>"$TMP/panic.err"
		check_eq "$name: a kernel without its init fails the walk (status 1)" 1 $?
		check "$name: the message is the kernel's panic line" \
			grep -q 'the kernel panicked: "Kernel panic - not syncing: No working init found' "$TMP/panic.err"
	fi

	# 4. The image alone, no symbols anywhere: the path is still found from the CPU,
	# and addresses no symbol covers are shown as numbers.
	mkdir -p "$TMP/alone"
	cp "$image" "$TMP/alone/bzImage"
	timeout 300 "$SYSWALK" --target linux --kernel "$TMP/alone/bzImage" --export "$TMP/alone.json" \
		--syscall getpid 2>"$TMP/alone.err"
	check_eq "$name: without any symbols the getpid walk runs" 0 $?
	python3 - "$TMP/alone.json" "$out/System.map" "$ROOT/tests/lib" "$name" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[3])
import trace_facts as t
stops = t.load(sys.argv[1])["snapshots"]
kernel = {l.split()[2]: int(l.split()[0], 16) for l in open(sys.argv[2]) if len(l.split()) == 3}
name = sys.argv[4]
def say(what, ok, detail=""):
    print(("ok" if ok else "not ok") + f" - {name}, no symbols: {what}" + ("" if ok else f" ({detail})"))
c = t.first_at(stops, "do_syscall_64")
say("do_syscall_64 found by disassembly is the real one", t.value(c["rip"]) == kernel["do_syscall_64"], c["rip"])
far = [i["att"] for s in stops for i in s["insns"] if re.search(r"\+0x[0-9a-f]{4,}", i["att"])]
say("no branch target is named symbol+far-offset", not far, far[:3])
top = t.first_at(stops, "entry_SYSCALL_64_safe_stack")
say("the frame was found (stack top read without symbols)", top["frame"]["valid"] and
    t.reg(top, "rsp") == t.value(top["frame"]["base"]) + 168)
PY
}
