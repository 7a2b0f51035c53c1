#!/usr/bin/python3
"""lkdfxlat.py CORE GT: libkdumpfile's translation of a synthetic vmcore
against the addresses the generator mapped (the 'xlat VA PA' lines of
the ground truth written by build/tools/mkvmcore).

An outside check of the generator: libkdumpfile (python3-libkdumpfile)
walks the page tables with its own code, which shares nothing with
mkvmcore.  Only mapped addresses without a pointer-authentication code
are asked (libkdumpfile translates any linear-map address by formula and
does not strip PAC bits).  Prints one summary line, then up to 8
differences; exit 0 if all agree, 1 if not, 77 if libkdumpfile is
missing.
"""
import sys

try:
    import addrxlat
    import kdumpfile
except ImportError:
    print('libkdumpfile (python3-libkdumpfile) is not installed')
    sys.exit(77)

core, gtpath = sys.argv[1:3]
k = kdumpfile.kdumpfile(core)
k.attr['addrxlat.ostype'] = 'linux'
ctx = k.get_addrxlat_ctx()
sys_ = k.get_addrxlat_sys()


def get_page(fa):
    base = fa.addr & ~0xfff
    buf = k.read(addrxlat.KPHYSADDR, base, 4096)
    fa.addr = base
    return (buf,)


ctx.cb_read_caps = lambda: addrxlat.CAPS(addrxlat.KPHYSADDR)
ctx.cb_get_page = get_page


def theirs(va):
    a = addrxlat.FullAddress(addrxlat.KVADDR, va)
    try:
        ctx.clear_err()
        a.conv(addrxlat.KPHYSADDR, ctx, sys_)
        return a.addr
    except Exception:
        return None


same = 0
diff = []
for line in open(gtpath):
    w = line.split()
    if len(w) != 3 or w[0] != 'xlat' or w[2] == '-':
        continue
    va, pa = int(w[1], 16), int(w[2], 16)
    if va >> 56 != 0xff:            # a PAC-signed pointer
        continue
    t = theirs(va)
    if t == pa:
        same += 1
    else:
        diff.append((va, pa, t))
print('%d mapped addresses: %d agree, %d differ' % (same + len(diff), same,
                                                    len(diff)))
for va, pa, t in diff[:8]:
    print('%#x: generator %#x, libkdumpfile %s'
          % (va, pa, 'unmapped' if t is None else '%#x' % t))
sys.exit(1 if diff or not same else 0)
