#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# Symbol discipline of the built library and driver plugins, as DPDK's
# checkpatches and check-symbol-maps do for theirs:
#   1. each version.map node lists its global symbols once each, sorted
#      (C locale);
#   2. the library exports exactly the symbols of its map (nm -D);
#   3. every exported symbol has the library's public prefix (ocopy_) or
#      its internal one (oc_), and no local function has the public
#      prefix (it would look public and is not);
#   4. every public function (an ocopy_ name in the installed public
#      headers, exported or static inline) is named in doc/guides;
#   5. the driver plugins export no symbol (drivers/version.map: local: *).
#
# Usage: devtools/check-symbols.sh BUILD_DIR
# Prints one line per problem and "check-symbols: N problem(s)" (exit 1),
# or "check-symbols: ok" (exit 0); exit 2 on bad usage or a missing file.

set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIB=offload_copy
PUBLIC_PREFIX=ocopy_
INTERNAL_PREFIX=oc_

case ${1:-} in
-h|--help)
	sed -n '4,19s/^# \{0,1\}//p' "$0"
	exit 0 ;;
"")
	echo "check-symbols: error: missing BUILD_DIR (see --help)" >&2
	exit 2 ;;
esac
build=$1
so="$build/lib/$LIB/lib$LIB.so"
map="$ROOT/lib/$LIB/version.map"
for f in "$so" "$map" "$ROOT/drivers/version.map"; do
	[ -r "$f" ] || { echo "check-symbols: error: $f: cannot read" >&2; exit 2; }
done
command -v nm >/dev/null 2>&1 ||
	{ echo "check-symbols: error: nm not found (binutils)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
problems=0
problem() {
	echo "check-symbols: $*"
	problems=$((problems + 1))
}

# 1. Each node's global entries: sorted, once each. Entries of a node are
# the "name;" lines between its "global:" and "local:" (or its end).
check_map() {
	awk -v dir="$work" '
	/^[A-Za-z0-9_.]+ *\{/ { node = $1; n++; out = dir "/node" n; printf "" > out; next }
	/^[ \t]*global:/ { inside = 1; next }
	/^[ \t]*local:/ || /^\}/ { inside = 0; next }
	inside && /^[ \t]*[A-Za-z_][A-Za-z0-9_]*;/ {
		s = $1; sub(/;.*/, "", s); print s > out
	}
	END { print n + 0 > (dir "/nodes") }' "$1"
	i=1
	while [ "$i" -le "$(cat "$work/nodes")" ]; do
		if ! LC_ALL=C sort -c "$work/node$i" 2>/dev/null; then
			first=$(LC_ALL=C sort -c "$work/node$i" 2>&1 | sed 's/.*disorder: //')
			problem "$1: node $i: not in C-locale order at '$first'"
		fi
		for s in $(LC_ALL=C sort "$work/node$i" | uniq -d); do
			problem "$1: node $i: '$s' listed twice"
		done
		cat "$work/node$i" >>"$work/map_all"
		i=$((i + 1))
	done
}
: >"$work/map_all"
check_map "$map"
LC_ALL=C sort -u "$work/map_all" >"$work/map"

# 2. Exported (dynamic, defined, not a version node) against the map.
nm -D --defined-only "$so" |
	awk '$2 != "A" { s = $3; sub(/@.*/, "", s); print s }' |
	LC_ALL=C sort -u >"$work/exported"
for s in $(LC_ALL=C comm -23 "$work/map" "$work/exported"); do
	problem "$s: in $LIB's version.map, not exported by lib$LIB.so"
done
for s in $(LC_ALL=C comm -13 "$work/map" "$work/exported"); do
	problem "$s: exported by lib$LIB.so, not in its version.map"
done

# 3. Prefixes, exported and local.
while read -r s; do
	case $s in
	"$PUBLIC_PREFIX"*|"$INTERNAL_PREFIX"*) ;;
	*) problem "$s: exported by lib$LIB.so without the prefix" \
		"$PUBLIC_PREFIX or $INTERNAL_PREFIX" ;;
	esac
done <"$work/exported"
# Local functions (t) named with the public prefix; compiler clones
# (name.cold, name.constprop.0) are parts of exported functions.
for s in $(nm --defined-only "$so" |
		awk -v p="$PUBLIC_PREFIX" '$2 ~ /^[tdb]$/ && index($3, p) == 1 &&
			index($3, ".") == 0 { print $3 }'); do
	problem "$s: a local symbol of lib$LIB.so with the public prefix" \
		"$PUBLIC_PREFIX (make it $INTERNAL_PREFIX..., or export it)"
done

# 4. Public functions named in the guides.
for h in "$ROOT/lib/$LIB"/*.h; do
	case $h in
	*_core.h|*_internal.h) continue ;;	# indirect, not public
	esac
	grep -oE "\\b${PUBLIC_PREFIX}[a-z0-9_]+[ \\t]*\\(" "$h" | tr -d ' \t('
done | LC_ALL=C sort -u >"$work/public"
while read -r s; do
	grep -rqF "$s" "$ROOT/doc/guides" ||
		problem "$s: a public function of $LIB that doc/guides never names"
done <"$work/public"

# 5. Driver plugins: nothing exported.
for d in "$build"/drivers/librte_*.so; do
	[ -e "$d" ] || continue
	for s in $(nm -D --defined-only "$d" | awk '$2 != "A" { print $3 }'); do
		problem "$s: exported by $(basename "$d") (plugins export nothing)"
	done
done

if [ "$problems" -ne 0 ]; then
	echo "check-symbols: $problems problem(s)"
	exit 1
fi
echo "check-symbols: ok ($(wc -l <"$work/exported") symbols exported by lib$LIB.so," \
	"$(wc -l <"$work/public") public functions documented)"
