#!/usr/bin/env bash
# Memory stays bounded on a hostile ELF header: a core claiming 2 million
# program headers (PN_XNUM, the count in section header 0; a sparse file
# of 112 MB) is refused by name at once, in a few MB, where reading every
# header took 580 MB and 10 s.  (Compound order 63, mem_section loops and
# page-table loops: the hostile-* synthetic cores of e2e/synthetic, each
# with a maxrss bound.)
set -u
dir=$TMPBASE/hostile_bounds
rm -rf "$dir"
mkdir -p "$dir"
exec python3 - "$BIN" "$dir" <<'EOF2'
import os, resource, struct, subprocess, sys, time
binpath, tmp = sys.argv[1:3]
n = 2000000
path = os.path.join(tmp, 'phnum.elf')
eh = bytearray(64)
eh[0:7] = b'\x7fELF\x02\x01\x01'
shoff = 64 + 56 * n
struct.pack_into('<HHIQQQIHHHHHH', eh, 16, 4, 62, 1, 0, 64, shoff, 0, 64, 56,
                 0xffff, 64, 1, 0)
sh = bytearray(64)
struct.pack_into('<I', sh, 44, n)            # sh_info: the real e_phnum
with open(path, 'wb') as f:
    f.write(eh)
    f.seek(shoff)
    f.write(sh)
t = time.time()
p = subprocess.Popen([binpath, '--dry-run', '-d', '31', path, '/dev/null'],
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
try:
    out, _ = p.communicate(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
    out = b'TIMEOUT'
dt = time.time() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
out = out.decode(errors='replace')
line = [l for l in out.splitlines() if 'program headers' in l]
good = p.returncode == 1 and line and rss < 65536 and dt < 20
print('%s - hostile bounds: 2000000 program headers (PN_XNUM): exit %s in %.1f s, '
      'peak RSS %d KiB (< 64 MiB): %r' % ('ok' if good else 'not ok',
                                          p.returncode, dt, rss,
                                          line[0] if line else out[-200:]))
os.unlink(path)
sys.exit(0 if good else 1)
EOF2
