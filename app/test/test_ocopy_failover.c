/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Failover: an engine whose ring is full, an engine stalled mid-run (its
 * service stopped), an engine that keeps failing (copies outside its
 * strict domain), and teardown with work stuck on an engine. Every op
 * completes exactly once, in order, with the right status; nothing is
 * written outside what was registered.
 *
 * Auto-policy instances pin the placement (cpu_help=on): under
 * cpu_help=auto a long run may move a queue to the CPU for every copy.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <ocopy.h>

#include "guard.h"
#include "ocopy_dev.h"
#include "sw_dev.h"
#include "test.h"

#define LEN	4096
#define NB	200

static uint8_t *src, *dst;
static uint32_t next_seq, nb_done, nb_err, nb_abort;

static void
seq_cb(void *arg, uint16_t status)
{
	uint32_t seq = (uint32_t)(uintptr_t)arg;

	TEST_ASSERT_EQUAL(seq, next_seq, "completion out of order");
	next_seq++;
	nb_done++;
	if (status == RTE_DMA_STATUS_USER_ABORT)
		nb_abort++;
	else if (status != RTE_DMA_STATUS_SUCCESSFUL)
		nb_err++;
}

static void
reset_counts(void)
{
	next_seq = nb_done = nb_err = nb_abort = 0;
}

/*
 * Copy i (seq_cb's argument, for the order check) for i in [from, to):
 * source byte offset i, destination slot i. Returns to.
 */
static unsigned int
submit_seq(struct ocopy_queue *q, unsigned int from, unsigned int to,
		uint64_t flags)
{
	unsigned int i;

	for (i = from; i < to; i++)
		TEST_ASSERT(ocopy_copy(q, dst + (size_t)i * LEN, src + i, LEN, seq_cb,
			(void *)(uintptr_t)i, flags) >= 0, "copy %u", i);
	return to;
}

static void
check_data(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		TEST_ASSERT(memcmp(dst + (size_t)i * LEN, src + i, LEN) == 0,
			"copy %u data", i);
}

static void
test_ring_full_policy(const char *policy)
{
	struct ocopy_qengine_stats es;
	struct ocopy_queue_stats st;
	struct ocopy_queue *q;
	struct ocopy *oc;
	char conf[160];

	test_section("engine ring full: the CPU takes the rest, order kept (%s)", policy);
	reset_counts();
	swdev_service_run("dma_sw0", false);
	snprintf(conf, sizeof(conf),
		"engines=dma_sw0,%s,ring_size=32,queue_size=256,split=off", policy);
	oc = ocdev_create(conf);
	q = ocopy_queue_get(oc, 0);
	memset(dst, 0, (size_t)NB * LEN);
	submit_seq(q, 0, NB, 0);
	ocopy_flush(q);
	ocopy_queue_stats_get(q, &st);
	TEST_ASSERT(st.engine > 0 && st.engine <= 32, "engine took its ring: %" PRIu64,
		st.engine);
	TEST_ASSERT_EQUAL(st.cpu, NB - st.engine, "the CPU the rest");
	TEST_ASSERT_EQUAL(st.failovers, st.cpu, "each counted as a failover");
	/* Counted in the engine's full too (auto counted neither, once). */
	TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(oc, 0, &es), "engine stats");
	TEST_ASSERT_EQUAL(es.full, st.cpu, "each counted in the engine's full");
	/* Done on the CPU, but behind engine ops: not delivered yet. */
	TEST_ASSERT_EQUAL(ocopy_poll(q, UINT16_MAX), 0, "in order: nothing before the engine");
	swdev_service_run("dma_sw0", true);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(nb_done, NB, "every op once");
	TEST_ASSERT_EQUAL(nb_err, 0, "no error");
	check_data(NB);
	ocopy_destroy(oc);
}

static void
test_ring_full(void)
{
	test_ring_full_policy("policy=engine");
	/* Every copy the engine's if it has room: a full ring alone decides. */
	test_ring_full_policy("policy=auto,threshold=64,slack=100000,cpu_help=off");
}

/*
 * The driver refuses an op within what the library counted as room: here
 * because the test took 8 of the engine's 32 descriptors on the queue's
 * vchan behind the library's back (a driver that keeps a descriptor back
 * does it too). A burst's run of engine ops stops at the refusal, with
 * the ops and bytes it gave counted exactly; the CPU takes the rest.
 */
static void
test_ring_refusal(void)
{
	const int16_t dev = rte_dma_get_dev_id_by_name("dma_sw0");
	void *dp[NB];
	const void *sp[NB];
	uint32_t lens[NB];
	struct ocopy_queue_stats st;
	struct ocopy_queue *q;
	struct ocopy *oc;
	char expect[96];
	unsigned int i;

	test_section("the driver refuses an op of a burst's engine run: counted exactly");
	swdev_service_run("dma_sw0", false);
	oc = ocdev_create("engines=dma_sw0,policy=engine,ring_size=32,queue_size=256,stall_us=1000000");
	q = ocopy_queue_get(oc, 0);
	memset(dst, 0, (size_t)NB * LEN);
	/* Queue 0 uses the engine's vchan 0: 8 copies of the test's own. */
	for (i = 0; i < 8; i++)
		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, (rte_iova_t)(uintptr_t)src,
			(rte_iova_t)(uintptr_t)(dst + (size_t)(NB - 1) * LEN), LEN, 0),
			(int)i, "the test's copy %u", i);
	for (i = 0; i < 40; i++) {
		dp[i] = dst + (size_t)i * LEN;
		sp[i] = src + i;
		lens[i] = LEN;
	}
	TEST_ASSERT_EQUAL(ocopy_copy_burst(q, dp, sp, lens, 40, NULL, NULL), 40,
		"burst of 40");
	ocopy_queue_stats_get(q, &st);
	TEST_ASSERT_EQUAL(st.engine, 24, "the engine took what was left of its ring");
	TEST_ASSERT_EQUAL(st.cpu, 16, "the CPU the rest");
	snprintf(expect, sizeof(expect), "24 in flight, backlog %u bytes", 24 * LEN);
	TEST_ASSERT(ocdev_dump_has(oc, expect), "%s", expect);
	/* The test's copies complete first: the test takes them. */
	swdev_service_run("dma_sw0", true);
	swdev_wait_idle(dev, 0);
	swdev_reap_ok(dev, 0, 8, 7);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	check_data(40);
	TEST_ASSERT(ocdev_dump_has(oc, "ok, 0 in flight, backlog 0 bytes"),
		"nothing left on the engine");
	ocopy_destroy(oc);
}

/* Engine dma_sw1's counters against what each step expects. */
static void
expect_engine(struct ocopy *oc, uint64_t ops, uint64_t batch_full,
		uint64_t doorbells, const char *what)
{
	struct ocopy_qengine_stats es;

	TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(oc, 0, &es), "engine stats");
	TEST_ASSERT(es.ops == ops && es.full == 0 && es.errors == 0 &&
		es.batch_full == batch_full && es.doorbells == doorbells,
		"%s: ops %" PRIu64 " full %" PRIu64 " errors %" PRIu64
		" batch_full %" PRIu64 " doorbells %" PRIu64 ", expected %" PRIu64
		", 0, 0, %" PRIu64 ", %" PRIu64, what, es.ops, es.full, es.errors,
		es.batch_full, es.doorbells, ops, batch_full, doorbells);
}

/*
 * An engine whose batch holds 8 ops (dma_sw's max_batch, as Intel DSA
 * behind DPDK's idxd: rte_dma_burst_capacity() says 8, the enqueue takes
 * more, and a batch over 8 fails whole). Bursts longer than that are not
 * cut short, no op goes to the CPU and none fails: the library rings the
 * engine each time its batch is full, on every path that gives an engine
 * work: per op, bursts without callback, fills, scatter-gather, fenced.
 */
static void
test_batch_full(void)
{
	static void *dp[40];
	static const void *sp[40];
	static uint32_t lens[40];
	struct ocopy_sge sg_s[2], sg_d[1];
	struct ocopy_engine_info info;
	struct rte_dma_stats ds;
	struct ocopy_queue_stats st;
	struct ocopy_queue *q;
	struct ocopy *oc;
	unsigned int i;
	uint16_t n;

	test_section("engine batch of 8 (max_batch=8): rung early, nothing to the CPU");
	reset_counts();
	swdev_create_worker("dma_sw1", "max_batch=8");
	oc = ocdev_create("engines=dma_sw1,policy=engine,split=off");
	q = ocopy_queue_get(oc, 0);
	TEST_ASSERT_SUCCESS(ocopy_engine_info_get(oc, 0, &info), "engine info");
	TEST_ASSERT(info.batch == 8 && info.ring_size > 8,
		"batch %u of a ring of %u, expected 8", info.batch, info.ring_size);
	memset(dst, 0, (size_t)NB * LEN);

	/* Per op: rung before ops 9, 17, 25 and 33; then the flush. */
	submit_seq(q, 0, 40, 0);
	ocopy_flush(q);
	expect_engine(oc, 40, 4, 5, "40 copies one by one");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT(nb_done == 40 && nb_err == 0, "40 done in order: %u, %u errors",
		nb_done, nb_err);
	check_data(40);

	/* A burst without callback: each run of plain ops stops at 8. */
	memset(dst, 0, (size_t)NB * LEN);
	for (i = 0; i < 40; i++) {
		dp[i] = dst + (size_t)i * LEN;
		sp[i] = src + i;
		lens[i] = LEN;
	}
	n = ocopy_copy_burst(q, dp, sp, lens, 40, NULL, NULL);
	TEST_ASSERT_EQUAL(n, 40, "burst of 40 accepted");
	expect_engine(oc, 80, 8, 10, "a burst of 40");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	check_data(40);

	/* Fills. */
	for (i = 0; i < 10; i++)
		TEST_ASSERT(ocopy_fill(q, dst + (size_t)i * LEN, 0x5a5a5a5a5a5a5a5aULL,
			LEN, NULL, NULL, 0) >= 0, "fill %u", i);
	ocopy_flush(q);
	expect_engine(oc, 90, 9, 12, "10 fills");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	for (i = 0; i < 10 * LEN; i++)
		TEST_ASSERT_EQUAL(dst[i], 0x5a, "fill byte %u", i);

	/* Scatter-gather: two source segments into one. */
	for (i = 0; i < 10; i++) {
		sg_s[0] = (struct ocopy_sge){ .addr = src + i, .len = LEN / 2 };
		sg_s[1] = (struct ocopy_sge){ .addr = src + i + LEN / 2, .len = LEN / 2 };
		sg_d[0] = (struct ocopy_sge){ .addr = dst + (size_t)i * LEN, .len = LEN };
		TEST_ASSERT(ocopy_copy_sg(q, sg_s, 2, sg_d, 1, NULL, NULL, 0) >= 0,
			"sg copy %u", i);
	}
	ocopy_flush(q);
	expect_engine(oc, 100, 10, 14, "10 scatter-gather copies");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	check_data(10);

	/* A fenced op behind 8 on the engine: the engine's own fence. */
	reset_counts();
	memset(dst, 0, (size_t)NB * LEN);
	submit_seq(q, 0, 8, 0);
	submit_seq(q, 8, 9, OCOPY_F_FENCE);
	ocopy_flush(q);
	expect_engine(oc, 109, 11, 16, "a fenced op after 8");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT(nb_done == 9 && nb_err == 0, "9 done in order");
	check_data(9);

	ocopy_queue_stats_get(q, &st);
	TEST_ASSERT(st.cpu == 0 && st.failovers == 0 && st.deferred == 0,
		"nothing on the CPU: cpu %" PRIu64 " failovers %" PRIu64
		" deferred %" PRIu64, st.cpu, st.failovers, st.deferred);
	ocopy_destroy(oc);

	/*
	 * Calibration (the auto policy's) keeps to the batch too: its rounds
	 * of 256 small copies under one doorbell failed whole, and the
	 * engine kept uncalibrated figures.
	 */
	test_section("engine batch of 8: calibrated in batches of 8");
	oc = ocdev_create("engines=dma_sw1,policy=auto");
	TEST_ASSERT_SUCCESS(ocopy_engine_info_get(oc, 0, &info), "engine info");
	TEST_ASSERT(info.calibrated && info.op_cycles != 0,
		"calibrated %d, %u cycles per op", info.calibrated, info.op_cycles);
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(ocopy_engine_dev_id(oc, 0), 0,
		&ds), "dmadev stats");
	TEST_ASSERT(ds.errors == 0 && ds.completed != 0,
		"calibration's copies: %" PRIu64 " completed, %" PRIu64 " failed",
		ds.completed, ds.errors);
	ocopy_destroy(oc);
	swdev_destroy("dma_sw1");
}

static void
test_stall(void)
{
	struct ocopy_queue_stats a, b;
	struct ocopy_qengine_stats es;
	struct ocopy_queue *q;
	struct ocopy *oc;
	uint64_t deadline, stalls0;
	unsigned int i;

	test_section("engine stalled mid-run: new work to the CPU, resumes after");
	reset_counts();
	oc = ocdev_create("engines=dma_sw0,threshold=64,slack=100000,split=off,stall_us=2000,cpu_help=on");
	q = ocopy_queue_get(oc, 0);
	memset(dst, 0, (size_t)NB * LEN);
	i = submit_seq(q, 0, 50, 0);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain while running");
	TEST_ASSERT_EQUAL(nb_done, 50, "running: all done");

	/* A busy machine may have preempted the running engine past
	 * stall_us already (a stall, then a resume): count from here.
	 */
	ocopy_engine_stats_get(oc, 0, &es);
	stalls0 = es.stalls;
	swdev_service_run("dma_sw0", false);
	i = submit_seq(q, i, 60, OCOPY_F_FLUSH);
	/* Polling notices the stall after stall_us. */
	deadline = test_deadline(1000);
	do {
		ocopy_poll(q, UINT16_MAX);
		ocopy_engine_stats_get(oc, 0, &es);
	} while (es.stalls == stalls0 && !test_expired(deadline));
	TEST_ASSERT_EQUAL(es.stalls, stalls0 + 1, "stall detected");
	TEST_ASSERT(ocdev_dump_has(oc, "stalled, 10 in flight, backlog 40960 bytes"),
		"the stalled engine holds 10 ops of %u bytes", LEN);
	ocopy_queue_stats_get(q, &a);
	i = submit_seq(q, i, 100, 0);
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT_EQUAL(b.cpu - a.cpu, 40, "stalled: the CPU took all new copies");
	TEST_ASSERT_EQUAL(b.failovers - a.failovers, 40, "each one a failover");
	TEST_ASSERT_EQUAL(nb_done, 50, "stalled ops hold back the later ones (order)");

	swdev_service_run("dma_sw0", true);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain after resume");
	TEST_ASSERT_EQUAL(nb_done, 100, "every op once");
	TEST_ASSERT_EQUAL(nb_err + nb_abort, 0, "no error");
	check_data(100);
	ocopy_queue_stats_get(q, &a);
	TEST_ASSERT(ocopy_copy(q, dst, src, LEN, seq_cb, (void *)(uintptr_t)i,
		OCOPY_F_FLUSH) >= 0, "copy after resume");
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT_EQUAL(b.engine - a.engine, 1, "resumed engine used again");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT(ocdev_dump_has(oc, "ok, 0 in flight, backlog 0 bytes"),
		"nothing left on the engine");
	ocopy_destroy(oc);
}

/*
 * Ops given to a running engine but not doorbelled yet are the caller's
 * delay, not the engine's: however long they wait, the engine is not
 * marked stalled, and its stall clock starts at the doorbell.
 */
static void
test_undoorbelled(void)
{
	struct ocopy_qengine_stats es;
	struct ocopy_queue_stats a, b;
	struct ocopy_queue *q;
	struct ocopy *oc;
	uint64_t deadline;
	unsigned int i;

	test_section("ops not doorbelled do not make a stall");
	reset_counts();
	/* A stall time a busy machine does not reach by preempting the
	 * engine's service core (it did, at 2 ms, with compilers running).
	 */
	oc = ocdev_create("engines=dma_sw0,threshold=64,slack=100000,split=off,stall_us=50000,cpu_help=on");
	q = ocopy_queue_get(oc, 0);
	memset(dst, 0, (size_t)NB * LEN);
	i = submit_seq(q, 0, 10, 0);
	/* Three times the stall time, polling, with no doorbell. */
	deadline = test_deadline(150);
	while (!test_expired(deadline))
		ocopy_poll(q, UINT16_MAX);
	ocopy_engine_stats_get(oc, 0, &es);
	TEST_ASSERT_EQUAL(es.stalls, 0, "no stall before the doorbell");
	TEST_ASSERT_EQUAL(nb_done, 0, "nothing ran: no doorbell");
	ocopy_queue_stats_get(q, &a);
	i = submit_seq(q, i, 20, 0);
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT_EQUAL(b.engine - a.engine, 10, "the engine still takes work");
	/* Doorbell now: a working engine finishes well inside stall_us; had
	 * the stall clock started at the first enqueue, 150 ms ago, the
	 * first poll would declare a stall.
	 */
	ocopy_flush(q);
	ocopy_poll(q, UINT16_MAX);
	ocopy_engine_stats_get(oc, 0, &es);
	TEST_ASSERT_EQUAL(es.stalls, 0, "the stall clock starts at the doorbell");
	deadline = test_deadline(1000);
	while (nb_done < 20 && !test_expired(deadline))
		ocopy_poll(q, UINT16_MAX);
	ocopy_engine_stats_get(oc, 0, &es);
	TEST_ASSERT_EQUAL(nb_done, 20, "every op once");
	/* No check of es.stalls here: on a busy machine the service core may
	 * be preempted past stall_us during the drain, a stall indeed.
	 */
	TEST_ASSERT_EQUAL(nb_err + nb_abort, 0, "no error");
	check_data(20);
	ocopy_destroy(oc);
}

static void
test_degrade(void)
{
	struct ocopy_qengine_stats es;
	struct ocopy_queue_stats a, b;
	struct gbuf *g;
	struct ocopy_queue *q;
	struct ocopy *oc;
	unsigned int i;
	int reg;

	test_section("failing engine: errors reported, degraded, re-probed");
	reset_counts();
	swdev_create_worker("dma_sw_strict", "domain=strict");
	oc = ocdev_create("engines=dma_sw_strict,threshold=64,slack=100000,split=off,degrade_errors=3,reprobe_ms=20,cpu_help=on");
	q = ocopy_queue_get(oc, 0);
	reg = ocopy_mem_register(oc, src, 1024 * 1024);
	TEST_ASSERT(reg >= 0, "register src: %d", reg);
	TEST_ASSERT(ocopy_mem_register(oc, dst, 1024 * 1024) >= 0, "register dst");
	g = gbuf_alloc("unmapped", 1, LEN);
	TEST_ASSERT(g != NULL, "guarded buffer");

	/* Outside the domain: each fails, writes nothing; 3 degrade it. */
	for (i = 0; i < 3; i++) {
		TEST_ASSERT(ocopy_copy(q, g->data, src, LEN, seq_cb,
			(void *)(uintptr_t)i, OCOPY_F_FLUSH) >= 0, "bad copy %u", i);
		TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	}
	TEST_ASSERT_EQUAL(nb_err, 3, "errors reach the callbacks");
	GBUF_ASSERT_OK(g, "copy to unregistered memory wrote nothing");
	ocopy_engine_stats_get(oc, 0, &es);
	TEST_ASSERT_EQUAL(es.errors, 3, "engine errors");
	TEST_ASSERT_EQUAL(es.degrades, 1, "degraded");

	/* Degraded: the CPU copies, even registered memory. */
	ocopy_queue_stats_get(q, &a);
	TEST_ASSERT(ocopy_copy(q, dst, src, LEN, seq_cb, (void *)(uintptr_t)i++,
		OCOPY_F_FLUSH) >= 0, "copy while degraded");
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT_EQUAL(b.cpu - a.cpu, 1, "degraded engine avoided");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");

	/* After the re-probe time: one probe op; it works, healthy again. */
	rte_delay_ms(30);
	ocopy_queue_stats_get(q, &a);
	TEST_ASSERT(ocopy_copy(q, dst, src, LEN, seq_cb, (void *)(uintptr_t)i++,
		OCOPY_F_FLUSH) >= 0, "probe copy");
	TEST_ASSERT(ocopy_copy(q, dst + LEN, src, LEN, seq_cb, (void *)(uintptr_t)i++,
		OCOPY_F_FLUSH) >= 0, "copy beside the probe");
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT_EQUAL(b.engine - a.engine, 1, "one probe on the engine");
	TEST_ASSERT_EQUAL(b.cpu - a.cpu, 1, "the rest on the CPU meanwhile");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	ocopy_queue_stats_get(q, &a);
	TEST_ASSERT(ocopy_copy(q, dst, src, LEN, seq_cb, (void *)(uintptr_t)i++,
		OCOPY_F_FLUSH) >= 0, "copy after the probe");
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT_EQUAL(b.engine - a.engine, 1, "healthy again");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(nb_err, 3, "no more errors");
	TEST_ASSERT_EQUAL(nb_done, i, "every op once");
	gbuf_free(g);
	ocopy_destroy(oc);
	swdev_destroy("dma_sw_strict");
}

/*
 * Ops without callbacks (plain: no slot of their own) around one that
 * fails: delivered by index, the dmadev way, the failed one stops
 * ocopy_completed() and carries its status; the others succeed. Behind
 * (ahead true) an op with a callback, still undelivered when the error is
 * reaped: the plain ops after that recorded op get their slots too.
 */
static void
test_plain_errors(bool ahead)
{
	uint16_t st[16], last;
	struct gbuf *g;
	struct ocopy_queue *q;
	struct ocopy *oc;
	unsigned int got = 0, k;
	const unsigned int a = ahead ? 1 : 0;
	unsigned int nb_ahead_done = 0;
	uint64_t deadline;
	bool err = false;
	int16_t dev;
	int first;

	test_section(ahead ? "no callbacks, behind an op with one: an engine error among plain ops, by index" :
		"no callbacks: an engine error among plain ops, by index");
	dev = swdev_create_worker("dma_sw_strict", "domain=strict");
	oc = ocdev_create("engines=dma_sw_strict,threshold=1024,slack=100000,split=off,degrade_errors=100,cpu_help=on");
	q = ocopy_queue_get(oc, 0);
	TEST_ASSERT(ocopy_mem_register(oc, src, 1024 * 1024) >= 0, "register src");
	TEST_ASSERT(ocopy_mem_register(oc, dst, 1024 * 1024) >= 0, "register dst");
	g = gbuf_alloc("unmapped", 1, LEN);
	TEST_ASSERT(g != NULL, "guarded buffer");
	memset(dst, 0, 7 * LEN);
	/* Held still: every op is on the engine before the first reap. */
	swdev_service_run("dma_sw_strict", false);

	/* (A CPU op with a callback,) CPU, engine, engine (fails), engine, CPU, engine. */
	first = ahead ? ocopy_copy(q, dst + 6 * LEN, src + 6, 64, ocdev_count_ok,
			&nb_ahead_done, 0) : ocopy_queue_next_index(q);
	TEST_ASSERT(first >= 0, "the op ahead");
	TEST_ASSERT(ocopy_copy(q, dst, src, 64, NULL, NULL, 0) >= 0, "op 0");
	TEST_ASSERT(ocopy_copy(q, dst + LEN, src + 1, LEN, NULL, NULL, 0) >= 0, "op 1");
	TEST_ASSERT(ocopy_copy(q, g->data, src, LEN, NULL, NULL, 0) >= 0, "op 2");
	TEST_ASSERT(ocopy_copy(q, dst + 3 * LEN, src + 3, LEN, NULL, NULL, 0) >= 0, "op 3");
	TEST_ASSERT(ocopy_copy(q, dst + 4 * LEN, src + 4, 64, NULL, NULL, 0) >= 0, "op 4");
	TEST_ASSERT(ocopy_copy(q, dst + 5 * LEN, src + 5, LEN, NULL, NULL, 0) >= 0, "op 5");
	ocopy_flush(q);
	TEST_ASSERT(ocdev_dump_has(oc, ahead ? "in flight 7 (6 plain, 0 staged)" :
		"in flight 6 (6 plain, 0 staged)"), "the ops without callback plain");
	swdev_service_run("dma_sw_strict", true);
	swdev_wait_idle(dev, 0);

	/* (The op ahead,) ops 0 and 1, then a stop before op 2. */
	deadline = test_deadline(5000);
	while (!err) {
		TEST_ASSERT(!test_expired(deadline), "no error reported");
		got += ocopy_completed(q, 16, &last, &err);
		if (got != 0)
			TEST_ASSERT_EQUAL(last, (uint16_t)(first + got - 1), "last index");
	}
	TEST_ASSERT_EQUAL(got, a + 2, "delivered before the failed op");
	TEST_ASSERT_EQUAL(nb_ahead_done, a, "the callback of the op ahead");
	/* Op 2 with its error, then 3 to 5 successful. */
	while (got < a + 6) {
		uint16_t n = ocopy_completed_status(q, RTE_DIM(st), &last, st);

		TEST_ASSERT(!test_expired(deadline), "ops never delivered");
		for (k = 0; k < n; k++) {
			if (got + k == a + 2)
				TEST_ASSERT(st[k] != RTE_DMA_STATUS_SUCCESSFUL,
					"op 2 failed");
			else
				TEST_ASSERT_EQUAL(st[k], RTE_DMA_STATUS_SUCCESSFUL,
					"op %u", got + k - a);
		}
		got += n;
		if (n != 0)
			TEST_ASSERT_EQUAL(last, (uint16_t)(first + got - 1), "last index");
	}
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "all delivered");
	GBUF_ASSERT_OK(g, "the failed copy wrote nothing");
	TEST_ASSERT(memcmp(dst, src, 64) == 0, "op 0 data");
	for (k = 1; k < 6; k++)
		if (k != 2)
			TEST_ASSERT(memcmp(dst + (size_t)k * LEN, src + k,
				k == 4 ? 64 : LEN) == 0, "op %u data", k);
	if (ahead)
		TEST_ASSERT(memcmp(dst + 6 * LEN, src + 6, 64) == 0,
			"the op ahead's data");
	gbuf_free(g);
	ocopy_destroy(oc);
	swdev_destroy("dma_sw_strict");
}

/*
 * An instance made while its engine is stopped: calibration gives up, and
 * the ops it left on the engine sit first in queue 0's FIFO. Once the
 * engine resumes, the queue reaps and ignores them: they are no ops of
 * its own, and its ops after them complete as usual. The teardown then
 * stops the engine and frees the buffer they used (it was kept for good).
 */
static void
test_calib_leftovers(void)
{
	struct ocopy_engine_info info;
	uint64_t heap;
	struct ocopy_qengine_stats es;
	struct ocopy_queue_stats st;
	struct ocopy_queue *q;
	struct ocopy *oc;
	uint64_t deadline;
	unsigned int i;

	test_section("made on a stopped engine: calibration's ops left there, ignored once it resumes");
	reset_counts();
	heap = test_heap_allocs();
	memset(dst, 0, (size_t)NB * LEN);
	swdev_service_run("dma_sw0", false);
	/* Calibrated (auto, no threshold given); then the engine for all. */
	oc = ocdev_create("engines=dma_sw0,split=off,slack=100000,cpu_help=off,stall_us=1000");
	TEST_ASSERT_SUCCESS(ocopy_engine_info_get(oc, 0, &info), "info");
	TEST_ASSERT(!info.calibrated, "calibration gave up");
	ocopy_engine_stats_get(oc, 0, &es);
	TEST_ASSERT_EQUAL(es.stalls, 1, "the engine is stalled");
	q = ocopy_queue_get(oc, 0);
	i = submit_seq(q, 0, 20, OCOPY_F_FLUSH);
	ocopy_queue_stats_get(q, &st);
	TEST_ASSERT_EQUAL(st.cpu, 20, "stalled: the CPU copies");

	/*
	 * The engine runs the leftovers before anything of the queue is
	 * delivered: the first poll reaps them, then delivers the queue's
	 * ops (none of which they may touch), and the engine is healthy.
	 */
	swdev_service_run("dma_sw0", true);
	swdev_wait_idle(rte_dma_get_dev_id_by_name("dma_sw0"), 0);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 1000000), "drain after resume");
	TEST_ASSERT_EQUAL(nb_done, 20, "the CPU's copies delivered");
	deadline = test_deadline(2000);
	while (!ocdev_dump_has(oc, "ok, 0 in flight, backlog 0 bytes")) {
		TEST_ASSERT(!test_expired(deadline), "the engine never came back");
		ocopy_poll(q, UINT16_MAX);
	}
	/* Plain ops by index too: the engine's FIFO has no slot for them. */
	i = submit_seq(q, i, 60, 0);
	for (; i < 100; i++)
		TEST_ASSERT(ocopy_copy(q, dst + (size_t)i * LEN, src + i, LEN,
			NULL, NULL, 0) >= 0, "plain copy %u", i);
	ocopy_flush(q);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(nb_done, 60, "every op with a callback once, in order");
	TEST_ASSERT_EQUAL(nb_err + nb_abort, 0, "no error");
	check_data(100);
	ocopy_queue_stats_get(q, &st);
	TEST_ASSERT_EQUAL(st.submitted, 100, "submitted");
	TEST_ASSERT_EQUAL(st.completed, 100, "completed: the leftovers are not ops");
	TEST_ASSERT_EQUAL(st.engine, 80, "the resumed engine took the rest");
	ocopy_engine_stats_get(oc, 0, &es);
	TEST_ASSERT_EQUAL(es.ops, 80, "engine ops: the queue's only");
	TEST_ASSERT_EQUAL(es.errors, 0, "engine errors");
	TEST_ASSERT(ocdev_dump_has(oc, "ok, 0 in flight, backlog 0 bytes"),
		"nothing left on the engine");
	ocopy_destroy(oc);
	TEST_ASSERT_EQUAL(test_heap_allocs(), heap,
		"heap blocks after the teardown: the calibration buffer freed");
}

/*
 * The same, destroyed without a poll once the engine ran the leftovers:
 * the teardown drained only the queue's ring, where leftovers are not,
 * and aborted them unpolled: the engine was left started, as if stuck,
 * and the calibration buffer kept.
 */
static void
test_calib_leftovers_unpolled(void)
{
	int16_t dev = rte_dma_get_dev_id_by_name("dma_sw0");
	struct ocopy_engine_info info;
	uint64_t heap;
	struct ocopy *oc;

	test_section("made on a stopped engine, destroyed once it ran the leftovers: stopped, freed");
	heap = test_heap_allocs();
	swdev_service_run("dma_sw0", false);
	oc = ocdev_create("engines=dma_sw0,split=off,cpu_help=off,stall_us=1000");
	TEST_ASSERT_SUCCESS(ocopy_engine_info_get(oc, 0, &info), "info");
	TEST_ASSERT(!info.calibrated, "calibration gave up");
	swdev_service_run("dma_sw0", true);
	swdev_wait_idle(dev, 0);
	ocopy_destroy(oc);
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 0,
		"dma_sw0 stopped by the teardown (capacity 0), not left started");
	TEST_ASSERT_EQUAL(test_heap_allocs(), heap,
		"heap blocks after the teardown: the calibration buffer freed");
}

/*
 * The same with two engines, the first stopped while the instance is
 * made: its calibration ops stay on it, and the second engine's measure
 * of the library's path runs on a scratch copy of queue 0 holding them.
 * Once the first resumes, queue 0 must expect each of them once (it
 * counted them twice, and the engine then looked stalled for good).
 */
static void
test_calib_leftovers_two(void)
{
	struct ocopy_queue *q;
	struct ocopy *oc;
	uint64_t deadline;

	test_section("made with one of two engines stopped: its leftovers counted once");
	reset_counts();
	memset(dst, 0, (size_t)NB * LEN);
	swdev_create_worker("dma_sw_cal", NULL);
	swdev_service_run("dma_sw0", false);
	oc = ocdev_create("engines=dma_sw0:dma_sw_cal,split=off,slack=100000,cpu_help=off,stall_us=1000");
	q = ocopy_queue_get(oc, 0);
	swdev_service_run("dma_sw0", true);
	swdev_wait_idle(rte_dma_get_dev_id_by_name("dma_sw0"), 0);
	deadline = test_deadline(2000);
	while (!ocdev_dump_has(oc, "engine 0 vchan 0: ok, 0 in flight, backlog 0 bytes") ||
			!ocdev_dump_has(oc, "engine 1 vchan 0: ok, 0 in flight, backlog 0 bytes")) {
		if (test_expired(deadline)) {
			ocopy_dump(oc, stdout);
			TEST_FAIL_NOW("the first engine never came back");
		}
		ocopy_poll(q, UINT16_MAX);
	}
	submit_seq(q, 0, 60, 0);
	ocopy_flush(q);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(nb_done, 60, "every op once, in order");
	TEST_ASSERT_EQUAL(nb_err + nb_abort, 0, "no error");
	check_data(60);
	ocopy_destroy(oc);
	swdev_destroy("dma_sw_cal");
}

static void
test_teardown_stuck(void)
{
	struct ocopy_queue *q;
	struct ocopy *oc;

	test_section("teardown with work stuck on an engine: aborted, reported once");
	reset_counts();
	oc = ocdev_create("engines=dma_sw0,policy=engine,stall_us=1000");
	q = ocopy_queue_get(oc, 0);
	swdev_service_run("dma_sw0", false);
	submit_seq(q, 0, 20, 0);
	ocopy_flush(q);
	ocopy_destroy(oc);
	TEST_ASSERT_EQUAL(nb_done, 20, "every op reported");
	TEST_ASSERT_EQUAL(nb_abort, 20, "as aborted");
	/* The engine was left started; let it finish before the vdev goes. */
	swdev_service_run("dma_sw0", true);
	swdev_wait_idle(rte_dma_get_dev_id_by_name("dma_sw0"), 0);
}

/*
 * Teardown of a queue whose engine still moves, with more work than the
 * drain waits for: the rest is aborted, and the engine, left started,
 * still completes it. An aborted op's callback submits a copy: it must
 * not go to that engine, whose FIFO the abort emptied. It went there, and
 * the next round of the teardown credited it with the engine's completion
 * of an older aborted op: SUCCESSFUL, its destination not yet written.
 */
#define BACKLOG_OPS	1000
#define BACKLOG_LEN	(256 * 1024)

struct backlog {
	struct ocopy_queue *q;
	uint8_t *dst;		/* the callback's copy: LEN bytes of src */
	unsigned int aborted, submitted, inner_calls, inner_status;
	bool inner_data;	/* its data there at its callback */
};

static void
backlog_inner_cb(void *arg, uint16_t status)
{
	struct backlog *b = arg;

	b->inner_calls++;
	b->inner_status = status;
	b->inner_data = memcmp(b->dst, src, LEN) == 0;
}

static void
backlog_cb(void *arg, uint16_t status)
{
	struct backlog *b = arg;

	if (status != RTE_DMA_STATUS_USER_ABORT || b->aborted++ != 0)
		return;
	TEST_ASSERT(ocopy_copy(b->q, b->dst, src, LEN, backlog_inner_cb, b,
		OCOPY_F_FLUSH) >= 0, "the aborted op's callback's copy");
	b->submitted++;
}

static void
test_teardown_backlog(void)
{
	uint8_t *big_src, *big_dst;
	struct backlog b = { 0 };
	struct ocopy *oc;
	unsigned int i;

	test_section("teardown with a backlog the drain outlasts: an aborted op's callback's copy");
	/* The teardown test before left dma_sw0 started. */
	TEST_ASSERT_SUCCESS(rte_dma_stop(rte_dma_get_dev_id_by_name("dma_sw0")), "stop dma_sw0");
	big_src = rte_zmalloc("backlog_src", BACKLOG_LEN, 64);
	big_dst = rte_zmalloc("backlog_dst", BACKLOG_LEN, 64);
	TEST_ASSERT(big_src != NULL && big_dst != NULL, "buffers");
	oc = ocdev_create("engines=dma_sw0,policy=engine,split=off,threshold=64,"
		"stall_us=1000,queue_size=2048,ring_size=2048");
	b.q = ocopy_queue_get(oc, 0);
	b.dst = dst;
	memset(dst, 0, LEN);
	for (i = 0; i < BACKLOG_OPS; i++)
		TEST_ASSERT(ocopy_copy(b.q, big_dst, big_src, BACKLOG_LEN, backlog_cb, &b,
			0) >= 0, "copy %u", i);
	ocopy_flush(b.q);
	ocopy_destroy(oc);
	printf("  %u ops aborted, %u copy submitted by a callback: status %u, data %s\n",
		b.aborted, b.submitted, b.inner_status, b.inner_data ? "there" : "missing");
	if (b.aborted == 0) {
		/* The engine finished within the drain (a very fast machine). */
		printf("  nothing aborted: the case did not arise\n");
	} else {
		TEST_ASSERT_EQUAL(b.inner_calls, 1, "the callback's copy completed once");
		TEST_ASSERT(b.inner_status != RTE_DMA_STATUS_SUCCESSFUL || b.inner_data,
			"the callback's copy reported successful before its data was written");
	}
	/* Left started, the engine finishes the aborted ops; then stopped. */
	swdev_wait_idle(rte_dma_get_dev_id_by_name("dma_sw0"), 0);
	rte_free(big_src);
	rte_free(big_dst);
}

/*
 * Callbacks that submit while ocopy_queue_drain() or ocopy_destroy() polls:
 * what they submit is the queue's too. A plain copy (staged) was left
 * undone by a drain that returned 0; an engine op without OCOPY_F_FLUSH
 * waited for a doorbell the drain never rang (it timed out, and the
 * teardown aborted it and left a healthy engine started for good); a
 * plain copy staged by an aborted op's callback at teardown was never
 * made nor completed.
 */
struct resubmit {
	struct ocopy_queue *q;
	uint8_t *dst;
	bool with_cb;		/* the new op with a callback (to the engine) */
	unsigned int calls, inner, status;
};

static void
resubmit_inner_cb(void *arg, uint16_t status)
{
	struct resubmit *r = arg;

	RTE_SET_USED(status);
	r->inner++;
}

static void
resubmit_cb(void *arg, uint16_t status)
{
	struct resubmit *r = arg;

	r->calls++;
	r->status = status;
	TEST_ASSERT(ocopy_copy(r->q, r->dst, src, LEN, r->with_cb ? resubmit_inner_cb : NULL,
		r, 0) >= 0, "the callback's copy");
}

static void
test_callback_submits(void)
{
	struct resubmit r = { 0 };
	struct ocopy *oc;

	test_section("callbacks that submit during a drain and a teardown");
	/* The teardown test before left dma_sw0 started. */
	TEST_ASSERT_SUCCESS(rte_dma_stop(rte_dma_get_dev_id_by_name("dma_sw0")), "stop dma_sw0");
	/* A plain copy staged by a callback of the drain. */
	oc = ocdev_create("policy=cpu");
	r.q = ocopy_queue_get(oc, 0);
	r.dst = dst;
	memset(dst, 0, LEN);
	TEST_ASSERT(ocopy_copy(r.q, dst + LEN, src, LEN, resubmit_cb, &r, 0) >= 0, "copy");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(r.q, 1000000), "drain");
	TEST_ASSERT(r.calls == 1 && ocopy_queue_inflight(r.q) == 0 &&
		memcmp(dst, src, LEN) == 0,
		"the staged copy made by the drain: %u calls, %u in flight",
		r.calls, ocopy_queue_inflight(r.q));
	ocopy_destroy(oc);

	/* An engine op without a doorbell, from a callback of the drain. */
	r = (struct resubmit){ .dst = dst, .with_cb = true };
	oc = ocdev_create("engines=dma_sw0,policy=engine,split=off");
	r.q = ocopy_queue_get(oc, 0);
	memset(dst, 0, LEN);
	TEST_ASSERT(ocopy_copy(r.q, dst + LEN, src, LEN, resubmit_cb, &r, OCOPY_F_FLUSH) >= 0,
		"copy");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(r.q, 1000000), "drain rings the callback's op");
	TEST_ASSERT(r.calls == 1 && r.inner == 1 && memcmp(dst, src, LEN) == 0,
		"the callback's engine op done: %u, %u", r.calls, r.inner);
	ocopy_destroy(oc);
	oc = ocdev_create("engines=dma_sw0,policy=engine,split=off");	/* not left started */
	ocopy_destroy(oc);

	/* A plain copy staged by an aborted op's callback, at teardown. */
	r = (struct resubmit){ .dst = dst };
	oc = ocdev_create("engines=dma_sw0,policy=engine,split=off,stall_us=1000");
	r.q = ocopy_queue_get(oc, 0);
	memset(dst, 0, LEN);
	swdev_service_run("dma_sw0", false);
	TEST_ASSERT(ocopy_copy(r.q, dst + LEN, src, LEN, resubmit_cb, &r, OCOPY_F_FLUSH) >= 0,
		"copy");
	ocopy_destroy(oc);
	TEST_ASSERT(r.calls == 1 && r.status == RTE_DMA_STATUS_USER_ABORT,
		"aborted: %u calls, status %u", r.calls, r.status);
	TEST_ASSERT(memcmp(dst, src, LEN) == 0, "the copy its callback staged made");
	swdev_service_run("dma_sw0", true);
	swdev_wait_idle(rte_dma_get_dev_id_by_name("dma_sw0"), 0);
	TEST_ASSERT_SUCCESS(rte_dma_stop(rte_dma_get_dev_id_by_name("dma_sw0")),
		"stop the engine the teardown left started");
}

/*
 * A fenced op handed to the engine holding older work is ordered by the
 * engine's fence, which skips it (NOT_ATTEMPTED) after an older failure in
 * its batch, as Intel DSA does. The library's fence only orders: that op
 * runs on the CPU once the older ones are delivered, and succeeds.
 */
static void
test_fence_after_error(void)
{
	struct ocopy_queue_stats a, b;
	struct gbuf *g;
	struct ocopy_queue *q;
	struct ocopy *oc;

	test_section("a fenced op behind a failed one on its engine still runs");
	reset_counts();
	swdev_create_worker("dma_sw_fence", "domain=strict");
	oc = ocdev_create("engines=dma_sw_fence,policy=engine,threshold=64,split=off,degrade_errors=1000,stall_us=1000000");
	q = ocopy_queue_get(oc, 0);
	TEST_ASSERT(ocopy_mem_register(oc, src, 1024 * 1024) >= 0, "register src");
	TEST_ASSERT(ocopy_mem_register(oc, dst, 1024 * 1024) >= 0, "register dst");
	g = gbuf_alloc("unmapped", 1, LEN);
	TEST_ASSERT(g != NULL, "guarded buffer");
	memset(dst, 0, 2 * LEN);

	/* One batch: a copy the engine refuses, then a fenced good one. */
	swdev_service_run("dma_sw_fence", false);
	ocopy_queue_stats_get(q, &a);
	TEST_ASSERT(ocopy_copy(q, g->data, src, LEN, seq_cb, (void *)(uintptr_t)0,
		0) >= 0, "bad copy");
	TEST_ASSERT(ocopy_copy(q, dst + LEN, src + 1, LEN, seq_cb, (void *)(uintptr_t)1,
		OCOPY_F_FENCE) >= 0, "fenced copy");
	ocopy_flush(q);
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT(b.engine - a.engine == 2 && b.deferred == a.deferred,
		"both on the engine, the second through its fence: engine +%" PRIu64
		", deferred +%" PRIu64, b.engine - a.engine, b.deferred - a.deferred);
	swdev_service_run("dma_sw_fence", true);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(nb_done, 2, "both delivered, in order");
	TEST_ASSERT_EQUAL(nb_err, 1, "only the bad copy failed");
	TEST_ASSERT(memcmp(dst + LEN, src + 1, LEN) == 0, "the fenced copy's data");
	GBUF_ASSERT_OK(g, "nothing written outside the domain");
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT(b.engine - a.engine == 1 && b.deferred - a.deferred == 1 &&
		b.cpu + b.engine + b.split + b.deferred == b.submitted,
		"the fenced copy counted as deferred: engine +%" PRIu64 ", deferred +%"
		PRIu64, b.engine - a.engine, b.deferred - a.deferred);

	/*
	 * A chain: the bad copy, a fenced copy S -> Y in its batch (skipped
	 * by the engine's fence, so the CPU runs it at delivery), then a
	 * fenced copy Y -> Z in the next batch. The engine ran the last one
	 * through its fence before the CPU had written Y: Z got Y's old
	 * bytes, all three reported as expected. It must wait for Y.
	 */
	test_section("a fenced op reads what an older fenced op skipped by the engine wrote");
	reset_counts();
	memset(dst, 0, 4 * LEN);
	swdev_service_run("dma_sw_fence", false);
	TEST_ASSERT(ocopy_copy(q, g->data, src, LEN, seq_cb, (void *)(uintptr_t)0,
		0) >= 0, "bad copy");
	TEST_ASSERT(ocopy_copy(q, dst + 2 * LEN, src + 2, LEN, seq_cb,
		(void *)(uintptr_t)1, OCOPY_F_FENCE | OCOPY_F_FLUSH) >= 0, "S -> Y");
	TEST_ASSERT(ocopy_copy(q, dst + 3 * LEN, dst + 2 * LEN, LEN, seq_cb,
		(void *)(uintptr_t)2, OCOPY_F_FENCE | OCOPY_F_FLUSH) >= 0, "Y -> Z");
	swdev_service_run("dma_sw_fence", true);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT(nb_done == 3 && nb_err == 1, "three delivered in order, the bad one"
		" failed: %u, %u", nb_done, nb_err);
	TEST_ASSERT(memcmp(dst + 2 * LEN, src + 2, LEN) == 0, "Y");
	TEST_ASSERT(memcmp(dst + 3 * LEN, src + 2, LEN) == 0,
		"Z holds what the older fenced copy wrote to Y (Z[0] %#x, Y[0] %#x)",
		dst[3 * LEN], dst[2 * LEN]);
	GBUF_ASSERT_OK(g, "nothing written outside the domain");
	gbuf_free(g);
	ocopy_destroy(oc);
	swdev_destroy("dma_sw_fence");
}

/*
 * Teardown with work stuck on an engine and a fenced op waiting behind it
 * (deferred: the CPU was to run it once the older ones completed). They
 * never do: it is not attempted, and writes nothing.
 */
static void
test_teardown_fenced(void)
{
	struct ocopy_queue_stats st;
	struct ocopy_queue *q;
	struct ocopy *oc;
	uint64_t deferred;
	unsigned int i;

	test_section("teardown: a fenced op behind stuck work is not attempted");
	reset_counts();
	/* Its own engine: one left stuck by a teardown is not taken again. */
	swdev_create_worker("dma_sw_stuck", NULL);
	oc = ocdev_create("engines=dma_sw_stuck,policy=engine,stall_us=1000");
	q = ocopy_queue_get(oc, 0);
	memset(dst, 0, 6 * LEN);
	swdev_service_run("dma_sw_stuck", false);
	submit_seq(q, 0, 5, 0);
	/* For the CPU: deferred until the older ones complete. */
	ocopy_queue_stats_get(q, &st);
	TEST_ASSERT(ocopy_copy(q, dst + 5 * LEN, src + 5, 1024, seq_cb,
		(void *)(uintptr_t)5, OCOPY_F_FENCE | OCOPY_F_CPU) >= 0, "fenced copy");
	ocopy_flush(q);
	deferred = st.deferred;
	ocopy_queue_stats_get(q, &st);
	TEST_ASSERT_EQUAL(st.deferred - deferred, 1, "the fenced copy deferred");
	ocopy_destroy(oc);
	TEST_ASSERT_EQUAL(nb_done, 6, "every op reported");
	TEST_ASSERT_EQUAL(nb_abort, 5, "the stuck ones aborted");
	TEST_ASSERT_EQUAL(nb_err, 1, "the fenced one not attempted");
	for (i = 0; i < 1024; i++)
		TEST_ASSERT_EQUAL(dst[5 * LEN + i], 0, "fenced copy wrote byte %u", i);
	swdev_service_run("dma_sw_stuck", true);
	swdev_wait_idle(rte_dma_get_dev_id_by_name("dma_sw_stuck"), 0);
	swdev_destroy("dma_sw_stuck");
}

/*
 * An engine the application removes (rte_vdev_uninit(), which stops a
 * started dma_sw) under an instance, and another device that then takes
 * its dmadev id: the instance's teardown leaves that device alone (it
 * stopped it: the application's copies then failed with -ENOSPC), and
 * does not unmap through the removed device's struct rte_device, freed
 * with it.
 */
static void
test_engine_removed(void)
{
	struct ocopy_map_stats ms;
	struct ocopy_queue *q;
	struct ocopy *oc;
	int16_t gone, next;
	int reg, reg_src;

	test_section("an engine removed under the instance, its id taken by another device");
	reset_counts();
	gone = swdev_create_worker("dma_sw_gone", "domain=strict");
	oc = ocdev_create("engines=dma_sw_gone,policy=engine,split=off");
	q = ocopy_queue_get(oc, 0);
	reg = ocopy_mem_register(oc, dst, LEN);
	reg_src = ocopy_mem_register(oc, src, 2 * LEN);
	TEST_ASSERT(reg >= 0 && reg_src >= 0, "register: %d, %d", reg, reg_src);
	memset(dst, 0, LEN);
	submit_seq(q, 0, 1, OCOPY_F_FLUSH);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT(nb_done == 1 && nb_err == 0, "the copy before: %u done, %u errors",
		nb_done, nb_err);

	swdev_destroy("dma_sw_gone");
	next = swdev_create_worker("dma_sw_next", NULL);
	if (next != gone)
		printf("  dma_sw_next took dmadev %d, not %d: the id is not reused here\n",
			next, gone);
	swdev_configure(next, 1, 64);
	TEST_ASSERT_SUCCESS(rte_dma_start(next), "start dma_sw_next");

	TEST_ASSERT_EQUAL(ocopy_mem_unregister(oc, reg), -ENODEV,
		"unregister on a removed engine");
	TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc, 0, &ms), "map stats");
	TEST_ASSERT(ms.segments == 1 && ms.errors == 1 && ms.unmaps == 0,
		"segments %u errors %" PRIu64 " unmaps %" PRIu64, ms.segments, ms.errors,
		ms.unmaps);
	/*
	 * A plain copy staged at teardown goes to the CPU, not to the
	 * removed engine's id (the stage was handed over before the removed
	 * engine was put out of reach: the copy went to dma_sw_next).
	 */
	memset(dst + 2 * LEN, 0, 64);
	TEST_ASSERT(ocopy_copy(q, dst + 2 * LEN, src, 64, NULL, NULL, 0) >= 0, "staged copy");
	ocopy_destroy(oc);
	TEST_ASSERT(memcmp(dst + 2 * LEN, src, 64) == 0, "the staged copy made by the CPU");

	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(next, 0), 64,
		"dma_sw_next still started after the instance's teardown");
	TEST_ASSERT_EQUAL(rte_dma_copy(next, 0, (rte_iova_t)(uintptr_t)src,
		(rte_iova_t)(uintptr_t)dst, 64, RTE_DMA_OP_FLAG_SUBMIT), 0,
		"the application's first copy on dma_sw_next");
	swdev_reap_ok(next, 0, 1, 0);
	TEST_ASSERT(memcmp(dst, src, 64) == 0, "its data");
	swdev_destroy("dma_sw_next");
}

/*
 * An engine removed with ops of the instance on it (stopped first: its
 * stop ran them, but their completions went with it): the teardown
 * aborts them at once, without polling the removed device. It polled
 * it for twice the stall time, each call through the freed slot logging
 * "completed is not configured or not supported" (some 900 lines when
 * rte_eal_cleanup() removed the engines before a dma_offload over them),
 * and said the removed engine was left started.
 */
static void
test_engine_removed_busy(void)
{
	struct ocopy_queue *q;
	struct ocopy *oc;
	size_t log_size = 0;
	char *log = NULL;
	FILE *f;

	test_section("an engine removed with ops on it: aborted at once at teardown");
	reset_counts();
	swdev_create_worker("dma_sw_gone2", NULL);
	oc = ocdev_create("engines=dma_sw_gone2,policy=engine,split=off,stall_us=20000");
	q = ocopy_queue_get(oc, 0);
	swdev_service_run("dma_sw_gone2", false);
	submit_seq(q, 0, 10, OCOPY_F_FLUSH);
	swdev_destroy("dma_sw_gone2");
	/* Staged now: the teardown hands it over, to the CPU. */
	memset(dst + 20 * LEN, 0, 64);
	TEST_ASSERT(ocopy_copy(q, dst + 20 * LEN, src, 64, NULL, NULL, 0) >= 0,
		"staged copy");
	f = open_memstream(&log, &log_size);
	TEST_ASSERT(f != NULL, "memstream");
	TEST_ASSERT_SUCCESS(rte_openlog_stream(f), "log stream");
	ocopy_destroy(oc);
	rte_openlog_stream(NULL);
	fclose(f);
	TEST_ASSERT(nb_done == 10 && nb_abort == 10, "every op aborted once: %u done,"
		" %u aborted", nb_done, nb_abort);
	TEST_ASSERT(memcmp(dst + 20 * LEN, src, 64) == 0, "the staged copy made by the CPU");
	TEST_ASSERT(strstr(log, "not configured") == NULL,
		"the removed device polled:\n%.400s", log);
	TEST_ASSERT(strstr(log, "dma_sw_gone2 was removed") != NULL &&
		strstr(log, "left started") == NULL,
		"the teardown's lines name the removed engine as such:\n%s", log);
	free(log);
}

static uint16_t split_status;

static void
split_status_cb(void *arg, uint16_t status)
{
	RTE_SET_USED(arg);
	split_status = status;
}

/*
 * Split copies whose part on one engine keeps failing (a strict domain
 * that was not given the buffers): the engine degrades after
 * degrade_errors of them, as on every other path, and the next splits
 * leave it out. The split's own reap counted the errors without updating
 * the engine's health: 6 failures in a row, still healthy, every split
 * failing.
 */
static void
test_split_degrades(void)
{
	struct ocopy_qengine_stats es;
	struct ocopy_queue *q;
	struct ocopy *oc;
	unsigned int i;

	test_section("split copies failing on one engine: it degrades, the next ones succeed");
	TEST_ASSERT_SUCCESS(rte_dma_stop(rte_dma_get_dev_id_by_name("dma_sw0")), "stop dma_sw0");
	swdev_create_worker("dma_sw_split", "domain=strict");
	oc = ocdev_create("engines=dma_sw0:dma_sw_split,threshold=64,split=65536,cpu_help=on,degrade_errors=2,reprobe_ms=100000,slack=100000");
	q = ocopy_queue_get(oc, 0);
	for (i = 0; i < 6; i++) {
		split_status = UINT16_MAX;
		TEST_ASSERT(ocopy_copy(q, dst, src, 1024 * 1024, split_status_cb, NULL,
			OCOPY_F_FLUSH) >= 0, "copy %u", i);
		TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
		printf("  copy %u: status %u\n", i, split_status);
	}
	TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(oc, 1, &es), "stats");
	TEST_ASSERT(es.degrades >= 1, "the strict engine degraded: %" PRIu64 " errors, %"
		PRIu64 " degrades", es.errors, es.degrades);
	TEST_ASSERT_EQUAL(split_status, RTE_DMA_STATUS_SUCCESSFUL, "the last copy succeeds");
	TEST_ASSERT(memcmp(dst, src, 1024 * 1024) == 0, "its data");
	ocopy_destroy(oc);
	swdev_destroy("dma_sw_split");
}

int
main(int argc, char **argv)
{
	static const struct test_opts opts = { .name = "ocopy_failover" };
	size_t i;

	test_eal_init(argc, argv, &opts);
	if (test_worker != TEST_WORKER_SERVICE)
		test_skip("stalls are made by stopping a service: service mode only");
	swdev_create_worker("dma_sw0", NULL);
	src = rte_malloc("src", 1024 * 1024, 4096);
	dst = rte_malloc("dst", 1024 * 1024, 4096);
	TEST_ASSERT(src != NULL && dst != NULL, "buffers");
	for (i = 0; i < 1024 * 1024; i++)
		src[i] = (uint8_t)(i * 7 + 5);

	test_ring_full();
	test_ring_refusal();
	test_batch_full();
	test_stall();
	test_undoorbelled();
	test_degrade();
	test_plain_errors(false);
	test_plain_errors(true);
	test_calib_leftovers();
	test_calib_leftovers_unpolled();
	test_calib_leftovers_two();
	test_teardown_stuck();
	test_teardown_backlog();
	test_callback_submits();
	test_fence_after_error();
	test_teardown_fenced();
	test_engine_removed();
	test_engine_removed_busy();
	test_split_degrades();

	rte_free(dst);
	rte_free(src);
	return test_done();
}
