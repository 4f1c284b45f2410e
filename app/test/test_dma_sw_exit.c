/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw at process exit: rte_eal_cleanup() (which rte_exit() calls too)
 * with the device left started and copies in flight returns, and takes
 * the device away (bus cleanup: stop, close).
 *
 * In lcore mode, EAL's cleanup first waits for every worker lcore to
 * return; the worker ran there as a loop of the driver's own, until
 * rte_dma_stop(), so a process that exited without stopping its device
 * (an application's error path, a failed dmadev_autotest) hung for good.
 * The worker is now a service on the dedicated lcore, which EAL stops
 * first. While the device runs, the lcore takes no other work
 * (rte_eal_remote_launch() fails with -EBUSY).
 */

#include <errno.h>
#include <stdio.h>

#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define NB_OPS	32
#define LEN	4096

/* Global: the device may still copy into dst while EAL cleans up. */
static struct gbuf *src, *dst;

static int
nothing(void *arg)
{
	RTE_SET_USED(arg);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = { .name = "dma_sw_exit", .timeout_s = 30 };
	unsigned int i;
	int16_t dev;
	int ret;

	test_eal_init(argc, argv, &opts);
	src = gbuf_alloc("src", 1, LEN);
	dst = gbuf_alloc("dst", 2, (size_t)NB_OPS * LEN);

	test_section("a started device keeps its lcore");
	dev = swdev_open("dma_sw_exit0", NULL, 1, 64);
	for (i = 0; i < NB_OPS; i++)
		TEST_ASSERT_EQUAL(rte_dma_copy(dev, 0, gbuf_iova(src, 0),
			gbuf_iova(dst, (ssize_t)i * LEN), LEN, 0), (int)i, "copy %u", i);
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	if (test_worker == TEST_WORKER_LCORE) {
		TEST_ASSERT_EQUAL(rte_eal_remote_launch(nothing, NULL,
			SWDEV_WORKER_LCORE), -EBUSY, "a launch on the device's lcore");
		TEST_ASSERT(!rte_lcore_is_enabled(SWDEV_WORKER_LCORE),
			"left out of the application's lcores (RTE_LCORE_FOREACH_WORKER)");
	}

	test_section("rte_eal_cleanup() with the device started and copies submitted");
	/* The watchdog (opts.timeout_s) fails the test should it hang. */
	ret = rte_eal_cleanup();
	if (ret != 0) {
		printf("FAIL dma_sw_exit: rte_eal_cleanup: %d\n", ret);
		return TEST_FAIL;
	}
	printf("PASS dma_sw_exit\n");
	return TEST_PASS;
}
