/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The figures behind the engine-or-CPU decision, measured at create:
 *
 *   CPU:    cycles(len) = op_cycles + len x cyc_per_kib / 1024
 *           (oc_cpu_copy() between cache-resident buffers, best of trials)
 *   engine: cyc_per_kib how long the engine takes per KiB (64 KiB copies,
 *                       first submit to last completion)
 *   paths:  what the submitting core pays per 64-byte op through the
 *           library, on the engine path and on the CPU path
 *           (ocopy_path_cost.c); the raw rte_dma_* cost is logged too
 *
 * An engine's threshold is the smallest power-of-two size from which the
 * CPU path would cost the submitting core more than the engine path:
 * below that, offloading costs the datapath core more than it saves. Each
 * queue derives it again from the CPU rate it learns. The engine's rate
 * feeds the backlog rule in oc_pick() (ocopy.h).
 */

#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "ocopy_internal.h"

#define OC_CAL_SMALL		64
#define OC_CAL_SMALL_OPS	256
#define OC_CAL_LARGE_OPS	16
#define OC_CAL_TRIALS		5
#define OC_CAL_OP_TRIALS	3
/* Below the threshold, CPU copies shorter than this are never timed. */
#define OC_SAMPLE_FLOOR_MIN	256u
#define OC_CAL_TIMEOUT_MS	200

static uint64_t
oc_time_memcpy(uint8_t *buf, uint32_t len, unsigned int reps)
{
	uint64_t best = UINT64_MAX;
	unsigned int t, i;

	for (t = 0; t < OC_CAL_TRIALS; t++) {
		uint64_t t0 = rte_rdtsc_precise();

		for (i = 0; i < reps; i++) {
			oc_cpu_copy(buf + OC_CAL_LARGE, buf, len);
			rte_compiler_barrier();
		}
		best = RTE_MIN(best, rte_rdtsc_precise() - t0);
	}
	return best / reps;
}

void
oc_cpu_rate(uint32_t *op_cycles, uint32_t *cyc_per_kib)
{
	uint64_t small, large;
	uint8_t *buf;

	buf = rte_zmalloc("ocopy_cal_cpu", OC_CAL_BUF, RTE_CACHE_LINE_SIZE);
	if (buf == NULL) {
		OC_LOG(WARNING, "cannot allocate %u bytes to time the CPU's copies: typical figures assumed",
			OC_CAL_BUF);
		/* Typical figures of a 2020s core: 16 B/cycle. */
		*op_cycles = 10;
		*cyc_per_kib = 64;
		return;
	}
	/* The engine's rate is measured on 64 KiB copies of this size of
	 * buffer: so is the CPU's, for a fair ratio.
	 */
	small = oc_time_memcpy(buf, 256, 64);
	large = oc_time_memcpy(buf, OC_CAL_LARGE, 4);
	rte_free(buf);
	*cyc_per_kib = (uint32_t)RTE_MAX((large - RTE_MIN(large, small)) *
			1024 / (OC_CAL_LARGE - 256), (uint64_t)1);
	*op_cycles = (uint32_t)(small - RTE_MIN(small,
			(uint64_t)*cyc_per_kib * 256 / 1024));
}

/* Wait for n completions on (dev, vchan): submitter cycles spent reaping them. */
static int
oc_cal_wait(int16_t dev, uint16_t vchan, unsigned int n, uint64_t *reap_cyc,
		unsigned int *done)
{
	uint64_t deadline = rte_get_tsc_cycles() +
			rte_get_tsc_hz() / 1000 * OC_CAL_TIMEOUT_MS;
	uint16_t last;
	bool err = false;

	*done = 0;
	while (*done < n) {
		uint64_t t0 = rte_rdtsc();
		uint16_t k = rte_dma_completed(dev, vchan, n - *done, &last, &err);

		if (k != 0 && reap_cyc != NULL)
			*reap_cyc += rte_rdtsc() - t0;
		*done += k;
		if (err)
			return -EIO;
		if (rte_get_tsc_cycles() > deadline)
			return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Ops of a calibration round, one doorbell: at most n, half the ring, and
 * no more than the engine takes between doorbells (Intel DSA fails a
 * batch over its work queue's max_batch_size whole, as dma_sw does with
 * max_batch).
 */
static unsigned int
oc_cal_round(const struct oc_engine *e, unsigned int n)
{
	n = RTE_MIN(n, e->ring_size / 2u);
	return e->batch != 0 ? RTE_MIN(n, (unsigned int)e->batch) : n;
}

/*
 * Calibrate engine e on vchan 0 (queue 0's, still unused). Ops left in
 * flight by a stalled engine are recorded in queue 0's FIFO for that
 * engine, so their completions are consumed and ignored later.
 */
static int
oc_calibrate_engine(struct ocopy *oc, uint16_t idx, uint8_t *buf)
{
	struct oc_engine *e = &oc->engines[idx];
	struct ocopy_queue *q0 = &oc->queues[0];
	struct ocopy_qengine *qe = NULL;
	uint64_t enq = 0, reap = 0, t0, wall;
	unsigned int i, n, done = 0, trial, warm;
	rte_iova_t src = (rte_iova_t)(uintptr_t)buf;
	rte_iova_t dst = src + OC_CAL_LARGE;
	int ret;

	for (i = 0; i < q0->nb_qe; i++)
		if (q0->qe[i].engine == idx)
			qe = &q0->qe[i];
	if (qe == NULL)
		return -ENODEV;

	/*
	 * Raw per-op cost for the submitter: 64-byte copies, one doorbell;
	 * the best of a few trials, so that one preemption of this thread (or
	 * a busy engine core) does not count. Untimed rounds first go once
	 * around the ring: the first touch of its descriptors (page faults,
	 * cold lines) is not what each op costs.
	 */
	n = oc_cal_round(e, OC_CAL_SMALL_OPS);
	warm = (e->ring_size + RTE_MAX(n, 1u) - 1) / RTE_MAX(n, 1u);
	e->raw_op_cycles = UINT32_MAX;
	for (trial = 0; trial < warm + OC_CAL_OP_TRIALS; trial++) {
		n = oc_cal_round(e, OC_CAL_SMALL_OPS);
		reap = 0;
		t0 = rte_rdtsc_precise();
		for (i = 0; i < n; i++)
			if (rte_dma_copy(e->dev_id, 0,
					src + (i % 64) * OC_CAL_SMALL,
					dst + (i % 64) * OC_CAL_SMALL,
					OC_CAL_SMALL, 0) < 0)
				break;
		rte_dma_submit(e->dev_id, 0);
		enq = rte_rdtsc_precise() - t0;
		n = i;
		ret = oc_cal_wait(e->dev_id, 0, n, &reap, &done);
		if (ret < 0)
			goto leftover;
		if (trial >= warm)
			e->raw_op_cycles = RTE_MIN(e->raw_op_cycles,
					(uint32_t)((enq + reap) / RTE_MAX(n, 1u)));
	}

	/* The engine's rate: 64 KiB copies, first submit to last completion. */
	n = oc_cal_round(e, OC_CAL_LARGE_OPS);
	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i++)
		if (rte_dma_copy(e->dev_id, 0, src, dst, OC_CAL_LARGE, 0) < 0)
			break;
	rte_dma_submit(e->dev_id, 0);
	n = i;
	/* Refused at once (a transfer size below 64 KiB?): no rate to take. */
	if (n == 0) {
		OC_LOG(WARNING, "%s: dmadev %s refused a %u-byte copy: rate not calibrated",
			oc->name, e->name, OC_CAL_LARGE);
		return -EIO;
	}
	ret = oc_cal_wait(e->dev_id, 0, n, NULL, &done);
	if (ret < 0)
		goto leftover;
	wall = rte_rdtsc_precise() - t0;
	e->cyc_per_kib = (uint32_t)RTE_MAX(wall * 1024 /
			((uint64_t)n * OC_CAL_LARGE), (uint64_t)1);

	/* What an op costs the submitter through the library's engine path. */
	return oc_path_cost_engine(oc, idx, buf, &e->op_cycles);

leftover:
	oc_calib_leftovers(oc, qe, n - done, 0);
	if (ret == -ETIMEDOUT) {
		/* It is stalled now: new work goes to the CPU until it moves. */
		qe->health = OCOPY_HEALTH_STALLED;
		qe->stats.stalls++;
	}
	return ret;
}

void
oc_calib_leftovers(struct ocopy *oc, struct ocopy_qengine *qe, uint32_t n,
		uint32_t len)
{
	uint32_t k;

	if (n == 0)
		return;
	/* Before any op of the queue: only engine starts and this precede it. */
	RTE_ASSERT(qe->inflight == qe->leftovers);
	for (k = 0; k < n; k++) {
		qe->bytes_in += len;
		qe->fifo[qe->fifo_head++ & qe->fifo_mask] = qe->bytes_in << 32;
	}
	qe->leftovers += n;
	qe->inflight += n;
	/* Its stall clock starts now. */
	qe->last_progress = rte_get_tsc_cycles();
	oc->queues[0].engine_work = 1;
	oc->calib_leftover = true;
}

static uint32_t
oc_threshold(uint32_t eng_op, uint32_t cpu_op, uint32_t cpu_cpk)
{
	uint32_t s;

	for (s = 64; s < OC_CAL_LARGE; s *= 2)
		if (cpu_op + (uint64_t)s * cpu_cpk / 1024 >= eng_op)
			break;
	return s;
}

/*
 * A calibrated engine's threshold with the CPU copying at cpk cycles per
 * KiB: the engine path's cost per op against the CPU path's, whose fixed
 * part is the 64-byte op measured at create less the copy itself.
 */
static uint32_t
oc_engine_threshold(const struct ocopy *oc, const struct oc_engine *e,
		uint32_t cpk)
{
	uint64_t copy = (uint64_t)OC_PATH_LEN * cpk / 1024;
	uint32_t cpu_op = oc->cpu_path_cycles > copy ?
			(uint32_t)(oc->cpu_path_cycles - copy) : 0;

	return oc_threshold(e->op_cycles, cpu_op, cpk);
}

/*
 * The queue's engine thresholds from its current rates: the engine's
 * calibrated per-op cost against what the CPU would spend on each size at
 * the rate this queue sees (learned, or set). A threshold the
 * configuration gives, and that of an engine calibration could not
 * measure, stay as they are. The engine policy (or placement) has none;
 * under the CPU's, no copy goes to an engine.
 */
void
oc_queue_thresholds(struct ocopy_queue *q)
{
	const struct ocopy *oc = q->oc;
	uint16_t i;

	q->min_threshold = UINT32_MAX;
	for (i = 0; i < q->nb_qe; i++) {
		struct ocopy_qengine *qe = &q->qe[i];
		const struct oc_engine *e = &oc->engines[qe->engine];

		if (q->policy == OCOPY_POLICY_ENGINE)
			qe->threshold = 0;
		else if (e->calibrated)
			qe->threshold = oc_engine_threshold(oc, e,
					q->cpu_cyc_per_kib);
		else
			qe->threshold = e->threshold;
		q->min_threshold = RTE_MIN(q->min_threshold, qe->threshold);
	}
	if (q->policy == OCOPY_POLICY_CPU)
		q->min_threshold = UINT32_MAX;
	/*
	 * Learning times CPU copies from half the threshold on: sizes the
	 * engine would take if the CPU turned out slower than calibrated.
	 * Not the smallest ones: their time is the per-copy cost, not the
	 * rate, and timing them costs as much as the copy.
	 */
	q->sample_floor = q->learn && q->min_threshold != UINT32_MAX ?
			RTE_MAX(q->min_threshold / 2, OC_SAMPLE_FLOOR_MIN) :
			UINT32_MAX;
}

int
ocopy_queue_rates_set(struct ocopy_queue *q, const struct ocopy_queue_rates *r)
{
	uint16_t i;

	if (q == NULL || r == NULL) {
		OC_LOG(ERR, "ocopy_queue_rates_set: NULL %s", q == NULL ?
			"queue" : "rates");
		return -EINVAL;
	}
	if (r->nb_engines != q->oc->nb_engines) {
		OC_LOG(ERR, "%s: queue %u: rates for %u engines, the instance has %u",
			q->oc->name, q->qid, r->nb_engines, q->oc->nb_engines);
		return -EINVAL;
	}
	if (r->cpu_cyc_per_kib == 0 || r->cpu_cyc_per_kib > OC_RATE_MAX) {
		OC_LOG(ERR, "%s: queue %u: CPU rate %u cycles/KiB: expected 1..%u",
			q->oc->name, q->qid, r->cpu_cyc_per_kib, OC_RATE_MAX);
		return -EINVAL;
	}
	for (i = 0; i < q->nb_qe; i++) {
		uint32_t v = r->engine_cyc_per_kib[q->qe[i].engine];

		if (v > OC_RATE_MAX) {
			OC_LOG(ERR, "%s: queue %u: engine %u rate %u cycles/KiB: expected 0 (keep) or 1..%u",
				q->oc->name, q->qid, q->qe[i].engine, v,
				OC_RATE_MAX);
			return -EINVAL;
		}
	}
	/* Checked: now apply, all or nothing. */
	q->cpu_cyc_per_kib = r->cpu_cyc_per_kib;
	q->cpu_outliers = 0;
	for (i = 0; i < q->nb_qe; i++) {
		uint32_t v = r->engine_cyc_per_kib[q->qe[i].engine];

		if (v != 0) {
			q->qe[i].cyc_per_kib = v;
			q->qe[i].learn_outliers = 0;
		}
	}
	oc_queue_thresholds(q);
	return 0;
}

void
oc_calibrate(struct ocopy *oc)
{
	uint8_t *buf = NULL;
	int reg = -1;
	uint16_t i;

	oc_cpu_rate(&oc->cpu_op_cycles, &oc->cpu_cyc_per_kib);
	OC_LOG(DEBUG, "%s: CPU: %u cycles per copy + %u per KiB", oc->name,
		oc->cpu_op_cycles, oc->cpu_cyc_per_kib);

	for (i = 0; i < oc->nb_engines; i++) {
		struct oc_engine *e = &oc->engines[i];
		int ret = -ENOTSUP;

		if (oc->conf.threshold == 0 && oc->conf.policy ==
				OCOPY_POLICY_AUTO) {
			if (buf == NULL) {
				buf = rte_zmalloc("ocopy_cal", OC_CAL_BUF, 4096);
				if (buf != NULL)
					reg = ocopy_mem_register(oc, buf,
							OC_CAL_BUF);
			}
			ret = (buf == NULL || reg < 0) ? -ENOMEM : 0;
			/* The CPU path through the library, once. */
			if (ret == 0 && oc->cpu_path_cycles == 0)
				ret = oc_path_cost_cpu(oc, buf,
						&oc->cpu_path_cycles);
			if (ret == 0)
				ret = oc_calibrate_engine(oc, i, buf);
		}
		if (ret == 0) {
			e->calibrated = true;
			e->threshold = oc_engine_threshold(oc, e,
					oc->cpu_cyc_per_kib);
			OC_LOG(INFO, "%s: engine %s: %u cycles per op through the library (%u raw, CPU path %u), %u cycles per KiB: threshold %u bytes",
				oc->name, e->name, e->op_cycles,
				e->raw_op_cycles, oc->cpu_path_cycles,
				e->cyc_per_kib, e->threshold);
			continue;
		}
		if (ret != -ENOTSUP)
			OC_LOG(WARNING, "%s: engine %s: calibration failed (%s): threshold %u bytes",
				oc->name, e->name, strerror(-ret),
				OC_FALLBACK_THRESHOLD);
		e->threshold = oc->conf.threshold != 0 ? oc->conf.threshold :
				OC_FALLBACK_THRESHOLD;
		/* Unknown rate: assume the CPU's. */
		e->cyc_per_kib = oc->cpu_cyc_per_kib;
		e->op_cycles = 0;
	}
	if (reg >= 0)
		ocopy_mem_unregister(oc, reg);
	if (oc->calib_leftover)
		oc->calib_buf = buf;	/* an engine may still write it */
	else
		rte_free(buf);
}
