#!/usr/bin/env bash
# tests/kernel/apply.sh: each companion patch is a git format-patch mail
# that applies (git apply --check and patch --dry-run, no fuzz) to the
# kernel source it names, and not to the others.  linux-source-6.1 (Debian
# 12) is the tree at hand; 4.18-5.0 and 6.6-6.8 trees are checked when
# KSRC_4_19 / KSRC_6_6 name one.  Exit 77 without linux-source-6.1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cache=${BUILD:-$root/build}/kernel-apply
fail=0
ok() { if [ "$1" = 0 ]; then echo "ok - kernel_patch: $2"; else echo "not ok - kernel_patch: $2"; fail=1; fi; }

# the tree's own crash_core.c, only that file out of the tarball (about
# 10 s, cached; the lane's unpacked tree may be in its patched state)
[ -f "$tarball" ] || { echo "SKIP: $tarball is absent (apt-get install linux-source-6.1)"; exit 77; }
src61=$cache/linux-source-6.1
if [ ! -f "$src61/kernel/crash_core.c" ] || [ "$tarball" -nt "$src61/kernel/crash_core.c" ]; then
	rm -rf "$cache"; mkdir -p "$cache"
	tar -xJf "$tarball" -C "$cache" linux-source-6.1/kernel/crash_core.c || exit 1
fi
# git would otherwise take the patch's paths as ours (build/ is inside
# this repository) and skip them without a word
export GIT_CEILING_DIRECTORIES=$(dirname "$src61")

applies() {	# TREE PATCH: 0 if both tools apply it cleanly
	(cd "$1" && git apply --check "$2" 2>/dev/null &&
	 patch -p1 --dry-run -F0 -s <"$2" >/dev/null 2>&1)
}

for p in "$root"/kernel/*/*.patch; do
	dir=$(basename "$(dirname "$p")")
	# a mail git am takes: From line, author, subject, body, a diff
	head -n1 "$p" | grep -qE '^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$' &&
		grep -q '^Subject: \[PATCH\] crash_core: ' "$p" &&
		grep -q '^diff --git a/kernel/crash_core.c b/kernel/crash_core.c$' "$p" &&
		[ "$(grep -c '^+.*VMCOREINFO_NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE);' "$p")" = 1 ]
	ok $? "$dir: a format-patch mail that adds the export once"
	if [ "$dir" = 5.1-6.5 ]; then
		applies "$src61" "$p"
		ok $? "$dir applies to $(basename "$src61") (git apply --check, patch --dry-run -F0)"
	else
		! applies "$src61" "$p"
		ok $? "$dir does not apply to linux-source-6.1"
	fi
done

# apply it for real to a copy: the export must now sit outside every
# #ifdef CONFIG_HUGETLB_PAGE block, once
t=$(mktemp -d); mkdir -p "$t/kernel"
cp "$src61/kernel/crash_core.c" "$t/kernel/"
(cd "$t" && GIT_CEILING_DIRECTORIES=$(dirname "$t") git apply "$root"/kernel/5.1-6.5/*.patch)
awk '/^#ifdef CONFIG_HUGETLB_PAGE/ { in_h = 1 } in_h && /^#endif/ { in_h = 0 }
     /VMCOREINFO_NUMBER\(PAGE_OFFLINE_MAPCOUNT_VALUE\)/ { n++; if (in_h) bad = 1 }
     END { exit !(n == 1 && !bad) }' "$t/kernel/crash_core.c"
ok $? "patched crash_core.c exports PAGE_OFFLINE_MAPCOUNT_VALUE once, outside CONFIG_HUGETLB_PAGE"
rm -rf "$t"

for v in 4_19:4.18-5.0 6_6:6.6-6.8; do
	var=KSRC_${v%%:*}; dir=${v#*:}
	if [ -n "${!var:-}" ]; then
		GIT_CEILING_DIRECTORIES=$(dirname "${!var}") applies "${!var}" "$(ls "$root/kernel/$dir"/*.patch)"
		ok $? "$dir applies to ${!var}"
	else
		echo "# $dir: no tree given ($var=DIR to check it)"
	fi
done
exit $fail
