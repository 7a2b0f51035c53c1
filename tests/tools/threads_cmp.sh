#!/usr/bin/env bash
# tests/tools/threads_cmp.sh LABEL CORE LEVEL [ARG...]: the dump of CORE must be the
# same bytes whatever --num-threads says.  For -c, -l, -p, -z (the codecs
# this build has) and for -F (the flattened stream on stdout), the output
# with --num-threads 1, 2, 4 and 8 is compared with cmp against the one
# without worker threads; -E with --num-threads is refused as 1.7.2
# refuses it.  ARGs go to every dump (e.g. --cyclic-buffer).  Prints ok /
# not ok lines; exit 1 on any failure.
set -u
label=$1 core=$2 level=$3
shift 3
extra=("$@")
dir=$TMPBASE/threads_cmp.$label
mkdir -p "$dir"
fail=0
shim=$dir/cpus_shim.so
cc -shared -fPIC -O2 -o "$shim" "$ROOT/tests/tools/preload/cpus_shim.c" -ldl ||
	{ echo "not ok - $label: cannot build cpus_shim.so"; exit 1; }
# the ASan lane's binary: its runtime need not be the first library
shimenv=(env LD_PRELOAD="$shim"
	 ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
ok() { echo "ok - $label: $*"; }
notok() { echo "not ok - $label: $*"; fail=1; }

# one dump: FLAG N OUT (N empty: no --num-threads; fitN: N threads fitted
# to this machine's CPUs, otherwise as if it had 16)
dump() {
	local flag=$1 n=$2 out=$3 t=() pre=("${shimenv[@]}" MDF_SHIM_CPUS=16)
	case $n in fit*) n=${n#fit} pre=() ;; esac
	[ -n "$n" ] && t=(--num-threads "$n")
	rm -f "$out"
	if [ "$flag" = F ]; then
		"${pre[@]}" "$BIN" -F -l -d "$level" --message-level 0 "${extra[@]}" "${t[@]}" "$core" > "$out" 2>"$out.err"
	else
		"${pre[@]}" "$BIN" "-$flag" -d "$level" --message-level 0 "${extra[@]}" "${t[@]}" "$core" "$out" 2>"$out.err"
	fi
}

# what runs (--message-level 31 says it): N workers and the helping main
# thread with 16 CPUs; with this machine's, the fit of pipeline_plan()
cpus=$(nproc)
for n in 2 8; do
	for c in 16 "$cpus"; do
		if [ "$c" -le 1 ]; then w=1 how=
		elif [ "$n" -lt "$c" ]; then w=$n how=" and the main thread"
		else w=$((c - 1)) how=" and the main thread"
		fi
		want="--num-threads $n: $w worker thread(s)$how read,"
		got=$("${shimenv[@]}" MDF_SHIM_CPUS="$c" "$BIN" -l -d "$level" --dry-run \
			--message-level 31 --num-threads "$n" "${extra[@]}" "$core" "$dir/plan" 2>&1 |
			grep -- "^--num-threads $n:")
		case $got in
		"$want"*) ok "--num-threads $n with $c CPUs: $w worker(s)$how" ;;
		*) notok "--num-threads $n with $c CPUs: want \"$want...\", got \"$got\"" ;;
		esac
	done
done

for flag in c l p z F; do
	if [ "$flag" != F ] && [ "$flag" != c ] &&
	   "$BIN" -v 2>&1 | grep -qi "^$(case $flag in l) echo lzo ;; p) echo snappy ;; z) echo zstd ;; esac)[[:space:]]*disabled"; then
		echo "# $label: -$flag is not in this build"
		continue
	fi
	ref=$dir/ref.$flag
	if ! dump "$flag" "" "$ref" || [ ! -s "$ref" ]; then
		notok "-$flag -d $level without threads failed: $(head -c 300 "$ref.err")"
		continue
	fi
	for n in 1 2 4 8 fit8; do
		out=$dir/n$n.$flag
		case $n in fit*) how="--num-threads ${n#fit} fitted to $cpus CPUs" ;;
		*) how="--num-threads $n (16 CPUs)" ;; esac
		if ! dump "$flag" "$n" "$out"; then
			notok "-$flag -d $level $how failed: $(head -c 300 "$out.err")"
			continue
		fi
		if cmp -s "$ref" "$out"; then
			ok "-$flag -d $level ${extra[*]} $how: the same $(stat -c %s "$out") bytes as without threads"
		else
			notok "-$flag -d $level ${extra[*]} $how: output differs from the run without threads ($(cmp "$ref" "$out" 2>&1 | head -1))"
		fi
		rm -f "$out" "$out.err"
	done
	rm -f "$ref" "$ref.err"
done

# -E: 1.7.2 refuses --num-threads with ELF output; so do we
rm -f "$dir/elf"
if "$BIN" -E -d "$level" --num-threads 2 --message-level 0 "$core" "$dir/elf" >"$dir/elf.log" 2>&1; then
	notok "-E --num-threads 2 was accepted (1.7.2 refuses it)"
elif grep -q -- "--num-threads cannot used with ELF format" "$dir/elf.log" && [ ! -e "$dir/elf" ]; then
	ok "-E --num-threads 2: refused as 1.7.2 refuses it, nothing written"
else
	notok "-E --num-threads 2: refused without 1.7.2's message: $(head -c 300 "$dir/elf.log")"
fi
rm -rf "$dir"
exit $fail
