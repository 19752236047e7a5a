# kernel/linux.mk: the Linux 6.1 target's own parts (included by the top Makefile).
#
#   make linux-initramfs   build/linux/init (our static init) packed into
#                          build/linux/initramfs.cpio
#   make linux-qemu        boot Debian's kernel with it, serial on this terminal
#                          (Ctrl-A X quits QEMU). LINUX_APPEND adds kernel words:
#                          make linux-qemu LINUX_APPEND="pti=on once"
#
# The kernel itself comes from scripts/fetch-linux.sh (cache/linux/vmlinuz).

LINUX_CACHE  ?= cache/linux
LINUX_APPEND ?=
LINUX_INIT_CFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wa,--fatal-warnings

# Not stripped: tests and the viewer read the init_syscall_* labels with nm.
$(BUILD)/linux/init: kernel/linux-init/init.S kernel/linux.mk
	@mkdir -p $(@D)
	$(CC) $(LINUX_INIT_CFLAGS) -o $@ $<

$(BUILD)/linux/initramfs.cpio: $(BUILD)/linux/init scripts/make-initramfs.sh
	scripts/make-initramfs.sh $< $@

.PHONY: linux-initramfs linux-qemu
linux-initramfs: $(BUILD)/linux/initramfs.cpio

# TCG only (KVM fails on these machines). The command line is syswalk's own
# (viewer/kernels.c: nokaslr so the symbol files' addresses hold), said once there.
linux-qemu: linux-initramfs $(SYSWALK)
	@test -f $(LINUX_CACHE)/vmlinuz || scripts/fetch-linux.sh >/dev/null
	$(QEMU) -kernel $(LINUX_CACHE)/vmlinuz -initrd $(BUILD)/linux/initramfs.cpio \
		-append "$$($(SYSWALK) --target linux --kernel-command-line) $(LINUX_APPEND)" \
		-m 256M -accel tcg -display none -no-reboot -serial mon:stdio
