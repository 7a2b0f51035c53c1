#!/usr/bin/env bash
# tests/tools/fuzz_seeds.sh OUTDIR BIN TOOLS: the fuzz seed corpus.
# fuzzseed (tests/tools/fuzzseed.c) over the real cores of ../shared/vmcores
# (where present) and over synthetic cores that mkvmcore makes from
# fixtures/vmcore/ (every kernel era, 5-level paging, virtio-mem, hostile
# content; deleted afterwards), plus a -F stream of the tool's own.
set -u
out=$1 bin=$2 tools=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out/cores"
cores=$(bash "$root/tests/tools/vmcores.sh" 2>/dev/null | awk '{print $2}')
[ -n "$cores" ] || echo "# no real vmcores: synthetic seeds only"
synth=()
for f in "$root"/fixtures/vmcore/zoo-*.txt "$root"/fixtures/vmcore/hostile-*.txt \
	 "$root"/fixtures/vmcore/layout-5level.txt \
	 "$root"/fixtures/vmcore/layout-virtiomem.txt; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .txt)
	mkdir -p "$out/cores/$n"
	if "$tools/mkvmcore" "$f" "$out/cores/$n/vmcore.elf" "$out/cores/$n/gt" \
		>/dev/null 2>&1; then
		synth+=("$out/cores/$n/vmcore.elf")
	else
		echo "# mkvmcore $n failed: no seeds from it"
	fi
done
# shellcheck disable=SC2086
"$tools/fuzzseed" "$out" $cores "${synth[@]}" || exit 1
rm -rf "$out/cores"
"$bin" -F -l -d 31 "$out/fuzz_elf/synth-l4-12" >"$out/fuzz_flat/synth-F-l" \
	2>/dev/null || { echo "# -F of the synthetic vmcore failed"; exit 1; }
exit 0
