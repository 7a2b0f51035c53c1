#!/usr/bin/env bash
# Output faults (EIO, short writes, EINTR, fdatasync, SIGINT/SIGTERM/SIGHUP
# at several points), file modes and output names on a real vmcore
# (tests/tools/outfaults.py).
set -u
shim=$BUILD/fault/faultio_shim.so
[ -f "$shim" ] || { echo "not ok - outfaults: $shim is not built"; exit 1; }
core=$(bash "$ROOT/tests/tools/vmcores.sh" kdump | awk '{print $2}') || exit $?
[ -n "$core" ] || { echo "SKIP: no kdump core"; exit 77; }
python3 "$ROOT/tests/tools/outfaults.py" "$core" "$BIN" "$shim" \
	"$TOOLS/dumpcheck" "$TMPBASE/outfaults"
rc=$?
rm -rf "$TMPBASE/outfaults"
exit $rc
