#!/usr/bin/env bash
# --show-vmcoreinfo: the note text of a core, byte for byte as the
# tests' own ELF note parser reads it; on the running system, the note of
# /proc/kcore or a clear error.
set -u
core=$(bash "$ROOT/tests/tools/vmcores.sh" balloon | awk '{print $2}') || exit $?
[ -n "$core" ] || { echo "SKIP: no balloon core"; exit 77; }
t=$TMPBASE/show_vmcoreinfo; mkdir -p "$t"
fail=0
ok() { if eval "$2"; then echo "ok - show_vmcoreinfo: $1"; else echo "not ok - show_vmcoreinfo: $1"; fail=1; fi; }

"$BIN" --show-vmcoreinfo "$core" >"$t/out" 2>"$t/err"; rc=$?
python3 - "$core" "$t/want" <<'PY'
import sys
sys.path.insert(0, __import__('os').environ['ROOT'] + '/tests/tools')
from vmcore_note import note_desc
_, d = note_desc(sys.argv[1])
open(sys.argv[2], 'wb').write(d if d.endswith(b'\n') else d + b'\n')
PY
ok "exit 0, nothing on stderr" '[ $rc -eq 0 ] && [ ! -s "$t/err" ]'
ok "stdout is the note's text ($(wc -l <"$t/out") lines)" 'cmp -s "$t/out" "$t/want"'
ok "it names the kernel and the offline marker" \
	'grep -qx "OSRELEASE=6.1.0-56-amd64" "$t/out" && grep -qx "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257" "$t/out"'
"$BIN" --show-vmcoreinfo /etc/hostname >"$t/out" 2>"$t/err"; rc=$?
ok "a file that is no dump: exit 1, an error naming it" \
	'[ $rc -eq 1 ] && [ ! -s "$t/out" ] && grep -q "/etc/hostname" "$t/err"'
"$BIN" --show-vmcoreinfo "$core" extra >"$t/out" 2>"$t/err"; rc=$?
ok "two files: the command line is refused" '[ $rc -eq 1 ] && cat "$t/out" "$t/err" | grep -q "Commandline parameter is invalid"'
# the running system: /proc/kcore (root, not in every container)
"$BIN" --show-vmcoreinfo >"$t/out" 2>"$t/err"; rc=$?
if [ -r /proc/kcore ]; then
	ok "running system: the note of /proc/kcore" '[ $rc -eq 0 ] && grep -q "^OSRELEASE=$(uname -r)$" "$t/out"'
else
	ok "running system without /proc/kcore: exit 1, says where the note is" \
		'[ $rc -eq 1 ] && grep -q "/proc/kcore" "$t/err" && { [ ! -r /sys/kernel/vmcoreinfo ] || grep -q "/sys/kernel/vmcoreinfo puts the note at" "$t/err"; }'
fi
rm -rf "$t"
exit $fail
