#!/usr/bin/env bash
# The race lane of make check: build the binary and the pipeline and scan
# unit tests with ThreadSanitizer into build-tsan/ (make tsan), run the unit
# tests, then dump a synthetic core with --num-threads 1, 2 and 4 (-c, -l):
# no race report, and the same bytes as the plain binary without threads.
# --num-threads is fitted to the CPUs (N >= CPUs: CPUs - 1 workers and the
# helping main thread), so those dumps run with tests/tools/preload/cpus_shim.c
# saying 16 CPUs: N workers and the main thread helping them, whatever the
# machine; --num-threads 4 once more without it takes this machine's fit.
set -u
cd "$ROOT" || exit 1
tb=$ROOT/build-tsan
log=$TMPBASE/tsan-build.log
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j2 \
	tsan >"$log" 2>&1; then
	tail -n 30 "$log"
	echo "not ok - tsan: building with -fsanitize=thread failed"
	exit 1
fi
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:exitcode=66}
# TSan needs its fixed address layout: without ASLR where setarch may
norand=()
if setarch "$(uname -m)" -R true >/dev/null 2>&1; then
	norand=(setarch "$(uname -m)" -R)
fi
run() {
	"${norand[@]}" "$@"
}
# a machine where TSan's runtime cannot start at all is not a race
probe=$(run "$tb/tests/pipeline_test" 2>&1)
if grep -q 'FATAL: ThreadSanitizer' <<<"$probe"; then
	echo "SKIP: ThreadSanitizer cannot run here: $(grep -m1 'FATAL: ThreadSanitizer' <<<"$probe")"
	exit 77
fi
rc=0
for t in pipeline_test scan_test; do
	out=$(run "$tb/tests/$t" 2>&1)
	st=$?
	sed -n 's/^ok - /ok - tsan: /p; s/^not ok - /not ok - tsan: /p' <<<"$out"
	if [ $st -ne 0 ] || grep -q 'ThreadSanitizer' <<<"$out"; then
		echo "not ok - tsan: $t exit $st"
		grep -A12 'WARNING: ThreadSanitizer' <<<"$out" | head -40 | sed 's/^/# /'
		rc=1
	fi
done

dir=$TMPBASE/tsan
rm -rf "$dir"
mkdir -p "$dir"
core=$dir/zoo.elf
if ! "$TOOLS/mkvmcore" "$ROOT/fixtures/vmcore/zoo-5.10.txt" "$core" "$dir/zoo.gt" \
	>/dev/null 2>&1; then
	echo "not ok - tsan: mkvmcore could not build the synthetic core"
	exit 1
fi
shim=$dir/cpus_shim.so
if ! cc -shared -fPIC -O2 -o "$shim" "$ROOT/tests/tools/preload/cpus_shim.c" -ldl; then
	echo "not ok - tsan: cannot build cpus_shim.so"
	exit 1
fi
for c in c l; do
	"$BIN" -$c -d 31 "$core" "$dir/ref.$c" >/dev/null 2>&1 ||
		{ echo "not ok - tsan: the plain binary could not dump -$c"; rc=1; continue; }
	for n in 1 2 4 fit4; do
		o=$dir/out.$c.$n
		rm -f "$o"
		pre=(env LD_PRELOAD="$shim" MDF_SHIM_CPUS=16)
		case $n in fit*) n=${n#fit} pre=() ;; esac
		run "${pre[@]}" "$tb/makedumpfile" -$c -d 31 --num-threads $n "$core" "$o" \
			>"$dir/log" 2>&1
		st=$?
		if [ $st -eq 0 ] && ! grep -q 'ThreadSanitizer' "$dir/log" &&
		   cmp -s "$o" "$dir/ref.$c"; then
			echo "ok - tsan: -$c -d 31 --num-threads $n${pre[*]:+ (16 CPUs)}: no race, the bytes of the run without threads"
		else
			echo "not ok - tsan: -$c -d 31 --num-threads $n: exit $st"
			grep -A12 'WARNING: ThreadSanitizer' "$dir/log" | head -40 | sed 's/^/# /'
			rc=1
		fi
	done
done
rm -rf "$dir"
exit $rc
