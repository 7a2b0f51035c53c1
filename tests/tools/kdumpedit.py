#!/usr/bin/env python3
"""kdumpedit.py: damage a kdump-compressed file in one named way (tests).

    kdumpedit.py KIND IN OUT

KIND: truncate-header, version0, bigendian, ilp32, bitmaps-short,
truncate-table, truncate-data, flags-unknown, desc-oversize, desc-outside, data-garbage,
incomplete-truncated, split-backwards, eraseinfo (adds erase directives
at the end and points the sub header at them), bits-past-max (every
padding bit after max_mapnr set in both bitmaps), bm2-all (the 2nd bitmap
claims every pfn: more page_descs than the file holds), maxmapnr-huge
(2^40 pfns in the same bitmaps), block-odd (6 KiB), block-huge (1 GiB),
data-short (a zlib page that decodes to 100 bytes), subhdr-zero (no sub
header block), sparse-claim (a valid dump that claims 2^38 pfns, 1 PiB:
bitmaps of 32 GiB each that hold the original bits and holes after them,
the table and pages moved behind them; a 64 GiB sparse file with the
original's few MB stored).
The fields are those of include/fmt_kdump.h (formats.md sections 2-5).
"""
import struct
import sys

HDR_VERSION, STATUS, BLOCK, SUB, BMBLOCKS = 8, 424, 428, 432, 436
SH_SPLIT, SH_START64, SH_END64, SH_MAX64 = 12, 80, 88, 96
SH_EI_OFF, SH_EI_SIZE = 64, 72
ERASEINFO = b'erase init_uts_ns.name.nodename size 65\nerase jiffies nullify\n'


def u32(d, o):
    return struct.unpack_from('<I', d, o)[0]


def u64(d, o):
    return struct.unpack_from('<Q', d, o)[0]


def layout(d):
    block = u32(d, BLOCK)
    table = (1 + u32(d, SUB)) * block + u32(d, BMBLOCKS) * block
    return block, table


def ndesc(d):
    """set bits of the 2nd bitmap: the number of page_descs"""
    block = u32(d, BLOCK)
    half = u32(d, BMBLOCKS) * block // 2
    bm2 = (1 + u32(d, SUB)) * block + half
    return sum(bin(b).count('1') for b in d[bm2:bm2 + half])


def every_desc(d, fn):
    block, table = layout(d)
    for i in range(ndesc(d)):
        fn(table + 24 * i)


def first_desc(d, pred):
    """index and offset of the first page_desc whose data satisfies pred"""
    block, table = layout(d)
    i = 0
    while table + 24 * (i + 1) <= len(d):
        off, size, flags = struct.unpack_from('<QII', d, table + 24 * i)
        if off and pred(off, size, flags):
            return i, table + 24 * i
        i += 1
    sys.exit('kdumpedit: no page_desc fits')


def sparse_claim(d, dst, bits=38):
    block, table = layout(d)
    sub = u32(d, SUB)
    bm1 = (1 + sub) * block
    half = u32(d, BMBLOCKS) * block // 2
    mapnr = 1 << bits
    nhalf = (mapnr // 8 + block - 1) // block * block
    ntable = bm1 + 2 * nhalf
    delta = ntable - table
    n = ndesc(d)
    head = bytearray(d[:bm1])
    struct.pack_into('<I', head, BMBLOCKS, 2 * nhalf // block)
    struct.pack_into('<I', head, 440, min(mapnr, 0xffffffff))
    struct.pack_into('<Q', head, block + SH_MAX64, mapnr)
    for o in (32, 48, SH_EI_OFF):   # vmcoreinfo, notes, eraseinfo
        if u64(d, block + o) >= table:
            struct.pack_into('<Q', head, block + o, u64(d, block + o) + delta)
    descs = bytearray(d[table:table + 24 * n])
    for i in range(n):
        if u64(descs, 24 * i):
            struct.pack_into('<Q', descs, 24 * i, u64(descs, 24 * i) + delta)
    with open(dst, 'wb') as f:
        f.write(head)
        f.seek(bm1)
        f.write(d[bm1:bm1 + half])
        f.seek(bm1 + nhalf)
        f.write(d[bm1 + half:bm1 + 2 * half])
        f.seek(ntable)
        f.write(descs)
        f.write(d[table + 24 * n:])


def main():
    kind, src, dst = sys.argv[1:4]
    d = bytearray(open(src, 'rb').read())
    block, table = layout(d)
    if kind == 'truncate-header':
        d = d[:300]
    elif kind == 'version0':
        struct.pack_into('<I', d, HDR_VERSION, 0)
    elif kind == 'bigendian':
        for o in (HDR_VERSION, STATUS, BLOCK, SUB, BMBLOCKS):
            struct.pack_into('>I', d, o, u32(d, o))
    elif kind == 'ilp32':
        struct.pack_into('<I', d, 416, block)
        struct.pack_into('<I', d, BLOCK, 0x1234)
    elif kind == 'bitmaps-short':
        struct.pack_into('<I', d, BMBLOCKS, 1)
    elif kind == 'truncate-table':
        d = d[:table + 24 * ndesc(d) // 2]
    elif kind in ('truncate-data', 'incomplete-truncated'):
        # the table is whole, the data after it cut in half
        start = table + 24 * ndesc(d)
        d = d[:start + (len(d) - start) // 2]
        if kind == 'incomplete-truncated':
            struct.pack_into('<I', d, STATUS, u32(d, STATUS) | 8)
    elif kind == 'flags-unknown':
        _, at = first_desc(d, lambda o, s, f: f != 0)
        struct.pack_into('<I', d, at + 12, 0x40)
    elif kind == 'desc-oversize':
        every_desc(d, lambda at: struct.pack_into('<I', d, at + 8, block * 2))
    elif kind == 'desc-outside':
        every_desc(d, lambda at: struct.pack_into('<Q', d, at, len(d) + 4096))
    elif kind == 'data-garbage':
        _, at = first_desc(d, lambda o, s, f: f != 0 and s > 64)
        off, size = u64(d, at), u32(d, at + 8)
        d[off:off + size] = bytes((i * 37 + 11) & 0xff for i in range(size))
    elif kind == 'split-backwards':
        struct.pack_into('<I', d, block + SH_SPLIT, 1)
        mx = u64(d, block + SH_MAX64)
        struct.pack_into('<QQ', d, block + SH_START64, mx // 2, mx // 4)
    elif kind == 'bits-past-max':
        mx = u64(d, block + SH_MAX64)
        half = u32(d, BMBLOCKS) * block // 2
        for bm in ((1 + u32(d, SUB)) * block, (1 + u32(d, SUB)) * block + half):
            for pfn in range(mx, min(half * 8, mx + 64 * 1024)):
                d[bm + pfn // 8] |= 1 << (pfn % 8)
    elif kind == 'bm2-all':
        half = u32(d, BMBLOCKS) * block // 2
        bm2 = (1 + u32(d, SUB)) * block + half
        d[bm2:bm2 + half] = b'\xff' * half
    elif kind == 'maxmapnr-huge':
        struct.pack_into('<Q', d, block + SH_MAX64, 1 << 40)
    elif kind == 'block-odd':
        struct.pack_into('<I', d, BLOCK, 6144)
    elif kind == 'block-huge':
        struct.pack_into('<I', d, BLOCK, 1 << 30)
    elif kind == 'subhdr-zero':
        struct.pack_into('<I', d, SUB, 0)
    elif kind == 'data-short':
        import zlib
        z = zlib.compress(bytes(range(100)))
        _, at = first_desc(d, lambda o, s, f: f == 1 and s >= len(z))
        off = u64(d, at)
        d[off:off + len(z)] = z
        struct.pack_into('<I', d, at + 8, len(z))
    elif kind == 'sparse-claim':
        sparse_claim(d, dst)
        return
    elif kind == 'eraseinfo':
        struct.pack_into('<QQ', d, block + SH_EI_OFF, len(d), len(ERASEINFO))
        d += ERASEINFO
    else:
        sys.exit('kdumpedit: unknown kind ' + kind)
    open(dst, 'wb').write(d)


if __name__ == '__main__':
    main()
