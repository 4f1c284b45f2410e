/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * ocopy_mem_register*() and the IOMMU mappings behind them, proved on
 * dma_sw devices in strict domain mode: such a device touches only memory
 * mapped for it with rte_dev_dma_map(), refuses a map that overlaps one it
 * has (EEXIST) and an unmap that does not match one map exactly. So:
 *   - a copy through the library into registered memory runs; into
 *     unregistered memory it completes with an error and writes nothing
 *     (guard bytes); after the unregister the same copy fails again;
 *   - the device state is probed behind the library's back: a direct
 *     rte_dev_dma_map() of a range succeeds only if nothing there is
 *     mapped (nothing leaked), an unmap + map of exactly (va, len)
 *     succeeds only if that is one whole mapping (exact segments);
 *   - the counters of struct ocopy_map_stats are checked after every step:
 *     how many rte_dev_dma_map() calls each registration cost.
 * Covered: ranges, overlapping ranges (reference counts, both unregister
 * orders), a failure half-way (rolled back on every engine), invalid
 * arguments, external memory (also registered by a second instance, each
 * instance's registration ids its own), a
 * mempool populated from several memzones,
 * a VA range overlapping a mempool, a 512 MiB mempool (one map per
 * device), a device that needs no maps (dma_skeleton, when loadable) and
 * ocopy_destroy() with registrations still held.
 *
 * EAL gets 1 GiB (-m 1024, still --no-huge: 4 KiB pages) for the 512 MiB
 * mempool. Service workers only: three devices share the service lcore.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_memzone.h>

#include "ocopy.h"

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define NB_ENG		3
#define LEN		8192
#define KIB		((size_t)1024)
#define MIB		(1024 * KIB)
#define PG		((size_t)4096)

static const char *const dev_names[NB_ENG] = {
	"dma_sw_ocm0", "dma_sw_ocm1", "dma_sw_ocm2",
};

static struct ocopy *oc;
static struct ocopy_queue *q;
static int16_t dev[NB_ENG];
static struct rte_device *rdev[NB_ENG];
static struct gbuf *src, *dst, *other;
static int id_src = -1, id_dst = -1;

/* ---- counters ------------------------------------------------------ */

struct snap {
	struct ocopy_map_stats st[NB_ENG];
};

static void
snap_take(struct snap *s)
{
	uint16_t e;

	for (e = 0; e < NB_ENG; e++)
		TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc, e, &s->st[e]), "engine %u", e);
}

/* Since b, engine e made maps and unmaps calls and errors failed ones; it
 * now holds segs more segments and bytes more bytes.
 */
static void
expect_eng(const struct snap *b, uint16_t e, int64_t maps, int64_t unmaps,
		int64_t errors, int64_t segs, int64_t bytes, const char *what)
{
	struct ocopy_map_stats now;

	TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc, e, &now), "engine %u", e);
	TEST_ASSERT(now.needs_map, "%s: engine %u says it needs no maps", what, e);
	TEST_ASSERT_EQUAL((int64_t)(now.maps - b->st[e].maps), maps,
		"%s: maps on engine %u", what, e);
	TEST_ASSERT_EQUAL((int64_t)(now.unmaps - b->st[e].unmaps), unmaps,
		"%s: unmaps on engine %u", what, e);
	TEST_ASSERT_EQUAL((int64_t)(now.errors - b->st[e].errors), errors,
		"%s: errors on engine %u", what, e);
	TEST_ASSERT_EQUAL((int64_t)now.segments - (int64_t)b->st[e].segments, segs,
		"%s: segments on engine %u", what, e);
	TEST_ASSERT_EQUAL((int64_t)(now.mapped_bytes - b->st[e].mapped_bytes), bytes,
		"%s: mapped bytes on engine %u", what, e);
}

/* The same on every engine. */
static void
expect_all(const struct snap *b, int64_t maps, int64_t unmaps, int64_t segs,
		int64_t bytes, const char *what)
{
	uint16_t e;

	for (e = 0; e < NB_ENG; e++)
		expect_eng(b, e, maps, unmaps, 0, segs, bytes, what);
}

/* ---- device state, probed directly --------------------------------- */

/* Nothing of [addr, addr + len) is mapped on engine e's device. */
static void
dev_assert_unmapped_on(uint16_t e, const void *addr, size_t len, const char *what)
{
	void *a = (void *)(uintptr_t)addr;
	int ret;

	ret = rte_dev_dma_map(rdev[e], a, (uintptr_t)a, len);
	TEST_ASSERT(ret == 0, "%s: [%p, +%zu) is (partly) still mapped on %s: %s",
		what, addr, len, dev_names[e], rte_strerror(rte_errno));
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev[e], a, (uintptr_t)a, len),
		"%s: undo the probe map", what);
}

static void
dev_assert_unmapped(const void *addr, size_t len, const char *what)
{
	uint16_t e;

	for (e = 0; e < NB_ENG; e++)
		dev_assert_unmapped_on(e, addr, len, what);
}

/* [addr, addr + len) is exactly one mapping on engine e's device. */
static void
dev_assert_exact_on(uint16_t e, const void *addr, size_t len, const char *what)
{
	void *a = (void *)(uintptr_t)addr;

	TEST_ASSERT(rte_dev_dma_unmap(rdev[e], a, (uintptr_t)a, len) == 0,
		"%s: [%p, +%zu) is not one whole mapping on %s: %s", what, addr,
		len, dev_names[e], rte_strerror(rte_errno));
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev[e], a, (uintptr_t)a, len),
		"%s: map [%p, +%zu) back on %s", what, addr, len, dev_names[e]);
}

static void
dev_assert_exact(const void *addr, size_t len, const char *what)
{
	uint16_t e;

	for (e = 0; e < NB_ENG; e++)
		dev_assert_exact_on(e, addr, len, what);
}

/* ---- copies through the library ------------------------------------ */

struct done {
	bool fired;
	uint16_t status;
};

static void
on_done(void *arg, uint16_t status)
{
	struct done *d = arg;

	d->fired = true;
	d->status = status;
}

/* One copy to completion on an engine; its status. */
static enum rte_dma_status_code
oc_copy1(void *to, const void *from, uint32_t len, const char *what)
{
	struct ocopy_queue_stats before, after;
	uint64_t deadline = test_deadline(SWDEV_WAIT_MS);
	struct done d = { 0 };
	int ret;

	TEST_ASSERT_SUCCESS(ocopy_queue_stats_get(q, &before), "stats");
	ret = ocopy_copy(q, to, from, len, on_done, &d, OCOPY_F_FLUSH);
	TEST_ASSERT(ret >= 0, "%s: ocopy_copy refused: %d", what, ret);
	while (!d.fired) {
		ocopy_poll(q, 16);
		if (test_expired(deadline))
			TEST_FAIL_NOW("%s: no completion after %u ms", what, SWDEV_WAIT_MS);
	}
	TEST_ASSERT_SUCCESS(ocopy_queue_stats_get(q, &after), "stats");
	TEST_ASSERT_EQUAL(after.engine - before.engine, 1,
		"%s: the copy did not run on an engine", what);
	return (enum rte_dma_status_code)d.status;
}

#define COPY_OK(to, from, len, what) \
	SWDEV_ASSERT_STATUS(oc_copy1((to), (from), (len), (what)), \
		RTE_DMA_STATUS_SUCCESSFUL, "%s", (what))
#define COPY_BAD_DST(to, from, len, what) \
	SWDEV_ASSERT_STATUS(oc_copy1((to), (from), (len), (what)), \
		RTE_DMA_STATUS_INVALID_DST_ADDR, "%s", (what))
#define COPY_BAD_SRC(to, from, len, what) \
	SWDEV_ASSERT_STATUS(oc_copy1((to), (from), (len), (what)), \
		RTE_DMA_STATUS_INVALID_SRC_ADDR, "%s", (what))

/* ---- sections ------------------------------------------------------ */

static void
test_range(void)
{
	struct snap s;

	test_section("a registered range is reachable, nothing else is");
	snap_take(&s);
	COPY_BAD_SRC(dst->data, src->data, LEN, "from memory not registered");
	GBUF_ASSERT_OK(dst, "copy from unregistered memory");

	id_src = ocopy_mem_register(oc, src->data, LEN);
	TEST_ASSERT(id_src >= 0, "register src: %d", id_src);
	id_dst = ocopy_mem_register(oc, dst->data, LEN);
	TEST_ASSERT(id_dst >= 0 && id_dst != id_src, "register dst: %d", id_dst);
	expect_all(&s, 2, 0, 2, 2 * LEN, "two ranges");
	dev_assert_exact(src->data, LEN, "src");
	dev_assert_exact(dst->data, LEN, "dst");

	COPY_OK(dst->data, src->data, LEN, "registered to registered");
	gbuf_expect_copy(dst, 0, src, 0, LEN);
	GBUF_ASSERT_OK(dst, "registered copy");
	COPY_BAD_DST(other->data, src->data, LEN, "into memory not registered");
	GBUF_ASSERT_OK(other, "copy into unregistered memory");
	COPY_BAD_DST(dst->data - 64, src->data, 128, "into dst's leading guard");
	COPY_BAD_DST(dst->data + LEN - 64, src->data, 128, "past dst's end");
	GBUF_ASSERT_OK(dst, "copies across dst's edges");

	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id_dst), "unregister dst");
	expect_all(&s, 2, 1, 1, LEN, "dst unregistered");
	dev_assert_unmapped(dst->data, LEN, "dst unregistered");
	gbuf_reset(dst);
	COPY_BAD_DST(dst->data, src->data, LEN, "into dst after its unregister");
	GBUF_ASSERT_OK(dst, "copy after the unregister");
	TEST_ASSERT_EQUAL(ocopy_mem_unregister(oc, id_dst), -ENOENT, "unregister twice");
	id_dst = ocopy_mem_register(oc, dst->data, LEN);
	TEST_ASSERT(id_dst >= 0, "register dst again: %d", id_dst);
	COPY_OK(dst->data, src->data, 4096, "into dst registered again");
	gbuf_expect_copy(dst, 0, src, 0, 4096);
	GBUF_ASSERT_OK(dst, "registered again");
	gbuf_reset(dst);
	expect_all(&s, 3, 1, 2, 2 * LEN, "dst registered again");
	/* src and dst stay registered for the sections below. */
}

static void
test_invalid(void)
{
	struct rte_mempool *empty;
	struct ocopy_map_stats st;
	struct snap s;
	void *libc, *mm;

	test_section("invalid arguments change nothing");
	snap_take(&s);
	libc = malloc(LEN);
	TEST_ASSERT(libc != NULL, "malloc");
	mm = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mm != MAP_FAILED, "mmap");

	TEST_ASSERT_EQUAL(ocopy_mem_register(NULL, src->data, LEN), -EINVAL, "NULL instance");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, NULL, LEN), -EINVAL, "NULL address");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, other->data, 0), -EINVAL, "zero length");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, other->data, SIZE_MAX), -EINVAL,
		"a range wrapping around");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, libc, LEN), -EINVAL, "libc memory");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, mm, 4 * PG), -EINVAL,
		"mmap memory not registered with EAL");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, other->data, (size_t)1 << 46), -EINVAL,
		"a range running out of EAL memory");
	TEST_ASSERT_EQUAL(ocopy_mem_register_mempool(NULL, NULL), -EINVAL, "NULL instance");
	TEST_ASSERT_EQUAL(ocopy_mem_register_mempool(oc, NULL), -EINVAL, "NULL mempool");
	empty = rte_mempool_create_empty("ocm_empty", 64, 2048, 0, 0, SOCKET_ID_ANY, 0);
	TEST_ASSERT(empty != NULL, "empty mempool: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(ocopy_mem_register_mempool(oc, empty), -EINVAL,
		"a mempool with no memory");
	rte_mempool_free(empty);
	TEST_ASSERT_EQUAL(ocopy_mem_register_external(NULL, mm, 4 * PG, PG), -EINVAL,
		"NULL instance");
	TEST_ASSERT_EQUAL(ocopy_mem_register_external(oc, NULL, 4 * PG, PG), -EINVAL,
		"NULL address");
	TEST_ASSERT_EQUAL(ocopy_mem_register_external(oc, mm, 0, PG), -EINVAL, "zero length");
	TEST_ASSERT_EQUAL(ocopy_mem_register_external(oc, (uint8_t *)mm + 100, 2 * PG, PG),
		-EINVAL, "not page aligned");
	TEST_ASSERT(rte_mem_virt2memseg_list(mm) == NULL,
		"a refused external registration left memory registered with EAL");
	TEST_ASSERT_EQUAL(ocopy_mem_register_external(oc, src->data, (size_t)1 << 40, PG),
		-EINVAL, "partly EAL memory");
	TEST_ASSERT_EQUAL(ocopy_mem_unregister(NULL, id_src), -EINVAL, "NULL instance");
	TEST_ASSERT_EQUAL(ocopy_mem_unregister(oc, -1), -ENOENT, "id -1");
	TEST_ASSERT_EQUAL(ocopy_mem_unregister(oc, 123456), -ENOENT, "unknown id");
	TEST_ASSERT_EQUAL(ocopy_map_stats_get(oc, NB_ENG, &st), -EINVAL, "engine out of range");
	TEST_ASSERT_EQUAL(ocopy_map_stats_get(oc, 0, NULL), -EINVAL, "NULL stats");
	TEST_ASSERT_EQUAL(ocopy_map_stats_get(NULL, 0, &st), -EINVAL, "NULL instance");

	expect_all(&s, 0, 0, 0, 0, "invalid arguments");
	COPY_OK(dst->data, src->data, LEN, "src and dst still registered");
	gbuf_expect_copy(dst, 0, src, 0, LEN);
	GBUF_ASSERT_OK(dst, "after invalid arguments");
	gbuf_reset(dst);
	munmap(mm, 4 * PG);
	free(libc);
}

/* Overlapping registrations share segments. X is a 256 KiB buffer:
 *   r1 [  0, 64K)   new segment [0, 64K)
 *   r2 [16K, 96K)   new [64K, 96K), shares [0, 64K)
 *   r3 [ 8K, 24K)   shares [0, 64K): no map
 *   r4 [96K,128K)   new [96K, 128K) (adjacent: not merged with a mapped one)
 *   r5 [  0,160K)   new [128K, 160K), shares the three others
 * Four maps per device, whatever the unregister order, four unmaps.
 */
static void
overlap_round(uint8_t *x, bool forward)
{
	static const size_t off[5] = { 0, 16 * KIB, 8 * KIB, 96 * KIB, 0 };
	static const size_t len[5] = { 64 * KIB, 80 * KIB, 16 * KIB, 32 * KIB, 160 * KIB };
	struct snap s;
	int id[5], i, total = 0;
	char what[64];

	snap_take(&s);
	for (i = 0; i < 5; i++) {
		id[i] = ocopy_mem_register(oc, x + off[i], len[i]);
		TEST_ASSERT(id[i] >= 0, "register r%d: %d", i + 1, id[i]);
	}
	expect_all(&s, 4, 0, 4, 160 * KIB, "five overlapping ranges");
	dev_assert_exact(x, 64 * KIB, "segment [0, 64K)");
	dev_assert_exact(x + 64 * KIB, 32 * KIB, "segment [64K, 96K)");
	dev_assert_exact(x + 96 * KIB, 32 * KIB, "segment [96K, 128K)");
	dev_assert_exact(x + 128 * KIB, 32 * KIB, "segment [128K, 160K)");
	dev_assert_unmapped(x + 160 * KIB, 96 * KIB, "past r5");
	COPY_OK(x + 150 * KIB, src->data, 1024, "into r5's own segment");

	if (forward) {
		/* r1: [0,64K) still used by r2 r3 r5 -> 0; r5: [128K,160K) -> 1;
		 * r3: [0,64K) still r2 -> 0; r2: [0,64K) [64K,96K) -> 2; r4 -> 1.
		 */
		static const int order[5] = { 0, 4, 2, 1, 3 };
		static const int unmaps[5] = { 0, 1, 0, 2, 1 };
		static const size_t left[5] = {
			160 * KIB, 128 * KIB, 128 * KIB, 32 * KIB, 0,
		};

		for (i = 0; i < 5; i++) {
			snprintf(what, sizeof(what), "unregister r%d (forward)", order[i] + 1);
			TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id[order[i]]), "%s", what);
			total += unmaps[i];
			expect_all(&s, 4, total, 4 - total, (int64_t)left[i], what);
			if (i == 0)
				COPY_OK(x + 8 * KIB, src->data, 1024,
					"r1 gone: [0, 64K) shared by r2 r3 r5 stays mapped");
		}
	} else {
		/* r5: [128K,160K) -> 1; r4 -> 1; r3: r1 r2 left -> 0;
		 * r2: [64K,96K) -> 1; r1: [0,64K) -> 1.
		 */
		static const int unmaps[5] = { 1, 1, 0, 1, 1 };
		static const size_t left[5] = {
			128 * KIB, 96 * KIB, 96 * KIB, 64 * KIB, 0,
		};

		for (i = 4; i >= 0; i--) {
			snprintf(what, sizeof(what), "unregister r%d (reverse)", i + 1);
			TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id[i]), "%s", what);
			total += unmaps[4 - i];
			expect_all(&s, 4, total, 4 - total, (int64_t)left[4 - i], what);
		}
	}
	TEST_ASSERT_EQUAL(total, 4, "every map undone once");
	dev_assert_unmapped(x, 256 * KIB, "all five gone");
}

static void
test_overlap(void)
{
	uint8_t *x = rte_malloc("ocm_overlap", 256 * KIB, PG);

	TEST_ASSERT(x != NULL, "rte_malloc");
	test_section("overlapping ranges share segments (r1 unregistered first)");
	overlap_round(x, true);
	test_section("overlapping ranges share segments (r5 unregistered first)");
	overlap_round(x, false);
	rte_free(x);
}

/* A map fails on the last engine after the others succeeded: everything
 * the registration did is undone, what existed before is untouched.
 */
static void
test_rollback(void)
{
	uint8_t *y = rte_malloc("ocm_rollback", 128 * KIB, PG);
	void *pre = y + 100 * KIB;
	struct snap s;
	int a, b, id;
	uint16_t e;

	TEST_ASSERT(y != NULL, "rte_malloc");
	test_section("a map failing half-way is rolled back");
	a = ocopy_mem_register(oc, y, 16 * KIB);
	b = ocopy_mem_register(oc, y + 32 * KIB, 16 * KIB);
	TEST_ASSERT(a >= 0 && b >= 0, "register the shared parts: %d %d", a, b);
	/* Someone else mapped 4 KiB inside on the last device only. */
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev[NB_ENG - 1], pre, (uintptr_t)pre, 4 * KIB),
		"premap on %s", dev_names[NB_ENG - 1]);

	/* New segments [16K, 32K) and [48K, 128K): engines 0 and 1 map both,
	 * the last maps the first and fails on the second.
	 */
	snap_take(&s);
	id = ocopy_mem_register(oc, y, 128 * KIB);
	TEST_ASSERT_EQUAL(id, -EEXIST, "register over the premap");
	for (e = 0; e < NB_ENG - 1; e++)
		expect_eng(&s, e, 2, 2, 0, 0, 0, "rolled back");
	expect_eng(&s, NB_ENG - 1, 1, 1, 1, 0, 0, "rolled back (failing engine)");
	for (e = 0; e < NB_ENG; e++) {
		dev_assert_unmapped_on(e, y + 16 * KIB, 16 * KIB, "gap 1 after the rollback");
		if (e < NB_ENG - 1) {
			dev_assert_unmapped_on(e, y + 48 * KIB, 80 * KIB,
				"gap 2 after the rollback");
		} else {
			dev_assert_unmapped_on(e, y + 48 * KIB, 52 * KIB,
				"gap 2 up to the premap after the rollback");
			dev_assert_unmapped_on(e, y + 104 * KIB, 24 * KIB,
				"gap 2 after the premap after the rollback");
			dev_assert_exact_on(e, pre, 4 * KIB, "the premap");
		}
	}
	dev_assert_exact(y, 16 * KIB, "shared segment a");
	dev_assert_exact(y + 32 * KIB, 16 * KIB, "shared segment b");
	COPY_OK(y + 40 * KIB, src->data, 1024, "into b after the rollback");

	/* Their reference counts were not touched: one unmap each. */
	snap_take(&s);
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, a), "unregister a");
	expect_all(&s, 0, 1, -1, -16 * (int64_t)KIB, "a after the rollback");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, b), "unregister b");
	expect_all(&s, 0, 2, -2, -32 * (int64_t)KIB, "b after the rollback");
	dev_assert_unmapped_on(0, y, 128 * KIB, "a and b gone");

	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev[NB_ENG - 1], pre, (uintptr_t)pre, 4 * KIB),
		"remove the premap");
	snap_take(&s);
	id = ocopy_mem_register(oc, y, 128 * KIB);
	TEST_ASSERT(id >= 0, "register once the premap is gone: %d", id);
	expect_all(&s, 1, 0, 1, 128 * KIB, "whole buffer");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id), "unregister");
	expect_all(&s, 1, 1, 0, 0, "whole buffer gone");
	dev_assert_unmapped(y, 128 * KIB, "end of rollback");
	rte_free(y);
}

static void
test_external(void)
{
	const size_t len = 2 * MIB;
	const struct rte_memseg_list *msl;
	struct gbuf *ext;
	struct snap s;
	uint8_t *mem;
	int id, sub;

	test_section("external memory: registered with EAL and mapped, then undone");
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	ext = gbuf_wrap("ext", 4, mem, len);
	snap_take(&s);

	COPY_BAD_DST(ext->data, src->data, LEN, "into external memory not registered");
	GBUF_ASSERT_OK(ext, "not registered");
	id = ocopy_mem_register_external(oc, mem, len, PG);
	TEST_ASSERT(id >= 0, "register external: %d", id);
	msl = rte_mem_virt2memseg_list(mem);
	TEST_ASSERT(msl != NULL && msl->external, "not registered with EAL");
	expect_all(&s, 1, 0, 1, len, "external memory");
	dev_assert_exact(mem, len, "external memory");
	COPY_OK(ext->data + 1000, src->data, LEN, "into external memory");
	gbuf_expect_copy(ext, 1000, src, 0, LEN);
	COPY_OK(dst->data, ext->data + 5000, LEN, "from external memory");
	gbuf_expect_copy(dst, 0, ext, 5000, LEN);
	GBUF_ASSERT_OK(ext, "registered");
	GBUF_ASSERT_OK(dst, "registered");
	gbuf_reset(dst);

	/* A second registration inside keeps memory and segment alive. */
	sub = ocopy_mem_register(oc, mem + 64 * KIB, 64 * KIB);
	TEST_ASSERT(sub >= 0, "register a range of it: %d", sub);
	expect_all(&s, 1, 0, 1, len, "a range inside: no map");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id), "unregister external");
	expect_all(&s, 1, 0, 1, len, "external gone, range inside left");
	TEST_ASSERT(rte_mem_virt2memseg_list(mem) != NULL,
		"EAL registration undone while a segment still lies in it");
	COPY_OK(ext->data + 64 * KIB, src->data, 1024, "into the range still registered");
	gbuf_expect_copy(ext, 64 * KIB, src, 0, 1024);
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, sub), "unregister the range inside");
	expect_all(&s, 1, 1, 0, 0, "all gone");
	TEST_ASSERT(rte_mem_virt2memseg_list(mem) == NULL,
		"the library's rte_extmem_register() was not undone");
	COPY_BAD_DST(ext->data, src->data, LEN, "into external memory after its unregister");
	GBUF_ASSERT_OK(ext, "after the unregister");

	test_section("external memory the application registered stays registered");
	TEST_ASSERT_SUCCESS(rte_extmem_register(mem, len, NULL, 0, PG), "rte_extmem_register");
	id = ocopy_mem_register_external(oc, mem, len, PG);
	TEST_ASSERT(id >= 0, "register external: %d", id);
	expect_all(&s, 2, 1, 1, len, "already registered with EAL");
	COPY_OK(ext->data, src->data, LEN, "into it");
	gbuf_expect_copy(ext, 0, src, 0, LEN);
	GBUF_ASSERT_OK(ext, "application's external memory");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id), "unregister");
	expect_all(&s, 2, 2, 0, 0, "unregistered");
	TEST_ASSERT(rte_mem_virt2memseg_list(mem) != NULL,
		"the application's rte_extmem_register() was undone by the library");
	COPY_BAD_DST(ext->data, src->data, LEN, "after the unregister");
	GBUF_ASSERT_OK(ext, "after the unregister");
	TEST_ASSERT_SUCCESS(rte_extmem_unregister(mem, len), "rte_extmem_unregister");
	gbuf_free(ext);
	munmap(mem, len);
}

/*
 * Two instances register the same external memory: the first brings it to
 * EAL, the second finds it known there. Whichever unregisters first, EAL
 * keeps the memory until the other's segment is unmapped: without it, the
 * other's unmap fails (DPDK refuses memory it does not know) and its
 * engine keeps a mapping of memory nobody registered.
 */
static void
test_external_shared(void)
{
	const size_t len = 2 * MIB;
	struct ocopy_map_stats st;
	struct ocopy_queue *q1 = q;
	struct rte_device *rd2;
	struct ocopy_conf conf;
	struct ocopy *oc2;
	struct gbuf *ext;
	unsigned int order;
	int16_t d2;
	uint8_t *mem;
	int a, b, s2;

	test_section("external memory registered by two instances");
	d2 = swdev_create("dma_sw_ocm_b", "domain=strict");
	rd2 = swdev_device("dma_sw_ocm_b");
	ocopy_conf_init(&conf);
	conf.name = "ocm_b";
	conf.nb_engines = 1;
	conf.engines[0] = d2;
	conf.policy = OCOPY_POLICY_ENGINE;
	conf.threshold = 64;
	conf.split_threshold = UINT32_MAX;
	conf.degrade_errors = 1000000;
	oc2 = ocopy_create(&conf);
	TEST_ASSERT(oc2 != NULL, "second instance: %s", rte_strerror(rte_errno));
	s2 = ocopy_mem_register(oc2, src->data, LEN);
	TEST_ASSERT(s2 >= 0, "src on the second instance: %d", s2);

	/*
	 * An id is one instance's: given to another, it finds nothing there
	 * (each instance numbered its own from 0, and the second's first id
	 * removed the first instance's registration 0, src's, unmapping it).
	 */
	a = ocopy_mem_register(oc, src->data, LEN);
	TEST_ASSERT(a >= 0 && a != s2, "src again on the first instance: %d (%d on the second)",
		a, s2);
	TEST_ASSERT_EQUAL(ocopy_mem_unregister(oc, s2), -ENOENT,
		"the second instance's id on the first");
	TEST_ASSERT_EQUAL(ocopy_mem_unregister(oc2, a), -ENOENT,
		"the first instance's id on the second");
	TEST_ASSERT_EQUAL(ocopy_mem_unregister(oc, id_src), 0, "src's first registration");
	TEST_ASSERT_EQUAL(ocopy_mem_unregister(oc, a), 0, "src's second one");
	id_src = ocopy_mem_register(oc, src->data, LEN);
	TEST_ASSERT(id_src >= 0, "src on the first instance: %d", id_src);
	TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc2, 0, &st), "stats");
	TEST_ASSERT(st.unmaps == 0 && st.segments == 1,
		"the second instance kept src: unmaps %" PRIu64 ", segments %u",
		st.unmaps, st.segments);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	ext = gbuf_wrap("ext2", 5, mem, len);

	/* 0: the instance that brought it to EAL unregisters first; 1: last. */
	for (order = 0; order < 2; order++) {
		a = ocopy_mem_register_external(oc, mem, len, PG);
		TEST_ASSERT(a >= 0, "first instance: %d", a);
		b = ocopy_mem_register_external(oc2, mem, len, PG);
		TEST_ASSERT(b >= 0, "second instance: %d", b);
		TEST_ASSERT_SUCCESS(ocopy_mem_unregister(order == 0 ? oc : oc2,
			order == 0 ? a : b), "unregister on one");
		TEST_ASSERT(rte_mem_virt2memseg_list(mem) != NULL,
			"order %u: EAL forgot the memory the other instance still maps", order);
		/* The one left still copies into it. */
		q = ocopy_queue_get(order == 0 ? oc2 : oc, 0);
		COPY_OK(ext->data + 4096, src->data, LEN, "into it, on the instance left");
		q = q1;
		gbuf_expect_copy(ext, 4096, src, 0, LEN);
		GBUF_ASSERT_OK(ext, "copy on the instance left");
		gbuf_reset(ext);
		TEST_ASSERT_SUCCESS(ocopy_mem_unregister(order == 0 ? oc2 : oc,
			order == 0 ? b : a), "unregister on the other");
		TEST_ASSERT(rte_mem_virt2memseg_list(mem) == NULL,
			"order %u: the library's rte_extmem_register() outlived both", order);
		TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc2, 0, &st), "stats");
		TEST_ASSERT(st.errors == 0 && st.unmaps == order + 1,
			"order %u: second instance: unmaps %" PRIu64 ", errors %" PRIu64,
			order, st.unmaps, st.errors);
		/* Nothing left on either device (probed with the memory known). */
		TEST_ASSERT_SUCCESS(rte_extmem_register(mem, len, NULL, 0, PG), "probe");
		dev_assert_unmapped(mem, len, "after both unregistered");
		TEST_ASSERT(rte_dev_dma_map(rd2, mem, (uintptr_t)mem, len) == 0,
			"order %u: still mapped on the second instance's device: %s",
			order, rte_strerror(rte_errno));
		TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rd2, mem, (uintptr_t)mem, len),
			"undo the probe");
		TEST_ASSERT_SUCCESS(rte_extmem_unregister(mem, len), "probe done");
	}
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc2, s2), "src off the second instance");
	ocopy_destroy(oc2);
	swdev_destroy("dma_sw_ocm_b");
	gbuf_free(ext);
	munmap(mem, len);
}

struct chunk {
	uintptr_t va;
	size_t len;
};

struct chunks {
	struct chunk c[16];
	unsigned int nb;
};

static void
chunk_cb(struct rte_mempool *mp, void *opaque, struct rte_mempool_memhdr *hdr,
		unsigned int idx)
{
	struct chunks *cs = opaque;

	RTE_SET_USED(mp);
	RTE_SET_USED(idx);
	if (cs->nb < RTE_DIM(cs->c))
		cs->c[cs->nb++] = (struct chunk){ (uintptr_t)hdr->addr, hdr->len };
}

static int
chunk_cmp(const void *a, const void *b)
{
	const struct chunk *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/* Runs of VA-contiguous chunks, sorted: what the library should map. */
static unsigned int
chunk_runs(struct rte_mempool *mp, struct chunks *runs)
{
	struct chunks cs = { .nb = 0 };
	unsigned int i;

	rte_mempool_mem_iter(mp, chunk_cb, &cs);
	qsort(cs.c, cs.nb, sizeof(cs.c[0]), chunk_cmp);
	runs->nb = 0;
	for (i = 0; i < cs.nb; i++) {
		struct chunk *last = runs->nb ? &runs->c[runs->nb - 1] : NULL;

		if (last != NULL && last->va + last->len == cs.c[i].va)
			last->len += cs.c[i].len;
		else
			runs->c[runs->nb++] = cs.c[i];
	}
	return runs->nb;
}

/* A mempool over three memzones; one of them given in two halves. */
static void
test_mempool_multi(void)
{
	const struct rte_memzone *mz[3];
	struct rte_mempool *mp;
	struct chunks runs;
	struct snap s;
	uint8_t *lo, *hi;
	size_t gap, r_len;
	int id, r, ret;
	unsigned int i;

	test_section("a mempool over several memzones");
	for (i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ocm_mz%u", i);
		mz[i] = rte_memzone_reserve_aligned(name, MIB, SOCKET_ID_ANY, 0, PG);
		TEST_ASSERT(mz[i] != NULL, "memzone %u: %s", i, rte_strerror(rte_errno));
		printf("  memzone %u: [%p, %p)\n", i, mz[i]->addr,
			(uint8_t *)mz[i]->addr + mz[i]->len);
	}
	mp = rte_mempool_create_empty("ocm_multi", 4096, 2048, 0, 0, SOCKET_ID_ANY, 0);
	TEST_ASSERT(mp != NULL, "mempool: %s", rte_strerror(rte_errno));
	TEST_ASSERT_SUCCESS(rte_mempool_set_ops_byname(mp, "ring_mp_mc", NULL), "ops");
	/* Two adjacent chunks from the halves of memzone 0 (populate_iova),
	 * one from memzone 1 (populate_virt, 4 KiB pages: IOVA as VA makes
	 * it one chunk), one from memzone 2.
	 */
	ret = rte_mempool_populate_iova(mp, mz[0]->addr, mz[0]->iova, MIB / 2, NULL, NULL);
	TEST_ASSERT(ret > 0, "populate mz0 first half: %d", ret);
	ret = rte_mempool_populate_iova(mp, (char *)mz[0]->addr + MIB / 2,
		mz[0]->iova + MIB / 2, MIB / 2, NULL, NULL);
	TEST_ASSERT(ret > 0, "populate mz0 second half: %d", ret);
	ret = rte_mempool_populate_virt(mp, mz[1]->addr, MIB, PG, NULL, NULL);
	TEST_ASSERT(ret > 0, "populate mz1: %d", ret);
	ret = rte_mempool_populate_iova(mp, mz[2]->addr, mz[2]->iova, MIB, NULL, NULL);
	TEST_ASSERT(ret > 0, "populate mz2: %d", ret);
	TEST_ASSERT_EQUAL(mp->nb_mem_chunks, 4, "chunks");

	/* Separately reserved memzones are never VA-contiguous: the heap puts
	 * a malloc element header (and alignment padding) before each. So
	 * three runs: memzone 0 (its two halves coalesced), 1 and 2.
	 */
	TEST_ASSERT_EQUAL(chunk_runs(mp, &runs), 3, "VA-contiguous runs of chunks");
	for (i = 0; i < runs.nb; i++)
		printf("  run %u: [0x%" PRIxPTR ", 0x%" PRIxPTR ") %zu KiB\n", i,
			runs.c[i].va, runs.c[i].va + runs.c[i].len, runs.c[i].len / KIB);

	snap_take(&s);
	id = ocopy_mem_register_mempool(oc, mp);
	TEST_ASSERT(id >= 0, "register the mempool: %d", id);
	expect_all(&s, 3, 0, 3, 3 * MIB, "4 chunks in 3 runs");
	for (i = 0; i < 3; i++)
		dev_assert_exact(mz[i]->addr, MIB, "a memzone is one segment");
	ocopy_dump(oc, stdout);

	test_section("a VA range overlapping a registered mempool");
	/* From the last 64 KiB of the lowest run, over the gap, to the first
	 * 64 KiB of the next run: only the gap is new.
	 */
	lo = (uint8_t *)(runs.c[0].va + runs.c[0].len);
	hi = (uint8_t *)runs.c[1].va;
	gap = hi - lo;
	r_len = gap + 128 * KIB;
	printf("  gap between runs 0 and 1: %zu bytes\n", gap);
	TEST_ASSERT(gap > 0 && gap < MIB, "unexpected layout");
	r = ocopy_mem_register(oc, lo - 64 * KIB, r_len);
	TEST_ASSERT(r >= 0, "register the range: %d", r);
	expect_all(&s, 4, 0, 4, 3 * MIB + gap, "range over the gap");
	dev_assert_exact(lo, gap, "the gap is the only new segment");
	COPY_OK(lo - 1024, src->data, 1024, "into the mempool part of the range");

	/* The mempool first: only the run the range does not touch goes. */
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id), "unregister the mempool");
	expect_all(&s, 4, 1, 3, 2 * MIB + gap, "mempool gone, range left");
	dev_assert_unmapped((void *)runs.c[2].va, runs.c[2].len, "untouched run gone");
	COPY_OK(lo - 1024, src->data, 1024, "its segment is still mapped for the range");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, r), "unregister the range");
	expect_all(&s, 4, 4, 0, 0, "both gone");
	for (i = 0; i < 3; i++)
		dev_assert_unmapped(mz[i]->addr, MIB, "both gone");
	dev_assert_unmapped(lo, gap, "both gone");

	/* The other order: the range first, only the gap goes. */
	id = ocopy_mem_register_mempool(oc, mp);
	r = ocopy_mem_register(oc, lo - 64 * KIB, r_len);
	TEST_ASSERT(id >= 0 && r >= 0, "register again: %d %d", id, r);
	expect_all(&s, 8, 4, 4, 3 * MIB + gap, "registered again");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, r), "unregister the range");
	expect_all(&s, 8, 5, 3, 3 * MIB, "range gone, mempool left");
	dev_assert_unmapped(lo, gap, "the gap went with the range");
	for (i = 0; i < 3; i++)
		dev_assert_exact(mz[i]->addr, MIB, "the mempool's segments stay");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id), "unregister the mempool");
	expect_all(&s, 8, 8, 0, 0, "both gone");

	rte_mempool_free(mp);
	for (i = 0; i < 3; i++)
		rte_memzone_free(mz[i]);
}

struct obj_range {
	uintptr_t lo;
	uintptr_t hi;
	unsigned int n;
};

static void
obj_cb(struct rte_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	struct obj_range *r = opaque;

	RTE_SET_USED(idx);
	r->lo = RTE_MIN(r->lo, (uintptr_t)obj);
	r->hi = RTE_MAX(r->hi, (uintptr_t)obj + mp->elt_size);
	r->n++;
}

/* The target: 512 MiB of mempool costs one map per device. */
static void
test_mempool_big(void)
{
	const unsigned int nb_obj = 256;
	const uint32_t obj_sz = 2 * MIB;
	struct obj_range objs = { .lo = UINTPTR_MAX, .hi = 0, .n = 0 };
	struct rte_mempool *mp;
	struct chunks runs;
	uint64_t t0, t1;
	struct snap s;
	int id;

	test_section("a 512 MiB mempool (%u objects of %u KiB) in one memzone",
		nb_obj, obj_sz / 1024);
	mp = rte_mempool_create("ocm_big", nb_obj, obj_sz, 0, 0, NULL, NULL, NULL, NULL,
		SOCKET_ID_ANY, 0);
	TEST_ASSERT(mp != NULL, "mempool: %s", rte_strerror(rte_errno));
	rte_mempool_obj_iter(mp, obj_cb, &objs);
	TEST_ASSERT_EQUAL(objs.n, nb_obj, "objects");
	TEST_ASSERT_EQUAL(mp->nb_mem_chunks, 1, "one chunk (one memzone)");
	TEST_ASSERT_EQUAL(chunk_runs(mp, &runs), 1, "runs");
	printf("  chunk [0x%" PRIxPTR ", 0x%" PRIxPTR "): %zu bytes, %zu pages of 4 KiB,"
		" %u objects\n", runs.c[0].va, runs.c[0].va + runs.c[0].len,
		runs.c[0].len, runs.c[0].len / PG, nb_obj);

	snap_take(&s);
	t0 = rte_get_timer_cycles();
	id = ocopy_mem_register_mempool(oc, mp);
	t1 = rte_get_timer_cycles();
	TEST_ASSERT(id >= 0, "register: %d", id);
	expect_all(&s, 1, 0, 1, (int64_t)runs.c[0].len, "512 MiB mempool");
	printf("  registered in %.1f us: 1 map per device (%u devices), instead of %u"
		" (one per object) or %zu (one per page)\n",
		(double)(t1 - t0) * 1e6 / rte_get_timer_hz(), NB_ENG, nb_obj,
		runs.c[0].len / PG);
	dev_assert_exact((void *)runs.c[0].va, runs.c[0].len, "the whole chunk is one map");
	COPY_OK(dst->data, (void *)(objs.lo), LEN, "from the first object");
	memcpy(dst->shadow + dst->guard, (void *)objs.lo, LEN);
	COPY_OK(dst->data, (void *)(objs.hi - LEN), LEN, "from the end of the last object");
	memcpy(dst->shadow + dst->guard, (void *)(objs.hi - LEN), LEN);
	GBUF_ASSERT_OK(dst, "copies from the mempool");
	COPY_OK((void *)(objs.hi - LEN), src->data, LEN, "into the end of the last object");
	TEST_ASSERT(memcmp((void *)(objs.hi - LEN), src->data, LEN) == 0,
		"the last object does not hold the copy");
	gbuf_reset(dst);
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id), "unregister");
	expect_all(&s, 1, 1, 0, 0, "512 MiB mempool gone");
	dev_assert_unmapped((void *)runs.c[0].va, runs.c[0].len, "512 MiB mempool gone");
	COPY_BAD_SRC(dst->data, (void *)objs.lo, LEN, "from the mempool after its unregister");
	GBUF_ASSERT_OK(dst, "after the unregister");
	rte_mempool_free(mp);
}

/* A device whose driver has no dma_map gets no maps and no errors. */
static void
test_no_map_device(void)
{
	struct ocopy_conf conf;
	struct ocopy_map_stats st;
	struct ocopy *oc2;
	int16_t skel;
	int id;

	test_section("an engine that needs no maps (dma_skeleton)");
	if (rte_vdev_init("dma_skeleton_ocm", NULL) != 0) {
		printf("  skipped: no dma_skeleton driver loaded\n");
		return;
	}
	skel = (int16_t)rte_dma_get_dev_id_by_name("dma_skeleton_ocm");
	TEST_ASSERT(skel >= 0, "no dmadev for dma_skeleton_ocm");
	ocopy_conf_init(&conf);
	conf.name = "ocm_skel";
	conf.nb_engines = 1;
	conf.engines[0] = skel;
	conf.policy = OCOPY_POLICY_ENGINE;
	conf.threshold = 64;
	oc2 = ocopy_create(&conf);
	TEST_ASSERT(oc2 != NULL, "instance over dma_skeleton: %s", rte_strerror(rte_errno));
	id = ocopy_mem_register(oc2, other->data, LEN);
	TEST_ASSERT(id >= 0, "register: %d", id);
	TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc2, 0, &st), "stats");
	TEST_ASSERT(!st.needs_map && st.maps == 0 && st.errors == 0 && st.segments == 0,
		"needs_map %d maps %" PRIu64 " errors %" PRIu64 " segments %u",
		st.needs_map, st.maps, st.errors, st.segments);
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc2, id), "unregister");
	TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc2, 0, &st), "stats");
	TEST_ASSERT(st.unmaps == 0 && st.errors == 0, "unmaps %" PRIu64, st.unmaps);
	ocopy_destroy(oc2);
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("dma_skeleton_ocm"), "remove dma_skeleton_ocm");
}

/* ocopy_destroy() undoes whatever is still registered. */
static void
test_destroy(void)
{
	const size_t len = MIB;
	uint8_t *mem, *x;
	int a, b, c;

	test_section("ocopy_destroy() unmaps what is still registered");
	x = rte_malloc("ocm_fini", 64 * KIB, PG);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(x != NULL && mem != MAP_FAILED, "buffers");
	a = ocopy_mem_register(oc, x, 32 * KIB);
	b = ocopy_mem_register(oc, x + 16 * KIB, 48 * KIB);
	c = ocopy_mem_register_external(oc, mem, len, PG);
	TEST_ASSERT(a >= 0 && b >= 0 && c >= 0, "register: %d %d %d", a, b, c);
	ocopy_destroy(oc);
	oc = NULL;
	dev_assert_unmapped(x, 64 * KIB, "after destroy");
	dev_assert_unmapped(src->data, LEN, "after destroy");
	dev_assert_unmapped(dst->data, LEN, "after destroy");
	TEST_ASSERT(rte_mem_virt2memseg_list(mem) == NULL,
		"destroy left the library's rte_extmem_register() in place");
	munmap(mem, len);
	rte_free(x);
}

int
main(int argc, char **argv)
{
	static const char *const eal_extra[] = { "-m", "1024", NULL };
	const struct test_opts opts = {
		.name = "ocopy_map",
		.timeout_s = 120,
		.eal_extra = eal_extra,
	};
	struct ocopy_conf conf;
	uint16_t e;

	test_eal_init(argc, argv, &opts);
	if (test_worker == TEST_WORKER_LCORE)
		test_skip("needs three devices running at once: service workers only");

	src = gbuf_alloc("src", 1, LEN);
	dst = gbuf_alloc("dst", 2, LEN);
	other = gbuf_alloc("other", 3, LEN);
	for (e = 0; e < NB_ENG; e++) {
		dev[e] = swdev_create(dev_names[e], "domain=strict");
		rdev[e] = swdev_device(dev_names[e]);
	}

	ocopy_conf_init(&conf);
	conf.name = "ocm";
	conf.nb_engines = NB_ENG;
	for (e = 0; e < NB_ENG; e++)
		conf.engines[e] = dev[e];
	conf.nb_queues = 1;
	conf.policy = OCOPY_POLICY_ENGINE;
	conf.threshold = 64;			/* every copy here to an engine */
	conf.split_threshold = UINT32_MAX;	/* never partly on the CPU */
	conf.degrade_errors = 1000000;		/* refused copies must not degrade it */
	oc = ocopy_create(&conf);
	TEST_ASSERT(oc != NULL, "ocopy_create: %s", rte_strerror(rte_errno));
	q = ocopy_queue_get(oc, 0);
	TEST_ASSERT(q != NULL, "queue 0");
	for (e = 0; e < NB_ENG; e++) {
		struct ocopy_map_stats st;

		TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc, e, &st), "engine %u", e);
		TEST_ASSERT(st.needs_map && st.maps == 0 && st.segments == 0,
			"engine %u: needs_map %d, maps %" PRIu64 " at start", e,
			st.needs_map, st.maps);
	}

	test_range();
	test_invalid();
	test_overlap();
	test_rollback();
	test_external();
	test_external_shared();
	test_mempool_multi();
	test_mempool_big();
	test_no_map_device();
	test_destroy();

	gbuf_free(src);
	gbuf_free(dst);
	gbuf_free(other);
	return test_done();
}
