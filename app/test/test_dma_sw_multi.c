/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Several vchans and several dma_sw devices at once.
 *
 * Device 0 has 4 vchans with rings of 32, 64, 100 (128) and 1024
 * descriptors, device 1 has 2 vchans. With "service", both devices' services
 * share one service lcore; with "lcore", device 0 runs on its dedicated
 * lcore 1 and device 1 as a service on service lcore 2 (both on the same
 * CPU). Traffic is interleaved: bursts of copies, fills, SG copies and a
 * few failing copies go to every vchan in turn, reaped in another order.
 *  - every vchan's job ids are consecutive, its data is right when reaped
 *    and its destination buffer (guards included) at the end;
 *  - each vchan's statistics count its own operations and errors, and
 *    RTE_DMA_ALL_VCHAN is their sum; resetting one vchan's leaves the
 *    others';
 *  - a vchan index past the configured ones is refused.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dmadev.h>
#include <rte_pause.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define SLOT		256
#define SRC_LEN		(64 * 1024)
#define ROUNDS		400
#define PATTERN		0x4a3b2c1d0e0f1011ULL

struct chan {
	int16_t dev;
	uint16_t vchan;
	uint16_t cap;
	struct gbuf *dst;
	uint64_t enq, done, errors;
	enum rte_dma_status_code expect[2048];	/* by job id & 2047 */
};

static struct gbuf *src;
static uint8_t *foreign;

static size_t
slot_of(const struct chan *c, uint64_t seq)
{
	return (size_t)(seq % (2u * c->cap)) * SLOT;
}

static void
enqueue_one(struct chan *c)
{
	uint64_t seq = c->enq;
	size_t d = slot_of(c, seq), s = (size_t)test_rand_range(0, SRC_LEN - SLOT);
	uint32_t len = (uint32_t)test_rand_range(1, SLOT);
	unsigned int kind = (unsigned int)test_rand_range(0, 99);
	enum rte_dma_status_code expect = RTE_DMA_STATUS_SUCCESSFUL;
	int id;

	if (kind < 70) {
		id = rte_dma_copy(c->dev, c->vchan, gbuf_iova(src, s), gbuf_iova(c->dst, d),
			len, 0);
		gbuf_expect_copy(c->dst, d, src, s, len);
	} else if (kind < 85) {
		id = rte_dma_fill(c->dev, c->vchan, PATTERN + seq, gbuf_iova(c->dst, d), len, 0);
		gbuf_expect_fill(c->dst, d, PATTERN + seq, len);
	} else if (kind < 96) {
		struct rte_dma_sge ss[2] = {
			{ gbuf_iova(src, s), 40 },
			{ gbuf_iova(src, s + 100), 60 },
		};
		struct rte_dma_sge ds[3] = {
			{ gbuf_iova(c->dst, d), 10 },
			{ gbuf_iova(c->dst, d + 50), 50 },
			{ gbuf_iova(c->dst, d + 150), 40 },
		};

		id = rte_dma_copy_sg(c->dev, c->vchan, ss, ds, 2, 3, 0);
		gbuf_expect_copy(c->dst, d, src, s, 10);
		gbuf_expect_copy(c->dst, d + 50, src, s + 10, 30);
		gbuf_expect_copy(c->dst, d + 80, src, s + 100, 20);
		gbuf_expect_copy(c->dst, d + 150, src, s + 120, 40);
	} else {
		id = rte_dma_copy(c->dev, c->vchan, (uintptr_t)foreign, gbuf_iova(c->dst, d),
			len, 0);
		expect = RTE_DMA_STATUS_INVALID_SRC_ADDR;
	}
	TEST_ASSERT_EQUAL(id, (uint16_t)seq, "dev %d vchan %u: job id of op %" PRIu64,
		c->dev, c->vchan, seq);
	c->expect[seq & 2047] = expect;
	c->enq++;
}

static void
reap(struct chan *c, unsigned int want)
{
	enum rte_dma_status_code st[1024];
	uint64_t deadline = test_deadline(SWDEV_WAIT_MS);
	unsigned int got = 0, i;

	while (got < want) {
		uint16_t last = 0, k;

		k = rte_dma_completed_status(c->dev, c->vchan, RTE_MIN(want - got, 1024u),
			&last, st);
		for (i = 0; i < k; i++) {
			uint64_t seq = c->done + i;
			size_t d = slot_of(c, seq);

			SWDEV_ASSERT_STATUS(st[i], c->expect[seq & 2047],
				"dev %d vchan %u op %" PRIu64, c->dev, c->vchan, seq);
			if (st[i] != RTE_DMA_STATUS_SUCCESSFUL)
				c->errors++;
			/* No later op on this slot is enqueued yet. */
			if (memcmp(c->dst->data + d, c->dst->shadow + c->dst->guard + d, SLOT) != 0)
				TEST_FAIL_NOW("dev %d vchan %u: op %" PRIu64 " wrong when reaped",
					c->dev, c->vchan, seq);
		}
		c->done += k;
		got += k;
		if (k > 0)
			TEST_ASSERT_EQUAL(last, (uint16_t)(c->done - 1), "dev %d vchan %u last_idx",
				c->dev, c->vchan);
		if (k == 0) {
			if (test_expired(deadline))
				TEST_FAIL_NOW("dev %d vchan %u: %u of %u completions after %u ms",
					c->dev, c->vchan, got, want, SWDEV_WAIT_MS);
			rte_pause();
		}
	}
}

static void
check_stats(struct chan *chans, unsigned int nb, int16_t dev)
{
	struct rte_dma_stats s, all;
	struct rte_dma_stats sum = { 0 };
	unsigned int i;

	for (i = 0; i < nb; i++) {
		struct chan *c = &chans[i];

		if (c->dev != dev)
			continue;
		TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, c->vchan, &s), "stats");
		TEST_ASSERT_EQUAL(s.submitted, c->enq, "dev %d vchan %u submitted", dev, c->vchan);
		TEST_ASSERT_EQUAL(s.completed, c->done, "dev %d vchan %u completed", dev, c->vchan);
		TEST_ASSERT_EQUAL(s.errors, c->errors, "dev %d vchan %u errors", dev, c->vchan);
		sum.submitted += c->enq;
		sum.completed += c->done;
		sum.errors += c->errors;
	}
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, RTE_DMA_ALL_VCHAN, &all), "stats");
	TEST_ASSERT_EQUAL(all.submitted, sum.submitted, "dev %d: all vchans submitted", dev);
	TEST_ASSERT_EQUAL(all.completed, sum.completed, "dev %d: all vchans completed", dev);
	TEST_ASSERT_EQUAL(all.errors, sum.errors, "dev %d: all vchans errors", dev);
}

static void
configure(int16_t dev, const uint16_t *nb_desc, uint16_t nb)
{
	struct rte_dma_conf conf = { .nb_vchans = nb };
	struct rte_dma_vchan_conf vc = { .direction = RTE_DMA_DIR_MEM_TO_MEM };
	uint16_t v;

	TEST_ASSERT_SUCCESS(rte_dma_configure(dev, &conf), "configure %u vchans", nb);
	for (v = 0; v < nb; v++) {
		vc.nb_desc = nb_desc[v];
		TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, v, &vc), "vchan %u", v);
	}
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start");
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = { .name = "dma_sw_multi", .nb_lcores = 3, .timeout_s = 60 };
	static const uint16_t desc0[] = { 32, 64, 100, 1024 }, cap0[] = { 32, 64, 128, 1024 };
	static const uint16_t desc1[] = { 256, 32 };
	static struct chan chans[6];
	unsigned int nb = 0, i, round;
	int16_t dev0, dev1;

	test_eal_init(argc, argv, &opts);
	test_srand(0x3417);
	foreign = malloc(SLOT);
	TEST_ASSERT(foreign != NULL, "malloc");
	src = gbuf_alloc("src", 1, SRC_LEN);

	/* service: both services on lcore 1. lcore: device 0 on lcore 1, device 1
	 * a service on lcore 2.
	 */
	if (test_worker == TEST_WORKER_LCORE)
		swdev_service_lcore = 2;
	dev0 = swdev_create_worker("dma_sw_multi0", NULL);
	dev1 = swdev_create("dma_sw_multi1", NULL);
	configure(dev0, desc0, RTE_DIM(desc0));
	configure(dev1, desc1, RTE_DIM(desc1));

	for (i = 0; i < RTE_DIM(desc0); i++)
		chans[nb++] = (struct chan){ .dev = dev0, .vchan = i, .cap = cap0[i] };
	for (i = 0; i < RTE_DIM(desc1); i++)
		chans[nb++] = (struct chan){ .dev = dev1, .vchan = i, .cap = desc1[i] };
	for (i = 0; i < nb; i++) {
		char name[32];

		snprintf(name, sizeof(name), "dst_%d_%u", chans[i].dev, chans[i].vchan);
		chans[i].dst = gbuf_alloc(name, 2 + i % 5, 2u * chans[i].cap * SLOT);
		TEST_ASSERT_EQUAL(rte_dma_burst_capacity(chans[i].dev, chans[i].vchan),
			chans[i].cap, "%s: capacity", name);
	}

	test_section("interleaved traffic on %u vchans of 2 devices", nb);
	for (round = 0; round < ROUNDS; round++) {
		/* Enqueue on every vchan in turn, a few at a time, so the
		 * workers see all of them busy at once.
		 */
		for (i = 0; i < nb; i++) {
			struct chan *c = &chans[(i + round) % nb];
			unsigned int room = c->cap - (unsigned int)(c->enq - c->done), k, j;

			if (room == 0)
				continue;
			k = (unsigned int)test_rand_range(1, RTE_MIN(room, 48u));
			for (j = 0; j < k; j++)
				enqueue_one(c);
			TEST_ASSERT_SUCCESS(rte_dma_submit(c->dev, c->vchan), "submit");
		}
		/* Reap in the reverse order, leaving some in flight. */
		for (i = nb; i-- > 0;) {
			struct chan *c = &chans[i];
			unsigned int out = (unsigned int)(c->enq - c->done);

			if (out > 0)
				reap(c, round % 4 == 0 ? out :
					(unsigned int)test_rand_range(0, out));
		}
	}
	for (i = 0; i < nb; i++) {
		reap(&chans[i], (unsigned int)(chans[i].enq - chans[i].done));
		GBUF_ASSERT_OK(chans[i].dst, "dev %d vchan %u after %" PRIu64 " ops", chans[i].dev,
			chans[i].vchan, chans[i].enq);
		printf("  dev %d vchan %u: %" PRIu64 " ops, %" PRIu64 " failed as intended\n",
			chans[i].dev, chans[i].vchan, chans[i].enq, chans[i].errors);
	}
	GBUF_ASSERT_OK(src, "source");

	test_section("per-vchan and all-vchan statistics");
	check_stats(chans, nb, dev0);
	check_stats(chans, nb, dev1);
	TEST_ASSERT_SUCCESS(rte_dma_stats_reset(dev0, 2), "reset vchan 2");
	chans[2].enq = chans[2].done = chans[2].errors = 0;
	check_stats(chans, nb, dev0);
	TEST_ASSERT_SUCCESS(rte_dma_stats_reset(dev1, RTE_DMA_ALL_VCHAN), "reset all");
	chans[4].enq = chans[4].done = chans[4].errors = 0;
	chans[5].enq = chans[5].done = chans[5].errors = 0;
	check_stats(chans, nb, dev1);

	test_section("a vchan past the configured ones is refused");
	TEST_ASSERT(rte_dma_copy(dev1, 2, gbuf_iova(src, 0), gbuf_iova(chans[4].dst, 0), 8,
		RTE_DMA_OP_FLAG_SUBMIT) < 0, "copy on vchan 2 of 2");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev1, 2), 0, "capacity of vchan 2 of 2");
	GBUF_ASSERT_OK(chans[4].dst, "after the refused copy");

	swdev_destroy("dma_sw_multi0");
	swdev_destroy("dma_sw_multi1");
	for (i = 0; i < nb; i++)
		gbuf_free(chans[i].dst);
	gbuf_free(src);
	free(foreign);
	return test_done();
}
