#!/usr/bin/env bash
# Earlier dumps as input, on a synthetic 5.10 core (no real vmcore needed):
#  - re-filtering our -c -d 1 dump to -d 31 gives the direct -d 31 dump
#    byte for byte, from the file and from its flattened stream (-F saved
#    as it came), the level ORed with a message; ELF inside a stream too;
#  - -E is refused for a kdump-compressed input, also inside a stream;
#  - eraseinfo of the input is carried into the output;
#  - damaged inputs (cut headers, big-endian, 32-bit, short bitmaps, data
#    cut short, unknown codec flags, oversized or outside descriptors,
#    garbage compressed data, impossible split ranges, damaged streams)
#    end with a clear message and exit 1, never a crash or a hang; an
#    incomplete dump is read with what it holds.
set -u
dir=$TMPBASE/kdump_input
rm -rf "$dir"
mkdir -p "$dir"
ok() { echo "ok - kdump input: $*"; }
notok() { echo "not ok - kdump input: $*"; }
edit="python3 $ROOT/tests/tools/kdumpedit.py"
core=$dir/zoo.elf
if ! "$TOOLS/mkvmcore" "$ROOT/fixtures/vmcore/zoo-5.10.txt" "$core" "$dir/zoo.gt" >/dev/null 2>&1; then
	notok "mkvmcore could not build the synthetic core"
	exit 0
fi
run() {	# run NAME ARGS...: our binary, output in $dir/NAME.log
	local name=$1; shift
	timeout 60 "$BIN" "$@" >"$dir/$name.log" 2>&1
}

run d1 -c -d 1 "$core" "$dir/d1" || notok "writing -c -d 1"
run d31 -l -d 31 "$core" "$dir/d31" || notok "writing -l -d 31"
if run re -l -d 30 "$dir/d1" "$dir/re" && cmp -s "$dir/re" "$dir/d31" &&
   grep -q "^dump_level is changed to 31, because $dir/d1 was created by dump_level(1)\.\$" "$dir/re.log"; then
	ok "-c -d 1 re-filtered with -l -d 30 is the direct -l -d 31 dump, byte for byte; level ORed with makedumpfile's message"
else
	notok "re-filtering -c -d 1 to -d 31"; tail -3 "$dir/re.log"
fi
if run re0 -l -d 31 "$dir/d1" "$dir/re0" && ! grep -q "dump_level is changed" "$dir/re0.log"; then
	ok "no message when the level already covers the input's"
else
	notok "a message for an unchanged level"
fi

"$BIN" -F -c -d 1 "$core" >"$dir/d1.flat" 2>/dev/null
if run ref -l -d 31 "$dir/d1.flat" "$dir/ref" && cmp -s "$dir/ref" "$dir/d31"; then
	ok "a flattened stream file as input gives the same dump"
else
	notok "flattened input"; tail -3 "$dir/ref.log"
fi
"$BIN" -E -d 1 "$core" "$dir/e1" >/dev/null 2>&1
"$BIN" -F -E -d 1 "$core" >"$dir/e1.flat" 2>/dev/null
if run ree -l -d 31 "$dir/e1" "$dir/ree" && run reef -l -d 31 "$dir/e1.flat" "$dir/reef" &&
   cmp -s "$dir/ree" "$dir/reef"; then
	ok "an ELF dump inside a flattened stream reads as the ELF file itself"
else
	notok "ELF inside a flattened stream"; tail -3 "$dir/reef.log"
fi
if "$TOOLS/dumpcheck" --same "$dir/d1" "$dir/d1.flat" >"$dir/same.log" 2>&1; then
	ok "dumpcheck --same: the stream holds the file's pages ($(head -1 "$dir/same.log" | sed 's/.*: //'))"
else
	notok "dumpcheck --same on the stream"; head -5 "$dir/same.log"
fi
if ! "$TOOLS/dumpcheck" --same "$dir/d1" "$dir/d31" >/dev/null 2>&1; then
	ok "dumpcheck --same tells -d 1 from -d 31"
else
	notok "dumpcheck --same finds no difference between -d 1 and -d 31"
fi

# records that overlap: garbage written first over the headers and the
# first pages, then every record of the stream, the biggest one split in
# two overlapping halves whose later copy is the right one; in place the
# later record must win everywhere
python3 - "$dir/d1.flat" "$dir/over.flat" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
recs, pos = [], 4096
while True:
    off, size = struct.unpack_from('>qq', d, pos)
    if off == -1:
        break
    recs.append((off, d[pos + 16:pos + 16 + size]))
    pos += 16 + size
out = [(0, bytes((i * 7 + 3) & 0xff for i in range(65536)))]
big = max(range(len(recs)), key=lambda i: len(recs[i][1]))
for i, (off, data) in enumerate(recs):
    if i == big and len(data) > 8192:
        h = len(data) // 2
        out.append((off + h - 4096, b'\xee' * (h + 4096)))  # wrong bytes...
        out.append((off, data[:h + 2048]))                   # ...partly fixed
        out.append((off + h, data[h:]))                      # ...and fully
    else:
        out.append((off, data))
with open(sys.argv[2], 'wb') as f:
    f.write(d[:4096])
    for off, data in out:
        f.write(struct.pack('>qq', off, len(data)) + data)
    f.write(struct.pack('>qq', -1, -1))
PY
if run over -l -d 31 "$dir/over.flat" "$dir/over" && cmp -s "$dir/over" "$dir/d31"; then
	ok "overlapping records: the later one wins (stream read in place = -R)"
else
	notok "overlapping records"; tail -3 "$dir/over.log"
fi
"$BIN" -R "$dir/over.R" <"$dir/over.flat" >/dev/null 2>&1
if "$TOOLS/dumpcheck" --same "$dir/over.R" "$dir/over.flat" >/dev/null 2>&1 &&
   "$TOOLS/dumpcheck" --same "$dir/over.R" "$dir/d1" >/dev/null 2>&1; then
	ok "the overlapping stream read in place holds the pages -R makes of it, and those of the -c -d 1 file"
else
	notok "-R of the overlapping stream"
fi

for in in d1 d1.flat; do
	run E$in -E -d 31 "$dir/$in" "$dir/E.$in"
	rc=$?
	if [ $rc = 1 ] && [ ! -e "$dir/E.$in" ] &&
	   grep -q "'-E' option is disabled, because $dir/$in is kdump compressed format\." "$dir/E$in.log"; then
		ok "-E refused for $in"
	else
		notok "-E with $in (exit $rc)"; cat "$dir/E$in.log"
	fi
done

$edit eraseinfo "$dir/d31" "$dir/ei"
if run eiout -c -d 31 "$dir/ei" "$dir/eiout" &&
   python3 - "$dir/eiout" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off, size = struct.unpack_from('<QQ', d, 4096 + 64)
want = b'erase init_uts_ns.name.nodename size 65\nerase jiffies nullify\n'
sys.exit(0 if size == len(want) and d[off:off + size] == want and off + size == len(d) else 1)
EOF
then
	ok "the input's eraseinfo is carried over after the page data"
else
	notok "eraseinfo carried over"; tail -3 "$dir/eiout.log"
fi

# damaged inputs: KIND expected-message
while read -r kind msg; do
	[ -n "$kind" ] || continue
	$edit "$kind" "$dir/d1" "$dir/bad.$kind" || { notok "kdumpedit $kind"; continue; }
	run "bad.$kind" -d 31 "$dir/bad.$kind" "$dir/out.$kind"
	rc=$?
	if [ $rc = 1 ] && grep -q -- "$msg" "$dir/bad.$kind.log" &&
	   grep -q "makedumpfile Failed" "$dir/bad.$kind.log"; then
		ok "$kind: exit 1, $(grep -m1 -o -- "$msg.*" "$dir/bad.$kind.log" | cut -c1-100)"
	else
		notok "$kind (exit $rc)"; cat "$dir/bad.$kind.log"
	fi
done <<'EOF'
truncate-header ends inside the kdump header
version0 header_version 0 is not
bigendian big-endian kdump-compressed dumps are not supported
ilp32 32-bit kdump-compressed dumps
bitmaps-short cannot hold two bitmaps
truncate-table runs past the end of the file (truncated?)
truncate-data points outside the file
flags-unknown name no codec
desc-oversize points outside the file
desc-outside points outside the file
data-garbage (zlib)
split-backwards split part range
EOF

$edit incomplete-truncated "$dir/d1" "$dir/inc"
if run inc -d 31 "$dir/inc" "$dir/inc.out" && grep -q "is an incomplete dump" "$dir/inc.log" &&
   "$TOOLS/dumpcheck" "$dir/inc.out" "$core" >"$dir/inc.dc" 2>&1; then
	ok "an incomplete input: read with a warning, what it holds is right ($(grep -o '[0-9]* pages dumped' "$dir/inc.dc"))"
else
	notok "incomplete input"; cat "$dir/inc.log" "$dir/inc.dc"
fi

# damaged streams
head -c 10000 "$dir/d1.flat" >"$dir/cut.flat"
run cutflat -d 31 "$dir/cut.flat" "$dir/cut.out"
rc=$?
if [ $rc = 1 ] && grep -q "cut short" "$dir/cutflat.log"; then
	ok "a stream cut short is refused: $(grep -m1 -o 'record.*' "$dir/cutflat.log" | cut -c1-80)"
else
	notok "stream cut short (exit $rc)"; cat "$dir/cutflat.log"
fi
python3 - "$dir/d1.flat" "$dir/noend.flat" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(d[:-16])
EOF
run noend -d 31 "$dir/noend.flat" "$dir/noend.out"
rc=$?
if [ $rc = 1 ] && grep -q "without its end marker" "$dir/noend.log"; then
	ok "a stream without its end marker is refused"
else
	notok "stream without end marker (exit $rc)"; cat "$dir/noend.log"
fi
exit 0
