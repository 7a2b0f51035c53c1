#!/usr/bin/env python3
"""elfdiff.py OURS THEIRS [--max-pfn N]: compare two ELF dumps (-E output)
by segment layout and page set.

Layout: the same PT_NOTE and PT_LOAD headers in the same order (p_offset,
p_paddr, p_vaddr, p_memsz equal; p_filesz compared below).  Page set: the
pfns each file holds data for (inside p_filesz).  Prints every difference:
a header that differs, the pfns only one file holds (as ranges, with
whether the page in the file holding it is filled with zeros), and pages
both hold whose bytes differ.

Exit 0 if layout and page set are identical and every page held by both is
equal.  With --allow-ours-above N, pfns at or above N that only OURS holds
and that are not filled with zeros (data the other tool lost) are
reported but allowed, and so is the shorter p_filesz of their segment.
Exit 1 otherwise.
"""
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4
PAGE = 4096


def phdrs(path):
    f = open(path, 'rb')
    eh = f.read(64)
    if eh[:4] != b'\x7fELF' or eh[4] != 2:
        sys.exit('%s: not a 64-bit ELF file' % path)
    phoff, = struct.unpack_from('<Q', eh, 32)
    phentsize, phnum = struct.unpack_from('<HH', eh, 54)
    if phnum == 0xffff:             # PN_XNUM: the count is in section 0
        shoff, = struct.unpack_from('<Q', eh, 40)
        f.seek(shoff)
        phnum, = struct.unpack_from('<I', f.read(64), 44)
    f.seek(phoff)
    raw = f.read(phentsize * phnum)
    out = []
    for i in range(phnum):
        t, _fl, off, va, pa, fsz, msz, _al = struct.unpack_from(
            '<IIQQQQQQ', raw, i * phentsize)
        out.append((t, off, va, pa, fsz, msz))
    return f, out


def pages(hdrs):
    """pfn -> file offset of its data"""
    held = {}
    for t, off, _va, pa, fsz, _msz in hdrs:
        if t != PT_LOAD:
            continue
        for i in range(fsz // PAGE):
            held[(pa // PAGE) + i] = off + i * PAGE
    return held


def runs(pfns):
    out = []
    for p in sorted(pfns):
        if out and out[-1][1] == p:
            out[-1][1] = p + 1
        else:
            out.append([p, p + 1])
    return out


def main():
    args = sys.argv[1:]
    above = None
    if '--allow-ours-above' in args:
        i = args.index('--allow-ours-above')
        above = int(args[i + 1], 0)
        del args[i:i + 2]
    ours, theirs = args
    fo, ho = phdrs(ours)
    ft, ht = phdrs(theirs)
    bad = 0
    allowed_segs = set()
    po, pt = pages(ho), pages(ht)
    only_o = set(po) - set(pt)
    only_t = set(pt) - set(po)

    def zero(f, off):
        f.seek(off)
        return f.read(PAGE) == bytes(PAGE)

    for a, b in runs(only_o):
        nz = sum(1 for p in range(a, b) if not zero(fo, po[p]))
        ok = above is not None and a >= above and nz == b - a
        print('%s pfn 0x%x-0x%x (%d pages, %d not zero): only in %s' %
              ('#' if ok else 'DIFF', a, b - 1, b - a, nz, ours))
        if ok:
            allowed_segs.update(p for p in range(a, b))
        else:
            bad += 1
    for a, b in runs(only_t):
        nz = sum(1 for p in range(a, b) if not zero(ft, pt[p]))
        print('DIFF pfn 0x%x-0x%x (%d pages, %d not zero): only in %s' %
              (a, b - 1, b - a, nz, theirs))
        bad += 1

    if len(ho) != len(ht):
        print('DIFF %d program headers in %s, %d in %s' %
              (len(ho), ours, len(ht), theirs))
        bad += 1
    for i, (x, y) in enumerate(zip(ho, ht)):
        if x == y:
            continue
        xs, ys = list(x), list(y)
        # the shorter p_filesz of a segment whose missing pages are allowed
        if x[0] == PT_LOAD and x[:4] == y[:4] and x[5] == y[5]:
            lost = range((x[3] + y[4]) // PAGE, (x[3] + x[4]) // PAGE)
            if y[4] < x[4] and all(p in allowed_segs for p in lost):
                print('# phdr %d: p_filesz 0x%x here, 0x%x there (allowed)' %
                      (i, x[4], y[4]))
                continue
        print('DIFF phdr %d: (type, offset, vaddr, paddr, filesz, memsz) '
              '%s vs %s' % (i, [hex(v) for v in xs], [hex(v) for v in ys]))
        bad += 1

    differ = 0
    for p in sorted(set(po) & set(pt)):
        fo.seek(po[p])
        ft.seek(pt[p])
        if fo.read(PAGE) != ft.read(PAGE):
            differ += 1
            if differ <= 5:
                print('DIFF pfn 0x%x: the bytes differ' % p)
    if differ:
        bad += 1
    print('# %d pages in %s, %d in %s, %d in both, %d of them differ' %
          (len(po), ours, len(pt), theirs, len(set(po) & set(pt)), differ))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
