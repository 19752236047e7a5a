# tests/bench/bench.mk: `make bench` — measured speed, side by side (docs/performance.md).
#   build/bench/bench_walk    the walk engine (viewer library) under the stopwatch
#   build/bench/bench_codec   a fixed RSP codec workload, for callgrind's instruction count
#   build/bench/rsp_floor     a minimal raw RSP client sharing no code with syswalk
# scripts/bench.sh runs them against fresh QEMUs and gdb and prints the figures. It is
# never part of `make test`: timings are reported, not asserted.

BENCH_BINS := $(BUILD)/bench/bench_walk $(BUILD)/bench/bench_codec $(BUILD)/bench/rsp_floor

$(BUILD)/bench/bench_%: tests/bench/bench_%.c $(VIEWER_LIB)
	@mkdir -p $(@D)
	$(CC) $(VIEWER_CFLAGS) -Iviewer -o $@ $< $(VIEWER_LIB) $(VIEWER_LIBS)

# The floor on purpose links nothing of ours.
$(BUILD)/bench/rsp_floor: tests/bench/rsp_floor.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) -O2 -o $@ $<

.PHONY: bench bench-build
bench-build: $(BENCH_BINS)

bench: all bench-build test-tools
	@scripts/bench.sh
