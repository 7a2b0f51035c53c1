#!/usr/bin/env bash
# Every real vmcore: classification against the kernel's ground truth and
# makedumpfile 1.7.2's counts (tests/tools/gtcheck.py says what is checked).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
rc=0
while read -r scen core; do
	case $scen in arm64-*) # until arch/arm64.c exists
		"$BIN" --dry-run -d 31 "$core" /dev/null >/dev/null 2>&1 ||
			{ echo "# $scen: arm64 not supported yet"; continue; } ;;
	esac
	python3 "$ROOT/tests/tools/gtcheck.py" "$SHARED/vmcores/$scen" "$core" \
		"$BIN" "$TMPBASE/gt-$scen" || rc=1
done <<<"$cores"
exit $rc
