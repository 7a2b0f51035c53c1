#!/usr/bin/env bash
# The fuzz targets without libFuzzer ($BUILD/replay/, any compiler): every
# regression input of tests/fuzz/regress/<target>/ (findings of earlier
# fuzzing, kept so they stay fixed) and the whole seed corpus (synthetic and
# from the real cores).  A broken invariant or a crash fails the target.
set -u
# FUZZ_SEEDS: a corpus made by another run (the ASan lane's reuses the plain
# one when that is complete: tests may run in parallel); else make one
seeds=$TMPBASE/fuzzseeds
if [ -n "${FUZZ_SEEDS:-}" ] && [ -f "$FUZZ_SEEDS/.complete" ] &&
   [ "$FUZZ_SEEDS" != "$seeds" ]; then
	rm -rf "$seeds" && cp -r "$FUZZ_SEEDS" "$seeds"
else
	rm -rf "$seeds.tmp"
	bash "$ROOT/tests/tools/fuzz_seeds.sh" "$seeds.tmp" "$BIN" "$TOOLS" ||
		{ echo "not ok - fuzz replay: making the seed corpus failed"; exit 1; }
	touch "$seeds.tmp/.complete"
	rm -rf "$seeds" && mv "$seeds.tmp" "$seeds"
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
