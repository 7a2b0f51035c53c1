#!/usr/bin/env bash
# PG_offline pages are never read (balloon, kdump, virtiomem, arm64-balloon: the kernel's
# KPF_OFFLINE), nor hwpoison pages (PG_hwpoison set in a copy of the balloon
# core): read trace, EIO on their file bytes, PROT_NONE on their mapping
# (tests/tools/neverread.py).
set -u
shim=$BUILD/fault/faultio_shim.so
[ -f "$shim" ] || { echo "not ok - neverread: $shim is not built"; exit 1; }
# NEVERREAD_SCEN: the scenarios to prove it on (the ASan lane takes one)
# shellcheck disable=SC2086
cores=$(bash "$ROOT/tests/tools/vmcores.sh" ${NEVERREAD_SCEN:-balloon kdump virtiomem arm64-balloon}) || exit $?
rc=0
while read -r scen core; do
	python3 "$ROOT/tests/tools/neverread.py" "$SHARED/vmcores/$scen" "$core" \
		"$BIN" "$shim" "$TMPBASE/neverread-$scen" || rc=1
done <<<"$cores"
core=$(awk '$1 == "balloon" {print $2}' <<<"$cores")
if [ -n "$core" ] && [ -z "${NEVERREAD_NO_HWPOISON:-}" ]; then
	python3 "$ROOT/tests/tools/neverread.py" "$SHARED/vmcores/balloon" "$core" \
		"$BIN" "$shim" "$TMPBASE/neverread-hwpoison" --hwpoison || rc=1
fi
exit $rc
