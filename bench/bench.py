#!/usr/bin/env python3
"""bench/bench.py: our makedumpfile against Debian's 1.7.2, side by side.

Not a timed test: a measurement.  For each input, codec and dump level both
binaries run on the same file in the same run, alternating A B A B for
--rounds rounds; each run is a child reaped with wait4(), which gives its
CPU time (user + sys) and peak RSS.  The table shows the median wall time,
CPU time, peak RSS and output size of each and the ratios ours/theirs.
Then the physical limits of the same dump (build/tools/benchlimit): the
time to mmap and touch the pages that must be dumped, and the codec alone
compressing exactly those pages on one thread.  --threads adds runs of
ours and 1.7.2 with --num-threads N (ours must equal its N=0 dump).

Inputs: the real vmcores (tests/tools/vmcores.sh, $VMCORE_CACHE) and the
generator's 16 GiB machine (fixtures/vmcore/bench-16g.txt, a sparse file
with about 2 GiB of memory-like data, made once in --work).  QEMU 7.2 cores
get a copy with the program headers moved (tests/tools/elf_phfix.py),
which both binaries then read.  Debian's 1.7.2 here is built without
snappy and zstd: its -p writes pages uncompressed (shown), its -z is not
run.

  python3 bench/bench.py --quick             # about a minute
  nice -n 19 python3 bench/bench.py --append # the full table, into RESULTS.md
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THEIRS = '/usr/bin/makedumpfile'
REAL = ['balloon', 'hugetlb', 'virtiomem', 'kdump']


def machine():
    model = '?'
    for line in open('/proc/cpuinfo'):
        if line.startswith('model name'):
            model = line.split(':', 1)[1].strip()
            break
    mem = 0
    for line in open('/proc/meminfo'):
        if line.startswith('MemTotal'):
            mem = int(line.split()[1]) // 1024
    return '%s, %d CPUs, %d MiB RAM, Linux %s' % (
        model, os.cpu_count(), mem, platform.release())


def load():
    return open('/proc/loadavg').read().split()[0]


def run(cmd, out, sync=False):
    """(wall s, cpu s, peak RSS KiB, exit status, output bytes, sync s).
    GNU time forks and reaps the child (wait4): a child forked by this
    Python process would carry Python's RSS over exec() in its maxrss.
    sync: then fdatasync() the output and time that too (1.7.2 leaves its
    dump in the page cache; ours syncs before it says Completed)."""
    if os.path.exists(out):
        os.unlink(out)
    tf = out + '.time'
    t0 = time.monotonic()
    p = subprocess.run(['/usr/bin/time', '-o', tf, '-f', '%x %U %S %M'] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    f = open(tf).read().split('\n')
    st, user, sys_, rss = f[-2].split() if len(f) > 1 and f[-1] == '' \
        else f[-1].split()
    os.unlink(tf)
    size = os.path.getsize(out) if os.path.exists(out) else 0
    rc = int(st) if p.returncode == 0 or int(st) else p.returncode
    sync_s = 0.0
    if sync and size:
        t1 = time.monotonic()
        fd = os.open(out, os.O_RDONLY)
        os.fdatasync(fd)
        os.close(fd)
        sync_s = time.monotonic() - t1
    return (wall, float(user) + float(sys_), int(rss), rc, size, sync_s)


def codec_flag(c):
    return [] if c == 'none' else ['-' + c]


def inputs(args):
    """[(name, path)], making what is missing in args.work."""
    res = []
    os.makedirs(args.work, exist_ok=True)
    if args.real:
        env = dict(os.environ)
        env.setdefault('VMCORE_CACHE', os.path.join(ROOT, 'build', 'vmcores'))
        p = subprocess.run(['bash', os.path.join(ROOT, 'tests/tools/vmcores.sh')]
                           + args.real, stdout=subprocess.PIPE, env=env,
                           cwd=ROOT)
        for line in p.stdout.decode().split('\n'):
            if not line.strip():
                continue
            scen, path = line.split()
            if scen.startswith('arm64'):
                continue
            fixed = os.path.join(args.work, scen + '.elf')
            if not os.path.exists(fixed) or \
                    os.path.getmtime(fixed) < os.path.getmtime(path):
                subprocess.run([sys.executable,
                                os.path.join(ROOT, 'tests/tools/elf_phfix.py'),
                                path, fixed], check=True)
            res.append((scen, fixed))
    for fx in args.synthetic:
        name = os.path.basename(fx)[:-4]
        core = os.path.join(args.work, name + '.elf')
        if not os.path.exists(core) or \
                os.path.getmtime(core) < os.path.getmtime(fx):
            gen = os.path.join(ROOT, 'build/tools/mkvmcore')
            subprocess.run([gen, fx, core, core + '.gt'], check=True)
        res.append((name, core))
    return res


def med(xs):
    return statistics.median(xs) if xs else float('nan')


def fmt_ratio(a, b):
    return '%.2f' % (a / b) if b else '-'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--quick', action='store_true',
                    help='balloon core, -d 31, 2 rounds')
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--codecs', default='c,l,p,z')
    ap.add_argument('--levels', default='31,1,0')
    ap.add_argument('--real', default=','.join(REAL),
                    help='real scenarios, comma-separated ("" for none)')
    ap.add_argument('--synthetic', default='fixtures/vmcore/bench-16g.txt',
                    help='generator fixtures, comma-separated')
    ap.add_argument('--synthetic-levels', default=None,
                    help='levels for the synthetic cores (default: --levels)')
    ap.add_argument('--threads', default='',
                    help='also run ours with --num-threads N, e.g. 1,2,4')
    ap.add_argument('--threads-codecs', default='c,l')
    ap.add_argument('--work', default=os.path.join(ROOT, 'bench', 'out'))
    ap.add_argument('--ours', default=os.path.join(ROOT, 'makedumpfile'))
    ap.add_argument('--theirs', default=THEIRS)
    ap.add_argument('--ours-args', default='',
                    help='extra arguments for ours, e.g. "--non-mmap"')
    ap.add_argument('--append', action='store_true',
                    help='add the tables to bench/RESULTS.md')
    args = ap.parse_args()
    if args.quick:
        args.rounds = min(args.rounds, 2)
        args.levels = '31'
        args.real = 'balloon'
        args.synthetic = ''
        args.threads = args.threads or '2'
    args.codecs = [c for c in args.codecs.split(',') if c]
    args.levels = [int(x) for x in args.levels.split(',') if x]
    syn_levels = [int(x) for x in args.synthetic_levels.split(',')] \
        if args.synthetic_levels else args.levels
    args.real = [s for s in args.real.split(',') if s]
    args.synthetic = [os.path.join(ROOT, s) if not os.path.isabs(s) else s
                      for s in args.synthetic.split(',') if s]
    threads = [int(x) for x in args.threads.split(',') if x]
    limit_tool = os.path.join(ROOT, 'build/tools/benchlimit')
    have_theirs = os.access(args.theirs, os.X_OK)
    theirs_codecs = set()
    if have_theirs:
        v = subprocess.run([args.theirs, '-v'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT).stdout.decode()
        theirs_codecs = {'c', 'l', 'none'}
        for c, lib in (('p', 'snappy'), ('z', 'zstd')):
            if any(l.split()[:2] == [lib, 'enabled'] for l in v.split('\n')):
                theirs_codecs.add(c)

    load0 = load()
    started = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
    rows, limits, trows = [], [], []
    out_a = os.path.join(args.work, 'ours.out')
    out_b = os.path.join(args.work, 'theirs.out')
    for name, core in inputs(args):
        levels = syn_levels if core.endswith('.elf') and \
            any(name == os.path.basename(s)[:-4] for s in args.synthetic) \
            else args.levels
        for level in levels:
            for c in args.codecs:
                # Debian's -p without snappy writes raw pages: still run,
                # flagged; its -z (no zstd) is not run
                run_theirs = have_theirs and (c in theirs_codecs or c == 'p')
                a, b = [], []
                for _ in range(args.rounds):
                    a.append(run([args.ours] + args.ours_args.split() +
                                 codec_flag(c) +
                                 ['-d', str(level), '--message-level', '0',
                                  core, out_a], out_a))
                    if run_theirs:
                        b.append(run([args.theirs] + codec_flag(c) +
                                     ['-d', str(level), '--message-level', '0',
                                      core, out_b], out_b, sync=True))
                same = ''
                if run_theirs and os.path.exists(out_a) and os.path.exists(out_b):
                    same = 'yes' if subprocess.run(
                        ['cmp', '-s', out_a, out_b]).returncode == 0 else 'no'
                fail = [r[3] for r in a if r[3] != 0]
                theirs_fail = [r[3] for r in b if r[3] != 0]
                row = dict(core=name, level=level, codec=c,
                           a=[med([r[i] for r in a]) for i in range(3)] + [a[-1][4]],
                           b=[med([r[i] for r in b]) for i in range(3)] + [b[-1][4]]
                           if b else None,
                           b_synced=med([r[0] + r[5] for r in b]) if b else None,
                           raw=c == 'p' and 'p' not in theirs_codecs,
                           same=same, fail=fail, theirs_fail=theirs_fail)
                rows.append(row)
                print(json.dumps(row), flush=True)
                # the limits of this very dump
                if os.access(limit_tool, os.X_OK) and os.path.exists(out_a) \
                        and not fail:
                    p = subprocess.run([limit_tool, core, out_a, c],
                                       stdout=subprocess.PIPE)
                    if p.returncode == 0:
                        lim = json.loads(p.stdout.decode())
                        lim.update(core=name, level=level, codec=c,
                                   ours_wall=row['a'][0], ours_cpu=row['a'][1],
                                   theirs_wall=None if row['raw'] or not b
                                   else row['b'][0])
                        limits.append(lim)
                        print(json.dumps(lim), flush=True)
                if threads and c in args.threads_codecs.split(','):
                    ref = out_a + '.n0'
                    shutil.copyfile(out_a, ref)
                    lim = limits[-1] if limits and limits[-1]['core'] == name \
                        and limits[-1]['level'] == level and \
                        limits[-1]['codec'] == c else None
                    for n in threads:
                        t, u = [], []
                        for _ in range(args.rounds):
                            t.append(run([args.ours] + args.ours_args.split() +
                                         codec_flag(c) +
                                         ['-d', str(level), '--message-level',
                                          '0', '--num-threads', str(n), core,
                                          out_a], out_a))
                            if have_theirs and c in theirs_codecs:
                                u.append(run([args.theirs] + codec_flag(c) +
                                             ['-d', str(level),
                                              '--message-level', '0',
                                              '--num-threads', str(n), core,
                                              out_b], out_b))
                        eq = subprocess.run(['cmp', '-s', ref, out_a]).returncode == 0
                        tr = dict(core=name, level=level, codec=c, n=n,
                                  wall=med([r[0] for r in t]),
                                  cpu=med([r[1] for r in t]),
                                  rss=med([r[2] for r in t]),
                                  n0_wall=row['a'][0], n0_rss=row['a'][2],
                                  identical=eq,
                                  fail=[r[3] for r in t if r[3] != 0],
                                  theirs_fail=[r[3] for r in u if r[3] != 0])
                        if u:
                            tr.update(theirs_wall=med([r[0] for r in u]),
                                      theirs_rss=med([r[2] for r in u]))
                        if lim:
                            # the codec spread over the CPUs N can use
                            k = max(1, min(n, os.cpu_count() or 1))
                            tr['limit'] = max(lim['read_s'], lim['codec_s'] / k)
                        trows.append(tr)
                        print(json.dumps(tr), flush=True)
                    os.unlink(ref)
    for f in (out_a, out_b):
        if os.path.exists(f):
            os.unlink(f)
    text = report(args, rows, limits, trows, started, load0, load())
    print(text)
    if args.append:
        with open(os.path.join(ROOT, 'bench', 'RESULTS.md'), 'a') as f:
            f.write('\n' + text)


def report(args, rows, limits, trows, started, load0, load1):
    cmd = 'python3 bench/bench.py ' + ' '.join(sys.argv[1:])
    L = ['## Speed against makedumpfile 1.7.2 (bench/bench.py), %s' % started, '',
         'Machine: %s.  Load average %s at the start, %s at the end (the '
         'machine is shared; A/B alternation keeps the ratios fair, the '
         'absolute times are not).  Command: `%s`; %d rounds, medians; '
         'CPU = user + sys of the child (wait4), RSS = its peak.  Ours '
         'fdatasync()s its dump before it reports success, 1.7.2 does not: '
         '"theirs + sync" adds the fdatasync() of 1.7.2\'s dump run right '
         'after it (what kdump-tools\' sync after makedumpfile waits for), '
         'and "synced ratio" compares the same durability.' %
         (machine(), load0, load1, cmd.strip(), args.rounds), '',
         '| core | -d | codec | ours wall s | theirs wall s | wall ratio | '
         'theirs + sync s | synced ratio | '
         'ours CPU s | theirs CPU s | CPU ratio | ours RSS KiB | theirs RSS KiB | '
         'ours bytes | theirs bytes | size ratio | identical |',
         '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        a, b = r['a'], r['b']
        note = ' (theirs raw: no snappy)' if r['raw'] else ''
        if r['fail']:
            note += ' FAILED %s' % r['fail']
        if r.get('theirs_fail'):
            note += ' (theirs exited %s)' % r['theirs_fail']
        if b:
            L.append('| %s | %d | -%s%s | %.2f | %.2f | %s | %.2f | %s | '
                     '%.2f | %.2f | %s | '
                     '%d | %d | %d | %d | %s | %s |' %
                     (r['core'], r['level'], r['codec'], note, a[0], b[0],
                      fmt_ratio(a[0], b[0]), r['b_synced'],
                      fmt_ratio(a[0], r['b_synced']),
                      a[1], b[1], fmt_ratio(a[1], b[1]),
                      a[2], b[2], a[3], b[3], fmt_ratio(a[3], b[3]), r['same']))
        else:
            L.append('| %s | %d | -%s%s | %.2f | - | - | - | - | %.2f | - | - | '
                     '%d | - | %d | - | - | - |' % (r['core'], r['level'], r['codec'], note,
                                           a[0], a[1], a[2], a[3]))
    if limits:
        L += ['', 'Physical limits of the same dumps (build/tools/benchlimit: '
              'the whole input mapped once; read = touch every byte of the '
              'pages the 2nd bitmap keeps; codec = the library alone on the '
              'non-zero ones, one thread; "codec / theirs": the codec alone '
              'against 1.7.2\'s whole run, the lowest single-thread wall '
              'ratio any program compressing the same pages into the same '
              'bytes can reach):', '',
              '| core | -d | codec | pages | read s | read MB/s | codec s | '
              'ours wall s | ours / max(read, codec) | codec / theirs | '
              'read CPU s | codec CPU s | '
              'ours CPU s | ours CPU / (read + codec) CPU |',
              '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
        for m in limits:
            lim = max(m['read_s'], m['codec_s'])
            rc, cc = m.get('read_cpu_s'), m.get('codec_cpu_s')
            tw = m.get('theirs_wall')
            L.append('| %s | %d | -%s | %d | %.3f | %.0f | %.3f | %.2f | %s | %s | %s | %s | %.2f | %s |' %
                     (m['core'], m['level'], m['codec'], m['pages'], m['read_s'],
                      m['read_MBps'], m['codec_s'], m['ours_wall'],
                      fmt_ratio(m['ours_wall'], lim),
                      fmt_ratio(m['codec_s'], tw) if tw else '-',
                      '%.3f' % rc if rc is not None else '-',
                      '%.3f' % cc if cc is not None else '-', m['ours_cpu'],
                      fmt_ratio(m['ours_cpu'], rc + cc) if rc is not None else '-'))
    if trows:
        L += ['', 'With --num-threads N (N = 0: no worker thread), ours and '
              '1.7.2 alternating; ours compared with cmp against its N = 0 '
              'dump; limit = max(read s, codec s / min(N, CPUs)) from the '
              'limits table (with N < CPUs our main thread helps the N '
              'workers, so it can go below 1); "theirs exited 134": 1.7.2 '
              'aborted (its pthread_exit() could not load libgcc_s), the '
              'medians keep those runs; %d CPUs here:' % os.cpu_count(), '',
              '| core | -d | codec | N | ours wall s | N=0 wall s | speed-up | '
              'ours / limit | theirs wall s | wall ratio | CPU s | ours RSS KiB | '
              'theirs RSS KiB | RSS ratio | N=0 RSS KiB | identical |',
              '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
        for t in trows:
            tw, trss = t.get('theirs_wall'), t.get('theirs_rss')
            L.append('| %s | %d | -%s | %d | %.2f | %.2f | %s | %s | %s | %s | '
                     '%.2f | %d | %s | %s | %d | %s |' %
                     (t['core'], t['level'], t['codec'], t['n'], t['wall'],
                      t['n0_wall'], fmt_ratio(t['n0_wall'], t['wall']),
                      fmt_ratio(t['wall'], t['limit']) if t.get('limit') else '-',
                      '%.2f' % tw if tw is not None else '-',
                      fmt_ratio(t['wall'], tw) if tw else '-',
                      t['cpu'], t['rss'],
                      '%d' % trss if trss is not None else '-',
                      fmt_ratio(t['rss'], trss) if trss else '-', t['n0_rss'],
                      ('yes' if t['identical'] else 'NO') +
                      (' FAILED %s' % t['fail'] if t['fail'] else '') +
                      (' (theirs exited %s)' % t['theirs_fail']
                       if t['theirs_fail'] else '')))
    return '\n'.join(L) + '\n'


if __name__ == '__main__':
    main()
