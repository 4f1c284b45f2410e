#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# dpdk-vswitch-copy with two verified virtio-user guests
# (dpdk-vswitch-copy-peer): guest B generates frames to guest A, A checks
# each one and echoes it, B checks each echo. Topology:
#
#   peer B (gen) ── b.sock ── dpdk-vswitch-copy ── a.sock ── peer A (echo)
#
# The switch's copies go through dma_offload0 over one dma_sw engine in
# its strict domain (only memory mapped for it is reachable: the guests'
# memory is reachable only through the switch's registrations), the
# engine's service on service lcore 1. Everything runs without hugepages
# (--no-huge: the guests share memfd memory with the switch).
#
# Usage: vswitch-copy-test.sh SCENARIO SWITCH_BIN PEER_BIN
#   traffic     offload, engine policy (every copy the engine can take
#               goes to it: the guests' memory must be registered for the
#               strict domain, or copies fail): every frame intact, counts
#               match, engine copies > 0, no copy error, mappings back to
#               baseline
#   auto        the same with the library's default (auto) policy, which
#               may keep every copy on the CPU on a loaded machine: no
#               engine share is required
#   cpu         --no-offload: the same checks on plain CPU vhost
#   corrupt     negative check: guest B corrupts 1 frame in 1000 after
#               stamping it; both guests must fail, naming the corruption
#   reconnect   (engine policy) guest B drops its port and attaches it again every 2000
#               frames: only frames in flight then may be lost, maps ==
#               unmaps, mappings and mbufs back to baseline
#   stall       engine policy; the engine's service is unmapped for 600 ms
#               mid-traffic: the library reports a stall, the CPU takes
#               new copies (failovers > 0), every frame intact
#   memtable    (engine policy) guest B, on hugepages, grows its memory
#               mid-traffic: the switch drains, unregisters the old table,
#               registers the new one; every frame intact, none lost
#   signal      SIGTERM to the switch mid-traffic: exit 0, everything
#               drained, unregistered, mbufs back
# Exit: 0 pass, 1 fail, 77 skip (not root, or no virtio_user driver).

set -u

scenario=${1:?scenario}
SW=${2:?switch binary}
PEER=${3:?peer binary}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: vhost-user sockets and DPDK runs need root"
	exit 77
fi

dir=$(mktemp -d /tmp/vsw-test.XXXXXX) || exit 1
tag="vsw$$"
pids=""
cleanup() {
	local p
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "${VSW_KEEP:-}" ] && { echo "logs kept in $dir"; return; }
	rm -rf "$dir" "/var/run/dpdk/$tag-"*
}
trap cleanup EXIT
# meson's timeout sends SIGTERM: clean up then too (bash runs no EXIT trap
# on a signal it does not trap).
trap 'exit 1' INT TERM

fail() {
	echo "FAIL ($scenario): $*"
	for f in "$dir"/*.log; do
		echo "----- $(basename "$f") (tail)"
		grep -v '^VHOST_CONFIG' "$f" | tail -25
	done
	exit 1
}

# value KEY: from the switch's summary line.
value() {
	sed -n 's/.*vswitch-copy summary:.* '"$1"'=\([0-9.]*\).*/\1/p' "$dir/sw.log" | tail -1
}

DEVS="--vdev dma_sw0,domain=strict --vdev dma_offload0,engines=dma_sw0"
sw_args=()
# Counts and time limits fit a loaded 2-core machine, where a starved
# dma_sw service can make a run last a minute: guests give up after 240 s,
# the switch after 280 s, meson after 300 s.
gen_args=(--count 10000 --sizes 64,512,1518,9000 --window 64 --idle-ms 5000 --timeout 240)
echo_args=(--idle-ms 5000 --timeout 240)
case $scenario in
traffic) DEVS="$DEVS,policy=engine" ;;
auto) ;;
cpu) sw_args+=(--no-offload) ;;
corrupt)
	gen_args=(--count 5000 --sizes 64,1518,9000 --window 64 --corrupt-every 1000 --timeout 240)
	;;
reconnect)
	DEVS="$DEVS,policy=engine"
	gen_args+=(--reconnect-every 2000)
	;;
stall)
	DEVS="$DEVS,policy=engine"
	sw_args+=(--test-stall 300:600)
	# Traffic that does not wait for completions (no window, into a
	# sink), paced below what the engine copies so that the queues have
	# room when the stall begins: frames keep arriving while the engine
	# is stalled, and their copies go to the CPU. Guests' rings may then
	# overflow: every frame must be either received intact or counted as
	# a drop by the switch.
	gen_args=(--count 20000 --sizes 1518,9000 --window 0 --pps 8000 --timeout 240)
	a_role=sink
	;;
memtable)
	# Guest B grows its memory by 64 MiB mid-traffic: a new memory table
	# while the switch runs (engine policy: copies need the new mapping).
	DEVS="$DEVS,policy=engine"
	gen_args+=(--mbufs 2047 --grow-at 3000:64)
	;;
signal) gen_args=(--count 100000000 --sizes 64,1518,9000 --window 64 --timeout 240) ;;
*) echo "unknown scenario '$scenario'"; exit 1 ;;
esac

# shellcheck disable=SC2086
"$SW" -l 0-1 -s 0x2 --no-huge -m 256 --no-pci --file-prefix "$tag-sw" \
	--log-level=user.vswitch_copy:info $DEVS -- \
	--socket "$dir/a.sock" --socket "$dir/b.sock" --idle-yield \
	--drain-timeout-ms 3000 --duration 280 "${sw_args[@]}" >"$dir/sw.log" 2>&1 &
swpid=$!
pids="$pids $swpid"
for _ in $(seq 100); do
	[ -S "$dir/a.sock" ] && [ -S "$dir/b.sock" ] && break
	kill -0 $swpid 2>/dev/null || fail "the switch exited at start"
	sleep 0.1
done
[ -S "$dir/b.sock" ] || fail "the switch's sockets did not appear"

# Run a guest (exec: in a subshell, "peer ... &" or "(peer ...)", so
# that $! is the guest itself and signals reach it).
peer() { # NAME LCORE SOCKET ARGS...
	local name=$1 lcore=$2 sock=$3
	shift 3
	local mem="--no-huge -m 256"
	# memtable: guest B on hugepages (dynamic memory: it can grow).
	[ "$scenario" = memtable ] && [ "$name" = b ] && mem="--single-file-segments"
	# shellcheck disable=SC2086
	exec "$PEER" -l "$lcore" $mem --no-pci --file-prefix "$tag-$name" \
		--vdev "net_virtio_user0,path=$sock,queues=1" -- "$@" \
		>"$dir/$name.log" 2>&1
}

peer a 0 "$dir/a.sock" --role "${a_role:-echo}" --id 2 "${echo_args[@]}" &
apid=$!
pids="$pids $apid"
# Guest B's first frames are flooded to the ports that are up: guest A
# must be up by then, or they are dropped (no_dest) and B waits for echoes
# that never come. A fixed pause was not enough on a loaded machine.
for _ in $(seq 300); do
	grep -q 'vswitch: port 0: guest up' "$dir/sw.log" && break
	kill -0 $apid 2>/dev/null || fail "guest A exited at start"
	sleep 0.1
done
grep -q 'vswitch: port 0: guest up' "$dir/sw.log" || fail "guest A never came up"
if [ "$scenario" = signal ]; then
	peer b 1 "$dir/b.sock" --role gen --id 1 --to 2 "${gen_args[@]}" &
	bpid=$!
	pids="$pids $bpid"
	for _ in $(seq 300); do
		grep -q 'vswitch: port 1: guest up' "$dir/sw.log" && break
		sleep 0.1
	done
	grep -q 'vswitch: port 1: guest up' "$dir/sw.log" || fail "guest B never came up"
	sleep 1	# traffic in flight
	kill -TERM $swpid
	wait $swpid
	swrc=$?
	[ $swrc -eq 0 ] || fail "the switch exited with $swrc at SIGTERM"
	kill -INT $bpid $apid 2>/dev/null
	wait $bpid $apid
	rx=$(value rx)
	[ "${rx:-0}" -gt 0 ] || fail "no traffic before the signal"
	grep -q 'guest memory unregistered' "$dir/sw.log" || fail "guest memory not unregistered"
	[ "$(value mbufs_in_use)" = 0 ] || fail "mbufs still in use at exit: $(value mbufs_in_use)"
	[ "$(value guest_segments_left)" = 0 ] || fail "guest mappings left at exit"
	grep -Eq 'mappings: ([0-9]+) segment\(s\) mapped at exit, \1 before' "$dir/sw.log" ||
		fail "mappings not back to baseline"
	echo "PASS ($scenario): $(grep 'vswitch-copy summary' "$dir/sw.log")"
	exit 0
fi

(peer b 1 "$dir/b.sock" --role gen --id 1 --to 2 "${gen_args[@]}")
brc=$?
# The switch's telemetry, while it and guest A still run (traffic
# scenario: A waits for its idle time before it leaves).
if [ "$scenario" = traffic ]; then
	python3 - "/var/run/dpdk/$tag-sw/dpdk_telemetry.v2" >"$dir/telemetry.log" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(16384).decode())
out = {}
for cmd in ("/vswitch_copy/stats", "/vswitch_copy/ports", "/vswitch_copy/port,0"):
    s.send(cmd.encode())
    out.update(json.loads(s.recv(65536).decode()))
print(json.dumps(out))
st, p0 = out["/vswitch_copy/stats"], out["/vswitch_copy/port"]
ok = (st["packets_switched"] > 0 and st["copies_engine"] > 0 and
      out["/vswitch_copy/ports"] == [0, 1] and p0["connects"] == 1 and
      p0["guest_maps"] >= 1 and p0["rx"] > 0)
sys.exit(0 if ok else 1)
PY
	tel=$?
fi
wait $apid
arc=$?
kill -INT $swpid
wait $swpid
swrc=$?

if [ "$scenario" = corrupt ]; then
	# The guests must notice: a check that cannot fail proves nothing.
	[ $arc -eq 1 ] || fail "guest A exited $arc with corrupt frames (expected 1)"
	[ $brc -eq 1 ] || fail "guest B exited $brc with corrupt echoes (expected 1)"
	grep -q ' corrupt [1-9][0-9]* ' "$dir/a.log" || fail "guest A counted no corrupt frame"
	# Exactly the injected ones (every 1000th): no false positive.
	for q in $(sed -n 's/^peer 2: seq \([0-9]*\) .*: corrupt$/\1/p' "$dir/a.log"); do
		[ $(((q + 1) % 1000)) -eq 0 ] || fail "frame $q reported corrupt, none was injected there"
	done
	grep -q ': corrupt$' "$dir/a.log" || fail "guest A did not name a corrupt byte"
	[ $swrc -eq 0 ] || fail "the switch exited with $swrc"
	echo "PASS ($scenario): $(grep 'echo: received' "$dir/a.log")"
	exit 0
fi

[ $brc -eq 0 ] || fail "guest B (gen) exited $brc"
[ "${tel:-0}" -eq 0 ] || fail "telemetry: $(cat "$dir/telemetry.log")"
[ $arc -eq 0 ] || fail "guest A (echo) exited $arc"
[ $swrc -eq 0 ] || fail "the switch exited with $swrc"
grep -q 'vswitch-copy summary' "$dir/sw.log" || fail "no summary from the switch"
[ "$(value copy_errors)" = 0 ] || fail "copy errors: $(value copy_errors)"
[ "$(value mbufs_in_use)" = 0 ] || fail "mbufs still in use at exit: $(value mbufs_in_use)"
[ "$(value guest_segments_left)" = 0 ] || fail "guest mappings left at exit"
[ "$(value guest_maps)" = "$(value guest_unmaps)" ] ||
	fail "guest maps $(value guest_maps) != unmaps $(value guest_unmaps)"
if [ "$scenario" != cpu ]; then
	grep -q 'guest memory registered for DMA' "$dir/sw.log" || fail "no guest registration"
	grep -Eq 'mappings: ([0-9]+) segment\(s\) mapped at exit, \1 before' "$dir/sw.log" ||
		fail "mappings not back to baseline"
fi
if [ "$scenario" != cpu ] && [ "$scenario" != auto ]; then
	[ "$(value engine_ops)" -gt 0 ] || fail "no copy ran on the engine"
fi
sent=$(sed -n 's/.*gen: sent \([0-9]*\) received \([0-9]*\).*/\1 \2/p' "$dir/b.log")
read -r s r <<<"$sent"
case $scenario in
stall)
	rcv=$(sed -n 's/.*sink: received \([0-9]*\) .*/\1/p' "$dir/a.log")
	[ $((rcv + $(value drops))) = "$s" ] ||
		fail "sent $s, received $rcv + dropped $(value drops) by the switch"
	;;
memtable)
	grep -q 'memory grown by 64 MiB' "$dir/b.log" || fail "guest B did not grow its memory"
	n=$(grep -c 'port 1: guest memory registered' "$dir/sw.log")
	[ "$n" -ge 2 ] || fail "guest B's memory registered $n time(s): the new table was not"
	grep -q 'port 1: guest memory unregistered' "$dir/sw.log" || fail "old table not unregistered"
	[ "$s" = "$r" ] || fail "sent $s, received $r"
	;;
traffic|auto|cpu)
	[ "$(value drops)" = 0 ] || fail "drops: $(value drops)"
	[ "$s" = "$r" ] || fail "sent $s, received $r"
	[ "$(value rx)" = $((2 * s)) ] || fail "switch rx $(value rx), expected $((2 * s))"
	[ "$(value tx)" = $((2 * s)) ] || fail "switch tx $(value tx), expected $((2 * s))"
	;;
reconnect)
	n=$(grep -c 'port 1: guest up' "$dir/sw.log")
	[ "$n" -eq 5 ] || fail "guest B came up $n time(s), expected 5"
	[ "$(value guest_maps)" -ge 6 ] || fail "guest maps $(value guest_maps): not one per connection"
	;;
esac
if [ "$scenario" = stall ]; then
	grep -q 'test: engine dma_sw0 stalled' "$dir/sw.log" || fail "the engine was not stalled"
	[ "$(value engine_stalls)" -gt 0 ] || fail "the library saw no stall"
	[ "$(value copy_failovers)" -gt 0 ] || fail "the CPU took no copy over"
fi
echo "PASS ($scenario): $(grep 'vswitch-copy summary' "$dir/sw.log")"
echo "  $(grep 'gen: sent' "$dir/b.log")"
exit 0
