#!/usr/bin/env bash
# tests/kernel/build.sh VARIANT: build Debian's linux-source-6.1 as a tiny
# x86_64 kernel, VARIANT "stock" (no PAGE_OFFLINE_MAPCOUNT_VALUE export:
# HugeTLB is off) or "patched" (kernel/5.1-6.5 applied).  Prints the path
# of the bzImage on stdout, the rest on stderr.
#
# One source tree and one object directory in $KBUILD (default
# build/kernel): the patch is applied or reverted in place, so the second
# variant only recompiles kernel/crash_core.c and relinks.  Each variant's
# bzImage is kept with the hash of the config fragment and the patch it
# was built from; a rebuild happens only when they change.  make runs at
# nice 19 with -j${KJOBS:-2}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
variant=${1:?usage: build.sh stock|patched}
KBUILD=${KBUILD:-$root/build/kernel}
KJOBS=${KJOBS:-2}
tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
frag=$here/tiny-balloon.config
patchfile=$(ls "$root"/kernel/5.1-6.5/*.patch)
case $variant in stock|patched) ;; *) echo "unknown variant $variant" >&2; exit 2 ;; esac
mkdir -p "$KBUILD"
src=$KBUILD/linux-source-6.1
obj=$KBUILD/obj
img=$KBUILD/bzImage-$variant
key=$(cat "$frag" "$patchfile" | sha256sum | cut -c1-16)
# git must not take the patch's paths as ours: stop its repository
# search above the kernel tree
export GIT_CEILING_DIRECTORIES=$KBUILD

if [ -f "$img" ] && [ "$(cat "$img.key" 2>/dev/null)" = "$key" ]; then
	echo "cached: $variant kernel" >&2
	echo "$img"
	exit 0
fi

if [ ! -f "$src/.unpacked" ]; then
	[ -f "$tarball" ] || { echo "no $tarball (apt-get install linux-source-6.1)" >&2; exit 1; }
	t0=$(date +%s)
	rm -rf "$src" "$obj"
	tar -xJf "$tarball" -C "$KBUILD"
	touch "$src/.unpacked"
	echo "unpacked $(basename "$tarball") in $(( $(date +%s) - t0 ))s" >&2
fi

# the tree's state: where the export sits decides, not a marker file
state() {
	if grep -B3 'VMCOREINFO_NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)' "$src/kernel/crash_core.c" |
	   grep -q 'HUGETLB_PAGE_DTOR'; then echo stock; else echo patched; fi
}
if [ "$(state)" != "$variant" ]; then
	if [ "$variant" = patched ]; then
		(cd "$src" && git apply -v "$patchfile") >&2
	else
		(cd "$src" && git apply -v -R "$patchfile") >&2
	fi
fi
[ "$(state)" = "$variant" ] || { echo "could not put the tree in its $variant state" >&2; exit 1; }

mk() { nice -n 19 make -s -C "$src" O="$obj" ARCH=x86_64 "$@"; }
t0=$(date +%s)
fkey=$(sha256sum <"$frag" | cut -c1-16)
if [ "$(cat "$obj/.fragment.key" 2>/dev/null)" != "$fkey" ]; then
	mkdir -p "$obj"
	mk tinyconfig >&2
	(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "$frag") >/dev/null
	mk olddefconfig >&2
	# olddefconfig silently drops options whose dependencies are missing:
	# check what the lane relies on
	for want in CONFIG_VIRTIO_BALLOON=y CONFIG_FW_CFG_SYSFS=y \
		    CONFIG_FW_CFG_SYSFS_CMDLINE=y CONFIG_CRASH_CORE=y \
		    CONFIG_SPARSEMEM_VMEMMAP=y CONFIG_PROC_PAGE_MONITOR=y \
		    CONFIG_SERIAL_8250_CONSOLE=y CONFIG_BLK_DEV_INITRD=y; do
		grep -qx "$want" "$obj/.config" || { echo "config lacks $want" >&2; exit 1; }
	done
	if grep -q '^CONFIG_HUGETLB_PAGE=y' "$obj/.config"; then
		echo "config has CONFIG_HUGETLB_PAGE: the export would not be missing" >&2
		exit 1
	fi
	echo "$fkey" > "$obj/.fragment.key"
fi
t1=$(date +%s)
mk -j"$KJOBS" bzImage >&2
t2=$(date +%s)
cp "$obj/arch/x86/boot/bzImage" "$img"
echo "$key" > "$img.key"
echo "built: $variant kernel: config $((t1 - t0))s, bzImage $((t2 - t1))s" >&2
echo "$variant config=$((t1 - t0))s bzImage=$((t2 - t1))s $(date -u +%FT%TZ)" >> "$KBUILD/build-times.txt"
echo "$img"
