#!/usr/bin/env python3
"""vmemmapcheck.py CORE.elf WITH_E.kdump WITHOUT_E.kdump VMEMMAP_BASE [COUNT]

Checks what -e dropped from a kdump-compressed dump, independently of the
tool's own translation code: the x86_64 page tables of the ELF core are
walked here (4 or 5 levels, 1 GiB / 2 MiB / 4 KiB leaves) from
SYMBOL(init_top_pgt) (or init_level4_pgt) and NUMBER(phys_base) of the
core's VMCOREINFO.

 - both dumps have the same 1st bitmap, and the 2nd bitmap with -e is the
   one without -e less some pfns: the dropped pages;
 - every dropped page is a vmemmap page: some page of the virtual memmap
   [VMEMMAP_BASE, + max_mapnr * SIZE(page)) maps to it;
 - every virtual vmemmap page that maps to a dropped page holds struct
   pages of excluded pfns only (pfns not dumped with -e, nor without it):
   a vmemmap page that describes a kept page is never dropped;
 - the header status of the -e dump has DUMP_DH_EXCLUDED_VMEMMAP (0x10);
 - COUNT, if given, is the number of dropped pages.

Prints "ok - ..." / "not ok - ..." lines; exit status 1 on any failure.
"""
import re
import struct
import sys

START_KERNEL_MAP = 0xffffffff80000000
PRESENT, PSE = 1, 0x80
ADDR_MASK = 0x000ffffffffff000


def elf_core(path):
    f = open(path, 'rb')
    eh = f.read(64)
    phoff, = struct.unpack_from('<Q', eh, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', eh, 0x36)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
    loads, note = [], b''
    for i in range(phnum):
        t, _, off, _, paddr, filesz, _ = struct.unpack_from(
            '<IIQQQQQ', ph, i * phentsize)
        if t == 1:
            loads.append((paddr, filesz, off))
        elif t == 4:
            f.seek(off)
            note += f.read(filesz)
    return f, loads, note


def vmcoreinfo(note):
    at = note.find(b'VMCOREINFO\0')
    if at < 0:
        sys.exit('no VMCOREINFO note')
    nsz, dsz = struct.unpack_from('<II', note, at - 12)
    text = note[at + ((nsz + 3) & ~3):][:dsz].decode('ascii', 'replace')
    out = {}
    for line in text.splitlines():
        if '=' in line:
            k, v = line.split('=', 1)
            out[k] = v
    return out


class Phys:
    def __init__(self, f, loads):
        self.f, self.loads = f, sorted(loads)

    def read(self, paddr, n):
        for start, size, off in self.loads:
            if start <= paddr and paddr + n <= start + size:
                self.f.seek(off + paddr - start)
                return self.f.read(n)
        return None

    def u64(self, paddr):
        b = self.read(paddr, 8)
        return None if b is None else struct.unpack('<Q', b)[0]


def translate(mem, top, levels, va):
    """(physical address, leaf size) of va, or (None, size of the hole)."""
    table = top
    shifts = [48, 39, 30, 21, 12][5 - levels:]
    for shift in shifts:
        e = mem.u64(table + ((va >> shift) & 511) * 8)
        if e is None or not e & PRESENT:
            return None, 1 << shift
        base = e & ADDR_MASK
        if shift == 12 or (shift in (30, 21) and e & PSE):
            size = 1 << shift
            return (base & ~(size - 1)) + (va & (size - 1)), size
        table = base
    return None, 4096


def kdump_bitmaps(path):
    with open(path, 'rb') as f:
        h = f.read(464)
        status, bs, sub, bmb = struct.unpack_from('<IIII', h, 424)
        f.seek(bs)
        maxmapnr, = struct.unpack_from('<Q', f.read(104), 96)
        f.seek((1 + sub) * bs)
        half = bmb * bs // 2
        bm1 = f.read(half)
        bm2 = f.read(half)
    return status, maxmapnr, bm1, bm2


def bit(bm, i):
    return (bm[i >> 3] >> (i & 7)) & 1 if (i >> 3) < len(bm) else 0


def main():
    core, with_e, without_e, base = sys.argv[1:5]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else None
    base = int(base, 0)
    bad = 0

    def check(cond, msg):
        nonlocal bad
        print(('ok - ' if cond else 'not ok - ') + msg)
        bad += not cond

    f, loads, note = elf_core(core)
    vi = vmcoreinfo(note)
    mem = Phys(f, loads)
    sym = vi.get('SYMBOL(init_top_pgt)') or vi.get('SYMBOL(init_level4_pgt)')
    if not sym or 'NUMBER(phys_base)' not in vi:
        print('SKIP: the VMCOREINFO lacks init_top_pgt or NUMBER(phys_base)')
        return 77
    phys_base = int(vi['NUMBER(phys_base)'], 0)    # may be negative
    top = (int(sym, 16) - START_KERNEL_MAP + phys_base) & ((1 << 64) - 1)
    levels = 5 if int(vi.get('NUMBER(pgtable_l5_enabled)', '0')) else 4
    size_page = int(vi['SIZE(page)'])

    st_e, n, bm1_e, bm2_e = kdump_bitmaps(with_e)
    st_n, n2, bm1_n, bm2_n = kdump_bitmaps(without_e)
    check(bm1_e == bm1_n and n == n2, 'the 1st bitmaps are the same')
    check(st_e & 0x10 and not st_n & 0x10,
          'status EXCLUDED_VMEMMAP set with -e (%#x), not without (%#x)'
          % (st_e, st_n))
    ie, inn = int.from_bytes(bm2_e, 'little'), int.from_bytes(bm2_n, 'little')
    extra = bin(ie & ~inn).count('1')
    check(extra == 0, '-e dumps no pfn the dump without -e leaves out (%d)'
          % extra)
    diff = (inn & ~ie).to_bytes(len(bm2_n), 'little')
    dropped = set()
    for m in re.finditer(b'[^\\x00]', diff):
        i, b = m.start(), diff[m.start()]
        dropped.update(i * 8 + k for k in range(8) if b >> k & 1)
    if count is not None:
        check(len(dropped) == count, 'dropped pages: %d, reported %d'
              % (len(dropped), count))
    else:
        print('# dropped pages: %d' % len(dropped))

    seen, wrong = set(), []
    va, end = base, base + n * size_page
    while va < end:
        pa, size = translate(mem, top, levels, va)
        if pa is None:
            va = (va | (size - 1)) + 1     # past the unmapped block
            continue
        pfn = pa >> 12
        if pfn in dropped:
            seen.add(pfn)
            first = (va - base) // size_page
            last = (va + 4095 - base) // size_page
            kept = [p for p in range(first, min(last, n - 1) + 1)
                    if bit(bm2_e, p) or bit(bm2_n, p)]
            if kept:
                wrong.append((va, pfn, kept[:4]))
        va += 4096
    check(seen == dropped, 'every dropped page is a vmemmap page (%d of %d found)'
          % (len(seen), len(dropped)))
    check(not wrong, 'no dropped vmemmap page describes a dumped pfn%s'
          % ('' if not wrong else ': vmemmap %#x (pfn %#x) describes %s'
             % (wrong[0][0], wrong[0][1], wrong[0][2])))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
