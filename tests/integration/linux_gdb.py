# linux_gdb.py: the gdb side of tests/integration/linux_gdb.sh (gdb is the oracle).
#
# Run as `gdb -batch -nx -x linux_gdb.py` with the addresses in the environment
# (from System.map and from nm of build/linux/init); the shell script starts QEMU
# and judges the results. This script only observes and prints one line per fact:
#
#   result NAME VALUE      a value the shell script compares with what it expects
#   info NAME VALUE        a figure for a TAP comment (never a pass/fail bound)
#   error TEXT             something went wrong here; the shell reports it
#
# Only hardware breakpoints (hbreak) are used: a software breakpoint writes int3
# into the kernel text, which the live alternatives patching of the kernel may race
# with, and which a real walk of our own must never leave behind.
import os
import re
import time

import gdb

env = os.environ
ENTRY = int(env["SYM_entry_SYSCALL_64"], 16)
DO_SYSCALL_64 = int(env["SYM_do_syscall_64"], 16)
X64_SYS_CALL = int(env["SYM_x64_sys_call"], 16)
SYSRETQ_LABEL = int(env["SYM_entry_SYSRETQ_unsafe_stack"], 16)
INIT = {name: int(env["INIT_" + name], 16)
        for name in ("getpid", "enosys", "x32", "int80")}
STEP_LIMIT = 5000          # the getpid walk takes about 300; a runaway stops here
MASK64 = (1 << 64) - 1

# struct pt_regs offsets (arch/x86/include/asm/ptrace.h, x86_64)
PT_ORIG_AX, PT_IP, PT_CS, PT_SS = 0x78, 0x80, 0x88, 0xa0


def result(name, value):
    print("result %s %s" % (name, value), flush=True)


def info(name, value):
    print("info %s %s" % (name, value), flush=True)


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & MASK64


def read_u64(addr):
    data = gdb.selected_inferior().read_memory(addr, 8).tobytes()
    return int.from_bytes(data, "little")


def insn_at(pc):
    arch = gdb.selected_frame().architecture()
    return arch.disassemble(pc)[0]


def run_to(addr, condition=None):
    """Continue until a hardware breakpoint at ADDR (optionally conditional) hits."""
    gdb.execute("delete", to_string=True)
    gdb.execute("hbreak *0x%x" % addr, to_string=True)
    if condition:
        gdb.execute("condition $bpnum %s" % condition, to_string=True)
    gdb.execute("continue", to_string=True)
    gdb.execute("delete", to_string=True)
    if reg("pc") != addr:
        raise gdb.GdbError("stopped at 0x%x, not at 0x%x" % (reg("pc"), addr))


def find_sysretq():
    """The sysretq itself has no symbol: disassemble the live kernel after the label."""
    pc = SYSRETQ_LABEL
    for _ in range(16):
        insn = insn_at(pc)
        if insn["asm"].split()[0].startswith("sysret"):
            return pc
        pc += insn["length"]
    raise gdb.GdbError("no sysretq within 16 instructions of entry_SYSRETQ_unsafe_stack")


def report_pt_regs(base):
    # Read the frame now, inside the kernel: with PTI the kernel stack is not
    # mapped in the user page table, so after the CR3 switch back (at sysretq)
    # the gdbstub cannot read it any more ("Cannot access memory").
    result("pt_regs_cs", "0x%x" % read_u64(base + PT_CS))
    result("pt_regs_orig_ax", read_u64(base + PT_ORIG_AX))
    result("pt_regs_ip", "0x%x" % read_u64(base + PT_IP))
    result("pt_regs_ss", "0x%x" % read_u64(base + PT_SS))


def our_entry(label, nr):
    # At entry_SYSCALL_64, RCX is the user RIP after the 2-byte syscall: only our
    # init's syscall at LABEL with number NR stops here; every other hit runs on.
    return "$rcx == 0x%x && $rax == %d" % (INIT[label] + 2, nr)


def main():
    t0 = float(env["QEMU_STARTED"])
    gdb.execute("target remote " + env["GDB_SOCKET"], to_string=True)

    # 1. getpid at entry: the contract of the SYSCALL instruction.
    run_to(ENTRY, our_entry("getpid", 39))
    info("boot_to_first_stop", "%.1f" % (time.time() - t0))
    result("entry_rcx", "0x%x" % reg("rcx"))
    result("entry_rax", reg("rax"))
    result("entry_cs", "0x%x" % reg("cs"))
    # PTI: the CR3 switch after the scratch store is a jmp over it when PTI is off.
    after_store = insn_at(ENTRY + 3)
    after_store = insn_at(ENTRY + 3 + after_store["length"])
    info("insn_after_scratch_store", "_".join(after_store["asm"].split()))

    # 2. Walk to sysretq one instruction at a time, recording what executes.
    sysretq = find_sysretq()
    steps, seen_do_syscall_64, seen_x64_sys_call, cr3_writes = 0, False, False, 0
    while reg("pc") != sysretq and steps < STEP_LIMIT:
        pc = reg("pc")
        if pc == DO_SYSCALL_64:
            seen_do_syscall_64 = True
            report_pt_regs(reg("rdi"))      # first argument: struct pt_regs *
            result("do_syscall_64_nr", reg("rsi"))
        if pc == X64_SYS_CALL:
            seen_x64_sys_call = True
        if re.match(r"mov\s+%\w+,%cr3", insn_at(pc)["asm"]):
            cr3_writes += 1
        gdb.execute("stepi", to_string=True)
        steps += 1
    result("reached_sysretq", "yes" if reg("pc") == sysretq else "no")
    info("instructions_entry_to_sysretq", steps + 1)   # counting sysretq itself
    result("passed_do_syscall_64", "yes" if seen_do_syscall_64 else "no")
    result("passed_x64_sys_call", "yes" if seen_x64_sys_call else "no")
    result("cr3_writes", cr3_writes)

    # 3. At sysretq: the return value and where SYSRET will go.
    result("sysretq_rax", reg("rax"))
    saved_rcx = reg("rcx")
    result("sysretq_rcx", "0x%x" % saved_rcx)
    gdb.execute("stepi", to_string=True)
    result("user_rip_is_saved_rcx", "yes" if reg("pc") == saved_rcx else "no (rip 0x%x)" % reg("pc"))
    result("user_cs", "0x%x" % reg("cs"))

    # 4. An unknown number, and the x32 bit: both answered at sysretq.
    for label, nr in (("enosys", 500), ("x32", 0x40000000 | 39)):
        run_to(ENTRY, our_entry(label, nr))
        run_to(sysretq, "$rcx == 0x%x" % (INIT[label] + 2))
        value = reg("rax")
        result(label + "_rax", value - (1 << 64) if value >> 63 else value)

    # 5. int $0x80 (eax = 20, the i386 getpid): back in user mode after the int.
    run_to(INIT["int80"] + 2)
    result("int80_eax", reg("rax") & 0xffffffff)


try:
    main()
except (gdb.error, gdb.GdbError, KeyError, ValueError) as e:
    print("error %s" % str(e).replace("\n", " "), flush=True)
