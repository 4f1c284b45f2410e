/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_offload through the rte_dma_* API, over dma_sw engines (services on
 * lcore 1).
 *
 *  - Devargs: each malformed one fails rte_vdev_init() and leaves nothing
 *    behind (no dmadev, no vdev, no offload_copy instance); an engine named
 *    before it exists is refused, accepted once it does; the dump's
 *    "devargs:" line probes a device that dumps the same line.
 *  - Capabilities: exactly the documented five and limits; each op works.
 *  - Data: copies (1 byte to 1 MiB, split ones included), fills and
 *    scatter-gather copies (up to 64 segments) on two vchans, byte for byte
 *    between guard zones, on each policy; the library's counters show the
 *    path the policy implies.
 *  - The dmadev contract: nothing completes before its submit, on the CPU
 *    path either; a SUBMIT flag submits earlier ops on every engine;
 *    burst_capacity drops by one per enqueue, -ENOSPC at zero; indexes
 *    wrap at 16 bits; last_idx when nothing completed; a fenced
 *    scatter-gather copy behind engine work loses no completion.
 *  - Errors: a strict-domain engine's refusal reaches
 *    rte_dma_completed_status() (INVALID_DST_ADDR), rte_dma_completed()
 *    stops before it, nothing is written; NULL and wrapping addresses fail
 *    with a status on every policy, without a fault.
 *  - Life cycle: indexes restart at 0 after a stop/start; the engines are
 *    the device's only while it is started; a start that cannot get an
 *    engine, or with a vchan not set up, leaves nothing started;
 *    reconfiguration; stop and remove with work in flight.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_pause.h>

#include <ocopy.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define OD		"dma_offload0"
#define OD2		"dma_offload1"
#define PATTERN		0x5c4b3a2918070605ULL	/* bytes below 0xe0: never guard-like */
#define BIG		(1024 * 1024)

static const enum rte_dma_status_code OK = RTE_DMA_STATUS_SUCCESSFUL;

static struct gbuf *src, *dst, *other;

/* ---- helpers ------------------------------------------------------------- */

static int16_t
od_create(const char *name, const char *devargs)
{
	int ret = rte_vdev_init(name, devargs);
	int id;

	if (ret != 0)
		TEST_FAIL_NOW("rte_vdev_init(%s, \"%s\") failed: %d", name,
			devargs ? devargs : "", ret);
	id = rte_dma_get_dev_id_by_name(name);
	TEST_ASSERT(id >= 0, "no dmadev named %s after its probe", name);
	return (int16_t)id;
}

static int16_t
od_open(const char *name, const char *devargs, uint16_t nb_vchans,
		uint16_t nb_desc)
{
	int16_t dev = od_create(name, devargs);

	swdev_configure(dev, nb_vchans, nb_desc);
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start %s (%s)", name, devargs);
	return dev;
}

static void
od_destroy(const char *name)
{
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(name), "remove %s", name);
	TEST_ASSERT(rte_dma_get_dev_id_by_name(name) < 0, "dmadev %s still there", name);
	TEST_ASSERT(ocopy_find(name) == NULL, "instance %s still there", name);
}

/* An engine is free when a configure goes through (dmadev refuses a
 * started device with -EBUSY).
 */
static bool
engine_free(int16_t eng)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };

	return rte_dma_configure(eng, &conf) == 0;
}

static struct ocopy_queue_stats
lib_stats(const char *name)
{
	struct ocopy_queue_stats st;
	struct ocopy *oc = ocopy_find(name);

	TEST_ASSERT(oc != NULL, "no offload_copy instance %s", name);
	TEST_ASSERT_SUCCESS(ocopy_stats_get(oc, &st), "stats of %s", name);
	return st;
}

/* Nothing to gather now, with completed() and completed_status(); last_idx
 * is the last one gathered.
 */
static void
assert_nothing(int16_t dev, uint16_t vchan, uint16_t last, const char *when)
{
	enum rte_dma_status_code st;
	bool err = true;
	uint16_t idx = (uint16_t)~last;

	TEST_ASSERT_EQUAL(rte_dma_completed(dev, vchan, 32, &idx, &err), 0,
		"completed(): %s", when);
	TEST_ASSERT(!err, "has_error: %s", when);
	TEST_ASSERT_EQUAL(idx, last, "completed() last_idx: %s", when);
	idx = (uint16_t)~last;
	TEST_ASSERT_EQUAL(rte_dma_completed_status(dev, vchan, 32, &idx, &st), 0,
		"completed_status(): %s", when);
	TEST_ASSERT_EQUAL(idx, last, "completed_status() last_idx: %s", when);
}

/* ---- devargs ------------------------------------------------------------- */

struct bad_arg {
	const char *devargs;
	const char *why;
};

static const struct bad_arg bad_args[] = {
	{ "foo=1", "unknown key" },
	{ "policy=auto,foo=bar", "unknown key after a good one" },
	{ "policy=auto,foo", "unknown key without a value" },
	{ "policy=auto,policy=cpu", "duplicate key" },
	{ "engines=dma_sw0,engines=dma_sw0", "duplicate engines" },
	{ "policy=fast", "unknown policy" },
	{ "policy=AUTO", "policy is case-sensitive" },
	{ "policy=", "policy empty" },
	{ "policy", "policy without a value" },
	{ "engines=", "engines empty" },
	{ "engines", "engines without a value" },
	{ "engines=nosuch", "no such dmadev" },
	{ "engines=dma_sw0:nosuch", "second engine no such dmadev" },
	{ "engines=dma_sw0:dma_sw0", "engine named twice" },
	{ "engines=999", "no dmadev with that id" },
	{ "engines=dma_sw0@", "engine NUMA node empty" },
	{ "engines=dma_sw0@x", "engine NUMA node not a number" },
	{ "engines=dma_sw0@999999", "engine NUMA node out of range" },
	{ "engines=nosuch@0", "no such dmadev, with a node" },
	{ "threshold=0", "threshold zero" },
	{ "threshold=abc", "threshold not a number" },
	{ "threshold=-1", "threshold negative" },
	{ "threshold=1x", "threshold with trailing garbage" },
	{ "threshold=4294967296", "threshold above 2^32-1" },
	{ "split=10", "split below 64" },
	{ "split=OFF", "split 'off' is case-sensitive" },
	{ "slack=0", "slack zero" },
	{ "ring_size=0", "ring_size zero" },
	{ "ring_size=65536", "ring_size above 65535" },
	{ "stall_us=0", "stall_us zero" },
	{ "degrade_errors=0", "degrade_errors zero" },
	{ "reprobe_ms=0", "reprobe_ms zero" },
	{ "socket=999999", "socket out of range" },
	{ "engines=dma_sw0,bogus=policy=cpu", "two '=' in an item (read as policy=cpu)" },
	{ "learn=yes", "learn neither on nor off" },
	{ "cpu_help=maybe", "cpu_help neither auto, on nor off" },
	{ "queues=2", "queues: set by rte_dma_configure()" },
	{ "queue_size=64", "queue_size: set by rte_dma_vchan_setup()" },
	{ "policy=auto,,threshold=512", "empty item" },
	{ "engines=" OD2, "a dma_offload device as an engine" },
};

static void
probe_must_fail(const char *name, const char *devargs, const char *why)
{
	swdev_probe_must_fail(name, devargs, why);
	TEST_ASSERT(ocopy_find(name) == NULL,
		"devargs \"%s\" (%s): offload_copy instance left behind", devargs, why);
}

static void
test_devargs(void)
{
	/* Every devarg, in the order the dump writes them (the library's). */
	static const char *const good =
		"engines=dma_sw1@0:dma_sw0,policy=engine,cpu_help=off,learn=off,ring_size=256,threshold=4096,split=off,slack=150,stall_us=20000,degrade_errors=8,reprobe_ms=50,socket=0";
	char *line, *line2;
	unsigned int i;
	int16_t dev, id_a;

	test_section("devargs: each bad one fails the probe, leaves nothing behind");
	od_create(OD2, "engines=dma_sw0");
	for (i = 0; i < RTE_DIM(bad_args); i++)
		probe_must_fail(OD, bad_args[i].devargs, bad_args[i].why);
	probe_must_fail("dma_offload_with_a_name_of_32chars", NULL,
		"name longer than an offload_copy instance name");
	od_destroy(OD2);

	test_section("devargs: engines must be probed first");
	probe_must_fail(OD, "engines=dma_sw9", "engine not probed yet");
	swdev_create("dma_sw9", NULL);
	od_create(OD, "engines=dma_sw9");
	od_destroy(OD);
	swdev_destroy("dma_sw9");

	test_section("devargs: the dump's line round-trips");
	dev = od_create(OD, good);
	line = swdev_dumped_devargs(dev);
	TEST_ASSERT(strcmp(line, good) == 0, "dumped '%s', given '%s'", line, good);
	dev = od_create(OD2, line);
	line2 = swdev_dumped_devargs(dev);
	TEST_ASSERT(strcmp(line, line2) == 0, "'%s' dumps as '%s'", line, line2);
	free(line);
	free(line2);
	od_destroy(OD2);
	od_destroy(OD);
	dev = od_create(OD, NULL);
	line = swdev_dumped_devargs(dev);
	TEST_ASSERT(strcmp(line, "engines=all,policy=auto,cpu_help=auto,learn=on") == 0,
		"defaults dump as '%s'", line);
	free(line);
	od_destroy(OD);

	/*
	 * Engines gone and back under other dmadev ids: the dump names the
	 * engines by name as given (it formatted the probe's ids, naming an
	 * engine the device does not use), or the devargs as given when an
	 * engine is gone.
	 */
	test_section("devargs: the dump names the engines after their ids changed");
	id_a = swdev_create("dma_sw_a", NULL);
	swdev_create("dma_sw_b", NULL);
	dev = od_create(OD, "engines=dma_sw_a,policy=engine");
	swdev_destroy("dma_sw_a");
	swdev_destroy("dma_sw_b");
	line = swdev_dumped_devargs(dev);
	TEST_ASSERT(strcmp(line, "engines=dma_sw_a,policy=engine (as given: they no longer hold)")
		== 0, "an engine gone: '%s'", line);
	free(line);
	TEST_ASSERT_EQUAL(swdev_create("dma_sw_b", NULL), id_a, "dma_sw_b takes dma_sw_a's id");
	swdev_create("dma_sw_a", NULL);
	line = swdev_dumped_devargs(dev);
	TEST_ASSERT(strcmp(line, "engines=dma_sw_a,policy=engine,cpu_help=auto,learn=on") == 0,
		"ids swapped: '%s'", line);
	free(line);
	od_destroy(OD);
	swdev_destroy("dma_sw_a");
	swdev_destroy("dma_sw_b");
}

/* ---- capabilities ---------------------------------------------------------- */

static void
test_info(void)
{
	const uint64_t capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_HANDLES_ERRORS |
		RTE_DMA_CAPA_OPS_COPY | RTE_DMA_CAPA_OPS_COPY_SG | RTE_DMA_CAPA_OPS_FILL;
	struct rte_dma_info info;
	int16_t dev;

	test_section("capabilities and limits");
	dev = od_create(OD, "engines=dma_sw0");
	TEST_ASSERT_SUCCESS(rte_dma_info_get(dev, &info), "info");
	TEST_ASSERT(info.dev_capa == capa, "capabilities 0x%" PRIx64 ", expected 0x%" PRIx64,
		info.dev_capa, capa);
	TEST_ASSERT_EQUAL(info.max_vchans, OCOPY_MAX_QUEUES, "max_vchans");
	TEST_ASSERT_EQUAL(info.min_desc, 32, "min_desc");
	TEST_ASSERT_EQUAL(info.max_desc, OCOPY_QUEUE_SIZE_MAX, "max_desc");
	TEST_ASSERT_EQUAL(info.max_sges, OCOPY_MAX_SGES, "max_sges");
	TEST_ASSERT_EQUAL(info.nb_vchans, 0, "nb_vchans before configure");
	TEST_ASSERT_EQUAL(info.numa_node, SOCKET_ID_ANY, "numa_node without socket=");
	TEST_ASSERT_FAIL(rte_dma_start(dev), "start before configure");
	swdev_configure(dev, 3, 100);
	TEST_ASSERT_SUCCESS(rte_dma_info_get(dev, &info), "info");
	TEST_ASSERT_EQUAL(info.nb_vchans, 3, "nb_vchans");
	od_destroy(OD);
	dev = od_create(OD, "engines=dma_sw0,socket=0");
	TEST_ASSERT_SUCCESS(rte_dma_info_get(dev, &info), "info");
	TEST_ASSERT_EQUAL(info.numa_node, 0, "numa_node with socket=0");
	od_destroy(OD);
}

/* ---- data, per policy ------------------------------------------------------ */

/* Copies, fills and SG copies on one vchan, one burst, then reaped and
 * checked. Returns the number of SG copies of more segments than dma_sw
 * takes (the CPU runs those whatever the policy).
 */
static unsigned int
data_burst(int16_t dev, uint16_t vchan, uint16_t *next_id)
{
	static const uint32_t sizes[] = { 1, 63, 64, 100, 1000, 4096, 65536, 300000 };
	static const uint32_t fills[] = { 1, 8, 89, 4096, 100000 };
	struct rte_dma_sge s[OCOPY_MAX_SGES], d[OCOPY_MAX_SGES];
	size_t soff = 0, doff = 0;
	unsigned int i, n = 0, big_sg = 0;
	uint16_t nsg;
	int id;

	gbuf_reset(dst);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		id = rte_dma_copy(dev, vchan, gbuf_iova(src, soff), gbuf_iova(dst, doff),
			sizes[i], 0);
		TEST_ASSERT_EQUAL(id, (uint16_t)(*next_id + n), "copy of %u", sizes[i]);
		gbuf_expect_copy(dst, doff, src, soff, sizes[i]);
		n++;
		soff += sizes[i] + 7;
		doff += sizes[i] + 13;
	}
	for (i = 0; i < RTE_DIM(fills); i++) {
		id = rte_dma_fill(dev, vchan, PATTERN, gbuf_iova(dst, doff), fills[i], 0);
		TEST_ASSERT_EQUAL(id, (uint16_t)(*next_id + n), "fill of %u", fills[i]);
		gbuf_expect_fill(dst, doff, PATTERN, fills[i]);
		n++;
		doff += fills[i] + 5;
	}
	/* 3 x 2 uneven segments, then 64 x 64 (more than dma_sw's 16). */
	for (nsg = 2; nsg <= OCOPY_MAX_SGES; nsg += OCOPY_MAX_SGES - 2) {
		uint16_t ns = nsg == 2 ? 3 : nsg, k;
		uint32_t total = 0;

		for (k = 0; k < ns; k++) {
			s[k].addr = gbuf_iova(src, soff);
			s[k].length = 100 + 37 * k;
			total += s[k].length;
			soff += s[k].length + 3;
		}
		for (k = 0; k < nsg; k++) {
			d[k].addr = gbuf_iova(dst, doff);
			d[k].length = k + 1 < nsg ? total / nsg : total - (total / nsg) * (nsg - 1);
			doff += d[k].length + 11;
		}
		id = rte_dma_copy_sg(dev, vchan, s, d, ns, nsg, 0);
		TEST_ASSERT_EQUAL(id, (uint16_t)(*next_id + n), "copy_sg %u x %u", ns, nsg);
		{
			/* Expected bytes: the source segments in order. */
			uint16_t a = 0, b = 0;
			uint32_t ao = 0, bo = 0;

			while (a < ns && b < nsg) {
				uint32_t len = RTE_MIN(s[a].length - ao, d[b].length - bo);

				gbuf_expect_copy(dst, (size_t)(d[b].addr + bo - gbuf_iova(dst, 0)),
					src, (size_t)(s[a].addr + ao - gbuf_iova(src, 0)), len);
				ao += len;
				bo += len;
				if (ao == s[a].length) {
					a++;
					ao = 0;
				}
				if (bo == d[b].length) {
					b++;
					bo = 0;
				}
			}
		}
		if (ns > 16 || nsg > 16)
			big_sg++;
		n++;
	}
	TEST_ASSERT(soff < src->len && doff < dst->len, "buffers too small");
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, vchan), "submit");
	swdev_reap_ok(dev, vchan, n, (uint16_t)(*next_id + n - 1));
	GBUF_ASSERT_OK(dst, "burst on vchan %u", vchan);
	GBUF_ASSERT_OK(src, "burst on vchan %u", vchan);
	*next_id += n;
	return big_sg;
}

static void
test_data(const char *policy)
{
	struct ocopy_queue_stats ls;
	struct rte_dma_stats st;
	unsigned int round, big_sg = 0;
	uint16_t next[2] = { 0, 0 }, v;
	char args[128];
	int16_t dev;

	test_section("data on two vchans, policy=%s", policy);
	/* A long stall time: a busy machine must not make the library move
	 * work off an engine that is merely slow.
	 */
	snprintf(args, sizeof(args), "engines=dma_sw0:dma_sw1,policy=%s,stall_us=1000000",
		policy);
	dev = od_open(OD, args, 2, 256);
	for (round = 0; round < 3; round++)
		for (v = 0; v < 2; v++)
			big_sg += data_burst(dev, v, &next[v]);
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, RTE_DMA_ALL_VCHAN, &st), "stats");
	TEST_ASSERT_EQUAL(st.submitted, next[0] + next[1], "submitted");
	TEST_ASSERT_EQUAL(st.completed, next[0] + next[1], "completed");
	TEST_ASSERT_EQUAL(st.errors, 0, "errors");
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, 1, &st), "stats vchan 1");
	TEST_ASSERT_EQUAL(st.completed, next[1], "completed on vchan 1");

	ls = lib_stats(OD);
	printf("policy=%s: cpu %" PRIu64 " engine %" PRIu64 " split %" PRIu64 "\n",
		policy, ls.cpu, ls.engine, ls.split);
	TEST_ASSERT_EQUAL(ls.submitted, next[0] + next[1], "library: ops accepted");
	if (strcmp(policy, "cpu") == 0) {
		TEST_ASSERT(ls.engine == 0 && ls.split == 0, "policy=cpu ran ops on an engine");
	} else if (strcmp(policy, "engine") == 0) {
		TEST_ASSERT_EQUAL(ls.cpu, big_sg,
			"policy=engine: only the SG copies of > 16 segments on the CPU");
		TEST_ASSERT_EQUAL(ls.split, 0, "policy=engine splits nothing");
	} else {
		/* Small copies on the CPU, large ones on engines (whole, or
		 * split when the engines are idle: see ocopy_policy).
		 */
		TEST_ASSERT(ls.cpu > 0 && ls.engine + ls.split > 0,
			"policy=auto used both the CPU and the engines");
	}
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	od_destroy(OD);
}

/* ---- the dmadev contract --------------------------------------------------- */

static void
test_submit_rule(const char *policy)
{
	uint16_t cap, i;
	char args[128];
	int16_t dev;

	test_section("nothing completes before its submit, policy=%s", policy);
	snprintf(args, sizeof(args), "engines=dma_sw0:dma_sw1,policy=%s", policy);
	dev = od_open(OD, args, 1, 64);
	gbuf_reset(dst);
	cap = rte_dma_burst_capacity(dev, 0);
	TEST_ASSERT_EQUAL(cap, 64, "capacity of a 64-descriptor ring");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, i * 4096),
			gbuf_iova(dst, i * 4096), 4096, 0), i, "copy %u", i);
		gbuf_expect_copy(dst, i * 4096, src, i * 4096, 4096);
		TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), cap - i - 1,
			"capacity after %u enqueues", i + 1);
	}
	rte_delay_ms(20);
	assert_nothing(dev, 0, UINT16_MAX, "3 ops enqueued, none submitted");
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	swdev_reap_ok(dev, 0, 3, 2);
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), cap, "capacity back");

	/* The SUBMIT flag of the last op submits the earlier ones. */
	for (i = 3; i < 6; i++) {
		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, i * 4096),
			gbuf_iova(dst, i * 4096), 4096, i == 5 ? RTE_DMA_OP_FLAG_SUBMIT : 0),
			i, "copy %u", i);
		gbuf_expect_copy(dst, i * 4096, src, i * 4096, 4096);
	}
	swdev_reap_ok(dev, 0, 3, 5);
	assert_nothing(dev, 0, 5, "everything gathered");
	swdev_wait_idle(dev, 0);
	GBUF_ASSERT_OK(dst, "six copies");

	/* A full ring: -ENOSPC, capacity 0; one gathered, one more fits. */
	for (i = 0; i < cap; i++)
		TEST_ASSERT(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0),
			64, 0) >= 0, "copy %u of a full ring", i);
	gbuf_expect_copy(dst, 0, src, 0, 64);
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 0, "capacity of a full ring");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64, 0),
		-ENOSPC, "copy into a full ring");
	TEST_ASSERT_EQUAL(rte_dma_fill(dev, 0, PATTERN, gbuf_iova(dst, 0), 64, 0),
		-ENOSPC, "fill into a full ring");
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	swdev_reap_ok(dev, 0, 1, 6);
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 1, "one slot free");
	swdev_reap_ok(dev, 0, cap - 1, (uint16_t)(6 + cap - 1));
	GBUF_ASSERT_OK(dst, "full ring");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	od_destroy(OD);
}

/*
 * Plain copies are staged and given to the library in one burst: more
 * than a stage's worth (64) before the submit, then a fenced copy reading
 * what the last of them wrote, a fill and a copy with the submit flag,
 * each with the next index, done in order. Staged copies never submitted
 * are dropped at stop, unwritten.
 */
static void
test_staged(const char *policy)
{
	const uint16_t nb = 150;
	char args[128], *dump;
	uint16_t i;
	int16_t dev;

	test_section("staged copies: %u before a submit, other ops behind them, policy=%s",
		nb, policy);
	snprintf(args, sizeof(args), "engines=dma_sw0,policy=%s,stall_us=1000000",
		policy);
	dev = od_open(OD, args, 1, 256);
	gbuf_reset(dst);
	for (i = 0; i < nb; i++) {
		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, i * 64),
			gbuf_iova(dst, i * 64), 64, 0), i, "copy %u", i);
		gbuf_expect_copy(dst, i * 64, src, i * 64, 64);
	}
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 256 - nb, "capacity");
	/* Two full stages handed over, the rest staged. */
	dump = swdev_dump(dev);
	TEST_ASSERT(strstr(dump, "gathered up to 0, 128 in flight, 22 staged") != NULL,
		"dump: %s", dump);
	free(dump);
	rte_delay_ms(20);
	assert_nothing(dev, 0, UINT16_MAX, "copies enqueued, none submitted");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(dst, (nb - 1) * 64),
		gbuf_iova(dst, nb * 64), 64, RTE_DMA_OP_FLAG_FENCE), nb,
		"fenced copy of what the last staged one wrote");
	gbuf_expect_copy(dst, nb * 64, dst, (nb - 1) * 64, 64);
	TEST_ASSERT_EQUAL(rte_dma_fill(dev, 0, PATTERN, gbuf_iova(dst, (nb + 1) * 64),
		64, 0), nb + 1, "fill");
	gbuf_expect_fill(dst, (nb + 1) * 64, PATTERN, 64);
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0),
		gbuf_iova(dst, (nb + 2) * 64), 64, 0), nb + 2, "staged after them");
	gbuf_expect_copy(dst, (nb + 2) * 64, src, 0, 64);
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 64),
		gbuf_iova(dst, (nb + 3) * 64), 64, RTE_DMA_OP_FLAG_SUBMIT), nb + 3,
		"copy with the submit flag");
	gbuf_expect_copy(dst, (nb + 3) * 64, src, 64, 64);
	swdev_reap_ok(dev, 0, nb + 4, nb + 3);
	assert_nothing(dev, 0, nb + 3, "everything gathered");
	swdev_wait_idle(dev, 0);
	GBUF_ASSERT_OK(dst, "staged copies and the ops behind them");

	for (i = 0; i < 10; i++)
		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0),
			gbuf_iova(dst, BIG / 2 + i * 64), 64, 0), nb + 4 + i,
			"copy %u, never submitted", i);
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	GBUF_ASSERT_OK(dst, "copies never submitted: dropped, unwritten");
	od_destroy(OD);
}

/* Bursts of 200 over three 16-bit wraps: every index and last_idx. */
static void
test_wrap(void)
{
	uint32_t total = 3 * 65536 + 1000, done = 0;
	uint16_t next = 0, i, n;
	int16_t dev;

	test_section("ring indexes over three 16-bit wraps, policy=cpu");
	dev = od_open(OD, "engines=dma_sw0,policy=cpu", 1, 256);
	while (done < total) {
		n = (uint16_t)RTE_MIN(200u, total - done);
		for (i = 0; i < n; i++)
			TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, i),
				gbuf_iova(dst, i), 8, i + 1 == n ? RTE_DMA_OP_FLAG_SUBMIT : 0),
				(uint16_t)(next + i), "op %u", done + i);
		swdev_reap_ok(dev, 0, n, (uint16_t)(next + n - 1));
		next += n;
		done += n;
	}
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	od_destroy(OD);
	gbuf_reset(dst);
}

/*
 * Engine work in flight, then a fenced SG copy: the library waits for the
 * engine inside the enqueue. Both completions must still reach
 * rte_dma_completed(), in order.
 */
static void
test_fenced_sg(void)
{
	struct rte_dma_sge s[2] = {
		{ gbuf_iova(src, 0), 3000 }, { gbuf_iova(src, 5000), 1000 },
	};
	struct rte_dma_sge d[2] = {
		{ gbuf_iova(dst, 100000), 2000 }, { gbuf_iova(dst, 110000), 2000 },
	};
	unsigned int r;
	int16_t dev;

	test_section("fenced SG copy behind engine work, policy=engine");
	dev = od_open(OD, "engines=dma_sw0,policy=engine", 1, 64);
	gbuf_reset(dst);
	for (r = 0; r < 20; r++) {
		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0),
			65536, 0), 2 * r, "engine copy");
		TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s, d, 2, 2,
			RTE_DMA_OP_FLAG_FENCE | RTE_DMA_OP_FLAG_SUBMIT), 2 * r + 1,
			"fenced SG copy");
		swdev_reap_ok(dev, 0, 2, 2 * r + 1);
	}
	gbuf_expect_copy(dst, 0, src, 0, 65536);
	gbuf_expect_copy(dst, 100000, src, 0, 2000);
	gbuf_expect_copy(dst, 110000, src, 2000, 1000);
	gbuf_expect_copy(dst, 111000, src, 5000, 1000);
	GBUF_ASSERT_OK(dst, "fenced SG copies");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	od_destroy(OD);
}

/* ---- errors ---------------------------------------------------------------- */

/* Addresses no mapping can back fail with a status, whatever the policy. */
static void
test_bad_addresses(const char *policy)
{
	struct rte_dma_sge good = { gbuf_iova(src, 0), 64 }, null_seg = { 0, 64 };
	struct rte_dma_sge s2[2] = { { gbuf_iova(src, 0), 32 }, { 16, 32 } };
	enum rte_dma_status_code st[8];
	struct rte_dma_stats stats;
	char args[128];
	uint16_t last;
	bool err;
	int16_t dev;

	test_section("NULL and wrapping addresses fail with a status, policy=%s", policy);
	snprintf(args, sizeof(args), "engines=dma_sw0,policy=%s", policy);
	dev = od_open(OD, args, 1, 64);
	gbuf_reset(dst);
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64, 0),
		0, "good copy");
	gbuf_expect_copy(dst, 0, src, 0, 64);
	/*
	 * Longer than the library takes: refused at once, no index (it was
	 * staged, and its hand-over at the next submit aborted the process).
	 */
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), UINT32_MAX,
		0), -EINVAL, "a copy of UINT32_MAX bytes");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), UINT32_MAX,
		RTE_DMA_OP_FLAG_SUBMIT), -EINVAL, "the same with the submit flag");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, 0, gbuf_iova(dst, 64), 64, 0), 1, "NULL source");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), 8, 64, 0), 2, "NULL+8 destination");
	TEST_ASSERT_EQUAL(rte_dma_fill(dev, 0, PATTERN, 0, 64, 0), 3, "NULL fill");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, UINT64_MAX - 10, gbuf_iova(dst, 64), 64, 0),
		4, "source wraps around");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, s2, &good, 2, 1, 0), 5, "SG, a NULL source segment");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, &good, &null_seg, 1, 1, 0), 6,
		"SG, NULL destination");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 64), gbuf_iova(dst, 64), 64,
		RTE_DMA_OP_FLAG_SUBMIT), 7, "good copy");
	gbuf_expect_copy(dst, 64, src, 64, 64);

	swdev_reap_ok(dev, 0, 1, 0);
	err = false;
	TEST_ASSERT_EQUAL(rte_dma_completed(dev, 0, 8, &last, &err), 0, "stops at the failure");
	TEST_ASSERT(err, "has_error");
	TEST_ASSERT_EQUAL(last, 0, "last_idx before the failure");
	last = swdev_reap_status(dev, 0, 7, st);
	TEST_ASSERT_EQUAL(last, 7, "last_idx");
	SWDEV_ASSERT_STATUS(st[0], RTE_DMA_STATUS_INVALID_SRC_ADDR, "NULL source");
	SWDEV_ASSERT_STATUS(st[1], RTE_DMA_STATUS_INVALID_DST_ADDR, "NULL+8 destination");
	SWDEV_ASSERT_STATUS(st[2], RTE_DMA_STATUS_INVALID_DST_ADDR, "NULL fill");
	SWDEV_ASSERT_STATUS(st[3], RTE_DMA_STATUS_INVALID_SRC_ADDR, "wrapping source");
	SWDEV_ASSERT_STATUS(st[4], RTE_DMA_STATUS_INVALID_SRC_ADDR, "SG source");
	SWDEV_ASSERT_STATUS(st[5], RTE_DMA_STATUS_INVALID_DST_ADDR, "SG destination");
	SWDEV_ASSERT_STATUS(st[6], OK, "good copy after them");
	GBUF_ASSERT_OK(dst, "bad addresses");
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, 0, &stats), "stats");
	TEST_ASSERT_EQUAL(stats.errors, 6, "errors");
	TEST_ASSERT_EQUAL(stats.completed, 8, "completed");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	od_destroy(OD);
}

/* A strict-domain engine refuses what was not mapped for it; the refusal
 * reaches the application, nothing is written.
 */
static void
test_engine_errors(void)
{
	struct rte_dma_sge s = { gbuf_iova(src, 0), 500 };
	struct rte_dma_sge d[2] = { { gbuf_iova(dst, 8192), 250 }, { gbuf_iova(other, 0), 250 } };
	enum rte_dma_status_code st[8];
	struct rte_dma_stats stats;
	struct rte_device *rdev;
	struct ocopy_qengine_stats es;
	uint16_t last;
	bool err;
	int16_t dev, eng;

	test_section("engine errors reach the application (strict dma_sw, policy=engine)");
	eng = swdev_create("dma_sw_strict", "domain=strict");
	rdev = swdev_device("dma_sw_strict");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, src->data, gbuf_iova(src, 0), src->len),
		"map src");
	TEST_ASSERT_SUCCESS(rte_dev_dma_map(rdev, dst->data, gbuf_iova(dst, 0), dst->len),
		"map dst");
	dev = od_open(OD, "engines=dma_sw_strict,policy=engine,degrade_errors=100", 1, 64);
	gbuf_reset(dst);
	gbuf_reset(other);

	/* ok, bad, ok, ok in one batch. */
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 4096, 0),
		0, "mapped copy");
	gbuf_expect_copy(dst, 0, src, 0, 4096);
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(other, 0), 4096, 0),
		1, "copy into unmapped memory");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 4096), gbuf_iova(dst, 4096),
		4096, 0), 2, "mapped copy");
	gbuf_expect_copy(dst, 4096, src, 4096, 4096);
	TEST_ASSERT_EQUAL(rte_dma_fill(dev, 0, PATTERN, gbuf_iova(other, 4096), 512,
		RTE_DMA_OP_FLAG_SUBMIT), 3, "fill of unmapped memory");

	swdev_reap_ok(dev, 0, 1, 0);
	swdev_wait_idle(dev, 0);
	for (last = 0; last < 3; last++) {
		uint16_t idx = 99;

		err = false;
		TEST_ASSERT_EQUAL(rte_dma_completed(dev, 0, 8, &idx, &err), 0,
			"completed() stops before the failure (call %u)", last);
		TEST_ASSERT(err, "has_error (call %u)", last);
		TEST_ASSERT_EQUAL(idx, 0, "last_idx (call %u)", last);
	}
	last = swdev_reap_status(dev, 0, 3, st);
	TEST_ASSERT_EQUAL(last, 3, "last_idx");
	SWDEV_ASSERT_STATUS(st[0], RTE_DMA_STATUS_INVALID_DST_ADDR, "copy into unmapped memory");
	SWDEV_ASSERT_STATUS(st[1], OK, "mapped copy after it");
	SWDEV_ASSERT_STATUS(st[2], RTE_DMA_STATUS_INVALID_DST_ADDR, "fill of unmapped memory");

	/* An SG copy with one unmapped destination segment writes nothing. */
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, &s, d, 1, 2, RTE_DMA_OP_FLAG_SUBMIT), 4,
		"SG copy, one segment unmapped");
	last = swdev_reap_status(dev, 0, 1, st);
	SWDEV_ASSERT_STATUS(st[0], RTE_DMA_STATUS_INVALID_DST_ADDR, "SG copy");
	GBUF_ASSERT_OK(dst, "engine errors");
	GBUF_ASSERT_OK(other, "engine errors");

	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, 0, &stats), "stats");
	TEST_ASSERT_EQUAL(stats.errors, 3, "errors");
	TEST_ASSERT_EQUAL(stats.completed, 5, "completed");
	TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(ocopy_find(OD), 0, &es), "engine stats");
	TEST_ASSERT_EQUAL(es.errors, 3, "the engine's errors, as the library counted them");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	od_destroy(OD);
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, src->data, gbuf_iova(src, 0), src->len),
		"unmap src");
	TEST_ASSERT_SUCCESS(rte_dev_dma_unmap(rdev, dst->data, gbuf_iova(dst, 0), dst->len),
		"unmap dst");
	RTE_SET_USED(eng);
	swdev_destroy("dma_sw_strict");
}

/* ---- life cycle ------------------------------------------------------------ */

static void
test_lifecycle(void)
{
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = 64,
	};
	struct rte_dma_conf conf = { .nb_vchans = 2 };
	struct rte_dma_stats st;
	int16_t dev, sw0, sw1;
	uint16_t v, i;
	char *dump;

	test_section("life cycle: engines owned while started only");
	sw0 = (int16_t)rte_dma_get_dev_id_by_name("dma_sw0");
	sw1 = (int16_t)rte_dma_get_dev_id_by_name("dma_sw1");
	/* stall_us: a busy machine must not make stop leave an engine
	 * "stuck" (started) because its service core was preempted.
	 */
	dev = od_open(OD, "engines=dma_sw0:dma_sw1,policy=engine,stall_us=1000000", 1, 128);
	TEST_ASSERT(!engine_free(sw0) && !engine_free(sw1), "engines free while started");
	dump = swdev_dump(dev);
	TEST_ASSERT(strstr(dump, "dma_offload " OD) != NULL &&
		strstr(dump, "offload_copy instance " OD) != NULL, "dump:\n%s", dump);
	free(dump);

	/* Work in flight at stop: some submitted, some not. */
	for (i = 0; i < 10; i++)
		TEST_ASSERT(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 65536,
			i == 6 ? RTE_DMA_OP_FLAG_SUBMIT : 0) == i, "copy %u", i);
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop with work in flight");
	TEST_ASSERT(ocopy_find(OD) == NULL, "instance left after stop");
	TEST_ASSERT(engine_free(sw0) && engine_free(sw1), "engines not free after stop");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 0, "capacity of a stopped device");
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64, 0),
		-EINVAL, "copy on a stopped device");
	dump = swdev_dump(dev);
	TEST_ASSERT(strstr(dump, "stopped") != NULL, "dump of a stopped device:\n%s", dump);
	free(dump);

	test_section("life cycle: restart, indexes from 0, statistics kept");
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "restart");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 128, "capacity after restart");
	assert_nothing(dev, 0, UINT16_MAX, "after restart");
	TEST_ASSERT_EQUAL(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64, 0),
		OK, "first copy after restart");
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, 0, &st), "stats");
	TEST_ASSERT_EQUAL(st.submitted, 7 + 1, "submitted over both runs");
	TEST_ASSERT_SUCCESS(rte_dma_stats_reset(dev, RTE_DMA_ALL_VCHAN), "reset");
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, 0, &st), "stats");
	TEST_ASSERT(st.submitted == 0 && st.completed == 0 && st.errors == 0, "after reset");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");

	test_section("life cycle: a start that cannot complete leaves nothing started");
	TEST_ASSERT_SUCCESS(rte_dma_configure(dev, &conf), "configure 2 vchans");
	TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, 0, &vconf), "vchan 0");
	TEST_ASSERT_FAIL(rte_dma_start(dev), "start with vchan 1 not set up");
	TEST_ASSERT(ocopy_find(OD) == NULL && engine_free(sw0) && engine_free(sw1),
		"left started");
	TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, 1, &vconf), "vchan 1");
	swdev_configure(sw1, 1, 64);
	TEST_ASSERT_SUCCESS(rte_dma_start(sw1), "start dma_sw1 for ourselves");
	TEST_ASSERT_EQUAL(rte_dma_start(dev), -EBUSY, "start with an engine in use");
	TEST_ASSERT(ocopy_find(OD) == NULL && engine_free(sw0), "left started");
	TEST_ASSERT_SUCCESS(rte_dma_stop(sw1), "stop dma_sw1");

	test_section("life cycle: reconfigured, 3 vchans of 1000 descriptors");
	conf.nb_vchans = 3;
	vconf.nb_desc = 1000;
	TEST_ASSERT_SUCCESS(rte_dma_configure(dev, &conf), "configure 3 vchans");
	for (v = 0; v < 3; v++)
		TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, v, &vconf), "vchan %u", v);
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start");
	gbuf_reset(dst);
	for (v = 0; v < 3; v++) {
		TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, v), 1024, "capacity of vchan %u", v);
		TEST_ASSERT_EQUAL(swdev_copy1(dev, v, gbuf_iova(src, v * 8192),
			gbuf_iova(dst, v * 8192), 8192, 0), OK, "copy on vchan %u", v);
		gbuf_expect_copy(dst, v * 8192, src, v * 8192, 8192);
		swdev_wait_idle(dev, v);
	}
	GBUF_ASSERT_OK(dst, "copies on 3 vchans");
	TEST_ASSERT_FAIL(rte_dma_copy(dev, 3, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64, 0),
		"copy on vchan 3 of 3");

	test_section("life cycle: removed while started, with work in flight");
	for (i = 0; i < 5; i++)
		TEST_ASSERT(rte_dma_copy(dev, 1, gbuf_iova(src, 0), gbuf_iova(dst, 0), 8192,
			RTE_DMA_OP_FLAG_SUBMIT) == i + 1, "copy %u", i);
	od_destroy(OD);
	TEST_ASSERT(engine_free(sw0) && engine_free(sw1), "engines not free after removal");
}

int
main(int argc, char **argv)
{
	static const char *const policies[] = { "auto", "cpu", "engine" };
	const struct test_opts opts = { .name = "dma_offload", .timeout_s = 120 };
	unsigned int i;

	test_eal_init(argc, argv, &opts);
	swdev_create("dma_sw0", NULL);
	swdev_create("dma_sw1", NULL);
	src = gbuf_alloc("src", 1, BIG);
	dst = gbuf_alloc("dst", 2, BIG);
	other = gbuf_alloc("other", 3, 64 * 1024);

	test_devargs();
	test_info();
	for (i = 0; i < RTE_DIM(policies); i++) {
		test_data(policies[i]);
		test_submit_rule(policies[i]);
		test_bad_addresses(policies[i]);
		test_staged(policies[i]);
	}
	test_wrap();
	test_fenced_sg();
	test_engine_errors();
	test_lifecycle();

	gbuf_free(src);
	gbuf_free(dst);
	gbuf_free(other);
	return test_done();
}
