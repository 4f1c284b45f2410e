#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# DPDK's own dmadev conformance suite (dpdk-test's dmadev_autotest) against
# our plugins:
#  - dma_sw, engine on a service core, and on a dedicated lcore;
#  - dma_offload over dma_sw engines, with each policy (auto, engine, cpu),
#    and with its default arguments (engines=all, policy=auto: the engines
#    are then every dmadev not in use when it starts, dma_skeleton
#    included).
# The suite tests every dmadev in turn, so an offload run tests the dma_sw
# engines on their own first (the lower ids), then dma_offload, which owns
# them from its start to its stop only.
#
# A configuration passes when dpdk-test exits 0, says "Test OK", ran the
# instance tests on each of our devices, and none of their sections was
# skipped (error handling, fill, burst capacity): our drivers advertise
# them all. The dma_skeleton device that the suite creates for its API tests
# may skip them.
#
# The plugins are copied into a private folder under
# $HOME/.cache/dpdk-offload-copy first: EAL refuses -d plugins below a
# world-writable folder, such as a checkout under /tmp. dma_offload needs
# liboffload_copy.so: the build's copy is put on LD_LIBRARY_PATH.
#
# Debugging the script itself: DMA_AUTOTEST_VDEV=dma_skeleton runs the same
# configurations on DPDK's skeleton driver (installed with Debian's dpdk),
# with no plugin of ours and with the skipped sections allowed.

set -eu

PROG=run-dmadev-autotest
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

DPDK_TEST_BIN=${DPDK_TEST_BIN:-/usr/bin/dpdk-test}
TIMEOUT_S=${DMA_AUTOTEST_TIMEOUT:-300}
TAIL_LINES=40
# Sections of the instance tests that our device must not skip.
FORBIDDEN="skipping error handling tests
skipping fill tests
insufficient burst capacity"

usage() {
	cat <<EOF
Usage: $0 [--build DIR] [--plugin PATH]... [--results FILE] [-h|--help]

Run dpdk-test's dmadev_autotest on dma_sw0, engine on a service core and on
a dedicated lcore, and on dma_offload0 over dma_sw engines with each policy;
print PASS or FAIL for each, with the log's tail on failure. Exit status 0
only when all passed.

  --build DIR      build folder (default: build); the plugins are
                   DIR/drivers/librte_dma_sw.so and librte_dma_offload.so,
                   the library DIR/lib/offload_copy/liboffload_copy.so
  --plugin PATH    plugin file, or folder of librte_*.so, to load with -d
                   (may be repeated; instead of the build's plugins). The
                   dma_offload runs need librte_dma_offload.so among them
  --results FILE   append one line "PASS|FAIL <configuration>" per run
  -h, --help       this text

Environment: DMA_AUTOTEST_VDEV=dma_skeleton checks this script on DPDK's
skeleton driver; DPDK_TEST_BIN (default /usr/bin/dpdk-test);
DMA_AUTOTEST_TIMEOUT (seconds per run, default 300);
OFFLOAD_PLUGIN_CACHE (default \$HOME/.cache/dpdk-offload-copy).
EOF
}

build="$ROOT/build"
plugins=""
results=""
while [ $# -gt 0 ]; do
	case $1 in
	--build) [ $# -ge 2 ] || die "--build needs a folder"; build=$2; shift ;;
	--plugin) [ $# -ge 2 ] || die "--plugin needs a path"; plugins="$plugins$2$NL"; shift ;;
	--results) [ $# -ge 2 ] || die "--results needs a file"; results=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done

vdev=${DMA_AUTOTEST_VDEV:-dma_sw0}
case $vdev in
dma_sw*) strict=1 ;;
dma_skeleton*) strict=0 ;;
*) die "DMA_AUTOTEST_VDEV=$vdev: expected dma_sw<N> or dma_skeleton" ;;
esac

[ -x "$DPDK_TEST_BIN" ] || die "$DPDK_TEST_BIN not found (apt-get install dpdk-dev)"
command -v timeout >/dev/null || die "timeout not found (coreutils)"

eal_d=""
offload=0
if [ $strict -eq 1 ] || [ -n "$plugins" ]; then
	[ -n "$plugins" ] || plugins="$build/drivers/librte_dma_sw.so$NL$build/drivers/librte_dma_offload.so$NL"
	# Whether dma_offload is among them (a file, or in a folder).
	saved_ifs=$IFS
	IFS=$NL
	for p in $plugins; do
		if [ "$(basename -- "$p")" = librte_dma_offload.so ] ||
				[ -f "$p/librte_dma_offload.so" ]; then
			offload=1
		fi
	done
	# shellcheck disable=SC2086
	stage_plugins $plugins
	IFS=$saved_ifs
	if [ -n "$PLUGIN_DIR" ]; then
		eal_d=$PLUGIN_DIR
		note "plugins: $(printf '%s' "$plugins" | tr '\n' ' ')loaded from" \
			"the private copy $PLUGIN_DIR"
	fi
else
	note "DMA_AUTOTEST_VDEV=$vdev: script check on DPDK's skeleton driver," \
		"no plugin of ours, skipped sections allowed"
fi
if [ $strict -eq 1 ] && [ $offload -eq 0 ]; then
	note "librte_dma_offload.so is not among the plugins: dma_offload runs skipped"
fi
# liboffload_copy.so, which librte_dma_offload.so needs, from the build
# (its RUNPATH is relative to the build folder, not to the private copy).
if [ -d "$build/lib/offload_copy" ]; then
	LD_LIBRARY_PATH="$(cd "$build/lib/offload_copy" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
fi

eal_mem_args
note "memory: $EAL_MEM_NOTE"

if [ -d "$build" ]; then
	logdir="$build/dmadev-autotest"
	mkdir -p "$logdir"
else
	logdir=$(mktemp -d)
	cleanup_add "$logdir"
fi

# check LOG DEVS: why the run in LOG does not pass, on stdout; nothing if it
# does. DEVS: the devices (space-separated) that must have had their
# instance tests, with no forbidden skip when strict. dpdk-test rewrites
# progress lines with "\r": those are split first.
check() {
	tr '\r' '\n' < "$1" | awk -v devs="$2" -v strict=$strict -v forbidden="$FORBIDDEN" '
		BEGIN {
			n = split(forbidden, bad, "\n")
			nd = split(devs, dev, " ")
			for (d = 1; d <= nd; d++)
				want[dev[d]] = 1
		}
		/^### Test dmadev instance / {
			name = $0
			sub(/^[^[]*\[/, "", name)
			sub(/\].*$/, "", name)
			cur = name
			if (name in want)
				seen[name] = 1
			next
		}
		/^### / { cur = ""; next }
		/Test OK/ { ok = 1 }
		strict && (cur in want) {
			for (i = 1; i <= n; i++)
				if (index($0, bad[i]) && !((cur ": \"" bad[i] "\"") in why))
					why[cur ": \"" bad[i] "\""] = 1
		}
		END {
			msg = ""
			if (!ok)
				msg = "no \"Test OK\""
			for (d = 1; d <= nd; d++)
				if (!(dev[d] in seen))
					msg = msg (msg == "" ? "" : "; ") "no instance tests on " dev[d]
			for (b in why)
				msg = msg (msg == "" ? "" : "; ") b
			if (msg != "")
				print msg
		}'
}

passed=0
failed=0

# run NAME DEVS EAL-ARGS...: one configuration; DEVS as for check().
run() {
	name=$1
	devs=$2
	shift 2
	log="$logdir/$name.log"
	# shellcheck disable=SC2086
	set -- "$@" $EAL_MEM
	[ -z "$eal_d" ] || set -- "$@" -d "$eal_d"
	echo "--- dmadev_autotest [$name]: DPDK_TEST=dmadev_autotest $DPDK_TEST_BIN $*"
	rc=0
	DPDK_TEST=dmadev_autotest timeout -k 10 "$TIMEOUT_S" "$DPDK_TEST_BIN" "$@" \
		</dev/null >"$log" 2>&1 || rc=$?
	why=$(check "$log" "$devs")
	case $rc in
	0) ;;
	124|137) why="timed out after $TIMEOUT_S s${why:+; $why}" ;;
	*) why="dpdk-test exit status $rc${why:+; $why}" ;;
	esac
	if [ -z "$why" ]; then
		echo "PASS dmadev_autotest [$name]"
		passed=$((passed + 1))
		[ -z "$results" ] || echo "PASS dmadev_autotest [$name]" >> "$results"
	else
		echo "FAIL dmadev_autotest [$name]: $why"
		echo "--- last $TAIL_LINES lines of $log:"
		tr '\r' '\n' < "$log" | grep -v '^Ops submitted:' | tail -n $TAIL_LINES
		echo "---"
		failed=$((failed + 1))
		[ -z "$results" ] || echo "FAIL dmadev_autotest [$name]" >> "$results"
	fi
}

# --no-pci: only our virtual devices and the suite's skeleton are tested,
# never a hardware DMA engine that happens to be bound to vfio-pci.
sw=${vdev%%,*}
run service-core "$sw" -l 0-1 -s 0x2 --iova-mode=va --no-pci --vdev "$vdev"
run dedicated-lcore "$sw" -l 0-1 --iova-mode=va --no-pci --vdev "$vdev,lcore=1"

# dma_offload: its engines are probed first (vdevs are probed in
# command-line order, and dma_offload resolves engines= at its probe); both
# dma_sw services share service lcore 1.
if [ $strict -eq 1 ] && [ $offload -eq 1 ]; then
	for policy in auto engine; do
		run "offload-$policy" "dma_sw0 dma_sw1 dma_offload0" \
			-l 0-1 -s 0x2 --iova-mode=va --no-pci \
			--vdev dma_sw0 --vdev dma_sw1 \
			--vdev "dma_offload0,engines=dma_sw0:dma_sw1,policy=$policy"
	done
	run offload-cpu "dma_sw0 dma_offload0" \
		-l 0-1 -s 0x2 --iova-mode=va --no-pci \
		--vdev dma_sw0 --vdev dma_offload0,engines=dma_sw0,policy=cpu
	run offload-defaults "dma_sw0 dma_offload0" \
		-l 0-1 -s 0x2 --iova-mode=va --no-pci \
		--vdev dma_sw0 --vdev dma_offload0
fi

echo "dmadev_autotest: $passed passed, $failed failed"
[ $failed -eq 0 ]
