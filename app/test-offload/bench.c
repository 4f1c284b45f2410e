/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The measured loops: one case (mode, device, size) on the submitter lcore.
 *
 * Buffers. The source and destination pools are split into N slots of
 * `stride` bytes (the size rounded up to a cache line; N even). Operation
 * k copies source slot (k mod N) to destination slot
 * ((k mod N + k / N) mod N), so the pools are swept in address order and a
 * run can be made DRAM-bound by a working set larger than the caches.
 * Byte o of source slot i holds (uint8_t)i ^ K(o); destination slots start
 * as the complement of the source slot they receive first. As N is even,
 * the source slots a destination slot receives in consecutive passes have
 * indices of different parity, so every byte of the new data differs from
 * what the slot held: a copy that was skipped or cut short cannot pass
 * verification. In-flight operations k < k' share a destination slot only
 * if k' - k >= N - 1, so the window of operations in flight is capped at
 * N - 1 (main.c) and an operation's buffers are reused only once it has
 * completed.
 *
 * dma loop. Keep the ring full: whenever at least one burst fits in the
 * window and rte_dma_burst_capacity() allows it, enqueue one burst and
 * ring the doorbell once (rte_dma_submit); otherwise poll
 * rte_dma_completed() for everything that is ready. Completions are
 * in order, so the completion cursor walks the same slots as the enqueue
 * cursor. Cycles (rte_rdtsc, minus the measured cost of the timer itself)
 * inside enqueue+submit and inside completed() calls that returned work
 * are the submitter's cost; completed() calls that returned nothing are
 * waiting, counted apart. Regions longer than --long-us were interrupted
 * and are counted apart too. Wall time runs from the first enqueue to the
 * last completion.
 *
 * offload loop. The dma loop over the library's queue (ocopy_copy_burst,
 * ocopy_completed): the submitter cycles then include the
 * library's decisions and the copies it ran on the CPU itself.
 *
 * cpu loop. libc memcpy() on the submitter, a burst at a time; the cycles
 * inside the memcpy calls are its submitter cost.
 *
 * Latency (lat.c): each op's submit time (the start of its burst's
 * enqueue region, the t0 already taken) is stored by op number when it is
 * enqueued; the end of the completed() call that returns it (t1, also
 * already taken) minus that is recorded in the histogram. Only one op in
 * --lat-sample (a power of two) is recorded, and the loops step from
 * sampled op to sampled op, so with the default sampling of small copies
 * the cost is a few cycles per burst, not per op; the samples of one
 * burst, which share a latency, are one histogram update in every loop.
 * No timestamp is added to the loop and the recording is outside the
 * timed regions: the cycles per op never include it; the wall time
 * (GB/s) does.
 *
 * Verification (all, or one operation in TO_VERIFY_SAMPLE_EVERY) compares
 * the destination with its source after completion; its time is in the
 * wall time but not in the submitter cycles, in every mode but for the
 * last burst's (the wall time ends at the last copy, or the last
 * completion: the cpu loop ended after its check, and with --ops 32 of
 * 1 MiB counted the check of 32 MiB that the others did not). With
 * --verify pass every op is checked out of the measure instead: a burst
 * never crosses the end of a pass (N ops, to N distinct destination
 * slots); once a pass is submitted, nothing more is until it is
 * delivered, then its ops are checked with the clock stopped (the wall
 * time is the sum of the spans between pauses, up to the last copy or
 * completion: a pause after it is never taken off; the deadline moves by
 * each pause), and the last partial pass's after the last completion.
 * Every wait is bounded: no completion for TO_STALL_S seconds fails the
 * case.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>

#include <ocopy.h>

#include "main.h"

#define PATTERN_K	UINT64_C(0x9E3779B97F4A7C15)
#define SLOT_BYTES	UINT64_C(0x0101010101010101)

/* Cost of an empty rte_rdtsc() pair, subtracted from each timed region. */
uint64_t to_timer_overhead;
/* Timed dma regions longer than this were interrupted (0: keep all). */
uint64_t to_long_cycles;

void
to_timer_calibrate(void)
{
	uint64_t best = UINT64_MAX, t0, t1;
	unsigned int i;

	for (i = 0; i < 10000; i++) {
		t0 = rte_rdtsc();
		t1 = rte_rdtsc();
		best = RTE_MIN(best, t1 - t0);
	}
	to_timer_overhead = best;
}

static __rte_always_inline uint64_t
timed(uint64_t t0, uint64_t t1)
{
	uint64_t d = t1 - t0;

	return d > to_timer_overhead ? d - to_timer_overhead : 0;
}

/* A dma timed region: add it to *acc, or count it as interrupted. One
 * burst of enqueues or one completed() call takes well under a
 * microsecond; tens of microseconds are an interrupt or a preemption of
 * the submitter (frequent in virtual machines), which would otherwise
 * dominate the per-operation figures of the large sizes.
 */
static __rte_always_inline void
timed_dma(uint64_t t0, uint64_t t1, uint64_t *acc, struct to_result *r)
{
	uint64_t d = timed(t0, t1);

	if (unlikely(to_long_cycles != 0 && d > to_long_cycles)) {
		r->long_regions++;
		r->long_cycles += d;
		return;
	}
	*acc += d;
}

/* offload: the library's CPU copies are long by nature, never "interrupted". */
static __rte_always_inline void
timed_async(uint64_t t0, uint64_t t1, uint64_t *acc, struct to_result *r,
		const bool lib)
{
	if (lib)
		*acc += timed(t0, t1);
	else
		timed_dma(t0, t1, acc, r);
}

/* Latency sampling: op number k is recorded when k is a multiple of
 * every (a power of two), so the loops step from sample to sample instead
 * of testing each op.
 */
static __rte_always_inline uint64_t
lat_first(uint64_t k, uint32_t every)
{
	return (k + every - 1) & ~(uint64_t)(every - 1);
}

/* How many of the ops k .. k + n - 1 are sampled (every: a power of two,
 * a shift rather than a division).
 */
static __rte_always_inline uint32_t
lat_sampled(uint64_t k, uint32_t n, uint32_t every)
{
	uint64_t f = lat_first(k, every);

	return f >= k + n ? 0 :
		(uint32_t)(((k + n - 1 - f) >> __builtin_ctz(every)) + 1);
}

/*
 * The latencies of the sampled ops x = first, first + every, ... < end,
 * completed at t1, submitted at ts[x & mask]. Those of one burst share a
 * submit time and so a latency: one histogram update for each run of them
 * (at small sizes every sampled op of a completion call is of one burst),
 * as run_cpu() makes one per burst. The same histogram as one update per
 * op, at less cost to the loop.
 */
static __rte_always_inline void
lat_record(struct to_hist *h, const uint64_t *ts, uint32_t mask, uint64_t first,
		uint64_t end, uint32_t every, uint64_t t1)
{
	uint64_t x = first;

	while (x < end) {
		const uint64_t t = ts[x & mask];
		uint32_t k = 0;

		do {
			k++;
			x += every;
		} while (x < end && ts[x & mask] == t);
		to_hist_add_n(h, t1 - t, k);
	}
}

static __rte_always_inline void
cursor_next(struct to_cursor *cur, uint32_t nb_slots)
{
	if (++cur->dst == nb_slots)
		cur->dst = 0;
	if (++cur->src == nb_slots) {
		/* A new pass: shift the destination by one more slot. */
		cur->src = 0;
		if (++cur->dst == nb_slots)
			cur->dst = 0;
	}
}

void
to_pools_fill(const struct to_case *c)
{
	const uint64_t words = c->stride / sizeof(uint64_t);
	uint32_t i;
	uint64_t w;

	for (i = 0; i < c->nb_slots; i++) {
		uint64_t *s = (uint64_t *)(c->src->va + (uint64_t)i * c->stride);
		uint64_t *d = (uint64_t *)(c->dst->va + (uint64_t)i * c->stride);
		uint64_t slot = (uint64_t)(uint8_t)i * SLOT_BYTES;

		for (w = 0; w < words; w++) {
			s[w] = slot ^ (w * PATTERN_K);
			d[w] = ~s[w];
		}
	}
}

/* The size of op number k of the case: fixed, or from the distribution. */
static __rte_always_inline uint32_t
op_len(const struct to_case *c, uint64_t k)
{
	return c->size_tab == NULL ? c->size : c->size_tab[k & c->size_mask];
}

static __rte_noinline int
verify_fail(const struct to_case *c, struct to_result *r, const struct to_cursor *cur,
		uint64_t seq)
{
	const uint8_t *s = c->src->va + (uint64_t)cur->src * c->stride;
	const uint8_t *d = c->dst->va + (uint64_t)cur->dst * c->stride;
	const uint32_t len = op_len(c, seq);
	uint32_t o, first, bad = 0;

	for (first = 0; first < len && s[first] == d[first]; first++)
		;
	for (o = first; o < len; o++)
		bad += s[o] != d[o];
	snprintf(r->why, sizeof(r->why),
		"%s, size %u: verification failed for copy #%" PRIu64
		" (source slot %u -> destination slot %u): first mismatch at offset %u"
		" (expected 0x%02x, found 0x%02x), %u byte(s) differ",
		c->name, c->size, seq + 1, cur->src, cur->dst, first, s[first], d[first], bad);
	r->failed = TO_EXIT_FAIL;
	return -1;
}

/* Compare op number seq, of len bytes, at *cur, with its source. */
static __rte_always_inline int
check_op(const struct to_case *c, struct to_result *r, const struct to_cursor *cur,
		uint64_t seq, uint32_t len)
{
	const uint8_t *s = c->src->va + (uint64_t)cur->src * c->stride;
	const uint8_t *d = c->dst->va + (uint64_t)cur->dst * c->stride;

	r->verified++;
	if (likely(memcmp(d, s, len) == 0))
		return 0;
	return verify_fail(c, r, cur, seq);
}

/*
 * Op number seq, of len bytes, has completed: check it now, unless
 * --verify says otherwise (pass: pass_check() does, later). Its bytes are
 * counted by the caller.
 */
static __rte_always_inline int
verify_op(const struct to_case *c, struct to_result *r, const struct to_cursor *cur,
		uint64_t seq, uint32_t len)
{
	/* --corrupt-op: damage one completed copy, to prove the check works. */
	if (unlikely(c->corrupt_op != 0 && seq + 1 == c->corrupt_op)) {
		uint8_t *d = c->dst->va + (uint64_t)cur->dst * c->stride;

		d[len / 2] ^= 0x40;
	}
	if (c->verify == TO_VERIFY_ALL ||
			(c->verify == TO_VERIFY_SAMPLE && seq % TO_VERIFY_SAMPLE_EVERY == 0))
		return check_op(c, r, cur, seq, len);
	return 0;
}

/*
 * --verify pass: check the completed ops not checked yet, number *vseq
 * (at *vcur) to c->seq, and advance both. Called with nothing in flight,
 * when a pass over the pools has been delivered (each destination slot
 * then holds the one copy the pass made to it) and at the end of the run;
 * the caller leaves the time out of the measure.
 */
static __rte_noinline int
pass_check(const struct to_case *c, struct to_result *r, struct to_cursor *vcur,
		uint64_t *vseq)
{
	struct to_cursor cur = *vcur;
	uint64_t seq;

	for (seq = *vseq; seq < c->seq; seq++) {
		if (unlikely(check_op(c, r, &cur, seq, op_len(c, seq)) != 0))
			return -1;
		cursor_next(&cur, c->nb_slots);
	}
	*vcur = cur;
	*vseq = seq;
	return 0;
}

/* --verify pass, the measure: the time between pauses for the checks. */
struct pass_clock {
	uint64_t active;	/**< the spans ended so far, summed */
	uint64_t span;		/**< when the current span started */
};

/*
 * The clock going on after a check that began at *now: the span that
 * ended there counts (active), the next one starts (span, *now), and the
 * deadline (if any) moves by the pause, whose length is returned.
 */
static __rte_always_inline uint64_t
pass_clock_resume(struct pass_clock *pc, uint64_t *now, uint64_t *deadline)
{
	const uint64_t t0 = *now;

	pc->active += t0 - pc->span;
	*now = rte_rdtsc();
	pc->span = *now;
	if (*deadline != UINT64_MAX)
		*deadline += *now - t0;
	return *now - t0;
}

/* The measured time, to t_end: a pause after it is never taken off. */
static __rte_always_inline uint64_t
pass_clock_wall(const struct pass_clock *pc, uint64_t t_end)
{
	return pc->active + (t_end > pc->span ? t_end - pc->span : 0);
}

/*
 * --verify pass: how many of the next n ops, from cursor *cur, the burst
 * may take without crossing the end of the pass (a pass ends where the
 * source slot wraps to 0).
 */
static __rte_always_inline uint32_t
pass_room(const struct to_case *c, const struct to_cursor *cur, uint32_t n)
{
	return c->verify == TO_VERIFY_PASS ? RTE_MIN(n, c->nb_slots - cur->src) : n;
}

/*
 * The burst's n ops, numbers seq on, from cursor *cur (advanced): their
 * addresses (va: pointers, for the cpu and the library; otherwise IOVAs,
 * for the dmadev) and sizes. One function for every mode, so that each
 * pays the same for it; the pools' addresses are read once (read through
 * c in the loop, the compiler reloaded them per op: the burst's pointer
 * stores may alias them: 7% of the 64-byte offload rows' rate). Inline:
 * out of line, the call cost the 64-byte rows a few percent.
 */
static __rte_always_inline void
burst_fill(const struct to_case *c, struct to_burst *b, struct to_cursor *cur, uint64_t seq,
		uint32_t n, bool va)
{
	const uint32_t nb_slots = c->nb_slots;
	const uint64_t stride = c->stride;
	uint8_t *const sva = c->src->va, *const dva = c->dst->va;
	const rte_iova_t sio = c->src->iova, dio = c->dst->iova;
	struct to_cursor x = *cur;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (va) {
			b->sp[i] = sva + x.src * stride;
			b->dp[i] = dva + x.dst * stride;
		} else {
			b->s[i] = sio + x.src * stride;
			b->d[i] = dio + x.dst * stride;
		}
		b->len[i] = op_len(c, seq + i);
		cursor_next(&x, nb_slots);
	}
	*cur = x;
}

/*
 * The next n completed ops (c->seq on, at c->cpl_cur): verified, then
 * counted (c->seq and c->cpl_cur advanced, their bytes added to *bytes).
 * Returns how many passed: n, or fewer when one failed (r->why says
 * which). One function for every mode, as burst_fill(); c's counters
 * are kept in locals and written back once.
 */
static __rte_always_inline uint32_t
burst_check(struct to_case *c, struct to_result *r, uint32_t n, uint64_t *bytes)
{
	const uint32_t nb_slots = c->nb_slots;
	struct to_cursor cur = c->cpl_cur;
	uint64_t seq = c->seq, sum = 0;
	uint32_t i, len;

	for (i = 0; i < n; i++) {
		len = op_len(c, seq);
		if (unlikely(verify_op(c, r, &cur, seq, len) != 0))
			break;
		sum += len;
		cursor_next(&cur, nb_slots);
		seq++;
	}
	c->cpl_cur = cur;
	c->seq = seq;
	*bytes += sum;
	return i;
}

static int
run_cpu(struct to_case *c, struct to_result *r)
{
	const uint64_t limit = c->ops != 0 ? c->ops : UINT64_MAX;
	struct to_cursor ec = c->enq_cur;
	struct to_burst *b = c->burst_buf;
	struct to_hist *const h = c->hist;
	const uint32_t every = c->lat_every;
	struct to_cursor vc = c->cpl_cur;
	uint64_t t_start, t_end, deadline, now, t0, t1, done = 0, sub = 0, bytes = 0;
	uint64_t vseq = c->seq;
	struct pass_clock pc;
	uint32_t n, i, ok;

	t_start = rte_rdtsc();
	deadline = c->ops != 0 ? UINT64_MAX : t_start + c->cycles;
	now = t_end = t_start;
	pc = (struct pass_clock){ .active = 0, .span = t_start };
	while (done < limit && now < deadline && !to_stop_signal) {
		n = (uint32_t)RTE_MIN((uint64_t)c->burst, limit - done);
		n = pass_room(c, &ec, n);
		burst_fill(c, b, &ec, c->seq, n, true);
		t0 = rte_rdtsc();
		for (i = 0; i < n; i++)
			memcpy(b->dp[i], b->sp[i], b->len[i]);
		t1 = rte_rdtsc();
		sub += timed(t0, t1);
		t_end = t1;
		/* Each copy of the burst is done when the burst is. */
		if (every != 0)
			to_hist_add_n(h, t1 - t0, lat_sampled(done, n, every));
		ok = burst_check(c, r, n, &bytes);
		done += ok;
		if (unlikely(ok != n))
			break;
		now = rte_rdtsc();
		if (c->verify == TO_VERIFY_PASS && ec.src == 0 && done < limit &&
				now < deadline) {
			/* A pass is done and the run goes on: check it, the clock stopped. */
			if (pass_check(c, r, &vc, &vseq) != 0)
				break;
			pass_clock_resume(&pc, &now, &deadline);
		}
	}
	/* The last ops, after the measure. */
	if (c->verify == TO_VERIFY_PASS && r->failed == 0)
		pass_check(c, r, &vc, &vseq);
	/* To the last copy, as run_async() to the last completion. */
	r->wall_cycles = pass_clock_wall(&pc, t_end);
	r->ops = done;
	r->bytes = bytes;
	r->sub_cycles = sub;
	r->enq_cycles = sub;
	c->enq_cur = ec;
	return r->failed ? -1 : 0;
}

/*
 * One burst of n copies (b->s, b->d, b->len) with one doorbell, through
 * the library (oq) or the dmadev (dev, vchan). Returns the number
 * accepted; *ret is the last call's return (the job id, or why it stopped
 * short); *full is set, and nothing enqueued, when the burst does not fit.
 *
 * Out of line on purpose, for both paths alike: inlined into run_async(),
 * the copy loop shared registers with the measuring loop's many live
 * values and spilled its counters to the stack. The call is once a burst.
 * The library's burst is one ocopy_copy_burst() call, its own call for a
 * burst (small CPU copies booked together).
 */
static __rte_noinline uint32_t
enqueue_lib(struct ocopy_queue *oq, const struct to_burst *b, uint32_t n,
		uint16_t id, int *ret, bool *full)
{
	uint32_t i;

	*full = ocopy_queue_room(oq) < n;
	if (*full)
		return 0;
	/* The burst call: its ops take the indexes from id on. */
	*ret = ocopy_queue_next_index(oq);
	if (unlikely(*ret != id))
		return 0;
	i = ocopy_copy_burst(oq, (void *const *)b->dp,
			(const void *const *)b->sp, b->len, (uint16_t)n, NULL,
			NULL);
	if (unlikely(i != n))
		*ret = -EINVAL;	/* room was checked: a refused op */
	return i;
}

/*
 * The dmadev's burst: in batches of at most batch ops (what the vchan
 * takes between doorbells), each rung; one batch unless the device bounds
 * them (Intel DSA's idxd). *full as enqueue_lib()'s, for the first batch.
 */
static __rte_noinline uint32_t
enqueue_dma(int16_t dev, uint16_t vchan, const struct to_burst *b, uint32_t n,
		uint16_t batch, uint16_t id, int *ret, bool *full)
{
	uint32_t i = 0, start, end;
	int r = 0;

	*full = rte_dma_burst_capacity(dev, vchan) < RTE_MIN(n, (uint32_t)batch);
	if (*full)
		return 0;
	do {
		start = i;
		end = RTE_MIN(n, i + batch);
		for (; i < end; i++) {
			r = rte_dma_copy(dev, vchan, b->s[i], b->d[i], b->len[i], 0);
			if (unlikely(r != (uint16_t)(id + i)))
				break;
		}
		if (likely(i != start))
			rte_dma_submit(dev, vchan);
	} while (i == end && i < n);
	*ret = r;
	return i;
}

/*
 * Why a burst was cut short: i of n accepted, the next op's job id id;
 * ret as enqueue_lib()/enqueue_dma() left it.
 */
static __rte_noinline void
enqueue_failed(const struct to_case *c, struct to_result *r, bool lib, int ret,
		uint32_t i, uint32_t n, uint16_t id)
{
	if (!lib)
		snprintf(r->why, sizeof(r->why),
			"%s, size %u: rte_dma_copy returned %d (%s), expected job id %u",
			c->name, c->size, ret, ret < 0 ? strerror(-ret) : "wrong id", id);
	else if (ret >= 0)
		snprintf(r->why, sizeof(r->why),
			"%s, size %u: the library's next op index is %d, expected job id %u",
			c->name, c->size, ret, id);
	else
		snprintf(r->why, sizeof(r->why),
			"%s, size %u: ocopy_copy_burst accepted %u of %u copies with room for all",
			c->name, c->size, i, n);
	r->failed = TO_EXIT_FAIL;
}

/*
 * The dma loop, for a dmadev (lib false) or for the library (lib true):
 * ocopy_copy_burst/ocopy_completed keep dmadev's contract (indexes one per
 * op, in-order completion), so one loop measures both.
 */
static __rte_always_inline int
run_async(struct to_case *c, struct to_result *r, const bool lib)
{
	struct ocopy_queue *const oq = c->oq;
	const int16_t dev = c->dev_id;
	const uint16_t vchan = c->vchan;
	const uint32_t window = c->window;
	const uint16_t max_cpl = (uint16_t)RTE_MIN(window, (uint32_t)UINT16_MAX);
	const uint64_t limit = c->ops != 0 ? c->ops : UINT64_MAX;
	const uint64_t stall = TO_STALL_S * rte_get_tsc_hz();
	struct to_cursor ec = c->enq_cur, next;
	struct to_burst *b = c->burst_buf;
	struct to_hist *const h = c->hist;
	uint64_t *const ts = c->lat_ts;
	const uint32_t every = c->lat_every, ts_mask = c->lat_mask;
	uint64_t t_start, deadline, now, t0, t1, last_progress, t_end;
	uint64_t enq = 0, cpl = 0, bytes = 0;
	uint64_t enq_cyc = 0, cpl_cyc = 0, idle = 0, hits = 0, idles = 0;
	uint16_t id = c->next_id, cpl_id = c->next_id, last_idx = 0;
	uint64_t x, vseq = c->seq;
	struct pass_clock pc;
	struct to_cursor vc = c->cpl_cur;
	uint32_t out = 0, n, i;
	bool has_error = false, stop = false, full, burst_given, pass_end = false;
	uint16_t nc;
	int ret = 0;

	t_start = rte_rdtsc();
	deadline = c->ops != 0 ? UINT64_MAX : t_start + c->cycles;
	now = last_progress = t_end = t_start;
	pc = (struct pass_clock){ .active = 0, .span = t_start };
	for (;;) {
		if (!stop && (enq >= limit || now >= deadline || to_stop_signal))
			stop = true;
		if (unlikely(pass_end) && out == 0 && !stop) {
			/* A pass is delivered and the run goes on: check it, the clock stopped. */
			if (pass_check(c, r, &vc, &vseq) != 0)
				goto end;
			last_progress += pass_clock_resume(&pc, &now, &deadline);
			pass_end = false;
		}
		n = stop || pass_end ? 0 :
			pass_room(c, &ec, (uint32_t)RTE_MIN((uint64_t)c->burst, limit - enq));
		burst_given = n != 0 && window - out >= n;
		if (burst_given) {
			/*
			 * Addresses first, so that only the driver is timed.
			 * Op numbers: c->seq completed, out in flight.
			 */
			next = ec;
			burst_fill(c, b, &next, c->seq + out, n, lib);
			t0 = rte_rdtsc();
			i = lib ? enqueue_lib(oq, b, n, id, &ret, &full) :
				enqueue_dma(dev, vchan, b, n, c->batch, id, &ret,
					&full);
			t1 = rte_rdtsc();
			if (!full) {
				if (likely(i == n)) {
					ec = next;
					/* --verify pass: the pass's last op is in. */
					pass_end = c->verify == TO_VERIFY_PASS && ec.src == 0;
				}
				/* Latency: the sampled ops' submit time, by op number. */
				if (every != 0)
					for (x = lat_first(enq, every); x < enq + i; x += every)
						ts[x & ts_mask] = t0;
				id += i;
				enq += i;
				out += i;
				if (unlikely(i != n)) {
					enqueue_failed(c, r, lib, ret, i, n, id);
					stop = true;
				}
			}
			timed_async(t0, t1, &enq_cyc, r, lib);
			/* No room with nothing in flight: there never will be. */
			if (unlikely(full && out == 0)) {
				snprintf(r->why, sizeof(r->why),
					"%s, size %u: no room for a burst of %u with nothing in flight"
					" (%s)", c->name, c->size, n,
					lib ? "ocopy_queue_room()" : "rte_dma_burst_capacity()");
				r->failed = TO_EXIT_FAIL;
				break;
			}
		}
		if (out == 0) {
			if (stop)
				break;
			now = rte_rdtsc();
			continue;
		}

		/*
		 * The completion call's region starts where the burst's ended
		 * when one was just given (what runs between is this loop's
		 * bookkeeping, a few cycles): three clock reads a burst, as in
		 * run_cpu(). A read costs 24 cycles or more in a VM; a fourth
		 * cost the 64-byte rows some 5% of their rate.
		 */
		t0 = burst_given ? t1 : rte_rdtsc();
		if (lib)
			nc = ocopy_completed(oq, max_cpl, &last_idx, &has_error);
		else
			nc = rte_dma_completed(dev, vchan, max_cpl, &last_idx, &has_error);
		t1 = rte_rdtsc();
		now = t1;
		if (nc == 0) {
			timed_async(t0, t1, &idle, r, lib);
			idles++;
			if (unlikely(has_error))
				goto dev_error;
			if (unlikely(t1 - last_progress > stall)) {
				snprintf(r->why, sizeof(r->why),
					"%s, size %u: no completion for %u s with %u operation(s)"
					" in flight: the device is stalled (is its worker running?"
					" a service-based device needs a service lcore: EAL -s)",
					c->name, c->size, TO_STALL_S, out);
				r->failed = TO_EXIT_FAIL;
				break;
			}
			continue;
		}
		timed_async(t0, t1, &cpl_cyc, r, lib);
		hits++;
		last_progress = t1;
		t_end = t1;
		if (unlikely(last_idx != (uint16_t)(cpl_id + nc - 1) || nc > out)) {
			snprintf(r->why, sizeof(r->why),
				"%s, size %u: %s returned %u ending at job id %u,"
				" expected id %u with %u in flight",
				c->name, c->size, lib ? "ocopy_completed" : "rte_dma_completed",
				nc, last_idx, (uint16_t)(cpl_id + nc - 1), out);
			r->failed = TO_EXIT_FAIL;
			break;
		}
		cpl_id += nc;
		out -= nc;
		if (every != 0)
			lat_record(h, ts, ts_mask, lat_first(cpl, every), cpl + nc, every, t1);
		i = burst_check(c, r, nc, &bytes);
		cpl += i;
		if (unlikely(i != nc))
			goto end;
		if (unlikely(has_error))
			goto dev_error;
	}
	goto end;

dev_error: {
		enum rte_dma_status_code st = RTE_DMA_STATUS_SUCCESSFUL;
		uint16_t k, st16 = 0;

		if (lib) {
			k = ocopy_completed_status(oq, 1, &last_idx, &st16);
			st = (enum rte_dma_status_code)st16;
		} else {
			k = rte_dma_completed_status(dev, vchan, 1, &last_idx, &st);
		}

		snprintf(r->why, sizeof(r->why),
			"%s, size %u: the device failed job id %u: status %d%s",
			c->name, c->size, cpl_id, (int)st, k == 0 ? " (status not available)" : "");
		r->failed = TO_EXIT_FAIL;
	}
end:
	/* --verify pass: the last ops, after the measure. */
	if (c->verify == TO_VERIFY_PASS && r->failed == 0 && out == 0)
		pass_check(c, r, &vc, &vseq);
	r->wall_cycles = pass_clock_wall(&pc, t_end);
	r->ops = cpl;
	r->bytes = bytes;
	r->enq_cycles = enq_cyc;
	r->cpl_cycles = cpl_cyc;
	r->sub_cycles = enq_cyc + cpl_cyc;
	r->idle_cycles = idle;
	r->polls_hit = hits;
	r->polls_idle = idles;
	c->enq_cur = ec;
	c->next_id = id;
	if (r->failed == 0 && out != 0) {
		snprintf(r->why, sizeof(r->why), "%s, size %u: %u operation(s) left in flight",
			c->name, c->size, out);
		r->failed = TO_EXIT_FAIL;
	}

	return r->failed ? -1 : 0;
}

static int
run_dma(struct to_case *c, struct to_result *r)
{
	struct rte_dma_stats a, b;
	bool stats = rte_dma_stats_get(c->dev_id, c->vchan, &a) == 0;
	int ret;

	ret = run_async(c, r, false);
	if (stats && rte_dma_stats_get(c->dev_id, c->vchan, &b) == 0)
		r->errors = b.errors - a.errors;
	return ret;
}

static int
run_offload(struct to_case *c, struct to_result *r)
{
	struct ocopy_queue_rates ra, rb;
	struct ocopy_queue_stats a, b;
	int ret;

	ocopy_queue_stats_get(c->oq, &a);
	ocopy_queue_rates_get(c->oq, &ra);
	ret = run_async(c, r, true);
	ocopy_queue_stats_get(c->oq, &b);
	ocopy_queue_rates_get(c->oq, &rb);
	r->lib_cpu = b.cpu + b.deferred - a.cpu - a.deferred;
	r->lib_engine = b.engine - a.engine;
	r->lib_split = b.split - a.split;
	r->errors = b.errors - a.errors;
	r->maps = c->maps;
	r->placement = (int)rb.placement_kept;
	r->placement_moves = rb.help_changes - ra.help_changes;
	return ret;
}

int
to_case_run(struct to_case *c, struct to_result *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->placement = TO_PLACE_NONE;
	to_hist_reset(c->hist);
	switch (c->mode) {
	case TO_MODE_CPU:
		ret = run_cpu(c, r);
		break;
	case TO_MODE_DMA:
		ret = run_dma(c, r);
		break;
	case TO_MODE_OFFLOAD:
		ret = run_offload(c, r);
		break;
	default:
		snprintf(r->why, sizeof(r->why), "mode %d not implemented", (int)c->mode);
		r->failed = TO_EXIT_FAIL;
		return -1;
	}
	to_hist_result(c->hist, r);
	return ret;
}
