/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw engine side: the "hardware". A pass reads each vchan's submitted
 * descriptors (A0), checks every source and destination range against the
 * domain, runs the copy or fill kernel, writes each status and publishes
 * how far it got (R1).
 *
 * Threading: one worker per device at a time: the device's service
 * (registered without RTE_SERVICE_CAP_MT_SAFE, so EAL never runs it on two
 * lcores at once), on the service lcores the application maps it to or,
 * with lcore=N, on lcore N alone (sw_dmadev.c); or, with the worker
 * stopped, the control thread draining in sw_vchan_run_inline(). The
 * worker owns done, sge_done, err_total, status[] and the worker-private
 * fields of each vchan.
 *
 * Quiescence: wseq is odd while a pass runs. The control path changes run
 * or the domain snapshot, then waits in sw_worker_wait_quiescent() until
 * any pass that may have seen the old value has ended (F0/F1 below).
 *
 * Fences: a descriptor with SW_DESC_F_FENCE runs only after every earlier
 * one has; as the worker runs them in order, that needs only a store fence
 * after non-temporal stores. If an earlier operation of the same submitted
 * batch failed, the fenced one is NOT_ATTEMPTED and writes nothing.
 */

#include <rte_atomic.h>
#include <rte_pause.h>

#include "sw_dmadev.h"

static __rte_always_inline sw_status_t
run_copy(const struct sw_dmadev *sw, struct sw_vchan *vc,
		const struct sw_domain_table *t, const struct sw_desc *d, bool *nt)
{
	void *src = sw_domain_lookup(&sw->domain, t, &vc->src_cache, d->src, d->len);
	void *dst;

	if (unlikely(src == NULL)) {
		vc->wst.bad_src++;
		return RTE_DMA_STATUS_INVALID_SRC_ADDR;
	}
	dst = sw_domain_lookup(&sw->domain, t, &vc->dst_cache, d->dst, d->len);
	if (unlikely(dst == NULL)) {
		vc->wst.bad_dst++;
		return RTE_DMA_STATUS_INVALID_DST_ADDR;
	}
	if (d->len >= sw->nt_threshold && !(d->flags & SW_DESC_F_LLC)) {
		sw->kernel->copy_nt(dst, src, d->len);
		vc->wst.nt_bytes += d->len;
		*nt = true;
	} else {
		sw_copy_cached(dst, src, d->len);
	}
	vc->wst.bytes += d->len;
	return RTE_DMA_STATUS_SUCCESSFUL;
}

static sw_status_t
run_fill(const struct sw_dmadev *sw, struct sw_vchan *vc,
		const struct sw_domain_table *t, const struct sw_desc *d, bool *nt)
{
	void *dst = sw_domain_lookup(&sw->domain, t, &vc->dst_cache, d->dst, d->len);

	if (unlikely(dst == NULL)) {
		vc->wst.bad_dst++;
		return RTE_DMA_STATUS_INVALID_DST_ADDR;
	}
	if (d->len >= sw->nt_threshold && !(d->flags & SW_DESC_F_LLC)) {
		sw->kernel->fill_nt(dst, d->src, d->len);
		vc->wst.nt_bytes += d->len;
		*nt = true;
	} else {
		sw_fill_cached(dst, d->src, d->len);
	}
	vc->wst.fills++;
	vc->wst.bytes += d->len;
	return RTE_DMA_STATUS_SUCCESSFUL;
}

/* Every segment is checked before the first byte moves: a bad one fails
 * the whole operation and nothing is written.
 */
static sw_status_t
run_copy_sg(const struct sw_dmadev *sw, struct sw_vchan *vc,
		const struct sw_domain_table *t, const struct sw_desc *d, bool *nt)
{
	const struct rte_dma_sge *sg = vc->sge;
	uint8_t *sva[SW_MAX_SGES], *dva[SW_MAX_SGES];
	uint32_t si = 0, di = 0, soff = 0, doff = 0;
	uint32_t base = (uint32_t)d->src, m = vc->sge_mask;
	bool use_nt = !(d->flags & SW_DESC_F_LLC);
	unsigned int i;

	for (i = 0; i < d->nb_src; i++) {
		const struct rte_dma_sge *e = &sg[(base + i) & m];

		sva[i] = sw_domain_lookup(&sw->domain, t, &vc->src_cache, e->addr, e->length);
		if (unlikely(sva[i] == NULL)) {
			vc->wst.bad_src++;
			return RTE_DMA_STATUS_INVALID_SRC_ADDR;
		}
	}
	for (i = 0; i < d->nb_dst; i++) {
		const struct rte_dma_sge *e = &sg[(base + d->nb_src + i) & m];

		dva[i] = sw_domain_lookup(&sw->domain, t, &vc->dst_cache, e->addr, e->length);
		if (unlikely(dva[i] == NULL)) {
			vc->wst.bad_dst++;
			return RTE_DMA_STATUS_INVALID_DST_ADDR;
		}
	}

	/* Walk both lists, copying the largest piece both sides allow. */
	while (si < d->nb_src && di < d->nb_dst) {
		uint32_t slen = sg[(base + si) & m].length - soff;
		uint32_t dlen = sg[(base + d->nb_src + di) & m].length - doff;
		uint32_t n = RTE_MIN(slen, dlen);

		if (n >= sw->nt_threshold && use_nt) {
			sw->kernel->copy_nt(dva[di] + doff, sva[si] + soff, n);
			vc->wst.nt_bytes += n;
			*nt = true;
		} else if (n != 0) {
			sw_copy_cached(dva[di] + doff, sva[si] + soff, n);
		}
		soff += n;
		doff += n;
		if (n == slen) {
			si++;
			soff = 0;
		}
		if (n == dlen) {
			di++;
			doff = 0;
		}
	}
	vc->wst.sg_ops++;
	vc->wst.bytes += d->len;
	return RTE_DMA_STATUS_SUCCESSFUL;
}

/* Run up to budget submitted descriptors of one vchan; returns how many. */
static unsigned int
vchan_pass(struct sw_dmadev *sw, struct sw_vchan *vc,
		const struct sw_domain_table *t, unsigned int budget)
{
	/* A0: pairs with R0 in sw_submit; descriptors up to tail are complete. */
	uint16_t tail = __atomic_load_n(&vc->tail, __ATOMIC_ACQUIRE);
	uint16_t done = vc->done;
	uint16_t n = RTE_MIN((uint16_t)(tail - done), budget);
	uint32_t sge_used = 0;
	uint64_t errs = 0, bytes = 0;
	bool nt = false;
	uint16_t i;

	if (n == 0)
		return 0;

	/* Translations are cached for one pass only. */
	vc->src_cache.last.len = 0;
	vc->dst_cache.last.len = 0;

	for (i = 0; i < n; ) {
		uint16_t slot = (uint16_t)(done + i) & vc->mask;
		const struct sw_desc *d = &vc->ring[slot];
		sw_status_t st;

		if (d->flags & SW_DESC_F_BATCH_START) {
			vc->fence_err = false;
			vc->batch_over = (d->flags & SW_DESC_F_BATCH_OVER) != 0;
		}
		if (d->op == SW_OP_COPY_SG)
			sge_used += (uint32_t)d->nb_src + d->nb_dst;
		if (unlikely(vc->batch_over)) {
			/* Over max_batch: the whole batch fails, unrun. */
			vc->wst.batch_over++;
			st = RTE_DMA_STATUS_ERROR_UNKNOWN;
			goto record;
		}

		if (unlikely(d->flags & SW_DESC_F_FENCE)) {
			if (nt) {
				rte_wmb();
				nt = false;
			}
			if (vc->fence_err) {
				vc->wst.not_attempted++;
				st = RTE_DMA_STATUS_NOT_ATTEMPTED;
				goto record;
			}
		}

		switch (d->op) {
		case SW_OP_COPY:
			st = run_copy(sw, vc, t, d, &nt);
			break;
		case SW_OP_FILL:
			st = run_fill(sw, vc, t, d, &nt);
			break;
		case SW_OP_COPY_SG:
			st = run_copy_sg(sw, vc, t, d, &nt);
			break;
		default:
			st = RTE_DMA_STATUS_INVALID_OPCODE;
			break;
		}
record:
		vc->status[slot] = st;
		if (unlikely(st != RTE_DMA_STATUS_SUCCESSFUL)) {
			vc->fence_err = true;
			errs++;
		}
		i++;
		/* Publish large copies as they complete, not once per budget:
		 * the submitter can reap and refill meanwhile.
		 */
		bytes += d->len;
		if (bytes >= SW_PASS_BYTES)
			break;
	}
	n = i;
	vc->wst.ops += n;

	/* Non-temporal stores are weakly ordered: fence them before the
	 * release below makes their completion visible.
	 */
	if (nt)
		rte_wmb();
	if (errs)
		__atomic_store_n(&vc->err_total, vc->err_total + errs, __ATOMIC_RELAXED);
	if (sge_used)
		__atomic_store_n(&vc->sge_done, vc->sge_done + sge_used, __ATOMIC_RELEASE);
	/* R1: data, statuses and err_total before done; pairs with A1. */
	__atomic_store_n(&vc->done, (uint16_t)(done + n), __ATOMIC_RELEASE);
	return n;
}

unsigned int
sw_worker_pass(struct sw_dmadev *sw)
{
	const struct sw_domain_table *t;
	unsigned int work = 0;
	uint16_t v;

	__atomic_store_n(&sw->wseq, sw->wseq + 1, __ATOMIC_RELAXED);
	/* F0: the odd wseq is visible before run and the domain are read;
	 * pairs with F1 in sw_worker_wait_quiescent().
	 */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (likely(__atomic_load_n(&sw->run, __ATOMIC_ACQUIRE))) {
		/* A2: pairs with R2 in domain_publish(). */
		t = __atomic_load_n(&sw->domain.table, __ATOMIC_ACQUIRE);
		for (v = 0; v < sw->nb_vchans; v++)
			work += vchan_pass(sw, &sw->vchans[v], t, SW_WORKER_BUDGET);
	}
	/* Everything this pass touched happens before the even wseq. */
	__atomic_store_n(&sw->wseq, sw->wseq + 1, __ATOMIC_RELEASE);
	return work;
}

int
sw_worker_service_cb(void *arg)
{
	return sw_worker_pass(arg) ? 0 : -EAGAIN;
}

void
sw_worker_wait_quiescent(void *arg)
{
	struct sw_dmadev *sw = arg;
	uint32_t seq;

	/* F1: the caller's store (run, domain table) is visible before
	 * wseq is sampled; pairs with F0.
	 */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&sw->wseq, __ATOMIC_ACQUIRE);
	if (!(seq & 1))
		return;
	while (__atomic_load_n(&sw->wseq, __ATOMIC_ACQUIRE) == seq)
		rte_pause();
}

void
sw_vchan_run_inline(struct sw_dmadev *sw, struct sw_vchan *vc)
{
	const struct sw_domain_table *t = sw->domain.table;
	unsigned int n;

	while ((n = vchan_pass(sw, vc, t, SW_WORKER_BUDGET)) != 0)
		vc->drained += n;
}
