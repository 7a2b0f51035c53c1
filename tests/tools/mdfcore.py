#!/usr/bin/env python3
"""mdfcore.py SRC DST [--no-vmcoreinfo]: a copy of a QEMU core that
Debian's makedumpfile 1.7.2 can read.

QEMU 7.2 puts the section headers first (e_phoff 0xc0, e_ehsize 8);
makedumpfile 1.7.2 assumes the program headers follow a 64-byte ELF header
(vmcores/README.md).  The copy gets them there; no data moves.  With
--no-vmcoreinfo the VMCOREINFO note is renamed (XMCOREINFO) so readers see
a core made without QEMU's vmcoreinfo device.
"""
import shutil
import struct
import sys

src, dst = sys.argv[1:3]
blank = '--no-vmcoreinfo' in sys.argv[3:]
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
