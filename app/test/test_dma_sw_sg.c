/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw scatter-gather copies (rte_dma_copy_sg).
 *
 *  - uneven segments: source 1 + 4093 + 60 bytes into destination
 *    100 + 2000 + 54 + 1000 + 1000 bytes, and the other way round;
 *  - many shapes: 1x1, 1x16, 16x1, 16x16, 3x5, ... and 600 random ones
 *    (fixed seed), segments of random lengths including zero, laid out
 *    with gaps, in rising or falling address order; the destination's
 *    gaps and guards stay untouched and the bytes land in stream order;
 *  - on devices with non-temporal stores from 64 bytes and each copy
 *    kernel this CPU has (sse2, avx2, avx512), at misaligned addresses;
 *  - refused at enqueue with -EINVAL: total lengths differ, 0 or 17
 *    segments on either side (no job id consumed);
 *  - the SG ring (2 entries per descriptor) runs out: -ENOSPC while plain
 *    copies still fit, and SG copies fit again after completions; many
 *    laps of the SG ring with segment lists that wrap around its end.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_dmadev.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define BUF_LEN		(256 * 1024)
#define MAX_SEG		16

static struct gbuf *src, *dst;
static uint8_t stream[BUF_LEN];

struct shape {
	uint16_t nb_src, nb_dst;
	uint32_t src_len[MAX_SEG + 1], dst_len[MAX_SEG + 1];
};

/* Lay out n segments of the given lengths in b, with gaps of 1..64 bytes,
 * from offset start; falling address order if reverse. Returns the end.
 */
static size_t
layout(struct gbuf *b, struct rte_dma_sge *sg, size_t *off, const uint32_t *len,
		uint16_t n, size_t start, bool reverse)
{
	size_t pos = start;
	uint16_t i;

	for (i = 0; i < n; i++) {
		uint16_t k = reverse ? n - 1 - i : i;

		pos += test_rand_range(1, 64);
		off[k] = pos;
		pos += len[k];
	}
	TEST_ASSERT(pos <= b->len, "layout does not fit in %s", b->name);
	for (i = 0; i < n; i++)
		sg[i] = (struct rte_dma_sge){ .addr = gbuf_iova(b, off[i]), .length = len[i] };
	return pos;
}

/* Run one SG copy of this shape and check every byte of dst. */
static void
sg_case(int16_t dev, const struct shape *sh, bool reverse, const char *what)
{
	struct rte_dma_sge s[MAX_SEG], d[MAX_SEG];
	size_t soff[MAX_SEG], doff[MAX_SEG], total = 0, pos;
	size_t sstart = test_rand_range(0, 63), dstart = test_rand_range(0, 63);
	uint16_t i;
	int id;

	for (i = 0; i < sh->nb_src; i++)
		total += sh->src_len[i];
	layout(src, s, soff, sh->src_len, sh->nb_src, sstart, false);
	layout(dst, d, doff, sh->dst_len, sh->nb_dst, dstart, reverse);

	/* The expected stream, from the source's shadow. */
	pos = 0;
	for (i = 0; i < sh->nb_src; i++) {
		memcpy(stream + pos, src->shadow + src->guard + soff[i], sh->src_len[i]);
		pos += sh->src_len[i];
	}
	pos = 0;
	for (i = 0; i < sh->nb_dst; i++) {
		memcpy(dst->shadow + dst->guard + doff[i], stream + pos, sh->dst_len[i]);
		pos += sh->dst_len[i];
	}
	TEST_ASSERT_EQUAL(pos, total, "test bug: shape totals differ");

	id = rte_dma_copy_sg(dev, 0, s, d, sh->nb_src, sh->nb_dst, RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT(id >= 0, "%s: %ux%u, %zu bytes: enqueue %d", what, sh->nb_src, sh->nb_dst,
		total, id);
	swdev_reap_ok(dev, 0, 1, (uint16_t)id);
	GBUF_ASSERT_OK(dst, "%s: %ux%u SG copy of %zu bytes%s", what, sh->nb_src, sh->nb_dst,
		total, reverse ? ", destination segments in falling order" : "");
	gbuf_reset(dst);
}

/* Split total into n random lengths (zeros allowed when zeros). */
static void
split(uint32_t *len, uint16_t n, uint32_t total, bool zeros)
{
	uint32_t cuts[MAX_SEG + 1], t;
	uint16_t i, j;

	cuts[0] = 0;
	for (i = 1; i < n; i++)
		cuts[i] = (uint32_t)test_rand_range(0, total);
	cuts[n] = total;
	/* Sort the inner cuts (n is small). */
	for (i = 1; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (cuts[j] < cuts[i]) {
				t = cuts[i];
				cuts[i] = cuts[j];
				cuts[j] = t;
			}
	for (i = 0; i < n; i++)
		len[i] = cuts[i + 1] - cuts[i];
	if (!zeros)
		for (i = 0; i < n; i++)
			if (len[i] == 0) {
				/* Borrow a byte from the largest segment. */
				uint16_t big = 0;

				for (j = 1; j < n; j++)
					if (len[j] > len[big])
						big = j;
				if (len[big] > 1) {
					len[big]--;
					len[i]++;
				}
			}
}

static void
fixed_shapes(int16_t dev, const char *what)
{
	static const struct shape fixed[] = {
		{ 3, 5, { 1, 4093, 60 }, { 100, 2000, 54, 1000, 1000 } },
		{ 5, 3, { 100, 2000, 54, 1000, 1000 }, { 1, 4093, 60 } },
		{ 1, 1, { 1 }, { 1 } },
		{ 1, 1, { 65536 + 17 }, { 65536 + 17 } },
		{ 1, 16, { 16 * 1000 + 3 },
			{ 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000,
			  1000, 1000, 1000, 1000, 1000, 1000, 1000, 1003 } },
		{ 16, 1, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, { 136 } },
		{ 16, 16, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
			{ 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 } },
		{ 16, 16, { 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096,
			    4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096 },
			  { 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096,
			    4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096 } },
		{ 2, 2, { 0, 100 }, { 100, 0 } },
		{ 3, 3, { 50, 0, 50 }, { 0, 100, 0 } },
		{ 1, 1, { 0 }, { 0 } },
		{ 2, 3, { 70000, 70000 }, { 1, 139998, 1 } },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(fixed); i++) {
		sg_case(dev, &fixed[i], false, what);
		sg_case(dev, &fixed[i], true, what);
	}
}

static void
random_shapes(int16_t dev, unsigned int nb, const char *what)
{
	unsigned int i;

	for (i = 0; i < nb; i++) {
		struct shape sh;
		uint32_t total;

		sh.nb_src = (uint16_t)test_rand_range(1, MAX_SEG);
		sh.nb_dst = (uint16_t)test_rand_range(1, MAX_SEG);
		/* Mostly small, sometimes past the 64 KiB non-temporal threshold. */
		total = (uint32_t)(i % 10 == 9 ? test_rand_range(65536, 150000) :
			test_rand_range(0, 20000));
		split(sh.src_len, sh.nb_src, total, i % 3 == 0);
		split(sh.dst_len, sh.nb_dst, total, i % 4 == 0);
		sg_case(dev, &sh, i % 2 == 1, what);
	}
}

static void
refused(int16_t dev)
{
	struct rte_dma_sge s[MAX_SEG + 1], d[MAX_SEG + 1];
	unsigned int i;
	int id;

	test_section("malformed SG copies are refused at enqueue");
	for (i = 0; i <= MAX_SEG; i++) {
		s[i] = (struct rte_dma_sge){ gbuf_iova(src, i * 100), 10 };
		d[i] = (struct rte_dma_sge){ gbuf_iova(dst, i * 100), 10 };
	}
	id = rte_dma_copy_sg(dev, 0, s, d, 1, 1, RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT(id >= 0, "good copy");
	gbuf_expect_copy(dst, 0, src, 0, 10);
	swdev_reap_ok(dev, 0, 1, (uint16_t)id);

	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 2, 1, 0), -EINVAL, "20 bytes into 10");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 1, 2, 0), -EINVAL, "10 bytes into 20");
	d[0].length = 9;
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 1, 1, 0), -EINVAL, "10 bytes into 9");
	d[0].length = 10;
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 0, 1, 0), -EINVAL, "0 source segments");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 1, 0, 0), -EINVAL,
		"0 destination segments");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 0, 0, 0), -EINVAL, "0 segments");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 17, 17, 0), -EINVAL, "17x17 segments");
	/* Equal totals, so only the count is wrong. */
	s[0].length = 170;
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 1, 17, 0), -EINVAL,
		"17 destination segments");
	s[0].length = 10;
	d[0].length = 170;
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 17, 1, 0), -EINVAL, "17 source segments");
	d[0].length = 10;
	/* Total above 4 GiB - 1 (lengths are 32-bit per segment, not in sum). */
	s[0].length = s[1].length = UINT32_MAX / 2 + 1;
	d[0].length = d[1].length = UINT32_MAX / 2 + 1;
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 2, 2, 0), -EINVAL, "4 GiB in total");

	/* No job id was consumed, nothing was written. */
	for (i = 0; i <= MAX_SEG; i++) {
		s[i] = (struct rte_dma_sge){ gbuf_iova(src, i * 100), 10 };
		d[i] = (struct rte_dma_sge){ gbuf_iova(dst, i * 100), 10 };
	}
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 16, 16, RTE_DMA_OP_FLAG_SUBMIT),
		(uint16_t)(id + 1), "job id after the refused ones");
	for (i = 0; i < MAX_SEG; i++)
		gbuf_expect_copy(dst, i * 100, src, i * 100, 10);
	swdev_reap_ok(dev, 0, 1, (uint16_t)(id + 1));
	GBUF_ASSERT_OK(dst, "after refused SG copies");
	gbuf_reset(dst);
}

/* On a 32-descriptor vchan the SG ring holds 64 entries: two 16x16 copies. */
static void
sg_ring_full(int16_t dev)
{
	struct rte_dma_sge s[MAX_SEG], d[MAX_SEG];
	unsigned int i, lap, n;
	uint16_t next = 0;
	int ret;

	test_section("SG ring exhaustion: -ENOSPC, then room again after completions");
	for (i = 0; i < MAX_SEG; i++) {
		s[i] = (struct rte_dma_sge){ gbuf_iova(src, i * 64), 64 };
		d[i] = (struct rte_dma_sge){ gbuf_iova(dst, 8192 + i * 64), 64 };
	}
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 32, "capacity");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 16, 16, 0), next++, "first 16x16");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 16, 16, 0), next++, "second 16x16");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 16, 16, 0), -ENOSPC, "third 16x16");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 1, 1, 0), -ENOSPC, "even a 1x1");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 30, "descriptors are left");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64, 0), next++,
		"a plain copy still fits");
	gbuf_expect_copy(dst, 0, src, 0, 64);
	for (i = 0; i < MAX_SEG; i++)
		gbuf_expect_copy(dst, 8192 + i * 64, src, i * 64, 64);
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	swdev_reap_ok(dev, 0, 3, (uint16_t)(next - 1));
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 16, 16, RTE_DMA_OP_FLAG_SUBMIT), next++,
		"16x16 after completions");
	swdev_reap_ok(dev, 0, 1, (uint16_t)(next - 1));
	GBUF_ASSERT_OK(dst, "SG ring exhaustion");

	/* 1x1 copies use 2 entries each: the descriptor ring and the SG ring
	 * fill together, at exactly 32.
	 */
	for (n = 0; (ret = rte_dma_copy_sg(dev, 0, s, d, 1, 1, 0)) >= 0; n++)
		TEST_ASSERT_EQUAL(ret, next++, "1x1 job id");
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "full");
	TEST_ASSERT_EQUAL(n, 32, "1x1 SG copies fitting a 32-descriptor ring");
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	swdev_reap_ok(dev, 0, 32, (uint16_t)(next - 1));

	/* Many laps of the SG ring with 15x13-entry copies: segment lists
	 * wrap around the ring's end at every offset.
	 */
	for (lap = 0; lap < 200; lap++) {
		uint16_t ns = 15, nd = 13;

		gbuf_reset(dst);
		for (i = 0; i < ns; i++)
			s[i] = (struct rte_dma_sge){ gbuf_iova(src, lap * 7 + i * 97), 13 };
		for (i = 0; i < nd; i++)
			d[i] = (struct rte_dma_sge){ gbuf_iova(dst, 1000 + i * 50), 15 };
		for (n = 0; (ret = rte_dma_copy_sg(dev, 0, s, d, ns, nd, 0)) >= 0; n++)
			TEST_ASSERT_EQUAL(ret, next++, "lap %u: job id", lap);
		TEST_ASSERT_EQUAL(ret, -ENOSPC, "lap %u: full", lap);
		TEST_ASSERT_EQUAL(n, 2, "lap %u: 28-entry copies fitting 64 entries", lap);
		TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
		swdev_reap_ok(dev, 0, (uint16_t)n, (uint16_t)(next - 1));
		/* 195 bytes: stream of 15 x 13 into 13 x 15. */
		for (i = 0; i < 195; i++)
			dst->shadow[dst->guard + 1000 + (i / 15) * 50 + i % 15] =
				src->shadow[src->guard + lap * 7 + (i / 13) * 97 + i % 13];
		GBUF_ASSERT_OK(dst, "SG ring lap %u", lap);
	}
	gbuf_reset(dst);
}

static void
device_cases(const char *name, const char *devargs, const char *what, unsigned int nb_random)
{
	int16_t dev;

	test_section("%s: fixed and %u random shapes", what, nb_random);
	dev = swdev_open(name, devargs, 1, 256);
	fixed_shapes(dev, what);
	random_shapes(dev, nb_random, what);
	swdev_destroy(name);
}

int
main(int argc, char **argv)
{
	static const char *const eal_extra[] = { "--force-max-simd-bitwidth=512", NULL };
	const struct test_opts opts = {
		.name = "dma_sw_sg", .timeout_s = 60, .eal_extra = eal_extra,
	};
	int16_t dev;

	test_eal_init(argc, argv, &opts);
	test_srand(0x5e6);
	src = gbuf_alloc("src", 1, BUF_LEN);
	dst = gbuf_alloc("dst", 2, BUF_LEN);

	device_cases("dma_sw_sg0", NULL, "default device", 600);
	device_cases("dma_sw_sg1", "nt_threshold=64,kernel=sse2",
		"sse2, non-temporal from 64", 200);
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) == 1)
		device_cases("dma_sw_sg2", "nt_threshold=64,kernel=avx2",
			"avx2, non-temporal from 64", 200);
	else
		printf("  avx2 kernel not tested: this CPU lacks AVX2\n");
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) == 1 &&
			rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW) == 1)
		device_cases("dma_sw_sg3", "nt_threshold=64,kernel=avx512",
			"avx512, non-temporal from 64", 200);
	else
		printf("  avx512 kernel not tested: this CPU lacks AVX-512F/BW\n");

	dev = swdev_open("dma_sw_sg4", NULL, 1, 256);
	refused(dev);
	swdev_destroy("dma_sw_sg4");
	dev = swdev_open("dma_sw_sg5", NULL, 1, 32);
	sg_ring_full(dev);
	swdev_destroy("dma_sw_sg5");

	gbuf_free(src);
	gbuf_free(dst);
	return test_done();
}
