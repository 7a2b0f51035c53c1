#!/usr/bin/env bash
# tests/kernel/build.sh VARIANT: build Debian's linux-source-6.1 as a tiny
# x86_64 kernel, VARIANT "stock" (no PAGE_OFFLINE_MAPCOUNT_VALUE export:
# HugeTLB is off) or "patched" (kernel/5.1-6.5 applied).  Prints the path
# of the bzImage on the last line.  Kernels are cached in $KBUILD (default
# build/kernel): a rebuild happens only when the config fragment or the
# patch changed.  Runs at nice 19 with -j${KJOBS:-2}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
variant=${1:?usage: build.sh stock|patched}
KBUILD=${KBUILD:-$root/build/kernel}
KJOBS=${KJOBS:-2}
tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
frag=$here/tiny-balloon.config
patchfile=$(ls "$root"/kernel/5.1-6.5/*.patch)
mkdir -p "$KBUILD"
# git must not take the paths of a patch as ours: stop its repository
# search above the kernel trees
export GIT_CEILING_DIRECTORIES=$KBUILD

stock=$KBUILD/linux-source-6.1
if [ ! -f "$stock/.unpacked" ]; then
	[ -f "$tarball" ] || { echo "no $tarball (apt-get install linux-source-6.1)" >&2; exit 1; }
	t0=$(date +%s)
	rm -rf "$stock"
	tar -xJf "$tarball" -C "$KBUILD"
	touch "$stock/.unpacked"
	echo "unpacked $(basename "$tarball") in $(( $(date +%s) - t0 ))s" >&2
fi

case $variant in
stock)	src=$stock ;;
patched)
	src=$KBUILD/linux-patched
	if [ ! -f "$src/.patched" ] || [ "$patchfile" -nt "$src/.patched" ]; then
		rm -rf "$src"
		# a tree of hard links; patch(1) writes a new file, so the
		# stock tree keeps its crash_core.c
		cp -al "$stock" "$src"
		rm -f "$src/.unpacked"
		(cd "$src" && git apply -v "$patchfile") >&2
		touch "$src/.patched"
	fi ;;
*)	echo "unknown variant $variant" >&2; exit 2 ;;
esac
# the export must be where the variant says, before anything is built
if grep -B3 'VMCOREINFO_NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)' "$src/kernel/crash_core.c" |
   grep -q 'HUGETLB_PAGE_DTOR'; then where=inside; else where=outside; fi
case $variant:$where in
stock:inside|patched:outside) ;;
*) echo "$variant tree has the export $where the HugeTLB block" >&2; exit 1 ;;
esac
[ "$(stat -c %i "$stock/kernel/crash_core.c")" != \
  "$(stat -c %i "$KBUILD/linux-patched/kernel/crash_core.c" 2>/dev/null || echo none)" ] ||
	{ echo "patched and stock trees share crash_core.c" >&2; exit 1; }

out=$KBUILD/out-$variant
stamp=$out/.built
key=$(cat "$frag" "$patchfile" | sha256sum | cut -c1-16)
img=$out/arch/x86/boot/bzImage
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$img" ]; then
	echo "cached: $variant kernel ($img)" >&2
	echo "$img"
	exit 0
fi
mkdir -p "$out"
t0=$(date +%s)
mk() { nice -n 19 make -s -C "$src" O="$out" ARCH=x86_64 "$@"; }
mk tinyconfig >/dev/null
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" "$frag") >/dev/null
mk olddefconfig
# what the lane relies on, checked in the result (olddefconfig silently
# drops options whose dependencies are missing)
for want in CONFIG_VIRTIO_BALLOON=y CONFIG_FW_CFG_SYSFS=y CONFIG_CRASH_CORE=y \
	    CONFIG_SPARSEMEM_VMEMMAP=y CONFIG_PROC_PAGE_MONITOR=y \
	    CONFIG_SERIAL_8250_CONSOLE=y CONFIG_BLK_DEV_INITRD=y; do
	grep -qx "$want" "$out/.config" || { echo "config lacks $want" >&2; exit 1; }
done
if grep -q '^CONFIG_HUGETLB_PAGE=y' "$out/.config"; then
	echo "config has CONFIG_HUGETLB_PAGE: the export would not be missing" >&2
	exit 1
fi
t1=$(date +%s)
mk -j"$KJOBS" bzImage >&2
t2=$(date +%s)
echo "$key" > "$stamp"
echo "built: $variant kernel: config $((t1 - t0))s, bzImage $((t2 - t1))s" >&2
echo "$variant $((t1 - t0)) $((t2 - t1))" >> "$KBUILD/build-times.txt"
echo "$img"
