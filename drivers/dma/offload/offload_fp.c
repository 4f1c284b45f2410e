/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_offload fast path: what rte_dma_copy(), _copy_sg(), _fill(),
 * _submit(), _completed(), _completed_status() and _burst_capacity() land
 * on through the device's rte_dma_fp_object. Each forwards to the vchan's
 * ocopy queue, with three things added for the dmadev contract:
 *
 *   - submitted ops only: the library may have run an op on the CPU when
 *     it got it; completions are handed out up to the last submit (sub);
 *   - the submit flag submits everything: it is passed to the library as
 *     OCOPY_F_FLUSH, which rings every engine of the queue;
 *   - addresses no mapping can back (first page, or wrapping around) fail
 *     with a status instead of a fault: see offload_dmadev.h.
 *
 * Plain copies are staged (OFFLOAD_STAGE, offload_dmadev.h) and given to
 * the library by one ocopy_copy_burst() at the submit; every other op
 * gives it the staged ones first, so the library sees them all in order.
 *
 * Threading: the vchan's datapath lcore only. Nothing here blocks (except
 * what the library does for a fenced scatter-gather copy), allocates or
 * logs.
 */

#include <assert.h>
#include <errno.h>
#include <stddef.h>

#include <rte_branch_prediction.h>

#include "offload_dmadev.h"

/* Op flags given to the library: the two it shares with dmadev. LLC is a
 * hint the library has no use for; it refuses unknown flags.
 */
static_assert(OCOPY_F_FENCE == RTE_DMA_OP_FLAG_FENCE, "fence flags differ");
static_assert(OCOPY_F_FLUSH == RTE_DMA_OP_FLAG_SUBMIT, "submit flags differ");
#define OFFLOAD_F_LIB	(RTE_DMA_OP_FLAG_FENCE | RTE_DMA_OP_FLAG_SUBMIT)

/* Statuses are converted in bursts of this many (the library's are 16-bit). */
#define OFFLOAD_STATUS_BURST	32

/* IOVA = VA: an IOVA is the address (checked at probe). */
static_assert(sizeof(rte_iova_t) >= sizeof(uintptr_t), "an address must fit an IOVA");
#define IOVA_PTR(iova)	((void *)(uintptr_t)(iova))

static __rte_always_inline struct offload_vchan *
fp_vchan(void *dev_private, uint16_t vchan)
{
	struct offload_dmadev *od = dev_private;
	struct offload_vchan *vc;

	if (unlikely(vchan >= od->nb_vchans))
		return NULL;
	vc = &od->vchans[vchan];
	if (unlikely(vc->q == NULL))	/* stopped */
		return NULL;
	return vc;
}

/* A range no mapping can back: in the first page, or wrapping around. */
static __rte_always_inline bool
addr_bad(rte_iova_t a, uint32_t len)
{
	return a < OFFLOAD_MIN_ADDR || a + len < a;
}

/*
 * Give the staged copies to the library, in one burst (which rings the
 * engines it gave work). Their room in its ring was kept and their
 * addresses checked when they were staged, so it takes them all: the
 * indexes they were given are theirs.
 */
static __rte_noinline void
stage_flush(struct offload_vchan *vc)
{
	uint16_t n = vc->nb_staged;

	vc->nb_staged = 0;
	RTE_VERIFY(ocopy_copy_burst(vc->q, vc->stage_dst, vc->stage_src,
			vc->stage_len, n, NULL, NULL) == n);
}

/* Before any other op: the staged ones go first. */
static __rte_always_inline void
stage_flush_any(struct offload_vchan *vc)
{
	if (vc->nb_staged != 0)
		stage_flush(vc);
}

/*
 * The library accepted op idx (and rang the doorbells if the op had the
 * submit flag): count what the submit hands out.
 */
static __rte_always_inline int
vchan_commit(struct offload_vchan *vc, int idx, uint64_t flags)
{
	if (flags & RTE_DMA_OP_FLAG_SUBMIT) {
		vc->st_submitted += (uint16_t)(idx + 1 - vc->sub);
		vc->sub = (uint16_t)(idx + 1);
	}
	return idx;
}

/*
 * An op that fails its address check: a zero-length CPU fill of the
 * vchan's scratch word takes its index in the library's ring (so every
 * later index stays the library's) and the FIFO records the status it
 * completes with. The FIFO holds a queue's worth of entries, as many as
 * there can be ops not yet handed out.
 */
static __rte_noinline int
vchan_refuse(struct offload_vchan *vc, uint16_t status, uint64_t flags)
{
	int idx;

	stage_flush_any(vc);
	idx = ocopy_fill(vc->q, &vc->scratch, 0, 0, NULL, NULL,
			OCOPY_F_CPU | (flags & RTE_DMA_OP_FLAG_SUBMIT));
	if (idx < 0)
		return idx;
	vc->bad[vc->bad_head++ & vc->bad_mask] = (uint32_t)(uint16_t)idx |
			(uint32_t)status << 16;
	vc->st_bad_addr++;
	return vchan_commit(vc, idx, flags);
}

/* Stage a plain copy as op n of the stage (room checked): its index. */
static __rte_always_inline int
stage_copy(struct offload_vchan *vc, uint16_t n, rte_iova_t src,
		rte_iova_t dst, uint32_t length)
{
	vc->stage_dst[n] = IOVA_PTR(dst);
	vc->stage_src[n] = IOVA_PTR(src);
	vc->stage_len[n] = length;
	vc->nb_staged = n + 1;
	return (uint16_t)(ocopy_queue_next_index(vc->q) + n);
}

/* Every copy but a plain one with room on the stage: see below. */
static __rte_noinline int
copy_slow(struct offload_vchan *vc, rte_iova_t src, rte_iova_t dst,
		uint32_t length, uint64_t flags)
{
	uint16_t n;
	int idx;

	/* Refused now: the stage's hand-over must take every copy on it. */
	if (unlikely(vc == NULL || length > OCOPY_MAX_LEN))
		return -EINVAL;
	if (unlikely(addr_bad(src, length)))
		return vchan_refuse(vc, RTE_DMA_STATUS_INVALID_SRC_ADDR, flags);
	if (unlikely(addr_bad(dst, length)))
		return vchan_refuse(vc, RTE_DMA_STATUS_INVALID_DST_ADDR, flags);
	if (flags & RTE_DMA_OP_FLAG_FENCE) {
		stage_flush_any(vc);
		idx = ocopy_copy(vc->q, IOVA_PTR(dst), IOVA_PTR(src), length,
				NULL, NULL, flags & OFFLOAD_F_LIB);
		if (unlikely(idx < 0))
			return idx;
		return vchan_commit(vc, idx, flags);
	}
	n = vc->nb_staged;
	if (n == OFFLOAD_STAGE) {
		stage_flush(vc);
		n = 0;
	}
	if (ocopy_queue_room(vc->q) <= n)
		return -ENOSPC;
	idx = stage_copy(vc, n, src, dst, length);
	if (flags & RTE_DMA_OP_FLAG_SUBMIT) {
		stage_flush(vc);
		return vchan_commit(vc, idx, flags);
	}
	return idx;
}

/*
 * A plain copy (no flag; LLC is only a hint) with room on the stage and
 * in the library: staged, without a call. Anything else takes
 * copy_slow().
 */
int
offload_dmadev_copy(void *dev_private, uint16_t vchan, rte_iova_t src,
		rte_iova_t dst, uint32_t length, uint64_t flags)
{
	struct offload_vchan *vc = fp_vchan(dev_private, vchan);
	uint16_t n;

	if (likely(vc != NULL && (flags & OFFLOAD_F_LIB) == 0 &&
			length <= OCOPY_MAX_LEN &&
			!addr_bad(src, length) && !addr_bad(dst, length))) {
		n = vc->nb_staged;
		if (likely(n < OFFLOAD_STAGE && ocopy_queue_room(vc->q) > n))
			return stage_copy(vc, n, src, dst, length);
	}
	return copy_slow(vc, src, dst, length, flags);
}

int
offload_dmadev_fill(void *dev_private, uint16_t vchan, uint64_t pattern,
		rte_iova_t dst, uint32_t length, uint64_t flags)
{
	struct offload_vchan *vc = fp_vchan(dev_private, vchan);
	int idx;

	if (unlikely(vc == NULL))
		return -EINVAL;
	if (unlikely(addr_bad(dst, length)))
		return vchan_refuse(vc, RTE_DMA_STATUS_INVALID_DST_ADDR, flags);
	stage_flush_any(vc);
	idx = ocopy_fill(vc->q, IOVA_PTR(dst), pattern, length, NULL, NULL,
			flags & OFFLOAD_F_LIB);
	if (unlikely(idx < 0))
		return idx;
	return vchan_commit(vc, idx, flags);
}

/* Segments as the library takes them; false when one fails the check. */
static __rte_always_inline bool
sge_convert(const struct rte_dma_sge *in, uint16_t n, struct ocopy_sge *out)
{
	bool ok = true;
	uint16_t i;

	for (i = 0; i < n; i++) {
		ok &= !addr_bad(in[i].addr, in[i].length);
		out[i].addr = IOVA_PTR(in[i].addr);
		out[i].len = in[i].length;
	}
	return ok;
}

int
offload_dmadev_copy_sg(void *dev_private, uint16_t vchan,
		const struct rte_dma_sge *src, const struct rte_dma_sge *dst,
		uint16_t nb_src, uint16_t nb_dst, uint64_t flags)
{
	struct offload_vchan *vc = fp_vchan(dev_private, vchan);
	struct ocopy_sge s[OFFLOAD_MAX_SGES], d[OFFLOAD_MAX_SGES];
	int idx;

	if (unlikely(vc == NULL || src == NULL || dst == NULL ||
			nb_src > OFFLOAD_MAX_SGES || nb_dst > OFFLOAD_MAX_SGES))
		return -EINVAL;
	if (unlikely(!sge_convert(src, nb_src, s)))
		return vchan_refuse(vc, RTE_DMA_STATUS_INVALID_SRC_ADDR, flags);
	if (unlikely(!sge_convert(dst, nb_dst, d)))
		return vchan_refuse(vc, RTE_DMA_STATUS_INVALID_DST_ADDR, flags);
	/* Empty lists and unequal lengths: -EINVAL from the library. */
	stage_flush_any(vc);
	idx = ocopy_copy_sg(vc->q, s, nb_src, d, nb_dst, NULL, NULL,
			flags & OFFLOAD_F_LIB);
	if (unlikely(idx < 0))
		return idx;
	return vchan_commit(vc, idx, flags);
}

int
offload_dmadev_submit(void *dev_private, uint16_t vchan)
{
	struct offload_vchan *vc = fp_vchan(dev_private, vchan);
	uint16_t enq;

	if (unlikely(vc == NULL))
		return -EINVAL;
	if (vc->nb_staged != 0)
		stage_flush(vc);	/* the burst rings the engines */
	else
		ocopy_flush(vc->q);
	/* Every op not yet handed out is in the library's ring: the next
	 * index is the last handed out plus those in flight.
	 */
	enq = (uint16_t)(vc->cpl + ocopy_queue_inflight(vc->q));
	vc->st_submitted += (uint16_t)(enq - vc->sub);
	vc->sub = enq;
	return 0;
}

uint16_t
offload_dmadev_completed(void *dev_private, uint16_t vchan,
		const uint16_t nb_cpls, uint16_t *last_idx, bool *has_error)
{
	struct offload_vchan *vc = fp_vchan(dev_private, vchan);
	bool bad_next = false;
	uint16_t max, n;

	if (unlikely(vc == NULL))
		return 0;
	/*
	 * Every submitted op handed out (a poll of an idle vchan): nothing to
	 * reap either, the ops the library holds are not submitted.
	 */
	if (vc->sub == vc->cpl) {
		*last_idx = (uint16_t)(vc->cpl - 1);
		return 0;
	}
	max = RTE_MIN(nb_cpls, (uint16_t)(vc->sub - vc->cpl));
	/* Stop before an op that failed its address check. */
	if (unlikely(vc->bad_tail != vc->bad_head)) {
		uint16_t d = (uint16_t)(OFFLOAD_BAD_IDX(vc->bad[vc->bad_tail &
				vc->bad_mask]) - vc->cpl);

		if (d < max) {
			max = d;
			bad_next = true;
		}
	}
	n = ocopy_completed(vc->q, max, last_idx, has_error);
	vc->cpl += n;
	vc->st_completed += n;
	if (bad_next && n == max)
		*has_error = true;
	return n;
}

/* Statuses of the n ops from cpl on: those that failed their address check. */
static __rte_noinline void
vchan_bad_status(struct offload_vchan *vc, enum rte_dma_status_code *status,
		uint16_t n)
{
	while (vc->bad_tail != vc->bad_head) {
		uint32_t e = vc->bad[vc->bad_tail & vc->bad_mask];
		uint16_t d = (uint16_t)(OFFLOAD_BAD_IDX(e) - vc->cpl);

		if (d >= n)
			break;
		status[d] = (enum rte_dma_status_code)OFFLOAD_BAD_STATUS(e);
		vc->bad_tail++;
	}
}

uint16_t
offload_dmadev_completed_status(void *dev_private, uint16_t vchan,
		const uint16_t nb_cpls, uint16_t *last_idx,
		enum rte_dma_status_code *status)
{
	struct offload_vchan *vc = fp_vchan(dev_private, vchan);
	uint16_t st[OFFLOAD_STATUS_BURST];
	uint16_t max, done = 0, want, k, i;
	uint64_t errors = 0;

	if (unlikely(vc == NULL))
		return 0;
	max = RTE_MIN(nb_cpls, (uint16_t)(vc->sub - vc->cpl));
	while (done < max) {
		want = RTE_MIN((uint16_t)(max - done),
				(uint16_t)OFFLOAD_STATUS_BURST);
		k = ocopy_completed_status(vc->q, want, last_idx, st);
		for (i = 0; i < k; i++)
			status[done + i] = (enum rte_dma_status_code)st[i];
		if (unlikely(vc->bad_tail != vc->bad_head))
			vchan_bad_status(vc, status + done, k);
		for (i = 0; i < k; i++)
			errors += status[done + i] != RTE_DMA_STATUS_SUCCESSFUL;
		vc->cpl += k;
		done += k;
		if (k < want)
			break;
	}
	*last_idx = (uint16_t)(vc->cpl - 1);
	vc->st_completed += done;
	vc->st_errors += errors;
	return done;
}

uint16_t
offload_dmadev_burst_capacity(const void *dev_private, uint16_t vchan)
{
	const struct offload_dmadev *od = dev_private;
	const struct offload_vchan *vc;

	if (unlikely(vchan >= od->nb_vchans))
		return 0;
	vc = &od->vchans[vchan];
	if (unlikely(vc->q == NULL))
		return 0;
	/* One less per accepted op, one more per op handed out: the
	 * library's ring is the device's (it delivers only through the
	 * calls above), less the staged ops' room.
	 */
	return (uint16_t)(ocopy_queue_room(vc->q) - vc->nb_staged);
}
