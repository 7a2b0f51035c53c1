#!/usr/bin/env bash
# make fuzz-smoke inside make check: every libFuzzer target for a few
# seconds (FUZZ_SMOKE_SECONDS, default 5).  Skipped with a notice when clang's
# fuzzer runtime is missing (tests/tools/deps.sh installs it).
set -u
cd "$ROOT" || exit 1
FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-5} BUILD=$BUILD exec bash tests/tools/fuzz_run.sh
