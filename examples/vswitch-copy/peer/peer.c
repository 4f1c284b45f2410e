/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dpdk-vswitch-copy-peer: a "guest" for dpdk-vswitch-copy's tests and
 * benchmark. One virtio-user port (EAL --vdev net_virtio_user0,path=...),
 * one lcore. Every frame it sends carries a header (magic, sender, sequence
 * number, length) and a payload whose every byte is a function of the
 * sequence number and its offset; every frame it receives is checked byte
 * for byte, and its sequence number must not repeat.
 *
 * Roles:
 *   gen   sends --count frames to --to, at most --window in flight (0: no
 *         limit), at most --pps per second if given, and checks each one
 *         when the echo sends it back;
 *   echo  checks each frame and sends it back to its sender;
 *   sink  checks and counts (benchmarks: gen --window 0 into a sink).
 * gen checks that each echo comes back addressed to it from --to (the
 * addresses swapped) and marked by our echo role; with --plain-echo the
 * echo side is another program that swaps the addresses but does not mark
 * the frame (dpdk-testpmd --forward-mode=macswap).
 *
 * Exit status: 0 all frames accounted for and intact, 1 a mismatch (a
 * corrupt, foreign, duplicated, lost or misordered frame), 2 bad options.
 * --corrupt-every N makes gen flip one payload byte of every Nth frame
 * after stamping it: the run must then fail (the test's negative check).
 * --grow-at F:M makes gen allocate M MiB more after F frames (with
 * hugepages, EAL maps more memory and virtio-user sends the switch a new
 * memory table mid-traffic); with --grow-on-signal the growth waits, past
 * those F frames, for a SIGUSR1 (a test picks the moment: while the
 * switch's engines are stalled, say).
 * --pause-at F:MS makes echo or sink stop reading for MS ms once it has
 * received F frames (a guest that takes nothing for a while: the switch
 * holds its frames, or drops them after its --hold-ms).
 * --reconnect-every N makes gen drop its port and attach it again (a
 * guest disconnecting mid-traffic); only frames in flight at that moment
 * may be lost, and are counted so.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_bus_vdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "args.h"

#define PEER_MAGIC	0x56535743u	/* "VSWC" */
#define PEER_ETHERTYPE	0x88b5		/* IEEE local experimental */
#define PEER_BURST	32
#define PEER_MAX_SIZES	8
#define PEER_MIN_FRAME	64
#define PEER_MAX_FRAME	9600
#define F_ECHOED	0x1

struct peer_hdr {
	uint32_t magic;
	uint8_t src;		/* sender id */
	uint8_t flags;
	uint16_t len;		/* frame length */
	uint64_t seq;
} __rte_packed;

#define HDR_OFF		RTE_ETHER_HDR_LEN
#define PAYLOAD_OFF	(HDR_OFF + sizeof(struct peer_hdr))

enum role { ROLE_GEN, ROLE_ECHO, ROLE_SINK };

static struct {
	enum role role;
	uint8_t id, to;
	uint32_t sizes[PEER_MAX_SIZES];
	unsigned int nb_sizes;
	uint64_t count;
	unsigned int window;
	uint64_t corrupt_every;
	uint64_t reconnect_every;
	uint64_t pps;		/* gen: frames per second, 0: as fast as it can */
	uint64_t grow_at;	/* gen: after this many frames ... */
	uint64_t grow_mb;	/* ... allocate this much more memory */
	bool grow_on_signal;	/* ... and wait for SIGUSR1 */
	uint64_t pause_at;	/* echo/sink: after this many frames ... */
	uint64_t pause_ms;	/* ... read nothing for so long (0: never) */
	unsigned int mbufs;
	unsigned int idle_ms;	/* echo/sink: stop after so long without traffic */
	unsigned int timeout_s;	/* give up */
	uint64_t expect;	/* echo/sink: frames expected, 0: any */
	bool plain_echo;	/* gen: echoes come back unmarked (testpmd macswap) */
} opt = {
	.role = ROLE_GEN,
	.id = 1,
	.to = 2,
	.sizes = { 64 },
	.nb_sizes = 1,
	.count = 10000,
	.window = 64,
	.idle_ms = 2000,
	.timeout_s = 60,
	.mbufs = 8191,
};

static volatile bool quit;
static volatile sig_atomic_t grow_signalled;
static struct rte_mempool *pool;
static uint16_t port_id;
static char vdev_name[64];
static char vdev_args[512];

/* Counters. */
static uint64_t sent, received, bad, dup, foreign, written_off, reconnects;
static uint64_t tx_dropped;	/* echo: frames the switch did not take back */
static uint64_t rx_bytes;
static uint8_t *seen;		/* gen: one byte per sequence number */
static void *grown;		/* gen: the memory --grow-at added */

static void
on_usr1(int sig __rte_unused)
{
	grow_signalled = 1;
}

static inline uint8_t
pattern(uint64_t seq, uint32_t off)
{
	return (uint8_t)(seq * 0x9e37 + off * 0x45 + (off >> 8) + 1);
}

static uint32_t
frame_size(uint64_t seq)
{
	return opt.sizes[seq % opt.nb_sizes];
}

/* A station's MAC address: 02:00:00:00:00:<id>. */
static void
station_addr(uint8_t id, struct rte_ether_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->addr_bytes[0] = 0x02;
	a->addr_bytes[5] = id;
}

static struct rte_mbuf *
make_frame(uint64_t seq)
{
	uint32_t len = frame_size(seq), i;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct peer_hdr *h;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eh = (struct rte_ether_hdr *)p;
	station_addr(opt.to, &eh->dst_addr);
	station_addr(opt.id, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(PEER_ETHERTYPE);
	h = (struct peer_hdr *)(p + HDR_OFF);
	h->magic = PEER_MAGIC;
	h->src = opt.id;
	h->flags = 0;
	h->len = len;
	h->seq = seq;
	for (i = PAYLOAD_OFF; i < len; i++)
		p[i] = pattern(seq, i);
	if (opt.corrupt_every != 0 && (seq + 1) % opt.corrupt_every == 0)
		p[len - 1] ^= 0x5a;	/* injected corruption */
	return m;
}

/*
 * Check one frame, whatever its segmentation: true and its header in *h,
 * or false (counted) when anything is wrong.
 */
static bool
check_frame(const struct rte_mbuf *m, struct peer_hdr *h, uint8_t want_src,
		bool want_echoed)
{
	static uint8_t buf[PEER_MAX_FRAME];
	const uint8_t *p;
	uint32_t i;

	if (m->pkt_len < PAYLOAD_OFF || m->pkt_len > PEER_MAX_FRAME) {
		printf("peer %u: frame of %u bytes: not ours\n", opt.id, m->pkt_len);
		foreign++;
		return false;
	}
	p = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	memcpy(h, p + HDR_OFF, sizeof(*h));
	if (h->magic != PEER_MAGIC || h->src != want_src ||
			!!(h->flags & F_ECHOED) != want_echoed) {
		printf("peer %u: foreign frame (magic %#x src %u flags %#x)\n",
				opt.id, h->magic, h->src, h->flags);
		foreign++;
		return false;
	}
	if (h->len != m->pkt_len) {
		printf("peer %u: seq %" PRIu64 ": %u bytes received, %u sent\n",
				opt.id, h->seq, m->pkt_len, h->len);
		bad++;
		return false;
	}
	for (i = PAYLOAD_OFF; i < m->pkt_len; i++)
		if (p[i] != pattern(h->seq, i)) {
			if (bad < 10)
				printf("peer %u: seq %" PRIu64 " (%u bytes, %u segment(s)): byte %u is 0x%02x, expected 0x%02x: corrupt\n",
						opt.id, h->seq, m->pkt_len,
						m->nb_segs, i, p[i],
						pattern(h->seq, i));
			bad++;
			return false;
		}
	return true;
}

/* An echo must come back addressed to us, from the address we sent to. */
static bool
echo_addrs_ok(const struct rte_mbuf *m, uint64_t seq)
{
	const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ether_addr us, them;

	station_addr(opt.id, &us);
	station_addr(opt.to, &them);
	if (rte_is_same_ether_addr(&eh->dst_addr, &us) &&
			rte_is_same_ether_addr(&eh->src_addr, &them))
		return true;
	printf("peer %u: seq %" PRIu64 ": echo from " RTE_ETHER_ADDR_PRT_FMT " to " RTE_ETHER_ADDR_PRT_FMT
			": addresses not swapped\n", opt.id, seq,
			RTE_ETHER_ADDR_BYTES(&eh->src_addr),
			RTE_ETHER_ADDR_BYTES(&eh->dst_addr));
	foreign++;
	return false;
}

/* ---- the port ----------------------------------------------------------- */

static int
port_up(void)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	int ret;

	ret = rte_eth_dev_get_port_by_name(vdev_name, &port_id);
	if (ret != 0) {
		printf("peer %u: no port %s\n", opt.id, vdev_name);
		return ret;
	}
	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	conf.rxmode.mtu = RTE_MIN(info.max_mtu,
			(uint32_t)(PEER_MAX_FRAME - RTE_ETHER_HDR_LEN));
	/* Jumbo frames arrive in chains of receive buffers. */
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	/*
	 * Link-state interrupts: a virtio-user server (server=1) takes the
	 * switch back in its interrupt handler when the switch restarts.
	 */
	if (*info.dev_flags & RTE_ETH_DEV_INTR_LSC)
		conf.intr_conf.lsc = 1;
	ret = rte_eth_dev_configure(port_id, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port_id, 0, 256, rte_socket_id(),
				NULL, pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port_id, 0, 256, rte_socket_id(),
				NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port_id);
	if (ret != 0)
		printf("peer %u: cannot start port %s: %s\n", opt.id, vdev_name,
				strerror(-ret));
	return ret;
}

static void
port_down(void)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}

/* A guest that goes away and comes back: detach the port, attach it again. */
static int
reconnect(void)
{
	int ret;

	port_down();
	ret = rte_eal_hotplug_remove("vdev", vdev_name);
	if (ret != 0) {
		printf("peer %u: cannot detach %s: %s\n", opt.id, vdev_name,
				strerror(-ret));
		return ret;
	}
	rte_delay_ms(50);
	ret = rte_eal_hotplug_add("vdev", vdev_name, vdev_args);
	if (ret != 0) {
		printf("peer %u: cannot attach %s again: %s\n", opt.id,
				vdev_name, strerror(-ret));
		return ret;
	}
	reconnects++;
	return port_up();
}

/* Find our virtio-user vdev in EAL's device list (the first ethdev). */
static int
find_vdev(void)
{
	struct rte_eth_dev_info info;
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		if (rte_eth_dev_info_get(pid, &info) != 0)
			continue;
		snprintf(vdev_name, sizeof(vdev_name), "%s",
				rte_dev_name(info.device));
		snprintf(vdev_args, sizeof(vdev_args), "%s",
				rte_dev_devargs(info.device) != NULL ?
				rte_dev_devargs(info.device)->args : "");
		port_id = pid;
		return 0;
	}
	printf("peer: no ethdev: give --vdev net_virtio_user0,path=<socket>\n");
	return -ENODEV;
}

/* ---- roles ------------------------------------------------------------ */

/*
 * echo: send back n frames. The switch drains our transmit ring: retry for
 * up to a second, then free what is left and count it in tx_dropped (the
 * gen side then reports those frames lost).
 */
static void
tx_all(struct rte_mbuf **m, uint16_t n)
{
	uint16_t done = 0;
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz();

	while (done < n && rte_get_timer_cycles() < deadline && !quit)
		done += rte_eth_tx_burst(port_id, 0, m + done, n - done);
	rte_pktmbuf_free_bulk(m + done, n - done);
	sent += done;
	tx_dropped += n - done;
}

/*
 * gen: receive a burst of echoes; each sequence number counts once. A
 * duplicate or one never sent is reported (counted) when report is set.
 */
static uint16_t
rx_echoes(bool report)
{
	struct rte_mbuf *pkts[PEER_BURST];
	uint16_t n = rte_eth_rx_burst(port_id, 0, pkts, PEER_BURST), i;

	for (i = 0; i < n; i++) {
		struct peer_hdr h;

		if (check_frame(pkts[i], &h, opt.id, !opt.plain_echo) &&
				echo_addrs_ok(pkts[i], h.seq)) {
			if (h.seq < sent && !seen[h.seq]) {
				seen[h.seq] = 1;
				received++;
				rx_bytes += pkts[i]->pkt_len;
			} else if (report) {
				printf("peer %u: seq %" PRIu64 " %s\n", opt.id,
					h.seq, h.seq >= sent ? "never sent" : "received twice");
				dup++;
			}
		}
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static int
run_gen(void)
{
	struct rte_mbuf *pkts[PEER_BURST];
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t last_rx = start, next_reconnect = opt.reconnect_every;
	bool want_echo = opt.window != 0, told = false;

	seen = calloc(opt.count, 1);
	if (seen == NULL)
		return -ENOMEM;
	while (!quit) {
		uint64_t now = rte_get_timer_cycles();
		int64_t inflight = (int64_t)(sent - received - written_off);
		uint16_t n, k = 0;

		if (opt.reconnect_every != 0 && sent >= next_reconnect &&
				sent < opt.count) {
			/* Whatever is in flight now may be lost. */
			written_off += inflight > 0 ? inflight : 0;
			next_reconnect += opt.reconnect_every;
			if (reconnect() != 0)
				return -EIO;
			continue;
		}
		/*
		 * Grow our memory: with hugepages in dynamic mode EAL maps more,
		 * and virtio-user sends the switch a new memory table while the
		 * traffic runs.
		 */
		if (opt.grow_mb != 0 && grown == NULL && sent >= opt.grow_at &&
				(!opt.grow_on_signal || grow_signalled)) {
			grown = rte_malloc("peer_grow", opt.grow_mb << 20, 0);
			if (grown == NULL) {
				printf("peer %u: cannot grow by %" PRIu64 " MiB\n",
						opt.id, opt.grow_mb);
				return -ENOMEM;
			}
			memset(grown, 0xa5, opt.grow_mb << 20);
			printf("peer %u: memory grown by %" PRIu64 " MiB after %" PRIu64
					" frames, %" PRId64 " in flight\n",
					opt.id, opt.grow_mb, sent, inflight);
		}
		/* Send (paced: no more than pps x elapsed). */
		while (k < PEER_BURST && sent + k < opt.count &&
				(!want_echo || inflight + k < opt.window) &&
				(opt.pps == 0 || sent + k < (now - start) * opt.pps / hz)) {
			pkts[k] = make_frame(sent + k);
			if (pkts[k] == NULL)
				break;
			k++;
		}
		if (k > 0) {
			n = rte_eth_tx_burst(port_id, 0, pkts, k);
			rte_pktmbuf_free_bulk(pkts + n, k - n);
			sent += n;
		}
		/* Receive the echoes. */
		n = rx_echoes(true);
		if (n > 0)
			last_rx = now;
		else if (k == 0)
			sched_yield();	/* idle: let the switch run (shared cores) */
		/* Tells a script that traffic flows through the switch. */
		if (!told && received > 0) {
			printf("peer %u: first echo after %.3f s\n", opt.id,
					(double)(now - start) / hz);
			told = true;
		}
		if (sent == opt.count &&
				(!want_echo || received + written_off >= sent))
			break;
		if (want_echo && now - last_rx > opt.idle_ms * hz / 1000 &&
				sent - received > written_off) {
			printf("peer %u: no echo for %u ms with %" PRId64 " frame(s) in flight\n",
					opt.id, opt.idle_ms, inflight);
			break;
		}
		if (now - start > opt.timeout_s * hz) {
			printf("peer %u: timeout after %u s\n", opt.id, opt.timeout_s);
			break;
		}
	}
	/*
	 * No window: frames may still sit in our transmit ring; stopping the
	 * port now would take them from the switch. Give it the idle time.
	 */
	if (!want_echo && !quit)
		rte_delay_ms(opt.idle_ms);
	/* Late echoes of frames written off at a reconnect. */
	if (want_echo && received < sent) {
		uint64_t end = rte_get_timer_cycles() + hz / 2;

		while (rte_get_timer_cycles() < end && received < sent)
			rx_echoes(false);
	}
	{
		double s = (double)(rte_get_timer_cycles() - start) / hz;

		printf("peer %u gen: sent %" PRIu64 " received %" PRIu64 " corrupt %" PRIu64
				" foreign %" PRIu64 " duplicate %" PRIu64 " lost %" PRIu64
				" (may be lost: %" PRIu64 " in flight at %" PRIu64 " reconnect(s)) in %.2f s\n",
				opt.id, sent, received, bad, foreign, dup,
				want_echo ? sent - received : 0, written_off, reconnects, s);
	}
	if (bad || foreign || dup)
		return -EIO;
	if (want_echo && sent - received > written_off)
		return -EIO;
	if (sent != opt.count)
		return -EIO;
	return 0;
}

static int
run_echo_sink(bool echo)
{
	struct rte_mbuf *pkts[PEER_BURST], *back[PEER_BURST];
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t first = 0, last = 0;
	uint64_t next_seq[256] = { 0 };

	while (!quit) {
		uint64_t now = rte_get_timer_cycles();
		uint16_t n = rte_eth_rx_burst(port_id, 0, pkts, PEER_BURST), i, k = 0;

		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			struct peer_hdr h;
			uint8_t from;

			if (m->pkt_len < PAYLOAD_OFF) {
				foreign++;
				rte_pktmbuf_free(m);
				continue;
			}
			from = *rte_pktmbuf_mtod_offset(m, uint8_t *,
					HDR_OFF + offsetof(struct peer_hdr, src));
			if (!check_frame(m, &h, from, false)) {
				rte_pktmbuf_free(m);
				continue;
			}
			/* One sender's frames arrive in order (gaps: drops). */
			if (h.seq < next_seq[from] && next_seq[from] != 0) {
				printf("peer %u: seq %" PRIu64 " from %u after %" PRIu64 ": out of order\n",
						opt.id, h.seq, from, next_seq[from] - 1);
				dup++;
			}
			next_seq[from] = h.seq + 1;
			received++;
			rx_bytes += m->pkt_len;
			if (!echo) {
				rte_pktmbuf_free(m);
				continue;
			}
			/* Back to the sender: swap the addresses, mark it. */
			{
				struct rte_ether_hdr *eh =
					rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
				struct rte_ether_addr a = eh->dst_addr;
				struct peer_hdr *ph = rte_pktmbuf_mtod_offset(m,
						struct peer_hdr *, HDR_OFF);

				eh->dst_addr = eh->src_addr;
				eh->src_addr = a;
				ph->flags |= F_ECHOED;
			}
			back[k++] = m;
		}
		if (k > 0)
			tx_all(back, k);
		if (opt.pause_ms != 0 && received >= opt.pause_at) {
			printf("peer %u: reading nothing for %" PRIu64 " ms after %" PRIu64 " frames\n",
					opt.id, opt.pause_ms, received);
			rte_delay_us_sleep(opt.pause_ms * 1000);
			opt.pause_ms = 0;
			now = rte_get_timer_cycles();
			last = now;
		}
		if (n > 0) {
			if (first == 0)
				first = now;
			last = now;
		} else {
			sched_yield();	/* idle: let the switch run (shared cores) */
		}
		if (received > 0 && now - last > opt.idle_ms * hz / 1000)
			break;
		if (opt.expect != 0 && received >= opt.expect && !echo)
			break;
		if (now - start > opt.timeout_s * hz) {
			printf("peer %u: timeout after %u s\n", opt.id, opt.timeout_s);
			break;
		}
	}
	{
		double s = last > first ? (double)(last - first) / hz : 0;

		printf("peer %u %s: received %" PRIu64 " (%" PRIu64 " bytes) corrupt %" PRIu64
				" foreign %" PRIu64 " misordered %" PRIu64 " echo-dropped %" PRIu64
				" in %.3f s: %.3f Mpps %.3f Gbit/s\n",
				opt.id, echo ? "echo" : "sink", received, rx_bytes, bad,
				foreign, dup, tx_dropped, s, s > 0 ? received / s / 1e6 : 0,
				s > 0 ? rx_bytes * 8 / s / 1e9 : 0);
	}
	if (bad || foreign || dup || received == 0)
		return -EIO;
	if (opt.expect != 0 && received != opt.expect) {
		printf("peer %u: expected %" PRIu64 " frame(s)\n", opt.id, opt.expect);
		return -EIO;
	}
	return 0;
}

/* ---- options ------------------------------------------------------------ */

static int
parse_sizes(const char *s)
{
	char buf[128], *tok, *save;
	size_t n = strlen(s);
	uint64_t v;

	/* strtok_r() would skip empty items, snprintf() cut a long list. */
	if (n == 0 || n >= sizeof(buf) || s[0] == ',' || s[n - 1] == ',' ||
			strstr(s, ",,") != NULL) {
		fprintf(stderr, "--sizes: '%s': frame sizes separated by commas, no empty"
				" item, at most %zu characters\n", s, sizeof(buf) - 1);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	opt.nb_sizes = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		if (opt.nb_sizes == PEER_MAX_SIZES) {
			fprintf(stderr, "--sizes: at most %d sizes\n", PEER_MAX_SIZES);
			return -1;
		}
		if (vsw_parse_num("sizes", tok, PEER_MIN_FRAME, PEER_MAX_FRAME, &v) != 0)
			return -1;
		opt.sizes[opt.nb_sizes++] = v;
	}
	return opt.nb_sizes > 0 ? 0 : -1;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "id", required_argument, NULL, 'i' },
		{ "to", required_argument, NULL, 'o' },
		{ "sizes", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "window", required_argument, NULL, 'w' },
		{ "corrupt-every", required_argument, NULL, 'x' },
		{ "reconnect-every", required_argument, NULL, 'R' },
		{ "idle-ms", required_argument, NULL, 'I' },
		{ "pps", required_argument, NULL, 'P' },
		{ "grow-at", required_argument, NULL, 'G' },
		{ "grow-on-signal", no_argument, NULL, 'g' },
		{ "pause-at", required_argument, NULL, 'p' },
		{ "mbufs", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "expect", required_argument, NULL, 'e' },
		{ "plain-echo", no_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (strcmp(optarg, "gen") == 0)
				opt.role = ROLE_GEN;
			else if (strcmp(optarg, "echo") == 0)
				opt.role = ROLE_ECHO;
			else if (strcmp(optarg, "sink") == 0)
				opt.role = ROLE_SINK;
			else {
				fprintf(stderr, "--role: expected gen, echo or sink, got '%s'\n", optarg);
				return -1;
			}
			break;
		case 'i':
			if (vsw_parse_num("id", optarg, 1, 254, &v) != 0)
				return -1;
			opt.id = v;
			break;
		case 'o':
			if (vsw_parse_num("to", optarg, 1, 254, &v) != 0)
				return -1;
			opt.to = v;
			break;
		case 's':
			if (parse_sizes(optarg) != 0)
				return -1;
			break;
		case 'c':
			if (vsw_parse_num("count", optarg, 1, 1ULL << 32, &v) != 0)
				return -1;
			opt.count = v;
			break;
		case 'w':
			if (vsw_parse_num("window", optarg, 0, 1 << 20, &v) != 0)
				return -1;
			opt.window = v;
			break;
		case 'x':
			if (vsw_parse_num("corrupt-every", optarg, 1, UINT64_MAX, &v) != 0)
				return -1;
			opt.corrupt_every = v;
			break;
		case 'R':
			if (vsw_parse_num("reconnect-every", optarg, 1, UINT64_MAX, &v) != 0)
				return -1;
			opt.reconnect_every = v;
			break;
		case 'G':
			if (vsw_parse_num_pair("grow-at", "FRAMES:MIB", optarg,
					0, UINT64_MAX, &opt.grow_at,
					1, 4096, &opt.grow_mb) != 0)
				return -1;
			break;
		case 'g':
			opt.grow_on_signal = true;
			break;
		case 'p':
			if (vsw_parse_num_pair("pause-at", "FRAMES:MS", optarg,
					1, UINT64_MAX, &opt.pause_at,
					1, 600000, &opt.pause_ms) != 0)
				return -1;
			break;
		case 'm':
			if (vsw_parse_num("mbufs", optarg, 511, 1 << 20, &v) != 0)
				return -1;
			opt.mbufs = v;
			break;
		case 'P':
			if (vsw_parse_num("pps", optarg, 1, 100000000, &v) != 0)
				return -1;
			opt.pps = v;
			break;
		case 'I':
			if (vsw_parse_num("idle-ms", optarg, 1, 600000, &v) != 0)
				return -1;
			opt.idle_ms = v;
			break;
		case 'T':
			if (vsw_parse_num("timeout", optarg, 1, 86400, &v) != 0)
				return -1;
			opt.timeout_s = v;
			break;
		case 'e':
			if (vsw_parse_num("expect", optarg, 1, UINT64_MAX, &v) != 0)
				return -1;
			opt.expect = v;
			break;
		case 'E':
			opt.plain_echo = true;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (opt.pause_ms != 0 && opt.role == ROLE_GEN) {
		fprintf(stderr, "--pause-at: for the echo and sink roles\n");
		return -1;
	}
	if (opt.grow_on_signal && opt.grow_mb == 0) {
		fprintf(stderr, "--grow-on-signal needs --grow-at\n");
		return -1;
	}
	if (opt.role == ROLE_GEN && opt.id == opt.to) {
		fprintf(stderr, "--to: frames to ourselves (%u)\n", opt.id);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int ret;

	if (vsw_eal_start(&argc, &argv) != 0)
		return 2;
	if (parse_args(argc, argv) != 0) {
		rte_eal_cleanup();
		return 2;
	}
	vsw_quit_on_signals(&quit);
	signal(SIGUSR1, on_usr1);
	setvbuf(stdout, NULL, _IOLBF, 0);

	pool = rte_pktmbuf_pool_create("peer_mbufs", opt.mbufs, 256, 0,
			RTE_PKTMBUF_HEADROOM + PEER_MAX_FRAME, rte_socket_id());
	if (pool == NULL || find_vdev() != 0 || port_up() != 0) {
		rte_eal_cleanup();
		return 2;
	}
	if (opt.role == ROLE_GEN)
		ret = run_gen();
	else
		ret = run_echo_sink(opt.role == ROLE_ECHO);
	port_down();
	rte_free(grown);
	free(seen);
	rte_eal_cleanup();
	printf("peer %u: %s\n", opt.id, ret == 0 ? "PASS" : "FAIL");
	return ret == 0 ? 0 : 1;
}
