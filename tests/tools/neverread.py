#!/usr/bin/env python3
"""neverread.py SCENDIR CORE BIN SHIM TMPDIR [--hwpoison]

The safety rule, proved three ways on a real vmcore: PG_offline pages (the
kernel's own KPF_OFFLINE from SCENDIR/gt/kpageflags.bin.xz) are never read.

1. trace: --trace-reads logs every physical range the tool reads (page
   data, struct pages, page tables); none may overlap a forbidden pfn, at
   dump levels 0, 1 and 31.
2. EIO: in the default read path of a regular file (pread() runs of
   announced pages) and with --non-mmap, the LD_PRELOAD fault injector
   (tests/fault/faultio_shim.c) fails every read of the forbidden pages'
   file bytes; the run still completes with the same counts (-d 1, 31).
3. PROT_NONE: with --mmap (the windows /proc/vmcore is read through,
   forced on the file), the injector makes the host pages holding the
   forbidden pages inaccessible; a single touch would be a SIGSEGV.  The
   run completes with the same counts (-d 1 and 31: the zero-page check
   touches every page the dry run reads).

A control shows each method can fail: the same injection over pages the
tool does read gives a clear EIO error (pread) or a SIGSEGV (--mmap).

--hwpoison: instead of PG_offline, first copy the core and set PG_hwpoison
in the struct pages of pages the tool reads at -d 31 (found by the trace);
those become the forbidden pages, and the tool must also report them as
hwpoison.
"""
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys

scendir, core, binpath, shim, tmp = sys.argv[1:6]
hwpoison = '--hwpoison' in sys.argv[6:]
scen = os.path.basename(scendir.rstrip('/')) + ('+hwpoison' if hwpoison else '')
os.makedirs(tmp, exist_ok=True)
failures = 0
PAGE = 4096
LEVELS = (0, 1, 31)


def ok(cond, name):
    global failures
    print('%s - neverread/%s: %s' % ('ok' if cond else 'not ok', scen, name))
    if not cond:
        failures += 1


def note(msg):
    print('# ' + msg)


def phdrs(path):
    with open(path, 'rb') as f:
        eh = f.read(64)
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        t, _, off, va, pa, fsz, msz = struct.unpack_from('<IIQQQQQ', ph,
                                                          i * phentsize)
        if t == 1:
            loads.append((pa, fsz, off))
    return loads


def to_ranges(pfns):
    out = []
    for p in sorted(pfns):
        if out and out[-1][1] == p:
            out[-1][1] = p + 1
        else:
            out.append([p, p + 1])
    return out


def file_ranges(loads, pfn_ranges):
    """file byte ranges holding the data of these pfn ranges"""
    out = []
    for a, b in pfn_ranges:
        lo, hi = a * PAGE, b * PAGE
        for pa, fsz, off in loads:
            s, e = max(lo, pa), min(hi, pa + fsz)
            if s < e:
                out.append((off + s - pa, off + e - pa))
    return out


def run(args, env=None, timeout=300):
    e = dict(os.environ)
    if env:
        e.update(env)
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


def shim_env(path, franges, extra=None):
    log = os.path.join(tmp, 'faultio.log')
    if os.path.exists(log):
        os.unlink(log)
    e = {'LD_PRELOAD': shim, 'FAULTIO_PATH': path, 'FAULTIO_LOG': log,
         'FAULTIO_EIO': ','.join('%x-%x' % r for r in franges),
         # a sanitizer runtime must not insist on coming first
         'ASAN_OPTIONS': os.environ.get('ASAN_OPTIONS', '') +
         ':verify_asan_link_order=0'}
    if extra:
        e.update(extra)
    return e, log


def shim_log(log):
    try:
        w = open(log).read().split()
        return {w[i]: int(w[i + 1]) for i in range(0, len(w) - 1, 2)}
    except (OSError, ValueError, IndexError):
        return {}


def traced(path, level):
    tr = os.path.join(tmp, 'trace.txt')
    rc, out, err, j = dry(path, level, ['--trace-reads', tr])
    reads = []
    if rc == 0:
        for line in open(tr):
            a, n = line.split()
            reads.append((int(a, 16), int(n, 16)))
    return rc, err, j, reads


def overlaps(reads, pfn_ranges):
    """reads (paddr, len) touching any [a, b) pfn range"""
    import bisect
    starts = [a * PAGE for a, _ in pfn_ranges]
    hits = []
    for pa, n in reads:
        i = bisect.bisect_right(starts, pa + n - 1) - 1
        if i >= 0 and pfn_ranges[i][1] * PAGE > pa:
            hits.append((pa, n))
    return hits


def counts(j):
    return j['counts'] if j else None


def struct_page_offset(path, loads, pfn):
    """file offset of pfn's struct page, through the tool's own --vtop"""
    rc, out, err = run(['--dry-run', '-D', '--vtop', '0', path, '/dev/null'])
    base = None
    for line in out.splitlines():
        if line.startswith('mem_map[   0]'):
            base = int(line.split()[2], 16)
    if base is None:
        return None
    va = base + pfn * 64
    rc, out, err = run(['--dry-run', '-d', '0', '--vtop', hex(va), path,
                        '/dev/null'])
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == '%x' % va:
            phys = int(parts[1], 16)
            for pa, fsz, off in loads:
                if pa <= phys < pa + fsz:
                    return off + phys - pa
    return None


def pg_hwpoison_bit(path):
    with open(path, 'rb') as f:
        data = f.read(1 << 20)
    at = data.find(b'NUMBER(PG_hwpoison)=')
    end = data.find(b'\n', at)
    return int(data[at + 20:end]) if at >= 0 else None


loads = phdrs(core)
path = core
if hwpoison:
    # pages read at -d 31 (4 KiB data reads), a run of 16 and 8 singles
    rc, err, j, reads = traced(core, 31)
    # page data only: not pages that also hold struct pages or tables
    meta = set()
    for pa, n in reads:
        if n != PAGE or pa % PAGE:
            meta.update(range(pa // PAGE, (pa + n - 1) // PAGE + 1))
    data_pfns = sorted({pa // PAGE for pa, n in reads
                        if n == PAGE and pa % PAGE == 0} - meta)
    ok(rc == 0 and len(data_pfns) > 1000,
       'the intact core reads %d data pages at -d 31' % len(data_pfns))
    run16 = None
    for i in range(len(data_pfns) // 2, len(data_pfns) - 16):
        if data_pfns[i + 15] == data_pfns[i] + 15:
            run16 = data_pfns[i:i + 16]
            break
    singles = data_pfns[len(data_pfns) // 10::len(data_pfns) // 9][:8]
    forbidden = set(run16 or []) | set(singles)
    bit = pg_hwpoison_bit(core)
    path = os.path.join(tmp, 'hwpoison.elf')
    shutil.copyfile(core, path)
    patched = 0
    with open(path, 'r+b') as f:
        for pfn in sorted(forbidden):
            off = struct_page_offset(core, loads, pfn)
            if off is None or bit is None:
                continue
            f.seek(off)
            flags, = struct.unpack('<Q', f.read(8))
            f.seek(off)
            f.write(struct.pack('<Q', flags | 1 << bit))
            patched += 1
    ok(patched == len(forbidden) and patched >= 20,
       'PG_hwpoison set in %d struct pages (bit %s)' % (patched, bit))
    rc, out, err, j = dry(path, 31)
    got = set()
    for a, n in (j['ranges']['hwpoison'] if j else []):
        got.update(range(a, a + n))
    # a poisoned compound head takes its tails along (makedumpfile too)
    ok(rc == 0 and forbidden <= got and
       all(any(0 < q - p < 512 for p in forbidden) for q in got - forbidden),
       'the tool reports those %d pages as hwpoison at -d 31 (%d with the '
       'tails of poisoned compound heads)' % (len(forbidden), len(got)))
    forbidden |= got
else:
    with lzma.open(os.path.join(scendir, 'gt', 'kpageflags.bin.xz')) as f:
        raw = f.read()
    flags = struct.unpack('<%dQ' % (len(raw) // 8), raw)
    forbidden = {p for p, fl in enumerate(flags) if (fl >> 23) & 1}

franges_pfn = to_ranges(forbidden)
in_dump = file_ranges(loads, franges_pfn)
nbytes = sum(b - a for a, b in in_dump)
note('%d forbidden pfns in %d ranges; %d bytes of them in the file'
     % (len(forbidden), len(franges_pfn), nbytes))
ok(len(forbidden) > 0, 'there are forbidden pages (%d)' % len(forbidden))

# 1. the read trace at several levels
base = {}
for lv in LEVELS:
    rc, err, j, reads = traced(path, lv)
    base[lv] = counts(j)
    hits = overlaps(reads, franges_pfn)
    total = sum(n for _, n in reads)
    ok(rc == 0 and len(reads) > 1000 and not hits,
       '-d %d: %d reads (%d MiB), none of a forbidden page%s'
       % (lv, len(reads), total >> 20,
          (': %d do, first %#x+%#x' % (len(hits), hits[0][0], hits[0][1]))
          if hits else ''))

# 2. read(2) of the forbidden file bytes fails with EIO: still completes
# (levels with the zero-page check, which touches every page it reads).
# virtio-mem's unplugged memory has no bytes in the file: nothing to fail.
shim_levels = (1, 31) if nbytes else ()
if not nbytes:
    note('no forbidden byte is in the file: EIO and PROT_NONE do not apply')
for lv in shim_levels:
    for tag, extra in (('default (pread runs)', []),
                       ('--non-mmap', ['--non-mmap'])):
        env, log = shim_env(path, in_dump)
        rc, out, err, j = dry(path, lv, extra, env)
        st = shim_log(log)
        ok(rc == 0 and counts(j) == base[lv] and st.get('reads', 0) > 100 and
           st.get('eio', -1) == 0,
           '-d %d %s with EIO on every forbidden byte: completes, same '
           'counts, %s reads, %s failed' % (lv, tag, st.get('reads'),
                                            st.get('eio')))

# 3. the mapped forbidden bytes are PROT_NONE: still completes.  With
# --mmap the input maps bounded windows (1 MiB of a file; /proc/vmcore
# takes this path by default) where it needs pages, so only the
# forbidden bytes that share a window with needed pages get mapped at all;
# those must be protected and never touched.  At least one level must have
# mapped some, or this check proved nothing.
most = 0
for lv in shim_levels:
    env, log = shim_env(path, in_dump, {'FAULTIO_PROTECT': '1'})
    rc, out, err, j = dry(path, lv, ['--mmap'], env)
    st = shim_log(log)
    most = max(most, st.get('protected', 0))
    ok(rc == 0 and counts(j) == base[lv],
       '-d %d --mmap with the mapped forbidden bytes PROT_NONE (%s bytes): '
       'completes, same counts' % (lv, st.get('protected')))
ok(most > 0 or not shim_levels, 'PROT_NONE exercised: up to %d forbidden bytes were mapped '
   'beside needed pages and protected' % most)

# the controls: the same injection on pages that are read must be caught
rc, err, j, reads = traced(path, 1)
data_pfns = sorted({pa // PAGE for pa, n in reads
                    if n == PAGE and pa % PAGE == 0})
victim = to_ranges(data_pfns[len(data_pfns) // 2:len(data_pfns) // 2 + 64])
vbytes = file_ranges(loads, victim)
env, log = shim_env(path, vbytes)
rc, out, err, j = dry(path, 1, [], env)
st = shim_log(log)
ok(rc == 1 and 'Input/output error' in err and st.get('eio', 0) > 0 and
   'makedumpfile Failed.' in out + err,
   'control: EIO on pages that are read (default pread) fails with a '
   'clear message: %r'
   % err.strip().splitlines()[-1:])
env, log = shim_env(path, vbytes, {'FAULTIO_PROTECT': '1'})
rc, out, err, j = dry(path, 1, ['--mmap'], env)
# a signal, or under ASan its report of the SEGV
ok(rc is not None and (rc < 0 or 'AddressSanitizer: SEGV' in err),
   'control: PROT_NONE on pages that are read (--mmap) is caught (%s)'
   % ('signal %d' % -rc if rc is not None and rc < 0 else 'exit %s' % rc))

if hwpoison:
    os.unlink(path)
sys.exit(1 if failures else 0)
