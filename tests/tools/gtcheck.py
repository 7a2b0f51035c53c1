#!/usr/bin/env python3
"""gtcheck.py: our page classification against the kernel's own truth.

Runs our binary (--dry-run --report-json) on one real vmcore at dump levels
0 1 2 4 8 16 31 and compares, PFN by PFN, with the ground truth the guest
copied out of /proc/kpageflags just before the dump (../shared/vmcores/X/gt)
and with Debian makedumpfile 1.7.2's reports (X/mdf/summary.json).

Prints "ok - ..." / "not ok - ..." lines (tests/run.sh counts them) and,
before each, the evidence: every disagreement listed by PFN ranges with the
kernel's flags for those PFNs.  Exact classes (offline, hwpoison, slab never
excluded, the helper's anon PFNs, hugetlb) must match exactly; free and page
cache may drift by the pages the ground-truth tar write moved after the
snapshot (README of ../shared/vmcores: a few hundred), at most DRIFT.
"""
import json
import lzma
import os
import struct
import subprocess
import sys

DRIFT = 1000
KPF = dict(LOCKED=0, ERROR=1, REFERENCED=2, UPTODATE=3, DIRTY=4, LRU=5,
           ACTIVE=6, SLAB=7, WRITEBACK=8, RECLAIM=9, BUDDY=10, MMAP=11,
           ANON=12, SWAPCACHE=13, SWAPBACKED=14, COMPOUND_HEAD=15,
           COMPOUND_TAIL=16, HUGE=17, UNEVICTABLE=18, HWPOISON=19,
           NOPAGE=20, KSM=21, THP=22, OFFLINE=23, ZERO_PAGE=24, IDLE=25,
           PGTABLE=26, RESERVED=32, MLOCKED=33, MAPPEDTODISK=34, PRIVATE=35)
LEVELS = [0, 1, 2, 4, 8, 16, 31]
CLASSES = ['zero', 'cache', 'cache_private', 'user', 'free', 'hwpoison',
           'offline']

failures = 0


def ok(cond, name, scen):
    global failures
    print('%s - gt/%s: %s' % ('ok' if cond else 'not ok', scen, name))
    if not cond:
        failures += 1


def note(msg):
    for line in str(msg).splitlines():
        print('# ' + line)


def load_flags(gtdir):
    with lzma.open(os.path.join(gtdir, 'kpageflags.bin.xz')) as f:
        data = f.read()
    return struct.unpack('<%dQ' % (len(data) // 8), data)


def has(flags, pfn, bit):
    return pfn < len(flags) and (flags[pfn] >> KPF[bit]) & 1


def label(flags, pfn):
    """A short name of what the kernel said about pfn at the snapshot."""
    if pfn >= len(flags):
        return 'beyond-kpageflags'
    f = flags[pfn]
    names = [n for n in ('BUDDY', 'OFFLINE', 'HWPOISON', 'SLAB', 'HUGE',
                         'ANON', 'LRU', 'SWAPBACKED', 'SWAPCACHE', 'PRIVATE',
                         'RESERVED', 'PGTABLE', 'COMPOUND_HEAD',
                         'COMPOUND_TAIL') if (f >> KPF[n]) & 1]
    return '|'.join(names) if names else 'noflags'


def ranges_to_set(rs):
    s = set()
    for a, n in rs:
        s.update(range(a, a + n))
    return s


def fmt_ranges(pfns):
    """Compact '0x10-0x1f(16) 0x40' list of a set of pfns."""
    out, run = [], None
    for p in sorted(pfns):
        if run and p == run[1] + 1:
            run[1] = p
        else:
            if run:
                out.append(run)
            run = [p, p]
    if run:
        out.append(run)
    return ' '.join('%#x' % a if a == b else '%#x-%#x(%d)' % (a, b, b - a + 1)
                    for a, b in out)


def explain(title, pfns, flags, ours31=None):
    """List pfns grouped by the kernel's label (and our -d 31 class)."""
    groups = {}
    for p in pfns:
        key = label(flags, p)
        if ours31 is not None:
            key += ' / ours -d31: ' + ours31.get(p, 'kept')
        groups.setdefault(key, []).append(p)
    note('%s: %d PFNs' % (title, len(pfns)))
    for key in sorted(groups, key=lambda k: -len(groups[k])):
        note('  kernel %s: %d: %s' % (key, len(groups[key]),
                                      fmt_ranges(groups[key])))


def run_ours(binpath, vmcore, level, outdir):
    js = os.path.join(outdir, 'd%d.json' % level)
    cmd = [binpath, '--dry-run', '--show-stats', '--message-level', '23',
           '-d', str(level), '--report-json', js, vmcore,
           os.path.join(outdir, 'unused.out')]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode(errors='replace')
    with open(os.path.join(outdir, 'd%d.log' % level), 'w') as f:
        f.write(out)
    if p.returncode != 0:
        return None, out
    with open(js) as f:
        return json.load(f), out


def elf_load_overlap(vmcore):
    """Pages counted twice by makedumpfile's per-PT_LOAD hole count."""
    with open(vmcore, 'rb') as f:
        eh = f.read(64)
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        t, = struct.unpack_from('<I', ph, i * phentsize)
        if t != 1:
            continue
        off, va, pa, fsz, msz = struct.unpack_from('<QQQQQ', ph, i * phentsize + 8)
        loads.append((pa >> 12, (pa + msz) >> 12))
    per_load = sum(b - a for a, b in loads)
    union = set()
    for a, b in loads:
        union.update(range(a, b))
    return per_load - len(union)


def main():
    scen_dir, vmcore, binpath, outdir = sys.argv[1:5]
    scen = os.path.basename(scen_dir.rstrip('/'))
    os.makedirs(outdir, exist_ok=True)
    gtdir = os.path.join(scen_dir, 'gt')
    flags = load_flags(gtdir)
    with open(os.path.join(scen_dir, 'mdf', 'summary.json')) as f:
        mdf = json.load(f)

    ours = {}
    for lv in LEVELS:
        j, out = run_ours(binpath, vmcore, lv, outdir)
        ok(j is not None, 'dry run at -d %d succeeds' % lv, scen)
        if j is None:
            note(out)
            return
        ours[lv] = j

    # --- the kernel's sets
    npfn = len(flags)
    gt = {b: {p for p in range(npfn) if (flags[p] >> KPF[b]) & 1}
          for b in ('OFFLINE', 'HWPOISON', 'BUDDY', 'SLAB', 'HUGE', 'ANON',
                    'LRU', 'SWAPCACHE', 'SWAPBACKED', 'NOPAGE')}
    ours31 = {}
    for c in CLASSES:
        for p in ranges_to_set(ours[31]['ranges'][c]):
            ours31[p] = c

    # --- counts against makedumpfile 1.7.2, level by level
    for lv in LEVELS:
        ref = mdf.get('l' if lv == 31 else 'd%d' % lv)
        if not ref:
            continue
        c = ours[lv]['counts']
        diffs = [k for k in CLASSES + ['total'] if c[k] != ref[k]]
        note('-d %-2d ours: %s' % (lv, ' '.join('%s=%d' % (k, c[k]) for k in CLASSES + ['hole', 'total'])))
        note('-d %-2d mdf : %s' % (lv, ' '.join('%s=%d' % (k, ref[k]) for k in CLASSES + ['hole', 'total'])))
        ok(not diffs, '-d %d page counts equal makedumpfile 1.7.2%s' %
           (lv, ' (differ: %s)' % diffs if diffs else ''), scen)
        if c['hole'] != ref['hole']:
            dbl = elf_load_overlap(vmcore)
            note('Memory Hole differs by %d: makedumpfile counts pages of '
                 'overlapping PT_LOADs twice (%d pages: the kernel-text '
                 'PT_LOAD of /proc/vmcore inside the direct map); ours '
                 'counts the union' % (ref['hole'] - c['hole'], dbl))
            ok(ref['hole'] + dbl == c['hole'],
               '-d %d Memory Hole differs from makedumpfile only by its '
               'double count of overlapping PT_LOADs' % lv, scen)

    # --- PG_offline: exact, including pfns the dump has no memory for
    off = ranges_to_set(ours[0]['ranges']['offline'])
    absent = ranges_to_set(ours[0]['ranges'].get('offline_absent', []))
    both = off | absent
    if both != gt['OFFLINE']:
        explain('offline: ours only', both - gt['OFFLINE'], flags)
        explain('offline: kernel only', gt['OFFLINE'] - both, flags)
    note('offline: %d excluded in the dump, %d with no memory in the dump; '
         'kernel KPF_OFFLINE %d' % (len(off), len(absent), len(gt['OFFLINE'])))
    ok(both == gt['OFFLINE'], 'PG_offline PFNs equal KPF_OFFLINE exactly (%d)'
       % len(gt['OFFLINE']), scen)
    # at every level offline pages are excluded (or absent): never read
    for lv in LEVELS:
        o = ranges_to_set(ours[lv]['ranges']['offline'])
        excl_any = set()
        for c in CLASSES:
            if c != 'zero':
                excl_any |= ranges_to_set(ours[lv]['ranges'][c])
        missing = gt['OFFLINE'] - excl_any - absent
        if missing:
            explain('-d %d: offline pages not excluded' % lv, missing, flags)
        ok(not missing, '-d %d excludes every PG_offline page' % lv, scen)

    # --- hwpoison: exact
    hw = ranges_to_set(ours[0]['ranges']['hwpoison'])
    ok(hw == gt['HWPOISON'], 'hwpoison PFNs equal KPF_HWPOISON exactly (%d)'
       % len(gt['HWPOISON']), scen)

    # --- slab is never excluded
    bad = set()
    for c in CLASSES:
        if c != 'zero':
            bad |= ranges_to_set(ours[31]['ranges'][c]) & gt['SLAB']
    if bad:
        explain('slab pages excluded', bad, flags, ours31)
    ok(not bad, 'no KPF_SLAB page is excluded at -d 31 (%d slab pages)'
       % len(gt['SLAB']), scen)

    # --- free: KPF_BUDDY, allowing drift
    fr = ranges_to_set(ours[16]['ranges']['free'])
    extra, miss = fr - gt['BUDDY'], gt['BUDDY'] - fr
    note('free: ours %d, KPF_BUDDY %d, agree on %d' % (len(fr), len(gt['BUDDY']),
                                                       len(fr & gt['BUDDY'])))
    if extra:
        explain('free in ours, not KPF_BUDDY at the snapshot (freed after it)',
                extra, flags, ours31)
    if miss:
        explain('KPF_BUDDY at the snapshot, not free in ours (allocated after '
                'it: the ground-truth tar write fills page cache)', miss, flags,
                ours31)
    ok(len(extra) + len(miss) <= DRIFT,
       'free pages agree with KPF_BUDDY up to snapshot drift (%d differ, '
       'limit %d)' % (len(extra) + len(miss), DRIFT), scen)

    # --- user data: the helper's anon PFNs and every hugetlb page exactly
    us = ranges_to_set(ours[8]['ranges']['user'])
    anon_file = os.path.join(gtdir, 'anon_pages.txt')
    helper = set()
    if os.path.exists(anon_file):
        for line in open(anon_file):
            if line.startswith('#') or not line.strip():
                continue
            helper.add(int(line.split()[3], 16))
    miss = helper - us
    if miss:
        explain('helper anon pages not excluded at -d 8', miss, flags)
    ok(not miss, "the helper's %d anonymous pages are all user data at -d 8"
       % len(helper), scen)
    miss = gt['HUGE'] - us
    if miss:
        explain('hugetlb pages not excluded at -d 8', miss, flags)
    ok(not miss, 'all %d KPF_HUGE pages are user data at -d 8'
       % len(gt['HUGE']), scen)
    other = us - gt['ANON'] - gt['HUGE']
    if other:
        explain('user data in ours, neither ANON nor HUGE at the snapshot',
                other, flags, ours31)
    ok(len(other) <= DRIFT, 'user data is ANON or HUGE up to snapshot drift '
       '(%d other, limit %d)' % (len(other), DRIFT), scen)

    # --- page cache: LRU (or swap cache) and not anon, allowing drift
    ca = ranges_to_set(ours[4]['ranges']['cache']) | \
        ranges_to_set(ours[4]['ranges']['cache_private'])
    kc = (gt['LRU'] | (gt['SWAPCACHE'] & gt['SWAPBACKED'])) - gt['ANON']
    extra, miss = ca - kc, kc - ca
    note('cache: ours %d, kernel LRU/swapcache & !ANON %d, agree on %d'
         % (len(ca), len(kc), len(ca & kc)))
    if extra:
        explain('cache in ours, not at the snapshot', extra, flags, ours31)
    if miss:
        explain('cache at the snapshot, not in ours', miss, flags, ours31)
    ok(len(extra) + len(miss) <= DRIFT, 'page cache agrees with the kernel up '
       'to snapshot drift (%d differ, limit %d)' % (len(extra) + len(miss),
                                                    DRIFT), scen)

    # --- HVO: tail struct pages alias the head's vmemmap page
    hvo = os.path.join(gtdir, 'hugetlb_optimize_vmemmap.txt')
    heads = {p for p in gt['HUGE'] if (flags[p] >> KPF['COMPOUND_HEAD']) & 1}
    if heads and os.path.exists(hvo) and open(hvo).read().strip() == '1':
        # 2 MiB pages: 512 struct pages in 8 vmemmap pages, only the first
        # kept: 7 aliases of the head per huge page (kernel e7d324850bfc)
        want = len(heads) * 7
        got = ours[0]['anomalies']['hvo_fake_heads']
        note('HVO: %d hugetlb heads, %d fake heads seen at -d 0' % (len(heads), got))
        ok(got == want, 'HVO fake heads recognised as tails at -d 0 (%d)' % want,
           scen)

    # --- nothing unexplained in the report
    an = ours[31]['anomalies']
    note('anomalies at -d 31: %s' % an)
    ok(an['memmap_unavailable'] == 0 and an['bad_order'] == 0 and
       an['bad_buddy'] == 0, 'no unreadable struct page and no impossible '
       'order on a healthy core', scen)


if __name__ == '__main__':
    main()
    sys.exit(1 if failures else 0)
