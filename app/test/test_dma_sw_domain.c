/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw protection domain: which memory the engine may touch.
 *
 * domain=strict: only ranges mapped with rte_dev_dma_map(). A copy, fill
 * or SG copy whose source or destination (or any single SG segment:
 * first, middle, last) lies outside them, or straddles the end or the
 * start of a mapped range by one byte, completes with INVALID_SRC_ADDR /
 * INVALID_DST_ADDR and writes nothing (guards and destination intact).
 * After the map the same operations succeed; after the unmap they fail
 * again. Zero-length operations touch nothing and succeed anywhere.
 *
 * domain=eal (default): rte_malloc and memzone memory work; libc malloc()
 * memory is refused; rte_extmem_register()ed memory, registered after the
 * probe, is accepted (strict: refused until mapped) and refused again once
 * unregistered; an operation running past the end of EAL memory by one
 * byte is refused.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_dmadev.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define LEN		8192
#define EXT_LEN		(64 * 1024)
#define PATTERN		0x5c4b3a2918070605ULL	/* bytes below 0xe0: never guard-like */

static const uint64_t SUCCESS = RTE_DMA_STATUS_SUCCESSFUL;
static const uint64_t BAD_SRC = RTE_DMA_STATUS_INVALID_SRC_ADDR;
static const uint64_t BAD_DST = RTE_DMA_STATUS_INVALID_DST_ADDR;

static struct gbuf *src, *dst, *other;

static void
map_data(struct rte_device *rdev, struct gbuf *b)
{
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, b->data, gbuf_iova(b, 0), b->len),
		"map %s: rte_errno %d", b->name, rte_errno);
}

static void
unmap_data(struct rte_device *rdev, struct gbuf *b)
{
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, b->data, gbuf_iova(b, 0), b->len),
		"unmap %s: rte_errno %d", b->name, rte_errno);
}

static void
check_all(const char *what)
{
	GBUF_ASSERT_OK(src, "%s", what);
	GBUF_ASSERT_OK(dst, "%s", what);
	GBUF_ASSERT_OK(other, "%s", what);
}

/* A copy, a fill and an SG copy from src to dst must all end with the
 * given statuses (fill has only a destination) and, when refused, write
 * nothing.
 */
static void
three_ops(int16_t dev, uint64_t copy_st, uint64_t fill_st, const char *when)
{
	struct rte_dma_sge s[2] = {
		{ .addr = gbuf_iova(src, 10), .length = 100 },
		{ .addr = gbuf_iova(src, 4000), .length = 200 },
	};
	struct rte_dma_sge d[1] = { { .addr = gbuf_iova(dst, 2000), .length = 300 } };

	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 1000, 0),
		copy_st, "copy %s", when);
	if (copy_st == SUCCESS)
		gbuf_expect_copy(dst, 0, src, 0, 1000);
	SWDEV_ASSERT_STATUS(swdev_fill1(dev, 0, PATTERN, gbuf_iova(dst, 1000), 999, 0),
		fill_st, "fill %s", when);
	if (fill_st == SUCCESS)
		gbuf_expect_fill(dst, 1000, PATTERN, 999);
	SWDEV_ASSERT_STATUS(swdev_sg1(dev, 0, s, 2, d, 1, 0), copy_st, "copy_sg %s", when);
	if (copy_st == SUCCESS) {
		gbuf_expect_copy(dst, 2000, src, 10, 100);
		gbuf_expect_copy(dst, 2100, src, 4000, 200);
	}
	check_all(when);
}

/* One source or destination range that must be refused. */
struct bad_range {
	const char *what;
	struct gbuf **buf;
	ssize_t off;
	uint32_t len;
};

static void
strict_edges(int16_t dev)
{
	const struct bad_range bad[] = {
		{ "straddles the end by 1 byte", &src, LEN - 63, 64 },
		{ "straddles the start by 1 byte", &src, -1, 64 },
		{ "one byte past the end", &src, LEN, 1 },
		{ "one byte before the start", &src, -1, 1 },
		{ "covers the range and 1 byte more", &src, 0, LEN + 1 },
		{ "unmapped buffer", &other, 0, 64 },
	};
	unsigned int i;

	test_section("strict: ranges past a mapped range's edges are refused");
	/* The edges themselves are in. */
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), LEN, 0),
		SUCCESS, "whole mapped range");
	gbuf_expect_copy(dst, 0, src, 0, LEN);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, LEN - 1), gbuf_iova(dst, LEN - 1),
		1, 0), SUCCESS, "last byte of the mapped range");
	gbuf_expect_copy(dst, LEN - 1, src, LEN - 1, 1);
	check_all("edges");
	gbuf_reset(dst);

	for (i = 0; i < RTE_DIM(bad); i++) {
		const struct bad_range *b = &bad[i];
		/* The same range, seen from the destination's side. */
		struct gbuf *as_dst = *b->buf == src ? dst : other;

		SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(*b->buf, b->off),
			gbuf_iova(dst, 0), b->len, 0), BAD_SRC, "copy, source %s", b->what);
		/* (A source longer than the mapped range would fail first.) */
		if (b->len <= LEN)
			SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0),
				gbuf_iova(as_dst, b->off), b->len, 0), BAD_DST,
				"copy, destination %s", b->what);
		SWDEV_ASSERT_STATUS(swdev_fill1(dev, 0, PATTERN, gbuf_iova(as_dst, b->off),
			b->len, 0), BAD_DST, "fill, destination %s", b->what);
		check_all(b->what);
	}
}

/* Each of the three source and three destination segments made bad in
 * turn: the whole SG copy is refused and no segment is written, not even
 * those before the bad one.
 */
static void
strict_sg(int16_t dev)
{
	static const char *const pos[] = { "first", "middle", "last" };
	struct rte_dma_sge s[3], d[3];
	unsigned int side, k, kind;

	test_section("strict: one bad SG segment (first/middle/last) refuses the whole copy");
	for (side = 0; side < 2; side++) {
		for (k = 0; k < 3; k++) {
			for (kind = 0; kind < 2; kind++) {
				struct rte_dma_sge *seg = side == 0 ? &s[k] : &d[k];
				struct gbuf *b = side == 0 ? src : dst;

				s[0] = (struct rte_dma_sge){ gbuf_iova(src, 0), 1000 };
				s[1] = (struct rte_dma_sge){ gbuf_iova(src, 3000), 1000 };
				s[2] = (struct rte_dma_sge){ gbuf_iova(src, 6000), 1000 };
				d[0] = (struct rte_dma_sge){ gbuf_iova(dst, 100), 1000 };
				d[1] = (struct rte_dma_sge){ gbuf_iova(dst, 3100), 1000 };
				d[2] = (struct rte_dma_sge){ gbuf_iova(dst, 6100), 1000 };
				/* Straddle the end by one byte, or lie in unmapped memory. */
				seg->addr = kind == 0 ? gbuf_iova(b, LEN - 999) :
					gbuf_iova(other, 0);
				SWDEV_ASSERT_STATUS(swdev_sg1(dev, 0, s, 3, d, 3, 0),
					side == 0 ? BAD_SRC : BAD_DST,
					"%s %s segment %s", pos[k],
					side == 0 ? "source" : "destination",
					kind == 0 ? "straddling the end" : "unmapped");
				check_all("bad SG segment");
			}
		}
	}
	/* And all six good. */
	SWDEV_ASSERT_STATUS(swdev_sg1(dev, 0, s, 3, d, 3, 0), BAD_DST, "last one still bad");
	d[2] = (struct rte_dma_sge){ gbuf_iova(dst, 6100), 1000 };
	SWDEV_ASSERT_STATUS(swdev_sg1(dev, 0, s, 3, d, 3, 0), SUCCESS, "all segments mapped");
	gbuf_expect_copy(dst, 100, src, 0, 1000);
	gbuf_expect_copy(dst, 3100, src, 3000, 1000);
	gbuf_expect_copy(dst, 6100, src, 6000, 1000);
	check_all("good SG");
	gbuf_reset(dst);
}

static void
zero_length(int16_t dev, struct gbuf *unmapped)
{
	struct rte_dma_sge s = { gbuf_iova(unmapped, 0), 0 }, d = { gbuf_iova(unmapped, 64), 0 };

	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(unmapped, 0), gbuf_iova(unmapped, 64),
		0, 0), SUCCESS, "zero-length copy outside the domain");
	SWDEV_ASSERT_STATUS(swdev_fill1(dev, 0, PATTERN, gbuf_iova(unmapped, 0), 0, 0), SUCCESS,
		"zero-length fill outside the domain");
	SWDEV_ASSERT_STATUS(swdev_sg1(dev, 0, &s, 1, &d, 1, 0), SUCCESS,
		"zero-length SG copy outside the domain");
	GBUF_ASSERT_OK(unmapped, "zero-length operations");
}

/* mmap'd, page-aligned memory that the caller registers with EAL. */
static void *
ext_alloc(void)
{
	void *p = mmap(NULL, EXT_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap %u bytes", EXT_LEN);
	return p;
}

static void
test_strict(void)
{
	const char *name = "dma_sw_strict";
	struct rte_device *rdev;
	struct gbuf *ext;
	void *ext_mem;
	int16_t dev;

	dev = swdev_open(name, "domain=strict", 1, 64);
	rdev = swdev_device(name);
	src = gbuf_alloc("src", 1, LEN);
	dst = gbuf_alloc("dst", 2, LEN);
	other = gbuf_alloc("other", 3, LEN);

	test_section("strict: nothing mapped, everything refused");
	three_ops(dev, BAD_SRC, BAD_DST, "with nothing mapped");
	zero_length(dev, other);

	test_section("strict: source mapped only");
	map_data(rdev, src);
	three_ops(dev, BAD_DST, BAD_DST, "with the source mapped only");

	test_section("strict: source and destination mapped");
	map_data(rdev, dst);
	three_ops(dev, SUCCESS, SUCCESS, "with both mapped");
	gbuf_reset(dst);
	strict_edges(dev);
	strict_sg(dev);

	test_section("strict: unmapped again, refused again");
	unmap_data(rdev, src);
	three_ops(dev, BAD_SRC, SUCCESS, "after unmapping the source");
	unmap_data(rdev, dst);
	three_ops(dev, BAD_SRC, BAD_DST, "after unmapping both");
	map_data(rdev, src);
	map_data(rdev, dst);
	three_ops(dev, SUCCESS, SUCCESS, "mapped once more");
	gbuf_reset(dst);

	test_section("strict: external memory is refused until mapped");
	ext_mem = ext_alloc();
	TEST_ASSERT_SUCCESS(rte_extmem_register(ext_mem, EXT_LEN, NULL, 0, 4096),
		"rte_extmem_register: %s", rte_strerror(rte_errno));
	ext = gbuf_wrap("ext", 4, ext_mem, EXT_LEN);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(ext, 0), gbuf_iova(dst, 0), 512, 0),
		BAD_SRC, "registered, not mapped");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(ext, 0), 512, 0),
		BAD_DST, "registered, not mapped");
	GBUF_ASSERT_OK(ext, "registered, not mapped");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, ext_mem, (uintptr_t)ext_mem, EXT_LEN),
		"map external memory: rte_errno %d", rte_errno);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(ext, 0), gbuf_iova(dst, 0), 512, 0),
		SUCCESS, "registered and mapped");
	gbuf_expect_copy(dst, 0, ext, 0, 512);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(ext, 100), 512, 0),
		SUCCESS, "registered and mapped");
	gbuf_expect_copy(ext, 100, src, 0, 512);
	GBUF_ASSERT_OK(ext, "mapped");
	check_all("external memory mapped");
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, ext_mem, (uintptr_t)ext_mem, EXT_LEN),
		"unmap external memory: rte_errno %d", rte_errno);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(ext, 0), 512, 0),
		BAD_DST, "registered, unmapped again");
	GBUF_ASSERT_OK(ext, "unmapped again");
	TEST_ASSERT_SUCCESS(rte_extmem_unregister(ext_mem, EXT_LEN), "rte_extmem_unregister");
	gbuf_free(ext);
	munmap(ext_mem, EXT_LEN);

	unmap_data(rdev, src);
	unmap_data(rdev, dst);
	gbuf_free(src);
	gbuf_free(dst);
	gbuf_free(other);
	swdev_destroy(name);
}

struct eal_end {
	uint64_t end;	/* highest end of a contiguous run of EAL memory */
};

static int
find_end(const struct rte_memseg_list *msl, const struct rte_memseg *ms, size_t len,
		void *arg)
{
	struct eal_end *e = arg;

	if (!msl->external && (uintptr_t)ms->addr + len > e->end)
		e->end = (uintptr_t)ms->addr + len;
	return 0;
}

static void
test_eal(void)
{
	const char *name = "dma_sw_eal";
	struct gbuf *mz, *heap, *ext;
	uint8_t saved[64], *last;
	struct eal_end e = { 0 };
	void *heap_mem, *ext_mem;
	int16_t dev;

	dev = swdev_open(name, NULL, 1, 64);
	src = gbuf_alloc("src", 1, LEN);
	dst = gbuf_alloc("dst", 2, LEN);
	other = gbuf_alloc("other", 3, LEN);

	test_section("eal: rte_malloc and memzone memory work");
	three_ops(dev, SUCCESS, SUCCESS, "rte_malloc memory");
	mz = gbuf_alloc_memzone("memzone", 4, LEN);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(mz, 10), 4000, 0),
		SUCCESS, "into a memzone");
	gbuf_expect_copy(mz, 10, src, 0, 4000);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(mz, 0), gbuf_iova(other, 0), 4000, 0),
		SUCCESS, "out of a memzone");
	gbuf_expect_copy(other, 0, mz, 0, 4000);
	GBUF_ASSERT_OK(mz, "memzone");
	check_all("memzone");
	gbuf_free(mz);

	test_section("eal: libc malloc() memory is refused");
	heap_mem = malloc(LEN + 2 * GBUF_GUARD);
	TEST_ASSERT(heap_mem != NULL, "malloc");
	heap = gbuf_wrap("libc", 5, heap_mem, LEN + 2 * GBUF_GUARD);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(heap, 0), gbuf_iova(dst, 0), 64, 0),
		BAD_SRC, "from libc memory");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(heap, 0), 64, 0),
		BAD_DST, "into libc memory");
	SWDEV_ASSERT_STATUS(swdev_fill1(dev, 0, PATTERN, gbuf_iova(heap, 0), 64, 0),
		BAD_DST, "fill of libc memory");
	GBUF_ASSERT_OK(heap, "libc memory");
	check_all("libc memory");
	zero_length(dev, heap);
	gbuf_free(heap);
	free(heap_mem);

	test_section("eal: one byte past the end of EAL memory is refused");
	rte_memseg_contig_walk(find_end, &e);
	TEST_ASSERT(e.end != 0, "no EAL memory found");
	last = (uint8_t *)(uintptr_t)(e.end - 63);
	memcpy(saved, last, 63);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, e.end - 63, gbuf_iova(dst, 0), 64, 0),
		BAD_SRC, "source straddles the end of EAL memory");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), e.end - 63, 64, 0),
		BAD_DST, "destination straddles the end of EAL memory");
	TEST_ASSERT(memcmp(saved, last, 63) == 0, "refused copy wrote the end of EAL memory");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, e.end - 64, gbuf_iova(dst, 0), 64, 0),
		SUCCESS, "source ends with EAL memory");
	memcpy(dst->shadow + dst->guard, (void *)(uintptr_t)(e.end - 64), 64);
	check_all("end of EAL memory");
	gbuf_reset(dst);

	test_section("eal: extmem registered after the probe: accepted until unregistered");
	ext_mem = ext_alloc();
	ext = gbuf_wrap("ext", 4, ext_mem, EXT_LEN);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(ext, 0), 512, 0),
		BAD_DST, "before rte_extmem_register");
	GBUF_ASSERT_OK(ext, "before registration");
	TEST_ASSERT_SUCCESS(rte_extmem_register(ext_mem, EXT_LEN, NULL, 0, 4096),
		"rte_extmem_register: %s", rte_strerror(rte_errno));
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(ext, 0), gbuf_iova(dst, 0), 512, 0),
		SUCCESS, "from registered external memory");
	gbuf_expect_copy(dst, 0, ext, 0, 512);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(ext, ext->len - 4000),
		4000, 0), SUCCESS, "into registered external memory, to the end of its data");
	gbuf_expect_copy(ext, ext->len - 4000, src, 0, 4000);
	SWDEV_ASSERT_STATUS(swdev_fill1(dev, 0, PATTERN, gbuf_iova(ext, 10), 900, 0),
		SUCCESS, "fill of registered external memory");
	gbuf_expect_fill(ext, 10, PATTERN, 900);
	GBUF_ASSERT_OK(ext, "registered");
	check_all("registered external memory");
	/* Past the end of the registered area. */
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0),
		(uintptr_t)ext_mem + EXT_LEN - 10, 11, 0), BAD_DST,
		"straddles the end of registered external memory");
	TEST_ASSERT_SUCCESS(rte_extmem_unregister(ext_mem, EXT_LEN), "rte_extmem_unregister");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(ext, 0), 512, 0),
		BAD_DST, "after rte_extmem_unregister");
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(ext, 0), gbuf_iova(dst, 0), 512, 0),
		BAD_SRC, "after rte_extmem_unregister");
	GBUF_ASSERT_OK(ext, "unregistered");
	check_all("unregistered external memory");
	gbuf_free(ext);
	munmap(ext_mem, EXT_LEN);

	gbuf_free(src);
	gbuf_free(dst);
	gbuf_free(other);
	swdev_destroy(name);
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = { .name = "dma_sw_domain", .timeout_s = 60 };

	test_eal_init(argc, argv, &opts);
	test_strict();
	test_eal();
	return test_done();
}
