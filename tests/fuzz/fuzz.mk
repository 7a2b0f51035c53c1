# tests/fuzz/fuzz.mk: fuzzing and sanitizer lanes (included by Makefile).
#   make fuzz         every libFuzzer target for FUZZ_SECONDS (default 600)
#   make fuzz-smoke   the same for a few seconds each (also in make check)
#   make fuzz-build   libFuzzer binaries in $(FUZZ_BUILD)/fuzz/ (clang)
#   make asan-all     binary, unit tests, tools, replays, shim in build-asan/
# tests/fuzz/fuzz_<target>.c are the targets; $(BUILD)/replay/<target> is the
# same target with a plain main() (fuzz_replay.c) for regressions and seeds.

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_SRCS    := $(filter-out tests/fuzz/fuzz_replay.c,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
REPLAY_BINS  := $(patsubst %,$(BUILD)/replay/%,$(FUZZ_TARGETS))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_FLAGS   := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=undefined

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-targets replay asan-all

# what make check needs beyond the unit tests and tools
FAULT_SO     := $(BUILD)/fault/faultio_shim.so
CHECK_EXTRA  := $(REPLAY_BINS) $(FAULT_SO)

replay: $(REPLAY_BINS)

# the LD_PRELOAD fault injector (tests/fault/faultio_shim.c): never
# sanitized itself, so it loads into any build
$(FAULT_SO): tests/fault/faultio_shim.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -g $(WARN) -o $@ $< -ldl -lpthread

$(BUILD)/replay/%: tests/fuzz/%.c tests/fuzz/fuzz_replay.c tests/fuzz/fuzz_mem.h $(LIBMDF)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ \
		$< tests/fuzz/fuzz_replay.c $(LIBMDF) $(LIBS)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
		CFLAGS="-O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
		LDFLAGS="$(FUZZ_SAN)" fuzz-targets

fuzz-targets: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_TARGETS))

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_mem.h $(LIBMDF)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) $(ALL_LDFLAGS) \
		-fsanitize=fuzzer -o $@ $< $(LIBMDF) $(LIBS)

fuzz: $(TOOL_BINS)
	@BUILD=$(BUILD) FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		bash tests/tools/fuzz_run.sh $(FUZZ_TARGETS)

fuzz-smoke: $(TOOL_BINS)
	@BUILD=$(BUILD) FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$${FUZZ_SMOKE_SECONDS:-5} \
		bash tests/tools/fuzz_run.sh $(FUZZ_TARGETS)

# DLOPEN=0 as in make asan (LeakSanitizer and a dlopen()ed libdw)
asan-all:
	@$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/makedumpfile DLOPEN=0 \
		CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		all $(patsubst $(BUILD)/%,build-asan/%,$(UNIT_BINS) $(TOOL_BINS) $(CHECK_EXTRA))
