#!/usr/bin/env bash
# The files a run writes, on a synthetic 5.10 core: whatever the umask,
# every dump file, --split part, --reassemble result and --dump-dmesg log
# is created 0600; two output names for one file (another spelling, a
# hard link) or an output naming an input are refused before anything is
# created, with -f too (it would truncate the input or interleave two
# parts into one file); a symbolic link at an output path is never
# followed, with -f neither.
set -u
dir=$TMPBASE/output_names
rm -rf "$dir"
mkdir -p "$dir/sp"
ok() { echo "ok - output names: $*"; }
notok() { echo "not ok - output names: $*"; }
core=$dir/zoo.elf
if ! "$TOOLS/mkvmcore" "$ROOT/fixtures/vmcore/zoo-5.10.txt" "$core" "$dir/zoo.gt" >/dev/null 2>&1; then
	notok "mkvmcore could not build the synthetic core"
	exit 0
fi
run() {	# run NAME ARGS...: exit status; output in $dir/NAME.log
	local name=$1; shift
	(umask 000; timeout 120 "$BIN" "$@" >"$dir/$name.log" 2>&1)
}
mode() { stat -c %a "$1" 2>/dev/null; }

# 0600 under umask 000
run d1 -l -d 1 "$core" "$dir/d1" || notok "writing -l -d 1"
run split -c -d 31 --split "$core" "$dir/sp/p1" "$dir/sp/p2" || notok "writing --split"
run re --reassemble "$dir/sp/p1" "$dir/sp/p2" "$dir/whole" || notok "--reassemble"
printf 'old\n' >"$dir/old"; chmod 644 "$dir/old"
run over -f -c -d 31 "$dir/d1" "$dir/old" || notok "-f over a 0644 file"
for f in d1 sp/p1 sp/p2 whole old; do
	m=$(mode "$dir/$f")
	if [ "$m" = 600 ]; then
		ok "$f is mode 0600 under umask 000"
	else
		notok "$f is mode $m"
	fi
done

# same file twice, output = input: refused before anything is created
cp "$dir/d1" "$dir/in"
ln "$dir/in" "$dir/in.hard"
sum=$(cksum <"$dir/in")
while IFS='|' read -r what msg args; do
	[ -n "$what" ] || continue
	rm -f "$dir/sp/"*
	# shellcheck disable=SC2086
	run bad $args
	rc=$?
	left=$(ls "$dir/sp" | wc -l)
	if [ $rc = 1 ] && grep -q -- "$msg" "$dir/bad.log" && [ "$left" = 0 ] &&
	   [ "$(cksum <"$dir/in")" = "$sum" ]; then
		ok "$what: refused, nothing created, the input intact: $(grep -m1 -o -- "$msg.*" "$dir/bad.log" | cut -c1-90)"
	else
		notok "$what (exit $rc, $left files left)"; tail -3 "$dir/bad.log"
	fi
done <<EOF2
--split to one file spelled twice|are the same file|--split -c -d 31 $core $dir/sp/a $dir/sp/../sp/a
--split -f to one file spelled twice|are the same file|-f --split -c -d 31 $core $dir/sp/a $dir/sp/./a
--split -f to a hard link of the input|is the input|-f --split -c -d 31 $dir/in $dir/sp/a $dir/in.hard
-f with the input as the dump file|is the input|-f -c -d 31 $dir/in $dir/./in
--dump-dmesg -f into the input|is the input|-f --dump-dmesg $dir/in $dir/in
--reassemble -f into a part|is the input|-f --reassemble $dir/sp/../sp/p1 $dir/sp/p2 $dir/sp/p1
EOF2
# (the last case lists the parts, which the loop removed: refused first)

# a symbolic link at an output path is not followed, with -f neither
printf 'precious\n' >"$dir/victim"
ln -s "$dir/victim" "$dir/link"
for f in "" -f; do
	run link $f -c -d 31 "$core" "$dir/link"
	rc=$?
	if [ $rc = 1 ] && [ "$(cat "$dir/victim")" = precious ] && [ "$(mode "$dir/victim")" != 600 ]; then
		ok "${f:-no -f}: a symlink at the output path is not followed: $(grep -v '^$' "$dir/link.log" | grep -v Failed | tail -1 | cut -c1-90)"
	else
		notok "${f:-no -f}: symlink at the output path (exit $rc)"; cat "$dir/victim"
	fi
done
run dm -f --dump-dmesg "$core" "$dir/link"
if [ "$(cat "$dir/victim")" = precious ]; then
	ok "--dump-dmesg -f: a symlink at the output path is not followed"
else
	notok "--dump-dmesg -f followed a symlink"
fi
rm -rf "$dir"
exit 0
