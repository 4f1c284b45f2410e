/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw fast path, submitter side: what rte_dma_copy(), _copy_sg(),
 * _fill(), _submit(), _completed(), _completed_status() and
 * _burst_capacity() land on through the device's rte_dma_fp_object.
 *
 * Threading: one datapath lcore per vchan (dmadev's rule). These functions
 * write only the vchan's submitter fields, publish tail (R0) and read the
 * worker's done/err_total (A1). They never block, allocate or log.
 *
 * Validation kept to what is cheap and protects the engine: the vchan
 * index, ring space, SG entry counts and lengths. Address checks happen on
 * the worker, against the domain, where they cannot be raced.
 */

#include <errno.h>

#include <rte_branch_prediction.h>

#include "sw_dmadev.h"

/*
 * The vchan, if the device has it. Only the range is tested: a pointer
 * returned and tested for NULL again cost two instructions per op.
 */
static __rte_always_inline bool
fp_vchan(void *dev_private, uint16_t vchan, struct sw_vchan **vc)
{
	struct sw_dmadev *sw = dev_private;

	if (unlikely(vchan >= sw->nb_vchans))
		return false;
	*vc = &sw->vchans[vchan];
	return true;
}

static __rte_always_inline void
vchan_submit(struct sw_vchan *vc)
{
	uint16_t n = (uint16_t)(vc->enq - vc->submitted_upto);

	/*
	 * The batch's first descriptor carries the mark the worker scopes
	 * fences with: once per submit here, not once per op at enqueue.
	 * A batch over max_batch is marked to fail whole, as Intel DSA
	 * rejects a batch descriptor over its work queue's max_batch_size
	 * (DSA_COMP_DESC_CNT_ERANGE): DPDK's idxd takes such a burst at
	 * enqueue, and only rte_dma_burst_capacity() warns of it.
	 */
	if (n != 0)
		vc->ring[vc->submitted_upto & vc->mask].flags |=
				SW_DESC_F_BATCH_START |
				(n > vc->batch_cap ? SW_DESC_F_BATCH_OVER : 0);
	vc->st_submitted += n;
	vc->submitted_upto = vc->enq;
	/* R0: descriptors written before the tail that exposes them;
	 * pairs with A0 in the worker.
	 */
	__atomic_store_n(&vc->tail, vc->enq, __ATOMIC_RELEASE);
}

/* Claim the next slot, or NULL when the ring is full (or the device is
 * stopped: capacity 0). Stores the fields every operation has.
 */
static __rte_always_inline struct sw_desc *
vchan_claim(struct sw_vchan *vc, uint8_t op, uint64_t flags, uint32_t len)
{
	struct sw_desc *d;

	if (unlikely((uint16_t)(vc->enq - vc->cpl) >= vc->capacity))
		return NULL;
	d = &vc->ring[vc->enq & vc->mask];
	d->len = len;
	d->op = op;
	d->flags = (uint8_t)(flags & SW_DESC_F_API_MASK);
	return d;
}

static __rte_always_inline int
vchan_commit(struct sw_vchan *vc, uint64_t flags)
{
	uint16_t id = vc->enq++;

	if (flags & RTE_DMA_OP_FLAG_SUBMIT)
		vchan_submit(vc);
	return id;
}

/* Enqueue a one-descriptor operation: a copy (src is an IOVA) or a fill
 * (src is the pattern).
 */
static __rte_always_inline int
vchan_enqueue(void *dev_private, uint16_t vchan, uint8_t op, uint64_t src,
		uint64_t dst, uint32_t length, uint64_t flags)
{
	struct sw_vchan *vc;
	struct sw_desc *d;

	if (unlikely(!fp_vchan(dev_private, vchan, &vc)))
		return -EINVAL;
	d = vchan_claim(vc, op, flags, length);
	if (unlikely(d == NULL))
		return -ENOSPC;
	d->src = src;
	d->dst = dst;
	return vchan_commit(vc, flags);
}

int
sw_copy(void *dev_private, uint16_t vchan, rte_iova_t src, rte_iova_t dst,
		uint32_t length, uint64_t flags)
{
	return vchan_enqueue(dev_private, vchan, SW_OP_COPY, src, dst, length, flags);
}

int
sw_fill(void *dev_private, uint16_t vchan, uint64_t pattern, rte_iova_t dst,
		uint32_t length, uint64_t flags)
{
	return vchan_enqueue(dev_private, vchan, SW_OP_FILL, pattern, dst, length, flags);
}

static __rte_always_inline uint64_t
sge_total(const struct rte_dma_sge *sg, uint16_t n)
{
	uint64_t total = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		total += sg[i].length;
	return total;
}

int
sw_copy_sg(void *dev_private, uint16_t vchan, const struct rte_dma_sge *src,
		const struct rte_dma_sge *dst, uint16_t nb_src, uint16_t nb_dst,
		uint64_t flags)
{
	uint32_t need = (uint32_t)nb_src + nb_dst, i;
	struct sw_vchan *vc;
	uint64_t total;
	struct sw_desc *d;

	if (unlikely(!fp_vchan(dev_private, vchan, &vc) || src == NULL ||
			dst == NULL ||
			nb_src == 0 || nb_dst == 0 ||
			nb_src > SW_MAX_SGES || nb_dst > SW_MAX_SGES))
		return -EINVAL;
	total = sge_total(src, nb_src);
	if (unlikely(total != sge_total(dst, nb_dst) || total > UINT32_MAX))
		return -EINVAL;
	/* SG entries are released by the worker (sge_done), not by reaping. */
	if (unlikely(vc->sge_enq - __atomic_load_n(&vc->sge_done, __ATOMIC_ACQUIRE) +
			need > vc->sge_mask + 1))
		return -ENOSPC;
	d = vchan_claim(vc, SW_OP_COPY_SG, flags, (uint32_t)total);
	if (unlikely(d == NULL))
		return -ENOSPC;
	d->src = vc->sge_enq;
	d->nb_src = (uint8_t)nb_src;
	d->nb_dst = (uint8_t)nb_dst;
	for (i = 0; i < nb_src; i++)
		vc->sge[(vc->sge_enq + i) & vc->sge_mask] = src[i];
	for (i = 0; i < nb_dst; i++)
		vc->sge[(vc->sge_enq + nb_src + i) & vc->sge_mask] = dst[i];
	vc->sge_enq += need;
	return vchan_commit(vc, flags);
}

int
sw_submit(void *dev_private, uint16_t vchan)
{
	struct sw_vchan *vc;

	if (unlikely(!fp_vchan(dev_private, vchan, &vc)))
		return -EINVAL;
	vchan_submit(vc);
	return 0;
}

/* Completions ready to reap: at most nb_cpls. Sets *first_err to the
 * offset of the first failed one among them, or to the count if none.
 */
static __rte_always_inline uint16_t
vchan_ready(struct sw_vchan *vc, uint16_t nb_cpls, uint16_t *first_err)
{
	/* A1: pairs with R1 in the worker; statuses and copied data up to
	 * done are visible once done is.
	 */
	uint16_t done = __atomic_load_n(&vc->done, __ATOMIC_ACQUIRE);
	uint16_t n = RTE_MIN((uint16_t)(done - vc->cpl), nb_cpls);
	uint16_t i;

	*first_err = n;
	/* err_total is written before done is released, so reading it after
	 * A1 sees at least every failure up to done. A count from further on
	 * only costs a scan.
	 */
	if (likely(__atomic_load_n(&vc->err_total, __ATOMIC_RELAXED) == vc->err_reaped))
		return n;
	for (i = 0; i < n; i++) {
		if (vc->status[(uint16_t)(vc->cpl + i) & vc->mask] !=
				RTE_DMA_STATUS_SUCCESSFUL) {
			*first_err = i;
			break;
		}
	}
	return n;
}

uint16_t
sw_completed(void *dev_private, uint16_t vchan, const uint16_t nb_cpls,
		uint16_t *last_idx, bool *has_error)
{
	struct sw_vchan *vc;
	uint16_t n, first_err;

	if (unlikely(!fp_vchan(dev_private, vchan, &vc)))
		return 0;
	n = vchan_ready(vc, nb_cpls, &first_err);
	/* Stop at the first failure; it stays at the head, so later calls
	 * keep reporting it until completed_status() takes it.
	 */
	if (unlikely(first_err < n)) {
		n = first_err;
		*has_error = true;
	}
	vc->cpl += n;
	vc->st_completed += n;
	*last_idx = vc->cpl - 1;
	return n;
}

uint16_t
sw_completed_status(void *dev_private, uint16_t vchan, const uint16_t nb_cpls,
		uint16_t *last_idx, enum rte_dma_status_code *status)
{
	struct sw_vchan *vc;
	uint16_t n, first_err, i;

	if (unlikely(!fp_vchan(dev_private, vchan, &vc)))
		return 0;
	n = vchan_ready(vc, nb_cpls, &first_err);
	for (i = 0; i < first_err; i++)
		status[i] = RTE_DMA_STATUS_SUCCESSFUL;
	for (; i < n; i++) {
		sw_status_t st = vc->status[(uint16_t)(vc->cpl + i) & vc->mask];

		status[i] = (enum rte_dma_status_code)st;
		if (st != RTE_DMA_STATUS_SUCCESSFUL) {
			vc->err_reaped++;
			vc->st_errors++;
		}
	}
	vc->cpl += n;
	vc->st_completed += n;
	*last_idx = vc->cpl - 1;
	return n;
}

uint16_t
sw_burst_capacity(const void *dev_private, uint16_t vchan)
{
	const struct sw_dmadev *sw = dev_private;
	const struct sw_vchan *vc;
	uint16_t batch, ring;

	if (unlikely(vchan >= sw->nb_vchans))
		return 0;
	vc = &sw->vchans[vchan];
	batch = (uint16_t)(vc->enq - vc->submitted_upto);
	ring = (uint16_t)(vc->enq - vc->cpl);
	/* Stopped (capacity 0) with completions left to reap: none. */
	ring = ring >= vc->capacity ? 0 : vc->capacity - ring;
	/* With max_batch: what the batch being built still takes. */
	return batch >= vc->batch_cap ? 0 :
			RTE_MIN(ring, (uint16_t)(vc->batch_cap - batch));
}
