#!/usr/bin/env bash
# --mem-usage on the real x86_64 cores standing in for /proc/kcore
# (tests/tools/memusage.py says what is checked).
set -u
cores=$(bash "$ROOT/tests/tools/vmcores.sh") || exit $?
args=()
while read -r scen core; do
	case $scen in arm64-*) continue ;; esac
	args+=("$scen=$core")
done <<<"$cores"
exec python3 "$ROOT/tests/tools/memusage.py" "$BIN" "$TMPBASE/memusage" \
	"$SHARED" "${args[@]}"
