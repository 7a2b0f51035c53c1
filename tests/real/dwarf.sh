#!/usr/bin/env bash
# -g, -i, -x and --config on the real x86_64 cores with the debug vmlinux of
# their kernel (tests/tools/dwarfcheck.py says what is checked).  The
# vmlinux comes from ../shared/vmcores/get-vmlinux.sh, cached in
# $VMLINUX_CACHE (default $BUILD/vmlinux; tests/tools/deps.sh fetches it).
set -u
vmlinux=$(bash "$ROOT/tests/tools/vmlinux.sh") || exit $?
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
args=()
while read -r scen core; do
	case $scen in arm64-*) continue ;; esac
	args+=("$scen=$core")
done <<<"$cores"
exec python3 "$ROOT/tests/tools/dwarfcheck.py" "$vmlinux" "$BIN" \
	"$TMPBASE/dwarf" "${args[@]}"
