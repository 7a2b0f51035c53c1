#!/usr/bin/env bash
# Every x86_64 real vmcore: small cycles, the non-cyclic bitmap file,
# --non-mmap and --mmap give the answer of the default run; pread() runs
# by default, mmap windows with --mmap; peak RSS stays under 64 MiB
# (tests/tools/cyclecheck.py).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
rc=0
while read -r scen core; do
	case $scen in arm64-*) # until arch/arm64.c exists
		"$BIN" --dry-run -d 31 "$core" /dev/null >/dev/null 2>&1 ||
			{ echo "# $scen: arm64 not supported yet"; continue; } ;;
	esac
	python3 "$ROOT/tests/tools/cyclecheck.py" "$core" "$BIN" \
		"$TMPBASE/cyclic-$scen" || rc=1
done <<<"$cores"
exit $rc
