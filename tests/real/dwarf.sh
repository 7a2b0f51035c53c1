#!/usr/bin/env bash
# -g, -i, -x and --config on the real x86_64 cores with the debug vmlinux of
# their kernel (tests/tools/dwarfcheck.py says what is checked).  The
# vmlinux comes from ../shared/vmcores/get-vmlinux.sh, cached in
# $VMLINUX_CACHE (default $BUILD/vmlinux; tests/tools/deps.sh fetches it
# through tests/tools/vmlinux.sh).  Without it: skipped with a notice.
set -u
rel=6.1.0-56-amd64
vmlinux=${VMLINUX_CACHE:-$BUILD/vmlinux}/vmlinux-$rel
if [ ! -s "$vmlinux" ]; then
	echo "SKIP: NOTICE: $vmlinux is missing: -g, -x, -i of -g files and --config are not tested." \
		"Fetch it with ../shared/vmcores/get-vmlinux.sh ${VMLINUX_CACHE:-$BUILD/vmlinux}"
	exit 77
fi
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
args=()
while read -r scen core; do
	case $scen in arm64-*) continue ;; esac
	args+=("$scen=$core")
done <<<"$cores"
exec python3 "$ROOT/tests/tools/dwarfcheck.py" "$vmlinux" "$BIN" \
	"$TMPBASE/dwarf" "${args[@]}"
