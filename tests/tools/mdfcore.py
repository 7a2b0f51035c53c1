#!/usr/bin/env python3
"""mdfcore.py SRC DST [--no-vmcoreinfo] [--kcore]: a copy of a QEMU core
that Debian's makedumpfile 1.7.2 can read.

QEMU 7.2 puts the section headers first (e_phoff 0xc0, e_ehsize 8);
makedumpfile 1.7.2 assumes the program headers follow a 64-byte ELF header
(vmcores/README.md).  The copy gets them there; no data moves.  With
--no-vmcoreinfo the VMCOREINFO note is renamed (XMCOREINFO) so readers see
a core made without QEMU's vmcoreinfo device.  With --kcore the copy gets
the shape of /proc/kcore (kernel fs/proc/kcore.c): RAM segments at direct
map addresses, a kernel text segment over the same physical memory, and a
vmalloc segment whose p_paddr is -1 (no physical address).
"""
import shutil
import struct
import sys

src, dst = sys.argv[1:3]
blank = '--no-vmcoreinfo' in sys.argv[3:]
kcore = '--kcore' in sys.argv[3:]
shutil.copyfile(src, dst)
with open(dst, 'r+b') as f:
    eh = bytearray(f.read(64))
    if eh[:4] != b'\x7fELF' or eh[4] != 2:
        sys.exit('%s: not an ELF64 file' % src)
    phoff, = struct.unpack_from('<Q', eh, 32)
    phentsize, phnum = struct.unpack_from('<HH', eh, 54)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
    first = min(struct.unpack_from('<Q', ph, i * phentsize + 8)[0]
                for i in range(phnum))
    if kcore:
        ph = bytearray(ph)
        loads = []
        for i in range(phnum):
            t, fl, off, va, pa, fsz, msz = struct.unpack_from(
                '<IIQQQQQ', ph, i * phentsize)
            if t == 1:
                # RAM: direct map virtual addresses
                struct.pack_into('<Q', ph, i * phentsize + 16,
                                 0xffff888000000000 + pa)
                loads.append((off, pa, fsz))
        f.seek(first)
        text = f.read(1 << 20)
        at = text.find(b'KERNELOFFSET=')
        koff = int(text[at + 13:text.index(b'\n', at)], 16)
        at = text.find(b'NUMBER(phys_base)=')
        pbase = int(text[at + 18:text.index(b'\n', at)]) & (2**64 - 1)
        tpa = (0x1000000 + koff + pbase) & (2**64 - 1)
        toff = [o + tpa - pa for o, pa, fsz in loads if pa <= tpa < pa + fsz][0]
        extra = struct.pack('<IIQQQQQQ', 1, 7, toff,
                            0xffffffff81000000 + koff, tpa, 32 << 20,
                            32 << 20, 4096)
        extra += struct.pack('<IIQQQQQQ', 1, 7, loads[0][0],
                             0xffffc90000000000, 2**64 - 1, 1 << 20, 1 << 20,
                             4096)
        ph = bytes(ph) + extra
        phnum += 2
        struct.pack_into('<H', eh, 56, phnum)
        phoff = -1      # rewrite below
    if phoff != 64:
        if 64 + len(ph) > first:
            sys.exit('%s: no room for the program headers' % src)
        struct.pack_into('<Q', eh, 32, 64)        # e_phoff
        struct.pack_into('<Q', eh, 40, 0)         # e_shoff
        struct.pack_into('<H', eh, 52, 64)        # e_ehsize
        struct.pack_into('<HH', eh, 58, 0, 0)     # e_shentsize, e_shnum
        struct.pack_into('<H', eh, 62, 0)         # e_shstrndx
        f.seek(0)
        f.write(eh)
        f.write(ph)
    if blank:
        f.seek(first)
        notes = f.read(1 << 20)
        at = notes.find(b'VMCOREINFO\0')
        if at < 0:
            sys.exit('%s: no VMCOREINFO note' % src)
        f.seek(first + at)
        f.write(b'XMCOREINFO\0')
