#!/usr/bin/env python3
"""tracecheck.py SCENARIO_DIR VMCORE BIN OUTDIR: PG_offline and hwpoison
pages are never read.

Runs our binary with --trace-reads (every physical range the tool reads:
page data, struct pages, page tables, mem_section) at dump levels 0, 1
and 31 as a dry run, then writing real dumps (-E and -l at -d 0, -c at
-d 31, -z at -d 1 through -F), and checks that no read touches a pfn the
kernel marked KPF_OFFLINE or KPF_HWPOISON in ../shared/vmcores/X/gt/kpageflags.  So
that the check cannot pass by reading nothing, the trace must also hold
one page-sized read for every page the report says it kept.
Prints ok / not ok lines.
"""
import bisect
import json
import lzma
import os
import struct
import subprocess
import sys

KPF_HWPOISON, KPF_OFFLINE = 19, 23
failures = 0


def ok(cond, name, scen):
    global failures
    print('%s - trace/%s: %s' % ('ok' if cond else 'not ok', scen, name))
    if not cond:
        failures += 1


def runs(pfns):
    """sorted pfns -> list of [start, end) runs"""
    out = []
    for p in pfns:
        if out and out[-1][1] == p:
            out[-1][1] = p + 1
        else:
            out.append([p, p + 1])
    return out


def main():
    scen_dir, vmcore, binpath, outdir = sys.argv[1:5]
    scen = os.path.basename(scen_dir.rstrip('/'))
    os.makedirs(outdir, exist_ok=True)
    with lzma.open(os.path.join(scen_dir, 'gt', 'kpageflags.bin.xz')) as f:
        data = f.read()
    flags = struct.unpack('<%dQ' % (len(data) // 8), data)
    never = [p for p, fl in enumerate(flags)
             if (fl >> KPF_OFFLINE) & 1 or (fl >> KPF_HWPOISON) & 1]
    forbidden = runs(never)
    starts = [a for a, _ in forbidden]
    print('# %s: %d PG_offline/hwpoison pfns in %d runs'
          % (scen, len(never), len(forbidden)))

    runs_ = [(['--dry-run'], lv, 'dry run') for lv in (0, 1, 31)]
    runs_ += [(['-E'], 0, '-E dump'), (['-l'], 0, '-l dump'),
              (['-c'], 31, '-c dump'), (['-F', '-z'], 1, '-F -z stream')]
    for mode, lv, what in runs_:
        trace = os.path.join(outdir, 'trace-d%d.txt' % lv)
        js = os.path.join(outdir, 'trace-d%d.json' % lv)
        out = os.path.join(outdir, 'unused.out')
        if os.path.exists(out):
            os.unlink(out)
        args = [binpath] + mode + ['-d', str(lv), '--message-level', '0',
                                   '--trace-reads', trace, '--report-json',
                                   js, vmcore]
        stdout = subprocess.PIPE
        if '-F' in mode:
            stdout = open(out, 'wb')
        else:
            args.append(out)
        p = subprocess.run(args, stdout=stdout, stderr=subprocess.PIPE)
        if '-F' in mode:
            stdout.close()
        lv = '%d (%s)' % (lv, what) if what != 'dry run' else lv
        ok(p.returncode == 0 and (what == 'dry run' or
                                  os.path.getsize(out) > (1 << 20)),
           '-d %s %s succeeds' % (lv, 'dry run' if what == 'dry run' else
                                  'writing a dump'), scen)
        if p.returncode != 0:
            print('# ' + p.stderr.decode(errors='replace')[-2000:])
            continue
        j = json.load(open(js))
        shift = j['page_size'].bit_length() - 1
        bad = {}
        page_reads = 0
        nreads = 0
        with open(trace) as f:
            for line in f:
                a, n = (int(x, 16) for x in line.split())
                nreads += 1
                if n == j['page_size'] and a % n == 0:
                    page_reads += 1
                first, last = a >> shift, (a + n - 1) >> shift
                i = bisect.bisect_right(starts, last) - 1
                if i >= 0 and forbidden[i][1] > first:
                    bad.setdefault('%#x+%#x' % (a, n), forbidden[i][0])
        c = j['counts']
        # pages kept before the zero check are all read once
        kept = c['original'] - c['nodata'] - (c['excluded'] - c['zero'])
        print('# -d %s: %d reads, %d page reads, %d pages kept before the '
              'zero check' % (lv, nreads, page_reads, kept))
        ok(page_reads >= kept and kept > 0,
           '-d %s: the trace holds a read of every kept page (%d >= %d)'
           % (lv, page_reads, kept), scen)
        if bad:
            print('# reads touching forbidden pfns: %s'
                  % ' '.join('%s(pfn %#x..)' % (k, v)
                             for k, v in list(bad.items())[:20]))
        ok(not bad, '-d %s: no read touches any of the %d PG_offline/'
           'hwpoison pfns (%d reads touch one)' % (lv, len(never), len(bad)),
           scen)
        os.unlink(trace)
        if os.path.exists(out):
            os.unlink(out)


if __name__ == '__main__':
    main()
    sys.exit(1 if failures else 0)
