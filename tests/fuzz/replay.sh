#!/usr/bin/env bash
# The fuzz targets without libFuzzer ($BUILD/replay/, any compiler): every
# regression input of tests/fuzz/regress/<target>/ (findings of earlier
# fuzzing, kept so they stay fixed) and the whole seed corpus (synthetic and
# from the real cores).  A broken invariant or a crash fails the target.
set -u
seeds=$TMPBASE/fuzzseeds
rm -rf "$seeds"
cores=$(bash "$ROOT/tests/tools/vmcores.sh" 2>/dev/null | awk '{print $2}')
# shellcheck disable=SC2086
"$TOOLS/fuzzseed" "$seeds" $cores || { echo "not ok - fuzz replay: fuzzseed failed"; exit 1; }
[ -n "$cores" ] || echo "# no real vmcores: synthetic seeds only"
"$BIN" -F -l -d 31 "$seeds/fuzz_elf/synth-l4-12" >"$seeds/fuzz_flat/synth-F-l" \
	2>/dev/null || { echo "not ok - fuzz replay: -F of the synthetic vmcore failed"; exit 1; }
rc=0
for bin in "$BUILD"/replay/fuzz_*; do
	t=$(basename "$bin")
	dirs=()
	[ -d "$ROOT/tests/fuzz/regress/$t" ] && dirs+=("$ROOT/tests/fuzz/regress/$t")
	[ -d "$seeds/$t" ] && dirs+=("$seeds/$t")
	nreg=$(ls "$ROOT/tests/fuzz/regress/$t" 2>/dev/null | wc -l)
	if out=$("$bin" "${dirs[@]}" 2>&1); then
		echo "ok - fuzz replay: $t: $(echo "$out" | tail -n1) ($nreg regressions)"
	else
		rc=1
		echo "not ok - fuzz replay: $t: $(echo "$out" | tail -n 5)"
	fi
done
exit $rc
