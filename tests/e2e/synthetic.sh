#!/usr/bin/env bash
# Every synthetic vmcore of fixtures/vmcore/ (all kernel eras, layouts,
# hostile content), generated at test time by build/tools/mkvmcore and
# compared PFN by PFN with its ground truth at every dump level; Debian
# makedumpfile 1.7.2, when installed, as an outside check of the
# generator (tests/tools/synth.py, fixtures/vmcore/README.md).
set -u
cases=()
for f in "$ROOT"/fixtures/vmcore/*.txt; do
	case $(basename "$f") in scale-*) continue ;; esac	# synthetic_scale.sh
	cases+=("$f")
done
mdf=()
[ -x /usr/bin/makedumpfile ] && mdf=(--mdf)
exec python3 "$ROOT/tests/tools/synth.py" "${mdf[@]}" "${cases[@]}"
