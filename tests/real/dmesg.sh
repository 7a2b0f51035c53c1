#!/usr/bin/env bash
# --dump-dmesg on every real vmcore, compared line for line with
#  - gt/dmesg.txt, the kernel's own dmesg taken a moment before the dump:
#    identical, except records written after it (listed, timestamps checked);
#  - mdf/dmesg.txt, makedumpfile 1.7.2's --dump-dmesg of the same core (and
#    kdump/capture/dmesg-1st-kernel.txt, made inside the capture kernel):
#    identical (1.7.2's sign-extended \xffffffNN escapes read as \xNN);
#  - --partial-dmesg: nobody ran "dmesg -C" on these machines, so clear_seq
#    is 0 and the partial log is the whole log.
# Cores the tool cannot open yet (an arch not built) are skipped by name.
# On one core also: LOGFILE mode 0600, an existing LOGFILE refused unless
# -f, -F to stdout, -L, damaged VMCOREINFO (-i) giving an error or a
# partial log, never a hang; and a kdump-compressed copy made by
# makedumpfile 1.7.2 (once the kdump input reader exists).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
T=$TMPBASE/dmesg
rm -rf "$T"
mkdir -p "$T"
cmp_py="python3 $ROOT/tests/tools/dmesgcmp.py"
ok() { echo "ok - dmesg: $*"; }
notok() { echo "not ok - dmesg: $*"; }
ran=0

while read -r scen core; do
	[ -n "$scen" ] || continue
	ref=$SHARED/vmcores/$scen
	out=$T/$scen.txt
	if ! timeout 60 "$BIN" --dump-dmesg "$core" "$out" >"$T/$scen.log" 2>&1; then
		if grep -q "are not supported" "$T/$scen.log"; then
			echo "# $scen: skipped, the tool cannot open it yet: $(grep -m1 'not supported' "$T/$scen.log")"
			continue
		fi
		notok "$scen: --dump-dmesg failed"; cat "$T/$scen.log"; continue
	fi
	ran=$((ran + 1))
	grep -q "^The dmesg log is saved to $out\.\$" "$T/$scen.log" &&
		grep -q "^makedumpfile Completed\.\$" "$T/$scen.log" ||
		{ notok "$scen: end messages"; cat "$T/$scen.log"; }
	echo "# $scen vs the kernel's dmesg (gt/dmesg.txt):"
	if $cmp_py "$out" "$ref/gt/dmesg.txt" --newer-allowed --label gt | sed 's/^/#   /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
		ok "$scen: matches gt/dmesg.txt"
	else
		notok "$scen: differs from gt/dmesg.txt"
	fi
	echo "# $scen vs makedumpfile 1.7.2 (mdf/dmesg.txt):"
	if $cmp_py "$out" "$ref/mdf/dmesg.txt" --label mdf-1.7.2 | sed 's/^/#   /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
		ok "$scen: matches makedumpfile 1.7.2"
	else
		notok "$scen: differs from makedumpfile 1.7.2"
	fi
	if [ -f "$ref/capture/dmesg-1st-kernel.txt" ]; then
		if $cmp_py "$out" "$ref/capture/dmesg-1st-kernel.txt" --label capture | sed 's/^/#   /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
			ok "$scen: matches makedumpfile 1.7.2 in the capture kernel"
		else
			notok "$scen: differs from capture/dmesg-1st-kernel.txt"
		fi
	fi
	if timeout 60 "$BIN" --dump-dmesg --partial-dmesg "$core" "$T/$scen.partial" >/dev/null 2>&1 &&
	   cmp -s "$out" "$T/$scen.partial"; then
		ok "$scen: --partial-dmesg (clear_seq 0) gives the whole log"
	else
		notok "$scen: --partial-dmesg"
	fi
	[ -z "${one:-}" ] && one=$scen && onecore=$core
done <<<"$cores"

if [ $ran -eq 0 ]; then
	echo "SKIP: no real vmcore could be read"
	exit 77
fi

# ---- details on one core ----
scen=$one core=$onecore full=$T/$scen.txt
mode=$(stat -c %a "$full")
[ "$mode" = 600 ] && ok "LOGFILE created mode 0600" || notok "LOGFILE mode is $mode"

echo keep >"$T/exists.txt"
if "$BIN" --dump-dmesg "$core" "$T/exists.txt" >"$T/exists.log" 2>&1; then
	notok "an existing LOGFILE was overwritten without -f"
elif grep -q "Can't open the dump file ($T/exists.txt). File exists" "$T/exists.log" &&
     [ "$(cat "$T/exists.txt")" = keep ]; then
	ok "an existing LOGFILE is refused and kept without -f"
else
	notok "existing LOGFILE message"; cat "$T/exists.log"
fi
head -c 200000 /dev/zero | tr '\0' x >"$T/exists.txt"
if "$BIN" -f --dump-dmesg "$core" "$T/exists.txt" >/dev/null 2>&1 &&
   cmp -s "$full" "$T/exists.txt"; then
	ok "-f replaces a longer existing LOGFILE (truncated)"
else
	notok "-f on an existing LOGFILE"
fi

if "$BIN" -F --dump-dmesg "$core" >"$T/stdout.txt" 2>"$T/stdout.log" &&
   cmp -s "$full" "$T/stdout.txt" &&
   grep -q "^The dmesg log is saved to STDOUT\.\$" "$T/stdout.log"; then
	ok "-F writes the log to stdout, messages to stderr"
else
	notok "-F --dump-dmesg"; cat "$T/stdout.log"
fi

"$BIN" -L 1000 --dump-dmesg "$core" "$T/limit.txt" >"$T/limit.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(stat -c %s "$T/limit.txt")" = 1000 ] &&
   cmp -s -n 1000 "$full" "$T/limit.txt" &&
   grep -q "Size limit(1000) reached" "$T/limit.log"; then
	ok "-L 1000 stops at 1000 bytes with makedumpfile's message, exit 1"
else
	notok "-L limit (exit $rc)"; cat "$T/limit.log"
fi

# damaged VMCOREINFO through -i: the note text from the lab's record of it
vi=$T/vmcoreinfo.txt
sed -n '/^== VMCOREINFO note/,/^==/p' "$SHARED/vmcores/$scen/vmcoreinfo_check.txt" |
	grep -v '^==' >"$vi"
if grep -q '^SYMBOL(prb)=' "$vi"; then
	if "$BIN" -i "$vi" --dump-dmesg "$core" "$T/vi.txt" >/dev/null 2>&1 &&
	   cmp -s "$full" "$T/vi.txt"; then
		ok "-i VMCOREINFO file: same log"
	else
		notok "-i VMCOREINFO file"
	fi
	# prb pointing at kernel text: a clear error, no LOGFILE
	stext=$(sed -n 's/^SYMBOL(_stext)=//p' "$vi")
	sed "s/^SYMBOL(prb)=.*/SYMBOL(prb)=$stext/" "$vi" >"$T/vi-prb.txt"
	timeout 30 "$BIN" -i "$T/vi-prb.txt" --dump-dmesg "$core" "$T/bad1.txt" >"$T/bad1.log" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && [ ! -e "$T/bad1.txt" ] && grep -q "makedumpfile Failed" "$T/bad1.log"; then
		ok "prb pointing at kernel text: error, no LOGFILE ($(grep -m1 -i "can't\|corrupt" "$T/bad1.log"))"
	else
		notok "prb pointing at kernel text (exit $rc)"; cat "$T/bad1.log"
	fi
	# count_bits read from the wrong place: a ring of one descriptor, so
	# the walk is clamped with a warning and writes at most one record
	sed 's/^OFFSET(prb_desc_ring.count_bits)=.*/OFFSET(prb_desc_ring.count_bits)=4/' "$vi" >"$T/vi-cb.txt"
	timeout 30 "$BIN" -i "$T/vi-cb.txt" --dump-dmesg "$core" "$T/bad2.txt" >"$T/bad2.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q "records apart" "$T/bad2.log" &&
	   [ "$(wc -l <"$T/bad2.txt")" -le 1 ] &&
	   { [ ! -s "$T/bad2.txt" ] || grep -qxFf "$T/bad2.txt" "$full"; }; then
		ok "wrong count_bits offset: warning and a partial log ($(wc -l <"$T/bad2.txt") lines)"
	else
		notok "wrong count_bits offset (exit $rc)"; cat "$T/bad2.log"
	fi
	# size_bits from a pointer field: an impossible ring size, an error
	sed 's/^OFFSET(prb_data_ring.size_bits)=.*/OFFSET(prb_data_ring.size_bits)=12/' "$vi" >"$T/vi-sb.txt"
	timeout 30 "$BIN" -i "$T/vi-sb.txt" --dump-dmesg "$core" "$T/bad3.txt" >"$T/bad3.log" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q "most likely corrupted" "$T/bad3.log"; then
		ok "impossible text ring size: error"
	else
		notok "impossible text ring size (exit $rc)"; cat "$T/bad3.log"
	fi
	# no printk keys at all: keys a -i file lacks come from the dump's
	# note (as makedumpfile 1.7.2 does), so the core here has none
	grep -v -e '^SYMBOL(prb)=' -e '^SYMBOL(log_buf' "$vi" >"$T/vi-none.txt"
	python3 "$ROOT/tests/tools/mdfcore.py" "$core" "$T/nonote.elf" --no-vmcoreinfo
	timeout 30 "$BIN" -i "$T/vi-none.txt" --dump-dmesg "$T/nonote.elf" "$T/bad4.txt" >"$T/bad4.log" 2>&1
	rc=$?
	rm -f "$T/nonote.elf"
	if [ $rc -eq 1 ] && grep -q "Can't find some symbols for log_buf" "$T/bad4.log"; then
		ok "no printk keys: makedumpfile's error"
	else
		notok "no printk keys (exit $rc)"; cat "$T/bad4.log"
	fi
fi

# kdump-compressed input: made by makedumpfile 1.7.2 from the kernel-made
# kdump core (1.7.2 cannot read QEMU's ELF headers), -d 31 drops zero pages
# of the log buffers, which read as zeros
mdf172=
for m in /usr/sbin/makedumpfile /usr/bin/makedumpfile; do
	[ -x "$m" ] && mdf172=$m && break
done
if [ -n "$mdf172" ] && [ -s "$T/kdump.txt" ] &&
   kcore=$(bash "$ROOT/tests/tools/vmcores.sh" kdump | awk '{print $2}') && [ -n "$kcore" ]; then
	"$mdf172" -l -d 31 "$kcore" "$T/kdump.cdump" >/dev/null 2>&1
	if [ -s "$T/kdump.cdump" ]; then
		if "$BIN" --dump-dmesg "$T/kdump.cdump" "$T/cdump.txt" >"$T/cdump.log" 2>&1; then
			if cmp -s "$T/cdump.txt" "$T/kdump.txt"; then
				ok "kdump-compressed (-l -d 31) input: same log as the ELF core"
			else
				notok "kdump-compressed input: log differs from the ELF core"
				diff "$T/kdump.txt" "$T/cdump.txt" | head
			fi
		elif grep -q "not a dump this tool can read" "$T/cdump.log"; then
			echo "# kdump-compressed input: skipped, the input layer cannot read it yet"
		else
			notok "kdump-compressed input"; cat "$T/cdump.log"
		fi
	fi
	rm -f "$T/kdump.cdump"
fi
exit 0
