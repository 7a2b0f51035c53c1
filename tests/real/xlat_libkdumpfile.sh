#!/usr/bin/env bash
# Every real vmcore, x86_64 and arm64: our kernel-virtual translation
# agrees with libkdumpfile's on a sample of addresses
# (tests/tools/kvtop.c, tests/tools/xlatcheck.py).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
py=/usr/bin/python3
[ -x $py ] || py=python3
rc=0
while read -r scen core; do
	$py "$ROOT/tests/tools/xlatcheck.py" "$core" "$TOOLS/kvtop" "$scen"
	r=$?
	[ $r = 77 ] && exit 77
	[ $r = 0 ] || rc=1
done <<<"$cores"
exit $rc
