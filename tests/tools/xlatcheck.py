#!/usr/bin/python3
"""xlatcheck.py VMCORE KVTOP SCENARIO: our kernel-virtual translation
against libkdumpfile's (an independent implementation, python3-libkdumpfile).

build/tools/kvtop translates a sample of addresses (VMCOREINFO symbols,
struct pages across all memory, on arm64 the linear map) with our arch
code; libkdumpfile walks the same page tables with its own.  Every
address must give the same physical address in both, or be unmapped in
both.  Prints ok / not ok lines; exit 77 if libkdumpfile is missing.
"""
import subprocess
import sys

try:
    import addrxlat
    import kdumpfile
except ImportError:
    print('SKIP: python3-libkdumpfile is not installed')
    sys.exit(77)

vmcore, kvtop, scen = sys.argv[1:4]
failures = 0


def ok(cond, name):
    global failures
    print('%s - xlat/%s: %s' % ('ok' if cond else 'not ok', scen, name))
    if not cond:
        failures += 1


k = kdumpfile.kdumpfile(vmcore)
k.attr['addrxlat.ostype'] = 'linux'
ctx = k.get_addrxlat_ctx()
sys_ = k.get_addrxlat_sys()


def get_page(fa):
    # libkdumpfile's python context reads tables through this callback
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


p = subprocess.run([kvtop, vmcore], stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
ok(p.returncode == 0, 'kvtop runs (%s)' % p.stderr.decode().strip()[:200])
same = absent = 0
diff = []
for line in p.stdout.decode().splitlines():
    va_s, pa_s = line.split()
    va = int(va_s, 16)
    ours = None if pa_s == '-' else int(pa_s, 16)
    t = theirs(va)
    if ours == t:
        if t is None:
            absent += 1
        else:
            same += 1
    else:
        diff.append((va, ours, t))
for va, o, t in diff[:20]:
    print('# %#x: ours %s, libkdumpfile %s' % (
        va, 'unmapped' if o is None else '%#x' % o,
        'unmapped' if t is None else '%#x' % t))
print('# %d addresses: %d agree, %d unmapped in both, %d differ'
      % (same + absent + len(diff), same, absent, len(diff)))
ok(not diff and same >= 1000,
   'every sampled kernel address translates as libkdumpfile translates it '
   '(%d agree, %d unmapped in both, %d differ)' % (same, absent, len(diff)))
sys.exit(1 if failures else 0)
