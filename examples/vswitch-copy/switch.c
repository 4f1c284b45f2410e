/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The switching loop and its forwarding decisions (MAC learning, or fixed
 * port pairs).
 *
 * One lcore runs vsw_switch_loop(); everything here is touched by it only
 * (the MAC table, the output buffers, the datapath counters), except the
 * port hand-over fields described in main.h.
 *
 * Per port and loop:
 *   1. packets the guest received (async: completed copies) are counted
 *      and their mbufs freed;
 *   2. a burst is taken from the guest's transmit queue (async: the copies
 *      of earlier calls that completed; new copies are started);
 *   3. each packet goes to its output buffer: learnt port, or every other
 *      port (flooding: one reference per copy of the mbuf);
 * then each output buffer goes to its guest in one enqueue call; what the
 * guest has no room for waits in the port's backlog (older frames first
 * at the next loop) and is dropped, and counted, only when the backlog is
 * full or the guest has taken nothing for --hold-ms.
 *
 * Frames of a guest that a drain gave back (the port's handed ring, main.h)
 * are older than anything its queue gives now: they are taken after each
 * dequeue and forwarded, and flushed, before the frames that dequeue
 * returned. (Taken after it: a dequeue that returns frames ran after the
 * drain's callback let go of the queue lock, so its ring is seen full.)
 */

#include <inttypes.h>
#include <sched.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_vhost.h>
#include <rte_vhost_async.h>

#include "main.h"

/* ---- MAC table: open addressing, linear probing, no ageing ------------ */

#define MAC_TABLE_SIZE	1024	/* power of 2 */
#define MAC_NONE	0xff

struct mac_entry {
	uint64_t mac;		/* 48-bit address; 0: empty */
	uint8_t port;
};

static struct mac_entry mac_table[MAC_TABLE_SIZE];
static unsigned int mac_count;

/*
 * An address's key in the table, never 0 (an empty slot's): bit 48 set,
 * above the address's 48 bits. 00:00:00:00:00:00 read as 0 matched the
 * first empty slot, and its frames went to port 0 instead of the flood.
 */
static inline uint64_t
mac_key(const struct rte_ether_addr *a)
{
	uint64_t k = 0;

	memcpy(&k, a->addr_bytes, RTE_ETHER_ADDR_LEN);
	return k | UINT64_C(1) << 48;
}

static inline uint32_t
mac_hash(uint64_t k)
{
	return (uint32_t)((k * 0x9e3779b97f4a7c15ULL) >> 40) & (MAC_TABLE_SIZE - 1);
}

static inline uint8_t
mac_lookup(uint64_t k)
{
	uint32_t i = mac_hash(k), n;

	for (n = 0; n < MAC_TABLE_SIZE; n++, i = (i + 1) & (MAC_TABLE_SIZE - 1)) {
		if (mac_table[i].mac == k)
			return mac_table[i].port;
		if (mac_table[i].mac == 0)
			break;
	}
	return MAC_NONE;
}

static inline void
mac_learn(uint64_t k, uint8_t port)
{
	uint32_t i = mac_hash(k), n;

	for (n = 0; n < MAC_TABLE_SIZE; n++, i = (i + 1) & (MAC_TABLE_SIZE - 1)) {
		if (mac_table[i].mac == k) {
			mac_table[i].port = port;	/* the station moved */
			return;
		}
		if (mac_table[i].mac == 0) {
			/* Keep a quarter free so that lookups end. */
			if (mac_count >= MAC_TABLE_SIZE * 3 / 4)
				return;
			mac_table[i].mac = k;
			mac_table[i].port = port;
			mac_count++;
			return;
		}
	}
}

/* Forget every address learnt on the port (it went down): rebuild. */
void
vsw_mac_flush_port(unsigned int port)
{
	static struct mac_entry keep[MAC_TABLE_SIZE];
	unsigned int i, n = 0;

	for (i = 0; i < MAC_TABLE_SIZE; i++)
		if (mac_table[i].mac != 0 && mac_table[i].port != port)
			keep[n++] = mac_table[i];
	memset(mac_table, 0, sizeof(mac_table));
	mac_count = 0;
	for (i = 0; i < n; i++)
		mac_learn(keep[i].mac, keep[i].port);
}

/* ---- forwarding ------------------------------------------------------- */

static inline void
out_add(struct vsw_port *dst, struct rte_mbuf *m)
{
	dst->out[dst->nb_out++] = m;
}

static void
forward(unsigned int in, struct rte_mbuf **pkts, uint16_t n,
		const bool *up)
{
	struct vsw_port *src = &vsw_ports[in];
	unsigned int o, targets = 0;
	uint16_t i;

	/* Flooding targets: every other port that is up (once per burst). */
	if (!vsw_conf.pairs)
		for (o = 0; o < vsw_conf.nb_ports; o++)
			targets += (o != in && up[o]);

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eh =
				rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		uint8_t dst;

		src->st.rx_bytes += m->pkt_len;
		if (vsw_conf.pairs) {
			o = in ^ 1;
			if (o < vsw_conf.nb_ports && up[o]) {
				out_add(&vsw_ports[o], m);
				continue;
			}
			src->st.no_dest++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (m->data_len < sizeof(*eh)) {
			src->st.no_dest++;
			rte_pktmbuf_free(m);
			continue;
		}
		/* Not on a port that went (frames a drain handed on). */
		if (up[in] && !rte_is_multicast_ether_addr(&eh->src_addr))
			mac_learn(mac_key(&eh->src_addr), in);
		dst = rte_is_multicast_ether_addr(&eh->dst_addr) ? MAC_NONE :
				mac_lookup(mac_key(&eh->dst_addr));
		if (dst != MAC_NONE) {
			if (dst != in && up[dst]) {
				out_add(&vsw_ports[dst], m);
				continue;
			}
			src->st.no_dest++;
			rte_pktmbuf_free(m);
			continue;
		}
		/* Unknown or group address: every other port that is up. */
		if (targets == 0) {
			src->st.no_dest++;
			rte_pktmbuf_free(m);
			continue;
		}
		src->st.flooded++;
		/* Every segment's: each port frees the whole chain. */
		rte_pktmbuf_refcnt_update(m, (int16_t)(targets - 1));
		for (o = 0; o < vsw_conf.nb_ports; o++)
			if (o != in && up[o])
				out_add(&vsw_ports[o], m);
	}
}

/* Give n packets to the guest; returns how many it took. */
static uint16_t
guest_send(struct vsw_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent, i;

	if (vsw_conf.offload) {
		/* Accepted mbufs come back from poll_enqueue_completed. */
		sent = rte_vhost_submit_enqueue_burst(p->vid, VSW_RXQ, pkts, n,
				vsw_conf.dma_id, vsw_port_vchan(p));
		p->st.tx_accepted += sent;
		return sent;
	}
	sent = rte_vhost_enqueue_burst(p->vid, VSW_RXQ, pkts, n);
	p->st.tx += sent;
	for (i = 0; i < sent; i++)
		p->st.tx_bytes += pkts[i]->pkt_len;
	rte_pktmbuf_free_bulk(pkts, sent);
	return sent;
}

/* Drop the port's backlog (counted). */
static void
backlog_drop(struct vsw_port *p)
{
	p->st.drops += p->nb_held;
	rte_pktmbuf_free_bulk(p->backlog, p->nb_held);
	p->nb_held = 0;
}

/* Drop everything queued for the port: its output buffer and backlog. */
static void
queued_drop(struct vsw_port *p)
{
	p->st.drops += p->nb_out;
	rte_pktmbuf_free_bulk(p->out, p->nb_out);
	p->nb_out = 0;
	backlog_drop(p);
}

/*
 * The backlog first: what the guest takes of it, from its head. Returns
 * true when it is empty. A guest that took nothing for hold_cycles loses
 * it.
 */
static bool
backlog_send(struct vsw_port *p, uint64_t now)
{
	uint16_t sent = 0, n;

	while (sent < p->nb_held) {
		n = RTE_MIN(p->nb_held - sent, VSW_BURST);
		n = guest_send(p, p->backlog + sent, n);
		if (n == 0)
			break;
		sent += n;
	}
	if (sent != 0) {
		p->nb_held -= sent;
		memmove(p->backlog, p->backlog + sent, p->nb_held * sizeof(p->backlog[0]));
		p->held_since = now;
	} else if (now - p->held_since > vsw_conf.hold_cycles) {
		p->st.hold_timeouts++;
		backlog_drop(p);
	}
	return p->nb_held == 0;
}

/* Hand the output buffer of port o to its guest; keep what it has no room for. */
static void
flush_out(struct vsw_port *p, bool up, uint64_t now)
{
	uint16_t n = p->nb_out, sent = 0, keep;

	if (n == 0 && p->nb_held == 0)
		return;
	if (!up) {
		queued_drop(p);
		return;
	}
	p->nb_out = 0;
	if (p->nb_held == 0 || backlog_send(p, now))
		sent = n == 0 ? 0 : guest_send(p, p->out, n);
	if (sent == n)
		return;
	/* Behind older frames, or no room: they wait, as many as fit. */
	if (p->nb_held == 0)
		p->held_since = now;
	keep = RTE_MIN(n - sent, VSW_BACKLOG - p->nb_held);
	memcpy(p->backlog + p->nb_held, p->out + sent, keep * sizeof(p->out[0]));
	p->nb_held += keep;
	p->st.held += keep;
	p->st.drops += n - sent - keep;
	rte_pktmbuf_free_bulk(p->out + sent + keep, n - sent - keep);
}

/* Flush every port's output buffer. */
static void
flush_all(const bool *up, uint64_t now)
{
	unsigned int o;

	for (o = 0; o < vsw_conf.nb_ports; o++)
		flush_out(&vsw_ports[o], up[o], now);
}

/*
 * Forward what drains handed on from the port's guest (main.h), every
 * burst flushed before the next: these frames come before any the guest
 * queue gives now. Returns how many.
 */
static uint32_t
take_handed(unsigned int in, const bool *up, uint64_t now)
{
	struct vsw_port *p = &vsw_ports[in];
	struct rte_mbuf *pkts[VSW_BURST];
	uint32_t total = 0;
	unsigned int n;

	while ((n = rte_ring_sc_dequeue_burst(p->handed, (void **)pkts,
			VSW_BURST, NULL)) != 0) {
		p->st.rx += n;
		p->st.handed += n;
		forward(in, pkts, n, up);
		flush_all(up, now);
		total += n;
	}
	return total;
}

/* Count and free what the guest has received (async copies completed). */
static inline uint16_t
reap_tx(struct vsw_port *p)
{
	struct rte_mbuf *cpl[VSW_BURST];
	uint16_t n, i;

	n = rte_vhost_poll_enqueue_completed(p->vid, VSW_RXQ, cpl, VSW_BURST,
			vsw_conf.dma_id, vsw_port_vchan(p));
	p->st.tx += n;
	for (i = 0; i < n; i++)
		p->st.tx_bytes += cpl[i]->pkt_len;
	rte_pktmbuf_free_bulk(cpl, n);
	return n;
}

static inline uint16_t
take_rx(struct vsw_port *p, struct rte_mbuf **pkts)
{
	uint16_t n;
	int inflight;

	if (vsw_conf.offload) {
		n = rte_vhost_async_try_dequeue_burst(p->vid, VSW_TXQ, vsw_pool,
				pkts, VSW_BURST, &inflight, vsw_conf.dma_id,
				vsw_port_vchan(p));
		/* -1: the queue was busy (locked): the last count stands. */
		if (inflight >= 0)
			p->st.rx_inflight = inflight;
	} else
		n = rte_vhost_dequeue_burst(p->vid, VSW_TXQ, vsw_pool, pkts,
				VSW_BURST);
	p->st.rx += n;
	return n;
}

int
vsw_switch_loop(void *arg __rte_unused)
{
	struct rte_mbuf *pkts[VSW_BURST];
	bool up[VSW_MAX_PORTS] = { false };
	unsigned int i, nb = vsw_conf.nb_ports;

	VSW_LOG(INFO, "switching on lcore %u, %u port(s), %s, %s copies",
			rte_lcore_id(), nb,
			vsw_conf.pairs ? "port pairs" : "MAC learning",
			vsw_conf.offload ? vsw_conf.dma_name : "CPU");
	vsw_core.long_cycles = rte_get_tsc_hz() / 1000;
	__atomic_store_n(&vsw_dp_running, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&vsw_quit, __ATOMIC_RELAXED)) {
		uint64_t t0 = rte_rdtsc(), t1;
		uint32_t work = 0, rx = 0;

		/* Hand-over: let go of ports the control side took back. */
		for (i = 0; i < nb; i++) {
			struct vsw_port *p = &vsw_ports[i];
			/* A1: pairs with R1 in destroy_device. */
			uint32_t gen = __atomic_load_n(&p->ctl_gen, __ATOMIC_ACQUIRE);

			if (unlikely(gen != p->dp_gen)) {
				queued_drop(p);
				p->st.rx_inflight = 0;	/* drained by the control side */
				vsw_mac_flush_port(i);
				/* R2: pairs with A1 in destroy_device. */
				__atomic_store_n(&p->dp_gen, gen, __ATOMIC_RELEASE);
			}
			/* A0: pairs with R0 in new_device. */
			up[i] = __atomic_load_n(&p->running, __ATOMIC_ACQUIRE) != 0;
		}

		for (i = 0; i < nb; i++) {
			struct vsw_port *p = &vsw_ports[i];
			uint16_t n;

			n = 0;
			if (up[i]) {
				if (vsw_conf.offload && !(vsw_test_noreap &&
						i == nb - 1))
					work += reap_tx(p);
				n = take_rx(p, pkts);
			}
			/* After the dequeue (file comment). */
			if (unlikely(!rte_ring_empty(p->handed)))
				rx += take_handed(i, up, t0);
			if (n > 0) {
				rx += n;
				forward(i, pkts, n, up);
			}
		}
		flush_all(up, t0);

		t1 = rte_rdtsc();
		vsw_core.loops++;
		vsw_core.total_cycles += t1 - t0;
		if (unlikely(t1 - t0 > vsw_core.long_cycles)) {
			/*
			 * No loop takes a millisecond of work: the thread lost
			 * its core (cores shared with guests or other load).
			 * Kept out of cycles per packet, counted apart.
			 */
			vsw_core.long_loops++;
			vsw_core.long_pkts += rx;
		} else if (rx + work > 0) {
			vsw_core.busy_loops++;
			vsw_core.busy_cycles += t1 - t0;
			vsw_core.pkts += rx;
		} else if (vsw_conf.idle_yield) {
			sched_yield();
		}
	}
	for (i = 0; i < nb; i++)
		queued_drop(&vsw_ports[i]);
	/* R3: destroy_device no longer waits for us (pairs with its A1). */
	__atomic_store_n(&vsw_dp_running, false, __ATOMIC_RELEASE);
	VSW_LOG(INFO, "switching stopped");
	return 0;
}
