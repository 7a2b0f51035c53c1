#!/usr/bin/env bash
# Each distribution's real makedumpfile command lines (tests/real/
# distro_cli.table) against the real kdump core: exit status, the lines
# scripts look for, and the files written, verified byte for byte against
# our direct dumps and page by page (dumpcheck) against the core.
set -u
core=$(bash "$ROOT/tests/tools/vmcores.sh" kdump | awk '{print $2}') || exit $?
[ -n "$core" ] || { echo "SKIP: no kdump core"; exit 77; }
export BIN CORE=$core DIR=$TMPBASE/distro_cli
rm -rf "$DIR"
mkdir -p "$DIR/ref"
gt=$SHARED/vmcores/kdump/gt/dmesg.txt

fail=()
# reference: our direct dump of the core with ARGS, made once
ref() {
	local key
	key=$(echo "$*" | tr -c 'a-z0-9\n' '_')
	[ -s "$DIR/ref/$key" ] ||
		"$BIN" "$@" --message-level 0 "$CORE" "$DIR/ref/$key" >/dev/null 2>&1
	echo "$DIR/ref/$key"
}
check_same() {	# FILE ARGS...
	local f=$1 r; shift
	r=$(ref "$@")
	cmp -s "$f" "$r" || { fail+=("$f is not the direct $* dump byte for byte"); return; }
	"$TOOLS/dumpcheck" "$f" "$CORE" >"$f.dc" 2>&1 ||
		{ fail+=("dumpcheck $f: $(tail -1 "$f.dc")"); return; }
	note+=" ($(grep -o '[0-9]* pages dumped' "$f.dc"), = direct $*)"
}

run_case() {
	local out=$DIR/$name.out err=$DIR/$name.err rc pat f
	fail=() note=
	bash -c "$run" >"$out" 2>"$err"
	rc=$?
	[ "$rc" = "$want_exit" ] || fail+=("exit $rc, want $want_exit")
	for pat in "${checks[@]}"; do
		case $pat in
		out:*) grep -qE -- "${pat#out: }" "$out" || fail+=("stdout lacks /${pat#out: }/") ;;
		err:*) grep -qE -- "${pat#err: }" "$err" || fail+=("stderr lacks /${pat#err: }/") ;;
		'!out:'*) ! grep -qE -- "${pat#!out: }" "$out" || fail+=("stdout has /${pat#!out: }/") ;;
		'!err:'*) ! grep -qE -- "${pat#!err: }" "$err" || fail+=("stderr has /${pat#!err: }/") ;;
		noout) [ ! -s "$out" ] || fail+=("stdout is not empty") ;;
		noerr) [ ! -s "$err" ] || fail+=("stderr is not empty") ;;
		check:*)
			set -- ${pat#check: }
			local kind=$1 file
			file=$(eval echo "$2")
			shift 2
			case $kind in
			same) check_same "$file" "$@" ;;
			stream)
				rm -f "$file.R"
				if "$BIN" -R "$file.R" <"$file" >/dev/null 2>&1; then
					check_same "$file.R" "$@"
				else
					fail+=("-R of $file failed")
				fi ;;
			dmesg)
				python3 "$ROOT/tests/tools/dmesgcmp.py" "$file" "$gt" --newer-allowed --label gt >"$file.cmp" 2>&1 ||
					fail+=("$file differs from gt/dmesg.txt: $(tail -1 "$file.cmp")")
				note+=" ($(wc -l <"$file") lines = the kernel's dmesg)" ;;
			absent) [ ! -e "$file" ] || fail+=("$file was created") ;;
			*) fail+=("unknown check $kind") ;;
			esac ;;
		esac
	done
	if [ ${#fail[@]} -eq 0 ]; then
		echo "ok - distro_cli: $name: exit $rc$note"
	else
		echo "not ok - distro_cli: $name: ${fail[*]}"
		echo "#   run: $run"
		sed 's/^/#   stdout: /' "$out" | head -5
		tr '\r' '\n' <"$err" | sed 's/^/#   stderr: /' | head -5
	fi
}

name= run= want_exit=0 checks=()
flush() {
	[ -n "$name" ] && run_case
	name= run= want_exit=0 checks=()
}
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'#'*) continue ;;
	'') flush ;;
	name:*) name=${line#name: } ;;
	run:*) run=${line#run: } ;;
	exit:*) want_exit=${line#exit: } ;;
	*) checks+=("$line") ;;
	esac
done <"$ROOT/tests/real/distro_cli.table"
flush
rm -rf "$DIR/ref" "$DIR"/*.R "$DIR/rawdev"
exit 0
