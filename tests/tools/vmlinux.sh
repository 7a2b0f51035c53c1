#!/usr/bin/env bash
# tests/tools/vmlinux.sh [fetch]: the debug vmlinux of the real cores'
# kernel (Debian linux-image-6.1.0-56-amd64-dbg), cached in $VMLINUX_CACHE
# (default build/vmlinux, or $BUILD/vmlinux).  Prints its path.  With
# "fetch" (tests/tools/deps.sh test, as root in CI) it is downloaded through
# ../shared/vmcores/get-vmlinux.sh when missing (~860 MB, 1-3 min).
# Without it: exit 77 with a loud SKIP notice.
set -u
rel=6.1.0-56-amd64
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$root/../shared}
cache=${VMLINUX_CACHE:-${BUILD:-$root/build}/vmlinux}
vmlinux=$cache/vmlinux-$rel
if [ ! -s "$vmlinux" ] && [ "${1:-}" = fetch ] &&
   [ -f "$shared/vmcores/get-vmlinux.sh" ]; then
	echo "fetching the debug vmlinux of $rel into $cache" >&2
	# apt-get download needs package lists; a fresh system may have none
	sh "$shared/vmcores/get-vmlinux.sh" "$cache" >/dev/null 2>&1 ||
		{ [ "$(id -u)" = 0 ] && apt-get update -q >/dev/null 2>&1 &&
		  sh "$shared/vmcores/get-vmlinux.sh" "$cache" >/dev/null; } ||
		echo "NOTICE: could not fetch $vmlinux; its tests will be skipped" >&2
fi
if [ ! -s "$vmlinux" ]; then
	echo "SKIP: NOTICE: $vmlinux is missing: -g, -x and --config are not tested." \
		"Fetch it with ../shared/vmcores/get-vmlinux.sh $cache" >&2
	exit 77
fi
echo "$vmlinux"
