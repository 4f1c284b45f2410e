/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * What the library costs the submitting core per copy, against the raw
 * path it replaces: rte_dma_copy()/rte_dma_submit()/rte_dma_completed() on
 * dma_sw0 against ocopy_copy()/ocopy_flush()/ocopy_completed() forced to
 * that engine (the decision overhead), and memcpy() against ocopy_copy()
 * forced to the CPU; each library path also with the burst submitted by
 * one ocopy_copy_burst() call.
 *
 * Bursts of BURST copies between cache-resident buffers; each burst is
 * waited for before the next, so the engine is idle while the submitter
 * enqueues and only the submitter's own instructions are timed. Cycles
 * are TSC cycles, best of ROUNDS rounds (least disturbed by interrupts
 * and other processes). The timers are serializing (rte_rdtsc_precise()):
 * with plain rte_rdtsc() the end of a completion call was read before its
 * loads of the engine's completion state (written by the engine's core)
 * had finished, which hid most of the raw path's completion cost (1 cycle
 * per copy instead of 3 to 9). A benchmark: it prints figures and fails
 * only if a copy is wrong.
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

static uint8_t *src, *dst;
/* Addresses of a burst, computed before anything is timed. */
static void *dp[BURST];
static const void *sp[BURST];

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

/*
 * One burst, with its doorbell: per op through the raw dmadev (lib false:
 * dev, vchan 0) or the library's queue q, or by one ocopy_copy_burst()
 * call (burst). The number accepted.
 */
static __rte_always_inline unsigned int
enqueue(int16_t dev, struct ocopy_queue *q, uint32_t len, const uint32_t *lens,
		const bool lib, const bool burst)
{
	unsigned int i;

	if (burst)
		return ocopy_copy_burst(q, dp, sp, lens, BURST, NULL, NULL);
	for (i = 0; i < BURST; i++)
		if ((lib ? ocopy_copy(q, dp[i], sp[i], len, NULL, NULL, 0) :
				rte_dma_copy(dev, 0, (rte_iova_t)(uintptr_t)sp[i],
					(rte_iova_t)(uintptr_t)dp[i], len, 0)) < 0)
			break;
	if (lib)
		ocopy_flush(q);
	else
		rte_dma_submit(dev, 0);
	return i;
}

/*
 * Bursts through the raw dmadev (lib false: dev, vchan 0) or through the
 * library's queue q, op by op or by ocopy_copy_burst() (burst); one loop,
 * so all are timed alike. Inlined once per path with the branches resolved.
 */
static __rte_always_inline struct cost
run_async(int16_t dev, struct ocopy_queue *q, uint32_t len, const bool lib,
		const bool burst)
{
	static uint32_t lens[BURST];
	struct cost best = { 1e9, 1e9 };
	unsigned int r, b, i;

	set_addresses(len);
	for (i = 0; i < BURST; i++)
		lens[i] = len;
	for (r = 0; r < ROUNDS; r++) {
		uint64_t enq = 0, cpl = 0;

		memset(dst, 0, AREA);
		for (b = 0; b < BURSTS; b++) {
			uint16_t done = 0, last;
			bool err = false;
			uint64_t t0, t1;

			t0 = rte_rdtsc_precise();
			i = enqueue(dev, q, len, lens, lib, burst);
			t1 = rte_rdtsc_precise();
			TEST_ASSERT_EQUAL(i, BURST, "enqueue");
			enq += t1 - t0;
			while (done < BURST) {
				uint16_t n;

				t0 = rte_rdtsc_precise();
				n = lib ? ocopy_completed(q, BURST, &last, &err) :
					rte_dma_completed(dev, 0, BURST, &last, &err);
				t1 = rte_rdtsc_precise();
				TEST_ASSERT(!err, "%s copy failed", lib ? "library" : "raw");
				if (n != 0)
					cpl += t1 - t0;
				done += n;
			}
		}
		check(len);
		keep_best(&best, enq, cpl);
	}
	return best;
}

static struct cost
run_raw(int16_t dev, uint32_t len)
{
	return run_async(dev, NULL, len, false, false);
}

static struct cost
run_lib(struct ocopy_queue *q, uint32_t len)
{
	return run_async(-1, q, len, true, false);
}

/* The same bursts through ocopy_copy_burst(). */
static struct cost
run_lib_burst(struct ocopy_queue *q, uint32_t len)
{
	return run_async(-1, q, len, true, true);
}

static struct cost
run_memcpy(uint32_t len)
{
	struct cost best = { 1e9, 1e9 };
	unsigned int r, b, i;

	set_addresses(len);
	for (r = 0; r < ROUNDS; r++) {
		uint64_t enq = 0, t0;

		memset(dst, 0, AREA);
		for (b = 0; b < BURSTS; b++) {
			t0 = rte_rdtsc_precise();
			for (i = 0; i < BURST; i++)
				memcpy(dp[i], sp[i], len);
			enq += rte_rdtsc_precise() - t0;
		}
		check(len);
		keep_best(&best, enq, 0);
	}
	return best;
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
	struct cost raw[RTE_DIM(sizes)], lib, cpu;
	struct ocopy_queue *q;
	struct ocopy *oc;
	unsigned int s;
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

	swdev_configure(dev, 1, 1024);
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start");
	for (s = 0; s < RTE_DIM(sizes); s++)
		raw[s] = run_raw(dev, sizes[s]);
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");

	for (s = 0; s < RTE_DIM(sizes); s++) {
		oc = ocdev_create("engines=dma_sw0,policy=engine,split=off");
		q = ocopy_queue_get(oc, 0);
		lib = run_lib(q, sizes[s]);
		ocopy_destroy(oc);
		print_row("rte_dma_* on dma_sw0", sizes[s], &raw[s], NULL);
		print_row("ocopy, policy=engine", sizes[s], &lib, &raw[s]);
		oc = ocdev_create("engines=dma_sw0,policy=engine,split=off,queue_size=64");
		q = ocopy_queue_get(oc, 0);
		lib = run_lib(q, sizes[s]);
		ocopy_destroy(oc);
		print_row("ocopy, engine, queue_size=64", sizes[s], &lib, &raw[s]);
		oc = ocdev_create("engines=dma_sw0,policy=engine,split=off");
		q = ocopy_queue_get(oc, 0);
		lib = run_lib_burst(q, sizes[s]);
		ocopy_destroy(oc);
		print_row("ocopy_copy_burst, engine", sizes[s], &lib, &raw[s]);
	}

	oc = ocdev_create("engines=dma_sw0,policy=cpu,split=off");
	q = ocopy_queue_get(oc, 0);
	for (s = 0; s < RTE_DIM(sizes); s++) {
		cpu = run_memcpy(sizes[s]);
		lib = run_lib(q, sizes[s]);
		print_row("memcpy", sizes[s], &cpu, NULL);
		print_row("ocopy, policy=cpu", sizes[s], &lib, &cpu);
		lib = run_lib_burst(q, sizes[s]);
		print_row("ocopy_copy_burst, cpu", sizes[s], &lib, &cpu);
	}
	ocopy_destroy(oc);
	printf("\n");

	rte_free(dst);
	rte_free(src);
	return test_done();
}
