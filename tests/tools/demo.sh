#!/usr/bin/env bash
# make demo: build, then filter a real vmcore (virtio-balloon guest, Debian
# 6.1 kernel) and print makedumpfile's report.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash tests/tools/deps.sh build
make -s
export VMCORE_CACHE=${VMCORE_CACHE:-$root/build/vmcores}
core=$(bash tests/tools/vmcores.sh balloon | awk '{print $2}')
out=build/demo.kdump
rm -f "$out"
echo "== ./makedumpfile -d 31 --show-stats $core $out (dry run)"
./makedumpfile --dry-run -d 31 --show-stats --message-level 23 "$core" "$out"
