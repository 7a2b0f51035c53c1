#!/usr/bin/env bash
# The sanitizer lane of make check: build everything again with
# ASan+UBSan into build-asan/ (make asan-all) and run the unit and e2e
# suites (the synthetic vmcores: a hostile and era subset), the fuzz
# regression replays, and the real-vmcore bad-input, never-read and
# input-fault checks with those binaries.  Each nested result is one line
# "ok - asan: ..." here; any sanitizer report fails the test it happened in.
set -u
cd "$ROOT" || exit 1
ab=$ROOT/build-asan
log=$TMPBASE/asan-build.log
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j2 \
	asan-all >"$log" 2>&1; then
	tail -n 30 "$log"
	echo "not ok - asan: building with -fsanitize=address,undefined failed"
	exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/sanitize/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}
rc=0
# nested: its PASS/FAIL lines become ours
nested() {
	BUILD=$ab BIN=$ab/makedumpfile TOOLS=$ab/tools TMPBASE=$TMPBASE/asan \
		bash "$ROOT/tests/run.sh" "$@" 2>&1 |
	while IFS= read -r line; do
		case $line in
		PASS:*) echo "ok - asan: ${line#PASS: }" ;;
		FAIL:*) echo "not ok - asan: ${line#FAIL: }" ;;
		*) echo "# $line" ;;
		esac
	done
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
}
nested unit
# e2e: the CLI tests whole; of the synthetic vmcores the hostile ones and one
# per paging/era extreme (all of them, and the RSS bounds of the scale
# cases, are the plain run's: ASan costs time and memory)
nested e2e foreign_dumps writers_cli threads_identical kdump_robust output_names
synth=()
for f in "$ROOT"/fixtures/vmcore/hostile-*.txt "$ROOT"/fixtures/vmcore/zoo-2.6.32.txt \
	 "$ROOT"/fixtures/vmcore/zoo-7.1.txt "$ROOT"/fixtures/vmcore/layout-5level.txt \
	 "$ROOT"/fixtures/vmcore/layout-virtiomem.txt; do
	[ -f "$f" ] && synth+=("$f")
done
if [ ${#synth[@]} -gt 0 ] && [ -f "$ROOT/tests/tools/synth.py" ]; then
	mkdir -p "$TMPBASE/asan"
	TMPBASE=$TMPBASE/asan BIN=$ab/makedumpfile TOOLS=$ab/tools \
		python3 "$ROOT/tests/tools/synth.py" "${synth[@]}" 2>&1 |
	sed 's/^ok - /ok - asan: /; s/^not ok - /not ok - asan: /'
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
fi
# the seeds the plain run made, if it ran first (tests/run.sh order)
FUZZ_SEEDS=$TMPBASE/fuzzseeds nested fuzz replay
# one core for the never-read proofs: the unsanitized run covers them all
NEVERREAD_SCEN=balloon NEVERREAD_NO_HWPOISON=1 nested real badinput neverread infaults
exit $rc
