#!/usr/bin/env bash
# --num-threads N gives the same bytes as no worker thread, N = 1, 2, 4, 8,
# for every codec and -F (tests/tools/threads_cmp.sh):
# - zoo-6.1 at -d 0: every pfn goes through the pipeline, about 100 000
#   pages, zero and data pages interleaved;
# - layout-free-straddle at -d 31, whole and with an 8 KiB cyclic buffer:
#   free blocks of order 16 and 17 and an order-18 hugetlb page, so that
#   the struct page scan's split points (aligned to 2^16 pfns and less at
#   4 and 8 threads, 2^13 in the 32768-pfn windows) fall inside free
#   blocks and the gigantic page, and the windows cut them too;
# - hugetlb-gigantic-6.1 at -d 31: a 1 GiB page across split points.
set -u
rc=0
run() {
	local fx=$1 level=$2 core=$TMPBASE/threads_identical.$1.elf
	shift 2
	"$TOOLS/mkvmcore" "$ROOT/fixtures/vmcore/$fx.txt" "$core" "$core.gt" >/dev/null ||
		{ echo "not ok - threads: mkvmcore $fx failed"; rc=1; return; }
	bash "$ROOT/tests/tools/threads_cmp.sh" "$fx" "$core" "$level" "$@" || rc=1
	rm -f "$core" "$core.gt"
}
run zoo-6.1 0
run layout-free-straddle 31
run layout-free-straddle 31 --cyclic-buffer 8
run hugetlb-gigantic-6.1 31
exit $rc
