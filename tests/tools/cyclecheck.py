#!/usr/bin/env python3
"""cyclecheck.py VMCORE BIN OUTDIR: bounded-memory modes give one answer.

Runs our binary (--dry-run --report-json, -d 31) on one real vmcore in
every way the pfn space and the input can be handled: the automatic
budget (one cycle here), many small cycles (--cyclic-buffer 1: 4096 pfns
per window, so multi-page exclusions carry across window ends), the
non-cyclic bitmap file (--work-dir, --non-cyclic), read() only
(--non-mmap) and mmap windows on the file (--mmap).  Counts and every
excluded pfn range must be the same; page data of a regular file must
come through pread() runs by default and --non-mmap, through mmap windows
with --mmap; peak RSS must stay under 64 MiB.  Prints "ok - ..." / "not ok - ..." lines.
"""
import json
import os
import subprocess
import sys

RSS_LIMIT_KB = 64 * 1024
failures = 0


def ok(cond, name):
    global failures
    print('%s - cyclic/%s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1


def run(binpath, vmcore, outdir, tag, extra):
    js = os.path.join(outdir, tag + '.json')
    cmd = [binpath, '--dry-run', '-d', '31', '--message-level', '31',
           '--report-json', js] + extra + [vmcore, '/dev/null']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode(errors='replace')
    with open(os.path.join(outdir, tag + '.log'), 'w') as f:
        f.write(' '.join(cmd) + '\n' + out)
    if p.returncode != 0:
        print('# %s failed (exit %d):' % (tag, p.returncode))
        for line in out.splitlines()[-10:]:
            print('#   ' + line)
        return None, out
    with open(js) as f:
        return json.load(f), out


def main():
    vmcore, binpath, outdir = sys.argv[1:4]
    scen = os.path.basename(os.path.dirname(vmcore))
    os.makedirs(outdir, exist_ok=True)
    wdir = os.path.join(outdir, 'work')
    os.makedirs(wdir, exist_ok=True)
    modes = [('default', []),
             ('small-cycles', ['--cyclic-buffer', '1']),
             ('work-dir', ['--work-dir', wdir]),
             ('non-cyclic', ['--non-cyclic']),
             ('non-mmap', ['--non-mmap']),
             ('mmap', ['--mmap'])]
    res = {}
    for tag, extra in modes:
        j, out = run(binpath, vmcore, outdir, tag, extra)
        ok(j is not None, '%s: %s run succeeds' % (scen, tag))
        if j is None:
            return
        res[tag] = (j, out)
    ref = res['default'][0]
    for tag, (j, out) in res.items():
        if tag == 'default':
            continue
        same_counts = j['counts'] == ref['counts']
        same_ranges = j['ranges'] == ref['ranges']
        if not same_counts:
            print('# default: %s' % ref['counts'])
            print('# %s: %s' % (tag, j['counts']))
        ok(same_counts and same_ranges,
           '%s: %s gives the same counts and excluded ranges' % (scen, tag))
    # many cycles really happened
    out = res['small-cycles'][1]
    ok('cycles of 4096 pfns' in out,
       '%s: --cyclic-buffer 1 runs windows of 4096 pfns' % scen)
    out = res['default'][1]
    ok('There is enough free memory to be done in one cycle.' in out,
       '%s: the automatic budget covers a 512 MiB machine in one cycle'
       % scen)
    ok(os.listdir(wdir) == [], '%s: --work-dir leaves no bitmap file' % scen)
    # how the page data was reached
    for tag, (j, out) in res.items():
        inp = j['input']
        if tag in ('non-mmap', 'default'):
            # runs of announced pages, one pread() each (256 KiB at most)
            ok(inp['pages_mapped'] == 0 and inp['mmap_windows'] == 0 and
               inp['pages_pread'] == inp['pages_read'] > 0 and
               0 < inp['read_runs'] < inp['pages_read'] // 8,
               '%s: %s reads every page with read(), in runs (%d pages, '
               '%d runs)' % (scen, tag, inp['pages_read'], inp['read_runs']))
        elif tag == 'mmap':
            ok(inp['pages_mapped'] > 0 and
               inp['pages_mapped'] + inp['pages_pread'] == inp['pages_read']
               and inp['mmap_windows'] * 1024 >= inp['pages_mapped'] // 4,
               '%s: --mmap: page data through mmap windows (%d pages, %d '
               'windows, %d read())' % (scen, inp['pages_mapped'],
                                        inp['mmap_windows'],
                                        inp['pages_pread']))
        print('# %s: maxrss %d kB' % (tag, j['maxrss_kb']))
        ok(0 < j['maxrss_kb'] < RSS_LIMIT_KB,
           '%s: %s peak RSS %d kB is under 64 MiB' % (scen, tag,
                                                      j['maxrss_kb']))
    # --cyclic-buffer beyond free memory: makedumpfile's notice
    j, out = run(binpath, vmcore, outdir, 'huge-buffer',
                 ['--cyclic-buffer', str(1 << 40)])
    ok(j is not None and 'Specified buffer size is larger than free memory.'
       in out and 'The buffer size for the cyclic mode will be truncated to '
       in out, '%s: --cyclic-buffer larger than MemFree is truncated with '
       "makedumpfile's message" % scen)
    if j is not None:
        ok(j['counts'] == ref['counts'], '%s: and gives the same counts'
           % scen)
    # --work-dir that does not exist: a clear error
    p = subprocess.run([binpath, '--dry-run', '-d', '31', '--work-dir',
                        os.path.join(outdir, 'missing'), vmcore, '/dev/null'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode(errors='replace')
    ok(p.returncode == 1 and "Can't open the bitmap file(" in out,
       '%s: a missing --work-dir is a clear error' % scen)


if __name__ == '__main__':
    main()
    sys.exit(1 if failures else 0)
