#!/usr/bin/env bash
# valgrind memcheck on real cores: a dry run over every page (mapped and
# --non-mmap reads) must report no memory error and no leak.
set -u
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
cores=$(bash "$ROOT/tests/tools/vmcores.sh" balloon kdump) || exit $?
[ -n "$cores" ] || { echo "SKIP: no real vmcores"; exit 77; }
rc=0
while read -r scen core; do
	for args in "-d 31" "-d 1 --non-mmap"; do
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
