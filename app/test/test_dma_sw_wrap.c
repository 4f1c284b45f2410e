/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw ring and job-id wrap-around.
 *
 * For rings of 32, 1024, 100 (rounded up to 128) and 32768 descriptors, run more
 * than 3 x 65536 copies in random-sized bursts and random-sized reaps, so
 * both the ring index and the 16-bit job id wrap several times:
 *  - job ids are consecutive modulo 2^16, from 0 after each start;
 *  - burst_capacity is exact before and after every enqueue burst and
 *    every reap (ring size - outstanding), and the ring takes exactly that
 *    many operations before -ENOSPC;
 *  - last_idx is the id of the last completion returned, also when a call
 *    returns none (0xffff before the first completion after a start);
 *  - every copy's data is verified when it is reaped, and the destination
 *    buffer (guards included) at the end of each run;
 *  - statistics count every submitted and completed copy.
 */

#include <inttypes.h>
#include <string.h>

#include <rte_dmadev.h>
#include <rte_pause.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define TOTAL		(3 * 65536 + 1000)
#define SLOT		64
#define SRC_LEN		(64 * 1024)

static struct gbuf *src, *dst;

struct run {
	int16_t dev;
	uint16_t cap;
	uint64_t enq;		/* operations enqueued */
	uint64_t done;		/* operations reaped */
	unsigned int nb_slots;
	unsigned int full_tests;
};

/* Copy number seq: a length and a source offset derived from it. */
static uint32_t
op_len(uint64_t seq)
{
	return 1 + (uint32_t)((seq * 31) % SLOT);
}

static size_t
op_src(uint64_t seq)
{
	return (size_t)((seq * 97) % (SRC_LEN - SLOT));
}

static size_t
op_dst(const struct run *r, uint64_t seq)
{
	return (size_t)(seq % r->nb_slots) * SLOT;
}

static void
check_capacity(const struct run *r, const char *when)
{
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(r->dev, 0), r->cap - (r->enq - r->done),
		"ring %u, %s (enqueued %" PRIu64 ", reaped %" PRIu64 ")", r->cap, when,
		r->enq, r->done);
}

/* Enqueue n copies; the last one carries flags (e.g. SUBMIT). */
static void
enqueue(struct run *r, unsigned int n, uint64_t last_flags)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t seq = r->enq;
		int id = rte_dma_copy(r->dev, 0, gbuf_iova(src, op_src(seq)),
			gbuf_iova(dst, op_dst(r, seq)), op_len(seq), i == n - 1 ? last_flags : 0);

		TEST_ASSERT_EQUAL(id, (uint16_t)seq, "ring %u: job id of copy %" PRIu64,
			r->cap, seq);
		gbuf_expect_copy(dst, op_dst(r, seq), src, op_src(seq), op_len(seq));
		r->enq++;
		check_capacity(r, "after a copy");
	}
}

/* Fill the ring to the brim: exactly burst_capacity copies fit. */
static void
enqueue_until_full(struct run *r)
{
	uint16_t room = rte_dma_burst_capacity(r->dev, 0);
	uint64_t seq = r->enq;
	int ret;

	enqueue(r, room, 0);
	check_capacity(r, "full");
	ret = rte_dma_copy(r->dev, 0, gbuf_iova(src, op_src(seq)), gbuf_iova(dst, 0), 8, 0);
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "ring %u: copy into a full ring", r->cap);
	ret = rte_dma_fill(r->dev, 0, 0, gbuf_iova(dst, 0), 8, 0);
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "ring %u: fill into a full ring", r->cap);
	r->full_tests++;
}

static void
verify(const struct run *r, uint64_t seq)
{
	/* The slot may be reused only nb_slots (>= 2 x ring) copies later:
	 * it still holds this copy's bytes when it is reaped.
	 */
	if (memcmp(dst->data + op_dst(r, seq), src->data + op_src(seq), op_len(seq)) != 0)
		TEST_FAIL_NOW("ring %u: copy %" PRIu64 " (job id %u, %u bytes) wrong when reaped",
			r->cap, seq, (uint16_t)seq, op_len(seq));
}

/* Reap exactly want completions, with completed() or completed_status(). */
static void
reap(struct run *r, unsigned int want, bool with_status)
{
	enum rte_dma_status_code st[1024];
	uint64_t deadline = test_deadline(SWDEV_WAIT_MS);
	unsigned int got = 0, i;

	while (got < want) {
		uint16_t last = 0x5555, k;
		bool err = false;

		if (with_status) {
			k = rte_dma_completed_status(r->dev, 0, RTE_MIN(want - got, 1024u),
				&last, st);
			for (i = 0; i < k; i++)
				SWDEV_ASSERT_STATUS(st[i], RTE_DMA_STATUS_SUCCESSFUL,
					"copy %" PRIu64, r->done + i);
		} else {
			k = rte_dma_completed(r->dev, 0, want - got, &last, &err);
			TEST_ASSERT(!err, "ring %u: an error after %" PRIu64 " copies", r->cap,
				r->done);
		}
		TEST_ASSERT(k <= want - got, "ring %u: %u completions for %u asked", r->cap, k,
			want - got);
		for (i = 0; i < k; i++)
			verify(r, r->done + i);
		r->done += k;
		got += k;
		/* The id of the last completion returned, by this call or before. */
		TEST_ASSERT_EQUAL(last, (uint16_t)(r->done - 1),
			"ring %u: last_idx after a call returning %u", r->cap, k);
		if (k == 0) {
			if (test_expired(deadline))
				TEST_FAIL_NOW("ring %u: %u of %u completions after %u ms",
					r->cap, got, want, SWDEV_WAIT_MS);
			rte_pause();
		}
	}
}

static void
run_ring(int16_t dev, uint16_t nb_desc, uint16_t cap)
{
	struct run r = { .dev = dev, .cap = cap, .nb_slots = 2 * cap };
	struct rte_dma_stats stats;
	uint16_t last = 0;
	bool err = false;
	unsigned int iter = 0;

	test_section("ring of %u descriptors (%u usable), %u copies", nb_desc, cap, TOTAL);
	TEST_ASSERT(r.nb_slots * SLOT <= dst->len, "dst too small");
	swdev_configure(dev, 1, nb_desc);
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start");
	gbuf_reset(dst);

	check_capacity(&r, "after start");
	TEST_ASSERT_EQUAL(rte_dma_completed(dev, 0, 4, &last, &err), 0, "nothing done yet");
	TEST_ASSERT_EQUAL(last, 0xffff, "last_idx before the first completion");

	while (r.enq < TOTAL) {
		unsigned int room = cap - (unsigned int)(r.enq - r.done);
		unsigned int outstanding;

		if (iter % 61 == 60 || iter == 3) {
			enqueue_until_full(&r);
			TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
		} else if (room > 0 && iter % 5 == 0) {
			/* Submitted by the last copy's flag. */
			enqueue(&r, (unsigned int)test_rand_range(1, room), RTE_DMA_OP_FLAG_SUBMIT);
			check_capacity(&r, "after an enqueue burst");
		} else if (room > 0) {
			enqueue(&r, (unsigned int)test_rand_range(1, room), 0);
			check_capacity(&r, "after an enqueue burst");
			TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
		}
		outstanding = (unsigned int)(r.enq - r.done);
		if (outstanding > 0) {
			/* Leave some in flight most of the time. */
			unsigned int want = iter % 7 == 0 ? outstanding :
				(unsigned int)test_rand_range(1, outstanding);

			reap(&r, want, iter % 3 == 0);
			check_capacity(&r, "after a reap");
		}
		iter++;
	}
	reap(&r, (unsigned int)(r.enq - r.done), false);
	check_capacity(&r, "at the end");
	GBUF_ASSERT_OK(dst, "ring %u, after %" PRIu64 " copies", cap, r.enq);
	GBUF_ASSERT_OK(src, "ring %u, source", cap);

	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, 0, &stats), "stats");
	TEST_ASSERT_EQUAL(stats.submitted, r.enq, "stats.submitted");
	TEST_ASSERT_EQUAL(stats.completed, r.done, "stats.completed");
	TEST_ASSERT_EQUAL(stats.errors, 0, "stats.errors");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	printf("  %" PRIu64 " copies in %u bursts, job id wrapped %" PRIu64 " times,"
		" ring filled to -ENOSPC %u times\n", r.enq, iter, r.enq >> 16, r.full_tests);
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = { .name = "dma_sw_wrap", .timeout_s = 100 };
	const char *name = "dma_sw_wrap0";
	int16_t dev;

	test_eal_init(argc, argv, &opts);
	test_srand(0x77a9);
	src = gbuf_alloc("src", 1, SRC_LEN);
	dst = gbuf_alloc("dst", 2, 2 * 32768 * SLOT);

	dev = swdev_create_worker(name, NULL);
	run_ring(dev, 32, 32);
	run_ring(dev, 1024, 1024);
	run_ring(dev, 100, 128);
	run_ring(dev, 32768, 32768);
	swdev_destroy(name);

	gbuf_free(src);
	gbuf_free(dst);
	return test_done();
}
