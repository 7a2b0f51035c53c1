#!/usr/bin/python3
"""drgncheck.py VMLINUX DUMP: open DUMP with drgn (python3-drgn) and walk
the task list.  Prints "release=R tasks=N comms=A,B,..." (comms sorted,
so two dumps of one crash print the same line); exit 1 on any error.
Run with /usr/bin/python3; for a QEMU ELF core set
DRGN_USE_LIBKDUMPFILE_FOR_ELF=1 (drgn's own ELF reader needs p_vaddr).
"""
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task


def main():
    vmlinux, dump = sys.argv[1:3]
    prog = drgn.Program()
    prog.set_core_dump(dump)
    prog.load_debug_info([vmlinux])
    rel = prog['init_uts_ns'].name.release.string_().decode()
    comms = sorted(t.comm.string_().decode() for t in for_each_task(prog))
    print('release=%s tasks=%d comms=%s' % (rel, len(comms), ','.join(comms)))
    return 0 if comms else 1


if __name__ == '__main__':
    sys.exit(main())
