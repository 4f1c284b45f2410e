#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# The checks of DPDK's coding style and of the project's habits that need
# no kernel checkpatch.pl, over the C sources and headers git tracks:
#   - indentation by tabs: no line starts with a space, but for the " * "
#     of a comment block;
#   - no trailing white space;
#   - lines of at most 100 columns (tabs at 8), but for those holding a
#     string literal (DPDK does not split messages, so they stay grepable);
#   - no rte_panic() or rte_exit() in lib/ and drivers/ (a library or a
#     driver returns an error, it never ends the process);
#   - no log message ending in "\n": the *_LOG macros add it;
#   - every .c and .h starts with the SPDX line;
#   - without FILE arguments, every tracked shell script passes
#     ShellCheck at warning level (a package devtools/setup-debian.sh
#     installs; without it, a note says so).
#
# Usage: devtools/check-style.sh [FILE...]   (default: every tracked
# *.c and *.h; outside a git checkout, exit 77: skipped). Prints
# "FILE:LINE: problem" for each, then "check-style: N problem(s)"
# (exit 1) or "check-style: ok" (exit 0).

set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

case ${1:-} in
-h|--help)
	sed -n '4,23s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac

out=$(mktemp)
trap 'rm -f "$out"' EXIT
if [ $# -eq 0 ]; then
	if ! command -v git >/dev/null 2>&1 || [ ! -e .git ]; then
		echo "check-style: skipped: not a git checkout (give the files)"
		exit 77
	fi
	# Tracked file names have no white space.
	if command -v shellcheck >/dev/null 2>&1; then
		# shellcheck disable=SC2046
		shellcheck -x -S warning -f gcc $(git ls-files '*.sh') >>"$out" || true
	else
		echo "check-style: note: shellcheck not found: shell scripts not checked"
	fi
	# shellcheck disable=SC2046
	set -- $(git ls-files '*.c' '*.h')
fi
for f in "$@"; do
	[ -r "$f" ] || { echo "$f: cannot read" >>"$out"; continue; }
	case $f in
	lib/*|drivers/*) lib=1 ;;
	*) lib=0 ;;
	esac
	awk -v f="$f" -v lib="$lib" '
	# Columns of a line, tabs at 8.
	function cols(s,    i, c, n) {
		n = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			n = c == "\t" ? n - n % 8 + 8 : n + 1
		}
		return n
	}
	NR == 1 && $0 !~ /SPDX-License-Identifier/ {
		print f ":1: no SPDX-License-Identifier line first"
	}
	/^ / && $0 !~ /^ \*/ { print f ":" NR ": indented with spaces" }
	/[ \t]$/ { print f ":" NR ": trailing white space" }
	$0 !~ /"/ && cols($0) > 100 {
		print f ":" NR ": " cols($0) " columns (at most 100)"
	}
	lib && /(^|[^_a-z])rte_(panic|exit)\(/ {
		print f ":" NR ": rte_panic()/rte_exit() in a library or driver"
	}
	/_LOG\([A-Z]+,/ { inlog = 1 }
	inlog && /\\n"/ { print f ":" NR ": log message ending in \\n (the macro adds it)" }
	inlog && /\);[ \t]*$/ { inlog = 0 }
	' "$f" >>"$out"
done
n=$(wc -l <"$out")
if [ "$n" -ne 0 ]; then
	cat "$out"
	echo "check-style: $n problem(s)"
	exit 1
fi
echo "check-style: ok ($# files)"
