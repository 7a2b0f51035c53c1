#!/usr/bin/env bash
# --split and --reassemble on the real kdump core:
#  - split into 2 parts (default 1 GiB splitblocks: one block, so the
#    second part is empty, as makedumpfile 1.7.2 makes it) and 3 parts
#    (--splitblock-size 4096, balanced); the parts' sub headers say
#    split and their ranges, which cover [0, max_mapnr);
#  - our --reassemble (parts in any order) and makedumpfile 1.7.2's give
#    our direct dump with the same options byte for byte; ours joins
#    makedumpfile 1.7.2's parts into its direct dump byte for byte;
#  - the split report counts are the direct dump's (zero pages summed
#    over the parts);
#  - crash opens the 3-part set: sys and log print what they print for
#    the direct dump;
#  - --reassemble refuses a missing part, a part given twice, parts of
#    different dumps and a file that is no part, leaving no output;
#  - --split with -L: incomplete parts, exit 1; --splitblock-size that is
#    not a multiple of the page size is refused.
set -u
core=$(bash "$ROOT/tests/tools/vmcores.sh" kdump | awk '{print $2}') || exit $?
[ -n "$core" ] || { echo "SKIP: no kdump core"; exit 77; }
dir=$TMPBASE/split
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir" || exit 1
ok() { echo "ok - split: $*"; }
notok() { echo "not ok - split: $*"; }
counts() {
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; c.pop("write_bytes"); print(sorted(c.items()))' "$1"
}
ranges() {	# split flag and [start, end) of each part
	python3 - "$@" <<'EOF'
import struct, sys
for f in sys.argv[1:]:
    d = open(f, 'rb').read(8192)
    split = struct.unpack_from('<I', d, 4096 + 12)[0]
    a, b, m = struct.unpack_from('<QQQ', d, 4096 + 80)
    print(split, a, b, m)
EOF
}
mdf=$(command -v makedumpfile)

"$BIN" -l -d 31 --message-level 0 --report-json direct.json "$core" direct ||
	{ notok "direct -l -d 31"; exit 0; }

if "$BIN" --split -l -d 31 --report-json two.json "$core" a1 a2 >two.log 2>&1 &&
   grep -q "^The dumpfiles are saved to a1, and a2\.\$" two.log; then
	ok "split into 2: $(grep -o 'The dumpfiles.*' two.log)"
else
	notok "split into 2"; cat two.log
fi
r=$(ranges a1 a2)
max=$(echo "$r" | awk 'NR==1 {print $4}')
if [ "$(echo "$r" | awk '{print $1, $2, $3}' | tr '\n' ' ')" = "1 0 $max 1 $max $max " ]; then
	ok "2 parts with one 1 GiB splitblock: all pages in the first, the second empty (as makedumpfile 1.7.2)"
else
	notok "2-part ranges: $r"
fi
"$BIN" --split -l -d 31 --splitblock-size 4096 --report-json three.json \
	"$core" b1 b2 b3 >three.log 2>&1 || { notok "split into 3"; cat three.log; }
r=$(ranges b1 b2 b3)
if echo "$r" | awk -v max="$max" 'BEGIN { end = 0; bad = 0 } { if ($1 != 1 || $2 != end || $3 <= $2) bad = 1; end = $3 } END { exit bad || end != max }'; then
	ok "3 parts of 4 MiB splitblocks: contiguous non-empty ranges over [0, max_mapnr): $(echo "$r" | awk '{printf "%s-%s ", $2, $3}')"
else
	notok "3-part ranges: $r"
fi
if [ "$(counts three.json)" = "$(counts direct.json)" ] && [ "$(counts two.json)" = "$(counts direct.json)" ]; then
	ok "the split reports count what the direct dump's does"
else
	notok "split counts"; counts three.json; counts direct.json
fi

for set in "a1 a2" "b3 b1 b2"; do
	rm -f joined
	if "$BIN" --reassemble $set joined >re.log 2>&1 && cmp -s joined direct &&
	   grep -q "^The dumpfile is saved to joined\.\$" re.log; then
		ok "--reassemble $set: byte for byte the direct dump"
	else
		notok "--reassemble $set"; cat re.log
	fi
done
if [ -n "$mdf" ]; then
	rm -f joined
	if "$mdf" --reassemble b1 b2 b3 joined >/dev/null 2>&1 && cmp -s joined direct; then
		ok "makedumpfile 1.7.2 --reassemble of our parts: byte for byte our direct dump"
	else
		notok "makedumpfile 1.7.2 --reassemble of our parts"
	fi
	rm -f m1 m2 m3 mdirect joined
	"$mdf" --split -l -d 31 "$core" m1 m2 m3 >/dev/null 2>&1
	"$mdf" -l -d 31 "$core" mdirect >/dev/null 2>&1
	if "$BIN" --reassemble m1 m2 m3 joined >/dev/null 2>&1 && cmp -s joined mdirect; then
		ok "our --reassemble of makedumpfile 1.7.2's parts: byte for byte its direct dump"
	else
		notok "our --reassemble of makedumpfile 1.7.2's parts"
	fi
fi

# refusals, nothing left behind
"$BIN" -c -d 31 --message-level 0 "$core" other
"$BIN" --split -c -d 31 --splitblock-size 4096 --message-level 0 "$core" c1 c2 c3
while IFS='|' read -r parts msg; do
	rm -f out
	"$BIN" --reassemble $parts out >ref.log 2>&1
	rc=$?
	if [ $rc = 1 ] && [ ! -e out ] && grep -q -- "$msg" ref.log; then
		ok "--reassemble $parts refused: $(grep -m1 -o -- "$msg.*" ref.log | cut -c1-90)"
	else
		notok "--reassemble $parts (exit $rc)"; cat ref.log
	fi
done <<'EOF'
b1 b3|a part is missing
b1 b2 b2 b3|a part is missing or given twice
b1 c2 b3|their headers differ
b1 other b3|is not a part of a split dump
EOF

# crash reads the set as it reads the direct dump
vmlinux=${VMLINUX_CACHE:-$BUILD/vmlinux}/vmlinux-6.1.0-56-amd64
if [ -s "$vmlinux" ] && command -v crash >/dev/null; then
	printf 'sys\nlog\nquit\n' | timeout 300 crash -s "$vmlinux" b1 b2 b3 >set.crash 2>&1 &
	printf 'sys\nlog\nquit\n' | timeout 300 crash -s "$vmlinux" direct >direct.crash 2>&1
	wait
	norm() { sed -e '/^ *DUMPFILES*:/d' -e '/^ *b[23] \[PARTIAL DUMP\]$/d' "$1"; }
	if grep -q "PANIC" direct.crash && [ "$(norm set.crash)" = "$(norm direct.crash)" ]; then
		ok "crash opens the 3-part set: sys and log as for the direct dump ($(norm set.crash | wc -l) lines)"
	else
		notok "crash on the split set"; diff <(norm direct.crash) <(norm set.crash) | head
	fi
else
	echo "# NOTICE: crash or $vmlinux missing: the split set is not opened by crash"
fi

# -L on every part: incomplete, exit 1
rm -f l1 l2 l3
"$BIN" --split -l -d 31 --splitblock-size 4096 -L 1M "$core" l1 l2 l3 >lim.log 2>&1
rc=$?
st=$(python3 -c 'import struct,sys; print(struct.unpack_from("<I", open(sys.argv[1],"rb").read(512), 424)[0] & 8)' l1)
if [ $rc = 1 ] && [ "$st" = 8 ] && grep -q "This is an incomplete dumpfile" lim.log &&
   [ "$(stat -c %s l1)" -le 1048576 ]; then
	ok "--split -L 1M: the parts stop at 1 MiB, marked incomplete, exit 1"
else
	notok "--split -L (exit $rc, status $st)"; cat lim.log
fi
"$BIN" --split -d 31 --splitblock-size 3 "$core" s1 s2 >sb.log 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "not a multiple of the page size" sb.log && [ ! -e s1 ]; then
	ok "--splitblock-size 3 (KiB) is refused: $(grep -m1 -o 'The splitblock.*' sb.log)"
else
	notok "--splitblock-size 3 (exit $rc)"; cat sb.log
fi
rm -f a? b? c? m? l? direct mdirect joined other
exit 0
