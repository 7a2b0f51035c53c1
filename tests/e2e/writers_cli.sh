#!/usr/bin/env bash
# Command-line behaviour of the writers that needs no vmcore: -R on good,
# damaged and trailing-junk streams, exclusive creation, -E refused for a
# kdump-compressed input, codecs listed by -v.
set -u
dir=$TMPBASE/writers_cli
rm -rf "$dir"
mkdir -p "$dir"
check() {	# check COND NAME
	if eval "$1"; then echo "ok - $2"; else echo "not ok - $2"; fi
}
be64() {	# be64 N: 8 bytes big-endian (N may be -1)
	python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack(">q", int(sys.argv[1])))' "$1"
}
header() {
	printf 'makedumpfile\0\0\0\0'; be64 1; be64 1; head -c $((4096 - 32)) /dev/zero
}

# a stream: two records, the second overwriting part of the first, an end
# marker, then junk that must be ignored
{ header; be64 8192; be64 5; printf 'hello'; be64 8193; be64 2; printf 'EL';
  be64 -1; be64 -1; printf 'junk after the end'; } > "$dir/s1"
"$BIN" -R "$dir/out1" < "$dir/s1" > "$dir/r1.log" 2>&1
rc=$?
check '[ $rc = 0 ] && grep -q "The dumpfile is saved to .*out1." "$dir/r1.log" && grep -q "makedumpfile Completed." "$dir/r1.log"' \
	"-R replays a stream and says where"
check '[ "$(stat -c %s "$dir/out1")" = 8197 ] && [ "$(tail -c 5 "$dir/out1")" = hELlo ] && [ "$(head -c 8192 "$dir/out1" | tr -d "\0" | wc -c)" = 0 ]' \
	"-R: records in order, later wins, holes are zeros, junk after the end ignored"
check '[ "$(stat -c %a "$dir/out1")" = 600 ]' "-R: the dump file is mode 0600"
"$BIN" -R "$dir/out1" < "$dir/s1" > "$dir/r2.log" 2>&1
check '[ $? = 1 ] && grep -q "File exists" "$dir/r2.log"' "-R refuses an existing file"
"$BIN" -f -R "$dir/out1" < "$dir/s1" > /dev/null 2>&1
check '[ $? = 0 ]' "-R -f overwrites it"

{ header; be64 0; be64 100; printf 'short'; } > "$dir/s2"
"$BIN" -R "$dir/out2" < "$dir/s2" > "$dir/r3.log" 2>&1
check '[ $? = 1 ] && grep -q "flattened format" "$dir/r3.log" && grep -q "makedumpfile Failed." "$dir/r3.log"' \
	"-R: a record cut short is an error"
{ printf 'makedumpfilf\0\0\0\0'; be64 1; be64 1; head -c 4064 /dev/zero; } > "$dir/s3"
"$BIN" -R "$dir/out3" < "$dir/s3" > "$dir/r4.log" 2>&1
check '[ $? = 1 ] && grep -q "signature of flattened format" "$dir/r4.log"' "-R: a wrong signature is refused"
"$BIN" -R "$dir/out4" < /dev/null > "$dir/r5.log" 2>&1
check '[ $? = 1 ] && grep -q "header of flattened format" "$dir/r5.log"' "-R: an empty stream is refused"
"$BIN" -R "$dir/out5" "$dir/extra" < "$dir/s1" > "$dir/r6.log" 2>&1
check '[ $? = 1 ] && grep -q "Commandline parameter is invalid." "$dir/r6.log"' "-R takes one file"

# an existing dump file is refused before anything is read
echo keep > "$dir/exists"
"$BIN" -l -d 31 "$dir/no-such-vmcore" "$dir/exists" > "$dir/e1.log" 2>&1
check '[ $? = 1 ] && grep -q "Can.t open the dump file (.*exists). File exists" "$dir/e1.log" && [ "$(cat "$dir/exists")" = keep ]' \
	"an existing dump file is refused and kept"

# -E with a kdump-compressed input
{ printf 'KDUMP   '; head -c 8192 /dev/zero; } > "$dir/fake.kdump"
"$BIN" -E -d 31 "$dir/fake.kdump" "$dir/out.E" > "$dir/e2.log" 2>&1
check "[ \$? = 1 ] && grep -q \"'-E' option is disabled, because .*fake.kdump is kdump compressed format.\" \"\$dir/e2.log\" && [ ! -e \"\$dir/out.E\" ]" \
	"-E is refused for a kdump-compressed input"
"$BIN" -c -E "$dir/fake.kdump" "$dir/out.E" > "$dir/e3.log" 2>&1
check '[ $? = 1 ] && grep -q "Commandline parameter is invalid." "$dir/e3.log"' "-c with -E is refused"

# options that change the dump's content are refused until they exist
"$BIN" --split -d 31 "$dir/fake.kdump" "$dir/p1" "$dir/p2" > "$dir/e4.log" 2>&1
check '[ $? = 1 ] && grep -q "makedumpfile Failed" "$dir/e4.log" && [ ! -e "$dir/p1" ] && [ ! -e "$dir/p2" ]' \
	"--split of an unreadable dump fails before any part is written"

"$BIN" -v > "$dir/v.log" 2>&1
check 'grep -Eq "^lzo	(en|dis)abled$" "$dir/v.log" && grep -Eq "^snappy	(en|dis)abled$" "$dir/v.log" && grep -Eq "^zstd	(en|dis)abled$" "$dir/v.log"' \
	"-v lists the codecs and whether this build has them"
rm -rf "$dir"
