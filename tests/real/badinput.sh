#!/usr/bin/env bash
# Damaged copies of a real vmcore: truncated, PT_LOAD past the end, no
# VMCOREINFO, a missing key, garbage struct pages (tests/tools/badinput.py).
set -u
core=$(bash "$ROOT/tests/tools/vmcores.sh" balloon | awk '{print $2}') || exit $?
[ -n "$core" ] || { echo "SKIP: no balloon core"; exit 77; }
python3 "$ROOT/tests/tools/badinput.py" "$core" "$BIN" "$TMPBASE/badinput"
rc=$?
rm -f "$TMPBASE"/badinput/*.elf
exit $rc
