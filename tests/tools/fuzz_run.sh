#!/usr/bin/env bash
# tests/tools/fuzz_run.sh TARGET...: build the libFuzzer targets (clang,
# ASan+UBSan) and run each for FUZZ_SECONDS over the seed corpus (made by
# build/tools/fuzzseed from the real and synthetic cores), the regression
# inputs of tests/fuzz/regress/<target>/ and what earlier runs found
# ($FUZZ_BUILD/corpus/<target>/).  One "ok"/"not ok" line per target with
# its execution count; a finding is kept in $FUZZ_BUILD/artifacts/.
# Exit 77 (skip) without clang's libFuzzer runtime (libclang-rt-14-dev).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_CC=${FUZZ_CC:-clang}
secs=${FUZZ_SECONDS:-5}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || {
	for f in tests/fuzz/fuzz_*.c; do
		t=$(basename "$f" .c)
		[ "$t" = fuzz_replay ] || targets+=("$t")
	done
}

mkdir -p "$FUZZ_BUILD/tmp"
probe=$FUZZ_BUILD/tmp/probe
if ! command -v "$FUZZ_CC" >/dev/null ||
   ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' |
	"$FUZZ_CC" -x c -fsanitize=fuzzer,address,undefined -o "$probe" - 2>/dev/null; then
	echo "SKIP: $FUZZ_CC with -fsanitize=fuzzer is not available (Debian: clang libclang-rt-14-dev)"
	exit 77
fi

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make --no-print-directory -j2 FUZZ_BUILD="$FUZZ_BUILD" FUZZ_CC="$FUZZ_CC" \
	fuzz-build >"$FUZZ_BUILD/tmp/build.log" 2>&1 || {
	tail -n 30 "$FUZZ_BUILD/tmp/build.log"
	echo "not ok - fuzz: building the targets failed"
	exit 1
}
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make --no-print-directory BUILD="$BUILD" "$BUILD/tools/fuzzseed" \
	"$BUILD/tools/mkvmcore" makedumpfile \
	>>"$FUZZ_BUILD/tmp/build.log" 2>&1 || {
	echo "not ok - fuzz: building fuzzseed and makedumpfile failed"
	exit 1
}

# seeds: real cores where ../shared/vmcores exists, synthetic ones always
seeds=$FUZZ_BUILD/seeds
bash tests/tools/fuzz_seeds.sh "$seeds" ./makedumpfile "$BUILD/tools" || {
	echo "not ok - fuzz: making the seed corpus failed"
	exit 1
}

rc=0
for t in "${targets[@]}"; do
	bin=$FUZZ_BUILD/fuzz/$t
	corpus=$FUZZ_BUILD/corpus/$t
	log=$FUZZ_BUILD/tmp/$t.log
	mkdir -p "$corpus" "$FUZZ_BUILD/artifacts" "$seeds/$t"
	dirs=("$corpus" "$seeds/$t")
	[ -d "tests/fuzz/regress/$t" ] && dirs+=("tests/fuzz/regress/$t")
	# allocations a dump may ask for: 64 MiB of sections; a kernel log
	# buffer up to the kernel's own 2 GiB limit (reserved, touched only
	# where the dump has pages)
	mlimit=1024 rlimit=2048 tmo=30
	# fuzz_dmesg: its regression input log-buf-len-1.7g frees a 1.7 GiB
	# buffer, whose shadow ASan poisons (212 MB): 2 s of CPU, which took
	# 31 s of wall time under nice 19 at a load of 11 (a 10-minute run
	# stopped on it as a timeout at its second execution)
	[ "$t" = fuzz_dmesg ] && mlimit=2100 rlimit=1536 tmo=120
	# -timeout is wall time: 30 s leaves room for a shared, loaded machine
	# (the slowest hostile inputs take about 1.5 s of CPU under ASan)
	nice -n "${FUZZ_NICE:-19}" "$bin" -max_total_time="$secs" -timeout=$tmo \
		-rss_limit_mb=$rlimit -malloc_limit_mb=$mlimit -print_final_stats=1 \
		-dict="$seeds/vmcoreinfo.dict" \
		-artifact_prefix="$FUZZ_BUILD/artifacts/$t-" "${dirs[@]}" \
		>"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
	if [ $st -eq 0 ]; then
		echo "ok - fuzz: $t: ${execs:-?} executions in ${secs}s, ${cov:-cov: ?}, no finding"
	else
		rc=1
		echo "not ok - fuzz: $t: finding after ${execs:-?} executions (exit $st)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal' "$log" | head -n 8
		echo "# log: $log"
	fi
done
exit $rc
