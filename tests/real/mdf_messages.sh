#!/usr/bin/env bash
# Our messages against Debian makedumpfile 1.7.2's on the same core and
# command line (both run here, each in its own directory with the same
# file names):
#  - standard output of a dump, of -F (messages on standard error) and of
#    --dump-dmesg: identical, once 1.7.2's two "kernel version is not
#    supported" lines (6.1 is newer than it knows) are taken out;
#  - the progress on standard error: every redraw has makedumpfile's
#    format ("\r", label padded to 50, "[ddd.d %]", spinner, 16-column
#    ETA), the same phases, the copy ends at 100 % with one newline;
#  - the report (--message-level 23) of the QEMU cores: identical lines
#    but "Write bytes" and "Cache hit" (makedumpfile's read cache), and
#    the STEP lines name the same phases;
#  - invalid command lines, and 0 for --cyclic-buffer / --splitblock-size
#    (1.7.2's "not given"): the same standard output and exit status.
set -u
mdf=$(command -v makedumpfile) || { echo "SKIP: Debian makedumpfile is not installed"; exit 77; }
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
kcore=$(awk '$1 == "kdump" { print $2 }' <<<"$cores")
[ -n "$kcore" ] || { echo "SKIP: no kdump core"; exit 77; }
T=$TMPBASE/mdf_messages
rm -rf "$T"
mkdir -p "$T/ours" "$T/mdf"
ok() { echo "ok - mdf_messages: $*"; }
notok() { echo "not ok - mdf_messages: $*"; }
strip172() { grep -v -e '^The kernel version is not supported\.$' -e '^The makedumpfile operation may be incomplete\.$' "$1"; }

both() {	# both NAME ARGS...: each tool in its directory; NAME.{out,err,rc}
	local name=$1; shift
	(cd "$T/ours" && "$BIN" "$@" >"$name.out" 2>"$name.err"; echo $? >"$name.rc")
	(cd "$T/mdf" && "$mdf" "$@" >"$name.out" 2>"$name.err"; echo $? >"$name.rc")
}
same_out() {	# same_out NAME WHAT
	if [ "$(cat "$T/ours/$1.rc")" = "$(cat "$T/mdf/$1.rc")" ] &&
	   diff <(strip172 "$T/mdf/$1.out") "$T/ours/$1.out" >"$T/$1.diff"; then
		ok "$2: standard output and exit status $(cat "$T/ours/$1.rc") as makedumpfile 1.7.2's ($(wc -l <"$T/ours/$1.out") lines)"
	else
		notok "$2: exit $(cat "$T/ours/$1.rc") vs $(cat "$T/mdf/$1.rc")"
		sed 's/^/#   /' "$T/$1.diff" | head -10
	fi
}
# both_tty NAME ARGS...: as both, standard error on a terminal (script(1)),
# where makedumpfile's in-place progress line is drawn; off a terminal ours
# prints journald lines instead (tests/unit/report_test.c)
both_tty() {
	local name=$1 dir q; shift
	q=$(printf ' %q' "$@")
	for dir in ours mdf; do
		local exe=$BIN
		[ $dir = mdf ] && exe=$mdf
		(cd "$T/$dir" && script -qec "$(printf %q "$exe")$q >$name.out; echo \$? >$name.rc" "$name.ts" >/dev/null </dev/null)
		# drop script's header and footer lines, the tty's \r before \n
		sed -e '1d' -e '/^Script done/,$d' "$T/$dir/$name.ts" | sed -e 's/\r$//' >"$T/$dir/$name.err"
		truncate -s -1 "$T/$dir/$name.err" 2>/dev/null || true
	done
}
# the \r-separated redraws of a progress stream, one per line
redraws() { tr '\r' '\n' <"$1" | grep -v '^$'; }

command -v script >/dev/null || { echo "SKIP: script(1) is not installed"; exit 77; }
both_tty dump -l -d 31 "$kcore" dumpfile
same_out dump "-l -d 31 VMCORE DUMPFILE"
bad=$(redraws "$T/ours/dump.err" | grep -cvE '^.{50}: \[[ 0-9]{3}\.[0-9] %\] [/|\\-]  .{16}$')
labels() { redraws "$1" | cut -c1-50 | sed 's/ *$//' | sort -u | tr '\n' ','; }
if [ "$bad" = 0 ] && [ "$(labels "$T/ours/dump.err")" = "$(labels "$T/mdf/dump.err")" ] &&
   [ "$(tail -c 1 "$T/ours/dump.err" | od -An -c | tr -d ' ')" = '\n' ] &&
   [ "$(tr -cd '\n' <"$T/ours/dump.err" | wc -c)" = 1 ] &&
   redraws "$T/ours/dump.err" | tail -1 | grep -q '^Copying data .*\[100\.0 %\]'; then
	ok "progress: makedumpfile's format and phases ($(labels "$T/ours/dump.err")), one newline after the copy at 100 %"
else
	notok "progress ($bad redraws out of format)"
	redraws "$T/ours/dump.err" | sed 's/^/#   ours: /' | head -8
	redraws "$T/mdf/dump.err" | sed 's/^/#   1.7.2: /' | head -8
fi

both flat -F -l -d 31 "$kcore"
nonprog() { sed 's/^\r//' "$1" | tr '\r' '\n' | grep -vE '^.{50}: \[' | grep -v -e '^The kernel version is not supported\.$' -e '^The makedumpfile operation may be incomplete\.$'; }
if diff <(nonprog "$T/mdf/flat.err") <(nonprog "$T/ours/flat.err") >"$T/flat.diff" &&
   [ "$(cat "$T/ours/flat.rc")" = 0 ] && [ "$(cat "$T/mdf/flat.rc")" = 0 ]; then
	ok "-F: the messages on standard error as makedumpfile 1.7.2's ($(nonprog "$T/ours/flat.err" | grep -c .) lines besides progress)"
else
	notok "-F messages"; sed 's/^/#   /' "$T/flat.diff" | head
fi

both dmesg --dump-dmesg "$kcore" logfile
same_out dmesg "--dump-dmesg VMCORE LOGFILE"

# invalid command lines, created files aside
while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	both "$name" $args
	same_out "$name" "makedumpfile $args"
done <<EOF
combo|-c -E $kcore x
value|-d 40 $kcore x
mlevel|--message-level 40 $kcore x
limit|-L 0 $kcore x
threads|--split --num-threads 2 $kcore a b
elfsplit|--split -E $kcore a b
dryrun|--dry-run --dump-dmesg $kcore x
ework|-e -d 31 $kcore x
nargs|-d 31 $kcore
check|--check-params -c -E $kcore x
checkok|--check-params -l -d 31 /proc/vmcore x
exists|-d 31 $kcore dumpfile
rlevel|-R -d 31 x
rtwo|-R x y
reasc|--reassemble -c a b x
reasdry|--dry-run --reassemble a b x
gnox|-g x
gdry|--dry-run -g x -x /nonexistent
partial|--partial-dmesg -d 31 $kcore x
confignox|--config /etc/passwd -d 31 $kcore x
fsplit|-F --split $kcore a b
ix|-i /etc/passwd -x /nonexistent -d 31 $kcore x
unknown|--bogus -d 31 $kcore x
dlist|-d 1,40 $kcore x
ljunk|-L 12abc -d 31 $kcore x
nopos|-d 31
split1|--split -d 31 $kcore a
fextra|-F -d 31 $kcore x
cb0|--cyclic-buffer 0 -d 31 $kcore cb0.dump
sb0|--split --splitblock-size 0 -d 31 $kcore sb0.a sb0.b
EOF

# the report of the QEMU cores (makedumpfile 1.7.2 needs their program
# headers moved); the kdump core's "Original pages" differ on purpose
# (makedumpfile counts the kernel text segment twice: makedumpfile.8)
report() { sed -n '/^Original pages/,/^Total pages/p' "$1"; }
steps() { grep -o '^STEP \[[^]]*\]' "$1" | sort -u | tr '\n' ','; }
while read -r scen core; do
	case $scen in balloon|hugetlb|virtiomem) ;; *) continue ;; esac
	python3 "$ROOT/tests/tools/elf_phfix.py" "$core" "$T/fixed.elf" || { notok "$scen: elf_phfix"; continue; }
	(cd "$T/ours" && rm -f r && "$BIN" -c -d 31 --message-level 23 "$core" r >"$scen.out" 2>/dev/null)
	(cd "$T/mdf" && rm -f r && "$mdf" -c -d 31 --message-level 23 "$T/fixed.elf" r >"$scen.out" 2>/dev/null)
	if [ -n "$(report "$T/ours/$scen.out")" ] &&
	   diff <(report "$T/mdf/$scen.out") <(report "$T/ours/$scen.out") >"$T/$scen.diff" &&
	   [ "$(steps "$T/ours/$scen.out")" = "$(steps "$T/mdf/$scen.out")" ]; then
		ok "$scen: -c -d 31 report lines and STEP phases as makedumpfile 1.7.2's ($(report "$T/ours/$scen.out" | wc -l) lines)"
	else
		notok "$scen: report"; sed 's/^/#   /' "$T/$scen.diff" | head
		echo "#   steps ours: $(steps "$T/ours/$scen.out") 1.7.2: $(steps "$T/mdf/$scen.out")"
	fi
	rm -f "$T/fixed.elf" "$T/ours/r" "$T/mdf/r"
done <<<"$cores"
rm -f "$T"/*/dumpfile "$T"/*/logfile "$T"/*/cb0.dump "$T"/*/sb0.?
exit 0
