#!/usr/bin/env bash
# tests/run.sh [unit] [e2e] [real] [kdump] [fuzz] [sanitize] [NAME...]: run the test suites.
#
# unit: every build/tests/*_test binary; e2e: tests/e2e/*.sh; real:
# tests/real/*.sh (real vmcores from ../shared/vmcores); fuzz: tests/fuzz/*.sh
# (regression replay, fuzz smoke); sanitize: tests/sanitize/*.sh (the suites
# again under ASan+UBSan, valgrind); kdump: tests/kdump/*.sh (QEMU, minutes;
# its output is shown as it runs, so the capture kernel's log is in the CI
# log; not run by default).  A test program
# prints "ok - name" / "not ok - name" lines, each counted; a script that
# prints none counts once by its exit status (77 = skipped).  The last line
# is "N passed, N failed"; the exit status is non-zero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export ROOT=$root
export BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
export BIN=${BIN:-$root/makedumpfile}
export TOOLS=$BUILD/tools
export SHARED=${SHARED:-$root/../shared}
export VMCORE_CACHE=${VMCORE_CACHE:-$BUILD/vmcores}
export TMPBASE=${TMPBASE:-$BUILD/testtmp}
mkdir -p "$TMPBASE"

suites=()
filters=()
for a in "$@"; do
	case $a in
	unit|e2e|real|slow|kdump|fuzz|sanitize) suites+=("$a") ;;
	*) filters+=("$a") ;;
	esac
done
[ ${#suites[@]} -eq 0 ] && suites=(unit e2e real fuzz sanitize)

pass=0 fail=0 skip=0
failed_names=()

want() {
	local n=$1 f
	[ ${#filters[@]} -eq 0 ] && return 0
	for f in "${filters[@]}"; do
		case $n in *"$f"*) return 0 ;; esac
	done
	return 1
}

# Tests run in parallel (TEST_JOBS, default the number of CPUs); each
# writes its own log, and results are printed in a fixed order at the end.
jobs_max=${TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
names=()
logs=()

# start NAME CMD...: run in the background, log and status to files
start() {
	local name=$1; shift
	local log="$TMPBASE/$(echo "$name" | tr '/ ' '__').log"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n 2>/dev/null || true
	done
	names+=("$name")
	logs+=("$log")
	if [ "${LIVE:-0}" = 1 ]; then
		# long interactive suites (kdump): in the foreground, shown as they go
		local t0
		wait
		t0=$(date +%s)
		"$@" </dev/null 2>&1 | tee "$log"
		echo "${PIPESTATUS[0]} $(( $(date +%s) - t0 ))" >"$log.rc"
		return
	fi
	(
		s=$(date +%s)
		"$@" >"$log" 2>&1
		echo "$? $(( $(date +%s) - s ))" >"$log.rc"
	) </dev/null &
}

# count NAME LOG: count its ok/not ok lines, or its exit status
count() {
	local name=$1 log=$2 rc secs oks noks
	read -r rc secs <"$log.rc" || { rc=1; secs=0; }
	oks=$(grep -c '^ok - ' "$log")
	noks=$(grep -c '^not ok - ' "$log")
	if [ "$rc" -eq 77 ] && [ "$noks" -eq 0 ]; then
		skip=$((skip + 1))
		echo "SKIP: $name ($(grep -m1 '^SKIP' "$log" | sed 's/^SKIP:* *//'))"
		return
	fi
	if [ "$oks" -gt 0 ] || [ "$noks" -gt 0 ]; then
		pass=$((pass + oks))
		fail=$((fail + noks))
		grep -E '^(ok|not ok) - ' "$log" | sed 's/^ok - /PASS: /; s/^not ok - /FAIL: /'
		echo "TIME: $name ${secs}s"
		if [ "$noks" -gt 0 ] || [ "$rc" -ne 0 ]; then
			[ "$noks" -eq 0 ] && { fail=$((fail + 1)); echo "FAIL: $name (exit $rc)"; }
			failed_names+=("$name")
			echo "---- $name output (tail) ----"; tail -n 60 "$log"; echo "----"
		fi
	elif [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS: $name (${secs}s)"
	else
		fail=$((fail + 1))
		failed_names+=("$name")
		echo "FAIL: $name (exit $rc, ${secs}s)"
		echo "---- $name output (tail) ----"; tail -n 60 "$log"; echo "----"
	fi
}

t0=$(date +%s)
for s in "${suites[@]}"; do
	case $s in
	unit)
		for t in "$BUILD"/tests/*_test; do
			[ -x "$t" ] || continue
			want "$(basename "$t")" || continue
			start "unit/$(basename "$t")" "$t"
		done ;;
	e2e|real|slow|kdump|fuzz|sanitize)
		for t in "$root/tests/$s"/*.sh; do
			[ -f "$t" ] || continue
			want "$(basename "$t" .sh)" || continue
			LIVE=$([ "$s" = kdump ] && echo 1) \
				start "$s/$(basename "$t" .sh)" bash "$t"
		done ;;
	esac
done
wait
for i in "${!names[@]}"; do
	count "${names[$i]}" "${logs[$i]}"
done
echo "TIME: total $(( $(date +%s) - t0 ))s with $jobs_max parallel jobs"

[ $skip -gt 0 ] && echo "$skip skipped"
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
