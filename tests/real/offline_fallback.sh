#!/usr/bin/env bash
# Real cores with NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) blanked in the note:
# the PG_offline marker is derived (and said so) or the pages are kept with
# a warning (tests/tools/offline_fallback.py).
set -u
rc=0 n=0
for scen in balloon kdump virtiomem arm64-balloon; do
	core=$(bash "$ROOT/tests/tools/vmcores.sh" "$scen" | awk '{print $2}') || exit $?
	[ -n "$core" ] || continue
	n=$((n + 1))
	python3 "$ROOT/tests/tools/offline_fallback.py" "$scen" "$core" "$BIN" \
		"$TMPBASE/offline_fallback/$scen" || rc=1
	rm -rf "$TMPBASE/offline_fallback/$scen"
done
[ $n -gt 0 ] || { echo "SKIP: no real cores"; exit 77; }
exit $rc
