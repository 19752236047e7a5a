# kernel/kernel.mk: the teaching kernel (x86_64, booted by QEMU -kernel through PVH).
#
#   make kernel     build/kernel/syswalk-kernel.elf (+ .lst, .sym) and the
#                   -nopti variant built with page-table isolation off
#   make qemu       boot it, serial console on this terminal (Ctrl-A X quits)
#   make qemu-gdb   the same, stopped at the first instruction, gdbstub on a
#                   private unix socket; prints the gdb command to attach
#
# Every kernel C/assembly file is compiled twice, once per variant
# (build/kernel/obj/ and build/kernel/obj-nopti/); the ring-3 demo once.

KERNEL_DIR   := $(BUILD)/kernel
KERNEL_ELF   := $(KERNEL_DIR)/syswalk-kernel.elf
KERNEL_NOPTI := $(KERNEL_DIR)/syswalk-kernel-nopti.elf
KERNEL_GEN   := $(KERNEL_DIR)/gen
KCC          ?= $(CC)

KERNEL_CFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
                 -mno-sse -mno-mmx -mno-80387 -fno-stack-protector -fno-omit-frame-pointer \
                 -fno-asynchronous-unwind-tables -fcf-protection=none -nostdlib -O2 -g \
                 -Wall -Wextra -Werror -MMD -MP -Ikernel -I$(KERNEL_GEN)
# The demo is ordinary ring-3 code at 0x400000: small code model, red zone allowed.
USER_CFLAGS   := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=small \
                 -mno-sse -mno-mmx -mno-80387 -fno-stack-protector -fno-omit-frame-pointer \
                 -fno-asynchronous-unwind-tables -fcf-protection=none -fno-builtin -nostdlib -O2 -g \
                 -Wall -Wextra -Werror -MMD -MP -Ikernel -I$(KERNEL_GEN)
KERNEL_LDFLAGS := -nostdlib -no-pie -Wl,-T,kernel/kernel.ld -Wl,-z,max-page-size=0x1000 \
                  -Wl,-z,noexecstack -Wl,--build-id=sha1

KERNEL_SRCS := $(wildcard kernel/*.c kernel/*.S)
USER_SRCS   := $(wildcard kernel/user/*.c kernel/user/*.S)
KERNEL_OBJS_PTI   := $(patsubst kernel/%,$(KERNEL_DIR)/obj/%.o,$(KERNEL_SRCS))
KERNEL_OBJS_NOPTI := $(patsubst kernel/%,$(KERNEL_DIR)/obj-nopti/%.o,$(KERNEL_SRCS))
USER_OBJS   := $(patsubst kernel/user/%,$(KERNEL_DIR)/user/%.o,$(USER_SRCS))
USER_OBJ    := $(KERNEL_DIR)/user.o

# Generated from the syscall tables, as Linux does (see scripts/gen-syscall-table.sh).
GEN_SYSCALL := scripts/gen-syscall-table.sh
KERNEL_GEN_HDRS := $(addprefix $(KERNEL_GEN)/,syscalls_64.h syscalls_x32.h syscalls_32.h \
                   unistd_64.h unistd_64_x32.h unistd_32_ia32.h)

$(KERNEL_GEN)/syscalls_64.h: kernel/syscall_64.tbl $(GEN_SYSCALL)
	@mkdir -p $(@D)
	$(GEN_SYSCALL) table $< common,64 $@
$(KERNEL_GEN)/syscalls_x32.h: kernel/syscall_64.tbl $(GEN_SYSCALL)
	@mkdir -p $(@D)
	$(GEN_SYSCALL) table $< common,x32 $@
$(KERNEL_GEN)/syscalls_32.h: kernel/syscall_32.tbl $(GEN_SYSCALL)
	@mkdir -p $(@D)
	$(GEN_SYSCALL) table $< i386 $@
$(KERNEL_GEN)/unistd_64.h: kernel/syscall_64.tbl $(GEN_SYSCALL)
	@mkdir -p $(@D)
	$(GEN_SYSCALL) header $< common,64 '' $@
$(KERNEL_GEN)/unistd_64_x32.h: kernel/syscall_64.tbl $(GEN_SYSCALL)
	@mkdir -p $(@D)
	$(GEN_SYSCALL) header $< common,x32 x32_ $@
$(KERNEL_GEN)/unistd_32_ia32.h: kernel/syscall_32.tbl $(GEN_SYSCALL)
	@mkdir -p $(@D)
	$(GEN_SYSCALL) header $< i386 ia32_ $@

$(KERNEL_OBJS_PTI) $(KERNEL_OBJS_NOPTI) $(USER_OBJS): | $(KERNEL_GEN_HDRS)

$(KERNEL_DIR)/obj/%.o: kernel/% kernel/kernel.mk
	@mkdir -p $(@D)
	$(KCC) $(KERNEL_CFLAGS) -DCONFIG_PAGE_TABLE_ISOLATION=1 -c $< -o $@
$(KERNEL_DIR)/obj-nopti/%.o: kernel/% kernel/kernel.mk
	@mkdir -p $(@D)
	$(KCC) $(KERNEL_CFLAGS) -DCONFIG_PAGE_TABLE_ISOLATION=0 -c $< -o $@
$(KERNEL_DIR)/user/%.o: kernel/user/% kernel/kernel.mk
	@mkdir -p $(@D)
	$(KCC) $(USER_CFLAGS) -c $< -o $@

# The demo as one relocatable object whose sections are renamed .user.*,
# so the linker script can place them at 0x400000. It must not reference
# any kernel symbol: ring 3 cannot execute kernel code.
$(USER_OBJ): $(USER_OBJS)
	$(LD) -r -o $@.tmp $^
	@undef=$$(nm -u $@.tmp); if [ -n "$$undef" ]; then \
		echo "kernel/user: the ring-3 demo references symbols it does not define:" >&2; \
		echo "$$undef" >&2; rm -f $@.tmp; exit 1; fi
	objcopy --prefix-alloc-sections=.user $@.tmp $@
	@rm -f $@.tmp

$(KERNEL_ELF): $(KERNEL_OBJS_PTI) $(USER_OBJ) kernel/kernel.ld
	$(KCC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS_PTI) $(USER_OBJ)
$(KERNEL_NOPTI): $(KERNEL_OBJS_NOPTI) $(USER_OBJ) kernel/kernel.ld
	$(KCC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS_NOPTI) $(USER_OBJ)

# For annotation authors: disassembly with source, and the symbols in address order.
$(KERNEL_DIR)/%.lst: $(KERNEL_DIR)/%.elf
	objdump -d -S --no-show-raw-insn $< > $@
$(KERNEL_DIR)/%.sym: $(KERNEL_DIR)/%.elf
	nm -n $< > $@

.PHONY: kernel qemu qemu-gdb
kernel: $(KERNEL_ELF) $(KERNEL_NOPTI) $(KERNEL_ELF:.elf=.lst) $(KERNEL_ELF:.elf=.sym)

QEMU_KERNEL_ARGS := -kernel $(KERNEL_ELF) -m 64M -accel tcg -display none -no-reboot \
                    -device isa-debug-exit,iobase=0xf4,iosize=0x04
KERNEL_APPEND ?=

# Exit status 33 means the kernel asked QEMU to stop with success (0x10).
qemu: kernel
	@echo "Booting $(KERNEL_ELF) (Ctrl-A X quits QEMU)"
	@$(QEMU) $(QEMU_KERNEL_ARGS) -serial mon:stdio $(if $(KERNEL_APPEND),-append "$(KERNEL_APPEND)"); \
		rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 33 ] || { echo "QEMU exited with status $$rc"; exit $$rc; }

# The gdbstub listens on a unix socket in a fresh 0700 directory: never a TCP
# port another user of the machine could connect to.
qemu-gdb: kernel
	@dir=$$(mktemp -d "$${TMPDIR:-/tmp}/syswalk-gdb.XXXXXX") && chmod 700 "$$dir" && \
	trap 'rm -rf "$$dir"' EXIT && \
	echo "QEMU is stopped at the first instruction. In another terminal:" && \
	echo "  gdb $(KERNEL_ELF) -ex 'target remote $$dir/gdb.sock'" && \
	echo "(Ctrl-A X quits QEMU)" && \
	$(QEMU) $(QEMU_KERNEL_ARGS) -serial mon:stdio -S \
		-chardev socket,path=$$dir/gdb.sock,server=on,wait=off,id=gdb0 -gdb chardev:gdb0 \
		$(if $(KERNEL_APPEND),-append "$(KERNEL_APPEND)"); true

RUN_CMD ?= $(MAKE) --no-print-directory qemu
