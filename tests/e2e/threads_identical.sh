#!/usr/bin/env bash
# --num-threads N gives the same bytes as no worker thread, N = 1, 2, 4, 8,
# for every codec and -F, on a generated core with many batches of pages
# (zoo-6.1 at -d 0: every pfn goes through the pipeline, about 100 000
# pages, zero and data pages interleaved).  tests/tools/threads_cmp.sh.
set -u
core=$TMPBASE/threads_identical.elf
"$TOOLS/mkvmcore" "$ROOT/fixtures/vmcore/zoo-6.1.txt" "$core" "$core.gt" >/dev/null ||
	{ echo "not ok - threads: mkvmcore failed"; exit 1; }
bash "$ROOT/tests/tools/threads_cmp.sh" zoo-6.1 "$core" 0
rc=$?
rm -f "$core" "$core.gt"
exit $rc
