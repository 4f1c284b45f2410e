#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# The project's main job: set up (devtools/setup-debian.sh, quick when
# done), then sweep copy sizes from 64 B to 1 MiB with dpdk-test-offload on
# the CPU, on dma_sw0 and through lib/offload_copy's automatic mode over
# dma_sw0, three rounds in turns (about 90 s), every copy checked once
# its pass over the pools is delivered, outside the measured time
# (--verify pass: the figures are the copies' alone); print the table and the
# medians of the rounds' ratios, write the results (CSV, JSON) and plot them
# (devtools/plot-benchmark.sh) into $BENCH_OUT (default build/benchmark).
# The plugins of build/drivers are loaded from a private copy (EAL refuses
# -d below a world-writable folder such as /tmp).
#
# Usage: devtools/run-benchmark.sh [TOOL-OPTIONS...]
# TOOL-OPTIONS replace TOOL_ARGS of this script (dpdk-test-offload --help).

set -eu

# Adjust here as the tool evolves.
TOOL=build/app/test-offload/dpdk-test-offload
EAL_ARGS="-l 0-1 -s 0x2 --iova-mode=va --vdev dma_sw0"
# Three rounds in turns: on a shared machine one run's ratios move by 10-20%.
TOOL_ARGS="--mode cpu,dma,offload --dev dma_sw0 --offload engines=dma_sw0 --sizes 64-1048576:x4 --rounds 3 --verify pass"

PROG=run-benchmark
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h|--help)
	sed -n '4,15s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac

if [ "$(id -u)" -eq 0 ]; then
	"$ROOT/devtools/setup-debian.sh" || die "devtools/setup-debian.sh failed"
else
	warn "not root: devtools/setup-debian.sh skipped; building only"
	ninja -C "$ROOT/build" || die "build failed (ninja -C build)"
fi

tool="$ROOT/$TOOL"
[ -x "$tool" ] || die "$TOOL not found: the benchmark tool is not built" \
	"(ninja -C build; app/test-offload must be part of the build)"

stage_plugins "$ROOT/build/drivers"
eal_mem_args
note "memory: $EAL_MEM_NOTE"

if [ $# -eq 0 ]; then
	# shellcheck disable=SC2086
	set -- $TOOL_ARGS
fi
# Results: written before the tool's own options, which may override them.
out=${BENCH_OUT:-$ROOT/build/benchmark}
mkdir -p -- "$out" || die "cannot create $out (set BENCH_OUT)"
csv="$out/results.csv"
rm -f -- "$csv" "$out/results.json" "$out/results.png"
set -- --csv "$csv" --json "$out/results.json" "$@"
if [ -n "$PLUGIN_DIR" ]; then
	set -- -d "$PLUGIN_DIR" -- "$@"
else
	set -- -- "$@"
fi
# shellcheck disable=SC2086
set -- $EAL_ARGS $EAL_MEM "$@"
echo "$TOOL $*"
# Not exec: the private plugin copy is removed on exit.
rc=0
"$tool" "$@" || rc=$?
if [ -s "$csv" ] && [ "$(wc -l <"$csv")" -gt 1 ]; then
	note "results: $csv, $out/results.json"
	if command -v gnuplot >/dev/null 2>&1; then
		"$ROOT/devtools/plot-benchmark.sh" "$csv" "$out/results.png" ||
			warn "the plot failed (devtools/plot-benchmark.sh $csv)"
	else
		warn "gnuplot not installed: no plot (devtools/setup-debian.sh installs it)"
	fi
fi
exit $rc
