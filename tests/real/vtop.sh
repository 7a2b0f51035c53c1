#!/usr/bin/env bash
# --vtop ADDR on the real kdump core against Debian makedumpfile 1.7.2 on
# the same command line (cli.md section 10): the "Translating virtual
# address" and "VIRTUAL  PHYSICAL" lines and the translation are 1.7.2's,
# for a kernel-image symbol, a direct-map address, a vmemmap address and
# addresses that do not translate (1.7.2 prints ffffffffffffffff there
# and goes on with the dump: exit 0, not a failure).  The page-table
# entry lines between them ("  PGD : where => entry", down to the entry
# the walk stopped at) are compared too, and must be there.
set -u
mdf=$(command -v makedumpfile) || { echo "SKIP: Debian makedumpfile is not installed"; exit 77; }
core=$(bash "$ROOT/tests/tools/vmcores.sh" kdump | awk '{print $2}') || exit $?
[ -n "$core" ] || { echo "SKIP: no kdump core"; exit 77; }
T=$TMPBASE/vtop
rm -rf "$T"
mkdir -p "$T/ours" "$T/mdf"
vi() { "$BIN" --show-vmcoreinfo "$core" | sed -n "s/^$1=//p"; }
uts=0x$(vi 'SYMBOL(init_uts_ns)')
msec=0x$(vi 'SYMBOL(mem_section)')
# the struct page of pfn 0x1000: vmemmap base from our -D output
vmemmap=$("$BIN" --dry-run -D -d 0 "$core" /dev/null 2>/dev/null |
	awk '/^mem_map\[ *0\]/ { print $3; exit }')
vmemmap=$(printf '0x%x' $((0x${vmemmap:-0} + 0x1000 * 64)))

# "Translating ...", the entries read, and the translation after
# "VIRTUAL           PHYSICAL"
vtop_lines() {
	sed -n '/^Translating virtual address/,/^VIRTUAL           PHYSICAL$/{
		p; /^VIRTUAL/{n; p}
	}' "$1"
}
fails=0
for a in "$uts" "$msec" "$vmemmap" 0xffffffff82000000 0x1000; do
	(cd "$T/ours" && "$BIN" --dry-run -d 31 --vtop "$a" "$core" out >o 2>e; echo $? >rc)
	(cd "$T/mdf" && "$mdf" --dry-run -d 31 --vtop "$a" "$core" out >o 2>e; echo $? >rc)
	ours=$(vtop_lines "$T/ours/o") theirs=$(vtop_lines "$T/mdf/o")
	if [ -n "$theirs" ] && [ "$ours" = "$theirs" ] &&
	   [ "$(cat "$T/ours/rc")" = "$(cat "$T/mdf/rc")" ] &&
	   grep -q "^Translating virtual address ${a#0x} to physical address\.$" "$T/ours/o" &&
	   grep -q '^  PGD : ' "$T/ours/o" &&
	   grep -q '^makedumpfile Completed\.$' "$T/ours/o"; then
		echo "ok - vtop $a: $(tail -1 <<<"$ours" | tr -s ' '), exit $(cat "$T/ours/rc") as 1.7.2"
	else
		echo "not ok - vtop $a: exit $(cat "$T/ours/rc") vs 1.7.2 $(cat "$T/mdf/rc")"
		echo "# ours:"; sed 's/^/#   /' <<<"$ours"; sed 's/^/#   /' "$T/ours/e" | head -5
		echo "# 1.7.2:"; sed 's/^/#   /' <<<"$theirs"
		fails=1
	fi
done
exit $fails
