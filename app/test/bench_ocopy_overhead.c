/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * What the library costs the submitting core per copy, against the raw
 * path it replaces: rte_dma_copy()/rte_dma_submit()/rte_dma_completed() on
 * dma_sw0 against ocopy_copy()/ocopy_flush()/ocopy_completed() forced to
 * that engine (the decision overhead), and memcpy() against ocopy_copy()
 * forced to the CPU; each library path also with the burst submitted by
 * one ocopy_copy_burst() call, and once more with its first copy given a
 * callback (by ocopy_copy(), the others by ocopy_copy_burst()): an op
 * with a slot ahead of plain ones, which must not cost those their runs.
 * Then each op rung on its own (the SUBMIT flag against OCOPY_F_FLUSH,
 * each library op with a callback, which a plain op would be staged
 * without). Last, bursts streamed (the next one given while the one
 * before is in flight): through the raw dmadev, through the library
 * without callbacks, the same with learn=off (an instance of its own, its
 * rounds after: what learning costs a stream, whose doorbells find the
 * engine busy), and with a callback on the last copy of each: each such
 * op comes behind the previous burst's, still undelivered, with plain ops
 * between that then get their slots.
 *
 * Bursts of BURST copies between cache-resident buffers; but for the
 * streamed ones, each burst is waited for before the next, so the engine
 * is idle while the submitter enqueues and only the submitter's own
 * instructions are timed. Cycles
 * are TSC cycles, best of ROUNDS rounds (least disturbed by interrupts
 * and other processes). The paths compared take their rounds in turn
 * (raw, library per op, library burst, raw, ...), so that a slow spell
 * of the host hits them alike: the instance has two queues, and the raw
 * path borrows vchan 1 of the engine (queue 1's, never used here) while
 * queue 0 runs the library's rounds on vchan 0; one engine, one worker.
 * The timers are serializing (rte_rdtsc_precise()): with plain
 * rte_rdtsc() the end of a completion call was read before its loads of
 * the engine's completion state (written by the engine's core) had
 * finished, which hid most of the raw path's completion cost (1 cycle per
 * copy instead of 3 to 9). A benchmark: it prints figures and fails only
 * if a copy is wrong.
 */

#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_malloc.h>

#include <ocopy.h>

#include "ocopy_dev.h"
#include "sw_dev.h"
#include "test.h"

#define BURST		32
#define BURSTS		2000
#define ROUNDS		15
#define AREA		(64 * 1024)	/* per side: fits L2 */
#define RAW_VCHAN	1		/* the instance's queue 1: unused */

static uint8_t *src, *dst;
/* Addresses and lengths of a burst, set before anything is timed. */
static void *dp[BURST];
static const void *sp[BURST];
static uint32_t lens[BURST];

struct cost {
	double enq;	/* cycles per op inside enqueue + doorbell */
	double cpl;	/* ... inside completion calls that returned work */
};

static void
set_addresses(uint32_t len)
{
	unsigned int i;

	RTE_BUILD_BUG_ON(BURST * 1024 > AREA);
	for (i = 0; i < BURST; i++) {
		dp[i] = dst + (size_t)i * len;
		sp[i] = src + (size_t)i * len;
		lens[i] = len;
	}
}

static void
check(uint32_t len)
{
	unsigned int i;

	for (i = 0; i < BURST; i++)
		TEST_ASSERT(memcmp(dp[i], sp[i], len) == 0, "copy %u of %u bytes",
			i, len);
}

static unsigned int nb_cb;

static void
keep_best(struct cost *best, uint64_t enq, uint64_t cpl)
{
	double e = (double)enq / (BURSTS * BURST);
	double c = (double)cpl / (BURSTS * BURST);

	if (e + c < best->enq + best->cpl) {
		best->enq = e;
		best->cpl = c;
	}
}

/* How a burst is given. */
enum how {
	PER_OP,		/* op by op, one doorbell for the burst */
	BURST_CALL,	/* one ocopy_copy_burst() call */
	BURST_CB_FIRST,	/* the same, its first copy with a callback */
	PER_OP_RUNG,	/* op by op, each with a callback and its doorbell */
};

/*
 * One burst, with its doorbell(s): through the raw dmadev (lib false:
 * dev, vchan RAW_VCHAN, PER_OP or PER_OP_RUNG) or the library's queue q,
 * as how says: PER_OP_RUNG rings each op (the driver's SUBMIT flag,
 * OCOPY_F_FLUSH), and gives each library op a callback (a plain one
 * would be staged). The number accepted.
 */
static __rte_always_inline unsigned int
enqueue(int16_t dev, struct ocopy_queue *q, uint32_t len, const bool lib,
		const enum how how)
{
	const uint64_t dma_flags = how == PER_OP_RUNG ? RTE_DMA_OP_FLAG_SUBMIT : 0;
	unsigned int i;

	if (how == BURST_CB_FIRST) {
		if (ocopy_copy(q, dp[0], sp[0], len, ocdev_count_ok, &nb_cb, 0) < 0)
			return 0;
		return 1 + ocopy_copy_burst(q, &dp[1], &sp[1], &lens[1],
				BURST - 1, NULL, NULL);
	}
	if (how == BURST_CALL)
		return ocopy_copy_burst(q, dp, sp, lens, BURST, NULL, NULL);
	for (i = 0; i < BURST; i++)
		if ((!lib ? rte_dma_copy(dev, RAW_VCHAN,
					(rte_iova_t)(uintptr_t)sp[i],
					(rte_iova_t)(uintptr_t)dp[i], len,
					dma_flags) :
				how == PER_OP_RUNG ?
				ocopy_copy(q, dp[i], sp[i], len, ocdev_count_ok,
					&nb_cb, OCOPY_F_FLUSH) :
				ocopy_copy(q, dp[i], sp[i], len, NULL, NULL, 0)) < 0)
			break;
	if (how == PER_OP_RUNG)
		return i;
	if (lib)
		ocopy_flush(q);
	else
		rte_dma_submit(dev, RAW_VCHAN);
	return i;
}

/*
 * One round of bursts through the raw dmadev (lib false: dev, vchan
 * RAW_VCHAN) or through the library's queue q, given as how says, kept in
 * *best if it beats it; one loop, so all are timed alike. Inlined once
 * per path with the branches resolved.
 */
static __rte_always_inline void
round_async(int16_t dev, struct ocopy_queue *q, uint32_t len, const bool lib,
		const enum how how, struct cost *best)
{
	const unsigned int cbs = how == BURST_CB_FIRST ? BURSTS :
			how == PER_OP_RUNG && lib ? BURSTS * BURST : 0;
	uint64_t enq = 0, cpl = 0;
	unsigned int b, i;

	memset(dst, 0, AREA);
	nb_cb = 0;
	for (b = 0; b < BURSTS; b++) {
		uint16_t done = 0, last;
		bool err = false;
		uint64_t t0, t1;

		t0 = rte_rdtsc_precise();
		i = enqueue(dev, q, len, lib, how);
		t1 = rte_rdtsc_precise();
		TEST_ASSERT_EQUAL(i, BURST, "enqueue");
		enq += t1 - t0;
		while (done < BURST) {
			uint16_t n;

			t0 = rte_rdtsc_precise();
			n = lib ? ocopy_completed(q, BURST, &last, &err) :
				rte_dma_completed(dev, RAW_VCHAN, BURST, &last,
					&err);
			t1 = rte_rdtsc_precise();
			TEST_ASSERT(!err, "%s copy failed", lib ? "library" : "raw");
			if (n != 0)
				cpl += t1 - t0;
			done += n;
		}
	}
	check(len);
	TEST_ASSERT_EQUAL(nb_cb, cbs, "callbacks");
	keep_best(best, enq, cpl);
}

static void
round_raw(int16_t dev, uint32_t len, struct cost *best)
{
	round_async(dev, NULL, len, false, PER_OP, best);
}

static void
round_lib(struct ocopy_queue *q, uint32_t len, struct cost *best)
{
	round_async(-1, q, len, true, PER_OP, best);
}

/* The same bursts through ocopy_copy_burst(). */
static void
round_lib_burst(struct ocopy_queue *q, uint32_t len, struct cost *best)
{
	round_async(-1, q, len, true, BURST_CALL, best);
}

/* The same, the first copy of each with a callback. */
static void
round_lib_burst_cb(struct ocopy_queue *q, uint32_t len, struct cost *best)
{
	round_async(-1, q, len, true, BURST_CB_FIRST, best);
}

/* Each op rung on its own: the raw dmadev's. */
static void
round_raw_rung(int16_t dev, uint32_t len, struct cost *best)
{
	round_async(dev, NULL, len, false, PER_OP_RUNG, best);
}

/* The library's, each op with a callback. */
static void
round_lib_rung(struct ocopy_queue *q, uint32_t len, struct cost *best)
{
	round_async(-1, q, len, true, PER_OP_RUNG, best);
}

/*
 * Bursts streamed through queue q (lib) or the raw dmadev (dev, vchan
 * RAW_VCHAN): each given (ocopy_copy_burst(), then with cb_last its last
 * copy with a callback by ocopy_copy(); or rte_dma_copy() each and
 * rte_dma_submit()) and rung, then completions taken until at most one
 * burst is in flight: the engine works while the submitter enqueues, as
 * in an application, and the library's doorbell finds it busy.
 */
static __rte_always_inline void
round_stream_any(int16_t dev, struct ocopy_queue *q, uint32_t len,
		const bool lib, const bool cb_last, struct cost *best)
{
	const uint16_t n = cb_last ? BURST - 1 : BURST;
	uint64_t enq = 0, cpl = 0, t0, t1;
	uint32_t inflight = 0;
	uint16_t last, i;
	unsigned int b;
	bool err = false;

	memset(dst, 0, AREA);
	nb_cb = 0;
	for (b = 0; b < BURSTS; b++) {
		t0 = rte_rdtsc_precise();
		if (lib) {
			TEST_ASSERT_EQUAL(ocopy_copy_burst(q, dp, sp, lens, n,
				NULL, NULL), n, "burst");
			if (cb_last)
				TEST_ASSERT(ocopy_copy(q, dp[n], sp[n], len,
					ocdev_count_ok, &nb_cb, OCOPY_F_FLUSH) >= 0,
					"the last copy");
		} else {
			for (i = 0; i < BURST; i++)
				if (rte_dma_copy(dev, RAW_VCHAN,
						(rte_iova_t)(uintptr_t)sp[i],
						(rte_iova_t)(uintptr_t)dp[i], len, 0) < 0)
					break;
			rte_dma_submit(dev, RAW_VCHAN);
			TEST_ASSERT_EQUAL(i, BURST, "raw burst");
		}
		t1 = rte_rdtsc_precise();
		enq += t1 - t0;
		inflight += BURST;
		while ((lib ? ocopy_queue_inflight(q) : inflight) > BURST) {
			uint16_t k;

			t0 = rte_rdtsc_precise();
			k = lib ? ocopy_completed(q, BURST, &last, &err) :
				rte_dma_completed(dev, RAW_VCHAN, BURST, &last,
					&err);
			t1 = rte_rdtsc_precise();
			TEST_ASSERT(!err, "%s copy failed", lib ? "library" : "raw");
			if (k != 0)
				cpl += t1 - t0;
			inflight -= k;
		}
	}
	if (lib) {
		TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	} else {
		while (inflight != 0) {
			inflight -= rte_dma_completed(dev, RAW_VCHAN, BURST, &last,
				&err);
			TEST_ASSERT(!err, "raw copy failed");
		}
	}
	check(len);
	TEST_ASSERT_EQUAL(nb_cb, cb_last ? BURSTS : 0, "callbacks");
	keep_best(best, enq, cpl);
}

static void
round_stream(struct ocopy_queue *q, uint32_t len, const bool cb_last,
		struct cost *best)
{
	round_stream_any(-1, q, len, true, cb_last, best);
}

static void
round_stream_raw(int16_t dev, uint32_t len, struct cost *best)
{
	round_stream_any(dev, NULL, len, false, false, best);
}

static void
round_memcpy(uint32_t len, struct cost *best)
{
	uint64_t enq = 0, t0;
	unsigned int b, i;

	memset(dst, 0, AREA);
	for (b = 0; b < BURSTS; b++) {
		t0 = rte_rdtsc_precise();
		for (i = 0; i < BURST; i++)
			memcpy(dp[i], sp[i], len);
		enq += rte_rdtsc_precise() - t0;
	}
	check(len);
	keep_best(best, enq, 0);
}

static void
print_row(const char *what, uint32_t len, const struct cost *c,
		const struct cost *ref)
{
	printf("  %-28s %6u B  %7.1f  %7.1f  %7.1f", what, len, c->enq, c->cpl,
		c->enq + c->cpl);
	if (ref != NULL)
		printf("  %+7.1f", c->enq + c->cpl - ref->enq - ref->cpl);
	printf("\n");
}

int
main(int argc, char **argv)
{
	static const struct test_opts opts = {
		.name = "bench_ocopy_overhead",
		.timeout_s = 300,
	};
	static const uint32_t sizes[] = { 64, 1024 };
	static const struct cost none = { 1e9, 1e9 };
	struct cost raw, lib, burst, burst_cb, small, cpu, stream, stream_cb;
	struct cost raw_rung, lib_rung, stream_raw, stream_nolearn;
	struct ocopy_queue *q;
	struct ocopy *oc;
	unsigned int s, r;
	int16_t dev;

	test_eal_init(argc, argv, &opts);
	dev = swdev_create_worker("dma_sw0", NULL);
	src = rte_malloc("src", AREA, 4096);
	dst = rte_malloc("dst", AREA, 4096);
	TEST_ASSERT(src != NULL && dst != NULL, "buffers");
	for (s = 0; s < AREA; s++)
		src[s] = (uint8_t)(s * 7 + 3);

	printf("\nsubmitter TSC cycles per copy, bursts of %u, cache-resident, best of %u rounds\n",
		BURST, ROUNDS);
	printf("  %-28s %8s  %7s  %7s  %7s  %7s\n", "path", "size", "enq", "cpl",
		"total", "over");

	for (s = 0; s < RTE_DIM(sizes); s++) {
		set_addresses(sizes[s]);
		/* Queue 0 for the library, vchan RAW_VCHAN (queue 1's) raw. */
		oc = ocdev_create("engines=dma_sw0,policy=engine,split=off,queues=2");
		q = ocopy_queue_get(oc, 0);
		raw = lib = burst = burst_cb = stream = stream_cb = none;
		raw_rung = lib_rung = stream_raw = none;
		for (r = 0; r < ROUNDS; r++) {
			round_raw(dev, sizes[s], &raw);
			round_raw_rung(dev, sizes[s], &raw_rung);
			round_lib_rung(q, sizes[s], &lib_rung);
			round_lib(q, sizes[s], &lib);
			round_lib_burst(q, sizes[s], &burst);
			round_lib_burst_cb(q, sizes[s], &burst_cb);
			round_stream_raw(dev, sizes[s], &stream_raw);
			round_stream(q, sizes[s], false, &stream);
			round_stream(q, sizes[s], true, &stream_cb);
		}
		ocopy_destroy(oc);
		/* Streamed without learning: what learning costs a stream. */
		oc = ocdev_create("engines=dma_sw0,policy=engine,split=off,learn=off");
		q = ocopy_queue_get(oc, 0);
		stream_nolearn = none;
		for (r = 0; r < ROUNDS; r++)
			round_stream(q, sizes[s], false, &stream_nolearn);
		ocopy_destroy(oc);
		/* A small op ring: an instance of its own, its rounds after. */
		oc = ocdev_create("engines=dma_sw0,policy=engine,split=off,queue_size=64");
		q = ocopy_queue_get(oc, 0);
		small = none;
		for (r = 0; r < ROUNDS; r++)
			round_lib(q, sizes[s], &small);
		ocopy_destroy(oc);
		print_row("rte_dma_* on dma_sw0", sizes[s], &raw, NULL);
		print_row("ocopy, policy=engine", sizes[s], &lib, &raw);
		print_row("ocopy, engine, queue_size=64", sizes[s], &small, &raw);
		print_row("ocopy_copy_burst, engine", sizes[s], &burst, &raw);
		print_row("the same, 1st with callback", sizes[s], &burst_cb,
			&raw);
		print_row("rte_dma_*, each op rung", sizes[s], &raw_rung,
			NULL);
		print_row("ocopy, each rung, callback", sizes[s], &lib_rung,
			&raw_rung);
		print_row("rte_dma_*, streamed", sizes[s], &stream_raw, NULL);
		print_row("streamed bursts, engine", sizes[s], &stream,
			&stream_raw);
		print_row("the same, learn=off", sizes[s], &stream_nolearn,
			&stream_raw);
		print_row("the same, last with callback", sizes[s], &stream_cb,
			&stream_raw);
	}

	oc = ocdev_create("engines=dma_sw0,policy=cpu,split=off");
	q = ocopy_queue_get(oc, 0);
	for (s = 0; s < RTE_DIM(sizes); s++) {
		set_addresses(sizes[s]);
		cpu = lib = burst = none;
		for (r = 0; r < ROUNDS; r++) {
			round_memcpy(sizes[s], &cpu);
			round_lib(q, sizes[s], &lib);
			round_lib_burst(q, sizes[s], &burst);
		}
		print_row("memcpy", sizes[s], &cpu, NULL);
		print_row("ocopy, policy=cpu", sizes[s], &lib, &cpu);
		print_row("ocopy_copy_burst, cpu", sizes[s], &burst, &cpu);
	}
	ocopy_destroy(oc);
	printf("\n");

	rte_free(dst);
	rte_free(src);
	return test_done();
}
