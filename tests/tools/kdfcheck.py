#!/usr/bin/python3
"""kdfcheck.py: libkdumpfile reads one of our dumps; compare with the source.

usage: kdfcheck.py DUMP SOURCE REPORT_JSON [--incomplete]

An independent reader (libkdumpfile, python3-libkdumpfile) opens DUMP and
SOURCE.  For every pfn below the dump's max_pfn it reads the page from DUMP:
a page it returns must equal the source's bytes (pages never read,
PG_offline and hwpoison, may be zeros in ELF output), and a page it calls
excluded must be one the classification of the same run excluded (the
report's ranges, zero pages included) or one the source has no data for.
In kdump-compressed output every page the classification kept must be
readable.  With --incomplete (a dump cut short by ENOSPC or -L), pages
whose descriptor was never written are counted as lost instead.  Prints
one summary line; exit status 0 when all holds.
Run with /usr/bin/python3 (the module is a Debian package).
"""
import json
import struct
import sys

import kdumpfile
from kdumpfile.exceptions import CorruptException, NoDataException

PHYS = kdumpfile.KDUMP_MACHPHYSADDR


def source_pfns(path, psz):
    """pfns covered by the source's PT_LOADs (ELF64, little-endian)."""
    with open(path, 'rb') as f:
        eh = f.read(64)
        phoff, = struct.unpack_from('<Q', eh, 0x20)
        phentsize, phnum = struct.unpack_from('<HH', eh, 0x36)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    pfns = set()
    for i in range(phnum):
        p_type, = struct.unpack_from('<I', ph, i * phentsize)
        if p_type != 1:
            continue
        paddr, = struct.unpack_from('<Q', ph, i * phentsize + 24)
        memsz, = struct.unpack_from('<Q', ph, i * phentsize + 40)
        # whole pages only, as makedumpfile counts RAM
        pfns.update(range((paddr + psz - 1) // psz, (paddr + memsz) // psz))
    return sorted(pfns)


def main():
    dump, source, report = sys.argv[1:4]
    incomplete = '--incomplete' in sys.argv[4:]
    with open(report) as f:
        rep = json.load(f)
    psz = rep['page_size']
    excluded = {}
    for cls, ranges in rep['ranges'].items():
        if cls == 'offline_absent':
            continue
        for a, n in ranges:
            for p in range(a, a + n):
                excluded[p] = cls

    k = kdumpfile.kdumpfile(dump)
    k.attr['addrxlat.ostype'] = 'linux'
    src = kdumpfile.kdumpfile(source)
    fmt = k.attr['file.format']
    max_pfn = k.attr['max_pfn']
    problems = []
    read = same = nodata = lost = 0
    zero_page = bytes(psz)
    rel = k.attr['linux.uts.release'] if 'linux.uts.release' in k.attr else None
    for pfn in source_pfns(source, psz):
        if pfn >= max_pfn:
            break
        try:
            got = k.read(PHYS, pfn * psz, psz)
        except CorruptException:
            if not incomplete:
                raise
            lost += 1           # its page_desc was never written
            continue
        except NoDataException:
            nodata += 1
            cls = excluded.get(pfn)
            if cls is None:
                try:
                    src.read(PHYS, pfn * psz, psz)
                except NoDataException:
                    continue        # a hole in the source too
                problems.append('pfn %#x: excluded in %s but kept by the classification'
                                % (pfn, dump))
            continue
        read += 1
        try:
            want = src.read(PHYS, pfn * psz, psz)
        except NoDataException:
            want = zero_page
        if got == want:
            same += 1
            continue
        cls = excluded.get(pfn)
        # ELF: p_memsz beyond p_filesz reads as zeros; a never-read page
        # inside a kept short run is written as zeros
        if fmt == 'elf' and cls is not None and got == zero_page:
            same += 1
            continue
        problems.append('pfn %#x (%s): differs from the source' % (pfn, cls or 'kept'))
        if fmt != 'elf' and cls is not None and cls != 'zero':
            problems.append('pfn %#x: class %s but present in %s' % (pfn, cls, dump))
    print('libkdumpfile %s: format %s, release %s, max_pfn %d: %d pages read, %d equal '
          'to the source, %d excluded, %d lost; %d problems'
          % (dump, fmt, rel, max_pfn, read, same, nodata, lost, len(problems)))
    for p in problems[:20]:
        print('  ' + p)
    return 1 if problems or read == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
