# makedumpfile: one plain Makefile.
#   make            build ./makedumpfile
#   make check      unit, end-to-end and real-vmcore tests
#   make asan       the same build with ASan+UBSan in build-asan/
#   make static     statically linked build-static/makedumpfile (initramfs)
#   make check-kdump  our static binary in a real kdump capture kernel (QEMU)
#   make fuzz       libFuzzer targets (tests/fuzz/fuzz.mk); make fuzz-smoke
#   make install    PREFIX, DESTDIR, SBINDIR, MANDIR honoured
# Optional codecs are found with pkg-config; LZO=0 SNAPPY=0 ZSTD=0 turn
# them off.  CFLAGS, CPPFLAGS and LDFLAGS from the environment are kept.

PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=
PKG_CONFIG ?= pkg-config

CC       ?= cc
CFLAGS   ?= -O2 -g
BUILD    ?= build
BIN      ?= makedumpfile

LZO      ?= 1
SNAPPY   ?= 1
ZSTD     ?= 1
LINKTYPE ?= dynamic

WARN := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -Wundef \
	-Wcast-align -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif

PKGS := libelf libdw zlib
DEFS := -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
ifeq ($(LZO),1)
ifeq ($(shell $(PKG_CONFIG) --exists lzo2 && echo y),y)
PKGS += lzo2
DEFS += -DHAVE_LZO=1
endif
endif
ifeq ($(SNAPPY),1)
ifeq ($(shell $(PKG_CONFIG) --exists snappy && echo y),y)
PKGS += snappy
DEFS += -DHAVE_SNAPPY=1
endif
endif
ifeq ($(ZSTD),1)
ifeq ($(shell $(PKG_CONFIG) --exists libzstd && echo y),y)
PKGS += libzstd
DEFS += -DHAVE_ZSTD=1
endif
endif

# A dynamic build does not link the libraries of -p and -z, nor libdw
# (only -x and -g need it): the codec or dwarfinfo.c loads them on first
# use by the SONAME of the -dev package's link library (include/dynload.h;
# libsnappy's C++ runtime alone is 1.4 MB of RSS at start-up, libdw with
# liblzma and libbz2 0.4 MB).  No SONAME found (or DLOPEN=0): linked.
DLOPEN   ?= 1
LINK_PKGS := $(PKGS)
lib_soname = $(shell f=$$($(CC) -print-file-name=lib$(1).so) && \
	objdump -p "$$f" 2>/dev/null | awk '$$1 == "SONAME" {print $$2; exit}')
define dlopen_pkg
$(2)_SONAME := $$(call lib_soname,$$(patsubst -l%,%,$$(firstword \
	$$(shell $$(PKG_CONFIG) --libs-only-l $(1)))))
ifneq ($$($(2)_SONAME),)
DEFS += -D$(2)_SONAME=\"$$($(2)_SONAME)\"
LINK_PKGS := $$(filter-out $(1),$$(LINK_PKGS))
DLOPEN_LIBS := -ldl
endif
endef
ifeq ($(LINKTYPE)$(DLOPEN),dynamic1)
$(foreach p,$(filter snappy,$(PKGS)),$(eval $(call dlopen_pkg,$(p),SNAPPY)))
$(foreach p,$(filter libzstd,$(PKGS)),$(eval $(call dlopen_pkg,$(p),ZSTD)))
$(foreach p,$(filter libdw,$(PKGS)),$(eval $(call dlopen_pkg,$(p),LIBDW)))
endif

PKG_STATIC := $(if $(filter static,$(LINKTYPE)),--static)
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   := $(shell $(PKG_CONFIG) $(PKG_STATIC) --libs $(LINK_PKGS)) $(DLOPEN_LIBS)
ifeq ($(LINKTYPE),static)
LDSTATIC := -static
# snappy is C++: its static archive needs the C++ runtime
PKG_LIBS += $(if $(filter snappy,$(PKGS)),-lstdc++ -lm)
endif

ALL_CPPFLAGS := -Iinclude $(DEFS) $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS   := -std=gnu11 -pthread $(WARN) $(CFLAGS)
ALL_LDFLAGS  := -pthread $(LDSTATIC) $(LDFLAGS)
LIBS         := $(PKG_LIBS) -lpthread

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard arch/*.c)
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
MAIN_OBJ := $(BUILD)/src/main.o
LIBMDF   := $(BUILD)/libmdf.a

UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))
# the vmcore generator shares no code with the tool it tests
MKVMCORE_SRCS := $(wildcard tests/tools/mkvmcore/*.c)
TOOL_BINS += $(BUILD)/tools/mkvmcore

.PHONY: all clean check check-run check-unit check-e2e check-real asan ubsan tsan install \
	demo tools static check-kdump check-kernel-patch

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(LIBMDF)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(LIBMDF): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBMDF)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBMDF) $(LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIBMDF)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBMDF) $(LIBS)

$(BUILD)/tools/mkvmcore: $(MKVMCORE_SRCS) $(wildcard tests/tools/mkvmcore/*.h)
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(ALL_CFLAGS) -o $@ $(MKVMCORE_SRCS)

tools: $(TOOL_BINS)

# fuzz targets, their replay binaries and the sanitizer lane
include tests/fuzz/fuzz.mk

# The test runner prints one line per test and ends with "N passed, N failed".
# Missing Debian packages are installed first (as root), then everything is
# built and run.
check:
	@bash tests/tools/deps.sh test
	@$(MAKE) --no-print-directory check-run TESTS="$(or $(TESTS),unit e2e real fuzz sanitize kdump)"

check-run: $(BIN) $(UNIT_BINS) $(TOOL_BINS) $(CHECK_EXTRA)
	@BUILD=$(BUILD) BIN=$(abspath $(BIN)) bash tests/run.sh $(TESTS)

check-unit: $(UNIT_BINS)
	@BUILD=$(BUILD) BIN=$(abspath $(BIN)) bash tests/run.sh unit

check-e2e: $(BIN) $(TOOL_BINS)
	@BUILD=$(BUILD) BIN=$(abspath $(BIN)) bash tests/run.sh e2e

check-real: $(BIN) $(TOOL_BINS)
	@BUILD=$(BUILD) BIN=$(abspath $(BIN)) bash tests/run.sh real

# boots Debian's kernel under QEMU, crashes it, runs build-static/makedumpfile
# in the capture kernel (tests/kdump/capture.sh; about 2 minutes under TCG)
check-kdump: $(BIN) $(TOOL_BINS)
	@bash tests/tools/deps.sh kdump
	@BUILD=$(BUILD) BIN=$(abspath $(BIN)) bash tests/run.sh kdump

# for an initramfs: Debian's static archives (libelf.a needs zlib, bzip2,
# xz and zstd; snappy is C++, so libstdc++.a), checked by tests/e2e/static.sh
static:
	@$(MAKE) --no-print-directory LINKTYPE=static BUILD=build-static \
		BIN=build-static/makedumpfile all

# Optional lane (not part of check): Debian's 6.1 kernel built without and
# with kernel/5.1-6.5, booted under QEMU with a balloon, dumped, checked.
check-kernel-patch: $(BIN)
	@BUILD=$(BUILD) BIN=$(abspath $(BIN)) bash tests/kernel/check.sh

# DLOPEN=0: LeakSanitizer (GCC 12) crashes at exit ("Tracer caught signal
# 11") once libdw, which has thread-local data, was dlopen()ed
asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/makedumpfile DLOPEN=0 \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" all $(if $(ASAN_CHECK),check)

ubsan:
	$(MAKE) BUILD=build-ubsan BIN=build-ubsan/makedumpfile \
		CFLAGS="-O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=undefined" all

# ThreadSanitizer: the binary and the pipeline's unit test (tests/sanitize/tsan.sh)
tsan:
	$(MAKE) BUILD=build-tsan BIN=build-tsan/makedumpfile DLOPEN=0 \
		CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" \
		all build-tsan/tests/pipeline_test build-tsan/tests/scan_test

# The main job on a sample: installs missing build dependencies (as root on
# Debian), builds, dumps the balloon core (-l -d 31; a synthetic core without
# ../shared), prints the report and reads the dump back (tests/tools/demo.sh).
demo:
	@bash tests/tools/demo.sh

install: $(BIN)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/makedumpfile
	install -m 0644 makedumpfile.8 $(DESTDIR)$(MANDIR)/man8/makedumpfile.8
	install -m 0644 makedumpfile.conf.5 $(DESTDIR)$(MANDIR)/man5/makedumpfile.conf.5

clean:
	rm -rf build build-asan build-ubsan build-static build-fuzz build-tsan makedumpfile

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)
