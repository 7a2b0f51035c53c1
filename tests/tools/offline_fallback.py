#!/usr/bin/env python3
"""offline_fallback.py NAME CORE BIN TMPDIR: the PG_offline fallback on a
real core whose VMCOREINFO note lost NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE).

A copy of CORE gets that line blanked in its note (the key overwritten,
same length).  Then: the tool derives the marker from the kernel version
and PAGE_BUDDY_MAPCOUNT_VALUE, says so, and excludes exactly the pages the
intact core's export excludes; when the derivation is impossible (no
OSRELEASE, or a buddy marker of another era) the pages are kept, read,
and a warning says balloon memory may be dumped; --offline-mapcount gives
the value by hand.  Prints ok / not ok lines.
"""
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmcore_note import note_desc  # noqa: E402

name, core, binpath, tmp = sys.argv[1:5]
os.makedirs(tmp, exist_ok=True)
failures = 0


def ok(cond, what):
    global failures
    print('%s - offline_fallback %s: %s' % ('ok' if cond else 'not ok', name,
                                            what))
    if not cond:
        failures += 1


def dry(path, level=31, extra=()):
    js = os.path.join(tmp, 'r.json')
    if os.path.exists(js):
        os.unlink(js)
    p = subprocess.run([binpath, '--dry-run', '-d', str(level),
                        '--report-json', js] + list(extra) +
                       [path, os.path.join(tmp, 'out')],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    err = p.stdout.decode(errors='replace') + p.stderr.decode(errors='replace')
    j = json.load(open(js)) if p.returncode == 0 and os.path.exists(js) \
        else None
    return p.returncode, err, j


def edit(path, old, new):
    """replace a same-length piece of the note text"""
    assert len(old) == len(new)
    at, desc = note_desc(path)
    i = desc.find(old)
    if i < 0:
        return False
    with open(path, 'r+b') as f:
        f.seek(at + i)
        f.write(new)
    return True


def copy(tag):
    dst = os.path.join(tmp, tag + '.elf')
    subprocess.run(['cp', '--sparse=always', core, dst], check=True)
    return dst


def same_but(a, b, classes):
    """counts equal except the named classes"""
    return all(a[k] == b[k] for k in a if k not in classes)


_, desc = note_desc(core)
key = b'NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)='
ok(key in desc, 'the intact core exports the marker')
rc, err, base = dry(core)
ok(rc == 0 and base and base['counts']['offline'] +
   base['anomalies']['offline_absent'] > 0 and
   'PAGE_OFFLINE_MAPCOUNT_VALUE' not in err,
   'intact core: %s offline pages (+%s without memory in the dump), no'
   ' warning about the marker'
   % (base['counts']['offline'] if base else '?',
      base['anomalies']['offline_absent'] if base else '?'))
if not base:
    sys.exit(1)
offline = base['counts']['offline']
absent = base['anomalies']['offline_absent']

# 1. the line blanked: derived from 6.1 and PAGE_BUDDY_MAPCOUNT_VALUE=-129
c = copy('nokey')
ok(edit(c, key, b'XUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)='),
   'blanked the key in the copy')
ok(key not in note_desc(c)[1], 'the copy has no marker line')
rc, err, j = dry(c)
ok(rc == 0 and j and j['counts'] == base['counts'] and
   j['ranges']['offline'] == base['ranges']['offline'] and
   j['anomalies']['offline_absent'] == absent,
   'derived: the same %d offline pages (%d more without memory in the dump),'
   ' every other count equal' % (j['counts']['offline'] if j else -1,
                                 j['anomalies']['offline_absent'] if j else -1))
ok('derived -257 (0xfffffeff)' in err and 'PAGE_BUDDY_MAPCOUNT_VALUE' in err
   and 'excluded' in err,
   'derived: the warning names the value and its source: %r'
   % [l for l in err.splitlines() if 'derived' in l][:1])
rc, err, j = dry(c, extra=['-D'])
ok(rc == 0 and 'PG_offline   : -257 (derived)' in err,
   'derived: -D shows the marker and where it came from')

# 2. -d 0 too: offline pages are excluded at every level
rc, err, j0 = dry(c, level=0)
ok(rc == 0 and j0 and j0['counts']['offline'] == offline and
   j0['anomalies']['offline_absent'] == absent,
   'derived: excluded at -d 0 too (%s)' % (j0['counts']['offline'] if j0
                                           else '?'))

# and never read, even at -d 0 (--trace-reads: every physical range read)
trace = os.path.join(tmp, 'trace.txt')
rc, err, j = dry(c, level=0, extra=['--trace-reads', trace])
off = [(st * 4096, (st + n) * 4096) for st, n in
       (j['ranges']['offline'] if j else [])]
touch = 0
if rc == 0 and os.path.exists(trace):
    for line in open(trace):
        a, n = (int(x, 16) for x in line.split())
        touch += any(a < e and a + n > b for b, e in off)
ok(rc == 0 and j and touch == 0 and
   sum(n for _, n in j['ranges']['offline']) == offline,
   'derived: not one read touches the %d offline pages at -d 0' % offline)
if os.path.exists(trace):
    os.unlink(trace)

# 3. by hand: --offline-mapcount, no derivation warning
rc, err, j = dry(c, extra=['--offline-mapcount', '-257'])
ok(rc == 0 and j and j['counts']['offline'] == offline and
   j['anomalies']['offline_absent'] == absent and
   'lacks NUMBER(PAGE_OFFLINE' not in err,
   '--offline-mapcount -257 excludes them without a warning')
rc, err, j = dry(c, extra=['--offline-mapcount', '0xfffffeff'])
ok(rc == 0 and j and j['counts']['offline'] == offline,
   '--offline-mapcount 0xfffffeff is the same value')

# 4. OSRELEASE blanked as well: the era is unknown, the pages are kept
c2 = copy('norelease')
edit(c2, key, b'XUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=')
ok(edit(c2, b'OSRELEASE=', b'XSRELEASE='), 'blanked OSRELEASE too')
rc, err, j = dry(c2)
ok(rc == 0 and j and j['counts']['offline'] == 0 and
   j['anomalies']['offline_absent'] == 0,
   'underivable: no page excluded as offline')
ok('balloon memory may be dumped' in err and 'OSRELEASE' in err,
   'underivable: the warning says balloon memory may be dumped and why: %r'
   % [l for l in err.splitlines() if 'balloon' in l][:1])
# the kept pages are dumped: without zero-page filtering exactly the
# offline pages the intact core leaves out are added to the dump
rc, err, k = dry(c2, level=30)
rc2, err2, kb = dry(core, level=30)
ok(k and kb and k['counts']['remaining'] - kb['counts']['remaining'] ==
   offline and k['counts']['offline'] == 0,
   'underivable: at -d 30 the dump grows by exactly the %d offline pages'
   % offline)
rc, err, j = dry(c2, extra=['--offline-mapcount', '-257'])
ok(rc == 0 and j and j['counts']['offline'] == offline and
   j['anomalies']['offline_absent'] == absent,
   'underivable: --offline-mapcount -257 excludes them again')

# 5. a buddy marker of another era: not this kernel's layout, kept
c3 = copy('otherbuddy')
edit(c3, key, b'XUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=')
ok(edit(c3, b'NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n',
        b'NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-128\n'),
   'changed PAGE_BUDDY_MAPCOUNT_VALUE to the 4.17 value')
rc, err, j = dry(c3)
ok(rc == 0 and j and j['counts']['offline'] == 0 and
   j['anomalies']['offline_absent'] == 0 and
   'balloon memory may be dumped' in err and
   'PAGE_BUDDY_MAPCOUNT_VALUE=-128' in err,
   'a buddy marker of another era: kept, with the reason: %r'
   % [l for l in err.splitlines() if 'balloon' in l][:1])

# 6. the user's value wins over the exported one, and says so
rc, err, j = dry(core, extra=['--offline-mapcount', '0xf1000000'])
ok(rc == 0 and j and j['counts']['offline'] == 0 and
   j['anomalies']['offline_absent'] == 0 and 'overrides' in err,
   '--offline-mapcount overrides an exported value, with a warning')

for t in ('nokey', 'norelease', 'otherbuddy', 'out'):
    p = os.path.join(tmp, t + '.elf')
    if os.path.exists(p):
        os.unlink(p)
sys.exit(1 if failures else 0)
