/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The out-of-line fast path: reaping engine completions, in-order
 * delivery, and the rare submissions (fenced, forced to the CPU, split,
 * scatter-gather) that the inline path in ocopy.h hands over.
 */

#include <string.h>

#include <rte_cycles.h>

#include "ocopy_internal.h"

/* Flag oc_submit() adds for a fill (never a user flag: outside OCOPY_F_MASK). */
#define OC_F_FILL	RTE_BIT64(63)

/* Completions reaped per engine call. */
#define OC_REAP_BURST	64

/* Split copies: CPU share bounds and adaptation step (x/65536). */
#define OC_SPLIT_MIN	(65536 / 16)
#define OC_SPLIT_MAX	(65536 - 65536 / 16)
#define OC_SPLIT_STEP	(65536 / 128)
#define OC_SPLIT_ALIGN	64

void
oc_cpu_fill(void *dst, uint64_t pattern, uint32_t len)
{
	uint8_t *d = dst;

	while (len >= sizeof(pattern)) {
		memcpy(d, &pattern, sizeof(pattern));
		d += sizeof(pattern);
		len -= sizeof(pattern);
	}
	memcpy(d, &pattern, len);
}

/*
 * Is an engine that is not healthy usable for one more op? Stalled: no,
 * until oc_reap() sees progress. Degraded: once its re-probe time has come,
 * one op (the probe) when nothing else is in flight there.
 */
bool
oc_qe_usable(struct ocopy_queue *q, struct ocopy_qengine *qe)
{
	switch (qe->health) {
	case OCOPY_HEALTH_OK:
		return true;
	case OCOPY_HEALTH_DEGRADED:
		if (qe->inflight != 0 || rte_get_tsc_cycles() < qe->reprobe_at)
			return false;
		qe->health = OCOPY_HEALTH_PROBING;
		return true;
	case OCOPY_HEALTH_PROBING:
		return qe->inflight == 0;
	default:
		RTE_SET_USED(q);
		return false;
	}
}

/*
 * Take the engine's oldest FIFO entry, its bytes counted done; its slot.
 * The bytes are its count less the previous entry's (ocopy_core.h),
 * exact modulo 2^32 as an op is below 4 GiB.
 */
static inline uint32_t
oc_fifo_pop(struct ocopy_qengine *qe)
{
	uint64_t e = qe->fifo[qe->fifo_tail++ & qe->fifo_mask];

	qe->bytes_out += (uint32_t)((e >> 32) - qe->bytes_out);
	return (uint32_t)e;
}

/*
 * The engine's oldest op (slot, its FIFO entry taken off) finished with
 * status st: counted in its op's slot (a recorded op, not a plain one).
 */
static inline void
oc_part_done(struct ocopy_queue *q, struct ocopy_qengine *qe, uint32_t slot,
		uint16_t st)
{
	struct ocopy_op *op;

	if (unlikely(qe->leftovers != 0)) {	/* calibration's: not ours */
		qe->leftovers--;
		return;
	}
	op = &q->ops[slot & q->mask];
	if (unlikely(op->fenced)) {
		/* Reaped: it can no longer turn deferred. */
		op->fenced = 0;
		q->fenced_on_engine--;
		if (st == RTE_DMA_STATUS_NOT_ATTEMPTED) {
			/*
			 * The engine's fence skipped it after an older op of
			 * its batch failed (as Intel DSA does). The library's
			 * fence only orders: the CPU runs it once every older
			 * op is delivered, as any deferred op. Its part stays
			 * pending until then.
			 */
			op->path = OCOPY_PATH_DEFERRED;
			q->deferred_pending++;
			q->stats.engine--;
			q->stats.deferred++;
			q->stats.failovers++;
			return;
		}
	}
	if (st != RTE_DMA_STATUS_SUCCESSFUL) {
		if (op->status == RTE_DMA_STATUS_SUCCESSFUL)
			op->status = st;
		qe->stats.errors++;
		qe->consec_errors++;
	} else {
		qe->consec_errors = 0;
	}
	op->pending--;
}

/*
 * Give the plain ops [from, to) a slot each (ocopy_core.h), as if they had
 * been recorded: done for those the CPU copied, one part pending for those
 * an engine still holds. Each FIFO is read from its newest entry back to
 * the first one before from (its slots rise).
 */
static void
oc_plain_give_slots(struct ocopy_queue *q, uint32_t from, uint32_t to)
{
	const uint32_t n = to - from;
	uint32_t s, k;
	uint16_t i;

	for (s = from; s != to; s++)
		oc_op_init(&q->ops[s & q->mask], NULL, NULL, 0, 0,
				OCOPY_PATH_CPU);
	for (i = 0; i < q->nb_qe; i++) {
		struct ocopy_qengine *qe = &q->qe[i];
		/* Calibration leftovers first (queue 0): not ops of ours. */
		const uint32_t oldest = qe->fifo_tail + qe->leftovers;

		for (k = qe->fifo_head; k != oldest; k--) {
			uint32_t slot = (uint32_t)qe->fifo[(k - 1) & qe->fifo_mask];
			struct ocopy_op *op;

			if ((int32_t)(slot - from) < 0)
				break;
			if (slot - from >= n)
				continue;
			op = &q->ops[slot & q->mask];
			op->pending = 1;
			op->path = OCOPY_PATH_ENGINE;
		}
	}
}

/*
 * Give every plain op a slot: the queue's ops all recorded from tail on.
 * Before anything that needs their slots: an engine error (its status
 * goes to the op), an abort.
 */
static void
oc_plain_record(struct ocopy_queue *q)
{
	const uint32_t tail = q->tail, head = q->head;
	uint32_t rs = q->rec_start, re = q->rec_end;

	if (rs == re)
		rs = re = head;	/* none recorded: every op before the range */
	if ((int32_t)(rs - tail) > 0)
		oc_plain_give_slots(q, tail, rs);
	/* Not while the head's slot is being opened (re past it). */
	if ((int32_t)(head - re) > 0) {
		oc_plain_give_slots(q, re, head);
		re = head;
	}
	q->rec_start = tail;
	q->rec_end = re;
}

/*
 * Op slot (the head) is to be recorded, behind recorded ops still in the
 * queue and plain ones after them: those plain ones get their slots, so
 * that the recorded ops stay one range.
 */
void
oc_rec_extend(struct ocopy_queue *q, uint32_t slot)
{
	oc_plain_give_slots(q, q->rec_end, slot);
	q->rec_end = slot + 1;
}

/*
 * The staged plain copies (ocopy_copy()): given to the queue as one
 * ocopy_copy_burst() gives its copies, which rings the engines. Their room
 * was kept and their addresses checked when they were staged, so it takes
 * them all, and each gets the index it was given (the head plus those
 * before it); nothing else is submitted while copies are staged.
 */
void
oc_stage_flush(struct ocopy_queue *q)
{
	uint16_t n = q->nb_staged;

	q->nb_staged = 0;
	RTE_VERIFY(oc_burst(q, q->stage_dst, q->stage_src, q->stage_len, n,
			NULL, NULL) == n);
}

/*
 * The recorded ops after delivery up to tail: none left (their range
 * empty, at tail), or from tail on.
 */
static inline void
oc_rec_trim(struct ocopy_queue *q, uint32_t tail)
{
	if ((int32_t)(q->rec_end - tail) <= 0) {
		q->rec_start = tail;
		q->rec_end = tail;
	} else if ((int32_t)(q->rec_start - tail) < 0) {
		q->rec_start = tail;
	}
}

/*
 * How many of the plain ops from tail on (plain of them) are done: those
 * before the oldest one an engine still holds.
 */
static uint32_t
oc_plain_done(const struct ocopy_queue *q, uint32_t tail, uint32_t plain)
{
	uint16_t i;

	for (i = 0; i < q->nb_qe; i++) {
		const struct ocopy_qengine *qe = &q->qe[i];
		/* Calibration leftovers first (queue 0): not ops of ours. */
		uint32_t k = qe->fifo_tail + qe->leftovers, slot;

		if (qe->inflight == 0 || k == qe->fifo_head)
			continue;
		slot = (uint32_t)qe->fifo[k & qe->fifo_mask];
		if (slot - tail < plain)
			plain = slot - tail;
	}
	return plain;
}

static void
oc_health_update(struct ocopy_queue *q, struct ocopy_qengine *qe,
		uint16_t done, uint64_t now)
{
	if (done != 0) {
		qe->last_progress = now;
		if (qe->health == OCOPY_HEALTH_STALLED) {
			OC_LOG(INFO, "%s: queue %u: dmadev %d resumed",
				q->oc->name, q->qid, qe->dev_id);
			qe->health = OCOPY_HEALTH_OK;
		}
		if (qe->consec_errors >= q->degrade_errors ||
				(qe->health == OCOPY_HEALTH_PROBING &&
				 qe->consec_errors != 0)) {
			if (qe->health != OCOPY_HEALTH_DEGRADED) {
				OC_LOG(WARNING, "%s: queue %u: dmadev %d degraded after %u errors, re-probed in %"
					PRIu64 " ms", q->oc->name, q->qid,
					qe->dev_id, qe->consec_errors,
					q->reprobe_cyc * 1000 / rte_get_tsc_hz());
				qe->stats.degrades++;
			}
			qe->health = OCOPY_HEALTH_DEGRADED;
			qe->reprobe_at = now + q->reprobe_cyc;
		} else if (qe->health == OCOPY_HEALTH_PROBING &&
				qe->inflight == 0) {
			OC_LOG(INFO, "%s: queue %u: dmadev %d healthy again",
				q->oc->name, q->qid, qe->dev_id);
			qe->health = OCOPY_HEALTH_OK;
		}
		return;
	}
	/* Ops not doorbelled yet are not the engine's fault. */
	if (qe->inflight > qe->unsubmitted &&
			qe->health != OCOPY_HEALTH_STALLED &&
			now - qe->last_progress > q->stall_cyc) {
		OC_LOG(WARNING, "%s: queue %u: dmadev %d stalled (%u ops in flight, no progress for %"
			PRIu64 " us): new work goes to the CPU", q->oc->name,
			q->qid, qe->dev_id, qe->inflight - qe->unsubmitted,
			(now - qe->last_progress) * 1000000 / rte_get_tsc_hz());
		qe->health = OCOPY_HEALTH_STALLED;
		qe->stats.stalls++;
	}
}

/*
 * Are the engine's n oldest FIFO entries plain ops (ocopy_core.h), whose
 * bytes add up below 4 GiB? Slots rise through a FIFO, all from the tail
 * on: the first and the last entry tell whether the recorded ops [rs, re)
 * fall among them.
 */
static inline bool
oc_fifo_plain_run(const struct ocopy_qengine *qe, uint32_t tail,
		uint32_t rs, uint32_t re, uint16_t n)
{
	uint32_t first = (uint32_t)qe->fifo[qe->fifo_tail & qe->fifo_mask];
	uint32_t last = (uint32_t)qe->fifo[(qe->fifo_tail + n - 1) &
			qe->fifo_mask];

	return (rs == re || last - tail < rs - tail ||
			first - tail >= re - tail) &&
			qe->leftovers == 0 && oc_qe_backlog(qe) <= UINT32_MAX;
}

/*
 * Reaped: n ops of the engine, not all plain, or past leftovers. Op by op;
 * the FIFO position and the bytes done in registers (through memory, each
 * op would wait for the previous one's store).
 */
static __rte_noinline void
oc_reap_ops(struct ocopy_queue *q, struct ocopy_qengine *qe, uint32_t rs,
		uint32_t re, uint16_t n)
{
	uint32_t ft = qe->fifo_tail;
	uint64_t out = qe->bytes_out;
	uint16_t i;

	for (i = 0; i < n; i++) {
		uint64_t e = qe->fifo[ft++ & qe->fifo_mask];

		out += (uint32_t)((e >> 32) - out);
		/* A plain op: nothing to note. */
		if (qe->leftovers == 0 && !oc_in_rec((uint32_t)e, rs, re))
			continue;
		oc_part_done(q, qe, (uint32_t)e, RTE_DMA_STATUS_SUCCESSFUL);
	}
	qe->fifo_tail = ft;
	qe->bytes_out = out;
}

/*
 * The engine reported an error: the failed op and those after it, with
 * their statuses (the plain ops get slots for them first). How many.
 */
static __rte_noinline uint16_t
oc_reap_errors(struct ocopy_queue *q, struct ocopy_qengine *qe)
{
	enum rte_dma_status_code st[OC_REAP_BURST];
	uint16_t n, i, last;

	oc_plain_record(q);
	n = rte_dma_completed_status(qe->dev_id, qe->vchan,
			RTE_MIN(qe->inflight, (uint32_t)OC_REAP_BURST), &last, st);
	for (i = 0; i < n; i++)
		oc_part_done(q, qe, oc_fifo_pop(qe), st[i]);
	qe->inflight -= n;
	return n;
}

/*
 * Reap one engine's completions: dmadev completes a vchan in order.
 * Inline in its two callers, with the rare paths out of line: a
 * completion call runs through it without a call of its own.
 */
static __rte_always_inline uint16_t
oc_reap_qe(struct ocopy_queue *q, struct ocopy_qengine *qe)
{
	uint16_t done = 0, n, last;
	bool has_error = false;

	while (qe->inflight != 0) {
		const uint32_t tail = q->tail;
		const uint32_t rs = q->rec_start, re = q->rec_end;

		n = rte_dma_completed(qe->dev_id, qe->vchan,
				RTE_MIN(qe->inflight, (uint32_t)OC_REAP_BURST),
				&last, &has_error);
		if (n != 0 && oc_fifo_plain_run(qe, tail, rs, re, n)) {
			/*
			 * Plain ops: nothing to note, and their bytes are
			 * the last one's count less the count before the
			 * first.
			 */
			uint64_t e = qe->fifo[(qe->fifo_tail + n - 1) &
					qe->fifo_mask];

			qe->fifo_tail += n;
			qe->bytes_out += (uint32_t)((e >> 32) - qe->bytes_out);
		} else if (n != 0) {
			oc_reap_ops(q, qe, rs, re, n);
		}
		if (n != 0)
			qe->consec_errors = 0;
		qe->inflight -= n;
		done += n;
		if (unlikely(has_error)) {
			n = oc_reap_errors(q, qe);
			done += n;
			has_error = false;
		}
		if (n < OC_REAP_BURST)
			break;
	}
	return done;
}

/*
 * The engine's rate, from its completions: bytes done since its last
 * progress, over the time since, counted only while it still has
 * doorbelled work (it was busy all along, not waiting for us).
 */
static void
oc_learn_engine(struct ocopy_queue *q, struct ocopy_qengine *qe,
		uint64_t bytes, uint64_t cyc)
{
	uint32_t old = qe->cyc_per_kib;

	qe->learn_cyc += cyc;
	qe->learn_bytes += bytes;
	if (qe->learn_bytes < OC_LEARN_WINDOW)
		return;
	qe->cyc_per_kib = oc_rate_fold(old, qe->learn_cyc, qe->learn_bytes,
			&qe->learn_outliers);
	if (oc_rate_moved(old, qe->cyc_per_kib))
		OC_LOG(DEBUG, "%s: queue %u: dmadev %d: %" PRIu64 " cycles/KiB measured, rate %u -> %u",
			q->oc->name, q->qid, qe->dev_id,
			qe->learn_cyc * 1024 / qe->learn_bytes, old,
			qe->cyc_per_kib);
	qe->learn_samples++;
	qe->learn_cyc = 0;
	qe->learn_bytes = 0;
}

/*
 * Reap one engine, learn from what it did, update its health. A sample
 * is taken only when the engine still has doorbelled work: it was busy
 * since its last progress (or since the doorbell that woke it). When it
 * is found idle, the time since its last completion may hold idle time:
 * no sample. A doorbell must not hide an idle gap either: after one on an
 * engine with older work not yet reaped (learn_blind), the sample is
 * taken only if some of that older work is still running (fifo_tail
 * before blind_mark): the engine had work all along. A reap before each
 * such doorbell, to see, cost a stream of 64-byte copies on dma_sw in
 * bursts of 32 some 6 cycles per copy and 13% of its rate.
 */
static __rte_always_inline void
oc_reap_engine(struct ocopy_queue *q, struct ocopy_qengine *qe, uint64_t *now)
{
	uint64_t out = qe->bytes_out;
	uint16_t done;

	done = oc_reap_qe(q, qe);
	/*
	 * Idle and healthy, before or after this reap: no sample, nothing
	 * to watch (the doorbell that gives it work starts its stall clock
	 * again), so the clock is not read.
	 */
	if (qe->inflight == 0 && qe->health == OCOPY_HEALTH_OK &&
			qe->consec_errors == 0)
		return;
	if (*now == 0)
		*now = rte_get_tsc_cycles();
	if (done != 0 && q->learn && qe->inflight > qe->unsubmitted &&
			qe->health == OCOPY_HEALTH_OK && (!qe->learn_blind ||
			(int32_t)(qe->blind_mark - qe->fifo_tail) > 0))
		oc_learn_engine(q, qe, qe->bytes_out - out,
				*now - qe->last_progress);
	/* Progress: last_progress is now, the next sample starts here. */
	if (done != 0)
		qe->learn_blind = 0;
	oc_health_update(q, qe, done, *now);
}

void
oc_reap(struct ocopy_queue *q)
{
	uint64_t now = 0;
	uint8_t work = 0;
	uint16_t i;

	/*
	 * Nothing given to an engine since they were all found idle. With
	 * cpu_help=auto the epochs go on all the same (all copies on the CPU,
	 * by size or placement): the clock is read once per
	 * OC_ADAPT_TICK_BYTES.
	 */
	if (!q->engine_work) {
		if (q->stats.bytes >= q->adapt_at)
			oc_adapt_tick_idle(q);
		return;
	}
	for (i = 0; i < q->nb_qe; i++) {
		struct ocopy_qengine *qe = &q->qe[i];

		if (qe->inflight == 0 && qe->health == OCOPY_HEALTH_OK)
			continue;
		oc_reap_engine(q, qe, &now);
		work |= qe->inflight != 0;
	}
	q->engine_work = work;
	/* Engines progressed (the clock was read): still the best placement? */
	if (q->adapt.on && now != 0)
		oc_adapt_tick(q, now);
}

/*
 * Out of line: the inline submission path calls it for a CPU copy of a
 * size the engines take (rarely small), so that the doorbell loop does
 * not swell every caller's code.
 */
void
oc_doorbells_before_cpu(struct ocopy_queue *q)
{
	oc_doorbells(q);
}

/*
 * A CPU copy the policy chose, timed: the CPU's rate on the data this
 * queue really copies (cache-resident or not), which calibration cannot
 * know. Booked as oc_submit() books a CPU op: plain without a callback.
 * Out of line, since it is one CPU copy in OC_CPU_SAMPLE_EVERY.
 */
int
oc_cpu_copy_timed(struct ocopy_queue *q, uint32_t slot, void *dst,
		const void *src, uint32_t len, ocopy_cb_t cb, void *arg)
{
	uint64_t t0, cyc;

	oc_slot_record(q, slot, &q->ops[slot & q->mask], cb, arg, len, 0,
			OCOPY_PATH_CPU);
	oc_book_cpu(q, slot, len);
	if (q->dirty)	/* as oc_submit() does before a CPU copy */
		oc_doorbells(q);
	/*
	 * lfence, not mfence: the copy's own loads and stores are timed as
	 * it runs, and the stores of the copies before it, bound for memory,
	 * drain meanwhile. Draining them first (rte_rdtsc_precise()) stalled
	 * the core twice per sample: DRAM-bound 1 KiB copies, one in 16 timed,
	 * went from 15 to 9 GB/s.
	 */
	rte_rmb();
	t0 = rte_rdtsc();
	oc_cpu_copy(dst, src, len);
	rte_rmb();
	cyc = rte_rdtsc() - t0;
	if (!q->learn) {
		q->cpu_sample_left = 0;
		return (uint16_t)slot;
	}
	q->cpu_sample_left = OC_CPU_SAMPLE_EVERY;
	q->cpu_samples++;
	q->cpu_learn_cyc += cyc - RTE_MIN(cyc, (uint64_t)q->cpu_op_cyc);
	q->cpu_learn_bytes += len;
	/* Samples are one CPU copy in OC_CPU_SAMPLE_EVERY: a smaller window. */
	if (q->cpu_learn_bytes >= OC_LEARN_WINDOW / OC_CPU_SAMPLE_EVERY) {
		uint32_t old = q->cpu_cyc_per_kib;

		q->cpu_cyc_per_kib = oc_rate_fold(old, q->cpu_learn_cyc,
				q->cpu_learn_bytes, &q->cpu_outliers);
		if (oc_rate_moved(old, q->cpu_cyc_per_kib))
			OC_LOG(DEBUG, "%s: queue %u: CPU: %" PRIu64 " cycles/KiB measured, rate %u -> %u",
				q->oc->name, q->qid,
				q->cpu_learn_cyc * 1024 / q->cpu_learn_bytes,
				old, q->cpu_cyc_per_kib);
		q->cpu_learn_cyc = 0;
		q->cpu_learn_bytes = 0;
		/* What the engines are worth depends on what the CPU costs. */
		oc_queue_thresholds(q);
	}
	return (uint16_t)slot;
}

/* Run a deferred (fenced) op now: every older op has been delivered. */
static void
oc_run_deferred(struct ocopy_queue *q, uint32_t slot, struct ocopy_op *op)
{
	struct ocopy_deferred *d = &q->deferred[slot & q->mask];

	if (d->src == NULL)
		oc_cpu_fill(d->dst, d->pattern, d->len);
	else
		oc_cpu_copy(d->dst, d->src, d->len);
	q->stats.cpu_bytes += d->len;
	q->deferred_pending--;
	op->pending = 0;
}

enum oc_deliver_mode {
	OC_DELIVER_ALL,		/* poll, completed_status */
	OC_DELIVER_UNTIL_ERROR,	/* completed: stop before a failure */
};

/*
 * Deliver from the tail, in order, up to max ops. The ring indexes and
 * counters live in locals and are written back before each callback (it
 * may submit, poll or read the stats) and at the end.
 */
static uint16_t
oc_deliver(struct ocopy_queue *q, uint16_t max, enum oc_deliver_mode mode,
		uint16_t *status, bool *has_error)
{
	struct ocopy_op *const ops = q->ops;
	const uint32_t mask = q->mask;
	uint32_t tail = q->tail, head = q->head;
	uint32_t rs = q->rec_start, re = q->rec_end;
	uint16_t n = 0, counted = 0, nb_err = 0;

	RTE_BUILD_BUG_ON(RTE_DMA_STATUS_SUCCESSFUL != 0);
	while (n < max && tail != head) {
		struct ocopy_op *op;
		uint16_t st;

		if (!oc_in_rec(tail, rs, re)) {
			/*
			 * Plain ops, up to the recorded ones or the head: those
			 * done are successful (an engine error gives them
			 * slots), with nobody to call.
			 */
			uint32_t end = rs != re && (int32_t)(rs - tail) > 0 ?
					rs : head;
			uint32_t plain = end - tail, ready, k;

			ready = q->engine_work ? oc_plain_done(q, tail, plain) :
					plain;
			k = RTE_MIN(ready, (uint32_t)(max - n));
			if (status != NULL)
				memset(&status[n], 0, k * sizeof(*status));
			tail += k;
			n += k;
			if (k != plain)
				break;	/* some still on an engine, or max */
			continue;
		}
		op = &ops[tail & mask];
		if (op->pending != 0) {
			if (op->path != OCOPY_PATH_DEFERRED)
				break;
			oc_run_deferred(q, tail, op);
		}
		st = op->status;
		if (unlikely(st != RTE_DMA_STATUS_SUCCESSFUL)) {
			if (mode == OC_DELIVER_UNTIL_ERROR) {
				*has_error = true;
				break;
			}
			nb_err++;
		}
		if (status != NULL)
			status[n] = st;
		n++;
		tail++;
		if (op->cb != NULL) {
			ocopy_cb_t cb = op->cb;
			void *arg = op->arg;

			/* Free the slot first: the callback may submit. */
			q->tail = tail;
			oc_rec_trim(q, tail);
			q->stats.completed += n - counted;
			q->stats.errors += nb_err;
			counted = n;
			nb_err = 0;
			cb(arg, st);
			tail = q->tail;
			head = q->head;
			rs = q->rec_start;
			re = q->rec_end;
		}
	}
	q->tail = tail;
	oc_rec_trim(q, tail);
	q->stats.completed += n - counted;
	q->stats.errors += nb_err;
	return n;
}

/* The full delivery, when ocopy_poll()'s inline part cannot count. */
uint16_t
oc_poll(struct ocopy_queue *q, uint16_t max)
{
	oc_reap(q);
	return oc_deliver(q, max, OC_DELIVER_ALL, NULL, NULL);
}

uint16_t
oc_completed(struct ocopy_queue *q, uint16_t nb, uint16_t *last_idx,
		bool *has_error)
{
	bool err = false;
	uint16_t n;

	oc_reap(q);
	n = oc_deliver(q, nb, OC_DELIVER_UNTIL_ERROR, NULL, &err);
	if (has_error != NULL)
		*has_error = err;
	oc_last_idx(q, last_idx);
	return n;
}

uint16_t
oc_completed_status(struct ocopy_queue *q, uint16_t nb, uint16_t *last_idx,
		uint16_t *status)
{
	uint16_t n;

	oc_reap(q);
	n = oc_deliver(q, nb, OC_DELIVER_ALL, status, NULL);
	oc_last_idx(q, last_idx);
	return n;
}

/*
 * Undelivered ops left on engines that never finished (the instance's
 * engines of mask engines, bit i for engine i): abort them. Such an
 * engine still holds them, and may still complete them: it takes no more
 * work of the queue (stalled for good: its FIFO no longer says which op a
 * completion of it belongs to, and it is never reaped again), so what the
 * aborted ops' callbacks submit goes elsewhere.
 */
void
oc_queue_abort(struct ocopy_queue *q, uint32_t engines)
{
	uint32_t first = UINT32_MAX, slot, s;
	uint16_t i;

	oc_stage_hand_over(q);
	oc_plain_record(q);
	for (i = 0; i < q->nb_qe; i++) {
		struct ocopy_qengine *qe = &q->qe[i];

		if (!(engines & RTE_BIT32(qe->engine)))
			continue;
		if (qe->inflight != 0) {
			qe->stuck = 1;
			qe->health = OCOPY_HEALTH_STALLED;
		}
		while (qe->inflight != 0) {
			qe->inflight--;
			slot = oc_fifo_pop(qe);
			/* The oldest op aborted, as an offset from the tail. */
			if (qe->leftovers == 0)
				first = RTE_MIN(first, slot - q->tail);
			oc_part_done(q, qe, slot, RTE_DMA_STATUS_USER_ABORT);
		}
		qe->unsubmitted = 0;
	}
	/*
	 * A fenced op starts after every older op completed: behind one that
	 * never did, it is not attempted (and writes nothing), where the
	 * delivery would have run it on the CPU.
	 */
	for (s = first == UINT32_MAX ? q->head : q->tail + first + 1;
			s != q->head; s++) {
		struct ocopy_op *op = &q->ops[s & q->mask];

		if (op->path == OCOPY_PATH_DEFERRED && op->pending != 0) {
			op->pending = 0;
			op->status = RTE_DMA_STATUS_NOT_ATTEMPTED;
			q->deferred_pending--;
		}
	}
	oc_deliver(q, UINT16_MAX, OC_DELIVER_ALL, NULL, NULL);
}

/* The TSC timeout_us from now: a bounded wait's end. */
static inline uint64_t
oc_deadline_us(uint64_t timeout_us)
{
	return rte_get_tsc_cycles() + timeout_us * rte_get_tsc_hz() / 1000000;
}

/* Engines with ops in flight, and whether a deferred op is still pending. */
static struct ocopy_qengine *
oc_busy_engine(struct ocopy_queue *q, unsigned int *nb_busy)
{
	struct ocopy_qengine *busy = NULL;
	uint16_t i;

	*nb_busy = 0;
	for (i = 0; i < q->nb_qe; i++)
		if (q->qe[i].inflight != 0) {
			busy = &q->qe[i];
			(*nb_busy)++;
		}
	return busy;
}

/*
 * Engines removed under the instance (mask engines): no op of the queue
 * goes to them any more, from the stage or from a callback (stalled for
 * good: a stalled engine with nothing in flight is never reaped, so
 * nothing makes it healthy again), and what they held is aborted.
 */
void
oc_queue_abort_removed(struct ocopy_queue *q, uint32_t engines)
{
	uint16_t i;

	for (i = 0; i < q->nb_qe; i++)
		if (engines & RTE_BIT32(q->qe[i].engine))
			q->qe[i].health = OCOPY_HEALTH_STALLED;
	oc_queue_abort(q, engines);
}

/*
 * Wait, up to timeout_us, until no engine holds ops of the queue: reaped,
 * calibration leftovers included, which no drain waits for (they are no
 * ops of the ring). Whether none does.
 */
bool
oc_queue_engines_done(struct ocopy_queue *q, uint64_t timeout_us)
{
	const uint64_t deadline = oc_deadline_us(timeout_us);
	unsigned int nb_busy;

	for (;;) {
		oc_reap(q);
		oc_busy_engine(q, &nb_busy);
		if (nb_busy == 0)
			return true;
		if (rte_get_tsc_cycles() > deadline)
			return false;
		rte_pause();
	}
}

int
ocopy_queue_drain(struct ocopy_queue *q, uint64_t timeout_us)
{
	uint64_t deadline;

	if (q == NULL)
		return -EINVAL;
	deadline = oc_deadline_us(timeout_us);
	/*
	 * Staged copies counted: every op accepted. Each round hands the
	 * stage over and rings the engines: callbacks run by the poll may
	 * submit (a plain copy is staged, an engine op waits for a
	 * doorbell), and those ops are the queue's too.
	 */
	while (ocopy_queue_inflight(q) != 0) {
		ocopy_flush(q);
		ocopy_poll(q, UINT16_MAX);
		if (ocopy_queue_inflight(q) == 0)
			break;
		if (rte_get_tsc_cycles() > deadline)
			return -ETIMEDOUT;
		rte_pause();
	}
	return 0;
}

/* ---- the rare submissions ------------------------------------------ */

/* Record op slot (the head) for a rare submission; the caller books it. */
static inline struct ocopy_op *
oc_slot_open(struct ocopy_queue *q, uint32_t slot, uint32_t len,
		ocopy_cb_t cb, void *arg)
{
	struct ocopy_op *op = &q->ops[slot & q->mask];

	oc_rec_open(q, slot);
	op->cb = cb;
	op->arg = arg;
	op->len = len;
	op->status = RTE_DMA_STATUS_SUCCESSFUL;
	op->pending = 0;
	q->stats.submitted++;
	q->stats.bytes += len;
	return op;
}

static inline int
oc_slot_cpu(struct ocopy_queue *q, uint32_t slot, struct ocopy_op *op,
		void *dst, const void *src, uint64_t pattern, uint32_t len)
{
	if (src == NULL)
		oc_cpu_fill(dst, pattern, len);
	else
		oc_cpu_copy(dst, src, len);
	op->path = OCOPY_PATH_CPU;
	oc_book_cpu(q, slot, len);
	return (uint16_t)slot;
}

static int
oc_engine_op(struct ocopy_qengine *qe, void *dst, const void *src,
		uint64_t pattern, uint32_t len, uint64_t dma_flags)
{
	if (src == NULL)
		return rte_dma_fill(qe->dev_id, qe->vchan, pattern,
				(rte_iova_t)(uintptr_t)dst, len, dma_flags);
	return rte_dma_copy(qe->dev_id, qe->vchan, (rte_iova_t)(uintptr_t)src,
			(rte_iova_t)(uintptr_t)dst, len, dma_flags);
}

/*
 * The engine took as many ops since its last doorbell as its batch holds
 * (qe->batch_room, from rte_dma_burst_capacity()). Intel DSA bounds a
 * batch by its work queue's max_batch_size, and DPDK's idxd still takes
 * more at enqueue: the hardware then fails the whole batch. So ring it
 * now if it holds ops of this queue, and read its capacity again (also
 * bounded by its ring's room). Whether it takes an op now.
 */
bool
oc_qe_batch_renew(struct ocopy_queue *q, struct ocopy_qengine *qe)
{
	uint64_t now = 0;

	if (qe->unsubmitted != 0) {
		oc_qe_doorbell(q, qe, &now);
		qe->stats.batch_full++;
	}
	qe->batch_room = rte_dma_burst_capacity(qe->dev_id, qe->vchan);
	return qe->batch_room != 0;
}

/* What a deferred op does, in its slot's entry of the deferred table. */
static void
oc_deferred_set(struct ocopy_queue *q, uint32_t slot, void *dst,
		const void *src, uint64_t pattern, uint32_t len)
{
	struct ocopy_deferred *d = &q->deferred[slot & q->mask];

	d->dst = dst;
	d->src = src;
	d->pattern = pattern;
	d->len = len;
}

/*
 * A fenced op: with nothing older in flight it is an ordinary op; with
 * older work on one engine only, that engine's own fence orders it; else
 * the CPU runs it when it reaches the head of the delivery order.
 *
 * Not through the engine's fence while an older fenced op is still there
 * unreaped: the engine may have skipped it (an older failure in its
 * batch), and the CPU then runs it only at delivery, while this op, in a
 * later batch, would run on the engine before it and read what it had not
 * yet written.
 */
static int
oc_submit_fenced(struct ocopy_queue *q, void *dst, const void *src,
		uint64_t pattern, uint32_t len, ocopy_cb_t cb, void *arg,
		uint64_t flags)
{
	uint32_t slot = q->head;
	struct ocopy_qengine *busy;
	struct ocopy_op *op;
	unsigned int nb_busy;
	bool batch_ok = true;

	/*
	 * A full batch is rung first: that may reap (learning), which may
	 * turn an older fenced op deferred or leave the engine idle, so the
	 * state is read after it.
	 */
	busy = oc_busy_engine(q, &nb_busy);
	if (nb_busy == 1) {
		batch_ok = oc_qe_batch_ok(q, busy);
		/*
		 * An older fenced op still there may be done by now: reaped,
		 * it is no longer in the way (else each fenced op behind one
		 * would be deferred, even seconds apart).
		 */
		if (q->fenced_on_engine != 0) {
			uint64_t now = 0;

			oc_reap_engine(q, busy, &now);
		}
		busy = oc_busy_engine(q, &nb_busy);
	}
	if (q->deferred_pending == 0 && nb_busy == 0)
		/* Nothing older in flight: the fence is already satisfied. */
		return oc_submit_slow(q, dst, src, pattern, len, cb, arg,
				(flags & ~OCOPY_F_FENCE) |
				(src == NULL ? OC_F_FILL : 0));
	op = oc_slot_open(q, slot, len, cb, arg);
	if (batch_ok && q->deferred_pending == 0 && q->fenced_on_engine == 0 &&
			nb_busy == 1 &&
			q->policy != OCOPY_POLICY_CPU &&
			!(flags & OCOPY_F_CPU) &&
			busy->health == OCOPY_HEALTH_OK &&
			busy->inflight < busy->max_inflight &&
			len >= busy->threshold &&
			(src != NULL || busy->fill_ok) &&
			oc_engine_op(busy, dst, src, pattern, len,
				RTE_DMA_OP_FLAG_FENCE) >= 0) {
		int ret = oc_slot_engine(q, busy, slot, op, len, false);

		/* Kept for the CPU, should the engine not attempt it. */
		oc_deferred_set(q, slot, dst, src, pattern, len);
		op->fenced = 1;
		q->fenced_on_engine++;
		return ret;
	}
	oc_deferred_set(q, slot, dst, src, pattern, len);
	op->pending = 1;
	op->path = OCOPY_PATH_DEFERRED;
	q->deferred_pending++;
	q->stats.deferred++;
	q->head = slot + 1;
	return (uint16_t)slot;
}

/*
 * Whether every engine of the queue is done with its work (reaped first:
 * a large copy is worth a look). A large copy is split only then: when
 * engines are busy with older copies (a stream of large copies), their
 * parts would wait behind that work while the CPU copies its share, and
 * each copy placed whole on the engine or the CPU keeps both busy at less
 * cost.
 */
static bool
oc_engines_idle(struct ocopy_queue *q)
{
	unsigned int nb_busy;

	oc_busy_engine(q, &nb_busy);
	if (nb_busy == 0)
		return true;
	oc_reap(q);
	oc_busy_engine(q, &nb_busy);
	return nb_busy == 0;
}

/*
 * A large copy cut between the engines and the CPU: the engines' parts
 * are submitted first so they run while the CPU copies its share. The
 * share adapts: if the engines were already done when the CPU finished,
 * the CPU took too much; if not, too little.
 */
static int
oc_submit_split(struct ocopy_queue *q, void *dst, const void *src,
		uint32_t len, ocopy_cb_t cb, void *arg, uint64_t flags)
{
	struct ocopy_qengine *use[OCOPY_MAX_ENGINES];
	uint32_t slot = q->head;
	uint32_t cpu_len, eng_len, part, off;
	uint64_t now = 0;
	struct ocopy_op *op;
	uint16_t i, nb_use = 0, parts = 0;
	int16_t node = q->numa_pick ? oc_buf_node(q, dst) : -1;

	/* The engines near the data: the queue's, or the buffer's node. */
	for (i = 0; i < q->nb_qe; i++) {
		struct ocopy_qengine *qe = &q->qe[i];

		if (qe->inflight < qe->max_inflight && !oc_qe_remote(qe, node) &&
				(qe->health == OCOPY_HEALTH_OK ||
				 oc_qe_usable(q, qe)) &&
				oc_qe_batch_ok(q, qe))
			use[nb_use++] = qe;
	}
	/*
	 * None near the data, or none that takes work: not split, the
	 * ordinary placement decides (a remote engine may take the copy
	 * whole; a full or unhealthy one counts as a failover there).
	 */
	if (nb_use == 0)
		return -EAGAIN;
	op = oc_slot_open(q, slot, len, cb, arg);

	cpu_len = (uint32_t)(((uint64_t)len * q->split_cpu_q16) >> 16) &
			~(uint32_t)(OC_SPLIT_ALIGN - 1);
	eng_len = len - cpu_len;
	/* At least one alignment unit a part: never a part of 0 bytes. */
	part = RTE_ALIGN_CEIL(RTE_MAX(eng_len / nb_use, 1u), OC_SPLIT_ALIGN);
	off = cpu_len;
	for (i = 0; i < nb_use && off < len; i++) {
		struct ocopy_qengine *qe = use[i];
		uint32_t n = RTE_MIN(part, len - off);

		if (rte_dma_copy(qe->dev_id, qe->vchan,
				(rte_iova_t)(uintptr_t)src + off,
				(rte_iova_t)(uintptr_t)dst + off, n,
				0) < 0) {
			qe->stats.full++;
			break;	/* the CPU takes the rest */
		}
		oc_qe_push(q, qe, slot, n);
		parts++;
		off += n;
	}
	op->pending = parts;
	q->head = slot + 1;
	/* The engines' parts run while the CPU copies its share. */
	if (parts != 0)
		oc_doorbells(q);

	/* The CPU's share, and whatever the engines could not take. */
	oc_cpu_copy(dst, src, cpu_len);
	if (off < len)
		oc_cpu_copy(RTE_PTR_ADD(dst, off), RTE_PTR_ADD(src, off),
				len - off);
	q->stats.cpu_bytes += cpu_len + (len - off);

	if (parts == 0) {
		op->path = OCOPY_PATH_CPU;
		q->stats.cpu++;
		q->stats.failovers++;
		return (uint16_t)slot;
	}
	op->path = OCOPY_PATH_SPLIT;
	q->stats.split++;
	RTE_SET_USED(flags);

	/* Who finished first? A reap that updates health: errors count. */
	for (i = 0; i < parts; i++)
		oc_reap_engine(q, use[i], &now);
	if (op->pending == 0)
		q->split_cpu_q16 = RTE_MAX((uint32_t)OC_SPLIT_MIN,
				q->split_cpu_q16 - OC_SPLIT_STEP);
	else
		q->split_cpu_q16 = RTE_MIN((uint32_t)OC_SPLIT_MAX,
				q->split_cpu_q16 + OC_SPLIT_STEP);
	return (uint16_t)slot;
}

int
oc_submit_slow(struct ocopy_queue *q, void *dst, const void *src,
		uint64_t pattern, uint32_t len, ocopy_cb_t cb, void *arg,
		uint64_t flags)
{
	uint32_t slot = q->head;
	struct ocopy_qengine *qe;
	struct ocopy_op *op;
	bool fill = (flags & OC_F_FILL) != 0, remote = false;

	flags &= ~OC_F_FILL;
	if (fill)
		src = NULL;
	if (flags & OCOPY_F_FENCE)
		return oc_submit_fenced(q, dst, src, pattern, len, cb, arg,
				flags);
	if (!(flags & OCOPY_F_CPU) && !fill && len >= q->split_threshold &&
			oc_engines_idle(q)) {
		int ret = oc_submit_split(q, dst, src, len, cb, arg, flags);

		if (ret != -EAGAIN)
			return ret;
	}

	op = oc_slot_open(q, slot, len, cb, arg);
	if (!(flags & OCOPY_F_CPU) && len >= q->min_threshold) {
		qe = oc_pick(q, len, fill, dst, &remote);
		if (qe != NULL) {
			if (oc_engine_op(qe, dst, src, pattern, len, 0) >= 0)
				return oc_slot_engine(q, qe, slot, op, len,
						remote);
			qe->stats.full++;
			q->stats.failovers++;
		} else if (q->policy == OCOPY_POLICY_ENGINE) {
			q->stats.failovers++;
		}
	}
	return oc_slot_cpu(q, slot, op, dst, src, pattern, len);
}

/*
 * Complete every op of the queue without delivering any: wait for the
 * engines, then run the deferred ops, oldest first (each one's older ops
 * are all done by then). Their completions stay for ocopy_poll() and
 * ocopy_completed*(): ocopy_queue_drain() here would hand them to no one
 * (a dmadev-style caller never sees them) and call callbacks from inside
 * a submission, which may submit on the queue under the slot being filled.
 */
static int
oc_complete_older(struct ocopy_queue *q, uint64_t timeout_us)
{
	uint32_t slot;

	ocopy_flush(q);
	if (!oc_queue_engines_done(q, timeout_us))
		return -ETIMEDOUT;
	/* Deferred ops have slots: they are recorded. */
	for (slot = q->rec_start; q->deferred_pending != 0 &&
			slot != q->rec_end; slot++) {
		struct ocopy_op *op = &q->ops[slot & q->mask];

		if (op->pending != 0 && op->path == OCOPY_PATH_DEFERRED)
			oc_run_deferred(q, slot, op);
	}
	return 0;
}

/* ---- scatter-gather ------------------------------------------------ */

static void
oc_cpu_copy_sg(const struct ocopy_sge *src, uint16_t nb_src,
		const struct ocopy_sge *dst, uint16_t nb_dst)
{
	uint32_t soff = 0, doff = 0;
	uint16_t s = 0, d = 0;

	while (s < nb_src && d < nb_dst) {
		uint32_t n = RTE_MIN(src[s].len - soff, dst[d].len - doff);

		oc_cpu_copy(RTE_PTR_ADD(dst[d].addr, doff),
				RTE_PTR_ADD(src[s].addr, soff), n);
		soff += n;
		doff += n;
		if (soff == src[s].len) {
			s++;
			soff = 0;
		}
		if (doff == dst[d].len) {
			d++;
			doff = 0;
		}
	}
}

/* Whether the engine takes a scatter-gather copy of these sizes. */
static inline bool
oc_qe_sg_ok(const struct ocopy_queue *q, const struct ocopy_qengine *qe,
		uint16_t nb_src, uint16_t nb_dst)
{
	const struct oc_engine *e = &q->oc->engines[qe->engine];

	return (e->capa & RTE_DMA_CAPA_OPS_COPY_SG) != 0 &&
		nb_src <= e->max_sges && nb_dst <= e->max_sges;
}

/* The engine's form of a list. */
static inline void
oc_sg_to_dma(struct rte_dma_sge *out, const struct ocopy_sge *in, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		out[i].addr = (rte_iova_t)(uintptr_t)in[i].addr;
		out[i].length = in[i].len;
	}
}

/*
 * Give a scatter-gather copy to the engine, its lists converted only now
 * that one takes it: rte_dma_copy_sg()'s result.
 */
static int
oc_sg_engine_copy(const struct ocopy_qengine *qe, const struct ocopy_sge *src,
		uint16_t nb_src, const struct ocopy_sge *dst, uint16_t nb_dst)
{
	struct rte_dma_sge s[OCOPY_MAX_SGES], d[OCOPY_MAX_SGES];

	oc_sg_to_dma(s, src, nb_src);
	oc_sg_to_dma(d, dst, nb_dst);
	return rte_dma_copy_sg(qe->dev_id, qe->vchan, s, d, nb_src, nb_dst, 0);
}

/* A scatter-gather copy an engine accepted: book it. */
static int
oc_sg_engine_done(struct ocopy_queue *q, struct ocopy_qengine *qe,
		uint32_t slot, uint32_t len, ocopy_cb_t cb, void *arg,
		uint64_t flags, bool remote)
{
	struct ocopy_op *op = oc_slot_open(q, slot, len, cb, arg);
	int ret = oc_slot_engine(q, qe, slot, op, len, remote);

	if (flags & OCOPY_F_FLUSH)
		oc_ring_engines(q);
	return ret;
}

int
ocopy_copy_sg(struct ocopy_queue *q, const struct ocopy_sge *src,
		uint16_t nb_src, const struct ocopy_sge *dst, uint16_t nb_dst,
		ocopy_cb_t cb, void *arg, uint64_t flags)
{
	uint64_t slen = 0, dlen = 0;
	struct ocopy_qengine *qe;
	struct ocopy_op *op;
	uint32_t slot;
	bool remote = false;
	uint16_t i;

	if (q == NULL || src == NULL || dst == NULL || nb_src == 0 ||
			nb_dst == 0 || nb_src > OCOPY_MAX_SGES ||
			nb_dst > OCOPY_MAX_SGES || (flags & ~OCOPY_F_MASK))
		return -EINVAL;
	for (i = 0; i < nb_src; i++) {
		if (src[i].addr == NULL)
			return -EINVAL;
		slen += src[i].len;
	}
	for (i = 0; i < nb_dst; i++) {
		if (dst[i].addr == NULL)
			return -EINVAL;
		dlen += dst[i].len;
	}
	if (slen != dlen || slen > OCOPY_MAX_LEN)
		return -EINVAL;
	/* One segment each side: an ordinary copy (staged if plain). */
	if (nb_src == 1 && nb_dst == 1)
		return ocopy_copy(q, dst[0].addr, src[0].addr, src[0].len, cb,
				arg, flags);
	oc_stage_hand_over(q);
	slot = q->head;
	if (slot - q->tail > q->mask) {
		q->stats.refused++;
		return -ENOSPC;
	}
	if (flags & OCOPY_F_FENCE) {
		unsigned int nb_busy;

		/*
		 * Not through an engine's fence: one that skips the copy after
		 * an older failure (Intel DSA, dma_sw) would leave it undone,
		 * and the deferred table cannot hold its segments for the CPU.
		 */
		oc_busy_engine(q, &nb_busy);
		if (nb_busy != 0 || q->deferred_pending != 0) {
			/* Rare: wait for the older ops here, then copy. */
			int ret = oc_complete_older(q, q->stall_cyc * 1000000 /
					rte_get_tsc_hz() * 2 + 1000);
			if (ret < 0)
				return -EBUSY;
		}
	}
	if (!(flags & OCOPY_F_CPU) && slen >= q->min_threshold) {
		qe = oc_pick(q, (uint32_t)slen, false, dst[0].addr, &remote);
		if (qe != NULL && oc_qe_sg_ok(q, qe, nb_src, nb_dst)) {
			if (oc_sg_engine_copy(qe, src, nb_src, dst, nb_dst) >= 0)
				return oc_sg_engine_done(q, qe, slot,
						(uint32_t)slen, cb, arg, flags,
						remote);
			qe->stats.full++;
			q->stats.failovers++;
		}
	}
	op = oc_slot_open(q, slot, (uint32_t)slen, cb, arg);
	oc_cpu_copy_sg(src, nb_src, dst, nb_dst);
	op->path = OCOPY_PATH_CPU;
	oc_book_cpu(q, slot, (uint32_t)slen);
	if (flags & OCOPY_F_FLUSH)
		oc_ring_engines(q);
	return (uint16_t)slot;
}
