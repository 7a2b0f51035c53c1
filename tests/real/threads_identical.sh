#!/usr/bin/env bash
# --num-threads N gives the same bytes as no worker thread, N = 1, 2, 4, 8,
# for every codec and -F, on a real core at -d 31 (tests/tools/threads_cmp.sh),
# in one window and in 36864-pfn windows (--cyclic-buffer 9: the struct
# page scan splits each window among the threads).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh" ${THREADS_SCEN:-balloon}) || exit $?
rc=0
while read -r scen core; do
	bash "$ROOT/tests/tools/threads_cmp.sh" "$scen" "$core" 31 || rc=1
	bash "$ROOT/tests/tools/threads_cmp.sh" "$scen" "$core" 31 --cyclic-buffer 9 || rc=1
done <<< "$cores"
exit $rc
