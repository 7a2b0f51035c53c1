#!/usr/bin/env python3
"""qemuctl.py OUTDIR TIMEOUT -- qemu-system-x86_64 ARGS...

Host side of the kdump test: starts QEMU with its console (ttyS0) in
OUTDIR/console.log, QMP and the guest's control channel (ttyS1) on unix
sockets, and answers the guest (tests/kdump/guest/init):

  BOOTED      -> GO                (first kernel, then the capture kernel)
  BALLOON     -> inflate the virtio-balloon by BALLOON_MB (env, 64), GO
  CRASHING    -> noted (the first kernel panics now)
  KDUMPDONE   -> quit QEMU: success
  FAILED ...  -> quit QEMU: failure

Writes OUTDIR/timings.json (seconds since QEMU started).  Exit status 0
only after KDUMPDONE; 1 on FAILED, an early QEMU exit or the timeout.
"""
import json
import os
import socket
import subprocess
import sys
import time

T0 = time.time()
outdir, timeout = sys.argv[1], float(sys.argv[2])
qemu_cmd = sys.argv[sys.argv.index('--') + 1:]
run = os.path.join(outdir, 'run')
os.makedirs(run, exist_ok=True)
qmp_path = os.path.join(run, 'qmp.sock')
ctl_path = os.path.join(run, 'ctl.sock')
for p in (qmp_path, ctl_path):
    if os.path.exists(p):
        os.unlink(p)
timings = {}


def log(*a):
    print('[%6.1fs] qemuctl: %s' % (time.time() - T0, ' '.join(map(str, a))),
          flush=True)


def mark(name):
    timings[name] = round(time.time() - T0, 2)


qemu_cmd += ['-qmp', 'unix:%s,server=on,wait=off' % qmp_path,
             '-serial', 'file:%s' % os.path.join(outdir, 'console.log'),
             '-serial', 'unix:%s,server=on,wait=off' % ctl_path]
with open(os.path.join(outdir, 'qemu_cmdline.txt'), 'w') as f:
    f.write(' '.join(qemu_cmd) + '\n')
qemu = subprocess.Popen(qemu_cmd, stdin=subprocess.DEVNULL,
                        stdout=open(os.path.join(outdir, 'qemu.out'), 'w'),
                        stderr=subprocess.STDOUT)
mark('qemu_started')


def connect(path):
    for _ in range(600):
        if qemu.poll() is not None:
            log('QEMU exited early, status', qemu.returncode)
            sys.exit(1)
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            return s
        except OSError:
            time.sleep(0.1)
    log('cannot connect to', path)
    qemu.kill()
    sys.exit(1)


class QMP:
    def __init__(self, path):
        self.f = connect(path).makefile('rwb', buffering=0)
        self.f.readline()			# greeting
        self.cmd('qmp_capabilities')

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.f.write(json.dumps(msg).encode() + b'\n')
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError('QMP closed')
            r = json.loads(line)
            if 'event' in r:
                continue
            if 'error' in r:
                log('QMP error for', name, r['error'])
            return r


qmp = QMP(qmp_path)
ctl = connect(ctl_path)
ctl.settimeout(1.0)


def reply(s):
    ctl.sendall(s.encode() + b'\n')


def balloon():
    mb = int(os.environ.get('BALLOON_MB', 64))
    actual = qmp.cmd('query-balloon')['return']['actual']
    target = actual - (mb << 20)
    t = time.time()
    qmp.cmd('balloon', value=target)
    last, same = None, 0
    while time.time() - t < 120:
        actual = qmp.cmd('query-balloon')['return']['actual']
        if actual <= target:
            break
        same = same + 1 if actual == last else 0
        if same > 40:
            break
        last = actual
        time.sleep(0.25)
    log('balloon: %d MiB inflated in %.1fs' %
        ((target + (mb << 20) - actual) >> 20, time.time() - t))
    return 'GO balloon actual=%d' % actual


def finish(ok):
    mark('end')
    try:
        qmp.cmd('quit')
    except (EOFError, OSError):
        pass
    try:
        qemu.wait(timeout=30)
    except subprocess.TimeoutExpired:
        qemu.kill()
    with open(os.path.join(outdir, 'timings.json'), 'w') as f:
        json.dump(timings, f, indent=1)
    log('timings', json.dumps(timings))
    sys.exit(0 if ok else 1)


buf = b''
deadline = T0 + timeout
booted = 0
while True:
    if time.time() > deadline:
        log('TIMEOUT after %ds' % timeout)
        finish(False)
    if qemu.poll() is not None:
        log('QEMU exited, status', qemu.returncode)
        finish(False)
    try:
        data = ctl.recv(4096)
    except socket.timeout:
        continue
    if not data:
        log('control channel closed')
        finish(False)
    buf += data
    while b'\n' in buf:
        line, buf = buf.split(b'\n', 1)
        line = line.decode(errors='replace').strip()
        if not line:
            continue
        word = line.split()[0]
        log('guest:', line)
        if word == 'BOOTED':
            booted += 1
            mark('first_booted' if booted == 1 else 'capture_booted')
            reply('GO')
        elif word == 'BALLOON':
            mark('balloon_start')
            reply(balloon())
            mark('balloon_done')
        elif word == 'CRASHING':
            mark('crashing')
        elif word == 'KDUMPDONE':
            mark('capture_done')
            finish(True)
        elif word == 'FAILED':
            finish(False)
        else:
            reply('GO unknown')
