#!/usr/bin/env bash
# -e on synthetic cores (no real core needed), all -l -d 31 --work-dir:
#  - 5-level paging, RAM at 2 TiB (PUD and PGD holes in the vmemmap), no
#    HVO: vmemmapcheck.py (its own page-table walk) finds that only vmemmap
#    pages were dropped, each describing excluded pfns only, as many as
#    the message says, with the header status EXCLUDED_VMEMMAP;
#  - memmap_on_memory (self-hosted vmemmap pages, which describe kept
#    pages and stay): the same check, and byte-identical to Debian's
#    makedumpfile 1.7.2 when it is installed;
#  - unmapped vmemmap pages (4 KiB-mapped vmemmap): -e is given up with
#    1.7.2's "vmemmap pmd not huge, abort"; the dump is the one without -e;
#  - an arm64 core: refused, exit 1, no output; -e without --work-dir:
#    makedumpfile's message, exit 1.
set -u
dir=$TMPBASE/exclude_vmemmap_e2e
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir" || exit 1
ok() { echo "ok - exclude_vmemmap: $*"; }
notok() { echo "not ok - exclude_vmemmap: $*"; }
fx=$ROOT/fixtures/vmcore
gen() {	# NAME FIXTURE
	"$TOOLS/mkvmcore" "$2" "$1.elf" "$1.gt" >/dev/null 2>&1 ||
		{ notok "mkvmcore could not build $1"; return 1; }
}
excl_line() { tr '\r' '\n' <"$1" | grep -a -o 'Excluded [0-9]* unused vmemmap pages' || true; }
# CORE NAME: -e and no -e, then vmemmapcheck
check_core() {
	local core=$1 name=$2 got n base
	rm -f "$name.e" "$name.n" dbg
	"$BIN" -e --work-dir . -l -d 31 "$core" "$name.e" >"$name.log" 2>&1 ||
		{ notok "$name: -e failed"; cat "$name.log"; return; }
	"$BIN" --work-dir . -l -d 31 --message-level 0 "$core" "$name.n" ||
		{ notok "$name: the dump without -e failed"; return; }
	got=$(excl_line "$name.log")
	[ -n "$got" ] || { notok "$name: no \"Excluded ... unused vmemmap pages\""; cat "$name.log"; return; }
	n=${got#Excluded }; n=${n%% *}
	[ "$n" -gt 0 ] && ok "$name: \"$got\"" || notok "$name: nothing dropped"
	base=$("$BIN" -e --work-dir . -d 31 --dry-run --message-level 8 "$core" dbg 2>&1 |
		sed -n 's/.*-e: vmemmap at \(0x[0-9a-f]*\).*/\1/p')
	python3 "$ROOT/tests/tools/vmemmapcheck.py" "$core" "$name.e" "$name.n" "$base" "$n" |
		sed "s/^\(not \)*ok - /&exclude_vmemmap: $name: /"
}

# 5-level paging without HVO (layout-5level less its hvo folio)
sed -e '/hvo/d' -e "s|^include zoo.inc|include $fx/zoo.inc|" "$fx/layout-5level.txt" >l5.txt
gen l5 l5.txt && check_core l5.elf 5level

# memmap_on_memory, and 1.7.2 byte for byte
if gen mom "$fx/layout-memmap-on-memory.txt"; then
	check_core mom.elf memmap_on_memory
	if command -v makedumpfile >/dev/null; then
		rm -f mom.ref
		makedumpfile -e --work-dir . -l -d 31 mom.elf mom.ref >mom.ref.log 2>&1
		if cmp -s memmap_on_memory.e mom.ref && [ "$(excl_line mom.ref.log)" = "$(excl_line memmap_on_memory.log)" ]; then
			ok "memmap_on_memory: byte-identical to makedumpfile 1.7.2, \"$(excl_line mom.ref.log)\""
		else
			notok "memmap_on_memory: differs from makedumpfile 1.7.2 ($(stat -c %s memmap_on_memory.e) / $(stat -c %s mom.ref 2>/dev/null) bytes, \"$(excl_line mom.ref.log)\")"
		fi
	else
		echo "# NOTICE: Debian makedumpfile is not installed: no byte comparison"
	fi
fi

# 4 KiB-mapped vmemmap: -e given up, the dump is the one without -e
if gen holes "$fx/layout-vmemmap-holes.txt"; then
	rm -f holes.e holes.n
	"$BIN" -e --work-dir . -l -d 31 holes.elf holes.e >holes.log 2>&1
	rc=$?
	"$BIN" --work-dir . -l -d 31 --message-level 0 holes.elf holes.n
	st=$(python3 -c 'import struct,sys; print(struct.unpack_from("<I", open(sys.argv[1],"rb").read(464), 424)[0])' holes.e 2>/dev/null)
	if [ $rc = 0 ] && grep -q '^vmemmap pmd not huge, abort$' holes.log &&
	   grep -q "Can't find vmemmap pages" holes.log && [ -z "$(excl_line holes.log)" ] &&
	   cmp -s holes.e holes.n && [ $((st & 16)) = 0 ]; then
		ok "4 KiB-mapped vmemmap: -e given up as 1.7.2, the dump is the one without -e (status $st)"
	else
		notok "4 KiB-mapped vmemmap (exit $rc, status $st)"; cat holes.log
	fi
fi

# arm64: refused by name
if gen a64 "$fx/arm64-4k-39.txt"; then
	rm -f a64.out
	"$BIN" -e --work-dir . -d 31 a64.elf a64.out >a64.log 2>&1
	rc=$?
	[ $rc = 1 ] && [ ! -e a64.out ] && grep -q -- '-e is only for x86_64.*this dump is arm64' a64.log &&
		ok "arm64: refused, exit 1: $(grep -m1 -o -- '-e is only.*' a64.log)" ||
		{ notok "arm64 -e (exit $rc)"; cat a64.log; }
fi

# -e without --work-dir
rm -f out
"$BIN" -e -d 31 l5.elf out >nowd.log 2>&1
rc=$?
[ $rc = 1 ] && [ ! -e out ] && grep -q '^-e requires --work-dir$' nowd.log &&
	ok "-e without --work-dir: refused, exit 1" ||
	{ notok "-e without --work-dir (exit $rc)"; cat nowd.log; }
rm -f ./*.elf ./*.e ./*.n ./*.ref dbg
