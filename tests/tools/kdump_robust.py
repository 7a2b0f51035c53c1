#!/usr/bin/env python3
"""kdump_robust.py CORE BIN SHIM TMPDIR: saved dumps as hostile input.

On a kdump-compressed dump (-c -d 1) of CORE, its flattened stream (-F)
and its --split parts:
 - input faults through the LD_PRELOAD injector (tests/fault/faultio_shim.c):
   short reads and EINTR give the same dump byte for byte; EIO in the
   header, sub header, notes, either bitmap, the page_desc table, the page
   data or the stream ends the run with exit 1, one error line naming the
   file and "Input/output error", "makedumpfile Failed.", and no output
   that claims to be complete (none, or the INCOMPLETE bit set);
 - hostile headers and tables (tests/tools/kdumpedit.py kinds, a stream
   whose bitmaps are holes, --reassemble parts with a 2 MiB block or no
   sub header block): a clear message and exit 1, never a crash, a hang
   or a silently wrong dump; padding bits past max_mapnr change nothing.
Every run has a timeout.
"""
import os
import struct
import subprocess
import sys
import time

core, binpath, shim, tmp = sys.argv[1:5]
here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(tmp, exist_ok=True)
failures = 0
STATUS, BLOCK, SUB, BMBLOCKS = 424, 428, 432, 436
INCOMPLETE = 8


def ok(cond, name):
    global failures
    print('%s - kdump robust: %s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1


def path(name):
    return os.path.join(tmp, name)


def rm(p):
    if os.path.exists(p):
        os.unlink(p)


def run(args, env=None, timeout=120, stdout=None):
    e = dict(os.environ)
    e.update(env or {})
    try:
        p = subprocess.run([binpath] + args, stdout=stdout or subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, 'TIMEOUT'
    out = p.stdout.decode(errors='replace') if p.stdout else ''
    return p.returncode, out + p.stderr.decode(errors='replace')


def inject(target, **kw):
    e = {'LD_PRELOAD': shim, 'FAULTIO_PATH': os.path.abspath(target),
         'ASAN_OPTIONS': os.environ.get('ASAN_OPTIONS', '') +
         ':verify_asan_link_order=0'}
    for k, v in kw.items():
        e['FAULTIO_' + k.upper()] = str(v)
    return e


def errline(text):
    lines = [l for l in text.splitlines() if l.strip() and 'Failed' not in l
             and not l.startswith(('Checking', 'Excluding', 'Copying'))]
    return lines[-1] if lines else ''


def not_complete(out):
    """no output, or one marked incomplete"""
    if not os.path.exists(out):
        return True
    with open(out, 'rb') as f:
        h = f.read(464)
    return len(h) < 464 or (h[:8] == b'KDUMP   ' and
                            struct.unpack_from('<I', h, STATUS)[0] & INCOMPLETE)


def same(a, b):
    with open(a, 'rb') as x, open(b, 'rb') as y:
        return x.read() == y.read()


def u32(d, o):
    return struct.unpack_from('<I', d, o)[0]


def u64(d, o):
    return struct.unpack_from('<Q', d, o)[0]


# the inputs, and re-filtered -d 31 references
d1, flat = path('d1'), path('d1.flat')
for p in (d1, path('ref31'), path('part1'), path('part2'), path('whole')):
    rm(p)
rc, out = run(['-c', '-d', '1', core, d1])
ok(rc == 0, 'writing the -c -d 1 input')
with open(flat, 'wb') as f:
    rc, _ = run(['-F', '-c', '-d', '1', core], stdout=f)
ok(rc == 0, 'writing its -F stream')
rc, out = run(['-c', '-d', '31', d1, path('ref31')])
ok(rc == 0, 're-filtering the intact input to -d 31')
d = open(d1, 'rb').read()
block, sub, bmb = u32(d, BLOCK), u32(d, SUB), u32(d, BMBLOCKS)
bm1 = (1 + sub) * block
bm2 = bm1 + bmb * block // 2
table = bm1 + bmb * block
noff, nsize = u64(d, block + 48), u64(d, block + 56)
desc0 = u64(d, table)

# short reads and EINTR change nothing
for src in (d1, flat):
    for kw, what in (({'short': 513}, 'every read at most 513 bytes'),
                     ({'eintr': 1}, 'every other read interrupted')):
        o = path('short.out')
        rm(o)
        rc, out = run(['-c', '-d', '31', src, o], inject(src, **kw))
        ok(rc == 0 and same(o, path('ref31')),
           '%s, %s: the same dump byte for byte' % (os.path.basename(src), what))

# the -E refusal reads the signature through the same faults
o = path('E.out')
rm(o)
rc, out = run(['-E', '-d', '31', d1, o], inject(d1, short=3, eintr=1))
ok(rc == 1 and "'-E' option is disabled" in out and not os.path.exists(o),
   '-E is refused for a kdump-compressed input read 3 bytes at a time with EINTR')

# EIO where the tool reads: (what, first, end, dump level)
cases = [
    ('the main header', 0, 16, 31),
    ('the sub header', block, block + 16, 31),
    ('the ELF note copy', noff, noff + 16, 31),
    ('the 1st bitmap', bm1, bm1 + 16, 31),
    ('the 2nd bitmap', bm2, bm2 + 16, 31),
    ('the page_desc table', table, table + 24, 1),
    ('page data', desc0, desc0 + 16, 1),
]
for what, a, b, level in cases:
    o = path('eio.out')
    rm(o)
    rc, out = run(['-c', '-d', str(level), d1, o],
                  inject(d1, eio='%x-%x' % (a, b)))
    line = errline(out)
    ok(rc == 1 and 'makedumpfile Failed.' in out and
       'Input/output error' in line and 'd1' in line and not_complete(o),
       'EIO in %s: exit %s, %r, output %s' %
       (what, rc, line, 'incomplete' if os.path.exists(o) else 'none'))
fsize = os.path.getsize(flat)
for what, a in (('the stream header', 0), ('the middle of the stream', fsize // 2)):
    o = path('eio.out')
    rm(o)
    rc, out = run(['-c', '-d', '1', flat, o],
                  inject(flat, eio='%x-%x' % (a, a + 16)))
    line = errline(out)
    ok(rc == 1 and 'makedumpfile Failed.' in out and
       'Input/output error' in line and not_complete(o),
       'EIO in %s: exit %s, %r' % (what, rc, line))

# hostile headers and tables
edit = [sys.executable, os.path.join(here, 'kdumpedit.py')]
for kind, msg in (
        ('bm2-all', 'runs past the end of the file'),
        ('maxmapnr-huge', 'cannot hold two bitmaps'),
        ('block-odd', 'block_size 6144 is not a page size'),
        ('block-huge', 'block_size 1073741824 is not a page size'),
        ('data-short', 'does not decode to 4096 bytes'),
        ('subhdr-zero', 'no sub header block'),
        ('desc-outside', 'points outside the file'),
        ('desc-oversize', 'points outside the file')):
    bad, o = path('bad.' + kind), path('bad.out')
    rm(o)
    subprocess.run(edit + [kind, d1, bad], check=True)
    rc, out = run(['-c', '-d', '31', bad, o], timeout=60)
    ok(rc == 1 and msg in out and 'makedumpfile Failed.' in out and
       not_complete(o), '%s: exit %s, %r' % (kind, rc, errline(out)))
    rm(bad)
bad, o = path('bad.bits'), path('bits.out')
rm(o)
subprocess.run(edit + ['bits-past-max', d1, bad], check=True)
rc, out = run(['-c', '-d', '31', bad, o], timeout=60)
ok(rc == 0 and same(o, path('ref31')),
   'bits set past max_mapnr in both bitmaps: ignored, the same dump')

# a valid dump in a 64 GiB sparse file whose header claims 2^38 pfns (1 PiB):
# the holes are not read and the 2nd-bitmap index stays small (before:
# 75 s and 527 MB of RSS), the dump is the intact input's byte for byte
sparse, o = path('sparse.claim'), path('sparse.out')
rm(o)
subprocess.run(edit + ['sparse-claim', d1, sparse], check=True)
t0 = time.monotonic()
with open(path('sparse.log'), 'wb') as log:
    proc = subprocess.Popen([binpath, '-c', '-d', '31', sparse, o],
                            stdout=log, stderr=subprocess.STDOUT)
    # wait4(): this child's own peak RSS, not the largest of all children
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() - t0 > 120:
            proc.kill()
            pid, status, ru = os.wait4(proc.pid, 0)
            rc = 'TIMEOUT'
            break
        time.sleep(0.02)
    proc.returncode = 0 if rc == 0 else 1   # reaped: Popen must not wait
out = open(path('sparse.log'), errors='replace').read()
ok(rc == 0 and os.path.exists(o) and same(o, path('ref31')),
   'a dump claiming 2^38 pfns in a %d GiB sparse file: exit %s, the '
   'intact input\'s -d 31 dump (%.1f s) %r' %
   (os.path.getsize(sparse) >> 30, rc, time.monotonic() - t0,
    errline(out) if rc else ''))
# ASan's shadow memory is RSS of its own: the bound is the plain build's
if b'__asan_init' not in open(binpath, 'rb').read():
    ok(ru.ru_maxrss < 64 << 10,
       'its peak RSS is bounded: %d KiB (at most 64 MiB; the bitmaps it '
       'claims are 32 GiB each)' % ru.ru_maxrss)
rm(path('sparse.log'))
rm(sparse)
rm(o)
huge = bytearray(open(d1, 'rb').read())
struct.pack_into('<Q', huge, block + 96, (1 << 40) + 4096)
struct.pack_into('<I', huge, BMBLOCKS, 0xffffffff)
open(path('bad.over'), 'wb').write(huge)
rc, out = run(['-c', '-d', '31', path('bad.over'), path('bad.out')], timeout=60)
ok(rc == 1 and 'more pages than any machine has' in out,
   'max_mapnr past 2^40 pfns: exit %s, %r' % (rc, errline(out)))
rm(path('bad.over'))

# a stream of 1 KB more than the dump whose bitmaps claim 64 GiB of holes
f = open(flat, 'rb').read()
recs, pos = [], 4096
while True:
    off, size = struct.unpack_from('>qq', f, pos)
    if off == -1:
        break
    recs.append((off, f[pos + 16:pos + 16 + size]))
    pos += 16 + size
far = 64 << 30
hdr = bytearray(d[:block + 104])
struct.pack_into('<I', hdr, BMBLOCKS, far // block - 2)
struct.pack_into('<Q', hdr, block + 96, (far // block - 2) * block // 2 * 8)
with open(path('holes.flat'), 'wb') as g:
    g.write(f[:4096])
    for off, data in [(0, bytes(hdr))] + [(far, b'\0' * 1024)]:
        g.write(struct.pack('>qq', off, len(data)) + data)
    g.write(struct.pack('>qq', -1, -1))
o = path('holes.out')
rc, out = run(['-c', '-d', '31', path('holes.flat'), o], timeout=30)
ok(rc == 1 and 'does not hold the bitmaps' in out,
   'a %d-byte stream whose bitmaps are 64 GiB of holes: exit %s in time, %r'
   % (os.path.getsize(path('holes.flat')), rc, errline(out)))

# --reassemble: the parts of a split dump, and hostile ones
p1, p2, whole = path('part1'), path('part2'), path('whole')
rc, out = run(['-c', '-d', '1', '--split', core, p1, p2])
ok(rc == 0, 'writing two --split parts')
rc, out = run(['--reassemble', p1, p2, whole])
ok(rc == 0 and same(whole, d1),
   '--reassemble of the parts is the direct -c -d 1 dump byte for byte')


def damage_parts(kind):
    out = []
    for i, p in enumerate((p1, p2)):
        q = path('bad.part%d' % (i + 1))
        b = bytearray(open(p, 'rb').read())
        if kind == 'block-2m':
            # a power of two, but over 1 MiB: the sub header moved to the
            # new block, the file long enough (sparse) for the layout
            sh = bytes(b[block:block + 104])
            struct.pack_into('<I', b, BLOCK, 2 << 20)
            struct.pack_into('<I', b, BMBLOCKS, 2)
            b = b[:4096]
            with open(q, 'wb') as g:
                g.write(b)
                g.seek(2 << 20)
                g.write(sh)
                g.truncate(16 << 20)
        else:
            struct.pack_into('<I', b, SUB, 0)
            open(q, 'wb').write(b)
        out.append(q)
    return out


for kind, msg in (('block-2m', 'block size 2097152'),
                  ('subhdr-zero', '0 sub header blocks')):
    parts = damage_parts(kind)
    o = path('re.out')
    rm(o)
    rc, out = run(['--reassemble'] + parts + [o], timeout=60)
    ok(rc == 1 and msg in out and 'makedumpfile Failed.' in out,
       '--reassemble, parts with %s: exit %s, %r' % (kind, rc, errline(out)))
    for q in parts:
        rm(q)

for p in (d1, flat, path('ref31'), p1, p2, whole, path('holes.flat'),
          path('short.out'), path('eio.out'), path('bad.out'), path('bits.out'),
          path('re.out'), bad):
    rm(p)
sys.exit(1 if failures else 0)
