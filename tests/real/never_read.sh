#!/usr/bin/env bash
# Every real vmcore: no read of the tool touches a PG_offline or hwpoison
# pfn of the kernel's ground truth (tests/tools/tracecheck.py).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
rc=0
while read -r scen core; do
	python3 "$ROOT/tests/tools/tracecheck.py" "$SHARED/vmcores/$scen" \
		"$core" "$BIN" "$TMPBASE/trace-$scen" || rc=1
done <<<"$cores"
exit $rc
