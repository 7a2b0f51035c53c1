#!/usr/bin/env python3
"""elf_phfix.py SRC DST: a copy of an ELF64 core that Debian's makedumpfile
1.7.2 can read.  QEMU 7.2 puts the section headers at offset 64 and the
program headers after them (e_phoff 0xc0, e_ehsize 8); makedumpfile assumes
the program headers follow the ELF header.  The copy moves them to offset
64 (over the section headers, which cores do not need) and fixes e_phoff,
e_ehsize and the section header fields; no data moves.  A core that is
already in that shape is copied as it is.
"""
import shutil
import struct
import sys


def main():
    src, dst = sys.argv[1:3]
    shutil.copyfile(src, dst)
    with open(dst, 'r+b') as f:
        eh = bytearray(f.read(64))
        phoff, = struct.unpack_from('<Q', eh, 0x20)
        phentsize, phnum = struct.unpack_from('<HH', eh, 0x36)
        if phoff == 64:
            return 0
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        first = min(struct.unpack_from('<Q', ph, i * phentsize + 8)[0]
                    for i in range(phnum))
        if 64 + len(ph) > first:
            print('elf_phfix: no room for the program headers', file=sys.stderr)
            return 1
        struct.pack_into('<Q', eh, 0x20, 64)
        struct.pack_into('<Q', eh, 0x28, 0)
        struct.pack_into('<H', eh, 0x34, 64)
        struct.pack_into('<HHH', eh, 0x3a, 0, 0, 0)
        f.seek(0)
        f.write(eh)
        f.write(ph)
    return 0


if __name__ == '__main__':
    sys.exit(main())
