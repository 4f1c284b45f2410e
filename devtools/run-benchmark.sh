#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# The project's main job: set up (devtools/setup-debian.sh, quick when
# done), then measure copy throughput of the CPU, dma_sw0, DPDK's
# dma_skeleton0 (its thread pinned to lcore 1) and lib/offload_copy's
# automatic mode over dma_sw0 with dpdk-test-offload. The plugins of build/drivers are loaded from a private
# copy (EAL refuses -d below a world-writable folder such as /tmp).
#
# Usage: devtools/run-benchmark.sh [TOOL-OPTIONS...]
# TOOL-OPTIONS replace TOOL_ARGS of this script (dpdk-test-offload --help).

set -eu

# Adjust here as the tool evolves.
TOOL=build/app/test-offload/dpdk-test-offload
EAL_ARGS="-l 0-1 -s 0x2 --iova-mode=va --vdev dma_sw0 --vdev dma_skeleton0,lcore=1"
TOOL_ARGS="--mode cpu,dma,offload --dev dma_sw0 --dev dma_skeleton0 --offload engines=dma_sw0 --sizes 64-1048576:x4"

PROG=run-benchmark
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h|--help)
	sed -n '4,12s/^# \{0,1\}//p' "$0"
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
exit $rc
