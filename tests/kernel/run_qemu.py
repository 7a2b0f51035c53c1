#!/usr/bin/env python3
"""run_qemu.py BZIMAGE OUTDIR [MEM_MB BALLOON_MB]: boot a kernel of the
check-kernel-patch lane under QEMU (TCG) with a busybox initramfs,
inflate its virtio-balloon through QMP, let the guest count its own
PG_offline pages (/proc/kpageflags bit 23, KPF_OFFLINE), and dump the
guest with QMP dump-guest-memory.

Writes OUTDIR/vmcore.elf, OUTDIR/console.log and OUTDIR/result.json
({"balloon_pages", "guest_offline", timings ...}); exits non-zero with a
message when a step fails or times out.
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time

bzimage, outdir = sys.argv[1], sys.argv[2]
mem_mb = int(sys.argv[3]) if len(sys.argv) > 3 else 256
balloon_mb = int(sys.argv[4]) if len(sys.argv) > 4 else 64
busybox = os.environ.get('BUSYBOX', '/bin/busybox')
os.makedirs(outdir, exist_ok=True)
T0 = time.time()
res = {'mem_mb': mem_mb, 'balloon_mb': balloon_mb}


def die(msg):
    print('run_qemu: ' + msg, file=sys.stderr)
    sys.exit(1)


# The guest: mount proc and sysfs, say it booted and whether fw_cfg took
# the VMCOREINFO note, then answer COUNT with its KPF_OFFLINE page count.
INIT = r'''#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
note=no
[ -e /sys/firmware/qemu_fw_cfg/by_name/etc/vmcoreinfo ] && note=yes
echo "KPATCH BOOTED $(uname -r) vmcoreinfo=$note"
while read -r cmd; do
	case $cmd in
	COUNT)
		# KPF_OFFLINE is bit 23: the 6th hex digit from the right >= 8
		n=$(od -An -v -tx8 /proc/kpageflags | tr -s ' ' '\n' |
		    grep -cE '^[0-9a-f]*[89a-f][0-9a-f]{5}$')
		echo "KPATCH OFFLINE $n" ;;
	esac
done
'''


def cpio_newc(entries):
    """entries: (name, mode, data bytes, rdev major, minor)"""
    out = bytearray()
    for ino, (name, mode, data, rmaj, rmin) in enumerate(
            entries + [('TRAILER!!!', 0, b'', 0, 0)], 1):
        nb = name.encode() + b'\0'
        hdr = '070701' + ''.join('%08x' % v for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, rmaj, rmin, len(nb), 0))
        out += hdr.encode() + nb
        out += b'\0' * (-len(out) % 4)
        out += data
        out += b'\0' * (-len(out) % 4)
    return bytes(out)


initramfs = os.path.join(outdir, 'initramfs.cpio')
with open(busybox, 'rb') as f:
    bb = f.read()
with open(initramfs, 'wb') as f:
    f.write(cpio_newc([
        ('bin', 0o40755, b'', 0, 0), ('dev', 0o40755, b'', 0, 0),
        ('proc', 0o40755, b'', 0, 0), ('sys', 0o40755, b'', 0, 0),
        ('dev/console', 0o20600, b'', 5, 1),
        ('bin/busybox', 0o100755, bb, 0, 0),
        ('init', 0o100755, INIT.encode(), 0, 0)]))

qmp_path = os.path.join(outdir, 'qmp.sock')
if os.path.exists(qmp_path):
    os.unlink(qmp_path)
cmd = ['qemu-system-x86_64', '-M', 'pc', '-accel', 'tcg', '-m', str(mem_mb),
       '-nodefaults', '-display', 'none', '-no-reboot',
       '-kernel', bzimage, '-initrd', initramfs,
       '-append', 'console=ttyS0 panic=-1 loglevel=6 '
                  'qemu_fw_cfg.ioport=12@0x510:0:1:4',
       '-device', 'vmcoreinfo',
       '-device', 'virtio-balloon-pci,id=balloon0',
       '-serial', 'stdio',
       '-qmp', 'unix:%s,server=on,wait=off' % qmp_path]
with open(os.path.join(outdir, 'qemu_cmdline.txt'), 'w') as f:
    f.write(' '.join(cmd) + '\n')
qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT)
console = open(os.path.join(outdir, 'console.log'), 'wb')
lines = []
cond = threading.Condition()


def reader():
    buf = b''
    while True:
        b = qemu.stdout.read1(4096)
        if not b:
            break
        console.write(b)
        console.flush()
        buf += b
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            with cond:
                lines.append(line.decode(errors='replace').strip())
                cond.notify_all()
    with cond:
        cond.notify_all()


threading.Thread(target=reader, daemon=True).start()


def wait_line(prefix, timeout):
    end = time.time() + timeout
    with cond:
        while True:
            for ln in lines:
                i = ln.find(prefix)
                if i >= 0:
                    lines.remove(ln)
                    return ln[i:]
            if qemu.poll() is not None:
                die('qemu exited (rc %s) waiting for %r; see %s/console.log'
                    % (qemu.returncode, prefix, outdir))
            left = end - time.time()
            if left <= 0:
                qemu.kill()
                die('timeout waiting for %r; see %s/console.log'
                    % (prefix, outdir))
            cond.wait(min(left, 1.0))


class QMP:
    def __init__(self, path):
        for _ in range(300):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            die('cannot connect to QMP')
        self.f = self.s.makefile('rwb', buffering=0)
        self.f.readline()
        self.cmd('qmp_capabilities')

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.f.write(json.dumps(msg).encode() + b'\n')
        while True:
            r = json.loads(self.f.readline())
            if 'event' in r:
                continue
            if 'error' in r:
                die('QMP %s: %s' % (name, r['error']))
            return r.get('return')


booted = wait_line('KPATCH BOOTED', 600)
res['boot_s'] = round(time.time() - T0, 1)
res['guest'] = booted
if 'vmcoreinfo=yes' not in booted:
    die('the guest did not publish VMCOREINFO through fw_cfg: ' + booted)
qmp = QMP(qmp_path)
full = qmp.cmd('query-balloon')['actual']
target = full - (balloon_mb << 20)
t = time.time()
qmp.cmd('balloon', value=target)
last, stable = None, 0
while True:
    actual = qmp.cmd('query-balloon')['actual']
    if actual <= target:
        break
    stable = stable + 1 if actual == last else 0
    if stable > 60 or time.time() - t > 600:
        qemu.kill()
        die('balloon stalled at %d MiB (target %d MiB)'
            % (actual >> 20, target >> 20))
    last = actual
    time.sleep(0.5)
res['inflate_s'] = round(time.time() - t, 1)
res['balloon_pages'] = (full - actual) // 4096
qemu.stdin.write(b'COUNT\n')
qemu.stdin.flush()
res['guest_offline'] = int(wait_line('KPATCH OFFLINE', 300).split()[2])

qmp.cmd('stop')
vmcore = os.path.abspath(os.path.join(outdir, 'vmcore.elf'))
if os.path.exists(vmcore):
    os.unlink(vmcore)
t = time.time()
qmp.cmd('dump-guest-memory', paging=False, protocol='file:' + vmcore,
        format='elf')
res['dump_s'] = round(time.time() - t, 1)
try:
    qmp.cmd('quit')
except (OSError, ValueError, json.JSONDecodeError):
    pass
qemu.wait(timeout=60)
res['total_s'] = round(time.time() - T0, 1)
with open(os.path.join(outdir, 'result.json'), 'w') as f:
    json.dump(res, f, indent=1)
print(json.dumps(res))
