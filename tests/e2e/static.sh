#!/usr/bin/env bash
# make static: the binary for an initramfs is really static (file, ldd),
# runs, and on a real vmcore gives the dynamic build's answer.
set -u
make -C "$ROOT" -s -j2 static >"$TMPBASE/static-build.log" 2>&1 || {
	tail -20 "$TMPBASE/static-build.log"
	echo "not ok - static: make static builds"; exit 1; }
echo "ok - static: make static builds"
S=$ROOT/build-static/makedumpfile
desc=$(file "$S")
echo "# $desc"
case $desc in
*"statically linked"*) echo "ok - static: file(1) says statically linked" ;;
*) echo "not ok - static: file(1) says statically linked" ;;
esac
if ldd "$S" >/dev/null 2>&1; then
	ldd "$S" | sed 's/^/# /'
	echo "not ok - static: ldd finds no dynamic dependency"
else
	echo "ok - static: ldd finds no dynamic dependency"
fi
if "$S" -v | grep -q '^makedumpfile: version'; then
	echo "ok - static: the static binary runs (-v)"
else
	echo "not ok - static: the static binary runs (-v)"
fi
core=$(bash "$ROOT/tests/tools/vmcores.sh" kdump 2>/dev/null | awk '{print $2}')
if [ -z "$core" ]; then
	echo "# no real vmcore (../shared absent): static-vs-dynamic comparison skipped"
	exit 0
fi
"$S" --dry-run -d 31 --report-json "$TMPBASE/static.json" "$core" /dev/null >/dev/null 2>&1
"$BIN" --dry-run -d 31 --report-json "$TMPBASE/dynamic.json" "$core" /dev/null >/dev/null 2>&1
if python3 - "$TMPBASE/static.json" "$TMPBASE/dynamic.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a['counts'] == b['counts'] and a['ranges'] == b['ranges'] and a['counts']['original'] > 0 else 1)
PY
then
	echo "ok - static: same counts and ranges as the dynamic build on a real core"
else
	echo "not ok - static: same counts and ranges as the dynamic build on a real core"
fi
