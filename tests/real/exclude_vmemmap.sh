#!/usr/bin/env bash
# -e (exclude unused vmemmap pages) on every x86_64 real core against
# Debian's makedumpfile 1.7.2, at -d 31 and -d 1, both -l --work-dir:
#  - the same output, byte for byte, except where our --work-dir output
#    without -e differs from 1.7.2's already (the kdump core: one byte of
#    the 1st bitmap; then the two differences must be the same bytes);
#  - the same "Excluded N unused vmemmap pages" line, or, where the
#    vmemmap is mapped by 4 KiB pages (hugetlb: HVO), 1.7.2's "vmemmap pmd
#    not huge, abort" and a dump written without -e;
#  - what was dropped (tests/tools/vmemmapcheck.py, its own page-table
#    walk): only vmemmap pages, each describing excluded pfns only, as
#    many as the message says, header status EXCLUDED_VMEMMAP; and the
#    check fails on a dump where a vmemmap page of kept pfns is dropped;
#  - balloon: crash opens the -e dump (sys and log); -E -e -d 30 is
#    1.7.2's file byte for byte; -e re-filtering our kdump-compressed
#    dump drops vmemmap pages only; --split --work-dir parts, with and
#    without -e, reassemble to the direct dump (the parts once shared the
#    bitmap file's mapping and broke each other's bitmaps).
# QEMU 7.2 cores need their program headers moved for makedumpfile
# (tests/tools/elf_phfix.py); our tool reads them as they are.
set -u
command -v makedumpfile >/dev/null || { echo "SKIP: Debian makedumpfile is not installed"; exit 77; }
cores=$(bash "$ROOT/tests/tools/vmcores.sh" balloon hugetlb virtiomem kdump) || exit $?
[ -n "$cores" ] || { echo "SKIP: no x86_64 real cores"; exit 77; }
dir=$TMPBASE/exclude_vmemmap
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir" || exit 1
mdf=$(command -v makedumpfile)
ok() { echo "ok - exclude_vmemmap: $*"; }
notok() { echo "not ok - exclude_vmemmap: $*"; }
excl_line() { tr '\r' '\n' <"$1" | grep -a -o 'Excluded [0-9]* unused vmemmap pages' || true; }
vmlinux=${VMLINUX_CACHE:-$BUILD/vmlinux}/vmlinux-6.1.0-56-amd64

while read -r scen core; do
	python3 "$ROOT/tests/tools/elf_phfix.py" "$core" fixed.elf || { notok "$scen: elf_phfix"; continue; }
	for d in 31 1; do
		rm -f ref ours ref.noe ours.noe
		"$mdf" -e --work-dir . -l -d $d fixed.elf ref >ref.log 2>&1
		"$BIN" -e --work-dir . -l -d $d "$core" ours >ours.log 2>&1
		rc=$?
		[ $rc = 0 ] && [ -s ours ] || { notok "$scen -d $d: our run failed ($rc)"; cat ours.log; continue; }
		want=$(excl_line ref.log) got=$(excl_line ours.log)
		if [ -n "$want" ]; then
			[ "$want" = "$got" ] && ok "$scen -d $d: \"$got\" as 1.7.2" ||
				notok "$scen -d $d: we say \"$got\", 1.7.2 \"$want\""
		elif grep -q 'vmemmap pmd not huge, abort' ref.log; then
			if [ -z "$got" ] && grep -q 'vmemmap pmd not huge, abort' ours.log &&
			   grep -q "Can't find vmemmap pages" ours.log; then
				ok "$scen -d $d: 4 KiB-mapped vmemmap: -e given up, as 1.7.2 ($(grep -o 'mapped by [0-9]*-byte pages' ours.log))"
			else
				notok "$scen -d $d: 1.7.2 gave -e up, we did not"; cat ours.log
			fi
		else
			notok "$scen -d $d: 1.7.2 printed neither (see $dir/ref.log)"
		fi
		if cmp -s ours ref; then
			ok "$scen -d $d: byte-identical to 1.7.2 ($(stat -c %s ours) bytes)"
		else
			# the same bytes as without -e, or a real difference
			"$mdf" --work-dir . -l -d $d fixed.elf ref.noe >/dev/null 2>&1
			"$BIN" --work-dir . -l -d $d "$core" ours.noe >/dev/null 2>&1
			a=$(cmp -l ours ref | head -100) b=$(cmp -l ours.noe ref.noe | head -100)
			if [ -n "$b" ] && [ "$a" = "$b" ] && [ "$(stat -c %s ours)" = "$(stat -c %s ref)" ]; then
				ok "$scen -d $d: as 1.7.2 but for the $(echo "$a" | wc -l) byte(s) our --work-dir dump without -e differs by too ($(stat -c %s ours) bytes)"
			else
				notok "$scen -d $d: ours $(stat -c %s ours) bytes, 1.7.2 $(stat -c %s ref); first differences:"
				echo "$a" | head -5
			fi
		fi
		[ $d = 31 ] || continue
		# what was dropped, by our own walk of the core's page tables
		rm -f ours.noe
		"$BIN" --work-dir . -l -d $d --message-level 0 "$core" ours.noe
		if [ -n "$got" ]; then
			base=$(rm -f dbg; "$BIN" -e --work-dir . -d $d --message-level 8 "$core" dbg 2>&1 |
				sed -n 's/.*-e: vmemmap at \(0x[0-9a-f]*\).*/\1/p')
			n=${got#Excluded }; n=${n%% *}
			python3 "$ROOT/tests/tools/vmemmapcheck.py" "$core" ours ours.noe "$base" "$n" |
				sed "s/^\(not \)*ok - /&exclude_vmemmap: $scen: /"
			if [ "$scen" = balloon ]; then
				# a vmemmap page of kept pfns dropped: the check must say so
				python3 - "$core" ours bad "$base" <<'EOF'
import os, shutil, struct, sys
sys.path.insert(0, os.environ['ROOT'] + '/tests/tools')
import vmemmapcheck as v
core, src, dst, base = sys.argv[1:5]
shutil.copyfile(src, dst)
f, loads, note = v.elf_core(core)
vi = v.vmcoreinfo(note)
mem = v.Phys(f, loads)
top = (int(vi['SYMBOL(init_top_pgt)'], 16) - v.START_KERNEL_MAP +
       int(vi['NUMBER(phys_base)'], 0)) & ((1 << 64) - 1)
st, n, bm1, bm2 = v.kdump_bitmaps(src)
with open(src, 'rb') as g:
    h = g.read(464)
bs, sub, bmb = struct.unpack_from('<III', h, 428)
off2 = (1 + sub) * bs + bmb * bs // 2
# the vmemmap page of the first kept pfn
first = next(i for i in range(n) if v.bit(bm2, i))
pa, _ = v.translate(mem, top, 4, int(base, 0) + first * 64)
pfn = pa >> 12
with open(dst, 'r+b') as g:
    g.seek(off2 + pfn // 8)
    b = g.read(1)[0]
    g.seek(off2 + pfn // 8)
    g.write(bytes([b & ~(1 << (pfn % 8))]))
EOF
				if python3 "$ROOT/tests/tools/vmemmapcheck.py" "$core" bad ours.noe "$base" >bad.log 2>&1; then
					notok "balloon: vmemmapcheck accepts a dump that drops a vmemmap page of kept pfns"
				else
					ok "balloon: vmemmapcheck rejects a dump that drops a vmemmap page of kept pfns ($(grep -o 'describes .*' bad.log | head -1))"
				fi
			fi
		else
			st=$(python3 -c 'import struct,sys; print(struct.unpack_from("<I", open(sys.argv[1],"rb").read(464), 424)[0])' ours)
			if [ $((st & 16)) = 0 ] && cmp -s ours ours.noe; then
				ok "$scen: without -e applied, the dump is the one without -e (status $st)"
			else
				notok "$scen: -e given up, yet the dump differs from the one without -e (status $st)"
			fi
		fi
		if [ "$scen" = balloon ]; then
			# --split with --work-dir: the parts share one bitmap
			# file; reassembled they are the direct dump
			for e in "" -e; do
				rm -f p1 p2 pr direct
				"$BIN" $e --work-dir . --split -l -d 31 "$core" p1 p2 >split.log 2>&1
				"$BIN" --reassemble p1 p2 pr >/dev/null 2>&1
				"$BIN" $e --work-dir . -l -d 31 --message-level 0 "$core" direct
				if cmp -s pr direct && [ "$(grep -a -c 'unused vmemmap pages' split.log)" = "$([ -n "$e" ] && echo 1 || echo 0)" ]; then
					ok "--split ${e:-(no -e)} --work-dir: the parts reassemble to the direct dump"
				else
					notok "--split ${e:-(no -e)} --work-dir: reassembled parts differ from the direct dump"
					grep -a 'vmemmap' split.log
				fi
			done
			# -E without the zero-page bit: as 1.7.2 byte for byte
			rm -f refE oursE
			"$mdf" -E -e --work-dir . -d 30 fixed.elf refE >/dev/null 2>&1
			"$BIN" -E -e --work-dir . -d 30 "$core" oursE >oursE.log 2>&1
			if cmp -s refE oursE; then
				ok "balloon -E -e -d 30: byte-identical to 1.7.2 ($(stat -c %s oursE) bytes, $(excl_line oursE.log))"
			else
				notok "balloon -E -e -d 30: ours $(stat -c %s oursE) bytes, 1.7.2 $(stat -c %s refE)"
			fi
			rm -f refE oursE p1 p2 pr direct
			# re-filtering our -d 31 dump with -e: vmemmap pages only
			rm -f refl
			"$BIN" -e --work-dir . -l -d 31 ours.noe refl >refl.log 2>&1
			m=$(excl_line refl.log); m=${m#Excluded }; m=${m%% *}
			if [ -n "$m" ]; then
				python3 "$ROOT/tests/tools/vmemmapcheck.py" "$core" refl ours.noe "$base" "$m" |
					sed "s/^\(not \)*ok - /&exclude_vmemmap: balloon re-filtered with -e: /"
			else
				notok "balloon re-filtered with -e: no \"Excluded\" line"; cat refl.log
			fi
			rm -f refl
			if [ -s "$vmlinux" ] && command -v crash >/dev/null; then
				printf 'sys\nlog\nquit\n' | timeout 300 crash -s "$vmlinux" ours >crash.log 2>&1
				if grep -q PANIC crash.log && grep -q 'RELEASE' crash.log; then
					ok "crash opens the balloon -e dump: $(grep -m1 PANIC crash.log | tr -s ' ')"
				else
					notok "crash on the balloon -e dump"; tail -5 crash.log
				fi
			else
				echo "# NOTICE: crash or $vmlinux missing: the -e dump is not opened by crash"
			fi
		fi
	done
	rm -f fixed.elf ref ours ref.noe ours.noe bad dbg
done <<<"$cores"
