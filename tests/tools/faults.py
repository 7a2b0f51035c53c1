#!/usr/bin/env python3
"""faults.py CORE BIN SHIM TMPDIR: input faults injected into a real vmcore.

With the LD_PRELOAD injector (tests/fault/faultio_shim.c): short reads and
EINTR change nothing; EIO in the ELF headers, the notes, the page tables and
struct pages, or the page data ends the run with one clear error line
naming the file and offset, exit status 1 and "makedumpfile Failed."; a
file truncated while read (the default pread() runs, and --non-mmap) or
while mapped (--mmap: SIGBUS) likewise; a file truncated before the run
is read up to its end, with a warning naming the truncation.
Never a crash, never a hang (every run has a timeout).
"""
import json
import os
import shutil
import struct
import subprocess
import sys

core, binpath, shim, tmp = sys.argv[1:5]
os.makedirs(tmp, exist_ok=True)
failures = 0
PAGE = 4096


def ok(cond, name):
    global failures
    print('%s - faults: %s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1


def run(args, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    try:
        p = subprocess.run([binpath] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, '', 'TIMEOUT'
    return p.returncode, p.stdout.decode(errors='replace'), \
        p.stderr.decode(errors='replace')


def dry(path, level, extra=(), env=None):
    js = os.path.join(tmp, 'r.json')
    if os.path.exists(js):
        os.unlink(js)
    rc, out, err = run(['--dry-run', '-d', str(level), '--report-json', js]
                       + list(extra) + [path, '/dev/null'], env)
    j = json.load(open(js)) if rc == 0 and os.path.exists(js) else None
    return rc, out, err, j


def inject(path, **kw):
    log = os.path.join(tmp, 'faultio.log')
    if os.path.exists(log):
        os.unlink(log)
    e = {'LD_PRELOAD': shim, 'FAULTIO_PATH': path, 'FAULTIO_LOG': log,
         'ASAN_OPTIONS': os.environ.get('ASAN_OPTIONS', '') +
         ':verify_asan_link_order=0'}
    for k, v in kw.items():
        e['FAULTIO_' + k.upper()] = str(v)
    return e, log


def stat(log):
    try:
        w = open(log).read().split()
        return {w[i]: int(w[i + 1]) for i in range(0, len(w) - 1, 2)}
    except (OSError, ValueError, IndexError):
        return {}


def failed_clearly(rc, out, err, *words):
    """exit 1, one error line with the words, the final verdict"""
    lines = [l for l in err.strip().splitlines() if l.strip()]
    return (rc == 1 and 'makedumpfile Failed.' in out + err and
            any(all(w in l for w in words) for l in lines))


def last(err):
    lines = [l for l in err.strip().splitlines() if l.strip() and
             'Failed' not in l]
    return lines[-1][:150] if lines else ''


def phdrs(path):
    with open(path, 'rb') as f:
        eh = f.read(64)
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    out = []
    for i in range(phnum):
        t, _, off, va, pa, fsz, msz = struct.unpack_from('<IIQQQQQ', ph,
                                                          i * phentsize)
        out.append((t, pa, fsz, off))
    return phoff, phentsize * phnum, out


def file_off(loads, paddr):
    for t, pa, fsz, off in loads:
        if t == 1 and pa <= paddr < pa + fsz:
            return off + paddr - pa
    return None


rc, out, err, base = dry(core, 31, ['--non-mmap'])
ok(rc == 0 and base, 'the intact core dry-runs with --non-mmap')
phoff, phlen, loads = phdrs(core)

# short reads and EINTR: nothing changes
for kw, what in (({'short': 1000}, 'every read at most 1000 bytes'),
                 ({'eintr': 1}, 'every other read interrupted (EINTR)'),
                 ({'short': 513, 'eintr': 1}, 'both')):
    env, log = inject(core, **kw)
    rc, out, err, j = dry(core, 31, ['--non-mmap'], env)
    st = stat(log)
    ok(rc == 0 and j and j['counts'] == base['counts'] and
       st.get('reads', 0) > 1000,
       '%s: completes with the same counts (%s reads, %s EINTR)'
       % (what, st.get('reads'), st.get('eintr')))

# EIO at the places the tool reads, in both access modes where it applies
tr = os.path.join(tmp, 'trace.txt')
rc, out, err, j = dry(core, 31, ['--trace-reads', tr])
reads = [tuple(int(x, 16) for x in line.split()) for line in open(tr)]
metapages = set()
for a, n in reads:
    if n != PAGE or a % PAGE:
        metapages.update(range(a // PAGE, (a + n - 1) // PAGE + 1))
# the page pass comes last: a page read there and never as metadata
data = [a for a, n in reads if n == PAGE and a % PAGE == 0 and
        a // PAGE not in metapages][-1]
# the struct page of pfn 0x1000, through the tool's own translation
rc, out, err = run(['--dry-run', '-D', '--vtop', '0', core, '/dev/null'])
memmap0 = [int(l.split()[2], 16) for l in out.splitlines()
           if l.startswith('mem_map[   0]')][0]
va = memmap0 + 0x1000 * 64
rc, out, err = run(['--dry-run', '--vtop', hex(va), core, '/dev/null'])
meta = [int(l.split()[1], 16) for l in out.splitlines()
        if len(l.split()) == 2 and l.split()[0] == '%x' % va][0]
notes = [(off, fsz) for t, pa, fsz, off in loads if t == 4]
cases = [
    ('the ELF header', 0, 64, ['--non-mmap'], ()),
    ('the program headers', phoff, phoff + phlen, ['--non-mmap'], ()),
    ('the notes (VMCOREINFO)', notes[0][0], notes[0][0] + notes[0][1],
     ['--non-mmap'], ()),
    ('struct pages', file_off(loads, meta), file_off(loads, meta) + 64,
     ['--non-mmap'], ('Input/output error',)),
    ('page data', file_off(loads, data), file_off(loads, data) + PAGE,
     ['--non-mmap'], ('Input/output error', 'offset')),
]
for what, a, b, extra, words in cases:
    env, log = inject(core, eio='%x-%x' % (a, b))
    rc, out, err, j = dry(core, 31, extra, env)
    st = stat(log)
    ok(st.get('eio', 0) > 0 and
       failed_clearly(rc, out, err, *(words or (os.path.basename(core),))),
       'EIO in %s: exit %s, one clear error: %r' % (what, rc, last(err)))

env, log = inject(core, eio_after=50 << 20)
rc, out, err, j = dry(core, 1, ['--non-mmap'], env)
ok(stat(log).get('eio', 0) > 0 and
   failed_clearly(rc, out, err, 'Input/output error', 'offset'),
   'EIO after 50 MiB of reads: exit %s, %r' % (rc, last(err)))

# truncated while in use
t = os.path.join(tmp, 'shrinks.elf')
shutil.copyfile(core, t)
env, log = inject(t, truncate=os.path.getsize(core) // 2)
rc, out, err, j = dry(t, 1, ['--mmap'], env)
ok(rc == 1 and 'SIGBUS' in err and 'makedumpfile Failed.' in err,
   'truncated while mapped (--mmap): SIGBUS is a clear error, exit %s: %r'
   % (rc, last(err)))
for tag, extra in (('default pread runs', []), ('--non-mmap', ['--non-mmap'])):
    shutil.copyfile(core, t)
    env, log = inject(t, truncate_on_read=os.path.getsize(core) // 2)
    rc, out, err, j = dry(t, 1, extra, env)
    ok(failed_clearly(rc, out, err, 'truncated', os.path.basename(t)),
       'truncated while read (%s): exit %s, %r' % (tag, rc, last(err)))
# truncated before the run: the warning names the file and the bytes
# lost; what is left either dumps or (here: the kernel's tables lie past
# the cut) fails with one clear error, never a signal
for tag, extra in (('default', []), ('--mmap', ['--mmap'])):
    shutil.copyfile(core, t)
    os.truncate(t, os.path.getsize(core) // 2)
    rc, out, err, j = dry(t, 31, extra)
    warned = [l for l in (out + err).splitlines()
              if t + ' is truncated' in l and 'past the end of the file' in l]
    ok(warned and (rc == 0 or (rc == 1 and 'makedumpfile Failed.' in
                               out + err)),
       'truncated before the run (%s): exit %s, warns %r' % (tag, rc,
                                                             warned[:1]))
os.unlink(t)

sys.exit(1 if failures else 0)
