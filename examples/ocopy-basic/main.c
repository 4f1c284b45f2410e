/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dpdk-ocopy-basic: the smallest complete use of liboffload_copy, as the
 * programmer's guide describes it. It creates an instance over the engines
 * its configuration names, registers one buffer for DMA, copies a mix of
 * sizes through one queue with a completion callback each, in bursts with
 * one doorbell per burst, waits for every completion, checks every byte
 * and prints where the copies ran and what the mapping cost.
 *
 * Usage: dpdk-ocopy-basic [EAL options] -- [CONF]
 *   CONF: the library's configuration string (default "engines=all": every
 *   free dmadev; none leaves the CPU to make every copy).
 * Exit status: 0 when every copy completed successfully with the right
 * bytes, 1 otherwise, 2 on a bad argument.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memzone.h>

#include <ocopy.h>

#define BASIC_AREA	(8u << 20)	/* bytes per side (source, destination) */
#define BASIC_BURST	32
#define BASIC_LIMIT_S	10		/* the copies not all done by then: failed */

/* IMIX-like sizes, copied in turn. */
static const uint32_t basic_sizes[] = { 64, 512, 1518, 9000, 65536 };

struct basic_done {
	uint64_t completed;
	uint64_t failed;
};

/* Completion callback: one per copy, in submission order. */
static void
basic_copy_done(void *arg, uint16_t status)
{
	struct basic_done *d = arg;

	d->completed++;
	if (status != 0)
		d->failed++;
}

/*
 * Copy the source area to the destination in pieces of the sizes above;
 * wait for every completion. How many copies were submitted, or -1 (an
 * error, or not all done within BASIC_LIMIT_S: an engine stalled).
 */
static int64_t
basic_copy_area(struct ocopy_queue *q, uint8_t *dst, const uint8_t *src,
		struct basic_done *d)
{
	const uint64_t deadline = rte_get_timer_cycles() +
			BASIC_LIMIT_S * rte_get_timer_hz();
	uint64_t submitted = 0;
	size_t off = 0;
	unsigned int n;
	int ret;

	while (off < BASIC_AREA) {
		for (n = 0; n < BASIC_BURST && off < BASIC_AREA; n++) {
			uint32_t len = basic_sizes[submitted %
					RTE_DIM(basic_sizes)];

			len = (uint32_t)RTE_MIN((size_t)len, BASIC_AREA - off);
			/* The queue full: deliver completions, then retry. */
			while ((ret = ocopy_copy(q, dst + off, src + off, len,
					basic_copy_done, d, 0)) == -ENOSPC) {
				ocopy_flush(q);
				ocopy_poll(q, BASIC_BURST);
				if (rte_get_timer_cycles() > deadline)
					goto late;
			}
			if (ret < 0) {
				fprintf(stderr, "ocopy_copy: %s\n", strerror(-ret));
				return -1;
			}
			submitted++;
			off += len;
		}
		ocopy_flush(q);		/* one doorbell per engine per burst */
		ocopy_poll(q, BASIC_BURST);
	}

	while (d->completed < submitted) {
		ocopy_poll(q, BASIC_BURST);
		if (rte_get_timer_cycles() > deadline)
			goto late;
	}
	return (int64_t)submitted;
late:
	fprintf(stderr, "%" PRIu64 " of %" PRIu64 " copies still outstanding after %d s\n",
		submitted - d->completed, submitted, BASIC_LIMIT_S);
	return -1;
}

static void
basic_report(const struct ocopy *oc, int64_t copies)
{
	struct ocopy_queue_stats st;
	struct ocopy_map_stats ms;
	uint16_t i;

	ocopy_stats_get(oc, &st);
	printf("copies: %" PRId64 " (%" PRIu64 " bytes): cpu %" PRIu64 ", engine %" PRIu64 ", split %" PRIu64 ", errors %" PRIu64 "\n",
		copies, st.bytes, st.cpu, st.engine, st.split, st.errors);
	for (i = 0; i < ocopy_engine_count(oc); i++) {
		if (ocopy_map_stats_get(oc, i, &ms) != 0)
			continue;
		printf("engine %u (dmadev %d): map calls %" PRIu64 ", unmap calls %" PRIu64 ", %u segment(s) mapped%s\n",
			i, ocopy_engine_dev_id(oc, i), ms.maps, ms.unmaps,
			ms.segments, ms.needs_map ? "" : " (no mapping needed)");
	}
}

int
main(int argc, char **argv)
{
	const struct rte_memzone *mz = NULL;
	struct basic_done done = { 0, 0 };
	const char *args = "engines=all";
	struct ocopy_conf conf;
	struct ocopy *oc = NULL;
	uint8_t *src, *dst;
	int64_t copies = -1;
	int reg = -1, ret;
	size_t i;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	argc -= ret;
	argv += ret;
	if (argc > 2) {
		fprintf(stderr, "usage: %s [EAL options] -- [CONF]\n", argv[0]);
		ret = 2;
		goto out;
	}
	if (argc == 2)
		args = argv[1];

	/* The configuration: a bad key or value is named in the log. */
	ocopy_conf_init(&conf);
	if (ocopy_conf_parse(&conf, args) != 0) {
		fprintf(stderr, "bad configuration '%s'\n", args);
		ret = 2;
		goto out;
	}
	oc = ocopy_create(&conf);
	if (oc == NULL) {
		fprintf(stderr, "ocopy_create: %s\n", rte_strerror(rte_errno));
		ret = 1;
		goto out;
	}

	/* One area for both sides: one registration, one map per engine. */
	mz = rte_memzone_reserve_aligned("ocopy_basic", 2 * BASIC_AREA,
			(int)rte_socket_id(), 0, RTE_CACHE_LINE_SIZE);
	if (mz == NULL) {
		fprintf(stderr, "rte_memzone_reserve: %s\n", rte_strerror(rte_errno));
		ret = 1;
		goto out;
	}
	src = mz->addr;
	dst = src + BASIC_AREA;
	reg = ocopy_mem_register(oc, mz->addr, mz->len);
	if (reg < 0) {
		fprintf(stderr, "ocopy_mem_register: %s\n", strerror(-reg));
		ret = 1;
		goto out;
	}
	for (i = 0; i < BASIC_AREA; i++)
		src[i] = (uint8_t)(i * 7 + (i >> 12));
	memset(dst, 0, BASIC_AREA);

	/* One queue per lcore; this program submits from the main lcore. */
	copies = basic_copy_area(ocopy_queue_get(oc, 0), dst, src, &done);
	if (copies < 0) {
		ret = 1;
		goto out;
	}
	basic_report(oc, copies);
	if (done.failed != 0) {
		printf("%" PRIu64 " of %" PRId64 " copies failed\n", done.failed, copies);
		ret = 1;
	} else if (memcmp(dst, src, BASIC_AREA) != 0) {
		printf("the destination differs from the source\n");
		ret = 1;
	} else {
		printf("verified: %" PRId64 " copies, %u bytes\n", copies, BASIC_AREA);
		ret = 0;
	}
out:
	/*
	 * Teardown. Every copy delivered: the registration can go, then the
	 * instance. Otherwise ocopy_destroy() drains what it can, delivers
	 * the rest as aborted and undoes the mappings itself.
	 */
	if (reg >= 0 && copies >= 0)
		ocopy_mem_unregister(oc, reg);
	if (oc != NULL)
		ocopy_destroy(oc);
	if (mz != NULL)
		rte_memzone_free(mz);
	rte_eal_cleanup();
	return ret;
}
