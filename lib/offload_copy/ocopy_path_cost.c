/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * What the submitting core pays per op through the library, on each path,
 * measured at create: the engine path (choose the engine, enqueue, ring,
 * reap, deliver in order) and the CPU path (book the op, copy, deliver).
 * The threshold compares these, not the raw dmadev calls: the library's
 * own bookkeeping is part of what offloading a small copy costs.
 *
 * The measure runs ops of 64 bytes through the real fast path, on a
 * scratch copy of queue 0 (its vchans and FIFO arrays, its own op ring),
 * so queue 0 keeps neither ops nor counters from it. Should an engine stop
 * answering meanwhile, the ops it holds are handed to queue 0's FIFO as
 * calibration leftovers, as the raw calibration does (oc_scratch_free()).
 */

#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "ocopy_internal.h"

#define OC_PATH_OPS		64	/* ops per round (fewer on a smaller
					 * engine ring), and the scratch ring */
#define OC_PATH_ROUNDS		4	/* the first one untimed */
#define OC_PATH_TIMEOUT_MS	200

/* A queue like queue 0, with an op ring of its own and nothing counted. */
static struct ocopy_queue *
oc_scratch_queue(struct ocopy *oc)
{
	struct ocopy_queue *s;
	uint16_t i;

	s = rte_malloc("ocopy_cal_queue", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return NULL;
	*s = oc->queues[0];
	s->ops = rte_zmalloc("ocopy_cal_ops", sizeof(*s->ops) * OC_PATH_OPS,
			RTE_CACHE_LINE_SIZE);
	if (s->ops == NULL) {
		rte_free(s);
		return NULL;
	}
	s->mask = OC_PATH_OPS - 1;
	s->head = 0;
	s->tail = 0;
	s->rec_start = 0;
	s->rec_end = 0;
	s->nb_staged = 0;
	s->dirty = 0;
	s->learn = 0;
	s->cpu_sample_left = 0;
	s->sample_floor = UINT32_MAX;
	s->split_threshold = UINT32_MAX;
	s->numa_pick = 0;
	s->adapt.on = 0;
	s->adapt_at = UINT64_MAX;
	memset(&s->stats, 0, sizeof(s->stats));
	for (i = 0; i < s->nb_qe; i++)
		memset(&s->qe[i].stats, 0, sizeof(s->qe[i].stats));
	return s;
}

/*
 * The scratch queue goes. It shared queue 0's FIFO arrays, from where
 * queue 0 had them: each FIFO's state is now the scratch's, and every
 * entry still in it is a calibration leftover for queue 0 (queue 0 has no
 * op of its own yet), whose completion it consumes and ignores: the
 * scratch's ops still on a stalled engine, and queue 0's own leftovers
 * from an earlier measure, less those the scratch reaped meanwhile.
 */
static void
oc_scratch_free(struct ocopy *oc, struct ocopy_queue *s)
{
	struct ocopy_queue *q0 = &oc->queues[0];
	uint16_t i;

	for (i = 0; i < s->nb_qe; i++) {
		struct ocopy_qengine *sq = &s->qe[i];
		struct ocopy_qengine *qe = &q0->qe[i];

		RTE_ASSERT(qe->inflight == qe->leftovers);
		/* A round cut short (an op refused) left ops unrung. */
		if (sq->unsubmitted != 0) {
			rte_dma_submit(sq->dev_id, sq->vchan);
			sq->unsubmitted = 0;
		}
		qe->fifo_head = sq->fifo_head;
		qe->fifo_tail = sq->fifo_tail;
		qe->inflight = sq->inflight;
		qe->leftovers = sq->inflight;
		qe->unsubmitted = sq->unsubmitted;
		qe->bytes_in = sq->bytes_in;
		qe->bytes_out = sq->bytes_out;
		qe->last_progress = sq->last_progress;
		if (qe->inflight != 0) {
			q0->engine_work = 1;
			oc->calib_leftover = true;
		}
	}
	rte_free(s->ops);
	rte_free(s);
}

/*
 * Rounds of n copies (at most OC_PATH_OPS) through s: the best cycles per
 * op.
 */
static int
oc_path_rounds(struct ocopy_queue *s, unsigned int n, uint8_t *buf,
		uint32_t *cycles)
{
	uint16_t st[OC_PATH_OPS], last;
	uint64_t best = UINT64_MAX;
	unsigned int r, i, done;

	for (r = 0; r < OC_PATH_ROUNDS; r++) {
		uint64_t deadline, cost, t0, t1;

		t0 = rte_rdtsc_precise();
		for (i = 0; i < n; i++)
			if (ocopy_copy(s, buf + OC_CAL_LARGE + i * OC_PATH_LEN,
					buf + i * OC_PATH_LEN, OC_PATH_LEN, NULL,
					NULL, 0) < 0)
				return -EIO;
		ocopy_flush(s);
		cost = rte_rdtsc_precise() - t0;
		deadline = rte_get_tsc_cycles() +
				rte_get_tsc_hz() / 1000 * OC_PATH_TIMEOUT_MS;
		for (done = 0; done < n; ) {
			uint16_t k;

			t0 = rte_rdtsc();
			k = ocopy_completed_status(s, OC_PATH_OPS, &last, st);
			t1 = rte_rdtsc();
			if (k != 0)
				cost += t1 - t0;
			for (i = 0; i < k; i++)
				if (st[i] != RTE_DMA_STATUS_SUCCESSFUL)
					return -EIO;
			done += k;
			if (t1 > deadline)
				return -ETIMEDOUT;
		}
		if (r > 0)
			best = RTE_MIN(best, cost / n);
	}
	*cycles = (uint32_t)RTE_MIN(best, (uint64_t)UINT32_MAX);
	return 0;
}

int
oc_path_cost_engine(struct ocopy *oc, uint16_t idx, uint8_t *buf,
		uint32_t *cycles)
{
	struct ocopy_queue *s = oc_scratch_queue(oc);
	unsigned int n = OC_PATH_OPS;
	uint16_t i;
	int ret;

	if (s == NULL)
		return -ENOMEM;
	/*
	 * Every op to engine idx: engine policy, the others out of reach.
	 * No more in a round than its ring holds (ring_size from 32): the
	 * rest would go to the CPU, and the measure fail.
	 */
	s->policy = OCOPY_POLICY_ENGINE;
	s->min_threshold = 0;
	for (i = 0; i < s->nb_qe; i++) {
		struct ocopy_qengine *qe = &s->qe[i];

		if (qe->engine != idx) {
			qe->threshold = UINT32_MAX;
			continue;
		}
		qe->threshold = 0;
		n = RTE_MIN(n, qe->max_inflight - qe->inflight);
	}
	if (n == 0) {
		oc_scratch_free(oc, s);
		return -ENOSPC;
	}
	ret = oc_path_rounds(s, n, buf, cycles);
	if (ret == 0 && s->stats.engine != s->stats.submitted)
		ret = -EIO;	/* some went to the CPU: not the engine path */
	oc_scratch_free(oc, s);
	return ret;
}

int
oc_path_cost_cpu(struct ocopy *oc, uint8_t *buf, uint32_t *cycles)
{
	struct ocopy_queue *s = oc_scratch_queue(oc);
	int ret;

	if (s == NULL)
		return -ENOMEM;
	s->policy = OCOPY_POLICY_CPU;
	s->min_threshold = UINT32_MAX;
	ret = oc_path_rounds(s, OC_PATH_OPS, buf, cycles);
	oc_scratch_free(oc, s);
	return ret;
}
