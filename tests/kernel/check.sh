#!/usr/bin/env bash
# tests/kernel/check.sh: the check-kernel-patch lane (optional, not part of
# make check).  Debian's linux-source-6.1 built twice as a tiny x86_64
# kernel without HugeTLB: "stock" lacks NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE),
# "patched" carries kernel/5.1-6.5.  Each boots under QEMU with a
# virtio-balloon inflated, is dumped, and our tool must
#   stock:   warn that it derived the marker and exclude the balloon pages;
#   patched: find the exported marker, no warning, exclude the same pages;
# where "the balloon pages" is both QEMU's balloon size and the guest's own
# count of PG_offline pages.  Kernels are cached in $KBUILD (build/kernel).
# Prints ok / not ok lines, timings, and "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export KBUILD=${KBUILD:-$root/build/kernel}
BIN=${BIN:-$root/makedumpfile}
MEM_MB=${MEM_MB:-256}
BALLOON_MB=${BALLOON_MB:-64}
pass=0 fail=0
ok() {
	if [ "$1" = 0 ]; then echo "ok - kernel-patch: $2"; pass=$((pass + 1))
	else echo "not ok - kernel-patch: $2"; fail=$((fail + 1)); fi
}
t_all=$(date +%s)

bash "$root/tests/tools/deps.sh" kernel || exit 1
[ -x "$BIN" ] || { echo "build the tool first (make)" >&2; exit 1; }

# 1. the patches apply where they say (and only there)
bash "$here/apply.sh"; ok $? "kernel/5.1-6.5 applies to linux-source-6.1, the others do not"

for v in stock patched; do
	t0=$(date +%s)
	img=$(bash "$here/build.sh" "$v" 2>"$KBUILD/build-$v.log")
	rc=$?
	t1=$(date +%s)
	ok $rc "$v kernel built or cached ($((t1 - t0))s): $img"
	[ $rc -eq 0 ] || { tail -n 30 "$KBUILD/build-$v.log"; continue; }
	out=$KBUILD/run-$v
	rm -rf "$out"
	python3 "$here/run_qemu.py" "$img" "$out" "$MEM_MB" "$BALLOON_MB" >"$out.log" 2>&1
	rc=$?
	ok $rc "$v kernel booted under QEMU, balloon inflated, dumped: $(tail -n1 "$out.log")"
	[ $rc -eq 0 ] || { tail -n 20 "$out.log" "$out/console.log" 2>/dev/null; continue; }
	res=$out/result.json
	balloon=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['balloon_pages'])" "$res")
	guest=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['guest_offline'])" "$res")
	[ "$balloon" -eq $((BALLOON_MB * 256)) ] && [ "$guest" -eq "$balloon" ]
	ok $? "$v: QEMU's balloon holds $balloon pages, the guest counts $guest PG_offline pages"

	"$BIN" --show-vmcoreinfo "$out/vmcore.elf" >"$out/vmcoreinfo.txt" 2>"$out/show.err"
	ok $? "$v: --show-vmcoreinfo reads the note ($(wc -l <"$out/vmcoreinfo.txt") lines, $(grep '^OSRELEASE=' "$out/vmcoreinfo.txt"))"
	marker=$(grep '^NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=' "$out/vmcoreinfo.txt")
	t2=$(date +%s%N)
	"$BIN" --dry-run -d 31 --report-json "$out/report.json" "$out/vmcore.elf" /dev/null \
		>"$out/tool.out" 2>&1
	rc=$?
	t3=$(date +%s%N)
	ok $rc "$v: makedumpfile --dry-run -d 31 --report-json ($(( (t3 - t2) / 1000000 )) ms)"
	offline=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counts']['offline'])" "$out/report.json" 2>/dev/null || echo -1)
	warn=$(grep 'PAGE_OFFLINE_MAPCOUNT_VALUE' "$out/tool.out")
	case $v in
	stock)
		[ -z "$marker" ]
		ok $? "stock: the note has no NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)"
		echo "$warn" | grep -q 'derived -257 (0xfffffeff) for kernel 6.1'
		ok $? "stock: the tool warns that it derived the marker: $warn" ;;
	patched)
		[ "$marker" = "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257" ]
		ok $? "patched: the note exports $marker"
		[ -z "$warn" ]
		ok $? "patched: no warning about the marker" ;;
	esac
	[ "$offline" -eq "$balloon" ]
	ok $? "$v: exactly the balloon pages are excluded as offline ($offline of $balloon)"
	# a real dump file (kdump-compressed, -d 1) never reads them
	"$BIN" -l -d 1 --report-json "$out/write.json" --trace-reads "$out/trace.txt" \
		"$out/vmcore.elf" "$out/dump.kdump" >"$out/write.log" 2>&1 &&
	python3 - "$out/write.json" "$out/trace.txt" "$balloon" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
off = [(s * 4096, (s + n) * 4096) for s, n in j['ranges']['offline']]
touch = sum(any(a < e and a + n > b for b, e in off)
            for a, n in ((int(x, 16) for x in l.split()) for l in open(sys.argv[2])))
sys.exit(0 if j['counts']['offline'] == int(sys.argv[3]) and touch == 0 else 1)
PY
	ok $? "$v: makedumpfile -l -d 1 writes $(stat -c %s "$out/dump.kdump" 2>/dev/null) bytes and reads none of the offline pages (--trace-reads)"
	rm -f "$out/dump.kdump" "$out/trace.txt"
	# for comparison, not a check: Debian's makedumpfile on the same dump
	# (QEMU 7.2's ELF header needs the lab's fixup for it)
	fixup=$root/../shared/lab/elf_fixup.py
	if [ -x /usr/bin/makedumpfile ] && [ -f "$fixup" ] &&
	   /usr/bin/python3 "$fixup" "$out/vmcore.elf" "$out/fixed.elf" >/dev/null 2>&1; then
		/usr/bin/makedumpfile -d 31 --message-level 23 "$out/fixed.elf" "$out/mdf.out" >"$out/mdf.log" 2>&1
		echo "# $v, Debian makedumpfile $(/usr/bin/makedumpfile -v 2>&1 | awk 'NR==1{print $3}'):" \
			"$(grep -E 'Offline pages|Pages filled with zero' "$out/mdf.log" | tr -s ' ' | tr '\n' ';')"
		rm -f "$out/fixed.elf" "$out/mdf.out"
	fi
	echo "# $v timings: $(tr -d "\n" <"$res")"
	# the guest dump is 256 MiB: kept only when asked (KEEP_DUMPS=1)
	[ -n "${KEEP_DUMPS:-}" ] || rm -f "$out/vmcore.elf"
done
[ -f "$KBUILD/build-times.txt" ] &&
	echo "# kernel builds (variant, config s, bzImage s): $(tr '\n' ';' <"$KBUILD/build-times.txt")"
echo "# whole lane: $(( $(date +%s) - t_all ))s"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
