#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# The whole test suite, as CI runs it (.ci/run):
#  1. devtools/setup-debian.sh: packages, headers, hugepages, build/ (quick
#     when done; skipped with a note when not root, build/ is then only
#     built);
#  2. meson test -C build: every suite;
#  3. meson test -C build-asan --suite fast: the same sources built with
#     -Db_sanitize=address,undefined (skipped while the suite is empty);
#  4. devtools/run-benchmark.sh, short: a verified run of every mode, its
#     CSV (and plot), and a bad --offload refused (exit 2);
#  5. devtools/run-dmadev-autotest.sh: DPDK's dmadev_autotest on dma_sw0
#     and on dma_offload (six configurations).
# A build folder configured for another checkout path is set up again.
# Goes on after a failed step and ends with one line, "N passed, N failed"
# (", N skipped" when some were): meson's test results, one per
# dmadev_autotest configuration, and one failure per step that failed
# without running its tests. Exit status 0 only when nothing failed.

set -eu
set -o pipefail

PROG='test'
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [-h|--help]

Set up (devtools/setup-debian.sh), build and run every test of the project;
ends with "N passed, N failed[, N skipped]". Run as root on Debian 12.
EOF
}

case ${1:-} in
"") ;;
-h|--help) usage; exit 0 ;;
*) usage >&2; die "unknown argument '$1'" ;;
esac

cd "$ROOT"
passed=0
failed=0
skipped=0
failures=""

work=$(mktemp -d)
cleanup_add "$work"

step() {
	echo
	echo "=== $PROG: $*"
}

step_failed() {
	echo "$PROG: FAILED: $*" >&2
	failed=$((failed + 1))
	failures="$failures
  $*"
}

# meson_test NAME DIR ARGS...: run meson test -C DIR ARGS, add its summary
# counts.
meson_test() {
	local name=$1 dir=$2 log rc=0 counts ok fail skip seen
	shift 2
	log=$(mktemp "$work/meson.XXXXXX")
	meson test -C "$dir" "$@" 2>&1 | tee "$log" || rc=$?
	# Summary lines of meson test: Ok, Expected Fail, Fail, Unexpected
	# Pass, Skipped, Timeout.
	counts=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
		/^Ok:/ { ok += $2 }
		/^Expected Fail:/ { ok += $3 }
		/^Fail:/ { fail += $2 }
		/^Unexpected Pass:/ { fail += $3 }
		/^Timeout:/ { fail += $2 }
		/^Skipped:/ { skip += $2 }
		/^(Ok|Fail|Skipped):/ { seen = 1 }
		END { print ok + 0, fail + 0, skip + 0, seen + 0 }')
	read -r ok fail skip seen <<<"$counts"
	passed=$((passed + ok))
	skipped=$((skipped + skip))
	if [ "$fail" -gt 0 ]; then
		failed=$((failed + fail))
		failures="$failures
  $name: $fail test(s), see $dir/meson-logs/testlog.txt"
	elif [ "$seen" -eq 0 ]; then
		if [ $rc -ne 0 ]; then
			step_failed "$name: meson test exit status $rc (build error?)"
		else
			note "$name: no tests defined yet"
		fi
	elif [ $rc -ne 0 ]; then
		step_failed "$name: meson test exit status $rc"
	fi
}

# Whether build folder $1 has a test in suite $2 (meson names suites
# "project:suite"; an unknown --suite is no error, it runs nothing).
has_suite() {
	meson introspect --tests "$1" | python3 -c '
import json, sys
want = sys.argv[1]
tests = json.load(sys.stdin)
sys.exit(0 if any(s == want or s.endswith(":" + want)
		  for t in tests for s in t["suite"]) else 1)' "$2"
}

# 1. Set-up and build.
if [ "$(id -u)" -eq 0 ]; then
	step "devtools/setup-debian.sh"
	devtools/setup-debian.sh || step_failed "devtools/setup-debian.sh"
else
	step "not root: devtools/setup-debian.sh skipped (packages, SDK headers and" \
		"hugepages are assumed set up); building build/"
	if build_dir_moved build; then
		meson setup --wipe build || step_failed "meson setup --wipe build"
	elif [ ! -f build/build.ninja ]; then
		meson setup build || step_failed "meson setup build"
	fi
	ninja -C build || step_failed "ninja -C build"
fi

# 2. Every suite.
step "meson test -C build --print-errorlogs"
if [ -f build/build.ninja ]; then
	meson_test "meson test (build)" build --print-errorlogs
else
	step_failed "meson test (build): build/ is not configured"
fi

# 3. The fast suite under ASan and UBSan.
step "meson test -C build-asan --suite fast --print-errorlogs"
asan_ok=1
if build_dir_moved build-asan; then
	meson setup --wipe build-asan -Db_sanitize=address,undefined -Db_lundef=false ||
		{ step_failed "meson setup --wipe build-asan"; asan_ok=0; }
elif [ ! -f build-asan/build.ninja ]; then
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false ||
		{ step_failed "meson setup build-asan"; asan_ok=0; }
fi
if [ $asan_ok -eq 1 ]; then
	# Regenerate first: introspection of a stale tree misses new tests.
	ninja -C build-asan build.ninja >/dev/null 2>&1 || true
	if ! has_suite build-asan fast; then
		note "build-asan: no test in suite 'fast' yet: skipped"
		skipped=$((skipped + 1))
	elif ! ninja -C build-asan; then
		step_failed "ninja -C build-asan"
	else
		meson_test "meson test (build-asan, fast)" build-asan \
			--suite fast --print-errorlogs
	fi
fi

# 4. The main job, short: every mode verified, its outputs; a bad input.
step "dpdk-test-offload: a short verified run of every mode, and bad input"
bench="$work/bench"
# The main job's results: CSV (a header and 12 rows) and, with gnuplot, the plot.
if BENCH_OUT="$work/bench-out" devtools/run-benchmark.sh --mode cpu,dma,offload \
		--dev dma_sw0 --offload engines=dma_sw0 --sizes 64,4K,256K,1M --time 0.05 \
		--warmup 0 --working-set 64M >"$bench" 2>&1 &&
		grep -q '^offload  *1 MiB  *[1-9]' "$bench" &&
		grep -q '^dma:dma_sw0  *64 B  *[1-9]' "$bench" &&
		[ "$(wc -l <"$work/bench-out/results.csv")" -eq 13 ] &&
		{ ! command -v gnuplot >/dev/null 2>&1 ||
			[ -s "$work/bench-out/results.png" ]; }; then
	cat "$bench"
	passed=$((passed + 1))
else
	cat "$bench"
	step_failed "dpdk-test-offload short run (every copy verified)"
fi
rc=0
BENCH_OUT="$work/bench-out" devtools/run-benchmark.sh --mode offload --dev dma_sw0 \
	--offload policy=fast >"$bench" 2>&1 || rc=$?
if [ $rc -eq 2 ] && grep -q "policy=fast" "$bench"; then
	passed=$((passed + 1))
else
	cat "$bench"
	step_failed "dpdk-test-offload --offload policy=fast: exit $rc, expected 2"
fi

# 5. DPDK's dmadev conformance suite on our drivers.
step "devtools/run-dmadev-autotest.sh"
rc=0
devtools/run-dmadev-autotest.sh --build build --results "$work/dmadev" || rc=$?
if [ -f "$work/dmadev" ]; then
	n=$(grep -c '^PASS ' "$work/dmadev" || true)
	passed=$((passed + n))
	n=$(grep -c '^FAIL ' "$work/dmadev" || true)
	failed=$((failed + n))
	[ "$n" -eq 0 ] || failures="$failures
  dmadev_autotest: $n configuration(s), logs in build/dmadev-autotest"
fi
if [ $rc -ne 0 ] && ! grep -qs '^FAIL ' "$work/dmadev"; then
	step_failed "devtools/run-dmadev-autotest.sh exit status $rc"
fi

echo
if [ -n "$failures" ]; then
	echo "$PROG: failures:$failures"
fi
summary="$passed passed, $failed failed"
[ $skipped -eq 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ $failed -eq 0 ]
