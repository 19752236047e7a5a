# syswalk: one non-recursive Makefile. Every output goes under build/.
# The parts live in fragments (kernel/kernel.mk, viewer/viewer.mk, tests/tests.mk)
# that are included here, so there is one make process and one dependency graph.
#
#   make run       build, then open the walkthrough on the teaching kernel
#   make test      build, then run every test (unit, integration, ui, short fuzz)
#   make bench     measure speed against the raw protocol floor and gdb
#   make fuzz      run each libFuzzer harness for FUZZ_SECONDS (default 60)
#   make install   install under PREFIX (default /usr/local; DESTDIR stages); make uninstall

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := /bin/bash

BUILD   := build
PREFIX  ?= /usr/local
QEMU    ?= qemu-system-x86_64

CC      ?= cc
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP
# Werror is on everywhere: CI builds exactly what developers build.

include kernel/kernel.mk
include viewer/viewer.mk
include tests/tests.mk
-include kernel/linux.mk
-include tests/bench/bench.mk

# make run opens the viewer on the teaching kernel (kernel.mk's default was its console).
RUN_CMD := $(SYSWALK)

.PHONY: all deps clean run run-now run-linux run-linux-now
all: kernel viewer linux-initramfs

# The README's two commands install what is missing first, then build in a fresh make
# (its pkg-config look-ups must see the libraries just installed): so they work on a
# fresh machine.
deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory run-now

run-now: all
	$(RUN_CMD)

# The real Linux target: Debian's 6.1 cloud kernel, fetched as package files into cache/.
run-linux: deps
	@scripts/fetch-linux.sh --dbg >/dev/null
	@$(MAKE) --no-print-directory run-linux-now

run-linux-now: all linux-initramfs
	$(SYSWALK) --target linux

clean:
	rm -rf $(BUILD)

# make install PREFIX=/usr/local DESTDIR=/tmp/stage: the program, its data and its man
# page under the usual places. The binary looks for its data in $(PREFIX)/share/syswalk
# (compiled into paths.o), so paths.o is rebuilt whenever PREFIX changes (the stamp
# below); DESTDIR only stages the files, as packagers expect, and is not compiled in.
# Build as yourself, then install as root: make && sudo make install.
BINDIR   := $(PREFIX)/bin
DATADIR  := $(PREFIX)/share/syswalk
MAN1DIR  := $(PREFIX)/share/man/man1
DOCDIR   := $(PREFIX)/share/doc/syswalk
INSTALL  ?= install
INSTALL_DOCS := README.md docs/user-guide.md docs/classroom.md docs/annotations.md \
                docs/trace-format.md docs/trace-schema.json
# Every target's annotation folder that exists (teach/, linux-6.1/), each file by name.
INSTALL_NOTES := $(wildcard annotations/*/*.md)
# The Linux target's own init, when built (make linux-initramfs); Debian's kernel is not
# installed: point SYSWALK_CACHE at the directory scripts/fetch-linux.sh filled.
INSTALL_LINUX := $(wildcard $(BUILD)/linux/init $(BUILD)/linux/initramfs.cpio)

PREFIX_STAMP := $(BUILD)/prefix.stamp
$(PREFIX_STAMP): FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = "$(PREFIX)" ] || echo "$(PREFIX)" >$@
$(BUILD)/viewer/paths.o: $(PREFIX_STAMP)
.PHONY: FORCE install uninstall
FORCE:

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/annotations $(DESTDIR)$(MAN1DIR) \
		$(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 755 $(SYSWALK) $(DESTDIR)$(BINDIR)/syswalk
	$(INSTALL) -m 644 $(KERNEL_ELF) $(KERNEL_NOPTI) $(DESTDIR)$(DATADIR)/
	$(INSTALL) -m 644 annotations/glossary.md $(DESTDIR)$(DATADIR)/annotations/
	@for f in $(INSTALL_NOTES); do \
		d=$(DESTDIR)$(DATADIR)/$$(dirname $$f); \
		echo "$(INSTALL) -m 644 $$f $$d/"; \
		$(INSTALL) -d $$d && $(INSTALL) -m 644 $$f $$d/ || exit 1; \
	done
	$(if $(INSTALL_LINUX),$(INSTALL) -m 644 $(INSTALL_LINUX) $(DESTDIR)$(DATADIR)/)
	@# The page's FILES name the default data directory; say the one compiled in.
	sed 's|/usr/local/|$(PREFIX)/|g' docs/syswalk.1 >$(DESTDIR)$(MAN1DIR)/syswalk.1
	chmod 644 $(DESTDIR)$(MAN1DIR)/syswalk.1
	$(INSTALL) -m 644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/

# Removes exactly what install puts there (and the folders, when that leaves them empty).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/syswalk $(DESTDIR)$(MAN1DIR)/syswalk.1
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
