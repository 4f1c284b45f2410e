/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Split copies: one large copy at a time (each waited for, so the engine
 * is idle when the next one comes and the library splits it), through a
 * working set far larger than the caches, against memcpy() on the
 * submitting core and the same copies whole on the engine. The issue's
 * target: at least 1.6x one core's memcpy() from 1 MiB. A benchmark: it
 * prints figures and fails only if a copy is wrong.
 *
 *   bench_ocopy_split [service]   (meson test -C build --benchmark)
 */

#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include <ocopy.h>

#include "ocopy_dev.h"
#include "sw_dev.h"
#include "test.h"

#define AREA		(128u * 1024 * 1024)	/* per side: several times the LLC */
#define ROUNDS		3
#define BYTES_PER_ROUND	(256u * 1024 * 1024)

static uint8_t *src, *dst;

/* GB/s of lone len-byte copies through q (NULL: memcpy()), best round. */
static double
run(struct ocopy_queue *q, uint32_t len)
{
	const uint32_t slots = AREA / len;
	double best = 0;
	unsigned int r, i, n = BYTES_PER_ROUND / len;

	for (r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rte_rdtsc_precise(), cyc;

		for (i = 0; i < n; i++) {
			size_t off = (size_t)(i % slots) * len;

			if (q == NULL) {
				memcpy(dst + off, src + off, len);
				continue;
			}
			TEST_ASSERT(ocopy_copy(q, dst + off, src + off, len, NULL,
				NULL, OCOPY_F_FLUSH) >= 0, "copy %u", i);
			TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000),
				"copy %u done", i);
		}
		cyc = rte_rdtsc_precise() - t0;
		best = RTE_MAX(best, (double)n * len * rte_get_tsc_hz() / cyc / 1e9);
	}
	TEST_ASSERT(memcmp(dst, src, RTE_MIN((size_t)n * len, (size_t)AREA)) == 0,
		"data");
	memset(dst, 0, AREA);
	return best;
}

int
main(int argc, char **argv)
{
	static const struct test_opts opts = {
		.name = "bench_ocopy_split",
		.timeout_s = 600,
	};
	static const uint32_t sizes[] = { 1u << 20, 4u << 20, 16u << 20 };
	struct ocopy_queue_stats st;
	struct ocopy *oc;
	unsigned int s;

	test_eal_init(argc, argv, &opts);
	swdev_create_worker("dma_sw0", NULL);
	src = rte_malloc("src", AREA, 4096);
	dst = rte_malloc("dst", AREA, 4096);
	TEST_ASSERT(src != NULL && dst != NULL, "buffers");
	for (s = 0; s < AREA; s += 64)
		memset(src + s, (int)(s / 64 * 7 + 3), 64);
	memset(dst, 0, AREA);

	printf("\nlone copies, each waited for, %u MiB per side, GB/s (best of %u rounds)\n",
		AREA >> 20, ROUNDS);
	printf("  %8s  %8s  %8s  %8s  %10s\n", "size", "memcpy", "engine", "split",
		"split/cpu");
	for (s = 0; s < RTE_DIM(sizes); s++) {
		double cpu, eng, spl;

		cpu = run(NULL, sizes[s]);
		oc = ocdev_create("engines=dma_sw0,policy=engine,split=off");
		eng = run(ocopy_queue_get(oc, 0), sizes[s]);
		ocopy_destroy(oc);
		oc = ocdev_create("engines=dma_sw0,threshold=4096,split=1048576,cpu_help=on");
		spl = run(ocopy_queue_get(oc, 0), sizes[s]);
		TEST_ASSERT_SUCCESS(ocopy_queue_stats_get(ocopy_queue_get(oc, 0),
			&st), "stats");
		ocopy_destroy(oc);
		printf("  %5u MiB  %8.2f  %8.2f  %8.2f  %9.2fx  (%" PRIu64 " of %"
			PRIu64 " split)\n", sizes[s] >> 20, cpu, eng, spl, spl / cpu,
			st.split, st.submitted);
	}
	printf("\n");
	rte_free(dst);
	rte_free(src);
	return test_done();
}
