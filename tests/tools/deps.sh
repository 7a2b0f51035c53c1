#!/usr/bin/env bash
# tests/tools/deps.sh [build|test|kernel]: install missing Debian packages.
# build: what compiling needs; test: also the peers tests compare with and
# the kernel source the companion patch is checked against; kernel: what
# make check-kernel-patch needs to build, boot and dump a kernel.
# Does nothing when everything is present; needs root and apt-get otherwise.
set -u
what=${1:-build}
build_pkgs="gcc make pkg-config libelf-dev libdw-dev zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev xz-utils"
test_pkgs="python3 makedumpfile crash python3-drgn python3-libkdumpfile file"
kernel_pkgs="linux-source-6.1 bc bison flex libssl-dev libelf-dev cpio qemu-system-x86 busybox-static python3 patch git"
pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$build_pkgs $test_pkgs linux-source-6.1 patch"
[ "$what" = kernel ] && pkgs="$build_pkgs $kernel_pkgs"
missing=()
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "missing packages: ${missing[*]} (install them as root)" >&2
		exit 1
	fi
	echo "installing: ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null 2>&1 || true
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		{ echo "apt-get install failed" >&2; exit 1; }
fi
# crash and drgn need the debug vmlinux of the real vmcores' kernel
[ "$what" = test ] && bash "$(dirname "$0")/vmlinux.sh"
exit 0
