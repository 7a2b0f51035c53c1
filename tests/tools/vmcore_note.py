"""vmcore_note.py: find the VMCOREINFO note of an ELF core (test helper)."""
import struct


def note_desc(path):
    """(file offset, bytes) of the VMCOREINFO note's descriptor"""
    with open(path, 'rb') as f:
        eh = f.read(64)
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        for i in range(phnum):
            t, _, off, _, _, fsz, _ = struct.unpack_from('<IIQQQQQ', ph,
                                                         i * phentsize)
            if t != 4:              # PT_NOTE
                continue
            f.seek(off)
            notes = f.read(fsz)
            pos = 0
            while pos + 12 <= len(notes):
                nsz, dsz, _ = struct.unpack_from('<III', notes, pos)
                nm = notes[pos + 12:pos + 12 + nsz]
                d0 = pos + 12 + ((nsz + 3) & ~3)
                if nm == b'VMCOREINFO\0':
                    return off + d0, notes[d0:d0 + dsz]
                pos = d0 + ((dsz + 3) & ~3)
    raise SystemExit('no VMCOREINFO note in ' + path)
