#!/usr/bin/env python3
"""tinycore.py OUT [--class 32|64] [--endian little|big] [--machine N]
[--patch-ident CLASS,DATA]: a genuine, tiny ELF core.

One PT_NOTE holding a VMCOREINFO note and one PT_LOAD of four 4 KiB pages
at physical 0x40000000, written with the class and byte order asked for
(every header field, not just e_ident).  --patch-ident then overwrites
EI_CLASS and EI_DATA only, as a damaged or mislabelled file would have.
"""
import argparse
import struct

ap = argparse.ArgumentParser()
ap.add_argument('out')
ap.add_argument('--class', dest='cls', type=int, default=64)
ap.add_argument('--endian', default='little')
ap.add_argument('--machine', type=int, default=183)     # EM_AARCH64
ap.add_argument('--patch-ident')
a = ap.parse_args()

e = '<' if a.endian == 'little' else '>'
is64 = a.cls == 64
vmcoreinfo = (b'OSRELEASE=6.1.0-56-arm64\nPAGESIZE=4096\n'
              b'NUMBER(VA_BITS)=48\nNUMBER(TCR_EL1_T1SZ)=0x10\n')


def note(name, ntype, desc):
    pad = lambda b: b + b'\0' * (-len(b) % 4)
    return struct.pack(e + 'III', len(name) + 1, len(desc), ntype) + \
        pad(name + b'\0') + pad(desc)


notes = note(b'VMCOREINFO', 0, vmcoreinfo)
ehsize, phentsize = (64, 56) if is64 else (52, 32)
phoff = ehsize
note_off = phoff + 2 * phentsize
load_off = (note_off + len(notes) + 4095) & ~4095
memsz = 4 * 4096

ident = b'\x7fELF' + bytes([2 if is64 else 1, 1 if e == '<' else 2, 1, 0]) \
    + b'\0' * 8
if is64:
    eh = ident + struct.pack(e + 'HHIQQQIHHHHHH', 4, a.machine, 1, 0, phoff, 0,
                             0, ehsize, phentsize, 2, 0, 0, 0)
    ph = struct.pack(e + 'IIQQQQQQ', 4, 0, note_off, 0, 0, len(notes),
                     len(notes), 0)
    ph += struct.pack(e + 'IIQQQQQQ', 1, 7, load_off, 0, 0x40000000, memsz,
                      memsz, 0)
else:
    eh = ident + struct.pack(e + 'HHIIIIIHHHHHH', 4, a.machine, 1, 0, phoff, 0,
                             0, ehsize, phentsize, 2, 0, 0, 0)
    ph = struct.pack(e + 'IIIIIIII', 4, note_off, 0, 0, len(notes),
                     len(notes), 0, 0)
    ph += struct.pack(e + 'IIIIIIII', 1, load_off, 0, 0x40000000, memsz,
                      memsz, 7, 0)
data = bytearray(eh + ph + notes)
data += b'\0' * (load_off - len(data))
# page contents: one zero page, three with a pattern
data += b'\0' * 4096 + bytes(range(256)) * 16 * 3
if a.patch_ident:
    c, d = (int(x) for x in a.patch_ident.split(','))
    data[4], data[5] = c, d
with open(a.out, 'wb') as f:
    f.write(data)
