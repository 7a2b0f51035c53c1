#!/usr/bin/env bash
# tests/tools/debkernel.sh DIR: Debian 12's current 6.1 kernel, the one the
# meta package linux-image-amd64 depends on, in DIR: DIR/vmlinuz,
# DIR/lib/modules/REL (what the kdump test's guests need, with modules.dep),
# DIR/RELEASE.  Downloads the .deb (~70 MB) with apt-get download on first
# use; later calls reuse DIR.  Needs apt and dpkg (Debian), not root.
set -eu
dir=$1
if [ -s "$dir/RELEASE" ] && [ -e "$dir/vmlinuz" ]; then
	exit 0
fi
resolve() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-6\.1\.[0-9]/ { print $2; exit }'
}
pkg=$(resolve)
if [ -z "$pkg" ]; then
	apt-get update -q >/dev/null 2>&1 || true
	pkg=$(resolve)
fi
[ -n "$pkg" ] || { echo "debkernel: cannot resolve linux-image-amd64 to a 6.1 kernel package" >&2; exit 1; }
rel=${pkg#linux-image-}
mkdir -p "$dir/debs"
if ! ls "$dir/debs/${pkg}"_*.deb >/dev/null 2>&1; then
	# an old package list may name a version the archive dropped
	(cd "$dir/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) || {
		apt-get update -q >/dev/null 2>&1 || true
		pkg=$(resolve); rel=${pkg#linux-image-}
		(cd "$dir/debs" && apt-get download -q "$pkg")
	} || { echo "debkernel: apt-get download $pkg failed" >&2; exit 1; }
fi
deb=$(ls "$dir/debs/${pkg}"_*.deb | head -n1)
rm -rf "$dir/root"
mkdir -p "$dir/root"
# the kernel, module metadata and the module directories the guests load
# from (fs/ is also the content of the guest's data disk)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/root" --wildcards \
	"./boot/vmlinuz-$rel" "./lib/modules/$rel/modules.*" \
	"./lib/modules/$rel/kernel/fs/*" "./lib/modules/$rel/kernel/lib/*" \
	"./lib/modules/$rel/kernel/crypto/*" \
	"./lib/modules/$rel/kernel/arch/x86/crypto/*" \
	"./lib/modules/$rel/kernel/drivers/virtio/*" \
	"./lib/modules/$rel/kernel/drivers/block/virtio_blk.ko*" \
	"./lib/modules/$rel/kernel/mm/*"
depmod -b "$dir/root" "$rel"
ln -sfn "root/boot/vmlinuz-$rel" "$dir/vmlinuz"
ln -sfn "root/lib/modules/$rel" "$dir/modules"
dpkg-deb -f "$deb" Version > "$dir/VERSION"
echo "$rel" > "$dir/RELEASE"
