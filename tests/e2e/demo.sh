#!/usr/bin/env bash
# make demo (tests/tools/demo.sh) in both of its modes, without its apt
# step: on the real balloon core of ../shared/vmcores (through
# $VMCORE_CACHE), and with SHARED pointing nowhere, where it falls back to a
# synthetic core.  Each run must succeed and leave a dump that our tool
# reads back: dumpcheck compares every page with the core, a re-filtering
# dry run counts the same pages, and the never-read summary is there.
set -u
dir=$TMPBASE/demo
rm -rf "$dir"
mkdir -p "$dir"
check() {	# check COND NAME
	if eval "$1"; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# run MODE [VAR=VALUE...]: the demo into $dir/MODE, output in $dir/MODE.log
run() {
	local mode=$1; shift
	env "$@" DEMO_NO_DEPS=1 DEMO_DIR="$dir/$mode" \
		bash "$ROOT/tests/tools/demo.sh" >"$dir/$mode.log" 2>&1
}

# common checks on a run's dump against the core it came from
valid() {	# valid MODE CORE
	local mode=$1 core=$2 d=$dir/$1 kept again
	check '[ "$(stat -c %a "$d/dumpfile")" = 600 ] && [ "$(stat -c %a "$d/reads.txt")" = 600 ]' \
		"demo/$mode: the dump and the read trace are mode 0600"
	check 'head -c 8 "$d/dumpfile" | grep -q "^KDUMP   $"' \
		"demo/$mode: the dump is kdump-compressed"
	check '"$TOOLS/dumpcheck" --report-json "$d/report.json" "$d/dumpfile" "$core" >"$dir/$mode.check" 2>&1' \
		"demo/$mode: dumpcheck reads every page back equal to the core"
	kept=$(sed -n 's/^ *"remaining": \([0-9]*\).*/\1/p' "$d/report.json")
	again=$("$BIN" --dry-run -d 31 --message-level 16 "$d/dumpfile" /dev/null 2>&1 |
		awk '/Remaining pages/ { print $NF }')
	check '[ -n "$kept" ] && [ "$kept" -gt 0 ] && [ -n "$again" ] && [ $((again)) = "$kept" ]' \
		"demo/$mode: the dump, re-filtered, holds the $kept pages kept"
	check 'grep -q "none of them touches the [0-9]* PG_offline and hwpoison pages" "$dir/$mode.log" && grep -q "^demo done: " "$dir/$mode.log"' \
		"demo/$mode: prints the never-read summary and finishes"
	check 'grep -q "^  Remaining pages  : " "$dir/$mode.log" && grep -q "^    Offline pages           : 0x" "$dir/$mode.log"' \
		"demo/$mode: prints makedumpfile's report"
}

if core=$(bash "$ROOT/tests/tools/vmcores.sh" balloon | awk '{print $2}') && [ -s "$core" ]; then
	t0=$(date +%s)
	run real SHARED="$SHARED" VMCORE_CACHE="$VMCORE_CACHE"
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	check '[ $rc = 0 ]' "demo/real: make demo's script succeeds on the balloon core (${secs}s)"
	check '[ $secs -lt 60 ]' "demo/real: under a minute once built"
	check '! grep -q "^NOTE: .* is absent" "$dir/real.log" && grep -q "virtio-balloon" "$dir/real.log"' \
		"demo/real: uses the real core"
	check 'grep -q "^    Offline pages           : 0x0000000000008000" "$dir/real.log"' \
		"demo/real: the 32768 balloon pages are excluded"
	valid real "$core"
	"$BIN" --dump-dmesg "$core" "$dir/core-dmesg.txt" >/dev/null 2>&1
	check '[ -s "$dir/real/dmesg.txt" ] && cmp -s "$dir/real/dmesg.txt" "$dir/core-dmesg.txt" && grep -qF "$(tail -n 1 "$dir/core-dmesg.txt")" "$dir/real.log"' \
		"demo/real: the dump's kernel log is the core's, its last lines printed"
else
	echo "SKIP: demo/real: no real vmcores (../shared/vmcores absent)"
fi

t0=$(date +%s)
run synthetic SHARED="$dir/no-such-shared" VMCORE_CACHE="$dir/no-cache"
rc=$?
secs=$(( $(date +%s) - t0 ))
check '[ $rc = 0 ]' "demo/synthetic: succeeds without ../shared (${secs}s)"
check '[ $secs -lt 60 ]' "demo/synthetic: under a minute once built"
check 'grep -q "^NOTE: $dir/no-such-shared/vmcores is absent: the demo uses a synthetic" "$dir/synthetic.log" && [ ! -e "$dir/no-cache" ]' \
	"demo/synthetic: says it falls back to a synthetic core"
check 'grep -q "^    Hwpoison pages          : 0x0000000000000004" "$dir/synthetic.log" && grep -q "^    Offline pages           : 0x0000000000000300" "$dir/synthetic.log"' \
	"demo/synthetic: the fixture's hwpoison and offline pages are excluded"
valid synthetic "$dir/synthetic/synthetic.elf"
rm -f "$dir/synthetic/synthetic.elf"
