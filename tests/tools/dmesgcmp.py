#!/usr/bin/env python3
"""dmesgcmp.py OURS REFERENCE [--newer-allowed] [--label L]

Compare our --dump-dmesg output with a reference log line for line.

Without --newer-allowed the two must be identical, except that
makedumpfile 1.7.2's sign-extended escapes of bytes >= 0x80 (\\xffffffc3 on
x86) are read as the two-digit escape we write (\\xc3).

With --newer-allowed (the reference is the kernel's own dmesg, taken a
moment before the dump) every reference line must be present, in order, at
the start of ours; ours may go on only with records whose timestamps are not
older than the reference's last record (records written after the snapshot)
and their indented continuation lines.  Each allowed extra line is listed.
Exit 0 when they match, 1 otherwise, printing the differing lines.
"""
import re
import sys

TS = re.compile(rb'^\[\s*(\d+)\.(\d{6})\] ')
SIGNEXT = re.compile(rb'\\xffffff([0-9a-f]{2})')


def ts_of(line):
    m = TS.match(line)
    return (int(m.group(1)), int(m.group(2))) if m else None


def main():
    args = sys.argv[1:]
    newer = '--newer-allowed' in args
    label = 'reference'
    if '--label' in args:
        label = args[args.index('--label') + 1]
        del args[args.index('--label'):args.index('--label') + 2]
    args = [a for a in args if a != '--newer-allowed']
    ours = open(args[0], 'rb').read().split(b'\n')
    ref = open(args[1], 'rb').read().split(b'\n')
    if ours and ours[-1] == b'':
        ours.pop()
    if ref and ref[-1] == b'':
        ref.pop()
    ref = [SIGNEXT.sub(rb'\\x\1', l) for l in ref]

    bad = 0
    n = min(len(ours), len(ref))
    for i in range(n):
        if ours[i] != ref[i]:
            bad += 1
            if bad <= 10:
                print(f'line {i + 1} differs:\n  ours: {ours[i]!r}\n  {label}: {ref[i]!r}')
    if len(ref) > len(ours):
        print(f'ours ends after {len(ours)} lines; {label} has {len(ref)}: '
              f'first missing: {ref[len(ours)]!r}')
        bad += 1
    extra = ours[len(ref):]
    if extra and not newer:
        print(f'ours has {len(extra)} more lines than {label}: first: {extra[0]!r}')
        bad += 1
    elif extra:
        last = None
        for l in reversed(ref):
            last = ts_of(l)
            if last:
                break
        seen_record = False
        for l in extra:
            t = ts_of(l)
            if t is None and seen_record and l.startswith(b' '):
                continue        # continuation of an allowed record
            if t is None or (last and t < last):
                print(f'extra line is not a record newer than the {label} '
                      f'(last {label} timestamp {last}): {l!r}')
                bad += 1
                continue
            seen_record = True
        if not bad:
            print(f'{len(extra)} lines after the {label}\'s {len(ref)} are records '
                  f'written after it was taken (timestamps >= {last[0]}.{last[1]:06d}):')
            for l in extra[:3]:
                print(f'  + {l.decode("utf-8", "replace")}')
            if len(extra) > 3:
                print(f'  + ... {len(extra) - 3} more')
    if bad:
        print(f'{bad} differences from {label}')
        return 1
    if extra:
        print(f'the first {len(ref)} lines are identical to {label}\'s {len(ref)}')
    else:
        print(f'identical to {label} for all {len(ref)} lines')
    return 0


if __name__ == '__main__':
    sys.exit(main())
