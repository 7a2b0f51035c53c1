#!/usr/bin/env bash
# Every example command of README.md's "Using it" block runs, as written,
# and exits 0.  Each runs in a directory of its own with `makedumpfile` on
# PATH (our binary) and the names it uses present: vmcore.elf and vmcore
# (the balloon core), vmlinux (the debug vmlinux; examples with -x are
# skipped without it), makedumpfile.conf (the EXAMPLE of
# makedumpfile.conf.5), dump.d1 (-c -d 1), dump.flat (-F -l -d 1) and, for
# --reassemble, the parts of a --split.  Substituted: /proc/vmcore by the
# real kdump core, /var/crash/ by a local directory, `ssh host` by `bash
# -c`; examples on /proc/kcore are skipped (this machine's memory).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh" balloon kdump) || exit $?
balloon=$(awk '$1 == "balloon" { print $2 }' <<<"$cores")
kdump=$(awk '$1 == "kdump" { print $2 }' <<<"$cores")
vmlinux=${VMLINUX_CACHE:-$BUILD/vmlinux}/vmlinux-6.1.0-56-amd64
dir=$TMPBASE/readme
rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/prep"
ln -s "$BIN" "$dir/bin/makedumpfile"
export PATH=$dir/bin:$PATH

# the README block, comments off
mapfile -t examples < <(awk '/^## Using it/ { u = 1; next }
	u && /^```/ { if (inb) exit; inb = 1; next }
	inb' "$ROOT/README.md" | sed 's/[[:space:]]*#.*$//' | grep .)
echo "# ${#examples[@]} examples in README.md"
[ ${#examples[@]} -ge 10 ] || { echo "not ok - README.md: its \"Using it\" block has ${#examples[@]} commands"; exit 1; }

# the erase filter of makedumpfile.conf(5)'s EXAMPLE
sed -n '/^\.SH EXAMPLE/,/^\.SH/p' "$ROOT/makedumpfile.conf.5" |
	sed '1d; $d; /^\.nf/d; /^\.fi/d' > "$dir/prep/makedumpfile.conf"
p=$dir/prep
makedumpfile -c -d 1 --message-level 0 "$balloon" "$p/dump.d1" >/dev/null 2>&1 &&
makedumpfile -F -l -d 1 --message-level 0 "$balloon" > "$p/dump.flat" 2>/dev/null &&
makedumpfile --split -l -d 31 --message-level 0 "$kdump" "$p/part1" "$p/part2" "$p/part3" >/dev/null 2>&1 &&
makedumpfile -l -d 31 --message-level 0 "$kdump" "$p/direct" >/dev/null 2>&1 ||
	{ echo "not ok - readme: preparing the inputs of the examples failed"; exit 1; }

n=0
for ex in "${examples[@]}"; do
	n=$((n + 1))
	case $ex in
	*/proc/kcore*)
		echo "# skipped (this machine's /proc/kcore): $ex"; continue ;;
	*vmlinux*)
		if [ ! -s "$vmlinux" ]; then
			echo "# skipped ($vmlinux is missing): $ex"; continue
		fi ;;
	esac
	d=$dir/ex$n
	mkdir -p "$d/crash"
	ln -s "$balloon" "$d/vmcore.elf"
	ln -s "$balloon" "$d/vmcore"
	ln -s "$vmlinux" "$d/vmlinux"
	for f in makedumpfile.conf dump.d1 dump.flat; do ln -s "$p/$f" "$d/$f"; done
	case $ex in *--reassemble*)
		for f in part1 part2 part3; do ln -s "$p/$f" "$d/$f"; done ;;
	esac
	cmd=$(printf '%s\n' "$ex" | sed "s|/proc/vmcore|$kdump|g; s|/var/crash/|crash/|g; s|ssh host '|bash -c '|")
	(cd "$d" && bash -o pipefail -c "$cmd") >"$d.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok - README: $ex"
	else
		echo "not ok - README: $ex (exit $rc; ran: $cmd)"
		tail -n 5 "$d.log" | sed 's/^/# /'
	fi
	# "= the direct dump"
	case $ex in *--reassemble*)
		out=$d/${ex##* }
		if cmp -s "$out" "$p/direct"; then
			echo "ok - README: --reassemble gives the direct dump, byte for byte"
		else
			echo "not ok - README: --reassemble differs from the direct dump"
		fi ;;
	esac
	rm -rf "$d"
done
rm -rf "$dir"
