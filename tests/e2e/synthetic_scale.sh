#!/usr/bin/env bash
# 64 GiB and 1 TiB of RAM (sparse files of a few MiB): ground truth at
# -d 16 and -d 31, peak RSS and wall time of each run printed, memory
# bounded and time linear in the machine's size (tests/tools/synth.py).
set -u
exec python3 "$ROOT/tests/tools/synth.py" "$ROOT/fixtures/vmcore/scale-64g.txt" \
	"$ROOT/fixtures/vmcore/scale-1t.txt"
