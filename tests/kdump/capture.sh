#!/usr/bin/env bash
# tests/kdump/capture.sh: our static binary inside a real kdump capture
# kernel (make check-kdump; suite "kdump" of tests/run.sh).
#
# Boots Debian 12's 6.1 kernel under QEMU/TCG with crashkernel=, runs a
# workload, inflates a virtio-balloon (PG_offline pages) and poisons pages
# (PG_hwpoison), loads the capture kernel with kexec -p, copies the
# kernel's own page flags out (ground truth), crashes it through sysrq,
# and in the capture kernel runs OUR statically linked makedumpfile on
# /proc/vmcore (and Debian's, as the reference), writing to an ext4
# virtual disk.  The host then checks the results against the ground
# truth (tests/tools/kdumpcheck.py) and prints the capture kernel's log.
#
# Needs (tests/tools/deps.sh kdump): qemu-system-x86, kexec-tools,
# busybox-static, cpio, e2fsprogs, kmod, makedumpfile; downloads the
# kernel package once (tests/tools/debkernel.sh, ~70 MB).  Prerequisites
# missing is a failure, not a skip: CI must not pass without this test.
# Env: KDUMP_TIMEOUT (s, default 420), KDUMP_KEEP=1 keeps the disk images.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=${ROOT:-$(cd "$here/../.." && pwd)}
BUILD=${BUILD:-$root/build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
W=$BUILD/kdump
K=$W/kernel
T=$W/run
STATIC=$root/build-static/makedumpfile
TIMEOUT=${KDUMP_TIMEOUT:-420}
t_start=$(date +%s)
mkdir -p "$W"

say() { echo "# $*"; }
fail() { echo "not ok - kdump: $*"; exit 1; }
elapsed() { echo $(($(date +%s) - t_start)); }

# ---------------------------------------------------------------- tools
missing=
for t in qemu-system-x86_64 cpio mke2fs debugfs depmod modprobe gcc \
	 python3 dpkg-deb apt-get file; do
	command -v $t >/dev/null || missing="$missing $t"
done
KEXEC=$(command -v kexec || echo /usr/sbin/kexec)
[ -x "$KEXEC" ] || missing="$missing kexec"
DEBIAN_MDF=/usr/bin/makedumpfile
[ -x "$DEBIAN_MDF" ] || missing="$missing makedumpfile(Debian)"
BUSYBOX=/bin/busybox
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	missing="$missing busybox-static"
[ -z "$missing" ] ||
	fail "prerequisites missing:$missing (bash tests/tools/deps.sh kdump)"

# ---------------------------------------------------------------- our binary
say "building the static binary (make static)"
make -C "$root" -s -j2 static >"$W.static.log" 2>&1 ||
	{ tail -20 "$W.static.log"; fail "make static failed"; }
if file "$STATIC" | grep -q 'statically linked' &&
   ! ldd "$STATIC" >/dev/null 2>&1; then
	echo "ok - kdump: build-static/makedumpfile is statically linked"
else
	file "$STATIC"
	fail "build-static/makedumpfile is not statically linked"
fi

# ---------------------------------------------------------------- kernel
say "Debian kernel (tests/tools/debkernel.sh)"
bash "$root/tests/tools/debkernel.sh" "$K" || fail "no Debian kernel package"
KREL=$(cat "$K/RELEASE")
say "kernel $KREL ($(cat "$K/VERSION")), $(elapsed)s"

# ---------------------------------------------------------------- writers?
# Until the dump writers exist the tool only does --dry-run; then the
# distribution command lines run as well (probe: what does writing say?)
WRITERS=1
"$STATIC" -l -d 31 /dev/null "$W/probe.out" 2>&1 | grep -q 'not implemented' &&
	WRITERS=0
rm -f "$W/probe.out"

# ---------------------------------------------------------------- initramfs
R=$W/initramfs
rm -rf "$R" "$T"
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,modules,kdump,gt} "$T"
cp "$BUSYBOX" "$R/bin/busybox"
gcc -static -O2 -Wall -o "$R/bin/helper" "$here/guest/helper.c" ||
	fail "building the guest helper"
install -m 755 "$here/guest/init" "$R/init"
mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null ||
	say "WARNING: mknod needs root: the guests' init will have no console"
: > "$R/modules/load.list"
for m in virtio_pci virtio_blk ext4 virtio_balloon; do
	modprobe -d "$K/root" -S "$KREL" --show-depends "$m" |
		awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	cp "$ko" "$R/modules/"
	basename "$ko" >> "$R/modules/load.list"
done
grep -q '^ext4.ko$' "$R/modules/load.list" || fail "module dependencies of ext4 not found"
# dynamically linked Debian tools with their libraries
copy_dyn() {
	cp "$1" "$R/sbin/$2"
	ldd "$1" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' |
	while read -r lib; do
		[ -e "$lib" ] || continue
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
	done
}
copy_dyn "$KEXEC" kexec
copy_dyn "$DEBIAN_MDF" makedumpfile.debian
cp "$STATIC" "$R/sbin/makedumpfile"
# the capture kernel's commands, NAME<TAB>COMMAND, run in /out
{
	printf 'ours-d31\tmakedumpfile --dry-run -d 31 --message-level 31 --report-json ours-d31.json /proc/vmcore unused\n'
	printf 'ours-d0-trace\tmakedumpfile --dry-run -d 0 --report-json ours-d0.json --trace-reads trace-d0.txt /proc/vmcore unused\n'
	printf 'ours-small-cycles\tmakedumpfile --dry-run -d 31 --cyclic-buffer 1 --message-level 31 --report-json ours-small.json /proc/vmcore unused\n'
	printf 'ours-non-mmap\tmakedumpfile --dry-run -d 31 --non-mmap --report-json ours-nommap.json /proc/vmcore unused\n'
	printf 'debian-d31\thelper rss makedumpfile.debian --dry-run -l -d 31 --message-level 31 /proc/vmcore unused\n'
	# a written dump to check the page-content check against
	printf 'debian-d1\tmakedumpfile.debian -l -d 1 /proc/vmcore debian.d1.l\n'
	if [ $WRITERS = 1 ]; then
		# what distributions run: Fedora/RHEL kdump.conf's default and
		# Debian kdump-tools' piped flattened form
		printf 'distro-l\thelper rss makedumpfile -l --message-level 7 -d 31 /proc/vmcore dump.l\n'
		printf 'distro-F\tmakedumpfile -F -c -d 31 /proc/vmcore | cat > dump.flat\n'
		# user pages kept: the helper's pattern pages can be compared
		printf 'ours-d1\tmakedumpfile -l -d 1 /proc/vmcore ours.d1.l\n'
		# the source itself, last, for dumpcheck and crash on the host
		printf 'source\tcat /proc/vmcore > vmcore.elf\n'
	fi
} > "$R/kdump/cmds"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$W/capture.img"
# the first kernel's initrd: the same plus the capture kernel and its initrd
X=$W/boot-extra
rm -rf "$X"; mkdir -p "$X/boot"
cp -L "$K/vmlinuz" "$X/boot/vmlinuz"
cp "$W/capture.img" "$X/boot/capture.img"
(cd "$X" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$W/boot-extra.img"
cat "$W/capture.img" "$W/boot-extra.img" > "$W/first.img"
say "initramfs $(du -h "$W/capture.img" | cut -f1), first kernel initrd $(du -h "$W/first.img" | cut -f1), $(elapsed)s"

# ---------------------------------------------------------------- disks
if [ ! -s "$W/data.ext4" ]; then
	mke2fs -q -t ext4 -L data -d "$K/modules/kernel/fs" "$W/data.ext4" 96M ||
		fail "mke2fs data disk"
fi
truncate -s 0 "$T/gt.img"; truncate -s 64M "$T/gt.img"
mke2fs -q -t ext4 -L out "$T/out.ext4" 1G || fail "mke2fs out disk"

# ---------------------------------------------------------------- run
QEMU=(nice -n 19 qemu-system-x86_64 -M q35 -accel tcg -cpu max,la57=off
	-smp 1 -m 512M -nographic -no-reboot -nodefaults -display none
	-kernel "$K/vmlinuz" -initrd "$W/first.img"
	-append "console=ttyS0,115200 loglevel=6 panic=-1 crashkernel=192M kdump.role=first"
	-device virtio-balloon-pci,id=balloon0
	-drive "file=$T/gt.img,format=raw,if=none,id=gt"
	-device virtio-blk-pci,drive=gt,serial=gt
	-drive "file=$W/data.ext4,format=raw,if=none,id=data,readonly=on"
	-device virtio-blk-pci,drive=data,serial=data
	-drive "file=$T/out.ext4,format=raw,if=none,id=out"
	-device virtio-blk-pci,drive=out,serial=out)
say "booting $KREL under QEMU/TCG (timeout ${TIMEOUT}s)"
python3 "$here/qemuctl.py" "$T" "$TIMEOUT" -- "${QEMU[@]}"
qrc=$?

# ---------------------------------------------------------------- logs
echo "# ---- first kernel console (last 25 lines before the crash) ----"
awk '/sysrq: Trigger a crash/ { exit } { print }' "$T/console.log" |
	tail -n 25 | sed 's/^/| /'
echo "# ---- capture kernel console ----"
awk 'f { print } /sysrq: Trigger a crash/ { f = 1; print }' "$T/console.log" |
	tr -d '\r' | sed 's/^/| /'
echo "# ---- end of console ----"
[ $qrc -eq 0 ] || fail "the capture kernel did not finish (qemuctl exit $qrc)"
echo "ok - kdump: capture kernel booted after the crash and ran the commands ($(elapsed)s)"

mkdir -p "$T/gt" "$T/out"
tar -xf "$T/gt.img" -C "$T/gt" 2>/dev/null || fail "no ground truth on the gt disk"
debugfs -R "rdump / $T/out" "$T/out.ext4" >/dev/null 2>&1 ||
	fail "can't read the out disk"
[ "${KDUMP_KEEP:-0}" = 1 ] || rm -f "$T/gt.img" "$T/out.ext4"

# ---------------------------------------------------------------- checks
# /usr/bin/python3: Debian's python3-libkdumpfile reads the written dumps
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
# the written dumps are read back with our dumpcheck, our and Debian's -R,
# and crash when the debug vmlinux of this kernel is at hand
VMLINUX=${VMLINUX_CACHE:-$BUILD/vmlinux}/vmlinux-$KREL
MDF_BIN=${BIN:-$root/makedumpfile} DUMPCHECK=$BUILD/tools/dumpcheck \
	VMLINUX=$VMLINUX $PY "$root/tests/tools/kdumpcheck.py" "$T" "$WRITERS"
rc=$?
[ "${KDUMP_KEEP:-0}" = 1 ] ||
	rm -f "$T/out/vmcore.elf" "$T"/out/*.l "$T"/out/dump.*
say "kdump test took $(elapsed)s"
exit $rc
