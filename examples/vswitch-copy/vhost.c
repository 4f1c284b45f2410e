/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * vhost-user ports: socket registration, the device callbacks, the async
 * channels and the guest-memory registrations for DMA.
 *
 * Runs in vhost's event thread (the callbacks) and in the main lcore
 * (start, stop). The contract of vhost's async API that this file keeps:
 *
 *  - a queue's in-flight packets are drained (rte_vhost_clear_queue*)
 *    before the queue is disabled, its channel unregistered, or the memory
 *    its copies touch goes away. vhost calls vring_state_changed(q, 0)
 *    with the queue locks held before it frees the guest's memory table
 *    (SET_MEM_TABLE while running, when async copy is on): the drain there
 *    uses the _thread_unsafe variants. What a drain completes of the
 *    guest's transmit queue are frames it sent: they are handed to the
 *    switching lcore (main.h), not dropped;
 *  - destroy_device is called without the queue locks: the datapath is
 *    first made to let go of the port (hand-over in main.h), then the
 *    queues are drained with the locking variants.
 *
 * Guest memory and the library: with the dma_offload dmadev, the engines
 * behind it may only reach memory mapped for them (dma_sw domain=strict,
 * any engine behind an IOMMU). Each region of the guest's memory table is
 * registered with ocopy_mem_register_external() (rte_extmem_register() and
 * one coalesced map per engine) when the device starts, and unregistered,
 * after the drain, when the device stops or its memory table changes
 * (checked when the queues come back after a SET_MEM_TABLE).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_vhost.h>
#include <rte_vhost_async.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>

#include <ocopy.h>

#include "main.h"

int
vsw_port_of_vid(int vid)
{
	char ifname[PATH_MAX];
	unsigned int i;

	if (rte_vhost_get_ifname(vid, ifname, sizeof(ifname)) != 0)
		return -1;
	for (i = 0; i < vsw_conf.nb_ports; i++)
		if (strcmp(vsw_ports[i].path, ifname) == 0)
			return i;
	return -1;
}

/*
 * What a drain gave back of the guest's transmit queue: frames the guest
 * sent, their copies done. They go to the switching lcore (the handed
 * ring); one that does not fit is dropped and counted.
 */
static void
hand_on(struct vsw_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned int k = rte_ring_enqueue_burst(p->handed, (void **)pkts, n, NULL);

	if (unlikely(k < n)) {
		rte_pktmbuf_free_bulk(pkts + k, n - k);
		p->handed_lost += n - k;
	}
}

/*
 * What a drain completed of the guest's receive queue: in the guest if
 * vhost wrote their used entries (its last used index moved), counted as
 * sent. If not, the guest never got them: vhost 22.11 writes no used entry
 * while the queue is disabled (SET_VRING_ENABLE 0, as virtio-user sends
 * before a new memory table), and the guest does not get those
 * descriptors back either. Dropped, and counted (drain_lost).
 */
static void
drained_rx(struct vsw_port *p, struct rte_mbuf **pkts, uint16_t n, bool given)
{
	if (given)
		p->drained_tx += n;
	else
		p->drain_lost += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

/*
 * After the drain of a disabled receive queue: the descriptors of the
 * frames vhost completed there without a used entry (drain_lost) stay
 * consumed on vhost's side (its last avail index ahead of its last used
 * one), while the guest still has them in its avail ring. A guest that
 * reads its used ring in order (virtio-user's in_order, on by default)
 * then paired every later used entry with the buffer of the descriptor d
 * slots before it: frames given another frame's length (guest B counted
 * some 480 corrupt in memstall, about one run in six on a loaded
 * machine), and the last d never seen. vhost's avail index goes back to
 * its used index, so that it offers those descriptors again: the guest
 * loses the d frames, as counted, and nothing else. Split rings only (a
 * packed ring's indexes carry its wrap counters).
 */
static void
rx_rewind(struct vsw_port *p)
{
	uint64_t features;
	uint16_t avail, used;

	if (rte_vhost_get_negotiated_features(p->vid, &features) != 0 ||
			(features & (1ULL << VIRTIO_F_RING_PACKED)) != 0)
		return;
	if (rte_vhost_get_vring_base(p->vid, VSW_RXQ, &avail, &used) != 0 ||
			avail == used)
		return;
	if (rte_vhost_set_vring_base(p->vid, VSW_RXQ, used, used) != 0) {
		VSW_LOG(ERR, "port %u (vid %d): cannot rewind the receive queue's avail index %u to %u",
				(unsigned int)(p - vsw_ports), p->vid, avail, used);
		return;
	}
	VSW_LOG(INFO, "port %u (vid %d) queue %u: %u descriptor(s) of frames lost at the disable offered again (avail index %u -> %u)",
			(unsigned int)(p - vsw_ports), p->vid, VSW_RXQ,
			(uint16_t)(avail - used), avail, used);
}

/*
 * Complete every packet of the queue still in the DMA path. locked: the
 * caller is a vhost callback that holds the queue's lock. It never gives
 * up: once the callback returns, vhost unmaps the guest's memory (at a
 * disconnect, or for a new memory table, which may come back at the same
 * addresses), and an engine that resumed later would write into memory
 * that is gone, or into the new table's. An engine that does not finish
 * within the drain timeout is logged and counted, each timeout again.
 * The receive queue's packets: see drained_rx(). The transmit queue's are
 * the guest's frames: handed to the datapath, which forwards them
 * (main.h).
 */
static void
drain_queue(struct vsw_port *p, uint16_t qid, bool locked)
{
	struct rte_mbuf *cpl[VSW_BURST];
	const uint64_t period = vsw_conf.drain_timeout_us * rte_get_timer_hz() / 1000000;
	uint64_t deadline = rte_get_timer_cycles() + period;
	uint64_t handed = 0, waited_us = 0;
	int left;

	for (;;) {
		uint16_t n, avail, used0 = 0, used1 = 0;

		left = locked ?
			rte_vhost_async_get_inflight_thread_unsafe(p->vid, qid) :
			rte_vhost_async_get_inflight(p->vid, qid);
		if (left <= 0)
			break;
		if (rte_get_timer_cycles() > deadline) {
			waited_us += vsw_conf.drain_timeout_us;
			p->drain_timeouts++;
			VSW_LOG(ERR, "port %u (vid %d) queue %u: %d packet(s) still in the DMA path after %" PRIu64 " ms: waiting for the engine (its service lcore?); the guest's memory is not given back while an engine may write to it",
					(unsigned int)(p - vsw_ports), p->vid, qid,
					left, waited_us / 1000);
			deadline = rte_get_timer_cycles() + period;
		}
		if (qid == VSW_RXQ)
			rte_vhost_get_vring_base(p->vid, qid, &avail, &used0);
		n = locked ?
			rte_vhost_clear_queue_thread_unsafe(p->vid, qid, cpl,
				RTE_MIN(left, VSW_BURST), vsw_conf.dma_id,
				vsw_port_vchan(p)) :
			rte_vhost_clear_queue(p->vid, qid, cpl,
				RTE_MIN(left, VSW_BURST), vsw_conf.dma_id,
				vsw_port_vchan(p));
		if (n == 0) {
			rte_pause();
		} else if (qid == VSW_TXQ) {
			hand_on(p, cpl, n);
			handed += n;
		} else {
			rte_vhost_get_vring_base(p->vid, qid, &avail, &used1);
			drained_rx(p, cpl, n, used1 != used0);
		}
	}
	/* A disable (SET_VRING_ENABLE 0, the callback): the guest stays. */
	if (qid == VSW_RXQ && locked)
		rx_rewind(p);
	if (handed != 0)
		VSW_LOG(INFO, "port %u (vid %d) queue %u: %" PRIu64 " frame(s) the guest sent were in the DMA path: handed to the switching lcore",
				(unsigned int)(p - vsw_ports), p->vid, qid, handed);
	if (waited_us != 0)
		VSW_LOG(INFO, "port %u (vid %d) queue %u: drained after more than %" PRIu64 " ms",
				(unsigned int)(p - vsw_ports), p->vid, qid,
				waited_us / 1000);
}

/* ---- guest memory ---------------------------------------------------- */

static void
mem_unregister(struct vsw_port *p)
{
	uint64_t unmaps0, unmaps1;
	unsigned int i;

	if (vsw_oc == NULL || p->nb_regs == 0)
		return;
	/* Its queues were drained (drain_queue() never gives up). */
	vsw_map_counts(NULL, &unmaps0, NULL);
	for (i = 0; i < p->nb_regs; i++) {
		int ret = ocopy_mem_unregister(vsw_oc, p->regs[i].reg_id);

		if (ret != 0)
			VSW_LOG(ERR, "port %u: unregistering guest region 0x%" PRIx64 " failed: %s",
					(unsigned int)(p - vsw_ports),
					p->regs[i].host_addr, strerror(-ret));
	}
	vsw_map_counts(NULL, &unmaps1, NULL);
	p->unmaps += unmaps1 - unmaps0;
	p->segments = 0;
	VSW_LOG(INFO, "port %u: guest memory unregistered: %u region(s), %" PRIu64 " unmap(s)",
			(unsigned int)(p - vsw_ports), p->nb_regs, unmaps1 - unmaps0);
	p->nb_regs = 0;
}

/* Same regions as registered? */
static bool
mem_same(const struct vsw_port *p, const struct rte_vhost_memory *mem)
{
	uint32_t i;

	if (mem->nregions != p->nb_regs)
		return false;
	for (i = 0; i < mem->nregions; i++)
		if ((uint64_t)(uintptr_t)mem->regions[i].mmap_addr != p->regs[i].host_addr ||
				mem->regions[i].mmap_size != p->regs[i].size)
			return false;
	return true;
}

/*
 * Register the guest's current memory table with the library (replacing
 * the registrations of an older table: the caller drained the queues).
 */
static int
mem_sync(struct vsw_port *p)
{
	struct rte_vhost_memory *mem = NULL;
	uint64_t maps0, maps1;
	uint32_t seg0, seg1, i;
	int ret = 0;

	if (vsw_oc == NULL)
		return 0;
	if (rte_vhost_get_mem_table(p->vid, &mem) != 0) {
		VSW_LOG(ERR, "port %u: no memory table", (unsigned int)(p - vsw_ports));
		return -ENOENT;
	}
	if (mem_same(p, mem))
		goto out;
	mem_unregister(p);
	if (mem->nregions > VSW_MAX_REGIONS) {
		ret = -E2BIG;
		goto out;
	}
	vsw_map_counts(&maps0, NULL, &seg0);
	for (i = 0; i < mem->nregions; i++) {
		const struct rte_vhost_mem_region *r = &mem->regions[i];
		struct stat st;
		size_t pgsz;

		/* The page size of the region's file, as vhost reads it. */
		if (fstat(r->fd, &st) != 0) {
			ret = -errno;
			break;
		}
		pgsz = st.st_blksize;
		ret = ocopy_mem_register_external(vsw_oc, r->mmap_addr,
				r->mmap_size, pgsz);
		if (ret < 0) {
			p->reg_failures++;
			VSW_LOG(ERR, "port %u: guest region %u (%p, %" PRIu64 " bytes, pages of %zu) not registered for DMA: %s",
					(unsigned int)(p - vsw_ports), i,
					r->mmap_addr, r->mmap_size, pgsz,
					strerror(-ret));
			break;
		}
		p->regs[i].host_addr = (uint64_t)(uintptr_t)r->mmap_addr;
		p->regs[i].size = r->mmap_size;
		p->regs[i].reg_id = ret;
		p->nb_regs++;
		ret = 0;
	}
	vsw_map_counts(&maps1, NULL, &seg1);
	p->maps += maps1 - maps0;
	p->segments = seg1 - seg0;
	if (ret == 0)
		VSW_LOG(INFO, "port %u: guest memory registered for DMA: %u region(s), %" PRIu64 " map(s), %u segment(s)",
				(unsigned int)(p - vsw_ports), p->nb_regs,
				maps1 - maps0, p->segments);
	else
		mem_unregister(p);
out:
	free(mem);
	return ret;
}

/* ---- device callbacks -------------------------------------------------- */

static void
port_release(struct vsw_port *p)
{
	if (p->async) {
		drain_queue(p, VSW_RXQ, false);
		drain_queue(p, VSW_TXQ, false);
		mem_unregister(p);
		rte_vhost_async_channel_unregister(p->vid, VSW_RXQ);
		rte_vhost_async_channel_unregister(p->vid, VSW_TXQ);
		p->async = false;
	}
	p->vid = -1;
}

static int
new_device(int vid)
{
	int idx = vsw_port_of_vid(vid);
	struct vsw_port *p;

	if (idx < 0) {
		VSW_LOG(ERR, "vid %d: unknown socket", vid);
		return -1;
	}
	p = &vsw_ports[idx];
	p->vid = vid;
	if (vsw_conf.offload) {
		if (rte_vhost_async_channel_register(vid, VSW_RXQ) != 0 ||
				rte_vhost_async_channel_register(vid, VSW_TXQ) != 0) {
			VSW_LOG(ERR, "port %d: cannot register the async channels", idx);
			rte_vhost_async_channel_unregister(vid, VSW_RXQ);
			p->vid = -1;
			return -1;
		}
		p->async = true;
		if (mem_sync(p) != 0) {
			port_release(p);
			return -1;
		}
	}
	rte_vhost_enable_guest_notification(vid, VSW_RXQ, 0);
	rte_vhost_enable_guest_notification(vid, VSW_TXQ, 0);
	p->connects++;
	/* R0: the datapath's acquire of running (switch.c) sees vid. */
	__atomic_store_n(&p->running, 1, __ATOMIC_RELEASE);
	VSW_LOG(INFO, "port %d: guest up (vid %d, %s)", idx, vid,
			vsw_conf.offload ? "async copies" : "CPU copies");
	return 0;
}

static void
destroy_device(int vid)
{
	int idx = vsw_port_of_vid(vid);
	struct vsw_port *p;
	uint32_t gen;

	if (idx < 0 || vsw_ports[idx].vid != vid)
		return;
	p = &vsw_ports[idx];
	__atomic_store_n(&p->running, 0, __ATOMIC_RELAXED);
	/* R1: with the new generation the datapath sees running == 0. */
	gen = __atomic_add_fetch(&p->ctl_gen, 1, __ATOMIC_RELEASE);
	/* A1: wait for the datapath to let go (it echoes the generation). */
	while (__atomic_load_n(&vsw_dp_running, __ATOMIC_ACQUIRE) &&
			__atomic_load_n(&p->dp_gen, __ATOMIC_ACQUIRE) != gen)
		rte_pause();
	p->disconnects++;
	port_release(p);
	VSW_LOG(INFO, "port %d: guest down (vid %d)", idx, vid);
}

static int
vring_state_changed(int vid, uint16_t queue_id, int enable)
{
	int idx = vsw_port_of_vid(vid);
	struct vsw_port *p;

	if (idx < 0 || queue_id > VSW_TXQ)
		return 0;
	p = &vsw_ports[idx];
	if (!p->async || p->vid != vid)
		return 0;
	if (!enable) {
		/* Called with the queue's lock held (SET_MEM_TABLE, SET_VRING_ENABLE). */
		drain_queue(p, queue_id, true);
		return 0;
	}
	/*
	 * Back after SET_MEM_TABLE: both queues were drained when they were
	 * disabled; the table may be new. Checked once, on the last queue.
	 */
	if (queue_id == VSW_TXQ)
		mem_sync(p);
	return 0;
}

static const struct rte_vhost_device_ops vsw_vhost_ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
	.vring_state_changed = vring_state_changed,
};

/* Offloads the switch does not finish for the guests: leave them out. */
#define VSW_FEATURES_OFF ((1ULL << VIRTIO_NET_F_HOST_TSO4) | \
		(1ULL << VIRTIO_NET_F_HOST_TSO6) | (1ULL << VIRTIO_NET_F_CSUM) | \
		(1ULL << VIRTIO_NET_F_GUEST_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_TSO4) | \
		(1ULL << VIRTIO_NET_F_GUEST_TSO6) | (1ULL << VIRTIO_NET_F_HOST_UFO) | \
		(1ULL << VIRTIO_NET_F_GUEST_UFO))

int
vsw_vhost_start(void)
{
	uint64_t flags = 0;
	unsigned int i;
	int ret;

	if (vsw_conf.client)
		flags |= RTE_VHOST_USER_CLIENT;
	if (vsw_conf.offload) {
		flags |= RTE_VHOST_USER_ASYNC_COPY;
		for (i = 0; i < vsw_conf.nb_ports; i++) {
			ret = rte_vhost_async_dma_configure(vsw_conf.dma_id, i);
			if (ret != 0) {
				VSW_LOG(ERR, "vhost refuses dmadev %s vchan %u: %d",
						vsw_conf.dma_name, i, ret);
				goto unconfigure;
			}
		}
	}
	for (i = 0; i < vsw_conf.nb_ports; i++) {
		struct vsw_port *p = &vsw_ports[i];

		p->vid = -1;
		ret = rte_vhost_driver_register(p->path, flags);
		if (ret != 0) {
			VSW_LOG(ERR, "port %u: cannot register vhost-user socket %s",
					i, p->path);
			goto fail;
		}
		if (rte_vhost_driver_disable_features(p->path, VSW_FEATURES_OFF) != 0 ||
				rte_vhost_driver_callback_register(p->path,
					&vsw_vhost_ops) != 0 ||
				rte_vhost_driver_start(p->path) != 0) {
			VSW_LOG(ERR, "port %u: cannot start vhost-user socket %s",
					i, p->path);
			rte_vhost_driver_unregister(p->path);
			goto fail;
		}
		VSW_LOG(INFO, "port %u: %s (%s)", i, p->path,
				vsw_conf.client ? "client" : "server");
	}
	return 0;
fail:
	while (i-- > 0)
		rte_vhost_driver_unregister(vsw_ports[i].path);
	i = vsw_conf.nb_ports;
unconfigure:
	while (vsw_conf.offload && i-- > 0)
		rte_vhost_async_dma_unconfigure(vsw_conf.dma_id, i);
	return -EINVAL;
}

/*
 * Unregister every socket: vhost calls destroy_device for each connected
 * guest (drain, channels, memory). The datapath must have stopped.
 */
void
vsw_vhost_stop(void)
{
	unsigned int i;

	for (i = 0; i < vsw_conf.nb_ports; i++)
		if (rte_vhost_driver_unregister(vsw_ports[i].path) != 0)
			VSW_LOG(ERR, "port %u: cannot unregister %s", i,
					vsw_ports[i].path);
	for (i = 0; vsw_conf.offload && i < vsw_conf.nb_ports; i++)
		if (rte_vhost_async_dma_unconfigure(vsw_conf.dma_id, i) != 0)
			VSW_LOG(ERR, "vhost did not release dmadev %s vchan %u",
					vsw_conf.dma_name, i);
}

/*
 * The ports' handed rings (main.h): one consumer, the switching lcore;
 * producers are vhost's callbacks, one at a time.
 */
int
vsw_ports_init(void)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int i;

	for (i = 0; i < vsw_conf.nb_ports; i++) {
		snprintf(name, sizeof(name), "vsw_handed_%u", i);
		vsw_ports[i].handed = rte_ring_create(name, VSW_HANDED_RING,
				rte_socket_id(), RING_F_SC_DEQ);
		if (vsw_ports[i].handed == NULL) {
			VSW_LOG(ERR, "port %u: cannot create its ring: %s", i,
					rte_strerror(rte_errno));
			vsw_ports_release();
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * After the datapath and the guests have gone: frames handed on that no
 * loop took (the guests' last drains at exit) are dropped, and counted.
 */
void
vsw_ports_release(void)
{
	struct rte_mbuf *pkts[VSW_BURST];
	unsigned int i, n;

	for (i = 0; i < vsw_conf.nb_ports; i++) {
		struct vsw_port *p = &vsw_ports[i];

		while (p->handed != NULL && (n = rte_ring_sc_dequeue_burst(p->handed,
				(void **)pkts, RTE_DIM(pkts), NULL)) != 0) {
			rte_pktmbuf_free_bulk(pkts, n);
			p->handed_lost += n;
		}
		rte_ring_free(p->handed);
		p->handed = NULL;
	}
}
