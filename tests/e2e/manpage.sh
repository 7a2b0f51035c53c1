#!/usr/bin/env bash
# makedumpfile.8 documents every option of src/opts.c's table (the one
# source of parsing and --help) and every option of --help; the check is
# shown to fail on a name that is not documented; man renders the page
# without warnings when man is installed.
set -u
page=$ROOT/makedumpfile.8
# the page as text: fonts dropped, \- as -
text=$(sed -e 's/\\f[BIRP]//g' -e 's/\\(em/--/g' -e 's/\\-/-/g' "$page")
documented() {	# documented -x | --name
	grep -qE -- "(^|[][ ,(\"])$1([][ ,.=)\"]|\$)" <<<"$text"
}
names=$(python3 - "$ROOT/src/opts.c" <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
table = src[src.index('opt_table[] = {'):]
table = table[:table.index('};')]
for lname, val in re.findall(r'\{\s*(NULL|"[^"]+")\s*,\s*(\'.\'|OPT_\w+)', table):
    if lname != 'NULL':
        print('--' + lname.strip('"'))
    if val.startswith("'"):
        print('-' + val[1])
EOF
)
n=0 missing=()
for o in $names; do
	n=$((n + 1))
	documented "$o" || missing+=("$o")
done
if [ "$n" -ge 40 ] && [ ${#missing[@]} -eq 0 ]; then
	echo "ok - manpage: all $n option names of src/opts.c are in makedumpfile.8"
else
	echo "not ok - manpage: $n options in src/opts.c; not in makedumpfile.8: ${missing[*]}"
fi
# --help lists the same table
help=$("$BIN" --help)
for o in $names; do
	grep -qE -- "(^| )$o([ ,]|\$)" <<<"$help" || missing+=("--help:$o")
done
[ ${#missing[@]} -eq 0 ] && echo "ok - manpage: --help lists every option" ||
	echo "not ok - manpage: missing ${missing[*]}"
# the check can fail
if ! documented --no-such-option && ! documented -Q && documented --split; then
	echo "ok - manpage: the check tells a missing name from a present one"
else
	echo "not ok - manpage: the check does not discriminate"
fi
for s in "makedumpfile --split" "makedumpfile --reassemble" "makedumpfile -R" "makedumpfile -F" "makedumpfile --dump-dmesg"; do
	grep -qF -- ".B ${s//-/\\-}" "$page" || { echo "not ok - manpage: no SYNOPSIS line for $s"; continue; }
	echo "ok - manpage: SYNOPSIS: $s"
done
if command -v man >/dev/null; then
	w=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$w" ] && echo "ok - manpage: man -l renders it without warnings" ||
		echo "not ok - manpage: man -l: $w"
else
	echo "# NOTICE: man is not installed: rendering not checked"
fi
if command -v man >/dev/null; then
	w=$(MANWIDTH=80 man --warnings -l "$ROOT/makedumpfile.conf.5" 2>&1 >/dev/null)
	[ -z "$w" ] && echo "ok - manpage: man -l renders makedumpfile.conf.5 without warnings" ||
		echo "not ok - manpage: man -l makedumpfile.conf.5: $w"
fi
# organised like makedumpfile's page: NAME, SYNOPSIS, DESCRIPTION, OPTIONS
# first, every section and every subsection of a section once, every
# option heading once
sh=$(sed -n 's/^\.SH //p' "$page")
dup=$(sort <<<"$sh" | uniq -d)
[ "$(head -n 4 <<<"$sh" | tr '\n' ' ')" = "NAME SYNOPSIS DESCRIPTION OPTIONS " ] && [ -z "$dup" ] &&
	echo "ok - manpage: sections start NAME, SYNOPSIS, DESCRIPTION, OPTIONS; none twice" ||
	echo "not ok - manpage: sections $(tr '\n' ',' <<<"$sh") (twice: ${dup:-none})"
dup=$(awk '/^\.SH/ { s = $0 } /^\.SS/ { print s " / " $0 }' "$page" | sort | uniq -d)
[ -z "$dup" ] && echo "ok - manpage: no subsection twice in one section" ||
	echo "not ok - manpage: subsections twice: $dup"
# the first option name of each .TP heading, fonts and quotes dropped
dup=$(awk '/^\.TP/ { getline; print }' "$page" | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/"//g' |
	grep -oE -- '(^|[ ,])--?[a-zA-Z][-a-zA-Z_]*' | tr -d ' ,' | sort | uniq -d)
[ -z "$dup" ] && echo "ok - manpage: every option described once" ||
	echo "not ok - manpage: described twice: $dup"
