# tests/tests.mk: unit tests (cmocka), fuzz harnesses (libFuzzer), and the runner that
# executes them with the integration and ui scripts. Files are found by wildcard:
#   tests/unit/test_*.c        one cmocka program each, linked with the viewer library
#   tests/fuzz/fuzz_*.c        one libFuzzer harness each (clang, ASan+UBSan)
#   tests/integration/*.sh     real QEMU, real kernel
#   tests/ui/*.sh              real tmux driving the real viewer

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
UNIT_CFLAGS := $(VIEWER_CFLAGS) -O0 -Iviewer -Itests/unit $(shell pkg-config --cflags cmocka)
UNIT_LIBS   := $(VIEWER_LIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/tests/unit/%: tests/unit/%.c $(UNIT_HELPERS) $(VIEWER_LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_HELPERS) $(VIEWER_LIB) $(UNIT_LIBS)

# Fuzzing: the viewer sources again, built by clang with the sanitizers and coverage.
FUZZ_CC     := clang
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_OBJS   := $(VIEWER_SRCS:viewer/%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Iviewer -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=undefined $(shell pkg-config --cflags $(VIEWER_PKGS)) \
               -DSYSWALK_DATADIR='"$(PREFIX)/share/syswalk"' -DSYSWALK_SRCDIR='"$(CURDIR)"'
FUZZ_SECONDS ?= 60

$(BUILD)/fuzz/obj/%.o: viewer/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(VIEWER_LIBS)

# make asan: the viewer again, built by clang with AddressSanitizer (LeakSanitizer
# included) and UndefinedBehaviorSanitizer, as build/asan/syswalk; paths.c takes it for
# the tree's own program. tests/integration/asan_suite.sh runs the reliability and
# integration scripts once against it (ASAN_OPTIONS: leaks fatal, every report to a file).
ASAN_CC     := clang
ASAN_BIN    := $(BUILD)/asan/syswalk
ASAN_OBJS   := $(VIEWER_SRCS:viewer/%.c=$(BUILD)/asan/obj/%.o) $(BUILD)/asan/obj/main.o
ASAN_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -g -O1 -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined -Iviewer \
               $(shell pkg-config --cflags $(VIEWER_PKGS)) \
               -DSYSWALK_DATADIR='"$(PREFIX)/share/syswalk"' -DSYSWALK_SRCDIR='"$(CURDIR)"'

$(BUILD)/asan/obj/%.o: viewer/%.c
	@mkdir -p $(@D)
	$(ASAN_CC) $(ASAN_CFLAGS) -c $< -o $@

$(ASAN_BIN): $(ASAN_OBJS)
	$(ASAN_CC) -fsanitize=address,undefined -o $@ $^ $(VIEWER_LIBS)

.PHONY: asan
asan: $(ASAN_BIN)
-include $(ASAN_OBJS:.o=.d)

.PHONY: test test-now unit-tests fuzz fuzz-build
unit-tests: $(UNIT_BINS)
fuzz-build: $(FUZZ_BINS)

# make test: everything, through one runner that prints "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory test-now

test-now: all unit-tests fuzz-build test-tools asan
	@tests/run.sh

# make fuzz: each harness for FUZZ_SECONDS, corpus kept under build/fuzz/corpus.
fuzz: fuzz-build
	@tests/fuzz/run-fuzzers.sh $(FUZZ_SECONDS)

# Test tools: small programs the shell tests drive (a scripted fake gdbstub for fault
# injection, fixtures), one per tests/tools/*.c, linked with the viewer library.
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/tools/%)
$(BUILD)/tests/tools/%: tests/tools/%.c $(VIEWER_LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(VIEWER_LIB) $(UNIT_LIBS)
test-tools: $(TOOL_BINS)
.PHONY: test-tools

# The clang-built objects are only prerequisites of pattern rules: without this make
# deletes them after every run (and prints so after the test summary).
.SECONDARY: $(FUZZ_OBJS)
