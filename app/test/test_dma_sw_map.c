/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * rte_dev_dma_map()/rte_dev_dma_unmap() on dma_sw devices.
 *
 * Every refused call fails with the documented errno and leaves the domain
 * as it was: what was mapped still works, and nothing extra (the bytes
 * around the mapping) became reachable:
 *   duplicate map, overlap at the head / tail / inside / covering: EEXIST
 *   zero length: ENOTSUP (EAL refuses it before the driver)
 *   NULL or non-DPDK (libc) memory: EINVAL (EAL: not in a memseg list)
 *   a range whose IOVA wraps around: EINVAL
 *   unmap of nothing mapped, or twice: ENOENT
 *   partial unmap (head, tail, covering) or with another address: EINVAL
 * Also: adjacent mappings are fine (and coalesce), IOVAs other than the
 * address translate (a software IOMMU), mappings are per device, eal-mode
 * maps must agree with EAL's own translation, and an unmap racing with
 * traffic is clean: after it returns no operation reaches the memory, and
 * each one before either ran fully or wrote nothing.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_dmadev.h>
#include <rte_errno.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define LEN		8192
#define FAR_IOVA	(UINT64_C(1) << 46)	/* no VA in this process: shows translation */

static const uint64_t SUCCESS = RTE_DMA_STATUS_SUCCESSFUL;
static const uint64_t BAD_SRC = RTE_DMA_STATUS_INVALID_SRC_ADDR;
static const uint64_t BAD_DST = RTE_DMA_STATUS_INVALID_DST_ADDR;

static struct gbuf *a, *dst, *other;

#define MAP_FAILS(rdev, addr, iova, len, err, what) do { \
	int r_; \
	rte_errno = 0; \
	r_ = rte_dev_dma_map((rdev), (addr), (iova), (len)); \
	TEST_ASSERT(r_ < 0 && rte_errno == (err), \
		"map %s: returned %d, rte_errno %d (%s), expected errno %d (%s)", (what), \
		r_, rte_errno, strerror(rte_errno), (err), strerror(err)); \
} while (0)

#define UNMAP_FAILS(rdev, addr, iova, len, err, what) do { \
	int r_; \
	rte_errno = 0; \
	r_ = rte_dev_dma_unmap((rdev), (addr), (iova), (len)); \
	TEST_ASSERT(r_ < 0 && rte_errno == (err), \
		"unmap %s: returned %d, rte_errno %d (%s), expected errno %d (%s)", (what), \
		r_, rte_errno, strerror(rte_errno), (err), strerror(err)); \
} while (0)

/* a and dst mapped as they were; the bytes around a's data unreachable. */
static void
domain_intact(int16_t dev, const char *after)
{
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(a, 0), gbuf_iova(dst, 0), LEN, 0),
		SUCCESS, "whole mapping after %s", after);
	gbuf_expect_copy(dst, 0, a, 0, LEN);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(a, -16), gbuf_iova(dst, 0), 16, 0),
		BAD_SRC, "16 bytes before the mapping after %s", after);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(a, LEN), gbuf_iova(dst, 0), 16, 0),
		BAD_SRC, "16 bytes after the mapping after %s", after);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(dst, 0), gbuf_iova(a, -16), 16, 0),
		BAD_DST, "16 bytes before the mapping after %s", after);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(other, 0), gbuf_iova(dst, 0), 16, 0),
		BAD_SRC, "an unmapped buffer after %s", after);
	GBUF_ASSERT_OK(a, "after %s", after);
	GBUF_ASSERT_OK(dst, "after %s", after);
	GBUF_ASSERT_OK(other, "after %s", after);
}

static void
test_errors(int16_t dev, struct rte_device *rdev)
{
	uint8_t *d = a->data;
	rte_iova_t i = gbuf_iova(a, 0);
	void *libc;

	test_section("refused maps leave the domain intact");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, d, i, LEN), "map a");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, dst->data, gbuf_iova(dst, 0), LEN), "map dst");
	domain_intact(dev, "the first maps");

	MAP_FAILS(rdev, d, i, LEN, EEXIST, "duplicate");
	domain_intact(dev, "a duplicate map");
	MAP_FAILS(rdev, d - 16, i - 16, 32, EEXIST, "overlapping the head");
	domain_intact(dev, "a map overlapping the head");
	MAP_FAILS(rdev, d + LEN - 16, i + LEN - 16, 32, EEXIST, "overlapping the tail");
	domain_intact(dev, "a map overlapping the tail");
	MAP_FAILS(rdev, d + 16, i + 16, 32, EEXIST, "inside");
	domain_intact(dev, "a map inside");
	MAP_FAILS(rdev, d - 16, i - 16, LEN + 32, EEXIST, "covering");
	domain_intact(dev, "a covering map");
	MAP_FAILS(rdev, d + LEN - 1, i + LEN - 1, 1, EEXIST, "of the last byte");
	domain_intact(dev, "a map of the last byte");
	MAP_FAILS(rdev, d - 16, i - 16, 0, ENOTSUP, "zero length");
	domain_intact(dev, "a zero-length map");
	MAP_FAILS(rdev, NULL, 0, 4096, EINVAL, "NULL");
	domain_intact(dev, "a map of NULL");
	libc = malloc(LEN);
	TEST_ASSERT(libc != NULL, "malloc");
	MAP_FAILS(rdev, libc, (uintptr_t)libc, LEN, EINVAL, "libc memory");
	domain_intact(dev, "a map of libc memory");
	MAP_FAILS(rdev, other->data, UINT64_MAX - 100, 4096, EINVAL, "IOVA wrapping around");
	domain_intact(dev, "a map wrapping around");

	test_section("refused unmaps leave the domain intact");
	UNMAP_FAILS(rdev, other->data, gbuf_iova(other, 0), LEN, ENOENT, "of nothing mapped");
	domain_intact(dev, "an unmap of nothing");
	UNMAP_FAILS(rdev, d, i, LEN / 2, EINVAL, "of the first half");
	domain_intact(dev, "a partial unmap (head)");
	UNMAP_FAILS(rdev, d + LEN / 2, i + LEN / 2, LEN / 2, EINVAL, "of the second half");
	domain_intact(dev, "a partial unmap (tail)");
	UNMAP_FAILS(rdev, d - 16, i - 16, LEN + 32, EINVAL, "covering the mapping");
	domain_intact(dev, "a covering unmap");
	UNMAP_FAILS(rdev, d - 16, i - 16, 32, EINVAL, "overlapping the head");
	domain_intact(dev, "an unmap overlapping the head");
	UNMAP_FAILS(rdev, other->data, i, LEN, EINVAL, "with another address");
	domain_intact(dev, "an unmap with another address");
	UNMAP_FAILS(rdev, d, i, 0, ENOTSUP, "of zero length");
	domain_intact(dev, "a zero-length unmap");
	UNMAP_FAILS(rdev, libc, (uintptr_t)libc, LEN, EINVAL, "of libc memory");
	domain_intact(dev, "an unmap of libc memory");
	free(libc);

	test_section("adjacent mappings, then unmap and unmap twice");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, d + LEN, i + LEN, 16),
		"a mapping just after another is not an overlap");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, d - 16, i - 16, 16),
		"a mapping just before another is not an overlap");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(a, -16), gbuf_iova(dst, 0), 32, 0),
		SUCCESS, "across two adjacent mappings (head)");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(a, LEN - 16), gbuf_iova(dst, 100), 32,
		0), SUCCESS, "across two adjacent mappings (tail)");
	memcpy(dst->shadow + dst->guard, a->shadow + a->guard - 16, 32);
	memcpy(dst->shadow + dst->guard + 100, a->shadow + a->guard + LEN - 16, 32);
	GBUF_ASSERT_OK(dst, "across adjacent mappings");
	gbuf_reset(dst);
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, d + LEN, i + LEN, 16), "unmap after");
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, d - 16, i - 16, 16), "unmap before");
	domain_intact(dev, "unmapping the adjacent mappings");

	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, d, i, LEN), "unmap a");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, i, gbuf_iova(dst, 0), 16, 0), BAD_SRC,
		"after the unmap");
	UNMAP_FAILS(rdev, d, i, LEN, ENOENT, "twice");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, d, i, LEN), "map a again");
	domain_intact(dev, "mapping again");
	GBUF_ASSERT_OK(dst, "end of errors");
}

/* IOVAs need not be addresses: the engine translates them. */
static void
test_translation(int16_t dev, struct rte_device *rdev)
{
	test_section("an IOVA other than the address translates");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, other->data, FAR_IOVA, LEN), "map at 2^46");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, FAR_IOVA + 100, gbuf_iova(dst, 0), 1000, 0),
		SUCCESS, "from IOVA 2^46 + 100");
	gbuf_expect_copy(dst, 0, other, 100, 1000);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(a, 0), FAR_IOVA + 3000, 1000, 0),
		SUCCESS, "to IOVA 2^46 + 3000");
	gbuf_expect_copy(other, 3000, a, 0, 1000);
	SWDEV_ASSERT_STATUS(swdev_fill1(dev, 0, 0x0102030405060708ULL, FAR_IOVA + LEN - 10, 10, 0),
		SUCCESS, "fill at the end of IOVA 2^46");
	gbuf_expect_fill(other, LEN - 10, 0x0102030405060708ULL, 10);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(other, 0), gbuf_iova(dst, 0), 16, 0),
		BAD_SRC, "the address itself is not mapped");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, FAR_IOVA + LEN - 8, gbuf_iova(dst, 0), 16, 0),
		BAD_SRC, "past the end of IOVA 2^46");
	GBUF_ASSERT_OK(other, "translated");
	GBUF_ASSERT_OK(dst, "translated");
	UNMAP_FAILS(rdev, other->data, gbuf_iova(other, 0), LEN, ENOENT,
		"by address when mapped at another IOVA");
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, other->data, FAR_IOVA, LEN), "unmap 2^46");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, FAR_IOVA, gbuf_iova(dst, 0), 16, 0),
		BAD_SRC, "after the unmap");
	gbuf_reset(dst);
	gbuf_reset(other);
}

/* A mapping on one device opens nothing on another. */
static void
test_per_device(int16_t dev2, struct rte_device *rdev2)
{
	test_section("mappings are per device");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev2, 0, gbuf_iova(a, 0), gbuf_iova(dst, 0), 64, 0),
		BAD_SRC, "a is mapped on the other device only");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev2, a->data, gbuf_iova(a, 0), LEN), "map a on dev2");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev2, 0, gbuf_iova(a, 0), gbuf_iova(dst, 0), 64, 0),
		BAD_DST, "dst is mapped on the other device only");
	GBUF_ASSERT_OK(dst, "per device");
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev2, a->data, gbuf_iova(a, 0), LEN), "unmap");
}

/* Unmap while copies run: each submitted copy either ran whole or wrote
 * nothing; once one is refused, every later one is; every copy submitted
 * after the unmap returned is refused.
 */
static void
test_unmap_under_traffic(int16_t dev, struct rte_device *rdev)
{
	enum { N = 512, CHUNK = 16 };
	enum rte_dma_status_code st[N];
	struct gbuf *big = gbuf_alloc("big", 4, N * CHUNK);
	unsigned int round, i, ran_total = 0;

	test_section("unmap racing with traffic");
	for (round = 0; round < 20; round++) {
		bool refused = false;
		unsigned int ran = 0;

		TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, big->data, gbuf_iova(big, 0), big->len),
			"map big");
		gbuf_reset(dst);
		for (i = 0; i < N; i++)
			TEST_ASSERT(rte_dma_copy(dev, 0, gbuf_iova(big, i * CHUNK),
				gbuf_iova(dst, i * CHUNK % LEN), CHUNK, 0) >= 0, "enqueue %u", i);
		rte_dma_submit(dev, 0);
		TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, big->data, gbuf_iova(big, 0), big->len),
			"unmap big");
		swdev_reap_status(dev, 0, N, st);
		for (i = 0; i < N; i++) {
			if (st[i] == RTE_DMA_STATUS_SUCCESSFUL) {
				TEST_ASSERT(!refused,
					"round %u: copy %u ran after an earlier one was refused",
					round, i);
				ran++;
				gbuf_expect_copy(dst, i * CHUNK % LEN, big, i * CHUNK, CHUNK);
			} else {
				SWDEV_ASSERT_STATUS(st[i], BAD_SRC, "round %u copy %u", round, i);
				refused = true;
			}
		}
		/* Later copies overwrite earlier ones in dst: only the final
		 * picture is checked, which the shadow replays in order.
		 */
		GBUF_ASSERT_OK(dst, "round %u, %u of %u ran before the unmap", round, ran, N);
		for (i = 0; i < 8; i++)
			SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(big, i * CHUNK),
				gbuf_iova(dst, 0), CHUNK, 0), BAD_SRC, "after the unmap returned");
		ran_total += ran;
	}
	printf("  %u of %u copies ran before their unmap\n", ran_total, 20 * N);
	gbuf_free(big);
	gbuf_reset(dst);
}

/* eal mode: a map must translate as EAL does where it overlaps EAL memory. */
static void
test_eal_mode(void)
{
	const char *name = "dma_sw_map_eal";
	struct rte_device *rdev;
	int16_t dev;

	test_section("eal domain: maps consistent with EAL memory");
	dev = swdev_open(name, NULL, 1, 64);
	rdev = swdev_device(name);
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, a->data, gbuf_iova(a, 0), LEN),
		"identity map of EAL memory");
	MAP_FAILS(rdev, a->data, gbuf_iova(other, 0), LEN, EINVAL,
		"of EAL memory at another EAL memory's IOVA");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, other->data, FAR_IOVA, LEN),
		"at an IOVA outside EAL memory");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, FAR_IOVA, gbuf_iova(dst, 0), 64, 0), SUCCESS,
		"through the map");
	gbuf_expect_copy(dst, 0, other, 0, 64);
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, a->data, gbuf_iova(a, 0), LEN), "unmap");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(a, 0), gbuf_iova(dst, 64), 64, 0),
		SUCCESS, "EAL memory stays reachable after the unmap of its identity map");
	gbuf_expect_copy(dst, 64, a, 0, 64);
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, other->data, FAR_IOVA, LEN), "unmap");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, FAR_IOVA, gbuf_iova(dst, 0), 64, 0), BAD_SRC,
		"after the unmap");
	GBUF_ASSERT_OK(dst, "eal mode");
	swdev_destroy(name);
	gbuf_reset(dst);
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = { .name = "dma_sw_map", .timeout_s = 60 };
	struct rte_device *rdev, *rdev2;
	int16_t dev, dev2;

	test_eal_init(argc, argv, &opts);
	if (test_worker == TEST_WORKER_LCORE)
		test_skip("needs two devices running at once: service workers only");

	a = gbuf_alloc("a", 1, LEN);
	dst = gbuf_alloc("dst", 2, LEN);
	other = gbuf_alloc("other", 3, LEN);

	dev = swdev_open("dma_sw_map0", "domain=strict", 1, 1024);
	rdev = swdev_device("dma_sw_map0");
	dev2 = swdev_open("dma_sw_map1", "domain=strict", 1, 64);
	rdev2 = swdev_device("dma_sw_map1");

	test_errors(dev, rdev);
	test_translation(dev, rdev);
	test_per_device(dev2, rdev2);
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, a->data, gbuf_iova(a, 0), LEN), "unmap a");
	test_unmap_under_traffic(dev, rdev);
	swdev_destroy("dma_sw_map0");
	swdev_destroy("dma_sw_map1");
	test_eal_mode();

	gbuf_free(a);
	gbuf_free(dst);
	gbuf_free(other);
	return test_done();
}
