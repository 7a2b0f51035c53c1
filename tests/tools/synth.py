#!/usr/bin/env python3
"""synth.py: synthetic vmcores against their ground truth.

    synth.py [--keep] [--mdf] [--timeout S] FIXTURE.txt...

For each fixture (fixtures/vmcore/<case>.txt): build the core with
build/tools/mkvmcore, translate the addresses the generator names
(kernel image, linear map, mem_section, vmemmap, unmapped ones) with
build/tools/kvtop (our arch code), run our binary with --dry-run
--report-json at every dump level the case names (default 0 1 2 4 8 16 31)
under a timeout, and compare PFN by PFN with the ground truth the
generator wrote (the .gt format is in fixtures/vmcore/README.md).  With --mdf, cases marked
"mdf yes" are also opened by Debian makedumpfile 1.7.2 and its page counts
compared with the same ground truth.

Environment: BIN (our binary), TOOLS (build/tools), TMPBASE (scratch).
Prints "ok - synth/<case>: ..." / "not ok - ..." lines with '#' evidence
before each failure; tests/run.sh counts them.  The generated core is
deleted after its case unless --keep.
"""
import json
import os
import re
import resource
import subprocess
import sys
import time

LEVELS = [0, 1, 2, 4, 8, 16, 31]
CLASSES = ['zero', 'cache', 'cache_private', 'user', 'free', 'hwpoison',
           'offline']
LEVEL_BIT = {'cache': 2 | 4, 'cache_private': 4, 'user': 8, 'free': 16}
# makedumpfile report lines -> our class names
MDF_LINES = {
    'Pages filled with zero': 'zero',
    'Non-private cache pages': 'cache',
    'Private cache pages': 'cache_private',
    'User process data pages': 'user',
    'Free pages': 'free',
    'Hwpoison pages': 'hwpoison',
    'Offline pages': 'offline',
    'Memory Hole': 'hole',
    'Total pages': 'total',
}
OFFLINE_WARN = re.compile(r'PG_offline|PAGE_OFFLINE', re.I)

failures = 0
SCALE = []      # (case, level, max_mapnr, CPU s, peak RSS KiB, wall s)


def ok(cond, case, what, evidence=()):
    global failures
    if not cond:
        for e in evidence:
            for line in str(e).splitlines():
                print('# ' + line)
        failures += 1
    print('%s - synth/%s: %s' % ('ok' if cond else 'not ok', case, what))
    sys.stdout.flush()


class GT:
    """The ground-truth file of one case."""

    def __init__(self, path):
        self.runs = []          # (start, n, cls, zero)
        self.unread = []        # runs whose own struct pages are unreadable
        self.expect = {}
        self.hvo = []
        self.levels = list(LEVELS)
        self.extra_runs = []    # extra argument lists for our binary
        self.mdf = None         # None: not asked; else (yes, reason)
        self.mdf_except = set()  # classes makedumpfile 1.7.2 cannot know
        self.lkdf = None        # None: not asked; else (yes, reason)
        self.timeout = None
        self.maxrss = None      # KiB: a bound on the -d 31 runs' peak RSS
        self.scale = False
        self.max_mapnr = 0
        self.offline_exported = True
        self.page_size = 4096
        self.arch = 'x86_64'
        self.xlat = []          # (vaddr, paddr or None)
        for line in open(path):
            w = line.split()
            if not w or w[0].startswith('#'):
                continue
            k = w[0]
            if k == 'r':
                self.runs.append((int(w[1]), int(w[2]), w[3], w[4] == '1'))
                if len(w) > 5 and w[5] == '1':
                    self.unread.append((int(w[1]), int(w[2]), w[3], w[4] == '1'))
            elif k == 'expect':
                self.expect[w[1]] = int(w[2])
            elif k == 'hvo':
                self.hvo.append((int(w[1]), int(w[2])))
            elif k == 'levels':
                self.levels = [int(x) for x in w[1:]]
            elif k == 'run':
                self.extra_runs.append(w[1:])
            elif k == 'mdf':
                # mdf yes | mdf no REASON | mdf except CLASS,... REASON
                if w[1] == 'except':
                    self.mdf = (True, ' '.join(w[3:]))
                    self.mdf_except = set(w[2].split(','))
                else:
                    self.mdf = (w[1] == 'yes', ' '.join(w[2:]))
            elif k == 'lkdf':
                # lkdf yes | lkdf no REASON
                self.lkdf = (w[1] == 'yes', ' '.join(w[2:]))
            elif k == 'timeout':
                self.timeout = int(w[1])
            elif k == 'maxrss':
                self.maxrss = int(w[1])
            elif k == 'scale':
                self.scale = True
            elif k == 'max_mapnr':
                self.max_mapnr = int(w[1])
            elif k == 'offline_exported':
                self.offline_exported = w[1] == '1'
            elif k == 'page_size':
                self.page_size = int(w[1])
            elif k == 'arch':
                self.arch = w[1]
            elif k == 'xlat':
                self.xlat.append((int(w[1], 16),
                                  None if w[2] == '-' else int(w[2], 16)))


def expected(cls, zero, level, marker_given=False):
    """What the tool must report for a page of ground-truth class cls:
    a class name, 'kept', None (not in the dump), 'either' or 'any'.
    marker_given: --offline-mapcount was passed, offline is certain."""
    if cls in ('hole', 'hole_offline', 'hole_offline?'):
        return None
    if cls == 'any':
        return 'any'
    if cls == 'nodata':
        return 'kept'
    base, _, extra = cls.partition('+')
    if base in LEVEL_BIT and level & LEVEL_BIT[base]:
        return base
    if extra == 'hwpoison' or base == 'hwpoison':
        return 'hwpoison'
    if base == 'offline':
        return 'offline'
    if base == 'offline?':
        return 'offline' if marker_given else 'either'
    if level & 1 and zero:
        return 'zero'
    return 'kept'


def actual_map(js):
    """Sorted disjoint (start, end, class) of every excluded range."""
    out = []
    for c in CLASSES:
        for a, n in js['ranges'][c]:
            out.append((a, a + n, c))
    out.sort()
    return out


def compare(gt, js, level, marker_given=False):
    """PFN-by-PFN comparison; returns (mismatch list, either-kept count,
    expected counts)."""
    act = actual_map(js)
    bad = []
    either_kept = 0
    counts = dict((c, 0) for c in CLASSES)
    j = 0
    for start, n, cls, zero in gt.runs:
        want = expected(cls, zero, level, marker_given)
        end = start + n
        if want in CLASSES:
            counts[want] += n
        # walk the actual ranges overlapping [start, end)
        while j > 0 and act[j - 1][1] > start:
            j -= 1
        while j < len(act) and act[j][1] <= start:
            j += 1
        p = start
        k = j
        while p < end:
            if k < len(act) and act[k][0] <= p < act[k][1]:
                seg_end = min(act[k][1], end)
                got = act[k][2]
                k += 1
            else:
                nxt = act[k][0] if k < len(act) else end
                seg_end = min(nxt, end)
                got = 'kept'
            if seg_end <= p:
                seg_end = p + 1
            if want is None:
                good = got == 'kept'
            elif want == 'any':
                good = True
            elif want == 'either':
                good = got in ('offline', 'kept')
                if got == 'kept':
                    either_kept += seg_end - p
            else:
                good = got == want
            if not good:
                bad.append((p, seg_end, cls, want or 'not in the dump', got))
            p = seg_end
    return bad, either_kept, counts


def fmt_bad(bad, limit=12):
    out = ['%d mismatching ranges, first %d:' % (len(bad), min(limit, len(bad)))]
    for a, b, cls, want, got in bad[:limit]:
        out.append('  pfn %#x-%#x (%d): ground truth %s -> want %s, got %s'
                   % (a, b - 1, b - a, cls, want, got))
    return out


def run_ours(binpath, core, level, outdir, extra, timeout):
    js = os.path.join(outdir, 'd%d.json' % level)
    if os.path.exists(js):
        os.unlink(js)
    cmd = [binpath, '--dry-run', '--show-stats', '--message-level', '31',
           '-d', str(level), '--report-json', js] + extra + \
          [core, os.path.join(outdir, 'unused.out')]
    log = os.path.join(outdir, 'd%d.log' % level)
    t0 = time.time()
    with open(log, 'w+b') as lf:
        p = subprocess.Popen(cmd, stdout=lf, stderr=subprocess.STDOUT)
        # wait4: this child's own peak RSS, not the largest of all children
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.time() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                return 'timeout', None, 'TIMEOUT after %ds: %s' % (
                    timeout, ' '.join(cmd)), None
            time.sleep(0.02)
        dt = time.time() - t0
        lf.seek(0)
        out = lf.read().decode(errors='replace')
    rc = os.waitstatus_to_exitcode(status)
    meas = (dt, ru.ru_maxrss, ru.ru_utime + ru.ru_stime)
    if rc != 0:
        return rc, None, out, meas
    try:
        with open(js) as f:
            return 0, json.load(f), out, meas
    except (OSError, ValueError) as e:
        return 0, None, out + '\nno JSON report: %s' % e, meas


def check_level(case, gt, js, out, level, tag):
    ev = []
    marker_given = '--offline-mapcount' in tag
    bad, either_kept, counts = compare(gt, js, level, marker_given)
    if bad:
        ev += fmt_bad(bad)
    if either_kept and not OFFLINE_WARN.search(out):
        ev.append('%d offline pages kept without a warning about PG_offline'
                  % either_kept)
    c = js['counts']
    present = sum(n for s, n, cls, z in gt.runs
                  if not cls.startswith('hole') and s < gt.max_mapnr)
    if c['total'] != gt.max_mapnr:
        ev.append('total %d, ground truth max_mapnr %d' % (c['total'], gt.max_mapnr))
    if c['original'] != present:
        ev.append('original %d, ground truth %d pfns in the dump'
                  % (c['original'], present))
    exact = not any(cls == 'any' or (cls == 'offline?' and not marker_given)
                    for s, n, cls, z in gt.runs)
    if exact:
        for k in CLASSES:
            if c[k] != counts[k]:
                ev.append('count %s: ours %d, ground truth %d' % (k, c[k], counts[k]))
    an = js['anomalies']
    # pfns with an unreadable struct page are counted when the tool
    # visits them, i.e. unless an exclusion decided by a readable head
    # covers them at this level
    has_any = any(cls == 'any' for s, n, cls, z in gt.runs)
    unavail = sum(n for s, n, cls, z in gt.unread
                  if expected(cls, z, level) in ('kept', 'zero', 'either'))
    if not has_any and an.get('memmap_unavailable') != unavail:
        ev.append('anomaly memmap_unavailable: ours %s, expected %d'
                  % (an.get('memmap_unavailable'), unavail))
    for k, v in sorted(gt.expect.items()):
        if k not in an:
            ev.append('anomaly %s missing from the JSON report' % k)
        elif an[k] != v:
            ev.append('anomaly %s: ours %d, expected %d' % (k, an[k], v))
    # HVO: every vmemmap page of the folio after the first starts with a
    # fake head (64-byte struct pages)
    fake = sum((64 << o) // gt.page_size - 1 for p, o in gt.hvo) \
        if not level & 8 else 0
    if not has_any and an.get('hvo_fake_heads', 0) != fake:
        ev.append('anomaly hvo_fake_heads: ours %d, expected %d'
                  % (an.get('hvo_fake_heads', 0), fake))
    want_abs = set()
    for s, n, cls, z in gt.runs:
        if cls == 'hole_offline':
            want_abs.add((s, n))
    got_abs = js['ranges'].get('offline_absent', [])
    got_set = _merge([(a, n) for a, n in got_abs])
    want_set = _merge(sorted(want_abs))
    either_abs = any(cls == 'hole_offline?' for s, n, cls, z in gt.runs)
    if not either_abs and got_set != want_set:
        ev.append('offline pages absent from the dump: ours %s, ground truth %s'
                  % (got_set[:6], want_set[:6]))
    # the tool must not doubt its own translation (utsname, swapper_pg_dir)
    for line in out.splitlines():
        if 'may be wrong' in line:
            ev.append('warning: ' + line.strip())
    ok(not ev, case, '%s-d %d: classes, counts and anomalies equal the ground truth'
       % (tag, level), ev + ['--- tool output (tail) ---'] + out.splitlines()[-25:]
       if ev else ())


def _merge(rs):
    out = []
    for a, n in sorted(rs):
        if out and out[-1][0] + out[-1][1] == a:
            out[-1] = (out[-1][0], out[-1][1] + n)
        else:
            out.append((a, n))
    return out


def parse_mdf(text):
    got = {}
    for line in text.splitlines():
        m = re.match(r'\s*([A-Za-z -]+?)\s*:\s*0x([0-9a-f]+)', line)
        if m and m.group(1) in MDF_LINES:
            got[MDF_LINES[m.group(1)]] = int(m.group(2), 16)
    return got


def check_mdf(case, gt, core, outdir):
    """Debian makedumpfile 1.7.2 on the same core: its counts must equal
    the ground truth's (an outside check of the generator)."""
    mdf = '/usr/bin/makedumpfile'
    if not os.access(mdf, os.X_OK):
        print('# makedumpfile 1.7.2 not installed: outside check skipped')
        return
    ev = []
    # -d 31 makes every class visible at once; one run keeps it cheap
    for level in (31,):
        if level not in gt.levels:
            continue
        out_file = os.path.join(outdir, 'mdf.out')
        try:
            p = subprocess.run([mdf, '--dry-run', '--show-stats', '-d', str(level),
                                core, out_file], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=120)
            text = p.stdout.decode(errors='replace')
        except subprocess.TimeoutExpired:
            ev.append('-d %d: makedumpfile timed out' % level)
            continue
        finally:
            if os.path.exists(out_file):
                os.unlink(out_file)
        got = parse_mdf(text)
        if p.returncode != 0 or 'total' not in got:
            ev.append('-d %d: makedumpfile failed (exit %d):' % (level, p.returncode))
            ev += text.splitlines()[-8:]
            continue
        _, _, counts = compare(gt, {'ranges': dict((c, []) for c in CLASSES)}, level)
        diffs = ['%s %d (ground truth %d)' % (k, got.get(k, -1), counts[k])
                 for k in CLASSES
                 if got.get(k, -1) != counts[k] and k not in gt.mdf_except]
        if got['total'] != gt.max_mapnr:
            diffs.append('total %d (ground truth %d)' % (got['total'], gt.max_mapnr))
        if diffs:
            ev.append('-d %d: makedumpfile 1.7.2 says %s' % (level, ', '.join(diffs)))
    what = 'makedumpfile 1.7.2 counts equal the ground truth'
    if gt.mdf_except:
        what += ' (except %s: %s)' % (','.join(sorted(gt.mdf_except)), gt.mdf[1])
    ok(not ev, case, what, ev)


def check_xlat(case, gt, core):
    """Our arch code (build/tools/kvtop) on the addresses the generator
    mapped (or left unmapped): every one must translate as meant."""
    if not gt.xlat:
        return
    kvtop = os.path.join(os.environ.get('TOOLS', 'build/tools'), 'kvtop')
    p = subprocess.run([kvtop, core] + ['%x' % va for va, pa in gt.xlat],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    text = p.stdout.decode(errors='replace')
    got = {}
    for line in text.splitlines():
        w = line.split()
        if len(w) == 2 and re.match(r'^[0-9a-f]+$', w[0]):
            got[int(w[0], 16)] = None if w[1] == '-' else int(w[1], 16)
    ev = []
    if p.returncode != 0:
        ev += ['kvtop exit %d:' % p.returncode] + text.splitlines()[-8:]
    bad = [(va, pa, got.get(va, 'missing')) for va, pa in gt.xlat
           if got.get(va, 'missing') != pa]
    for va, pa, g in bad[:12]:
        ev.append('%#x: want %s, got %s' % (
            va, '-' if pa is None else '%#x' % pa,
            g if isinstance(g, str) else '-' if g is None else '%#x' % g))
    if bad:
        ev.append('%d of %d translations differ' % (len(bad), len(gt.xlat)))
    nmap = sum(1 for va, pa in gt.xlat if pa is not None)
    ok(not ev, case, '%s: %d addresses translate as built (%d mapped, %d not)'
       % (gt.arch, len(gt.xlat), nmap, len(gt.xlat) - nmap), ev)


def check_lkdf(case, gt, core):
    """libkdumpfile's page-table walk on the addresses the generator
    mapped: an outside check of the generator's descriptors (for arm64,
    where makedumpfile 1.7.2 of an x86_64 host cannot read the core)."""
    py = '/usr/bin/python3' if os.access('/usr/bin/python3', os.X_OK) \
        else sys.executable
    here = os.path.dirname(os.path.abspath(__file__))
    gtf = core[:-4] + '.gt'
    p = subprocess.run([py, os.path.join(here, 'lkdfxlat.py'), core, gtf],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300)
    text = p.stdout.decode(errors='replace')
    if p.returncode == 77:
        print('# synth/%s: libkdumpfile not installed: outside check skipped'
              % case)
        return
    lines = text.splitlines()
    ok(p.returncode == 0, case, 'libkdumpfile translates the same: %s'
       % (lines[0] if lines else 'no output'), lines[1:] + lines[:0])


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def run_case(fixture, args):
    case = os.path.basename(fixture)[:-4]
    tmp = os.path.join(os.environ.get('TMPBASE', '/tmp'), 'synth', case)
    os.makedirs(tmp, exist_ok=True)
    core = os.path.join(tmp, case + '.elf')
    gtf = os.path.join(tmp, case + '.gt')
    tools = os.environ.get('TOOLS', 'build/tools')
    binpath = os.environ.get('BIN', './makedumpfile')
    t0 = time.time()
    p = subprocess.run([os.path.join(tools, 'mkvmcore'), fixture, core, gtf],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    gen_s = time.time() - t0
    ok(p.returncode == 0, case, 'mkvmcore builds the core (%.1fs)' % gen_s,
       [p.stdout.decode(errors='replace')])
    if p.returncode != 0:
        return
    gt = GT(gtf)
    timeout = gt.timeout or args['timeout']
    try:
        check_xlat(case, gt, core)
        if gt.lkdf is not None:
            if gt.lkdf[0]:
                check_lkdf(case, gt, core)
            else:
                print('# synth/%s: libkdumpfile not compared: %s'
                      % (case, gt.lkdf[1]))
        for extra in [[]] + gt.extra_runs:
            tag = ' '.join(extra) + ' ' if extra else ''
            for level in gt.levels:
                rc, js, out, meas = run_ours(binpath, core, level, tmp, extra,
                                             timeout)
                if gt.scale and meas:
                    print('# synth/%s: -d %d: %.2f s wall, %.2f s CPU, peak RSS '
                          '%d KiB, %d pfns' % (case, level, meas[0], meas[2],
                                               meas[1], gt.max_mapnr))
                    SCALE.append((case, level, gt.max_mapnr, meas[2], meas[1],
                                  meas[0]))
                if js is None:
                    ok(False, case, '%s-d %d: runs to completion' % (tag, level),
                       ['exit status %s' % rc] + out.splitlines()[-30:])
                    continue
                # at -d 31 little page data is read, so the bound is on
                # the tool's own memory (the mapped input counts in RSS)
                if gt.maxrss and meas and level == 31:
                    ok(meas[1] <= gt.maxrss, case,
                       '%s-d %d: peak RSS %d KiB <= %d KiB'
                       % (tag, level, meas[1], gt.maxrss))
                check_level(case, gt, js, out, level, tag)
        if args['mdf'] and gt.mdf is not None:
            if gt.mdf[0]:
                check_mdf(case, gt, core, tmp)
            else:
                print('# synth/%s: makedumpfile 1.7.2 not compared: %s'
                      % (case, gt.mdf[1]))
    finally:
        if not args['keep']:
            for f in (core, os.path.join(tmp, 'unused.out')):
                if os.path.exists(f):
                    os.unlink(f)


def main():
    args = {'keep': False, 'mdf': False, 'timeout': 180}
    files = []
    it = iter(sys.argv[1:])
    for a in it:
        if a == '--keep':
            args['keep'] = True
        elif a == '--mdf':
            args['mdf'] = True
        elif a == '--timeout':
            args['timeout'] = int(next(it))
        else:
            files.append(a)
    for f in files:
        run_case(f, args)
    scale_verdict()
    sys.exit(1 if failures else 0)


def scale_verdict():
    """The biggest scale case against the smallest, level by level:
    peak RSS bounded (does not grow with the machine), CPU time at most
    linear in the pfn count (CPU, not wall: a loaded machine slows both
    runs unevenly; slack 2x)."""
    cases = sorted(set((m, c) for c, l, m, t, r, w in SCALE))
    if len(cases) < 2:
        return
    (m_small, small), (m_big, big) = cases[0], cases[-1]
    ratio = m_big / m_small
    for level in sorted(set(x[1] for x in SCALE)):
        s = [x for x in SCALE if x[0] == small and x[1] == level]
        b = [x for x in SCALE if x[0] == big and x[1] == level]
        if not s or not b:
            continue
        ts, rs = s[0][3], s[0][4]
        tb, rb, wb = b[0][3], b[0][4], b[0][5]
        ok(rb <= 64 * 1024 and rb <= rs + 16 * 1024, big,
           '-d %d: peak RSS %d KiB for %d pfns vs %d KiB for %d pfns (bounded: '
           '<= 64 MiB and <= smaller + 16 MiB)' % (level, rb, m_big, rs, m_small))
        ok(tb <= 2 * ratio * max(ts, 0.05) + 1.0, big,
           '-d %d: %.2f s CPU (%.2f s wall) for %dx the pfns of %s (%.2f s '
           'CPU): at most linear (limit %.1f s)'
           % (level, tb, wb, round(ratio), small, ts,
              2 * ratio * max(ts, 0.05) + 1.0))


if __name__ == '__main__':
    main()
