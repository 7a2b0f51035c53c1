#!/usr/bin/env bash
# Third-party readers open our dumps:
#  - crash (Debian) with the debug vmlinux of the cores' kernel opens our
#    -c, -l, -p, -z and -E dumps of the real kdump core and prints for
#    sys, kmem -i, ps and log exactly what it prints for the source
#    /proc/vmcore (only the DUMPFILE line differs);
#  - drgn (python3-drgn) opens our kdump-compressed dumps of every x86_64
#    core and walks the task list, finding what it finds in the source.
# The vmlinux comes from ../shared/vmcores/get-vmlinux.sh, cached in
# $VMLINUX_CACHE (default $BUILD/vmlinux; tests/tools/deps.sh fetches it).
# Without it these checks are skipped with a loud notice.
set -u
rel=6.1.0-56-amd64
vmlinux=${VMLINUX_CACHE:-$BUILD/vmlinux}/vmlinux-$rel
if [ ! -s "$vmlinux" ]; then
	echo "SKIP: NOTICE: $vmlinux is missing: crash and drgn cannot open the dumps." \
		"Fetch it with ../shared/vmcores/get-vmlinux.sh ${VMLINUX_CACHE:-$BUILD/vmlinux}"
	exit 77
fi
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
dir=$TMPBASE/readers
mkdir -p "$dir"
rm -f "$dir"/*

# ---- crash: one core, five formats, two at a time ----
kcore=$(awk '$1 == "kdump" { print $2 }' <<<"$cores")
if ! command -v crash >/dev/null; then
	echo "not ok - crash is not installed"
elif [ -z "$kcore" ]; then
	echo "# NOTICE: no kdump core: crash not run"
else
	for f in c l p z E; do
		"$BIN" -$f -d 31 --message-level 0 "$kcore" "$dir/kdump.$f" >/dev/null 2>&1 ||
			echo "not ok - write kdump -$f"
	done
	# the source through a link here: the transcripts are written next
	# to each file, and the vmcore cache is shared and never written
	ln -sf "$kcore" "$dir/source.elf"
	printf '%s\n' "$dir/source.elf" "$dir"/kdump.{c,l,p,z,E} |
	xargs -P 2 -I{} sh -c "printf 'sys\nkmem -i\nps\nlog\nquit\n' |
		timeout 300 crash -s '$vmlinux' '{}' > '{}.crash' 2>&1; echo \$? > '{}.crash.rc'"
	# the source's own transcript, the DUMPFILE line aside
	sed '/^ *DUMPFILE:/d' "$dir/source.elf.crash" > "$dir/source.crash"
	mv "$dir/source.elf.crash.rc" "$dir/source.crash.rc" 2>/dev/null
	rm -f "$dir/source.elf.crash" "$dir/source.elf"
	if ! grep -q "TOTAL MEM" "$dir/source.crash" || ! grep -q "PANIC" "$dir/source.crash"; then
		echo "not ok - crash reads the source core"; sed 's/^/# /' "$dir/source.crash" | head
	fi
	for f in c l p z E; do
		out=$dir/kdump.$f.crash
		sed '/^ *DUMPFILE:/d' "$out" > "$out.cmp"
		if [ "$(cat "$out.rc" 2>/dev/null)" = 0 ] && cmp -s "$out.cmp" "$dir/source.crash"; then
			echo "ok - crash: sys, kmem -i, ps, log on our kdump -$f dump print what they print for the source ($(wc -l < "$out.cmp") lines)"
		else
			echo "not ok - crash on our kdump -$f dump (exit $(cat "$out.rc" 2>/dev/null))"
			diff "$dir/source.crash" "$out.cmp" | head -20 | sed 's/^/# /'
		fi
	done
	grep -m1 "WARNING" "$dir/source.crash" | sed 's/^/# crash says of the source too: /'
fi

# ---- drgn: every core, kdump-compressed ----
if ! /usr/bin/python3 -c 'import drgn' 2>/dev/null; then
	echo "not ok - python3-drgn is not installed"
	exit 0
fi
while read -r scen core; do
	if ! "$BIN" --dry-run -d 31 --message-level 0 "$core" /dev/null >/dev/null 2>&1; then
		echo "# $scen: the tool cannot read this core yet; skipped"
		continue
	fi
	if [ "$(od -An -t u2 -j 18 -N 2 "$core" | tr -d ' ')" != 62 ]; then
		echo "# $scen: the debug vmlinux is for x86_64; drgn not run"
		continue
	fi
	want=$(DRGN_USE_LIBKDUMPFILE_FOR_ELF=1 /usr/bin/python3 "$ROOT/tests/tools/drgncheck.py" "$vmlinux" "$core" 2>&1)
	for f in l z; do
		out=$dir/$scen.$f
		"$BIN" -$f -d 31 --message-level 0 "$core" "$out" >/dev/null 2>&1
		got=$(/usr/bin/python3 "$ROOT/tests/tools/drgncheck.py" "$vmlinux" "$out" 2>&1)
		if [ $? -eq 0 ] && [ "$got" = "$want" ]; then
			echo "ok - drgn walks the task list of our $scen -$f dump: ${got%% comms=*}"
		else
			echo "not ok - drgn on our $scen -$f dump"
			echo "# source: $want" | cut -c1-300
			echo "# ours:   $got" | cut -c1-300
		fi
		rm -f "$out"
	done
done <<<"$cores"
rm -f "$dir"/kdump.?
exit 0
