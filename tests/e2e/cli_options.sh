#!/usr/bin/env bash
# Options makedumpfile has that this tool does not offer are refused by
# name with exit 1 in every mode and with --check-params, never ignored;
# --check-params opens nothing; -h wins over -v; --cyclic-buffer larger
# than free memory is cut with makedumpfile's message; --work-dir and
# --num-threads, -b and --non-mmap are accepted and give the same dump;
# -e needs --work-dir (makedumpfile's rule);
# --show-vmcoreinfo.
set -u
dir=$TMPBASE/cli_options
rm -rf "$dir"
mkdir -p "$dir"
ok() { echo "ok - cli_options: $*"; }
notok() { echo "not ok - cli_options: $*"; }
core=$dir/zoo.elf
"$TOOLS/mkvmcore" "$ROOT/fixtures/vmcore/zoo-6.1.txt" "$core" "$dir/zoo.gt" >/dev/null 2>&1 ||
	{ notok "mkvmcore could not build the synthetic core"; exit 0; }

while IFS='|' read -r opt msg; do
	[ -n "$opt" ] || continue
	modes=("-d 31 $core $dir/out" "--dump-dmesg $core $dir/out" "--check-params -d 31 $core $dir/out")
	# sadump: the disks are the input, DUMPFILE the only positional
	case $opt in --diskset*) modes=("-d 31 $dir/out" "--check-params -d 31 $dir/out") ;; esac
	for mode in "${modes[@]}"; do
		rm -f "$dir/out"
		"$BIN" $opt $mode >"$dir/log" 2>&1
		rc=$?
		if [ $rc = 1 ] && [ ! -e "$dir/out" ] && grep -qF -- "$msg" "$dir/log"; then
			ok "$opt refused (${mode%% *}): $msg"
		else
			notok "$opt with ${mode%% *} (exit $rc)"; cat "$dir/log"
		fi
	done
done <<'EOF'
--eppic /x/y.c|--eppic is not supported
--extension a.so|--extension is not supported
-X|-X is not supported: Xen hypervisor dumps are not supported
--xen-syms /x/xen-syms|--xen-syms is not supported
--xen-vmcoreinfo /x/vi|--xen-vmcoreinfo is not supported
--xen_phys_start 0x1000|--xen_phys_start is not supported
--diskset=/dev/sdb|--diskset is not supported: sadump dumps are not supported
EOF

rm -f "$dir/never"
"$BIN" --check-params -c -d 31 /nonexistent/vmcore "$dir/never" >"$dir/log" 2>&1
rc=$?
[ $rc = 0 ] && [ ! -s "$dir/log" ] && [ ! -e "$dir/never" ] &&
	ok "--check-params opens nothing: a missing VMCORE is fine, nothing is created, nothing printed" ||
	{ notok "--check-params with a missing VMCORE (exit $rc)"; cat "$dir/log"; }

"$BIN" -v -h >"$dir/h.log" 2>&1
grep -q "^Usage:" "$dir/h.log" && ok "-h wins over -v" || notok "-v -h printed no usage"

"$BIN" -l -d 31 --message-level 0 "$core" "$dir/ref" || notok "reference dump"
"$BIN" -l -d 31 --cyclic-buffer 1000000000000 "$core" "$dir/cb" >"$dir/cb.log" 2>&1
if cmp -s "$dir/cb" "$dir/ref" && grep -q "^Specified buffer size is larger than free memory\.$" "$dir/cb.log" &&
   grep -q "^The buffer size for the cyclic mode will be truncated to [0-9]* byte\.$" "$dir/cb.log"; then
	ok "--cyclic-buffer beyond free memory: makedumpfile's message, same dump"
else
	notok "--cyclic-buffer beyond free memory"; cat "$dir/cb.log"
fi
"$BIN" -l -d 31 --cyclic-buffer 64 --message-level 0 "$core" "$dir/small" &&
	cmp -s "$dir/small" "$dir/ref" && ok "--cyclic-buffer 64 (many windows): the same dump" ||
	notok "--cyclic-buffer 64 changes the dump"
"$BIN" -l -d 31 --work-dir "$dir" --num-threads 4 --message-level 0 "$core" "$dir/wd" &&
	cmp -s "$dir/wd" "$dir/ref" && [ -z "$(ls "$dir" | grep kdump_bitmap)" ] &&
	ok "--work-dir and --num-threads 4: accepted, the same dump, no bitmap file left" ||
	notok "--work-dir / --num-threads"
# -b ORDER (write cache) and --non-mmap change how, never what
for o in "-b 0" "-b 8" "--non-mmap"; do
	rm -f "$dir/b"
	"$BIN" -l -d 31 $o --message-level 0 "$core" "$dir/b" && cmp -s "$dir/b" "$dir/ref" &&
		ok "$o: accepted, the same dump" || notok "$o changes the dump or is refused"
done
# -e (exclude vmemmap, tests/e2e/exclude_vmemmap.sh): makedumpfile's own
# "-e requires --work-dir" rule; with --work-dir --check-params accepts it
rm -f "$dir/out"
"$BIN" -e -d 31 "$core" "$dir/out" >"$dir/e.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^-e requires --work-dir$' "$dir/e.log" &&
	grep -q '^Commandline parameter is invalid\.$' "$dir/e.log" && [ ! -e "$dir/out" ] &&
	ok "-e without --work-dir: makedumpfile's message, exit 1" ||
	{ notok "-e without --work-dir (exit $rc)"; cat "$dir/e.log"; }
"$BIN" --check-params -e --work-dir "$dir" -d 31 "$core" "$dir/out" >"$dir/e.log" 2>&1
rc=$?
[ $rc = 0 ] && [ ! -e "$dir/out" ] && ok "--check-params -e --work-dir: accepted, nothing written" ||
	{ notok "--check-params -e --work-dir (exit $rc)"; cat "$dir/e.log"; }
"$BIN" --show-vmcoreinfo "$core" >"$dir/vi.txt" 2>"$dir/vi.err"
if grep -q '^OSRELEASE=6\.1' "$dir/vi.txt" && grep -q '^PAGESIZE=4096$' "$dir/vi.txt" &&
   ! grep -q "Completed" "$dir/vi.txt"; then
	ok "--show-vmcoreinfo prints the note's text on stdout ($(wc -l <"$dir/vi.txt") lines)"
else
	notok "--show-vmcoreinfo"; head -3 "$dir/vi.txt" "$dir/vi.err"
fi
exit 0
