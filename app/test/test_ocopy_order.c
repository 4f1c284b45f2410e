/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Ordering: a randomized mix of copies that run on the CPU, on a dma_sw
 * engine and split between both, with fenced ops reading what the op just
 * before them wrote. Every op must complete exactly once, in submission
 * order, with its data in place and nothing written past its end; a
 * fenced op must see its predecessor's data. The mix is submitted with a
 * callback for every op, with callbacks for some (plain ops between
 * recorded ones, the library's three ranges: ocopy_core.h), and without
 * any, as a dmadev consumer does.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <ocopy.h>

#include "ocopy_dev.h"
#include "sw_dev.h"
#include "test.h"

#define QSIZE		256
#define SLOT_AREA	(320 * 1024)	/* destination area per op */
/*
 * One area more than ops in flight: op s's area is next used by op
 * s + NB_AREAS, accepted only once op s + 1 is delivered, so a fenced op
 * (s + 1) reading op s's destination finds it intact.
 */
#define NB_AREAS	(QSIZE + 1)
#define SRC_LEN		(640 * 1024)
#define NB_OPS		20000
#define POISON		0xa5

struct op_rec {
	uint8_t *dst;
	const uint8_t *expect;	/* what dst must hold */
	uint32_t len;
	uint32_t seq;
	bool fence;
	bool plain;		/* no callback: delivered by count */
	uint8_t prev_path;	/* path of the op before a fenced one */
	uint32_t prev_seq;
};

static struct ocopy_queue *cur_q;
/* The index of the first op of a mix: where the queue's counters stood. */
static uint32_t idx_base;

static struct op_rec recs[QSIZE];
static uint32_t next_expected;
static uint64_t nb_done;

/* Op r delivered, next in order: its data in place, nothing past it. */
static void
check_op(const struct op_rec *r)
{
	TEST_ASSERT_EQUAL(r->seq, next_expected, "completion out of order");
	if (memcmp(r->dst, r->expect, r->len) != 0) {
		uint32_t k = 0, e;

		while (r->dst[k] == r->expect[k])
			k++;
		for (e = r->len; r->dst[e - 1] == r->expect[e - 1]; e--)
			;
		TEST_FAIL_NOW("op %u (%s, path %u, previous op %u path %u): %u bytes at %p differ in [%u, %u)",
			r->seq, r->fence ? "fenced" : "not fenced",
			cur_q->ops[r->seq & cur_q->mask].path, r->prev_seq,
			r->prev_path, r->len, r->dst, k, e);
	}
	TEST_ASSERT(r->dst[r->len] == POISON, "op %u wrote past its end", r->seq);
	next_expected++;
	nb_done++;
}

/*
 * Plain ops delivered up to op seq (not included): each checked, their
 * records still those of the ops (nothing was submitted since).
 */
static void
plain_delivered(uint32_t seq)
{
	while (next_expected < seq) {
		const struct op_rec *r = &recs[next_expected % QSIZE];

		TEST_ASSERT(r->plain, "op %u has a callback: not called",
			next_expected);
		check_op(r);
	}
}

static void
op_done(void *arg, uint16_t status)
{
	struct op_rec *r = arg;

	TEST_ASSERT_EQUAL(status, RTE_DMA_STATUS_SUCCESSFUL, "op %u", r->seq);
	/* The plain ops before it are delivered first, by the same call. */
	plain_delivered(r->seq);
	check_op(r);
}

static uint32_t
random_len(void)
{
	uint64_t r = test_rand_range(0, 99);

	if (r < 60)
		return (uint32_t)test_rand_range(1, 2048);
	if (r < 95)
		return (uint32_t)test_rand_range(2049, 64 * 1024);
	return (uint32_t)test_rand_range(256 * 1024, 300 * 1024);
}

/*
 * The mix with callbacks: for every op, or (some_plain) for about half of
 * them, the others plain, checked when a poll's count or a later op's
 * callback says they were delivered.
 */
static void
run_mix(struct ocopy_queue *q, uint8_t *src, uint8_t *area, bool some_plain)
{
	uint32_t seq = 0, prev_slot = 0, polled = 0;
	bool have_prev = false;

	next_expected = 0;
	nb_done = 0;
	cur_q = q;
	while (seq < NB_OPS) {
		uint16_t burst = (uint16_t)test_rand_range(1, 32), i;

		for (i = 0; i < burst && seq < NB_OPS; i++) {
			uint32_t slot = seq % QSIZE;
			struct op_rec *r = &recs[slot];
			bool fence = have_prev && test_rand_range(0, 99) < 5;
			uint64_t flags = 0;
			const uint8_t *from;
			int ret;

			if (ocopy_queue_room(q) == 0)
				break;
			r->dst = area + (size_t)(seq % NB_AREAS) * SLOT_AREA;
			r->seq = seq;
			r->fence = fence;
			r->plain = some_plain && test_rand_range(0, 1) == 0;
			if (fence) {
				/* Read what the previous op is writing. */
				struct op_rec *p = &recs[prev_slot];

				r->len = p->len;
				r->prev_seq = p->seq;
				r->prev_path = p->plain ? UINT8_MAX :
						q->ops[p->seq & q->mask].path;
				r->expect = p->expect;
				from = p->dst;
				flags = OCOPY_F_FENCE;
			} else {
				r->len = random_len();
				from = src + test_rand_range(0, SRC_LEN - r->len);
				r->expect = from;
			}
			memset(r->dst, POISON, r->len + 64);
			ret = ocopy_copy(q, r->dst, from, r->len,
					r->plain ? NULL : op_done, r, flags);
			TEST_ASSERT(ret >= 0, "op %u refused: %d", seq, ret);
			TEST_ASSERT_EQUAL(ret, (idx_base + seq) & 0xffff,
				"op index");
			prev_slot = slot;
			have_prev = true;
			seq++;
		}
		ocopy_flush(q);
		polled += ocopy_poll(q, (uint16_t)test_rand_range(0, 64));
		plain_delivered(polled);
	}
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "all delivered");
	plain_delivered(NB_OPS);
	TEST_ASSERT_EQUAL(nb_done, NB_OPS, "completions");
}

/* Submit ops [first, first + n) of recs from their burst arrays. */
static void
submit_batch(struct ocopy_queue *q, void **dst, const void **src,
		uint32_t *len, uint16_t n, uint32_t first)
{
	uint16_t index = ocopy_queue_next_index(q);

	if (n == 0)
		return;
	TEST_ASSERT_EQUAL(index, (idx_base + first) & 0xffff, "next index");
	TEST_ASSERT_EQUAL(ocopy_copy_burst(q, dst, (const void *const *)src,
		len, n, NULL, NULL), n, "burst of %u from op %u", n, first);
}

/*
 * The same mix, the way a dmadev consumer submits it: no callbacks, most
 * ops in bursts (ocopy_copy_burst), fenced ones alone, completions taken
 * by index with ocopy_completed(). Small CPU copies are then plain ops,
 * booked without a slot of their own, between ops that have one.
 */
static void
run_mix_indexed(struct ocopy_queue *q, uint8_t *src, uint8_t *area)
{
	void *bdst[32];
	const void *bsrc[32];
	uint32_t blen[32];
	uint32_t seq = 0, prev_slot = 0, first;
	bool have_prev = false, err;
	uint16_t nb, n, last;
	uint64_t deadline;

	next_expected = 0;
	nb_done = 0;
	cur_q = q;
	while (seq < NB_OPS) {
		uint16_t burst = (uint16_t)test_rand_range(1, 32), i;

		nb = 0;
		first = seq;
		for (i = 0; i < burst && seq < NB_OPS; i++) {
			uint32_t slot = seq % QSIZE;
			struct op_rec *r = &recs[slot];
			bool fence = have_prev && test_rand_range(0, 99) < 5;

			if (ocopy_queue_room(q) <= nb)
				break;
			r->dst = area + (size_t)(seq % NB_AREAS) * SLOT_AREA;
			r->seq = seq;
			r->fence = fence;
			r->plain = true;	/* no callback, fenced or not */
			r->prev_path = UINT8_MAX;	/* plain ops have no record */
			if (fence) {
				/* The ops before it first, then it, alone. */
				struct op_rec *p = &recs[prev_slot];

				submit_batch(q, bdst, bsrc, blen, nb, first);
				nb = 0;
				r->len = p->len;
				r->prev_seq = p->seq;
				r->expect = p->expect;
				memset(r->dst, POISON, r->len + 64);
				TEST_ASSERT_EQUAL(ocopy_copy(q, r->dst, p->dst,
					r->len, NULL, NULL, OCOPY_F_FENCE),
					(int)((idx_base + seq) & 0xffff),
					"fenced op %u", seq);
				first = seq + 1;
			} else {
				r->len = random_len();
				r->expect = src + test_rand_range(0,
						SRC_LEN - r->len);
				memset(r->dst, POISON, r->len + 64);
				bdst[nb] = r->dst;
				bsrc[nb] = r->expect;
				blen[nb] = r->len;
				nb++;
			}
			prev_slot = slot;
			have_prev = true;
			seq++;
		}
		submit_batch(q, bdst, bsrc, blen, nb, first);
		ocopy_flush(q);
		n = ocopy_completed(q, (uint16_t)test_rand_range(0, 64), &last,
				&err);
		TEST_ASSERT(!err, "no op fails");
		plain_delivered(next_expected + n);
		if (n != 0)
			TEST_ASSERT_EQUAL(last,
				(idx_base + next_expected - 1) & 0xffff,
				"last index");
	}
	ocopy_flush(q);
	deadline = test_deadline(5000);
	while (nb_done < NB_OPS) {
		TEST_ASSERT(!test_expired(deadline),
			"%" PRIu64 " ops never delivered",
			(uint64_t)(NB_OPS - nb_done));
		n = ocopy_completed(q, UINT16_MAX, &last, &err);
		TEST_ASSERT(!err, "no op fails");
		plain_delivered(next_expected + n);
	}
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "all delivered");
}

/*
 * A new queue, as if it had run ops for a long time: its free-running
 * 32-bit counters (op ring and engine FIFOs) some ops short of wrapping,
 * so that the mix runs across the wrap. At 50 million ops a second a
 * queue gets there in 86 s; a test cannot wait that long.
 */
static void
queue_near_wrap(struct ocopy_queue *q)
{
	const uint32_t start = UINT32_MAX - 1000;
	uint16_t i;

	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "an idle queue");
	q->head = q->tail = q->rec_start = q->rec_end = start;
	for (i = 0; i < q->nb_qe; i++) {
		TEST_ASSERT_EQUAL(q->qe[i].inflight, 0, "an idle engine");
		q->qe[i].fifo_head = q->qe[i].fifo_tail = start;
	}
	idx_base = start;
}

/* After a mix: nothing left on the engine, its backlog back to 0 bytes. */
static void
check_engine_idle(const struct ocopy *oc)
{
	TEST_ASSERT(ocdev_dump_has(oc, ", 0 in flight, backlog 0 bytes"),
		"the engine's backlog is what it holds: nothing");
}

/* After a mix under the auto policy: every op once, on all three paths. */
static void
check_auto_mix(const struct ocopy_queue_stats *st)
{
	TEST_ASSERT_EQUAL(st->submitted, NB_OPS, "submitted");
	TEST_ASSERT_EQUAL(st->completed, NB_OPS, "completed");
	TEST_ASSERT_EQUAL(st->cpu + st->engine + st->split + st->deferred,
		NB_OPS, "every op on exactly one path");
	TEST_ASSERT(st->cpu > 0 && st->engine > 0 && st->split > 0,
		"a real mix: cpu %" PRIu64 " engine %" PRIu64 " split %" PRIu64,
		st->cpu, st->engine, st->split);
	TEST_ASSERT_EQUAL(st->errors, 0, "errors");
}

enum mix_kind {
	MIX_CALLBACKS,		/* a callback for every op */
	MIX_SOME_PLAIN,		/* for about half of them */
	MIX_INDEXED,		/* none: by index, in bursts */
};

/*
 * One section: an instance from conf, a mix of the kind on its queue 0
 * (across the counters' wrap when wrap), its stats in *st, the engine
 * left holding nothing; destroyed.
 */
static void
run_section(const struct ocopy_conf *conf, enum mix_kind kind, bool wrap,
		uint8_t *src, uint8_t *area, struct ocopy_queue_stats *st)
{
	struct ocopy_queue *q;
	struct ocopy *oc;

	oc = ocopy_create(conf);
	TEST_ASSERT(oc != NULL, "create: %s", rte_strerror(rte_errno));
	q = ocopy_queue_get(oc, 0);
	if (wrap)
		queue_near_wrap(q);
	if (kind == MIX_INDEXED)
		run_mix_indexed(q, src, area);
	else
		run_mix(q, src, area, kind == MIX_SOME_PLAIN);
	ocopy_stats_get(oc, st);
	check_engine_idle(oc);
	ocopy_dump(oc, stdout);
	ocopy_destroy(oc);
	idx_base = 0;
}

int
main(int argc, char **argv)
{
	static const struct test_opts opts = { .name = "ocopy_order" };
	struct ocopy_queue_stats st;
	struct ocopy_conf conf, auto_conf, engine_conf, cpu_conf;
	uint8_t *src, *area;
	size_t i;

	test_eal_init(argc, argv, &opts);
	test_srand(0x0c0c);

	swdev_create_worker("dma_sw0", NULL);
	src = rte_malloc("src", SRC_LEN, 64);
	area = rte_malloc("area", (size_t)NB_AREAS * SLOT_AREA, 64);
	TEST_ASSERT(src != NULL && area != NULL, "buffers");
	for (i = 0; i < SRC_LEN; i++)
		src[i] = (uint8_t)test_rand();

	test_section("auto: CPU, engine, split and fenced ops mixed");
	ocopy_conf_init(&conf);
	conf.name = "order";
	conf.nb_engines = 1;
	conf.engines[0] = rte_dma_get_dev_id_by_name("dma_sw0");
	conf.queue_size = QSIZE;
	conf.ring_size = 64;	/* small: the ring fills, the CPU takes over */
	conf.threshold = 1024;
	conf.depth_slack = 1000;
	/*
	 * The CPU helps always: under cpu_help=auto, a host that slows the
	 * CPU's copies keeps help off, and with it every split.
	 */
	conf.cpu_help = OCOPY_CPU_HELP_ON;
	auto_conf = conf;
	engine_conf = conf;
	engine_conf.policy = OCOPY_POLICY_ENGINE;
	engine_conf.threshold = 0;
	engine_conf.split_threshold = UINT32_MAX;
	engine_conf.ring_size = 1024;
	/* Not a stall test: a preempted service core must not look stalled. */
	engine_conf.stall_us = 1000000;
	cpu_conf = engine_conf;
	cpu_conf.policy = OCOPY_POLICY_CPU;

	run_section(&auto_conf, MIX_CALLBACKS, false, src, area, &st);
	check_auto_mix(&st);
	TEST_ASSERT(st.deferred > 0 || st.engine > 0, "fenced ops ran");

	test_section("auto, callbacks on about half the ops: plain ops between recorded ones");
	run_section(&auto_conf, MIX_SOME_PLAIN, false, src, area, &st);
	check_auto_mix(&st);

	test_section("engine only, callbacks on about half the ops");
	run_section(&engine_conf, MIX_SOME_PLAIN, false, src, area, &st);
	TEST_ASSERT_EQUAL(st.cpu, st.failovers, "the CPU copied only what the engine refused");

	test_section("auto, no callbacks: bursts, plain CPU ops, completions by index");
	run_section(&auto_conf, MIX_INDEXED, false, src, area, &st);
	check_auto_mix(&st);

	test_section("engine only: every op on the engine, fences by the engine");
	run_section(&engine_conf, MIX_CALLBACKS, false, src, area, &st);
	TEST_ASSERT_EQUAL(st.cpu, st.failovers, "the CPU copied only what the engine refused");
	TEST_ASSERT(st.engine > NB_OPS * 9 / 10, "engine took %" PRIu64, st.engine);

	test_section("CPU only, no callbacks: every op plain, delivered by index");
	run_section(&cpu_conf, MIX_INDEXED, false, src, area, &st);
	TEST_ASSERT_EQUAL(st.cpu + st.deferred, NB_OPS, "all on the CPU");
	TEST_ASSERT_EQUAL(st.completed, NB_OPS, "completed");

	/*
	 * Every op index is taken once in 2^32 ops: the op ring's and the
	 * FIFOs' counters wrap, and op 2^32 - 1 is an op like any other.
	 */
	test_section("counters wrapping: auto, callbacks");
	run_section(&auto_conf, MIX_CALLBACKS, true, src, area, &st);
	check_auto_mix(&st);

	test_section("counters wrapping: auto, callbacks on about half the ops");
	run_section(&auto_conf, MIX_SOME_PLAIN, true, src, area, &st);
	check_auto_mix(&st);

	test_section("counters wrapping: auto, no callbacks, by index");
	run_section(&auto_conf, MIX_INDEXED, true, src, area, &st);
	check_auto_mix(&st);

	test_section("counters wrapping: engine only, callbacks");
	run_section(&engine_conf, MIX_CALLBACKS, true, src, area, &st);
	TEST_ASSERT_EQUAL(st.cpu, st.failovers, "the CPU copied only what the engine refused");

	rte_free(area);
	rte_free(src);
	return test_done();
}
