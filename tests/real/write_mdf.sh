#!/usr/bin/env bash
# Our dumps against Debian's makedumpfile 1.7.2 on every x86_64 real core:
#  - output size with the same codec and dump level within 1 % (both
#    printed; byte-identical is reported too), for each codec makedumpfile
#    was built with;
#  - makedumpfile re-filters our kdump-compressed files without complaint
#    (makedumpfile -l -d 31 ours again), and what it writes still holds
#    every page (dumpcheck);
#  - makedumpfile -R of our -F stream is byte-identical to our direct
#    output (kdump-compressed and ELF), and so is our own -R, also with
#    bytes after the end marker;
#  - -E exactly: see elf_exact below.
# QEMU 7.2 cores need their program headers moved for makedumpfile
# (tests/tools/elf_phfix.py); our tool reads them as they are.
set -u
command -v makedumpfile >/dev/null || { echo "SKIP: Debian makedumpfile is not installed"; exit 77; }
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
dir=$TMPBASE/vsmdf
mkdir -p "$dir"
mdf=$(command -v makedumpfile)
ver=$("$mdf" -v 2>&1 | head -1)
echo "# reference: $ver"
codecs="c l none"
for c in p z; do
	case $c in p) lib=snappy ;; z) lib=zstd ;; esac
	if "$mdf" -v 2>&1 | grep -q "^$lib[[:space:]]*enabled"; then
		codecs="$codecs $c"
	else
		echo "# NOTICE: $ver here is built without $lib: our -$c is compared with nothing"
	fi
done

# printf: echo would take -E as its own option
flag() { case $1 in none) ;; *) printf '%s\n' "-$1" ;; esac; }

sizes_vs_recorded() {	# SCEN CORE
	local scen=$1 core=$2 sum=$SHARED/vmcores/$1/mdf/summary.json c want got
	if [ ! -f "$sum" ]; then
		echo "# $scen: no recorded makedumpfile results; skipped"
		return
	fi
	echo "# $scen: reference $(cat "$SHARED/vmcores/$scen/mdf/version.txt" 2>/dev/null) ($(cat "$SHARED/vmcores/$scen/mdf/mdf-command.txt" 2>/dev/null | awk '{print $1}')), sizes from $sum"
	for c in c l none E; do
		want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["output_bytes"])' "$sum" "$c")
		rm -f "$dir/$scen.ours.$c"
		"$BIN" $(flag $c) -d 31 --message-level 0 "$core" "$dir/$scen.ours.$c" >/dev/null 2>&1 ||
			{ echo "not ok - $scen -$c -d 31: our run failed"; continue; }
		got=$(stat -c %s "$dir/$scen.ours.$c")
		if awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d * 100 <= b) }'; then
			echo "ok - $scen -$c -d 31: size ours $got, makedumpfile $want (recorded)"
		else
			echo "not ok - $scen -$c -d 31: size ours $got, makedumpfile $want (recorded): more than 1 % apart"
		fi
		rm -f "$dir/$scen.ours.$c"
	done
}

# -E: the exact page set and segment layout of makedumpfile's ELF file.
# makedumpfile 1.7.2 with whole bitmaps (its default when memory allows:
# "There is enough free memory to be done in one cycle") cannot read its
# bitmap file for page frames above max_mapnr (-D shows "is_dumpable_file:
# Can't read the bitmap") and silently drops those pages, holding data,
# from a PT_LOAD there (QEMU's BIOS ROM at 0xfffc0000 on 512 MiB guests);
# with bitmaps in memory (--cyclic-buffer) it keeps them.  So: byte for
# byte the file of makedumpfile --cyclic-buffer 1024, and against its
# default run the same layout and pages but for pages above max_mapnr that
# only ours holds, none of them filled with zeros (makedumpfile.8).
elf_exact() {	# SCEN OURS THEIRS FIXED
	local scen=$1 ours=$2 theirs=$3 fixed=$4 cb=$dir/$1.mdf.Ecb max
	max=$(sed -n 's/^ *"total": \([0-9]*\).*/\1/p' "$dir/$scen.E.json")
	if python3 "$ROOT/tests/tools/elfdiff.py" --allow-ours-above "$max" \
		"$ours" "$theirs" >"$dir/$scen.elfdiff" 2>&1; then
		echo "ok - $scen -E -d 31: makedumpfile's segments and page set$(grep -q 'only in' "$dir/$scen.elfdiff" && echo ', but for the pages above max_mapnr it drops') ($(tail -n 1 "$dir/$scen.elfdiff" | sed "s|^# ||; s|$dir/||g"))"
	else
		echo "not ok - $scen -E -d 31: segments or page set differ from makedumpfile's"
	fi
	grep -v '^# [0-9]* pages in' "$dir/$scen.elfdiff" | sed "s|$dir/||g; s/^/# /" | head -12
	rm -f "$cb"
	"$mdf" -E -d 31 --cyclic-buffer 1024 --message-level 0 "$fixed" "$cb" >/dev/null 2>&1
	if cmp -s "$ours" "$cb"; then
		echo "ok - $scen -E -d 31: byte-identical to makedumpfile --cyclic-buffer 1024"
	else
		echo "not ok - $scen -E -d 31: differs from makedumpfile --cyclic-buffer 1024"
		python3 "$ROOT/tests/tools/elfdiff.py" "$ours" "$cb" 2>&1 | sed 's/^/# /' | head -12
	fi
	rm -f "$cb"
}

while read -r scen core; do
	if ! "$BIN" --dry-run -d 31 --message-level 0 "$core" /dev/null >/dev/null 2>&1; then
		echo "# $scen: the tool cannot read this core yet; skipped"
		continue
	fi
	machine=$(od -An -t u2 -j 18 -N 2 "$core" | tr -d ' ')
	if [ "$machine" != 62 ]; then
		# Debian's makedumpfile here reads x86_64 only: compare with
		# the sizes the lab recorded from makedumpfile 1.7.2 built for
		# the core's architecture (mdf/summary.json)
		sizes_vs_recorded "$scen" "$core"
		continue
	fi
	fixed=$dir/$scen.fixed.elf
	python3 "$ROOT/tests/tools/elf_phfix.py" "$core" "$fixed" || {
		echo "not ok - $scen: no copy for makedumpfile"; continue; }
	for c in $codecs E; do
		ours=$dir/$scen.ours.$c theirs=$dir/$scen.mdf.$c
		rm -f "$ours" "$theirs"
		"$BIN" $(flag $c) -d 31 --message-level 0 \
			--report-json "$dir/$scen.$c.json" "$core" "$ours" >/dev/null 2>&1
		r1=$?
		"$mdf" $(flag $c) -d 31 --message-level 0 "$fixed" "$theirs" >/dev/null 2>&1
		r2=$?
		if [ $r1 -ne 0 ] || [ $r2 -ne 0 ]; then
			echo "not ok - $scen -$c -d 31: exit ours $r1, makedumpfile $r2"
			continue
		fi
		a=$(stat -c %s "$ours") b=$(stat -c %s "$theirs")
		same=differ; cmp -s "$ours" "$theirs" && same=byte-identical
		if awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d * 100 <= b) }'; then
			echo "ok - $scen -$c -d 31: size ours $a, makedumpfile $b ($same)"
		else
			echo "not ok - $scen -$c -d 31: size ours $a, makedumpfile $b: more than 1 % apart"
		fi
		if [ "$c" = E ]; then
			elf_exact "$scen" "$ours" "$theirs" "$fixed"
			continue
		fi
		rm -f "$theirs"
	done
	for c in p z; do
		case " $codecs " in *" $c "*) continue ;; esac
		ours=$dir/$scen.ours.$c
		rm -f "$ours"
		"$BIN" -$c -d 31 --message-level 0 "$core" "$ours" >/dev/null 2>&1 &&
			echo "# $scen -$c -d 31: size ours $(stat -c %s "$ours"), makedumpfile: not built with it"
		rm -f "$ours"
	done

	# makedumpfile re-filters our files
	for c in l c none; do
		again=$dir/$scen.again.$c
		rm -f "$again"
		out=$("$mdf" -l -d 31 "$dir/$scen.ours.$c" "$again" 2>&1)
		rc=$?
		bad=$(printf '%s\n' "$out" | grep -E "Can't|[Ee]rror|[Ii]nvalid|Failed|incomplete|doesn't|not supported by" |
		      grep -v "The kernel version is not supported" | grep -v "operation may be incomplete")
		if [ $rc -eq 0 ] && [ -z "$bad" ]; then
			echo "ok - makedumpfile -l -d 31 re-filters our $scen -$c dump"
		else
			echo "not ok - makedumpfile -l -d 31 re-filters our $scen -$c dump (exit $rc)"
			printf '%s\n' "$out" | sed 's/^/# /' | tail -8
			continue
		fi
		if "$TOOLS/dumpcheck" --report-json "$dir/$scen.$c.json" "$again" "$core" > "$dir/dc.log" 2>&1; then
			echo "ok - every page of our $scen -$c dump survives makedumpfile's re-filtering"
		else
			echo "not ok - makedumpfile's re-filtered $scen -$c dump"
			sed 's/^/# /' "$dir/dc.log" | head -10
		fi
		rm -f "$again"
	done

	# -F streams: makedumpfile -R and ours, with junk after the end
	for c in l E; do
		direct=$dir/$scen.ours.$c
		[ -f "$direct" ] || "$BIN" $(flag $c) -d 31 --message-level 0 "$core" "$direct" >/dev/null 2>&1
		"$BIN" -F $(flag $c) -d 31 --message-level 0 "$core" > "$dir/$scen.F" 2>/dev/null
		rm -f "$dir/$scen.R1" "$dir/$scen.R2"
		"$mdf" -R "$dir/$scen.R1" < "$dir/$scen.F" >/dev/null 2>&1
		if cmp -s "$dir/$scen.R1" "$direct"; then
			echo "ok - makedumpfile -R of our $scen -F -$c stream equals our direct output"
		else
			echo "not ok - makedumpfile -R of our $scen -F -$c stream differs from our direct output"
		fi
		head -c 12345 /dev/urandom >> "$dir/$scen.F"
		"$BIN" -R "$dir/$scen.R2" < "$dir/$scen.F" >/dev/null 2>&1
		if [ $? -eq 0 ] && cmp -s "$dir/$scen.R2" "$direct"; then
			echo "ok - our -R of the $scen -F -$c stream (junk after its end) equals our direct output"
		else
			echo "not ok - our -R of the $scen -F -$c stream (junk after its end)"
		fi
		rm -f "$dir/$scen.F" "$dir/$scen.R1" "$dir/$scen.R2"
	done
	rm -f "$fixed" "$dir/$scen".ours.* "$dir/$scen".mdf.* "$dir/$scen".*.json
done <<<"$cores"
exit 0
