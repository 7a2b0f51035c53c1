#!/usr/bin/env bash
# valgrind memcheck on real cores: a dry run over every page (pread runs,
# the default, and --mmap windows) must report no memory error and no leak; the same for
# a kdump-compressed input and a flattened stream as input.
set -u
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
rc=0
# a saved dump as input (kdump-compressed, and its -F stream), from a
# synthetic core: re-filtered to a file and read through a stream
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$BIN" "$@"
}
kd=$TMPBASE/valgrind-kdump
rm -rf "$kd" && mkdir -p "$kd"
if "$TOOLS/mkvmcore" "$ROOT/fixtures/vmcore/zoo-5.10.txt" "$kd/zoo.elf" "$kd/gt" \
	>/dev/null 2>&1 && "$BIN" -c -d 1 "$kd/zoo.elf" "$kd/d1" >/dev/null 2>&1 &&
   "$BIN" -F -z -d 1 "$kd/zoo.elf" >"$kd/d1.flat" 2>/dev/null; then
	rm -f "$kd/zoo.elf"
	for args in "--dry-run -d 31 $kd/d1 /dev/null" "-l -d 31 $kd/d1.flat $kd/out"; do
		# shellcheck disable=SC2086
		vg $args >"$kd/log" 2>&1
		st=$?
		if [ $st -eq 0 ] && grep -q 'makedumpfile Completed' "$kd/log"; then
			echo "ok - valgrind: kdump-compressed input: ${args//$kd\//}: no memory error, no leak"
		else
			rc=1
			echo "not ok - valgrind: kdump-compressed input: $args (exit $st)"
			grep '^==' "$kd/log" | head -n 20
		fi
		rm -f "$kd/out"
	done
else
	rc=1
	echo "not ok - valgrind: making the kdump-compressed input failed"
fi
rm -rf "$kd"
cores=$(bash "$ROOT/tests/tools/vmcores.sh" balloon kdump) || exit $?
[ -n "$cores" ] || { echo "# no real vmcores: the kdump input only"; exit $rc; }
while read -r scen core; do
	for args in "-d 31" "-d 1 --mmap"; do
		out=$TMPBASE/valgrind-$scen.log
		# shellcheck disable=SC2086
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			"$BIN" --dry-run $args "$core" /dev/null >"$out" 2>&1
		st=$?
		if [ $st -eq 0 ] && grep -q 'makedumpfile Completed' "$out"; then
			echo "ok - valgrind: $scen --dry-run $args: no memory error, no leak"
		else
			rc=1
			echo "not ok - valgrind: $scen --dry-run $args (exit $st)"
			grep '^==' "$out" | head -n 20
		fi
	done
done <<<"$cores"
exit $rc
