#!/usr/bin/env bash
# Output safety on a real core: a full filesystem (a 10 MiB tmpfs when
# this runs as root and may mount, and always an LD_PRELOAD shim that fails
# writes with ENOSPC), the -L limit, -d 1,31 retry, -F with -L, a run
# killed mid-write, exclusive creation and mode 0600.  A dump cut short
# must say so (header flag, messages, exit 1) and every page it holds must
# still read back equal to the source (dumpcheck, libkdumpfile).
set -u
core=$(bash "$ROOT/tests/tools/vmcores.sh" balloon | awk '{print $2}') || exit $?
[ -n "$core" ] || { echo "SKIP: no balloon core"; exit 77; }
dir=$TMPBASE/enospc
mnt=$dir/mnt
mkdir -p "$dir" "$mnt"
rm -f "$dir"/out* "$dir"/*.json
cleanup() { mountpoint -q "$mnt" && umount "$mnt"; }
trap cleanup EXIT
shim=$dir/fault_shim.so
cc -shared -fPIC -O2 -o "$shim" "$ROOT/tests/tools/preload/fault_shim.c" -ldl ||
	{ echo "not ok - build the fault shim"; exit 1; }
have_kdf=false
/usr/bin/python3 -c 'import kdumpfile' 2>/dev/null && have_kdf=true

check() {	# check COND NAME
	if eval "$1"; then echo "ok - $2"; else echo "not ok - $2"; fi
}
status() {	# kdump header status word
	od -An -t u4 -j 424 -N 4 "$1" | tr -d ' '
}
eflags() {
	od -An -t u4 -j 48 -N 4 "$1" | tr -d ' '
}

# A dump that ran out of space: flag, messages, and what is there is right.
incomplete_kdump() {	# FILE LOG RC NAME
	local f=$1 log=$2 rc=$3 name=$4 st
	st=$(status "$f")
	check '[ "$rc" = 1 ]' "$name: exit status 1"
	check 'grep -q "No space left on device" "$log"' "$name: says Can't write ... No space left on device"
	check 'grep -q "^This is an incomplete dumpfile, but might analyzable.$" "$log"' "$name: says it is incomplete"
	check 'grep -q "makedumpfile Failed." "$log"' "$name: says makedumpfile Failed."
	check '[ $((st & 8)) = 8 ]' "$name: header status $st has DUMP_DH_COMPRESSED_INCOMPLETE"
	"$TOOLS/dumpcheck" --allow-incomplete --report-json "$f.json" "$f" "$core" > "$f.dc" 2>&1
	check '[ $? = 0 ] && grep -q " [1-9][0-9]* lost" "$f.dc" && grep -q " [1-9][0-9]* compressed" "$f.dc"' \
		"$name: every page written reads back equal to the source (dumpcheck), some are lost"
	sed 's/^/# /' "$f.dc"
	if $have_kdf; then
		/usr/bin/python3 "$ROOT/tests/tools/kdfcheck.py" "$f" "$core" "$f.json" --incomplete > "$f.kdf" 2>&1
		check '[ $? = 0 ]' "$name: libkdumpfile reads every page written equal to the source"
		sed 's/^/# /' "$f.kdf"
	fi
}

# 1. a real small filesystem
if mount -t tmpfs -o size=10m tmpfs "$mnt" 2>/dev/null; then
	out=$mnt/out.c
	"$BIN" -c -d 31 --message-level 7 --report-json "$dir/out.c.json" "$core" "$out" > "$dir/c.log" 2>&1
	rc=$?
	cp "$out" "$dir/out.c" && rm -f "$out"
	incomplete_kdump "$dir/out.c" "$dir/c.log" $rc "10 MiB tmpfs, -c"
	"$BIN" -E -d 31 --message-level 7 --report-json "$dir/out.E.json" "$core" "$mnt/out.E" > "$dir/E.log" 2>&1
	rc=$?
	cp "$mnt/out.E" "$dir/out.E" && rm -f "$mnt/out.E"
	check '[ $rc = 1 ] && grep -q "^This is an incomplete dumpfile" "$dir/E.log"' "10 MiB tmpfs, -E: exit 1, says it is incomplete"
	check '[ $(( $(eflags "$dir/out.E") & 1 )) = 1 ]' "10 MiB tmpfs, -E: e_flags has DUMP_ELF_INCOMPLETE"
	"$TOOLS/dumpcheck" --allow-incomplete --report-json "$dir/out.E.json" "$dir/out.E" "$core" > "$dir/E.dc" 2>&1
	check '[ $? = 0 ]' "10 MiB tmpfs, -E: what was written reads back equal to the source"
	sed 's/^/# /' "$dir/E.dc"
	umount "$mnt"
else
	echo "# NOTICE: cannot mount a tmpfs here (not root?): the full disk is simulated by the shim only"
fi

# 2. the shim: writes fail with ENOSPC after 5 MB
MDF_SHIM_ENOSPC_AFTER=5000000 LD_PRELOAD=$shim "$BIN" -l -d 31 --message-level 7 \
	--report-json "$dir/out.l.json" "$core" "$dir/out.l" > "$dir/l.log" 2>&1
incomplete_kdump "$dir/out.l" "$dir/l.log" $? "ENOSPC after 5 MB (shim), -l"

# 3. -L: the same path, makedumpfile's message
"$BIN" -l -d 31 -L 1M --message-level 7 --report-json "$dir/out.L.json" "$core" "$dir/out.L" > "$dir/L.log" 2>&1
rc=$?
check '[ $rc = 1 ] && grep -q "^Can.t write the dump file(.*out.L). Size limit(1048576) reached.$" "$dir/L.log"' \
	"-L 1M: exit 1, Size limit(1048576) reached."
check '[ $(stat -c %s "$dir/out.L") -le 1048576 ] && [ $(( $(status "$dir/out.L") & 8 )) = 8 ]' \
	"-L 1M: at most 1 MiB, marked incomplete"

# 4. -d 1,31: the first level does not fit in 20 MiB, the second does
"$BIN" -c -d 1,31 -L 20M --message-level 7 --report-json "$dir/out.r.json" "$core" "$dir/out.r" > "$dir/r.log" 2>&1
rc=$?
check '[ $rc = 0 ] && grep -q "^Retry to create a dumpfile by dump_level(31).$" "$dir/r.log" && grep -q "makedumpfile Completed." "$dir/r.log"' \
	"-d 1,31 -L 20M: retries at level 31 and completes"
"$TOOLS/dumpcheck" --report-json "$dir/out.r.json" "$dir/out.r" "$core" > "$dir/r.dc" 2>&1
check '[ $? = 0 ] && [ $(( $(status "$dir/out.r") & 8 )) = 0 ]' "-d 1,31 -L 20M: a complete level-31 dump"
sed 's/^/# /' "$dir/r.dc"

# 5. -F with -L: no INCOMPLETE message, no end marker, -R refuses it
"$BIN" -F -l -d 31 -L 2M --message-level 7 "$core" > "$dir/out.F" 2> "$dir/F.log"
rc=$?
check '[ $rc = 1 ] && ! grep -q "incomplete dumpfile" "$dir/F.log"' "-F -L 2M: exit 1, no incomplete-dump claim on a stream"
"$BIN" -R "$dir/out.FR" < "$dir/out.F" > "$dir/FR.log" 2>&1
check '[ $? = 1 ] && grep -q "end marker" "$dir/FR.log"' "-R of that stream fails: no end marker"

# 6. killed in the middle: never a file that claims to be complete
MDF_SHIM_KILL_AFTER=3000000 LD_PRELOAD=$shim "$BIN" -l -d 31 --message-level 0 "$core" "$dir/out.k" >/dev/null 2>&1
rc=$?
check '[ $rc = 137 ] && [ $(( $(status "$dir/out.k") & 8 )) = 8 ]' "killed after 3 MB (exit $rc): the kdump header says INCOMPLETE"
MDF_SHIM_KILL_AFTER=3000000 LD_PRELOAD=$shim "$BIN" -E -d 31 --message-level 0 "$core" "$dir/out.kE" >/dev/null 2>&1
rc=$?
check '[ $rc = 137 ] && [ $(( $(eflags "$dir/out.kE") & 1 )) = 1 ]' "killed after 3 MB (exit $rc): the ELF header says incomplete"

# 7. exclusive creation, -f, mode 0600
echo keep > "$dir/out.x"
"$BIN" -l -d 31 --message-level 7 "$core" "$dir/out.x" > "$dir/x.log" 2>&1
rc=$?
check '[ $rc = 1 ] && grep -q "Can.t open the dump file (.*out.x). File exists" "$dir/x.log" && [ "$(cat "$dir/out.x")" = keep ]' \
	"an existing file is refused and left alone"
chmod 644 "$dir/out.x"
"$BIN" -f -l -d 31 --message-level 0 "$core" "$dir/out.x" >/dev/null 2>&1
rc=$?
check '[ $rc = 0 ] && [ "$(stat -c %a "$dir/out.x")" = 600 ]' "-f overwrites it, mode 0600"
rm -f "$dir"/out* "$dir"/*.log "$dir"/*.dc "$dir"/*.kdf
exit 0
