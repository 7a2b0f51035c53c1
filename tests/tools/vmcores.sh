#!/usr/bin/env bash
# tests/tools/vmcores.sh [SCENARIO...]: make the real vmcores of
# ../shared/vmcores available, decompressed, in $VMCORE_CACHE.
# Prints "<scenario> <path of the core>" per line.  Exit 77 if the shared
# folder is absent (tests then skip with a loud notice).
set -eu
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/../shared}
cache=${VMCORE_CACHE:-build/vmcores}
dir=$SHARED/vmcores
if [ ! -d "$dir" ]; then
	echo "SKIP: $dir is absent: real-vmcore tests cannot run" >&2
	exit 77
fi
mkdir -p "$cache"
scen=("$@")
if [ ${#scen[@]} -eq 0 ]; then
	for d in "$dir"/*/; do scen+=("$(basename "$d")"); done
fi
for s in "${scen[@]}"; do
	src=$(ls "$dir/$s"/*.elf.xz 2>/dev/null | head -n1)
	[ -n "$src" ] || continue
	out=$cache/$s/$(basename "$src" .xz)
	if [ ! -s "$out" ] || [ "$src" -nt "$out" ]; then
		mkdir -p "$cache/$s"
		# one decompression at a time per core, safe against parallel runs
		(
			flock 9
			if [ ! -s "$out" ] || [ "$src" -nt "$out" ]; then
				xz -dc "$src" > "$out.tmp.$$" && mv "$out.tmp.$$" "$out"
			fi
		) 9>"$cache/$s/.lock"
	fi
	echo "$s $out"
done
