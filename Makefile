# syswalk: one non-recursive Makefile. Every output goes under build/.
# The parts live in fragments (kernel/kernel.mk, viewer/viewer.mk, tests/tests.mk)
# that are included here, so there is one make process and one dependency graph.
#
#   make run       build, then open the walkthrough on the teaching kernel
#   make test      build, then run every test (unit, integration, ui, short fuzz)
#   make bench     measure speed against the raw protocol floor and gdb
#   make fuzz      run each libFuzzer harness for FUZZ_SECONDS (default 60)

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

# make run opens the viewer on the teaching kernel (kernel.mk's default was its console).
RUN_CMD := $(SYSWALK)

.PHONY: all deps clean run run-now run-linux run-linux-now
all: kernel viewer

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

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
