#!/usr/bin/env python3
"""bench/memory.py [--append] [CORE...]: peak memory, ours vs makedumpfile 1.7.2.

Not a timed test: a measurement.  For every real vmcore of ../shared/vmcores
(decompressed by tests/tools/vmcores.sh), the generator's 1 TiB synthetic
machine (fixtures/vmcore/scale-1t.txt, built with build/tools/mkvmcore when
both exist) or else every CORE given, runs

  ours    ./makedumpfile              --dry-run -d 31 (dynamic build)
  static  build-static/makedumpfile   --dry-run -d 31
  debian  /usr/bin/makedumpfile       --dry-run -l -d 31 (1.7.2)

under /usr/bin/time and prints peak RSS (kB), wall time and the ratio
ours / Debian.  Our own VmHWM (from --report-json) is printed too: it
cannot carry the RSS of a parent over exec() the way wait4()'s maxrss can.
Debian 1.7.2 cannot read QEMU 7.2's cores as they are (program headers
after the section headers), so it gets a copy with the program headers
moved to offset 0x40 (bench/out/, deleted afterwards).  The Debian RSS the
lab recorded while writing (-l, mdf/summary.json) is shown beside it.

--append adds the table to bench/RESULTS.md with machine, command and date.
Until the dump writers exist ours runs --dry-run (it reads every dumpable
page, so the whole read path is measured, but writes nothing).
"""
import datetime
import json
import os
import platform
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'bench', 'out')
SHARED = os.environ.get('SHARED', os.path.join(ROOT, '..', 'shared'))
DEBIAN = '/usr/bin/makedumpfile'


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          **kw)


def timed(cmd):
    """(peak RSS kB, wall s, exit status) of cmd under GNU time."""
    tf = os.path.join(OUT, 'time.txt')
    p = sh(['/usr/bin/time', '-o', tf, '-f', '%M %e'] + cmd)
    rss, wall = open(tf).read().split()[-2:]
    return int(rss), float(wall), p.returncode, p.stdout.decode(errors='replace')


def phdrs_at_0x40(src, dst):
    """Copy src with its program header table moved to 0x40 (and the
    section headers dropped), for makedumpfile 1.7.2, which assumes it."""
    with open(src, 'rb') as f:
        eh = bytearray(f.read(64))
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    if phoff == 0x40:
        return src
    sh(['cp', '--reflink=auto', src, dst])
    struct.pack_into('<Q', eh, 32, 0x40)		# e_phoff
    struct.pack_into('<Q', eh, 40, 0)		# e_shoff
    struct.pack_into('<H', eh, 52, 64)		# e_ehsize
    struct.pack_into('<HHH', eh, 58, 0, 0, 0)	# e_shentsize, shnum, shstrndx
    with open(dst, 'r+b') as f:
        f.write(eh)
        f.seek(0x40)
        f.write(ph)
    return dst


def machine():
    cpu = '?'
    for line in open('/proc/cpuinfo'):
        if line.startswith('model name'):
            cpu = line.split(':', 1)[1].strip()
            break
    mem = open('/proc/meminfo').readline().split()[1]
    return '%s, %d CPUs, %d MiB RAM, Linux %s' % (cpu, os.cpu_count(),
                                                int(mem) // 1024,
                                                platform.release())


def main():
    args = sys.argv[1:]
    append = '--append' in args
    extra = [a for a in args if a != '--append']
    os.makedirs(OUT, exist_ok=True)
    p = sh(['make', '-C', ROOT, '-s', '-j2', 'all', 'static'])
    if p.returncode:
        sys.exit('make failed:\n' + p.stdout.decode())
    ours = os.path.join(ROOT, 'makedumpfile')
    static = os.path.join(ROOT, 'build-static', 'makedumpfile')

    cores = []
    p = sh(['bash', os.path.join(ROOT, 'tests', 'tools', 'vmcores.sh')],
           env=dict(os.environ, SHARED=SHARED))
    for line in p.stdout.decode().splitlines():
        f = line.split()
        if len(f) == 2:
            cores.append((f[0], f[1]))
    for c in extra:
        cores.append((os.path.basename(c), c))
    # the generator's 1 TiB machine (a sparse file of a few MiB on disk)
    gen = os.path.join(ROOT, 'build', 'tools', 'mkvmcore')
    fix = os.path.join(ROOT, 'fixtures', 'vmcore', 'scale-1t.txt')
    if not extra and os.path.exists(fix):
        sh(['make', '-C', ROOT, '-s', 'tools'])
        core = os.path.join(OUT, 'scale-1t.elf')
        p = sh([gen, fix, core, core + '.gt'])
        if p.returncode == 0:
            cores.append(('scale-1t', core))
        else:
            print('mkvmcore scale-1t failed: ' + p.stdout.decode()[-300:])
    if not cores:
        sys.exit('no vmcore: ../shared/vmcores is absent and none was given')

    rows = []
    print('%-12s %10s %10s %10s %10s %14s %8s %8s' % (
        'core', 'ours kB', 'VmHWM kB', 'static kB', 'Debian kB',
        'Debian -l kB*', 'ours/D', 'static/D'))
    for name, core in cores:
        size = os.path.getsize(core)
        js = os.path.join(OUT, name + '.json')
        o_rss, o_wall, o_rc, _ = timed([ours, '--dry-run', '-d', '31',
                                        '--report-json', js, core,
                                        '/dev/null'])
        hwm = json.load(open(js))['maxrss_kb'] if o_rc == 0 else None
        s_rss, s_wall, s_rc, _ = timed([static, '--dry-run', '-d', '31',
                                        core, '/dev/null'])
        if name.startswith('arm64'):
            # Debian's x86_64 build reads no arm64 core: the lab's
            # number (arm64 build under qemu-user) is all there is
            d_rss, d_wall, d_rc, d_out = 0, 0.0, 1, 'arm64 core: not run'
        else:
            fixed = phdrs_at_0x40(core, os.path.join(OUT, name + '.fixed.elf'))
            unused = os.path.join(OUT, 'debian.unused')	# must not exist
            if os.path.exists(unused):
                os.unlink(unused)
            d_rss, d_wall, d_rc, d_out = timed([DEBIAN, '--dry-run', '-l',
                                                '-d', '31', fixed, unused])
            if fixed != core:
                os.unlink(fixed)
        rec = None
        summ = os.path.join(SHARED, 'vmcores', name, 'mdf', 'summary.json')
        if os.path.exists(summ):
            rec = json.load(open(summ)).get('l', {}).get('maxrss_kb')
        ratio = o_rss / d_rss if d_rc == 0 and d_rss else None
        sratio = s_rss / d_rss if d_rc == 0 and d_rss else None
        row = dict(core=name, bytes=size, ours=o_rss, ours_rc=o_rc,
                   ours_wall=o_wall, vmhwm=hwm, static=s_rss, static_rc=s_rc,
                   debian=d_rss if d_rc == 0 else None, debian_wall=d_wall,
                   debian_recorded_l=rec, ratio=ratio, sratio=sratio)
        rows.append(row)
        print('%-12s %10d %10s %10d %10s %14s %8s %8s' % (
            name, o_rss, hwm, s_rss, row['debian'] or 'fail(%d)' % d_rc,
            rec or '-', '%.2f' % ratio if ratio else '-',
            '%.2f' % sratio if sratio else '-'))
        if d_rc:
            print('   Debian: ' + d_out.strip().splitlines()[-1])
    print('* RSS the lab recorded for Debian writing -l -d 31 (mdf/summary.json)')
    if append:
        write_results(rows)


def write_results(rows):
    path = os.path.join(ROOT, 'bench', 'RESULTS.md')
    new = not os.path.exists(path)
    with open(path, 'a') as f:
        if new:
            f.write('# Benchmark results\n\nAppended by the scripts in '
                    'bench/; newest last.\n')
        f.write('\n## Peak memory (bench/memory.py), %s\n\n'
                % datetime.date.today().isoformat())
        f.write('Machine: %s.  Command: `python3 bench/memory.py --append`'
                ' (ours: `--dry-run -d 31`; Debian 1.7.2: `--dry-run -l -d '
                '31`), peak RSS from GNU time.\n\n' % machine())
        f.write('| core | size | ours kB | ours VmHWM kB | static kB | '
                'Debian kB | Debian -l kB (lab) | ours/Debian | '
                'static/Debian | ours s | Debian s |\n'
                '|---|---|---|---|---|---|---|---|---|---|---|\n')
        for r in rows:
            f.write('| %s | %.0f MiB | %d | %s | %d | %s | %s | %s | %s | '
                    '%.2f | %.2f |\n' % (
                        r['core'], r['bytes'] / 2**20, r['ours'], r['vmhwm'],
                        r['static'], r['debian'] or 'not run',
                        r['debian_recorded_l'] or '-',
                        '%.2f' % r['ratio'] if r['ratio'] else '-',
                        '%.2f' % r['sratio'] if r['sratio'] else '-',
                        r['ours_wall'], r['debian_wall']))


if __name__ == '__main__':
    main()
