/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw life cycle: stop, restart, reconfigure, close and remove.
 *
 *  - rte_dma_stop() with submitted work in flight: when it returns, every
 *    submitted copy is done (data verified) and every enqueued but
 *    unsubmitted one is not (destination untouched); the vchan is idle;
 *    stopped, it refuses copies, fills and SG copies (-ENOSPC, capacity
 *    0): they would never run, and the next start would drop them;
 *  - restart: job ids start at 0 again, last_idx is 0xffff, statistics
 *    keep counting;
 *  - close of a started device is refused; stop + close with work in
 *    flight completes it; rte_vdev_uninit() of a started device with work
 *    in flight stops it (work done), then removes dmadev and service;
 *  - rte_dma_vchan_status() is ACTIVE while submitted work waits for the
 *    worker (service paused) and IDLE once done;
 *  - reconfigure with more, then fewer vchans; configure while started is
 *    refused; start with a vchan not set up fails, then works once it is;
 *  - lcore mode: a second device on a started device's lcore fails to
 *    start with -EBUSY and stays as it was (stopped: capacity 0; the
 *    completions its last stop left still to reap), and starts once the
 *    first one stops.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_dmadev.h>
#include <rte_launch.h>
#include <rte_pause.h>
#include <rte_service.h>
#include <rte_service_component.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define BIG		(256 * 1024)	/* per copy: the worker is still busy at stop */
#define NB_BIG		48
#define NB_UNSUB	8

static struct gbuf *src, *dst;

/* Enqueue NB_BIG big copies and submit them, then NB_UNSUB small copies
 * never submitted (into the last slot's tail, past the big ones).
 */
static uint16_t
load(int16_t dev, uint16_t vchan, uint16_t first_id)
{
	unsigned int i;
	int id;

	for (i = 0; i < NB_BIG; i++) {
		id = rte_dma_copy(dev, vchan, gbuf_iova(src, 0), gbuf_iova(dst, (size_t)i * BIG),
			BIG - i, 0);
		TEST_ASSERT_EQUAL(id, (uint16_t)(first_id + i), "job id of big copy %u", i);
		gbuf_expect_copy(dst, (size_t)i * BIG, src, 0, BIG - i);
	}
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, vchan), "submit");
	for (i = 0; i < NB_UNSUB; i++) {
		id = rte_dma_copy(dev, vchan, gbuf_iova(src, 0),
			gbuf_iova(dst, (size_t)NB_BIG * BIG + i * 64), 64, 0);
		TEST_ASSERT_EQUAL(id, (uint16_t)(first_id + NB_BIG + i),
			"job id of unsubmitted copy");
	}
	return (uint16_t)(first_id + NB_BIG + NB_UNSUB);
}

/*
 * The first op since a start: len bytes of src to dst + off, submitted,
 * job id 0, reaped and checked (what: the case, for a failure).
 */
static void
copy_first(int16_t dev, size_t off, uint32_t len, const char *what)
{
	TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, off), len,
		RTE_DMA_OP_FLAG_SUBMIT), 0, "%s: job id", what);
	gbuf_expect_copy(dst, off, src, 0, len);
	swdev_reap_ok(dev, 0, 1, 0);
	GBUF_ASSERT_OK(dst, "%s", what);
}

static void
test_stop_restart(const char *name)
{
	struct rte_dma_stats stats;
	uint16_t last = 0;
	bool err = false;
	int16_t dev;
	int id, i;

	test_section("stop with work in flight, restart");
	dev = swdev_open(name, NULL, 1, 256);
	gbuf_reset(dst);
	load(dev, 0, 0);
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	GBUF_ASSERT_OK(dst, "after stop: every submitted copy done, no unsubmitted one");
	{
		/* For the log: how many copies stop itself had to run. */
		char *dump = swdev_dump(dev), *p = strstr(dump, "drained at stop");

		if (p != NULL)
			printf("  %.*s\n", (int)strcspn(p, "\n"), p);
		free(dump);
	}
	swdev_wait_idle(dev, 0);
	/*
	 * Stopped, it takes nothing: an op accepted now would never run, and
	 * the next start's reset would drop it unseen.
	 */
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 0, "capacity while stopped");
	{
		struct rte_dma_sge sg_src = { .addr = gbuf_iova(src, 0), .length = 64 };
		struct rte_dma_sge sg_dst = {
			.addr = gbuf_iova(dst, (size_t)NB_BIG * BIG + 4096), .length = 64,
		};

		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0),
			gbuf_iova(dst, (size_t)NB_BIG * BIG + 4096), 64,
			RTE_DMA_OP_FLAG_SUBMIT), -ENOSPC, "copy while stopped");
		TEST_ASSERT_EQUAL(rte_dma_fill(dev, 0, 0x1122334455667788ULL,
			gbuf_iova(dst, (size_t)NB_BIG * BIG + 4096), 64,
			RTE_DMA_OP_FLAG_SUBMIT), -ENOSPC, "fill while stopped");
		TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev, 0, &sg_src, &sg_dst, 1, 1,
			RTE_DMA_OP_FLAG_SUBMIT), -ENOSPC, "copy_sg while stopped");
	}
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit while stopped: nothing to do");
	GBUF_ASSERT_OK(dst, "nothing written by the refused ops");
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, 0, &stats), "stats");
	TEST_ASSERT_EQUAL(stats.submitted, NB_BIG, "submitted before stop");

	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "restart");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 256, "capacity after restart");
	TEST_ASSERT_EQUAL(rte_dma_completed(dev, 0, 8, &last, &err), 0, "nothing after restart");
	TEST_ASSERT_EQUAL(last, 0xffff, "last_idx after restart");
	id = rte_dma_copy(dev, 0, gbuf_iova(src, 100), gbuf_iova(dst, 0), 100,
		RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT_EQUAL(id, 0, "first job id after restart");
	gbuf_expect_copy(dst, 0, src, 100, 100);
	swdev_reap_ok(dev, 0, 1, 0);
	GBUF_ASSERT_OK(dst, "after restart");
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev, 0, &stats), "stats");
	TEST_ASSERT_EQUAL(stats.submitted, NB_BIG + 1, "statistics keep counting over a restart");
	TEST_ASSERT_EQUAL(stats.completed, 1, "completed (the drained ones were never reaped)");

	/* Stop and start several times, idle and loaded. */
	for (i = 0; i < 5; i++) {
		TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop %d", i);
		TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start %d", i);
		gbuf_reset(dst);
		load(dev, 0, 0);
	}
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	GBUF_ASSERT_OK(dst, "after the last of several stops");

	test_section("close: refused while started, completes in-flight work after stop");
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start");
	gbuf_reset(dst);
	load(dev, 0, 0);
	TEST_ASSERT_EQUAL(rte_dma_close(dev), -EBUSY, "close of a started device");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	TEST_ASSERT_SUCCESS(rte_dma_close(dev), "close");
	GBUF_ASSERT_OK(dst, "after stop + close");
	TEST_ASSERT(!rte_dma_is_valid(dev), "dmadev %d still valid after close", dev);
	/* The vdev is still on the bus; removing it is fine. */
	swdev_destroy(name);

	test_section("rte_vdev_uninit of a started device with work in flight");
	dev = swdev_open(name, NULL, 2, 256);
	gbuf_reset(dst);
	load(dev, 1, 0);
	swdev_destroy(name);
	GBUF_ASSERT_OK(dst, "after rte_vdev_uninit");
	TEST_ASSERT_EQUAL(rte_dma_count_avail(), 0, "dmadevs after the removal");

	/* The name can be used again. */
	dev = swdev_open(name, NULL, 1, 32);
	gbuf_reset(dst);
	copy_first(dev, 0, 8, "new device");
	swdev_destroy(name);
}

static void
test_vchan_status(const char *name)
{
	enum rte_dma_vchan_status s;
	uint32_t sid;
	int16_t dev;

	test_section("vchan status: idle, active while the worker is held, idle again");
	dev = swdev_open(name, NULL, 1, 64);
	TEST_ASSERT_SUCCESS(rte_dma_vchan_status(dev, 0, &s), "status");
	TEST_ASSERT_EQUAL(s, RTE_DMA_VCHAN_IDLE, "idle after start");
	gbuf_reset(dst);
	TEST_ASSERT(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64, 0) == 0, "copy");
	TEST_ASSERT_SUCCESS(rte_dma_vchan_status(dev, 0, &s), "status");
	TEST_ASSERT_EQUAL(s, RTE_DMA_VCHAN_IDLE, "enqueued but not submitted");

	if (test_worker == TEST_WORKER_SERVICE) {
		/* Hold the worker: the application's runstate of its service. */
		TEST_ASSERT_SUCCESS(rte_service_get_by_name(name, &sid), "service");
		TEST_ASSERT_SUCCESS(rte_service_runstate_set(sid, 0), "pause the service");
		uint64_t deadline = test_deadline(SWDEV_WAIT_MS);

		while (rte_service_may_be_active(sid) == 1)
			TEST_ASSERT(!test_expired(deadline), "service still running after pause");
		TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
		TEST_ASSERT_SUCCESS(rte_dma_vchan_status(dev, 0, &s), "status");
		TEST_ASSERT_EQUAL(s, RTE_DMA_VCHAN_ACTIVE, "submitted, worker held");
		GBUF_ASSERT_OK(dst, "nothing ran while the worker was held");
		TEST_ASSERT_SUCCESS(rte_service_runstate_set(sid, 1), "resume the service");
		gbuf_expect_copy(dst, 0, src, 0, 64);
		swdev_wait_idle(dev, 0);
		swdev_reap_ok(dev, 0, 1, 0);
		GBUF_ASSERT_OK(dst, "idle again");

		/* Stop with the worker held: stop itself must run all of it. */
		TEST_ASSERT_SUCCESS(rte_service_runstate_set(sid, 0), "pause the service");
		while (rte_service_may_be_active(sid) == 1)
			TEST_ASSERT(!test_expired(deadline), "service still running after pause");
		gbuf_reset(dst);
		load(dev, 0, 1);
		TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop with the worker held");
		GBUF_ASSERT_OK(dst, "stop ran every submitted copy itself, no unsubmitted one");
		TEST_ASSERT_SUCCESS(rte_service_runstate_set(sid, 1), "resume the service");
		TEST_ASSERT_SUCCESS(rte_dma_start(dev), "restart");
		gbuf_reset(dst);
		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64,
			0), 0, "first id after restart");
		TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	} else {
		printf("  ACTIVE not checked: a dedicated lcore cannot be held from outside\n");
		TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	}
	gbuf_expect_copy(dst, 0, src, 0, 64);
	swdev_wait_idle(dev, 0);
	swdev_reap_ok(dev, 0, 1, 0);
	GBUF_ASSERT_OK(dst, "idle again");
	swdev_destroy(name);
}

static void
test_reconfigure(const char *name)
{
	struct rte_dma_conf conf = { .nb_vchans = 2 };
	struct rte_dma_vchan_conf vc = { .direction = RTE_DMA_DIR_MEM_TO_MEM, .nb_desc = 64 };
	struct rte_dma_info info;
	unsigned int round, v, nb;
	int16_t dev;

	test_section("reconfigure; start without every vchan set up fails");
	dev = swdev_create_worker(name, NULL);
	TEST_ASSERT_SUCCESS(rte_dma_configure(dev, &conf), "configure 2 vchans");
	TEST_ASSERT_FAIL(rte_dma_start(dev), "start with no vchan set up");
	TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, 0, &vc), "vchan 0");
	TEST_ASSERT_FAIL(rte_dma_start(dev), "start with vchan 1 not set up");
	TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, 1, &vc), "vchan 1");
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start with both set up");
	TEST_ASSERT_FAIL(rte_dma_configure(dev, &conf), "configure while started");
	TEST_ASSERT_FAIL(rte_dma_vchan_setup(dev, 0, &vc), "vchan setup while started");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");

	for (round = 0; round < 4; round++) {
		static const unsigned int counts[] = { 4, 1, 16, 3 };

		nb = counts[round];
		swdev_configure(dev, nb, 32 << (round % 3));
		TEST_ASSERT_SUCCESS(rte_dma_info_get(dev, &info), "info");
		TEST_ASSERT_EQUAL(info.nb_vchans, nb, "nb_vchans after reconfigure");
		TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start with %u vchans", nb);
		gbuf_reset(dst);
		for (v = 0; v < nb; v++) {
			TEST_ASSERT_EQUAL(rte_dma_copy(dev, v, gbuf_iova(src, v * 100),
				gbuf_iova(dst, v * 1000), 500, RTE_DMA_OP_FLAG_SUBMIT), 0,
				"first job id on vchan %u of %u", v, nb);
			gbuf_expect_copy(dst, v * 1000, src, v * 100, 500);
		}
		for (v = 0; v < nb; v++)
			swdev_reap_ok(dev, v, 1, 0);
		GBUF_ASSERT_OK(dst, "%u vchans", nb);
		TEST_ASSERT(rte_dma_copy(dev, nb, gbuf_iova(src, 0), gbuf_iova(dst, 0), 8, 0) < 0,
			"copy on vchan %u of %u", nb, nb);
		TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	}
	swdev_destroy(name);
}

/* Two lcore-mode devices on the same lcore: one runs at a time. */
static void
test_lcore_busy(void)
{
	int16_t a, b;

	test_section("lcore mode: a second device on a busy lcore fails to start");
	a = swdev_open("dma_sw_stop_a", NULL, 1, 32);
	b = swdev_create_worker("dma_sw_stop_b", NULL);
	swdev_configure(b, 1, 32);
	TEST_ASSERT_EQUAL(rte_dma_start(b), -EBUSY, "start on the lcore device a runs on");
	/* Refused, it stays stopped: no op would ever run. */
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(b, 0), 0, "capacity after a failed start");
	TEST_ASSERT_EQUAL(rte_dma_copy(b, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64,
		RTE_DMA_OP_FLAG_SUBMIT), -ENOSPC, "copy after a failed start");
	/* a's copy done by the stop, not reaped yet. */
	gbuf_reset(dst);
	TEST_ASSERT_EQUAL(rte_dma_copy(a, 0, gbuf_iova(src, 0), gbuf_iova(dst, 128), 64,
		0), 0, "copy on a");
	gbuf_expect_copy(dst, 128, src, 0, 64);
	TEST_ASSERT_SUCCESS(rte_dma_submit(a, 0), "submit on a");
	TEST_ASSERT_SUCCESS(rte_dma_stop(a), "stop a");
	TEST_ASSERT_SUCCESS(rte_dma_start(b), "start b once a stopped");
	TEST_ASSERT_EQUAL(rte_dma_start(a), -EBUSY, "start a while b runs");
	/* A failed start keeps what the stop left: a's copy, still to reap. */
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(a, 0), 0, "a's capacity after a failed start");
	swdev_reap_ok(a, 0, 1, 0);
	GBUF_ASSERT_OK(dst, "a's copy");
	gbuf_reset(dst);
	copy_first(b, 0, 64, "b runs");
	TEST_ASSERT_SUCCESS(rte_dma_stop(b), "stop b");
	TEST_ASSERT_EQUAL(rte_eal_get_lcore_state(SWDEV_WORKER_LCORE), WAIT,
		"the lcore is free after stop");
	TEST_ASSERT_SUCCESS(rte_dma_start(a), "start a again");
	copy_first(a, 64, 64, "a runs again");
	swdev_destroy("dma_sw_stop_a");
	swdev_destroy("dma_sw_stop_b");
}

static int32_t
app_service_cb(void *arg)
{
	uint64_t *runs = arg;

	__atomic_fetch_add(runs, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Runs of the application's service, after waiting for it to move. */
static uint64_t
app_service_moves(uint64_t *runs, uint64_t from)
{
	uint64_t deadline = test_deadline(SWDEV_WAIT_MS);

	while (__atomic_load_n(runs, __ATOMIC_RELAXED) == from &&
			!test_expired(deadline))
		rte_pause();
	return __atomic_load_n(runs, __ATOMIC_RELAXED);
}

/*
 * lcore mode: the device's lcore is a service lcore while it runs, and
 * the application maps a service of its own there. The device's stop
 * leaves the lcore running that service (a wait for the lcore would never
 * end), and the device starts again once the application took its lcore
 * back.
 */
static void
test_lcore_app_service(void)
{
	static uint64_t runs;
	struct rte_service_spec spec = {
		.name = "test_app_service",
		.callback = app_service_cb,
		.callback_userdata = &runs,
	};
	const unsigned int lc = SWDEV_WORKER_LCORE;
	uint64_t seen;
	uint32_t sid;
	int16_t dev;

	test_section("lcore mode: a service of the application's on the device's lcore");
	dev = swdev_open("dma_sw_stop_svc", NULL, 1, 32);
	TEST_ASSERT_SUCCESS(rte_service_component_register(&spec, &sid), "register");
	rte_service_component_runstate_set(sid, 1);
	TEST_ASSERT_SUCCESS(rte_service_runstate_set(sid, 1), "runstate");
	TEST_ASSERT_SUCCESS(rte_service_map_lcore_set(sid, lc, 1), "map to lcore %u", lc);
	seen = app_service_moves(&runs, 0);
	TEST_ASSERT(seen != 0, "the application's service runs");
	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "the device's stop returns");
	TEST_ASSERT(app_service_moves(&runs, seen) != seen,
		"the application's service still runs after the stop");
	TEST_ASSERT_EQUAL(rte_dma_start(dev), -EBUSY, "start while the lcore runs it");
	/* The application takes its lcore back. */
	rte_service_runstate_set(sid, 0);
	rte_service_component_runstate_set(sid, 0);
	TEST_ASSERT_SUCCESS(rte_service_map_lcore_set(sid, lc, 0), "unmap");
	TEST_ASSERT_SUCCESS(rte_service_lcore_stop(lc), "lcore stop");
	rte_eal_wait_lcore(lc);
	TEST_ASSERT_SUCCESS(rte_service_lcore_del(lc), "lcore del");
	TEST_ASSERT_SUCCESS(rte_service_component_unregister(sid), "unregister");
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start once the lcore is free");
	gbuf_reset(dst);
	copy_first(dev, 0, 64, "the device runs again");
	swdev_destroy("dma_sw_stop_svc");
}

/*
 * lcore mode: the device's service takes the name lcore<N>.dma_sw while it
 * runs; one of that name already there refuses the start (two services
 * of one name: the probe of a device for that lcore took the other one
 * for the device's). A service-mode device's name cannot take it.
 */
static void
test_lcore_service_name(void)
{
	static uint64_t runs;
	struct rte_service_spec spec = {
		.callback = app_service_cb,
		.callback_userdata = &runs,
	};
	uint32_t sid;
	int16_t dev;

	test_section("lcore mode: a service already named like the device's");
	snprintf(spec.name, sizeof(spec.name), "lcore%u.dma_sw", SWDEV_WORKER_LCORE);
	TEST_ASSERT_SUCCESS(rte_service_component_register(&spec, &sid), "register");
	dev = swdev_create_worker("dma_sw_stop_name", NULL);
	swdev_configure(dev, 1, 32);
	TEST_ASSERT_EQUAL(rte_dma_start(dev), -EEXIST, "start with the name taken");
	TEST_ASSERT_EQUAL(rte_eal_lcore_role(SWDEV_WORKER_LCORE), ROLE_RTE,
		"the refused start left the lcore as it was");
	TEST_ASSERT_SUCCESS(rte_service_component_unregister(sid), "unregister");
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start once the name is free");
	TEST_ASSERT_SUCCESS(rte_service_get_by_name(spec.name, &sid), "its service");
	TEST_ASSERT_EQUAL(rte_service_map_lcore_get(sid, SWDEV_WORKER_LCORE), 1,
		"mapped to its lcore");
	swdev_destroy("dma_sw_stop_name");
	TEST_ASSERT(rte_service_get_by_name(spec.name, &sid) != 0,
		"no service once the device is gone");
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = { .name = "dma_sw_stop", .timeout_s = 60 };

	test_eal_init(argc, argv, &opts);
	src = gbuf_alloc("src", 1, BIG);
	dst = gbuf_alloc("dst", 2, (size_t)NB_BIG * BIG + NB_UNSUB * 64);

	test_stop_restart("dma_sw_stop0");
	test_vchan_status("dma_sw_stop0");
	test_reconfigure("dma_sw_stop0");
	if (test_worker == TEST_WORKER_LCORE) {
		test_lcore_busy();
		test_lcore_app_service();
		test_lcore_service_name();
	} else {
		printf("  lcore -EBUSY case runs with the \"lcore\" argument\n");
	}

	gbuf_free(src);
	gbuf_free(dst);
	return test_done();
}
