/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * ocopy_mem_register() over addresses that a memseg list reserves but
 * holds no memory at. With hugepages, EAL reserves each list's whole VA
 * range at init (16 GiB for 2 MiB pages) and allocates pages in it as it
 * needs them: such an address is in a memseg list, yet nothing is behind
 * it, and an engine told to write there faults (dma_sw's worker took
 * SIGSEGV: the library mapped a 256 MiB range running past a 4 KiB
 * buffer). Each range that reaches a page holding no memory is refused
 * (-EINVAL), maps nothing and leaves the counters as they were; the range
 * up to that page is accepted.
 *
 * Hugepages, so that the list has such pages (--no-huge backs the whole of
 * its one list); skipped where none is free. A strict dma_sw device, the
 * mappings' witness.
 */

#include <inttypes.h>
#include <string.h>

#include <rte_fbarray.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "ocopy.h"

#include "ocopy_dev.h"
#include "sw_dev.h"
#include "test.h"

static struct ocopy *oc;

static void
expect_maps(uint64_t maps, uint64_t unmaps, uint32_t segments, const char *what)
{
	struct ocopy_map_stats st;

	TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc, 0, &st), "map stats");
	TEST_ASSERT(st.maps == maps && st.unmaps == unmaps && st.segments == segments &&
		st.errors == 0,
		"%s: maps %" PRIu64 " unmaps %" PRIu64 " segments %u errors %" PRIu64
		", expected %" PRIu64 " %" PRIu64 " %u 0", what, st.maps, st.unmaps,
		st.segments, st.errors, maps, unmaps, segments);
}

int
main(int argc, char **argv)
{
	static const struct test_opts opts = {
		.name = "ocopy_unbacked",
		.hugepages = true,
	};
	const struct rte_memseg_list *msl;
	uintptr_t base, hole_va;
	uint8_t *buf;
	int first, hole, id;

	test_eal_init(argc, argv, &opts);
	swdev_create_worker("dma_sw_unb", "domain=strict");
	oc = ocdev_create("engines=dma_sw_unb,policy=engine");
	buf = rte_malloc("unbacked_buf", 4096, 4096);
	TEST_ASSERT(buf != NULL, "buffer");
	msl = rte_mem_virt2memseg_list(buf);
	TEST_ASSERT(msl != NULL && !msl->external, "the buffer's memseg list");
	base = (uintptr_t)msl->base_va;
	first = (int)(((uintptr_t)buf - base) / msl->page_sz);
	hole = rte_fbarray_find_next_free((struct rte_fbarray *)(uintptr_t)&msl->memseg_arr,
		first);
	if (hole < 0)
		test_skip("no free page in the buffer's memseg list after it");
	hole_va = base + (uintptr_t)hole * msl->page_sz;
	printf("buffer %p: list [0x%" PRIxPTR ", 0x%" PRIxPTR "), %" PRIu64
		" KiB pages, the first free one after it at 0x%" PRIxPTR "\n", buf, base,
		base + msl->len, msl->page_sz >> 10, hole_va);

	test_section("a range up to the first page with no memory: accepted");
	id = ocopy_mem_register(oc, buf, hole_va - (uintptr_t)buf);
	TEST_ASSERT(id >= 0, "register up to the hole: %d", id);
	expect_maps(1, 0, 1, "up to the hole");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id), "unregister");
	expect_maps(1, 1, 0, "unregistered");

	test_section("a range reaching a page with no memory: refused, nothing mapped");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, buf, hole_va + 1 - (uintptr_t)buf),
		-EINVAL, "one byte into the hole");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, buf, (size_t)256 << 20), -EINVAL,
		"256 MiB from a 4 KiB buffer");
	TEST_ASSERT_EQUAL(ocopy_mem_register(oc, (void *)hole_va, 4096), -EINVAL,
		"inside the hole");
	expect_maps(1, 1, 0, "refused");

	/* The buffer itself still registers. */
	id = ocopy_mem_register(oc, buf, 4096);
	TEST_ASSERT(id >= 0, "register the buffer: %d", id);
	expect_maps(2, 1, 1, "the buffer");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, id), "unregister");

	ocopy_destroy(oc);
	rte_free(buf);
	return test_done();
}
