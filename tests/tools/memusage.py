#!/usr/bin/env python3
"""memusage.py BIN TMPDIR SHARED SCEN=CORE...: --mem-usage.

A vmcore stands in for /proc/kcore (the file argument is any dump; only
/proc/kcore itself gets the running-system checks).  The table must have
makedumpfile's exact layout (cli.md section 9) and numbers equal to our
--dry-run -d 31 counts and to Debian makedumpfile 1.7.2's -d 31 counts of
the same core (../shared/vmcores/X/mdf/summary.json).  A copy of a core in
the shape of /proc/kcore (text segment over RAM, vmalloc with p_paddr -1)
gives the same table.  /proc/kcore of this machine is tried when present.
"""
import json
import os
import re
import struct
import subprocess
import sys

binpath, tmp, shared = sys.argv[1:4]
cores = dict(a.split('=', 1) for a in sys.argv[4:])
here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(tmp, exist_ok=True)
failures = 0


def ok(cond, name):
    global failures
    print('%s - mem-usage: %s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1


def run(args):
    p = subprocess.run([binpath] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stdout.decode(errors='replace'), \
        p.stderr.decode(errors='replace')


ROWS = [('ZERO\t\t', 'zero', 'yes\t\tPages filled with zero'),
        ('NON_PRI_CACHE\t', 'cache', 'yes\t\tCache pages without private flag'),
        ('PRI_CACHE\t', 'cache_private', 'yes\t\tCache pages with private flag'),
        ('USER\t\t', 'user', 'yes\t\tUser process pages'),
        ('FREE\t\t', 'free', 'yes\t\tFree pages'),
        ('KERN_DATA\t', 'remaining', 'no\t\tDumpable kernel data ')]


def expected_table(c, page_size=4096):
    """the table makedumpfile prints for these counts (print_mem_usage())"""
    lines = ['', 'TYPE\t\tPAGES\t\t\tEXCLUDABLE\tDESCRIPTION', '-' * 70]
    for head, key, tail in ROWS:
        lines.append('%s%-16d\t%s' % (head, c[key], tail))
    lines += ['', 'page size:\t\t%-16d' % page_size,
              'Total pages on system:\t%-16d' % c['original'],
              'Total size on system:\t%-16d Byte' % (c['original'] * page_size)]
    return '\n'.join(lines) + '\n'


def overlap_pages(core):
    """pages described by more than one PT_LOAD (/proc/vmcore has the
    kernel text twice): makedumpfile 1.7.2 counts them twice as present"""
    with open(core, 'rb') as f:
        eh = f.read(64)
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    segs = []
    for i in range(phnum):
        t, _, _, _, pa, _, msz = struct.unpack_from('<IIQQQQQ', ph, i * phentsize)
        if t == 1 and msz:
            segs.append((pa >> 12, (pa + msz + 4095) >> 12))
    total = sum(b - a for a, b in segs)
    covered, end = 0, 0
    for a, b in sorted(segs):
        a = max(a, end)
        if b > a:
            covered += b - a
            end = b
    return total - covered


for scen, core in sorted(cores.items()):
    rc, out, err = run(['--mem-usage', core])
    js = os.path.join(tmp, 'r.json')
    rc2, _, _ = run(['--dry-run', '-d', '31', '--report-json', js, core,
                     os.path.join(tmp, 'out')])
    ours = json.load(open(js))['counts'] if rc2 == 0 else None
    ok(rc == 0 and ours and out == expected_table(ours) and
       'Completed' not in out + err,
       '%s: the table has makedumpfile\'s layout and our -d 31 counts' % scen)
    if not (ours and out == expected_table(ours)):
        print('# got:\n# ' + out.replace('\n', '\n# '))
    summ = os.path.join(shared, 'vmcores', scen, 'mdf', 'summary.json')
    if os.path.exists(summ):
        m = dict(json.load(open(summ)).get('none'))
        dup = overlap_pages(core)
        # the classes must agree; its present count includes the pages of
        # overlapping segments twice (create_1st_bitmap()), ours does not
        m['original'] -= dup
        m['remaining'] -= dup
        ok(m and out == expected_table(m),
           '%s: the numbers are makedumpfile 1.7.2\'s -d 31 counts (less %d pages it counts twice)'
           % (scen, dup))
    if scen == 'balloon':
        kc = os.path.join(tmp, 'kcore.elf')
        subprocess.run([sys.executable, os.path.join(here, 'mdfcore.py'),
                        core, kc, '--kcore'], check=True)
        rc3, out3, err3 = run(['--mem-usage', kc])
        ok(rc3 == 0 and out3 == out,
           'a copy shaped like /proc/kcore (text over RAM, p_paddr -1 vmalloc) gives the same table')
        os.unlink(kc)

# the running kernel
rc, out, err = run(['--mem-usage', '/proc/kcore'])
crash = False
try:
    crash = any(l.split(':', 1)[1].strip() == 'Crash kernel'
                for l in open('/proc/iomem') if ':' in l)
except OSError:
    pass
if not os.path.exists('/proc/kcore'):
    ok(rc == 1 and ('No memory is reserved for crashkernel!' in err or
                    'kcore' in err),
       'no /proc/kcore here: a clear error (%s)' % err.strip().splitlines()[-1:])
elif not crash:
    ok(rc == 1 and 'No memory is reserved for crashkernel!' in err,
       'no crashkernel reserved: makedumpfile\'s refusal')
else:
    m = re.search(r'Total pages on system:\t(\d+)', out)
    ok(rc == 0 and m and int(m.group(1)) > 0,
       '/proc/kcore of the running kernel: %s pages' % (m.group(1) if m else err))
sys.exit(1 if failures else 0)
