#!/usr/bin/env python3
"""dwarfcheck.py VMLINUX BIN TMPDIR SCEN=CORE...: -g, -i, -x and --config
on the real cores, against the kernel's own VMCOREINFO notes and Debian's
makedumpfile 1.7.2 (when installed).

 1. -g: every key makedumpfile 1.7.2 writes, with its value and in its
    order; our extra keys are the listed ones, each explained below.
 2. -g against each core's note: shared keys equal (symbols plus the
    core's KERNELOFFSET), the keys only the note has are exactly the
    runtime/#define ones listed, with reasons.
 3. -i FILE on every x86_64 core, and -i FILE / -x VMLINUX on a copy whose
    note is blanked (KASLR found from QEMU's CPU state): the same --dry-run
    counts as the note gives.  Debian's makedumpfile reads our file too.
 4. --config: the ranges hold what the commands name (task names, file
    system names, the release string, the printk ring), and the eraseinfo
    equals the one makedumpfile 1.7.2 writes for the same file.
Prints ok / not ok lines.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

vmlinux, binpath, tmp = sys.argv[1:4]
cores = dict(a.split('=', 1) for a in sys.argv[4:])
here = os.path.dirname(os.path.abspath(__file__))
mdf = shutil.which('makedumpfile') if os.path.exists('/usr/sbin/makedumpfile') \
    or shutil.which('makedumpfile') else None
if mdf and os.path.realpath(mdf) == os.path.realpath(binpath):
    mdf = None
os.makedirs(tmp, exist_ok=True)
failures = 0


def ok(cond, name):
    global failures
    print('%s - dwarf: %s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1


def note(msg):
    for line in str(msg).splitlines():
        print('# ' + line)


def run(cmd, timeout=600):
    t = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return (p.returncode, p.stdout.decode(errors='replace'),
            p.stderr.decode(errors='replace'), time.time() - t)


def keys(text):
    """ordered (key, value) pairs, first occurrence of a key wins"""
    out = {}
    for line in text.splitlines():
        if '=' in line:
            k, v = line.split('=', 1)
            out.setdefault(k, v)
    return out


def elf_note(path, want=b'VMCOREINFO\0'):
    """the VMCOREINFO text of an ELF core (honours e_phoff)"""
    with open(path, 'rb') as f:
        eh = f.read(64)
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        for i in range(phnum):
            t, _, off, _, _, fsz, _ = struct.unpack_from('<IIQQQQQ', ph,
                                                         i * phentsize)
            if t != 4:
                continue
            f.seek(off)
            d = f.read(fsz)
            p = 0
            while p + 12 <= len(d):
                nsz, dsz, _ = struct.unpack_from('<III', d, p)
                name = d[p + 12:p + 12 + nsz]
                q = p + 12 + (nsz + 3) // 4 * 4
                if name == want:
                    return d[q:q + dsz].split(b'\0')[0].decode()
                p = q + (dsz + 3) // 4 * 4
    return None


def counts(args, core):
    js = os.path.join(tmp, 'r.json')
    if os.path.exists(js):
        os.unlink(js)
    rc, out, err, _ = run([binpath, '--dry-run', '-d', '31', '--report-json',
                           js] + args + [core, os.path.join(tmp, 'out')])
    if rc != 0 or not os.path.exists(js):
        note('%s: rc %d: %s' % (' '.join(args), rc, err.strip()[-300:]))
        return None
    return json.load(open(js))['counts']




class Background:
    """makedumpfile 1.7.2 takes 20-60 s on this vmlinux: start its runs
    first, read them when needed"""

    def __init__(self, cmd):
        self.t = time.time()
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)

    def wait(self):
        out, err = self.p.communicate(timeout=900)
        return (self.p.returncode, out.decode(errors='replace'),
                err.decode(errors='replace'), time.time() - self.t)


CONF = '''# the kernel release string, a char * string, the printk ring with a
# size read from the dump, every task's name, every file system's name,
# and a nullified pointer
erase init_uts_ns.name.release
erase saved_command_line
erase log_buf size log_buf_len
[vmlinux]
for t in init_task.tasks within task_struct:tasks
\terase t.comm
endfor
for fs in file_systems via next
\terase fs.name
endfor
erase saved_command_line nullify
[no_such_module]
erase whatever
'''
conf = os.path.join(tmp, 'erase.conf')
with open(conf, 'w') as f:
    f.write(CONF)
base = cores.get('balloon') or sorted(cores.values())[0]
mdf_gen = mdf_conf = None
if mdf:
    ref = os.path.join(tmp, 'mdf-gen.txt')
    kd = os.path.join(tmp, 'mdf-erase.kdump')
    mcore = os.path.join(tmp, 'mdf.elf')
    for x in (ref, kd):
        if os.path.exists(x):
            os.unlink(x)
    mdf_gen = Background([mdf, '-g', ref, '-x', vmlinux])
    run([sys.executable, os.path.join(here, 'mdfcore.py'), base, mcore])
    mdf_conf = Background([mdf, '-d', '31', '-x', vmlinux, '--config', conf,
                           mcore, kd])

# ---- 1. -g, and makedumpfile's -g -----------------------------------
gen = os.path.join(tmp, 'gen.txt')
if os.path.exists(gen):
    os.unlink(gen)
rc, out, err, secs = run([binpath, '-g', gen, '-x', vmlinux])
ok(rc == 0 and 'The vmcoreinfo is saved to %s.' % gen in out and
   (os.stat(gen).st_mode & 0o777) == 0o600,
   '-g writes %s (mode 0600) in %.1f s' % (gen, secs))
ours = keys(open(gen).read()) if rc == 0 else {}
oursorder = list(ours)

# our keys that makedumpfile 1.7.2 does not write, and why
EXTRA_VS_MDF = {
    # the kernel has them; makedumpfile 1.7.2's -g misses them
    'SIZE(pageflags)': 'enum pageflags exists; 1.7.2 does not find it',
    'OFFSET(printk_info.caller_id)': 'written by makedumpfile after 1.7.2',
    'OFFSET(folio._folio_dtor)': 'written by makedumpfile after 1.7.2 (6.3+ key; 6.1 has the member, same place as page.compound_dtor)',
    'OFFSET(folio._folio_order)': 'as above',
    # page-type markers: #defines in 6.1, era values (vmcoreinfo.md 3.1)
    'NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)': 'era value -129, as the note',
    'NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)': 'era value -257, as the note',
}
# our keys beyond makedumpfile's set: the kernel note's own (checked in 2)
NOTE_KEYS_WE_ADD = {
    'OFFSET(pglist_data.node_id)', 'SYMBOL(node_online_map)',
    'SYMBOL(printk_rb_static)', 'OFFSET(printk_ringbuffer.fail)',
    'SIZE(prb_desc_ring)', 'SIZE(prb_data_blk_lpos)',
    'OFFSET(printk_info.seq)', 'OFFSET(printk_info.dev_info)',
    'SIZE(dev_printk_info)', 'OFFSET(dev_printk_info.subsystem)',
    'LENGTH(printk_info_subsystem)', 'OFFSET(dev_printk_info.device)',
    'LENGTH(printk_info_device)', 'SIZE(prb_data_ring)',
    'OFFSET(prb_data_ring.head_lpos)', 'OFFSET(prb_data_ring.tail_lpos)',
    'SIZE(atomic_long_t)', 'SYMBOL(kallsyms_names)',
    'SYMBOL(kallsyms_num_syms)', 'SYMBOL(kallsyms_token_table)',
    'SYMBOL(kallsyms_token_index)', 'SYMBOL(kallsyms_offsets)',
    'SYMBOL(kallsyms_relative_base)', 'BUILD-ID',
}
if mdf and ours:
    rc, out, err, msecs = mdf_gen.wait()
    theirs = keys(open(ref).read()) if rc == 0 else {}
    ok(rc == 0 and theirs, "makedumpfile 1.7.2's -g runs (%.1f s, ours %.1f s)"
       % (msecs, secs))
    bad = []
    for k, v in theirs.items():
        if k == 'LENGTH(node_data)':
            # 1.7.2 takes the bound of an extern declaration: 2^63 - 2
            if ours.get(k) != '1024':
                bad.append((k, v, ours.get(k)))
            note('LENGTH(node_data): makedumpfile %s, ours %s (the kernel note says 1024)'
                 % (v, ours.get(k)))
        elif ours.get(k) != v:
            bad.append((k, v, ours.get(k)))
    ok(not bad, 'every key of makedumpfile -g, same value: %d keys' % len(theirs))
    for b in bad:
        note('differs: %s makedumpfile %s ours %s' % b)
    common = [k for k in oursorder if k in theirs]
    ok(common == [k for k in theirs if k in ours],
       'the shared keys are in makedumpfile order')
    extra = [k for k in ours if k not in theirs]
    unexplained = [k for k in extra if k not in EXTRA_VS_MDF and
                   k not in NOTE_KEYS_WE_ADD]
    ok(not unexplained, 'our %d extra keys are all explained' % len(extra))
    for k in extra:
        note('extra %s=%s: %s' % (k, ours[k], EXTRA_VS_MDF.get(
            k, 'in the kernel note (checked below)')))
    for k in unexplained:
        note('UNEXPLAINED extra key %s=%s' % (k, ours[k]))
else:
    note('NOTICE: Debian makedumpfile is not installed: -g not compared with it')

# ---- 2. -g against the kernel's notes ---------------------------------
# what only the kernel note can have, and why
ONLY_NOTE = {
    'SYMBOL(swapper_pg_dir)': 'x86_64: a #define of init_top_pgt, no symbol',
    'LENGTH(mem_section)': 'mem_section is a pointer since 4.15: no array length in DWARF',
    'NUMBER(SECTION_SIZE_BITS)': 'a #define',
    'NUMBER(MAX_PHYSMEM_BITS)': 'a #define (and runtime with 5-level paging)',
    'NUMBER(phys_base)': 'runtime: where the kernel was loaded',
    'NUMBER(pgtable_l5_enabled)': 'runtime',
    'KERNELOFFSET': 'runtime: the KASLR offset',
    'NUMBER(KERNEL_IMAGE_SIZE)': 'a #define',
    'NUMBER(sme_mask)': 'runtime',
    'CRASHTIME': 'runtime: the panic time',
}
for scen, core in sorted(cores.items()):
    text = elf_note(core)
    if not text or not ours:
        ok(False, '%s: the note and -g are readable' % scen)
        continue
    n = keys(text)
    koff = int(n.get('KERNELOFFSET', '0'), 16)
    bad = []
    for k, v in ours.items():
        if k not in n:
            continue
        if k.startswith('SYMBOL('):
            if k == 'SYMBOL(mem_section)':
                continue    # the pointer's address vs the array it points to
            if (int(v, 16) + koff) & (2**64 - 1) != int(n[k], 16):
                bad.append((k, v, n[k]))
        elif v != n[k]:
            bad.append((k, v, n[k]))
    ok(not bad, '%s: -g agrees with the note on %d shared keys (symbols + KERNELOFFSET %x)'
       % (scen, len([k for k in ours if k in n]), koff))
    for b in bad:
        note('differs: %s -g %s note %s' % b)
    only = [k for k in n if k not in ours]
    ok(all(k in ONLY_NOTE for k in only),
       '%s: the %d keys only the note has are runtime or #define values'
       % (scen, len(only)))
    for k in only:
        note('note only: %s: %s' % (k, ONLY_NOTE.get(k, 'UNEXPLAINED')))
    missing = [k for k in NOTE_KEYS_WE_ADD if k not in n]
    ok(not missing, '%s: our added keys are all in the kernel note' % scen)

# ---- 3. -i and -x give the note's counts ------------------------------
for scen, core in sorted(cores.items()):
    a = counts([], core)
    b = counts(['-i', gen], core)
    ok(a is not None and a == b, '%s: -i generated file: same counts as the note' % scen)
    if a != b:
        note('note %s\n-i   %s' % (a, b))

nonote = os.path.join(tmp, 'nonote.elf')
rc, _, err, _ = run([sys.executable, os.path.join(here, 'mdfcore.py'), base,
                     nonote, '--no-vmcoreinfo'])
if rc == 0:
    a = counts([], base)
    rc2, out, err, _ = run([binpath, '--dry-run', '-d', '31', '-D', '-i', gen,
                            nonote, os.path.join(tmp, 'out')])
    n = keys(elf_note(base))
    m = re.search(r'mapped (0x[0-9a-f]+) above the VMCOREINFO symbols, phys_base (0x[0-9a-f]+)', out)
    ok(m and int(m.group(1), 16) == int(n['KERNELOFFSET'], 16) and
       int(m.group(2), 16) == int(n['NUMBER(phys_base)']) & (2**64 - 1),
       'no note: KASLR offset and phys_base found from QEMU CPU state equal the note (%s)'
       % (str(m.groups()) if m else err.strip()[-200:]))
    for args in (['-i', gen], ['-x', vmlinux]):
        b = counts(args, nonote)
        ok(a is not None and a == b, 'no note: %s gives the note\'s counts' % args[0])
        if a != b:
            note('note %s\n%s   %s' % (a, args[0], b))
    # --dump-dmesg reads the printk keys: our extra ones serve it
    logs = []
    for args, core in (([], base), (['-i', gen], nonote),
                       (['-x', vmlinux], nonote)):
        lf = os.path.join(tmp, 'dmesg%d.txt' % len(logs))
        if os.path.exists(lf):
            os.unlink(lf)
        rc4, _, err4, _ = run([binpath, '--dump-dmesg'] + args + [core, lf])
        logs.append(open(lf, 'rb').read() if rc4 == 0 else err4)
    ok(isinstance(logs[0], bytes) and len(logs[0]) > 1000 and
       logs[0] == logs[1] == logs[2],
       'no note: --dump-dmesg with -i or -x writes the log the note gives (%d bytes)'
       % (len(logs[0]) if isinstance(logs[0], bytes) else 0))
    rc3, out, err, _ = run([binpath, '--dry-run', '-d', '31', nonote,
                            os.path.join(tmp, 'out')])
    ok(rc3 == 1 and "doesn't contain vmcoreinfo" in err,
       'no note and neither -i nor -x: -d 31 is refused')
else:
    ok(False, 'mdfcore.py makes a copy without a note: %s' % err)

if mdf:
    res = []
    for args in ([], ['-i', gen]):
        rc, out, err, _ = run([mdf, '--dry-run', '-d', '31', '--show-stats']
                              + args + [mcore, os.path.join(tmp, 'mdf.out')])
        res.append((rc, re.findall(r'\n\s+(\w[\w ]+?)\s*: (0x[0-9a-f]+)', out)))
    ok(res[0][0] == 0 and res[1][0] == 0 and res[0][1] == res[1][1] and res[0][1],
       "makedumpfile 1.7.2 with -i of our file: its own counts (%d lines)"
       % len(res[0][1]))
    # keys a -i file lacks come from the dump's note, in makedumpfile
    # 1.7.2 as in ours: without PAGE_OFFLINE/PAGE_BUDDY in the file, both
    # still exclude the offline and free pages
    thin = os.path.join(tmp, 'gen-thin.txt')
    with open(thin, 'w') as f:
        f.writelines(l for l in open(gen) if 'MAPCOUNT_VALUE' not in l)
    rc, out, err, _ = run([mdf, '--dry-run', '-d', '31', '--show-stats', '-i',
                           thin, mcore, os.path.join(tmp, 'mdf.out')])
    theirs = re.findall(r'\n\s+(\w[\w ]+?)\s*: (0x[0-9a-f]+)', out)
    ok(rc == 0 and theirs == res[0][1] and counts(['-i', thin], base) == counts([], base),
       'a -i file without the page-type keys: both tools take them from the note')

# ---- 4. --config -------------------------------------------------------
okd = os.path.join(tmp, 'erase.kdump')
if os.path.exists(okd):
    os.unlink(okd)
rc, out, err, secs = run([binpath, '-D', '-d', '31', '-x', vmlinux,
                          '--config', conf, base, okd])
ok(rc == 0, '--config: a dump is written (%.1f s)' % secs)
ranges = {}
byfpn = {}
with open(base, 'rb') as f:
    eh = f.read(64)
    phoff, = struct.unpack_from('<Q', eh, 32)
    phentsize, phnum = struct.unpack_from('<HH', eh, 54)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        t, _, off, _, pa, fsz, _ = struct.unpack_from('<IIQQQQQ', ph, i * phentsize)
        if t == 1:
            loads.append((pa, fsz, off))

    def readp(paddr, n):
        for pa, fsz, off in loads:
            if pa <= paddr < pa + fsz:
                with open(base, 'rb') as g:
                    g.seek(off + paddr - pa)
                    return g.read(n)
        return None
    for m in re.finditer(r'^erase: pfn (\w+) offset (\w+) (\d+) bytes of (\w+) \((.*)\)$',
                         out, re.M):
        paddr = int(m.group(1), 16) * 4096 + int(m.group(2), 16)
        ranges.setdefault(m.group(5), []).append(
            (readp(paddr, int(m.group(3))), int(m.group(4), 16)))
        byfpn.setdefault(int(m.group(1), 16), []).append(
            (int(m.group(2), 16), int(m.group(3)), int(m.group(4), 16)))


def kdump_pages(path):
    """pfn -> page bytes of an uncompressed kdump-compressed file"""
    with open(path, 'rb') as f:
        h = f.read(464)
        bs, shb, bmb = struct.unpack_from('<iiI', h, 428)
        f.seek(bs)
        maxpfn, = struct.unpack_from('<Q', f.read(104), 96)
        f.seek((1 + shb) * bs + bmb * bs // 2)
        bm2 = f.read(bmb * bs // 2)
        table = (1 + shb + bmb) * bs
        idx = 0
        for pfn in range(maxpfn):
            if not bm2[pfn >> 3] >> (pfn & 7) & 1:
                continue
            f.seek(table + 24 * idx)
            off, size, flags = struct.unpack_from('<qII', f.read(16))
            idx += 1
            f.seek(off)
            yield pfn, flags, f.read(size)


# every page of the dump is the core's page, with the listed bytes erased
bad, seen, hit = [], 0, 0
for pfn, flags, data in kdump_pages(okd) if rc == 0 else ():
    want = bytearray(readp(pfn * 4096, 4096) or b'\0' * 4096)
    for off, n, fill in byfpn.get(pfn, ()):
        want[off:off + n] = bytes([fill]) * n
        hit += 1
    seen += 1
    if flags or bytes(want) != data:
        bad.append(pfn)
ok(rc == 0 and seen > 10000 and not bad and hit == sum(map(len, byfpn.values())),
   'in the written dump the %d ranges hold X (0 for nullify) and all %d pages are otherwise the core\'s%s'
   % (hit, seen, ' (differ: %s)' % [hex(p) for p in bad[:5]] if bad else ''))


def strings(name):
    return [d.split(b'\0')[0] for d, _ in ranges.get(name, []) if d]


comms = strings('t.comm')
ok(len(comms) > 20 and b'kthreadd' in comms and b'init' in comms and
   all(c and all(32 <= x < 127 for x in c) for c in comms),
   'erase t.comm: %d task names, e.g. %s' % (len(comms), comms[:4]))
fsn = strings('fs.name')
ok(b'sysfs' in fsn and b'tmpfs' in fsn and b'ext4' in fsn,
   'erase fs.name via next: %d file system names, e.g. %s' % (len(fsn), fsn[:4]))
ok(strings('init_uts_ns.name.release') == [n.get('OSRELEASE', '').encode()]
   if (n := keys(elf_note(base))) else False, 'erase init_uts_ns.name.release: the release string')
cmd = [d for d, fill in ranges.get('saved_command_line', []) if fill == 0x58]
ok(cmd and cmd[0].startswith(b'console=') and b'\0' not in cmd[0],
   'erase saved_command_line: the string, %d bytes' % (len(cmd[0]) if cmd else 0))
nul = [d for d, fill in ranges.get('saved_command_line', []) if fill == 0]
ok(len(nul) == 1 and len(nul[0]) == 8 and nul[0][7] == 0xff,
   'erase saved_command_line nullify: the 8-byte pointer')
ring = b''.join(d for d, _ in ranges.get('log_buf', []))
ok(len(ring) == 131072 and b'Linux version' in ring,
   'erase log_buf size log_buf_len: %d bytes of the printk ring' % len(ring))
# an array of pointers: makedumpfile 1.7.2 takes the length of node_data
# from its extern declaration (no bound: 0 elements) and erases nothing
aconf = os.path.join(tmp, 'array.conf')
with open(aconf, 'w') as f:
    f.write('for n in node_data\n\terase n.node_id\nendfor\n')
rc, aout, err, _ = run([binpath, '--dry-run', '-D', '-d', '31', '-x', vmlinux,
                        '--config', aconf, base, os.path.join(tmp, 'out')])
nid = re.findall(r'^erase: pfn (\w+) offset (\w+) (\d+) bytes of 0x58 \(n.node_id\)$',
                 aout, re.M)
ok(rc == 0 and len(nid) == 1 and nid[0][2] == '4' and
   readp(int(nid[0][0], 16) * 4096 + int(nid[0][1], 16), 4) == b'\0' * 4,
   'for n in node_data: the node_id (0) of the one online node, NULL slots skipped')
ok('sections of kernel modules are skipped' in out + err and 'no_such_module' in out + err,
   'module sections are skipped and named')
# a chain that ends in a task that is its own parent (init_task): the
# walk stops there (makedumpfile 1.7.2 only stops back at the first node,
# so it would walk forever)
cconf = os.path.join(tmp, 'cycle.conf')
with open(cconf, 'w') as f:
    f.write('for p in kthreadd_task via real_parent\n\terase p.comm\nendfor\n'
            'erase no_such_symbol_xyz\n')
try:
    rc, cout, cerr, _ = run([binpath, '--dry-run', '-D', '-d', '31', '-x', vmlinux,
                             '--config', cconf, base, os.path.join(tmp, 'out')],
                            timeout=120)
except subprocess.TimeoutExpired:
    rc, cout, cerr = None, '', 'TIMEOUT'
names = [readp(int(a, 16) * 4096 + int(b, 16), 16).split(b'\0')[0] for a, b in
         re.findall(r'^erase: pfn (\w+) offset (\w+) 16 bytes of 0x58 \(p.comm\)$',
                    cout, re.M)]
ok(rc == 0 and sorted(names) == [b'kthreadd', b'swapper/0'] and
   "Config error at 4: Can't find symbol 'no_such_symbol_xyz'." in cout + cerr,
   'a parent chain ending in a self-loop stops (%s); an unknown symbol is skipped, the dump still made'
   % names)
ours_ei = re.search(r'^eraseinfo \((\d+) bytes\):\n(.*?)\n\n', out + '\n\n', re.S | re.M)
if os.path.exists(nonote) and ours_ei:
    rc, nout, err, _ = run([binpath, '--dry-run', '-D', '-d', '31', '-x', vmlinux,
                            '--config', conf, nonote, os.path.join(tmp, 'out')])
    m = re.search(r'^eraseinfo \((\d+) bytes\):\n(.*?)\n\n', nout + '\n\n', re.S | re.M)
    ok(rc == 0 and m and m.group(2) == ours_ei.group(2),
       '--config on the core without a note: the same eraseinfo')
if mdf:
    rc, out, err, msecs = mdf_conf.wait()
    os.unlink(mcore)
    theirs = b''
    if rc == 0:
        with open(kd, 'rb') as f:
            h = f.read(464)
            bs, = struct.unpack_from('<i', h, 428)
            f.seek(bs)
            sh = f.read(104)
            off, size = struct.unpack_from('<qQ', sh, 64)
            f.seek(off)
            theirs = f.read(size)
        same = subprocess.run(['cmp', '-s', kd, okd]).returncode == 0
        ok(same, 'the dump is byte-identical to makedumpfile 1.7.2\'s with the same --config')
        os.unlink(kd)
    mine = ours_ei.group(2).encode() + b'\n' if ours_ei else b''
    ok(theirs and mine == theirs,
       'eraseinfo equals makedumpfile 1.7.2\'s (%d bytes; it took %.1f s)'
       % (len(theirs), msecs))
    if mine != theirs:
        note('ours:\n%s\nmakedumpfile:\n%s' % (mine[:600].decode(errors='replace'),
                                               theirs[:600].decode(errors='replace')))
else:
    ok(ours_ei and ours_ei.group(2).startswith('erase init_uts_ns.name.release size 65\n'),
       'eraseinfo lists the erased commands')
# -E: the same text in an ERASEINFO note; -F streams give the same files
oel = os.path.join(tmp, 'erase.elf')
for x in (oel,):
    if os.path.exists(x):
        os.unlink(x)
rc, _, err, _ = run([binpath, '-E', '-d', '31', '-x', vmlinux, '--config', conf,
                     base, oel])
ei = elf_note(oel, b'ERASEINFO\0') if rc == 0 else None
ok(ours_ei and ei == ours_ei.group(2) + '\n',
   '-E: an ERASEINFO note with the same text (%d bytes)' % len(ei or ''))
for args, ref in (([], okd), (['-E'], oel)):
    fl = os.path.join(tmp, 'flat.out')
    if os.path.exists(fl):
        os.unlink(fl)
    p1 = subprocess.Popen([binpath, '-F'] + args + ['-d', '31', '-x', vmlinux,
                          '--config', conf, base], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL)
    p2 = subprocess.run([binpath, '-R', fl], stdin=p1.stdout,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p1.wait()
    ok(p1.returncode == 0 and p2.returncode == 0 and
       subprocess.run(['cmp', '-s', fl, ref]).returncode == 0,
       '-F%s | -R: the same file, eraseinfo included' % ''.join(' ' + a for a in args))
    os.unlink(fl)
for x in (nonote, okd, oel):
    if os.path.exists(x):
        os.unlink(x)
sys.exit(1 if failures else 0)
