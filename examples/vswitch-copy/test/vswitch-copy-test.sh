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
#   memstall    (engine policy) guest B grows its memory while the engines
#               are stalled: the frames it sent since then are still in the
#               switch's DMA path when vhost drains its queues for the new
#               table (window 512: B keeps sending into the stall). Those
#               the drain gives back must still reach guest A: every echo
#               back to B, none lost or out of order, and the switch says
#               it handed them on; the stall outlasts the drain timeout
#               (500 ms): the drain waits it out, and says so
#   memreap     (engine policy) the switch stops reaping guest B's
#               receive completions for 1.5 s (--test-no-reap) and B
#               grows its memory meanwhile: the frames for B still in
#               vhost's receive path when virtio-user disables the queue
#               are not given to B by the drain (vhost 22.11 writes no
#               used entry then). A known loss: B must fail, having lost
#               exactly the frames the switch counts as drain_lost (> 0),
#               none corrupt or duplicated
#   hold        (engine policy) guest A stops reading for 500 ms (window 512: more than
#               its ring holds): the switch holds A's frames, and every
#               echo still comes back, no drop
#   holdtimeout (engine policy) guest A, a sink, stops reading for 1500 ms and the switch
#               holds its frames for 200 ms only: it drops them (counted:
#               received + dropped = sent) and says so (hold_timeouts)
#   signal      SIGTERM to the switch mid-traffic: exit 0, everything
#               drained, unregistered, mbufs back
#   client      (engine policy) the switch in vhost-user client mode
#               (--client), the guests' virtio-user ports are the servers
#               (server=1) and start first; guest B drops its port every
#               2500 frames (its socket goes away) and attaches it again:
#               vhost's reconnection brings it back (4 connections), only
#               frames in flight then may be lost; then guest A's process
#               is killed and a new one started on the same socket: the
#               switch reconnects and a second run of B gets every frame
#               back; then the switch restarts, the guests take the new one
#               back and a third run of B gets every frame back; in both
#               switches engine copies > 0, maps == unmaps, mappings and
#               mbufs back to baseline
#   testpmd     (engine policy) guest A is Debian's dpdk-testpmd
#               (--forward-mode=macswap, no -i: --stats-period keeps it
#               running until SIGINT), B checks every frame it swaps back:
#               every one intact and addressed back, testpmd forwarded as
#               many as B sent with no drop, switch rx = tx = 2 x sent
#   flood       (engine policy) three ports, MAC learning: B sends 1518-
#               and 9000-byte frames (mbuf chains) to a station no port
#               has, flooded to A and C, both sinks: every frame intact,
#               tx + drops = 2 x rx, every mbuf back; then (CPU copies)
#               testpmd sends to 00:00:00:00:00:00 for 2 s: every frame
#               flooded to both other ports
#   options     bad command lines of the switch and the peer: exit 2,
#               with a message naming the option and what is wrong; a
#               dmadev with fewer vchans than ports: exit 1, said so
#
# Start-up waits are readiness conditions: a socket that exists, a 'guest
# up' line of the switch, a guest's 'traffic flows' line; each fails at
# once, with the process's exit status and log, if a process it waits on
# exits first. The time limit is the guests' own (240 s).
# Exit: 0 pass, 1 fail, 77 skip (not root).

# The peers' --sizes values are comma-separated lists, not array mistakes.
# shellcheck disable=SC2054
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
	local p m
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# EAL leaves its runtime folders, and hugepage files (memtable's
	# guest B) until another DPDK process starts: ours go now, logs or not.
	rm -rf "/var/run/dpdk/$tag-"*
	for m in $(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts); do
		rm -f "$m/$tag-"*
	done
	[ -n "${VSW_KEEP:-}" ] && { echo "logs kept in $dir"; return; }
	rm -rf "$dir"
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

# value KEY [LOG]: from the switch's summary line (in sw.log by default).
value() {
	sed -n 's/.*vswitch-copy summary:.* '"$1"'=\([0-9.]*\).*/\1/p' "${2:-$dir/sw.log}" | tail -1
}

# exit_clean LOG [WHO]: the switch's summary in LOG shows no copy error,
# and every mbuf and guest mapping given back (WHO starts the messages).
exit_clean() {
	local log=$1 who=${2:-}
	[ "$(value copy_errors "$log")" = 0 ] || fail "${who}copy errors: $(value copy_errors "$log")"
	[ "$(value mbufs_in_use "$log")" = 0 ] ||
		fail "${who}mbufs still in use at exit: $(value mbufs_in_use "$log")"
	[ "$(value guest_segments_left "$log")" = 0 ] || fail "${who}guest mappings left at exit"
	[ "$(value guest_maps "$log")" = "$(value guest_unmaps "$log")" ] ||
		fail "${who}guest maps $(value guest_maps "$log") != unmaps $(value guest_unmaps "$log")"
}

# options: each bad command line must exit 2 with a message naming the
# mistake (expect_bad PROGRAM MESSAGE ARGS...: ARGS after EAL's --).
if [ "$scenario" = options ]; then
	nbad=0
	expect_bad() {
		local prog=$1 msg=$2 rc
		shift 2
		nbad=$((nbad + 1))
		"$prog" -l 0 --no-huge -m 64 --no-pci --file-prefix "$tag-o" \
			--log-level=lib.eal:error -- "$@" >"$dir/o.log" 2>&1
		rc=$?
		[ $rc -eq 2 ] || fail "$(basename "$prog") $*: exit $rc, expected 2: $(cat "$dir/o.log")"
		grep -qF -- "$msg" "$dir/o.log" ||
			fail "$(basename "$prog") $*: no '$msg' in: $(cat "$dir/o.log")"
	}
	expect_bad "$SW" "at least one --socket is needed"
	expect_bad "$SW" "--dma-desc: '16' is not a number in 32..32768" --socket "$dir/a.sock" --dma-desc 16
	expect_bad "$SW" "--mbufs: '1k' is not a number in" --socket "$dir/a.sock" --mbufs 1k
	expect_bad "$SW" "--test-stall: expected START_MS:LENGTH_MS, got '300'" --socket "$dir/a.sock" --test-stall 300
	expect_bad "$SW" "--test-stall: 'x' is not a number in 1..3600000" --socket "$dir/a.sock" --test-stall 300:x
	expect_bad "$SW" "--pairs needs an even number of ports, got 1" --socket "$dir/a.sock" --pairs
	expect_bad "$SW" "--socket: $dir/a.sock given twice" --socket "$dir/a.sock" --socket "$dir/a.sock"
	expect_bad "$SW" "--socket: $dir/./a.sock given twice (as $dir/a.sock)" \
		--socket "$dir/a.sock" --socket "$dir/./a.sock"
	long=$(printf '%0120d' 0)
	expect_bad "$SW" "--socket: bad path '$dir/$long.sock': 1 to 107 characters" \
		--socket "$dir/$long.sock"
	expect_bad "$SW" "--dma and --dma-desc need the offload path" \
		--socket "$dir/a.sock" --no-offload --dma dma_sw0
	expect_bad "$PEER" "--sizes: ',': frame sizes separated by commas, no empty item" --sizes ,
	expect_bad "$PEER" "--sizes: '64,,128'" --sizes 64,,128
	expect_bad "$SW" "Usage:" --socket "$dir/a.sock" --no-such-option
	expect_bad "$PEER" "--count: '0' is not a number in 1.." --count 0
	expect_bad "$PEER" "--sizes: '63' is not a number in 64..9600" --sizes 64,63
	expect_bad "$PEER" "--grow-at: expected FRAMES:MIB, got '10'" --grow-at 10
	expect_bad "$PEER" "--grow-at: '0' is not a number in 1..4096" --grow-at 10:0
	# A first number of 32 digits and more: its own message, not A:B's.
	expect_bad "$SW" "--test-stall: '1000000000000000000000000000000000' is not a number in" \
		--socket "$dir/a.sock" --test-stall 1000000000000000000000000000000000:5
	expect_bad "$PEER" "--role: expected gen, echo or sink, got 'mirror'" --role mirror
	expect_bad "$PEER" "--to: frames to ourselves (3)" --id 3 --to 3
	expect_bad "$SW" "--hold-ms: '0' is not a number in 1..600000" --socket "$dir/a.sock" --hold-ms 0
	expect_bad "$SW" "--test-no-reap: expected START_MS:LENGTH_MS, got '5'" --socket "$dir/a.sock" --test-no-reap 5
	expect_bad "$SW" "--test-no-reap needs the offload path" --socket "$dir/a.sock" --no-offload --test-no-reap 5:5
	expect_bad "$PEER" "--pause-at: for the echo and sink roles" --pause-at 10:5
	expect_bad "$PEER" "--pause-at: '0' is not a number in 1..600000" --role echo --pause-at 10:0
	expect_bad "$PEER" "--grow-on-signal needs --grow-at" --grow-on-signal
	# A dmadev with fewer vchans than ports (DPDK's dma_skeleton has one):
	# refused when the switch sets it up, exit 1.
	"$SW" -l 0 --no-huge -m 64 --no-pci --file-prefix "$tag-o" \
		--log-level=lib.eal:error --vdev dma_skeleton -- --socket "$dir/a.sock" \
		--socket "$dir/b.sock" --dma dma_skeleton --mbufs 1024 >"$dir/o.log" 2>&1
	rc=$?
	[ $rc -eq 1 ] || fail "a 1-vchan dmadev for 2 ports: exit $rc, expected 1: $(cat "$dir/o.log")"
	grep -qF "dmadev dma_skeleton has 1 vchan(s), the switch needs one per port (2)" "$dir/o.log" ||
		fail "a 1-vchan dmadev for 2 ports: no message in: $(cat "$dir/o.log")"
	echo "PASS ($scenario): $nbad bad command lines refused with their message, and a dmadev short of vchans"
	exit 0
fi

# flood: three ports, MAC learning; guest B sends to a station no port has
# (id 9), so every frame is flooded to A and C, both sinks; 9000-byte
# frames are mbuf chains. Each sink must get its frames intact, and the
# mbufs must all come back (a chain flooded with only its first segment's
# reference count raised was freed while the other port still copied it:
# corrupt frames, mbufs lost).
if [ "$scenario" = flood ]; then
	# flood_switch EAL-AND-SWITCH-ARGS...: the switch on a.sock, b.sock
	# and c.sock, in the background ($swpid), once its sockets exist.
	flood_switch() {
		"$SW" "$@" --socket "$dir/a.sock" --socket "$dir/b.sock" \
			--socket "$dir/c.sock" --idle-yield --duration 280 >"$dir/sw.log" 2>&1 &
		swpid=$!
		pids="$pids $swpid"
		until [ -S "$dir/c.sock" ]; do
			kill -0 $swpid 2>/dev/null || fail "the switch exited"
			sleep 0.1
		done
	}
	# flood_sinks NAME:ID NAME:ID: two sinks (pids in $pNAME), once the
	# switch has both up.
	flood_sinks() {
		local g
		for g in "$@"; do
			"$PEER" -l 1 --no-huge -m 256 --no-pci --file-prefix "$tag-${g%:*}" \
				--vdev "net_virtio_user0,path=$dir/${g%:*}.sock,queues=1" -- \
				--role sink --id "${g#*:}" --idle-ms 3000 --timeout 240 \
				>"$dir/${g%:*}.log" 2>&1 &
			eval "p${g%:*}=\$!"
			pids="$pids $!"
		done
		until [ "$(grep -c 'guest up' "$dir/sw.log")" -ge 2 ]; do
			kill -0 $swpid 2>/dev/null || fail "the switch exited"
			sleep 0.1
		done
	}
	flood_switch -l 0-1 -s 0x2 --no-huge -m 256 --no-pci --file-prefix "$tag-sw" \
		--log-level=user.vswitch_copy:info --vdev dma_sw0,domain=strict \
		--vdev dma_offload0,engines=dma_sw0,policy=engine --
	flood_sinks a:2 c:3
	"$PEER" -l 1 --no-huge -m 256 --no-pci --file-prefix "$tag-b" \
		--vdev "net_virtio_user0,path=$dir/b.sock,queues=1" -- --role gen --id 1 \
		--to 9 --count 2000 --sizes 1518,9000 --window 0 --pps 2000 --timeout 240 \
		>"$dir/b.log" 2>&1 || fail "guest B"
	# shellcheck disable=SC2154
	wait "$pa" || fail "sink A: $(grep '^peer' "$dir/a.log")"
	# shellcheck disable=SC2154
	wait "$pc" || fail "sink C: $(grep '^peer' "$dir/c.log")"
	kill -INT $swpid
	wait $swpid || fail "the switch's exit status"
	exit_clean "$dir/sw.log"
	rx=$(value rx) tx=$(value tx) drops=$(value drops)
	[ $((tx + drops)) -eq $((2 * rx)) ] || fail "tx $tx + drops $drops != 2 x rx $rx"
	echo "flooded: 2000 frames of 1518 and 9000 bytes to two sinks:" \
		"rx $rx, tx $tx, drops $drops, every frame intact, every mbuf back"

	# Frames to 00:00:00:00:00:00 (testpmd txonly on port 2, for 2 s):
	# unknown, flooded to ports 0 and 1 (an all-zero key matched an empty
	# slot of the MAC table and sent them all to port 0). CPU copies.
	TESTPMD=${VSW_TESTPMD:-$(command -v dpdk-testpmd)}
	[ -x "$TESTPMD" ] || fail "no dpdk-testpmd (Debian package dpdk-dev)"
	rm -f "$dir"/*.sock
	flood_switch -l 0 --no-huge -m 256 --no-pci --file-prefix "$tag-sw" \
		--log-level=user.vswitch_copy:info -- --no-offload
	flood_sinks a:2 b:3
	"$TESTPMD" -l 0-1 --main-lcore 1 --no-huge -m 256 --no-pci --file-prefix "$tag-tp" \
		--vdev "net_virtio_user0,path=$dir/c.sock,queues=1" -- --forward-mode=txonly \
		--eth-peer=0,00:00:00:00:00:00 --stats-period 1 --total-num-mbufs 4096 \
		</dev/null >"$dir/tp.log" 2>&1 &
	tppid=$!
	pids="$pids $tppid"
	sleep 2
	kill -INT $tppid
	wait $tppid
	kill -INT $swpid
	wait $swpid || fail "the switch's exit status (zero MAC)"
	# "port N up|down: rx R tx T drops D flooded F ..." at exit.
	port() { sed -n "s/.*port $1 [a-z]*: rx \([0-9]*\) tx \([0-9]*\) drops \([0-9]*\) flooded \([0-9]*\).*/\1 \2 \3 \4/p" "$dir/sw.log" | tail -1; }
	read -r _ tx0 drops0 _ <<<"$(port 0)"
	read -r _ tx1 drops1 _ <<<"$(port 1)"
	read -r rx2 _ _ flooded2 <<<"$(port 2)"
	[ "${rx2:-0}" -gt 0 ] || fail "zero MAC: testpmd's frames never reached the switch"
	[ "$flooded2" -eq "$rx2" ] || fail "zero MAC: $flooded2 of $rx2 frames flooded"
	[ $((tx0 + drops0)) -eq "$rx2" ] && [ $((tx1 + drops1)) -eq "$rx2" ] ||
		fail "zero MAC: $rx2 frames, ports 0 and 1 got $tx0 (+$drops0 dropped) and $tx1 (+$drops1)"
	echo "PASS ($scenario): flooded chains intact; $rx2 frames to 00:00:00:00:00:00 flooded to both other ports"
	exit 0
fi

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
memstall)
	# The stall (from 300 ms after the first frame, 2.5 s long) must
	# outlast the script's signal (below), and the switch's drain timeout
	# (500 ms here): the drain must wait it out, not hand the memory back
	# to vhost with copies still queued (they crashed the switch, or wrote
	# into the new table, mapped at the same address).
	DEVS="$DEVS,policy=engine"
	sw_args+=(--test-stall 300:2500 --drain-timeout-ms 500)
	# B paced so that it still sends when the stall begins.
	gen_args=(--count 20000 --pps 8000 --sizes 64,512,1518,9000 --window 512
		--idle-ms 5000 --timeout 240 --mbufs 2047 --grow-at 0:64 --grow-on-signal)
	grow_when='test: engine dma_sw0 stalled'
	;;
memreap)
	# Frames for B stay in vhost while nothing is reaped (B's window, 64).
	# B then waits for the lost ones: a short idle limit.
	DEVS="$DEVS,policy=engine"
	sw_args+=(--test-no-reap 300:1500)
	gen_args=(--count 20000 --pps 8000 --sizes 64,512,1518,9000 --window 64
		--idle-ms 2000 --timeout 240 --mbufs 2047 --grow-at 0:64 --grow-on-signal)
	grow_when='test: not reaping'
	;;
hold)
	DEVS="$DEVS,policy=engine"
	gen_args=(--count 10000 --sizes 64,512,1518,9000 --window 512 --idle-ms 5000 --timeout 240)
	echo_args+=(--pause-at 3000:500)
	;;
holdtimeout)
	DEVS="$DEVS,policy=engine"
	sw_args+=(--hold-ms 200)
	gen_args=(--count 20000 --sizes 64,1518 --window 0 --pps 8000 --timeout 240)
	echo_args+=(--pause-at 3000:1500)
	a_role=sink
	;;
signal)
	# B's idle limit as in the other scenarios: the first echoes can take
	# over the 2 s default on a loaded machine, and the script waits for
	# the first one before it signals the switch.
	gen_args=(--count 100000000 --sizes 64,1518,9000 --window 64 --idle-ms 5000 --timeout 240)
	;;
client)
	DEVS="$DEVS,policy=engine"
	sw_args+=(--client)
	# The guests are the vhost-user servers.
	vdev_extra=",server=1"
	gen_args+=(--reconnect-every 2500)
	;;
testpmd)
	DEVS="$DEVS,policy=engine"
	TESTPMD=${VSW_TESTPMD:-$(command -v dpdk-testpmd)}
	[ -x "$TESTPMD" ] || { echo "FAIL ($scenario): no dpdk-testpmd (Debian package dpdk-dev)"; exit 1; }
	gen_args+=(--plain-echo)
	;;
*) echo "unknown scenario '$scenario'"; exit 1 ;;
esac

# alive WHAT NAME=PID...: fail, naming the process and its exit status,
# if one of them has exited.
alive() {
	local what=$1 np rc
	shift
	for np in "$@"; do
		kill -0 "${np#*=}" 2>/dev/null && continue
		wait "${np#*=}"
		rc=$?
		fail "$what: ${np%%=*} (pid ${np#*=}) exited with $rc first"
	done
}

# wait_until WHAT PROCS CONDITION...: poll CONDITION (a command) until it
# holds, while every process of PROCS (a quoted list of NAME=PID) runs.
wait_until() {
	local what=$1 pl=$2 deadline=$((SECONDS + 240))
	shift 2
	# shellcheck disable=SC2086
	until "$@"; do
		alive "$what" $pl
		[ $SECONDS -lt $deadline ] || fail "$what: not after 240 s"
		sleep 0.1
	done
}

# snapshot: the running switch's telemetry into snapshot.log (which
# fail() prints), taken when a guest fails while the switch still runs:
# what its ports and the library's queue and engine held then.
snapshot() {
	python3 - "/var/run/dpdk/$tag-sw/dpdk_telemetry.v2" >"$dir/snapshot.log" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(16384).decode())
for cmd in ("/vswitch_copy/stats", "/vswitch_copy/port,0", "/vswitch_copy/port,1",
            "/offload_copy/queue,dma_offload0,0", "/offload_copy/engine,dma_offload0,0"):
    s.send(cmd.encode())
    print(s.recv(65536).decode())
PY
}

# up_count N PORT: the switch has logged 'port PORT: guest up' N times.
up_count() {
	[ "$(grep -c "vswitch: port $2: guest up" "$dir/sw.log")" -ge "$1" ]
}

start_switch() {
	# shellcheck disable=SC2086
	"$SW" -l 0-1 -s 0x2 --no-huge -m 256 --no-pci --file-prefix "$tag-sw" \
		--log-level=user.vswitch_copy:info $DEVS -- \
		--socket "$dir/a.sock" --socket "$dir/b.sock" --idle-yield \
		--drain-timeout-ms 3000 --duration 280 "${sw_args[@]}" >"$dir/sw.log" 2>&1 &
	swpid=$!
	pids="$pids $swpid"
}

# Run a guest (exec: in a subshell, "peer ... &" or "(peer ...)", so
# that $! is the guest itself and signals reach it).
peer() { # NAME LCORE SOCKET ARGS...
	local name=$1 lcore=$2 sock=$3
	shift 3
	local mem="--no-huge -m 256"
	# memtable: guest B on hugepages (dynamic memory: it can grow).
	case $scenario in memtable | memstall | memreap)
		[ "$name" = b ] && mem="--single-file-segments" ;;
	esac
	# shellcheck disable=SC2086
	exec "$PEER" -l "$lcore" $mem --no-pci --file-prefix "$tag-$name" \
		--vdev "net_virtio_user0,path=$sock,queues=1${vdev_extra:-}" -- "$@" \
		>"$dir/$name.log" 2>&1
}

# Guest A as Debian's testpmd, swapping the MAC addresses of every frame
# back to its sender. No -i: with --stats-period testpmd forwards until
# SIGINT/SIGTERM (it reads stdin only after that); its forwarding lcore on
# CPU 0, away from the engine's service core. Jumbo frames: mbufs large
# enough for 9000-byte frames in one segment.
testpmd_guest() { # SOCKET
	exec "$TESTPMD" -l 0-1 --main-lcore 1 --no-huge -m 256 --no-pci \
		--file-prefix "$tag-a" --vdev "net_virtio_user0,path=$1,queues=1" -- \
		--forward-mode=macswap --stats-period 1 --total-num-mbufs 4096 \
		--mbuf-size 10240 --max-pkt-len 9600 </dev/null >"$dir/a.log" 2>&1
}

start_guest_a() {
	if [ "$scenario" = testpmd ]; then
		testpmd_guest "$dir/a.sock" &
	else
		peer a 0 "$dir/a.sock" --role "${a_role:-echo}" --id 2 "${echo_args[@]}" &
	fi
	apid=$!
	pids="$pids $apid"
}

if [ "$scenario" = client ]; then
	# Guest A listens first (its EAL start waits in accept() for the
	# switch), then the switch connects; b.sock does not exist yet, so
	# vhost retries it every second until guest B listens.
	start_guest_a
	wait_until "guest A's socket" "guest-A=$apid" test -S "$dir/a.sock"
	start_switch
else
	start_switch
	wait_until "the switch's sockets" "switch=$swpid" test -S "$dir/b.sock"
	start_guest_a
fi
# Guest B's first frames are flooded to the ports that are up: guest A
# must be up by then, or they are dropped (no_dest) and B waits for echoes
# that never come.
wait_until "guest A up" "switch=$swpid guest-A=$apid" up_count 1 0
if [ "$scenario" = signal ]; then
	peer b 1 "$dir/b.sock" --role gen --id 1 --to 2 "${gen_args[@]}" &
	bpid=$!
	pids="$pids $bpid"
	# Traffic in flight: B has had echoes back through the switch.
	wait_until "traffic through the switch" "switch=$swpid guest-A=$apid guest-B=$bpid" \
		grep -q 'peer 1: first echo' "$dir/b.log"
	kill -TERM $swpid
	wait $swpid
	swrc=$?
	[ $swrc -eq 0 ] || fail "the switch exited with $swrc at SIGTERM"
	kill -INT $bpid $apid 2>/dev/null
	# The guests end by themselves, their switch gone: not killed by a
	# signal (SIGPIPE, from virtio-user's messages to the closed socket).
	for p in "b $bpid" "a $apid"; do
		set -- $p
		wait "$2"
		prc=$?
		[ $prc -lt 128 ] || fail "guest $1 was killed by signal $((prc - 128)) after the switch exited"
	done
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

if [ -n "${grow_when:-}" ]; then
	peer b 1 "$dir/b.sock" --role gen --id 1 --to 2 "${gen_args[@]}" &
	bpid=$!
	pids="$pids $bpid"
	wait_until "'$grow_when'" "switch=$swpid guest-A=$apid guest-B=$bpid" \
		grep -q "$grow_when" "$dir/sw.log"
	# B's window fills meanwhile: its frames wait in the switch's DMA path
	# (memstall) or in vhost's receive path (memreap).
	sleep 0.3
	kill -USR1 $bpid
	wait $bpid
	brc=$?
	[ $brc -eq 0 ] || snapshot
else
	(peer b 1 "$dir/b.sock" --role gen --id 1 --to 2 "${gen_args[@]}")
	brc=$?
	[ $brc -eq 0 ] || snapshot
fi
if [ "$scenario" = client ]; then
	[ $brc -eq 0 ] || fail "guest B (gen) exited $brc"
	# Guest A's process goes away for good (killed: its socket file stays
	# behind, refusing connections, until the new server removes it) and a
	# new guest A comes back on the same socket: the switch must find it
	# by itself, and traffic must flow again.
	kill -KILL $apid
	wait $apid 2>/dev/null
	wait_until "the switch to see guest A go" "switch=$swpid" \
		grep -q 'port 0: guest down' "$dir/sw.log"
	rm -f "$dir/a.sock"
	# No idle limit: it waits through the switch restart below, and is
	# stopped with SIGINT at the end.
	peer a2 0 "$dir/a.sock" --role echo --id 2 --idle-ms 240000 --timeout 240 &
	apid=$!
	pids="$pids $apid"
	wait_until "guest A back" "switch=$swpid guest-A=$apid" up_count 2 0
	(peer b2 1 "$dir/b.sock" --role gen --id 1 --to 2 --count 2000 \
		--sizes 64,1518,9000 --window 64 --idle-ms 5000 --timeout 240)
	b2rc=$?
	[ $b2rc -eq 0 ] || fail "guest B's second run exited $b2rc"
	# Then the switch itself restarts: the guests, virtio-user servers
	# with link-state interrupts, take the new one back. The first one
	# must have let go of everything.
	kill -TERM $swpid
	wait $swpid
	swrc=$?
	[ $swrc -eq 0 ] || fail "the first switch exited with $swrc at SIGTERM"
	mv "$dir/sw.log" "$dir/sw1.log"
	sw1="$dir/sw1.log"
	exit_clean "$sw1" "first switch: "
	[ "$(value engine_ops "$sw1")" -gt 0 ] || fail "first switch: no copy ran on the engine"
	start_switch
	wait_until "guest A back through the new switch" "switch=$swpid guest-A=$apid" up_count 1 0
	# A new station (id 3): guest A checks each sender's order.
	(peer b3 1 "$dir/b.sock" --role gen --id 3 --to 2 --count 2000 \
		--sizes 64,1518,9000 --window 64 --idle-ms 5000 --timeout 240)
	brc=$?
	[ $brc -eq 0 ] || fail "guest B's run through the new switch exited $brc"
fi
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
if [ "$scenario" = testpmd ] || [ "$scenario" = client ]; then
	# testpmd forwards until told to stop, and the client scenario's
	# second guest A has no idle limit: they print their totals then.
	kill -INT $apid
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

# b_lost: the frames guest B counted lost, from its summary line; empty
# if it saw anything else wrong (corrupt, foreign, duplicated frames).
b_lost() {
	sed -n 's/.*gen: sent [0-9]* received [0-9]* corrupt 0 foreign 0 duplicate 0 lost \([0-9]*\) .*/\1/p' \
		"$dir/b.log"
}

# vhost 22.11 drops what is in flight to a guest when the guest disables
# its queues (memreap shows it), which virtio-user does before each new
# memory table: in memtable and memstall, B may lose such frames now and
# then (a loaded machine). Accepted only when that is all B lost: as many
# as the switch counted drain_lost, nothing corrupt or duplicated.
vhost_loss_only() {
	local lost
	case $scenario in memtable | memstall) ;; *) return 1 ;; esac
	[ $brc -eq 1 ] || return 1
	lost=$(b_lost)
	[ -n "$lost" ] && [ "$lost" -gt 0 ] && [ "$(value drain_lost)" = "$lost" ] || return 1
	echo "NOTE ($scenario): guest B lost $lost frame(s) that vhost dropped at the queue disable; the switch counted them (drain_lost)"
}

if [ "$scenario" = memreap ]; then
	# vhost 22.11's loss, counted: what B lost is what the switch says
	# its drain could not give, nothing else wrong.
	[ $brc -eq 1 ] || fail "guest B exited $brc, expected 1 (frames lost at the disable)"
	[ $swrc -eq 0 ] || fail "the switch exited with $swrc"
	grep -q 'memory grown by 64 MiB' "$dir/b.log" || fail "guest B did not grow its memory"
	lost=$(b_lost)
	[ -n "$lost" ] || fail "guest B: $(grep 'gen: sent' "$dir/b.log")"
	[ "$(value drain_lost)" -gt 0 ] || fail "the switch counted no frame lost at the drain"
	[ "$(value drain_lost)" = "$lost" ] ||
		fail "guest B lost $lost frame(s), the switch counted $(value drain_lost)"
	[ "$(value drops)" -ge "$lost" ] || fail "drops $(value drops) < $lost lost"
	# Their descriptors went back to vhost's avail index: left consumed,
	# an in-order guest read every later frame with another's length.
	grep -q 'descriptor(s) of frames lost at the disable offered again' "$dir/sw.log" ||
		fail "the lost frames' descriptors were not offered again"
	exit_clean "$dir/sw.log"
	echo "PASS ($scenario): B lost $lost frame(s), the switch counted them: $(grep 'vswitch-copy summary' "$dir/sw.log")"
	exit 0
fi
[ $brc -eq 0 ] || vhost_loss_only || fail "guest B (gen) exited $brc"
[ "${tel:-0}" -eq 0 ] || fail "telemetry: $(cat "$dir/telemetry.log")"
[ $arc -eq 0 ] || fail "guest A (echo) exited $arc"
[ $swrc -eq 0 ] || fail "the switch exited with $swrc"
grep -q 'vswitch-copy summary' "$dir/sw.log" || fail "no summary from the switch"
exit_clean "$dir/sw.log"
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
stall|holdtimeout)
	rcv=$(sed -n 's/.*sink: received \([0-9]*\) .*/\1/p' "$dir/a.log")
	[ $((rcv + $(value drops))) = "$s" ] ||
		fail "sent $s, received $rcv + dropped $(value drops) by the switch"
	;;
memtable)
	grep -q 'memory grown by 64 MiB' "$dir/b.log" || fail "guest B did not grow its memory"
	n=$(grep -c 'port 1: guest memory registered' "$dir/sw.log")
	[ "$n" -ge 2 ] || fail "guest B's memory registered $n time(s): the new table was not"
	grep -q 'port 1: guest memory unregistered' "$dir/sw.log" || fail "old table not unregistered"
	[ "$s" = $((r + $(value drain_lost))) ] || fail "sent $s, received $r, lost at a disable $(value drain_lost)"
	;;
memstall)
	grep -q 'memory grown by 64 MiB' "$dir/b.log" || fail "guest B did not grow its memory"
	n=$(grep -c 'port 1: guest memory registered' "$dir/sw.log")
	[ "$n" -ge 2 ] || fail "guest B's memory registered $n time(s): the new table was not"
	# The case this scenario is for: frames in the DMA path at the drain.
	h=$(sed -n 's/.*port 1 (vid [0-9]*) queue 1: \([0-9]*\) frame(s) .* handed to the switching lcore.*/\1/p' \
		"$dir/sw.log" | head -1)
	[ "${h:-0}" -gt 0 ] || fail "no frame of guest B was in the DMA path at the drain"
	# The stall is 2.5 s: the stuck-copy watch must have said so.
	grep -q 'frames in the DMA path, none completed for 1 s' "$dir/sw.log" ||
		fail "the switch did not report the frames stuck behind the stall"
	# The drain outlasted its timeout, said so, and waited to the end.
	grep -q 'port 1 (vid [0-9]*) queue [01]: [0-9]* packet(s) still in the DMA path after [0-9]* ms: waiting for the engine' \
		"$dir/sw.log" || fail "no drain of guest B outlasted its timeout"
	grep -q 'port 1 (vid [0-9]*) queue [01]: drained after more than' "$dir/sw.log" ||
		fail "the drain that outlasted its timeout did not end"
	[ "$s" = $((r + $(value drain_lost))) ] || fail "sent $s, received $r, lost at a disable $(value drain_lost)"
	grep -q 'peer 2 echo: received [0-9]* .* misordered 0 ' "$dir/a.log" ||
		fail "guest A: $(grep 'echo: received' "$dir/a.log")"
	;;
hold)
	grep -q 'peer 2: reading nothing for 500 ms' "$dir/a.log" || fail "guest A did not pause"
	[ "$(value held)" -gt 0 ] || fail "the switch held no frame for guest A"
	;;&
traffic|auto|cpu|testpmd|hold)
	[ "$(value drops)" = 0 ] || fail "drops: $(value drops)"
	[ "$s" = "$r" ] || fail "sent $s, received $r"
	[ "$(value rx)" = $((2 * s)) ] || fail "switch rx $(value rx), expected $((2 * s))"
	[ "$(value tx)" = $((2 * s)) ] || fail "switch tx $(value tx), expected $((2 * s))"
	;;&
testpmd)
	# testpmd's totals at exit: "RX-packets: N RX-dropped: N RX-total: N"
	# and the same for TX, under "Forward statistics for port 0".
	fwd=$(sed -n '/Forward statistics for port 0/,/------/p' "$dir/a.log" |
		sed -n 's/^ *\([RT]X\)-packets: *\([0-9]*\) *[RT]X-dropped: *\([0-9]*\).*/\1 \2 \3/p' |
		tr '\n' ' ')
	[ "$fwd" = "RX $s 0 TX $s 0 " ] ||
		fail "testpmd forward statistics '$fwd', expected RX $s 0 TX $s 0"
	;;
client)
	# The first switch (sw1.log).
	grep -q 'port 0: .*a.sock (client)' "$sw1" || fail "port 0 not in client mode"
	# Guest B listened only after the switch had started: vhost's
	# reconnection, not the first attempt, found it.
	grep -q 'b.sock) reconnecting' "$sw1" || fail "no vhost reconnection to guest B"
	# B: 4 connections in its first run (3 reconnections), 1 in its second.
	n=$(grep -c 'port 1: guest up' "$sw1")
	[ "$n" -eq 5 ] || fail "guest B came up $n time(s), expected 5"
	n=$(grep -c 'port 1: guest down' "$sw1")
	[ "$n" -eq 5 ] || fail "guest B went down $n time(s), expected 5"
	n=$(grep -c 'port 0: guest up' "$sw1")
	[ "$n" -eq 2 ] || fail "guest A came up $n time(s), expected 2"
	[ "$(value guest_maps "$sw1")" -ge 7 ] ||
		fail "guest maps $(value guest_maps "$sw1"): not one per connection"
	# After the reconnections, B's second run: every frame back.
	grep -q 'gen: sent 2000 received 2000 ' "$dir/b2.log" ||
		fail "second run: $(grep 'gen: sent' "$dir/b2.log")"
	# The restarted switch: guest A (the same process) and B's third
	# run, every frame back through it.
	grep -q 'gen: sent 2000 received 2000 ' "$dir/b3.log" ||
		fail "run through the new switch: $(grep 'gen: sent' "$dir/b3.log")"
	[ "$(value rx)" = 4000 ] || fail "new switch: rx $(value rx), expected 4000"
	grep -q 'peer 2 echo: received 4000 .* misordered 0 ' "$dir/a2.log" ||
		fail "guest A: $(grep 'echo: received' "$dir/a2.log")"
	;;
reconnect)
	n=$(grep -c 'port 1: guest up' "$dir/sw.log")
	[ "$n" -eq 5 ] || fail "guest B came up $n time(s), expected 5"
	[ "$(value guest_maps)" -ge 6 ] || fail "guest maps $(value guest_maps): not one per connection"
	;;
esac
if [ "$scenario" = holdtimeout ]; then
	grep -q 'peer 2: reading nothing for 1500 ms' "$dir/a.log" || fail "guest A did not pause"
	[ "$(value hold_timeouts)" -gt 0 ] || fail "no backlog dropped after --hold-ms"
	[ "$(value drops)" -gt 0 ] || fail "no frame dropped"
fi
if [ "$scenario" = stall ]; then
	grep -q 'test: engine dma_sw0 stalled' "$dir/sw.log" || fail "the engine was not stalled"
	[ "$(value engine_stalls)" -gt 0 ] || fail "the library saw no stall"
	[ "$(value copy_failovers)" -gt 0 ] || fail "the CPU took no copy over"
fi
echo "PASS ($scenario): $(grep 'vswitch-copy summary' "$dir/sw.log")"
echo "  $(grep 'gen: sent' "$dir/b.log")"
exit 0
