#!/usr/bin/env bash
# Dumps this tool must refuse rather than misread: big-endian and 32-bit
# ELF cores (genuine ones, and a little-endian 64-bit core whose e_ident
# alone was changed) end in one clear error line naming the reason, exit
# 1, and read no memory.  The intact tiny core is the control: it is read
# and its one zero page found.
set -u
tmp=$TMPBASE/foreign
mkdir -p "$tmp"
mk() { python3 "$ROOT/tests/tools/tinycore.py" "$tmp/core.elf" "$@"; }
fails=0
ok() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fails=1; fi; }

# run LEVEL: rc in $rc, stderr in $tmp/err, read trace in $tmp/trace
run() {
	rm -f "$tmp/trace" "$tmp/r.json"
	"$BIN" --dry-run -d "$1" --trace-reads "$tmp/trace" \
		--report-json "$tmp/r.json" "$tmp/core.elf" "$tmp/out" \
		>"$tmp/stdout" 2>"$tmp/err"
	rc=$?
}

mk
run 1
zero=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["zero"])' "$tmp/r.json" 2>/dev/null)
ok $([ $rc = 0 ] && [ "$zero" = 1 ] && [ -s "$tmp/trace" ]; echo $?) \
	"foreign: the little-endian 64-bit tiny core is read (rc $rc, zero pages ${zero:-?})"

refused() {	# NAME WORD ARGS...: refused with one line containing WORD
	local name=$1 word=$2
	shift 2
	mk "$@"
	run 0
	local lines
	lines=$(grep -c . "$tmp/err")
	ok $([ $rc = 1 ] && [ "$lines" = 1 ] && grep -q "$word.*not supported" "$tmp/err" &&
	     [ ! -s "$tmp/trace" ] && ! grep -q Excluding "$tmp/err"; echo $?) \
		"foreign: $name is refused: $(head -c 200 "$tmp/err")"
}
refused "a big-endian aarch64 core" "big-endian aarch64" --endian big
refused "a big-endian ppc64 core" "big-endian ppc64" --endian big --machine 21
refused "a 32-bit arm core" "32-bit (ELFCLASS32) arm" --class 32 --machine 40
refused "a 32-bit big-endian arm core" "32-bit" --class 32 --endian big --machine 40
refused "a 32-bit i386 core" "32-bit (ELFCLASS32) i386" --class 32 --machine 3
refused "a 64-bit core with EI_DATA patched to big-endian" "big-endian" --patch-ident 2,2
refused "a 64-bit core with EI_CLASS patched to 32-bit" "32-bit" --patch-ident 1,1
# the header and VMCOREINFO disagree about the machine: neither is trusted
mk --machine 62
run 0
ok $([ $rc = 1 ] && [ "$(grep -c . "$tmp/err")" = 1 ] &&
     grep -q "says x86_64 but its VMCOREINFO describes an arm64 kernel" "$tmp/err"; echo $?) \
	"foreign: an x86_64 header on an arm64 VMCOREINFO is refused: $(head -c 200 "$tmp/err")"
exit $fails
