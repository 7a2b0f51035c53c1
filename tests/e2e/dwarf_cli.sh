#!/usr/bin/env bash
# -g, -x, --config and --mem-usage without a real vmlinux: argument rules,
# clear errors for files that are not a kernel's debug information, -g on a
# program with DWARF but no kernel, and the man pages of these options.
set -u
t=$TMPBASE/dwarf_cli
mkdir -p "$t"
n=0
check() {	# check NAME EXPECTED_RC REGEX CMD...
	local name=$1 want=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$re" <<<"$out"; then
		echo "ok - dwarf_cli: $name"
	else
		echo "not ok - dwarf_cli: $name (rc $rc)"
		sed 's/^/# /' <<<"$out" | tail -5
	fi
}
rm -f "$t/g.txt"
check "-g without -x is refused" 1 "Commandline parameter is invalid" \
	"$BIN" -g "$t/g.txt"
check "-g with a VMCORE is refused" 1 "Commandline parameter is invalid" \
	"$BIN" -g "$t/g.txt" -x /bin/true /bin/true
check "-g with --dry-run is refused" 1 "dry-run cannot be used with -g" \
	"$BIN" --dry-run -g "$t/g.txt" -x /bin/true
check "-g with -d 31 is refused" 1 "Commandline parameter is invalid" \
	"$BIN" -d 31 -g "$t/g.txt" -x /bin/true
check "--config without -x is refused" 1 "Commandline parameter is invalid" \
	"$BIN" --config /dev/null /bin/true "$t/out"
check "-i with -x is refused" 1 "Commandline parameter is invalid" \
	"$BIN" -i /dev/null -x /bin/true /bin/true "$t/out"
check "-g -x of a text file: not an ELF file" 1 "is not an ELF file" \
	"$BIN" -g "$t/g.txt" -x /etc/passwd
check "-g -x of a missing file names it" 1 "Can't open the kernel file\(/nonexistent/vmlinux\)" \
	"$BIN" -g "$t/g.txt" -x /nonexistent/vmlinux
strip -o "$t/stripped" "$BUILD/tests/dwarfinfo_test" 2>/dev/null ||
	cp /bin/true "$t/stripped"
check "-g -x of a stripped binary: no symbol table" 1 "no symbol table" \
	"$BIN" -g "$t/g.txt" -x "$t/stripped"
objcopy --strip-debug "$BUILD/tests/dwarfinfo_test" "$t/nodebug" 2>/dev/null &&
check "-g -x of a binary without DWARF: says so" 1 "no DWARF debug information" \
	"$BIN" -g "$t/g.txt" -x "$t/nodebug"
if readelf -S "$BUILD/tests/dwarfinfo_test" 2>/dev/null | grep -q debug_info; then
	check "-g -x of a program with DWARF but no kernel: no struct page" 1 \
		"has no struct page" "$BIN" -g "$t/g.txt" -x "$BUILD/tests/dwarfinfo_test"
fi
[ -e "$t/g.txt" ] && echo "not ok - dwarf_cli: a failed -g leaves no file" ||
	echo "ok - dwarf_cli: a failed -g leaves no file"
check "--check-params -g is accepted" 0 "" \
	"$BIN" --check-params -g "$t/g.txt" -x /bin/true
check "--mem-usage needs one argument" 1 "Commandline parameter is invalid" \
	"$BIN" --mem-usage
check "--mem-usage of a missing file names it" 1 "nonexistent" \
	"$BIN" --mem-usage /nonexistent/vmcore

# the man pages: these options are documented, groff has no complaint, and
# make install installs both pages
for opt in '\\-g' '\\-x' '\\-i' '\\-\\-config' '\\-\\-mem\\-usage'; do
	grep -qE "^\.BI? $opt( |\$)" "$ROOT/makedumpfile.8" &&
		echo "ok - dwarf_cli: makedumpfile.8 documents $opt" ||
		echo "not ok - dwarf_cli: makedumpfile.8 documents $opt"
done
for page in makedumpfile.8 makedumpfile.conf.5; do
	if command -v man >/dev/null; then
		w=$(MANWIDTH=80 man --warnings -l "$ROOT/$page" 2>&1 >/dev/null)
		[ -z "$w" ] && echo "ok - dwarf_cli: man -l $page: no warnings" ||
			{ echo "not ok - dwarf_cli: man -l $page: $w"; }
	fi
done
rm -rf "$t/inst"
make -s -C "$ROOT" install BUILD="$BUILD" BIN="$BIN" DESTDIR="$t/inst" \
	PREFIX=/usr >/dev/null 2>&1
[ -f "$t/inst/usr/share/man/man8/makedumpfile.8" ] &&
[ -f "$t/inst/usr/share/man/man5/makedumpfile.conf.5" ] &&
	echo "ok - dwarf_cli: make install installs makedumpfile.8 and makedumpfile.conf.5" ||
	echo "not ok - dwarf_cli: make install installs makedumpfile.8 and makedumpfile.conf.5"
rm -rf "$t"
