#!/usr/bin/env bash
# The fuzz targets without libFuzzer ($BUILD/replay/, any compiler): every
# regression input of tests/fuzz/regress/<target>/ (findings of earlier
# fuzzing, kept so they stay fixed) and the whole seed corpus (synthetic and
# from the real cores).  A broken invariant or a crash fails the target.
set -u
# FUZZ_SEEDS: a corpus made earlier (the ASan lane reuses the plain one)
seeds=${FUZZ_SEEDS:-$TMPBASE/fuzzseeds}
if [ -z "${FUZZ_SEEDS:-}" ] || [ ! -d "$seeds/fuzz_elf" ]; then
	seeds=$TMPBASE/fuzzseeds
	bash "$ROOT/tests/tools/fuzz_seeds.sh" "$seeds" "$BIN" "$TOOLS" ||
		{ echo "not ok - fuzz replay: making the seed corpus failed"; exit 1; }
fi
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
