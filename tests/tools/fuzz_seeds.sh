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

# fuzz_kdump: saved dumps as input, written by the tool from the small
# synthetic cores: every codec, two dump levels, --split parts, flattened
# streams holding a kdump-compressed and an ELF dump, an incomplete dump
# and one with eraseinfo (tens of KB each)
k=$out/fuzz_kdump
mkdir -p "$k"
# le64 FILE OFFSET VALUE: patch 8 little-endian bytes in place
le64() {
	local v=$3 i b=""
	for i in 0 1 2 3 4 5 6 7; do
		b+=$(printf '\\x%02x' $(((v >> (8 * i)) & 255)))
	done
	printf "$b" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
kd() { "$bin" "$@" >/dev/null 2>&1 || { echo "# makedumpfile $*: failed"; exit 1; }; }
for src in synth-l4-12 synth-l5-30; do
	for c in "" -c -l -p -z; do
		for d in 0 31; do
			kd $c -d $d "$out/fuzz_elf/$src" "$k/$src-d$d$c"
		done
	done
done
s=$out/fuzz_elf/synth-l4-12
kd -c -d 31 --split "$s" "$k/split-1-c" "$k/split-2-c"
kd -z -d 1 --split "$s" "$k/split-1-z" "$k/split-2-z" "$k/split-3-z"
"$bin" -F -c -d 31 "$s" >"$k/flat-c" 2>/dev/null &&
"$bin" -F -p -d 0 "$s" >"$k/flat-p" 2>/dev/null &&
"$bin" -F -E -d 31 "$s" >"$k/flat-elf" 2>/dev/null ||
	{ echo "# -F of the synthetic vmcore failed"; exit 1; }
# incomplete: status INCOMPLETE | zlib, the last pages cut off
cp "$k/synth-l4-12-d0-c" "$k/incomplete-c"
printf '\x09' | dd of="$k/incomplete-c" bs=1 seek=424 conv=notrunc status=none
truncate -s -150 "$k/incomplete-c"
# eraseinfo appended, sub header (at block 1) pointing at it
e=$k/eraseinfo-l
cp "$k/synth-l4-12-d31-l" "$e"
eo=$(stat -c %s "$e")
printf 'erase init_task.cred.uid size 4\nerase jiffies size 8\n' >>"$e"
le64 "$e" $((4096 + 64)) "$eo"
le64 "$e" $((4096 + 72)) $(($(stat -c %s "$e") - eo))
exit 0
