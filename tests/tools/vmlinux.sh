#!/usr/bin/env bash
# tests/tools/vmlinux.sh: fetch the debug vmlinux of the real vmcores'
# kernel (Debian linux-image-6.1.0-56-amd64-dbg, ~860 MB download, only
# vmlinux is kept) into $VMLINUX_CACHE (default build/vmlinux), so that
# tests/real/write_readers.sh can run crash and drgn.  Does nothing when it
# is there or ../shared is absent; a failed download only warns (the tests
# then skip with a notice).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
get=${SHARED:-$root/../shared}/vmcores/get-vmlinux.sh
dest=${VMLINUX_CACHE:-$root/build/vmlinux}
[ -f "$get" ] || exit 0
[ -s "$dest/vmlinux-6.1.0-56-amd64" ] && exit 0
echo "fetching the debug vmlinux into $dest (~860 MB, once)" >&2
sh "$get" "$dest" >/dev/null 2>&1 && exit 0
# a fresh machine may have no package lists yet
if [ "$(id -u)" = 0 ]; then
	apt-get update -q >/dev/null 2>&1
	sh "$get" "$dest" >/dev/null 2>&1 && exit 0
fi
echo "warning: could not fetch the debug vmlinux: crash and drgn tests will be skipped" >&2
exit 0
