#!/usr/bin/env bash
# Every synthetic vmcore of fixtures/vmcore/ (all kernel eras, layouts,
# hostile content), generated at test time by build/tools/mkvmcore and
# compared PFN by PFN with its ground truth at every dump level; Debian
# makedumpfile 1.7.2, when installed, as an outside check of the
# generator (tests/tools/synth.py, fixtures/vmcore/README.md).
#
# synthetic_run.sh K N: the K-th of N shards (every N-th fixture from K), so
# the test runner's parallel jobs share the fixtures (tests/e2e/synthetic_*.sh).
set -u
k=${1:-1} n=${2:-1} i=0
cases=()
for f in "$ROOT"/fixtures/vmcore/*.txt; do
	case $(basename "$f") in scale-*) continue ;; esac	# synthetic_scale.sh
	i=$((i + 1))
	[ $(( (i - 1) % n + 1 )) -eq "$k" ] && cases+=("$f")
done
mdf=()
[ -x /usr/bin/makedumpfile ] && mdf=(--mdf)
exec python3 "$ROOT/tests/tools/synth.py" "${mdf[@]}" "${cases[@]}"
