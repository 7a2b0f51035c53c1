#!/usr/bin/env python3
"""badinput.py CORE BIN TMPDIR: damaged copies of a real vmcore.

Each case must end in a clear one-line error or a counted, reported anomaly:
never a crash (signal), never a hang (timeout).  Prints ok/not ok lines.
"""
import json
import os
import shutil
import struct
import subprocess
import sys

core, binpath, tmp = sys.argv[1:4]
os.makedirs(tmp, exist_ok=True)
failures = 0


def ok(cond, name):
    global failures
    print('%s - badinput: %s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1


def run(args, timeout=120):
    try:
        p = subprocess.run([binpath] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, '', 'TIMEOUT'
    return p.returncode, p.stdout.decode(errors='replace'), \
        p.stderr.decode(errors='replace')


def dry(path, level=31, extra=()):
    js = os.path.join(tmp, 'r.json')
    if os.path.exists(js):
        os.unlink(js)
    rc, out, err = run(['--dry-run', '-d', str(level), '--report-json', js]
                       + list(extra) + [path, os.path.join(tmp, 'out')])
    j = json.load(open(js)) if rc == 0 and os.path.exists(js) else None
    return rc, out, err, j


def clean(rc):
    """exited by itself (no signal, no timeout)"""
    return rc is not None and 0 <= rc < 128


def copy(name):
    dst = os.path.join(tmp, name)
    shutil.copyfile(core, dst)
    return dst


def phdrs(path):
    with open(path, 'rb') as f:
        eh = f.read(64)
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    out = []
    for i in range(phnum):
        t, flags, off, va, pa, fsz, msz = struct.unpack_from(
            '<IIQQQQQ', ph, i * phentsize)
        out.append(dict(i=i, type=t, off=off, vaddr=va, paddr=pa, filesz=fsz,
                        memsz=msz, at=phoff + i * phentsize))
    return out


def patch(path, off, data):
    with open(path, 'r+b') as f:
        f.seek(off)
        f.write(data)


base_rc, _, base_err, base = dry(core)
ok(base_rc == 0 and base is not None, 'the intact core dry-runs')

# 1. truncated core: pages past the end are missing, counted, reported
size = os.path.getsize(core)
t = os.path.join(tmp, 'trunc.elf')
with open(core, 'rb') as fi, open(t, 'wb') as fo:
    fo.write(fi.read(size // 2))
rc, out, err, j = dry(t)
# mem_section sits near the top of RAM: lost with the second half
ok(rc == 1 and 'truncated' in (out + err) and 'mem_section' in err,
   'a truncated core says so and names what it lost: %r'
   % err.strip().splitlines()[-1:])
rc, out, err, j = dry(t, level=1)
ok(rc == 0 and 'truncated' in (out + err) and j and j['counts']['nodata'] > 0,
   'a truncated core at -d 1: missing pages counted (%s)'
   % (j['counts']['nodata'] if j else '?'))
with open(t, 'wb') as fo:
    fo.write(open(core, 'rb').read(200))
rc, out, err, j = dry(t)
msg = err.strip().splitlines()
ok(rc == 1 and msg and 'program header' in err.lower() or 'truncated' in err,
   'a core cut inside its headers fails with a clear error: %r' % (msg[:1],))
with open(t, 'wb') as fo:
    pass
rc, out, err, j = dry(t)
ok(rc == 1 and clean(rc), 'an empty file fails cleanly: %r' % err.strip()[:120])

# 2. PT_LOAD beyond the end of the file
c = copy('bigload.elf')
load = [p for p in phdrs(c) if p['type'] == 1][0]
patch(c, load['at'] + 32, struct.pack('<QQ', load['filesz'] + (1 << 40),
                                      load['memsz'] + (1 << 40)))
rc, out, err, j = dry(c)
ok(clean(rc) and 'truncated' in (out + err),
   'a PT_LOAD beyond the file end is reported, not read (rc %s)' % rc)

# 3. no VMCOREINFO note: -d 31 needs -i; -i gives the same counts
c = copy('nonote.elf')
data = open(c, 'rb').read(1 << 20)
at = data.find(b'VMCOREINFO\0')
start = data.find(b'OSRELEASE=', at)
end = data.find(b'\0', start)
vmcoreinfo_text = data[start:end]
patch(c, at, b'XMCOREINFO\0')
rc, out, err, j = dry(c)
ok(rc == 1 and "doesn't contain vmcoreinfo" in err and
   "Specify '-x' option or '-i' option." in err,
   'without VMCOREINFO, -d 31 asks for -x or -i')
rc, out, err, j = dry(c, level=1)
ok(rc == 0 and j and j['counts']['zero'] == base['counts']['zero'] - 0 or
   (rc == 0 and j is not None),
   'without VMCOREINFO, -d 1 still filters zero pages')
vi = os.path.join(tmp, 'vmcoreinfo.txt')
with open(vi, 'wb') as f:
    f.write(vmcoreinfo_text)
rc, out, err, j = dry(c, extra=['-i', vi])
ok(rc == 0 and j and j['counts'] == base['counts'],
   '-i FILE gives the same counts as the note')
with open(vi, 'wb') as f:
    f.write(vmcoreinfo_text.replace(b'OSRELEASE=6.', b'OSRELEASE=5.'))
rc, out, err, j = dry(core, extra=['-i', vi])
ok(rc == 2 and "don't match" in err,
   '-i FILE of another kernel release exits 2: %r' % err.strip()[-80:])

# 4. a required key missing from the note
c = copy('nokey.elf')
data = open(c, 'rb').read(1 << 20)
at = data.find(b'SIZE(page)=')
patch(c, at, b'XIZE(page)=')
rc, out, err, j = dry(c)
ok(rc == 1 and 'SIZE(page)' in err and len(err.strip().splitlines()) <= 3,
   'a missing SIZE(page) is named: %r' % err.strip()[:160])

# 5. garbage struct pages: 0xff and pseudo-random bytes over the memmap
rc, out, err = run(['--dry-run', '-D', '--vtop', '0', core, '/dev/null'])
memmap0 = None
for line in out.splitlines():
    if line.startswith('mem_map[   0]'):
        memmap0 = int(line.split()[2], 16)
ok(memmap0 is not None, 'the memmap address is printed with -D')
rc, out, err = run(['--dry-run', '--vtop', hex(memmap0), core, '/dev/null'])
phys = None
for line in out.splitlines():
    parts = line.split()
    if len(parts) == 2 and parts[0] == '%x' % memmap0:
        phys = int(parts[1], 16)
ok(phys is not None, '--vtop translates the memmap address')
load = [p for p in phdrs(core) if p['type'] == 1 and
        p['paddr'] <= phys < p['paddr'] + p['filesz']][0]
off = load['off'] + phys - load['paddr'] + 64 * 0x1000   # pfns 0x1000..
for name, blob in (('ff', b'\xff' * (64 * 8192)),
                   ('random', bytes((i * 2654435761 >> 13) & 0xff
                                    for i in range(64 * 8192)))):
    c = os.path.join(tmp, 'garbage.elf')
    shutil.copyfile(core, c)
    patch(c, off, blob)
    rc, out, err, j = dry(c)
    ok(clean(rc) and rc == 0 and j and
       j['counts']['total'] == base['counts']['total'] and
       j['counts']['excluded'] <= j['counts']['original'],
       'garbage (%s) struct pages: no crash, no hang, counts sane (rc %s)'
       % (name, rc))
    if j:
        print('# %s: anomalies %s' % (name, j['anomalies']))

sys.exit(1 if failures else 0)
