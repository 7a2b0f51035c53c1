#!/usr/bin/env bash
# Re-filtering real dumps (makedumpfile -c -d 31 dump.d3 dump.d31):
#  - every core: our -c -d 1 dump re-filtered with -l -d 31 is our direct
#    -l -d 31 dump byte for byte, and its report counts are the direct
#    dump's;
#  - the kdump core, a codec chain -c -d 1 -> -l -d 4 -> -z -d 16 -> none
#    -d 31: each step holds what a direct dump at the ORed level holds
#    (dumpcheck --same), the last is the direct dump byte for byte and
#    dumpcheck reads it page by page against the source;
#  - makedumpfile 1.7.2's -c -d 1 and -l -d 31 dumps of the x86_64 cores
#    re-filtered by us: again our direct dump, byte for byte;
#  - --dump-dmesg of a kdump-compressed dump and of a flattened stream is
#    the ELF core's log.
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
dir=$TMPBASE/refilter
rm -rf "$dir"
mkdir -p "$dir"
ok() { echo "ok - refilter: $*"; }
notok() { echo "not ok - refilter: $*"; }
counts() {	# the counts of a --report-json, write_bytes aside
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; c.pop("write_bytes"); c.pop("nodata"); print(sorted(c.items()))' "$1"
}
mdf=$(command -v makedumpfile)
ran=0

while read -r scen core; do
	[ -n "$scen" ] || continue
	if ! "$BIN" --dry-run -d 31 --message-level 0 "$core" /dev/null >/dev/null 2>&1; then
		echo "# $scen: the tool cannot read this core yet; skipped"
		continue
	fi
	ran=$((ran + 1))
	d=$dir/$scen
	"$BIN" -c -d 1 --message-level 0 "$core" "$d.c1" ||
		{ notok "$scen: -c -d 1"; continue; }
	"$BIN" -l -d 31 --message-level 0 --report-json "$d.l31.json" "$core" "$d.l31" ||
		{ notok "$scen: -l -d 31"; continue; }
	if "$BIN" -l -d 31 --message-level 7 --report-json "$d.re.json" "$d.c1" "$d.re" >"$d.re.log" 2>&1 &&
	   cmp -s "$d.re" "$d.l31"; then
		ok "$scen: -c -d 1 re-filtered to -l -d 31 is the direct dump byte for byte ($(stat -c %s "$d.re") bytes)"
	else
		notok "$scen: -c -d 1 re-filtered to -l -d 31"; tail -3 "$d.re.log"
	fi
	if [ "$(counts "$d.re.json")" = "$(counts "$d.l31.json")" ]; then
		ok "$scen: the re-filtered report counts are the direct dump's"
	else
		notok "$scen: counts differ"; counts "$d.re.json"; counts "$d.l31.json"
	fi

	if [ "$scen" = kdump ]; then
		prev=$d.c1 lvl=1 i=0
		for step in "l 4" "z 16" "none 31"; do
			set -- $step
			f=$1 l=$2 i=$((i + 1))
			plvl=$lvl
			lvl=$((lvl | l))
			flag=(); [ "$f" = none ] || flag=(-$f)
			"$BIN" "${flag[@]}" -d "$l" --message-level 0 --report-json "$d.chain$i.json" "$prev" "$d.chain$i" ||
				{ notok "chain step $i (-$f -d $l)"; break; }
			"$BIN" -d "$lvl" --message-level 0 "$core" "$d.direct$i"
			if "$TOOLS/dumpcheck" --same "$d.chain$i" "$d.direct$i" >"$d.same$i" 2>&1; then
				ok "chain step $i: ${flag[*]:-no codec} -d $l of a level-$plvl dump holds the direct -d $lvl pages ($(sed 's/.*: //' "$d.same$i"))"
			else
				notok "chain step $i"; head -5 "$d.same$i"
			fi
			prev=$d.chain$i
		done
		if cmp -s "$d.chain3" "$d.direct3"; then
			ok "chain -c -d 1 -> -l -d 4 -> -z -d 16 -> -d 31 ends byte for byte at the direct -d 31 dump"
		else
			notok "the chain's end differs from the direct dump"
		fi
		if "$TOOLS/dumpcheck" --report-json "$d.chain3.json" "$d.chain3" "$core" >"$d.dc" 2>&1; then
			ok "dumpcheck: the chain's end against the source, page by page ($(grep -o '[0-9]* pages dumped' "$d.dc"))"
		else
			notok "dumpcheck of the chain's end"; head -5 "$d.dc"
		fi
		"$BIN" --dump-dmesg "$core" "$d.dmesg" >/dev/null 2>&1
		"$BIN" -F -c -d 31 "$core" >"$d.flat" 2>/dev/null
		for in in "$d.c1" "$d.chain3" "$d.flat"; do
			rm -f "$d.dm"
			if "$BIN" --dump-dmesg "$in" "$d.dm" >/dev/null 2>&1 && cmp -s "$d.dm" "$d.dmesg"; then
				ok "--dump-dmesg of $(basename "$in") is the ELF core's log ($(wc -l <"$d.dm") lines)"
			else
				notok "--dump-dmesg of $(basename "$in")"
			fi
		done
		rm -f "$d".chain? "$d".direct? "$d.flat"
	fi

	# makedumpfile 1.7.2's dumps (x86_64 only: the Debian build reads no
	# other architecture; QEMU cores need their program headers moved)
	if [ -n "$mdf" ] && [ "$(od -An -t u2 -j 18 -N 2 "$core" | tr -d ' ')" = 62 ]; then
		src=$core
		if [ "$scen" != kdump ]; then
			src=$d.fixed.elf
			python3 "$ROOT/tests/tools/elf_phfix.py" "$core" "$src" || src=
		fi
		for lv in "c 1" "l 31"; do
			set -- $lv
			[ -n "$src" ] || break
			rm -f "$d.mdf"
			"$mdf" -$1 -d $2 --message-level 0 "$src" "$d.mdf" >/dev/null 2>&1 ||
				{ notok "$scen: makedumpfile 1.7.2 -$1 -d $2"; continue; }
			if "$BIN" -l -d 31 --message-level 0 "$d.mdf" "$d.remdf" &&
			   cmp -s "$d.remdf" "$d.l31"; then
				ok "$scen: makedumpfile 1.7.2's -$1 -d $2 dump re-filtered to -l -d 31 is our direct dump byte for byte"
			else
				notok "$scen: re-filtering makedumpfile 1.7.2's -$1 -d $2 dump"
				"$TOOLS/dumpcheck" --same "$d.remdf" "$d.l31" 2>&1 | head -5
			fi
			rm -f "$d.remdf"
		done
		rm -f "$d.mdf" "$d.fixed.elf"
	fi
	rm -f "$d".c1 "$d".l31 "$d".re
done <<<"$cores"
[ $ran -gt 0 ] || { echo "SKIP: no real vmcore could be read"; exit 77; }
exit 0
