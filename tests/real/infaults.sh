#!/usr/bin/env bash
# Input faults on a real vmcore: short reads, EINTR, EIO in every part of
# the file, truncation while mapped or read (tests/tools/faults.py).
set -u
shim=$BUILD/fault/faultio_shim.so
[ -f "$shim" ] || { echo "not ok - faults: $shim is not built"; exit 1; }
core=$(bash "$ROOT/tests/tools/vmcores.sh" kdump | awk '{print $2}') || exit $?
[ -n "$core" ] || { echo "SKIP: no kdump core"; exit 77; }
exec python3 "$ROOT/tests/tools/faults.py" "$core" "$BIN" "$shim" "$TMPBASE/faults"
