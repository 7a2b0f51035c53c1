#!/usr/bin/env bash
# Every real vmcore, x86_64 and arm64 with the same binary: classification
# against the kernel's ground truth and makedumpfile 1.7.2's counts
# (tests/tools/gtcheck.py says what is checked).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
rc=0
while read -r scen core; do
	python3 "$ROOT/tests/tools/gtcheck.py" "$SHARED/vmcores/$scen" "$core" \
		"$BIN" "$TMPBASE/gt-$scen" || rc=1
done <<<"$cores"
exit $rc
