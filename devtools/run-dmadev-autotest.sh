#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# DPDK's own dmadev conformance suite (dpdk-test's dmadev_autotest) against
# our dma_sw plugin, in two configurations: engine on a service core, and
# on a dedicated lcore. A configuration passes when dpdk-test exits 0, says
# "Test OK", ran the instance tests on our device, and none of that device's
# sections was skipped (error handling, fill, burst capacity): our driver
# must support them all. The dma_skeleton device that the suite creates for
# its API tests may skip them.
#
# The plugin is copied into a private folder under
# $HOME/.cache/dpdk-offload-copy first: EAL refuses -d plugins below a
# world-writable folder, such as a checkout under /tmp.
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
Usage: $0 [--build DIR] [--plugin PATH] [--results FILE] [-h|--help]

Run dpdk-test's dmadev_autotest on dma_sw0, engine on a service core and on
a dedicated lcore; print PASS or FAIL for each, with the log's tail on
failure. Exit status 0 only when all passed.

  --build DIR      build folder (default: build); the plugin is
                   DIR/drivers/librte_dma_sw.so
  --plugin PATH    plugin file, or folder of librte_*.so, to load with -d
  --results FILE   append one line "PASS|FAIL <configuration>" per run
  -h, --help       this text

Environment: DMA_AUTOTEST_VDEV=dma_skeleton checks this script on DPDK's
skeleton driver; DPDK_TEST_BIN (default /usr/bin/dpdk-test);
DMA_AUTOTEST_TIMEOUT (seconds per run, default 300);
OFFLOAD_PLUGIN_CACHE (default \$HOME/.cache/dpdk-offload-copy).
EOF
}

build="$ROOT/build"
plugin=""
results=""
while [ $# -gt 0 ]; do
	case $1 in
	--build) [ $# -ge 2 ] || die "--build needs a folder"; build=$2; shift ;;
	--plugin) [ $# -ge 2 ] || die "--plugin needs a path"; plugin=$2; shift ;;
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
if [ $strict -eq 1 ] || [ -n "$plugin" ]; then
	[ -n "$plugin" ] || plugin="$build/drivers/librte_dma_sw.so"
	stage_plugins "$plugin"
	if [ -n "$PLUGIN_DIR" ]; then
		eal_d=$PLUGIN_DIR
		note "plugin: $plugin, loaded from the private copy $PLUGIN_DIR"
	fi
else
	note "DMA_AUTOTEST_VDEV=$vdev: script check on DPDK's skeleton driver," \
		"no plugin of ours, skipped sections allowed"
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

# check LOG: why the run in LOG does not pass, on stdout; nothing if it does.
# dpdk-test rewrites progress lines with "\r": those are split first.
check() {
	tr '\r' '\n' < "$1" | awk -v dev="${vdev%%,*}" -v strict=$strict -v forbidden="$FORBIDDEN" '
		BEGIN { n = split(forbidden, bad, "\n") }
		/^### Test dmadev instance / {
			name = $0
			sub(/^[^[]*\[/, "", name)
			sub(/\].*$/, "", name)
			cur = name
			if (name == dev)
				seen = 1
			next
		}
		/^### / { cur = ""; next }
		/Test OK/ { ok = 1 }
		strict && cur == dev {
			for (i = 1; i <= n; i++)
				if (index($0, bad[i]) && !(bad[i] in why))
					why[bad[i]] = 1
		}
		END {
			msg = ""
			if (!ok)
				msg = "no \"Test OK\""
			if (!seen)
				msg = msg (msg == "" ? "" : "; ") "no instance tests on " dev
			for (b in why)
				msg = msg (msg == "" ? "" : "; ") dev ": \"" b "\""
			if (msg != "")
				print msg
		}'
}

passed=0
failed=0

# run NAME EAL-ARGS...: one configuration.
run() {
	name=$1
	shift
	log="$logdir/$name.log"
	# shellcheck disable=SC2086
	set -- "$@" $EAL_MEM
	[ -z "$eal_d" ] || set -- "$@" -d "$eal_d"
	echo "--- dmadev_autotest [$name]: DPDK_TEST=dmadev_autotest $DPDK_TEST_BIN $*"
	rc=0
	DPDK_TEST=dmadev_autotest timeout -k 10 "$TIMEOUT_S" "$DPDK_TEST_BIN" "$@" \
		</dev/null >"$log" 2>&1 || rc=$?
	why=$(check "$log")
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

# --no-pci: only our virtual device and the suite's skeleton are tested,
# never a hardware DMA engine that happens to be bound to vfio-pci.
run service-core -l 0-1 -s 0x2 --iova-mode=va --no-pci --vdev "$vdev"
run dedicated-lcore -l 0-1 --iova-mode=va --no-pci --vdev "$vdev,lcore=1"

echo "dmadev_autotest: $passed passed, $failed failed"
[ $failed -eq 0 ]
