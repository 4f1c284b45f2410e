#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# Benchmark of dpdk-vswitch-copy: throughput and switching-core cycles per
# packet, CPU copies (--no-offload) against the offload library (the
# dma_offload dmadev over one dma_sw engine, auto and engine policies), at
# 64, 512, 1518 and 9000-byte frames.
#
#   peer B (gen) ── b.sock ── switch (port pairs) ── a.sock ── peer A (echo)
#
# The generator keeps --window frames in flight; the echo checks every
# frame, sends it back and reports what it received per second (the gen
# checks the echoes); the switch reports its cycles per packet (cycles of
# the loops that moved packets / packets).
# Everything runs without hugepages. Prints one table row per size and
# mode; --csv FILE also writes them as CSV.
#
# Cores: the switching loop has lcore 0 to itself; both guests and, in the
# offload modes, the dma_sw engine's service share lcore 1 (the guests
# yield when idle). On a 2-core machine the guests and the engine are then
# the bottleneck of the throughput: the figure to compare is the switching
# core's cycles per packet. Other load on the machine makes every figure
# noisy.

set -u

PROG=vswitch-copy-bench
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [--build DIR] [--count N] [--window N] [--sizes LIST] [--modes LIST] [--csv FILE]

  --build DIR    build folder (default: build)
  --count N      frames per run (default 100000)
  --window N     frames the generator keeps in flight (default 128)
  --sizes LIST   frame sizes, comma separated (default 64,512,1518,9000)
  --modes LIST   cpu, auto, engine (default cpu,auto,engine)
  --csv FILE     also write the results as CSV
Run as root.
EOF
}

build="$ROOT/build"
count=100000
window=128
sizes="64,512,1518,9000"
modes="cpu,auto,engine"
csv=""
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--count) count=$2; shift ;;
	--window) window=$2; shift ;;
	--sizes) sizes=$2; shift ;;
	--modes) modes=$2; shift ;;
	--csv) csv=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
[ "$(id -u)" -eq 0 ] || die "run as root (vhost-user, DPDK)"
SW="$build/examples/vswitch-copy/dpdk-vswitch-copy"
PEER="$build/examples/vswitch-copy/peer/dpdk-vswitch-copy-peer"
[ -x "$SW" ] && [ -x "$PEER" ] || die "build $build first (ninja -C $build)"

dir=$(mktemp -d /tmp/vsw-bench.XXXXXX) || exit 1
tag="vswb$$"
pids=()
cleanup() {
	[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null
	rm -rf "$dir" /var/run/dpdk/$tag-*
}
trap cleanup EXIT

# Wait up to 10 s until CMD... succeeds, while process PID (its log LOG)
# runs; if it exits or the time runs out, show LOG's end and stop.
await() { # WHAT PID LOG CMD...
	local what=$1 pid=$2 log=$3
	shift 3
	for _ in $(seq 100); do
		"$@" && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$log" >&2
			die "$what: the process exited (its log above)"
		fi
		sleep 0.1
	done
	tail -n 20 "$log" >&2
	die "$what: not ready after 10 s (the log above)"
}

[ -z "$csv" ] || echo "size,mode,mpps,gbps,cycles_per_packet,copies_cpu,copies_engine,drops" >"$csv"
printf '%6s %-7s %9s %9s %12s %10s %10s %8s\n' size mode Mpps Gbit/s cycles/pkt cpu_copies eng_copies drops

run() { # SIZE MODE
	local size=$1 mode=$2 eal devs="" args=()
	case $mode in
	cpu) eal=(-l 0); args=(--no-offload) ;;
	auto) eal=(-l 0-1 -s 0x2); devs="--vdev dma_sw0,domain=strict --vdev dma_offload0,engines=dma_sw0" ;;
	engine) eal=(-l 0-1 -s 0x2); devs="--vdev dma_sw0,domain=strict --vdev dma_offload0,engines=dma_sw0,policy=engine" ;;
	*) die "unknown mode '$mode'" ;;
	esac
	rm -f "$dir"/*.sock "$dir"/*.log
	# shellcheck disable=SC2086
	"$SW" "${eal[@]}" --no-huge -m 512 --no-pci --file-prefix "$tag-sw" $devs -- \
		--socket "$dir/a.sock" --socket "$dir/b.sock" --pairs \
		"${args[@]}" >"$dir/sw.log" 2>&1 &
	local swpid=$!
	pids=("$swpid")
	await "size $size, mode $mode: the switch's sockets" "$swpid" "$dir/sw.log" \
		test -S "$dir/b.sock"
	"$PEER" -l 1 --no-huge -m 256 --no-pci --file-prefix "$tag-a" \
		--vdev "net_virtio_user0,path=$dir/a.sock,queues=1" -- \
		--role echo --id 2 --idle-ms 2000 --timeout 120 >"$dir/a.log" 2>&1 &
	local apid=$!
	pids+=("$apid")
	# The generator starts once the echo's port is up in the switch.
	await "size $size, mode $mode: the echo peer's port" "$apid" "$dir/a.log" \
		grep -q 'port 0: guest up' "$dir/sw.log"
	kill -0 "$swpid" 2>/dev/null || die "size $size, mode $mode: the switch exited"
	sleep 0.2
	"$PEER" -l 1 --no-huge -m 256 --no-pci --file-prefix "$tag-b" \
		--vdev "net_virtio_user0,path=$dir/b.sock,queues=1" -- \
		--role gen --id 1 --to 2 --window "$window" --count "$count" \
		--sizes "$size" --idle-ms 1000 --timeout 120 >"$dir/b.log" 2>&1
	wait $apid
	kill -INT $swpid
	wait $swpid
	pids=()
	local line mpps gbps cyc cpu eng drops
	line=$(grep 'echo: received' "$dir/a.log")
	mpps=$(sed -n 's/.* \([0-9.]*\) Mpps.*/\1/p' <<<"$line")
	gbps=$(sed -n 's/.* \([0-9.]*\) Gbit\/s.*/\1/p' <<<"$line")
	line=$(grep 'vswitch-copy summary' "$dir/sw.log")
	v() { sed -n "s/.* $1=\\([0-9.]*\\).*/\\1/p" <<<"$line"; }
	cyc=$(v cycles_per_packet); cpu=$(v copies_cpu); eng=$(v copies_engine); drops=$(v drops)
	if grep -q ' corrupt [1-9]' "$dir/a.log"; then
		warn "size $size mode $mode: corrupt frames! see below"
		cat "$dir/a.log" >&2
	fi
	printf '%6s %-7s %9s %9s %12s %10s %10s %8s\n' "$size" "$mode" "${mpps:-?}" \
		"${gbps:-?}" "${cyc:-?}" "${cpu:-?}" "${eng:-?}" "${drops:-?}"
	[ -z "$csv" ] || echo "$size,$mode,$mpps,$gbps,$cyc,$cpu,$eng,$drops" >>"$csv"
}

IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a mode_list <<<"$modes"
for s in "${size_list[@]}"; do
	for m in "${mode_list[@]}"; do
		run "$s" "$m"
	done
done
