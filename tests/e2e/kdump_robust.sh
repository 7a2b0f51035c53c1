#!/usr/bin/env bash
# Saved dumps as hostile input, on a synthetic 5.10 core (no real vmcore
# needed): faults injected into a kdump-compressed input and its flattened
# stream (short reads, EINTR, EIO in every region), hostile headers, a
# stream of holes, --reassemble with impossible parts
# (tests/tools/kdump_robust.py).
set -u
shim=$BUILD/fault/faultio_shim.so
[ -f "$shim" ] || { echo "not ok - kdump robust: $shim is not built"; exit 1; }
dir=$TMPBASE/kdump_robust
rm -rf "$dir"
mkdir -p "$dir"
core=$dir/zoo.elf
if ! "$TOOLS/mkvmcore" "$ROOT/fixtures/vmcore/zoo-5.10.txt" "$core" "$dir/zoo.gt" >/dev/null 2>&1; then
	echo "not ok - kdump robust: mkvmcore could not build the synthetic core"
	exit 1
fi
python3 "$ROOT/tests/tools/kdump_robust.py" "$core" "$BIN" "$shim" "$dir"
rc=$?
rm -rf "$dir"
exit $rc
