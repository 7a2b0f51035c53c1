#!/usr/bin/env bash
# roundtrip_one.sh SCEN CORE FMT LEVEL DIR: one dump written by $BIN and
# read back by dumpcheck (ours) and libkdumpfile (kdfcheck.py).
# FMT: c l p z none E.  Prints "ok - ..." / "not ok - ..." lines.
set -u
scen=$1 core=$2 fmt=$3 level=$4 dir=$5
case $fmt in none) flag=() ;; *) flag=(-$fmt) ;; esac
name="$scen -$fmt -d $level"
out=$dir/$scen.$fmt.d$level
rm -f "$out" "$out.json"
"$BIN" "${flag[@]}" -d "$level" --message-level 16 --report-json "$out.json" \
	"$core" "$out" > "$out.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	echo "not ok - write $name (exit $rc)"; sed 's/^/# /' "$out.log" | tail -5
	exit 0
fi
echo "ok - write $name ($(stat -c %s "$out") bytes)"
mode=$(stat -c %a "$out")
[ "$mode" = 600 ] && echo "ok - $name: mode 0600" ||
	echo "not ok - $name: mode $mode, want 600"
if "$TOOLS/dumpcheck" --report-json "$out.json" "$out" "$core" > "$out.dc" 2>&1; then
	echo "ok - dumpcheck $name"; sed 's/^/# /' "$out.dc"
else
	echo "not ok - dumpcheck $name"; sed 's/^/# /' "$out.dc" | head -25
fi
if /usr/bin/python3 -c 'import kdumpfile' 2>/dev/null; then
	if /usr/bin/python3 "$ROOT/tests/tools/kdfcheck.py" "$out" "$core" "$out.json" > "$out.kdf" 2>&1; then
		echo "ok - libkdumpfile $name"; sed 's/^/# /' "$out.kdf"
	else
		echo "not ok - libkdumpfile $name"; sed 's/^/# /' "$out.kdf" | head -25
	fi
else
	echo "# NOTICE: python3-libkdumpfile is not installed: $name not read by libkdumpfile"
fi
rm -f "$out" "$out.dc" "$out.kdf"
