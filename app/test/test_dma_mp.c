/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw and dma_offload with a secondary process attached.
 *
 * The devices are the primary's: a secondary has no dmadev of them. But a
 * secondary probes every vdev of the primary at its start, and EAL asks
 * every secondary to probe (or remove) a device the primary hot-plugs,
 * rolling the primary's call back where one fails. The drivers' probe
 * used to fail in a secondary (-ENOTSUP): with any secondary attached,
 * even a monitoring tool, rte_eal_hotplug_add() of either driver failed
 * in the primary, and rte_eal_hotplug_remove() of a device made before
 * the secondary came failed with -ENODEV.
 *
 * The program is its own secondary: run with "secondary PREFIX CPU
 * READY_FD GO_FD", it attaches, checks that it has no dmadev, writes a
 * byte to READY_FD, waits for GO_FD to close and exits 0.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define LEN		4096
#define READY_MS	20000

/* The secondary: its own main, exit status 0 when all held. */
static int
secondary_main(int argc, char **argv)
{
	char prefix[96], lcores[32];
	char *eal_argv[] = {
		argv[0], "--proc-type=secondary", prefix, "--lcores", lcores,
		"--no-pci", "--iova-mode=va", "--base-virtaddr=" TEST_SHARED_BASE,
		"--log-level=pmd.dma.sw:info", NULL,
	};
	int ready, go, ret;
	char c = 'R';

	if (argc != 6)
		return 2;
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", argv[2]);
	snprintf(lcores, sizeof(lcores), "0@%s", argv[3]);
	ready = atoi(argv[4]);
	go = atoi(argv[5]);
	ret = rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "secondary: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* The primary's devices: none of them is a dmadev here. */
	if (rte_dma_count_avail() != 0) {
		fprintf(stderr, "secondary: %u dmadev(s), expected none\n",
			rte_dma_count_avail());
		return 1;
	}
	if (write(ready, &c, 1) != 1)
		return 1;
	/* Attached while the primary hot-plugs; EOF: the primary is done. */
	while (read(go, &c, 1) > 0)
		;
	rte_eal_cleanup();
	return 0;
}

/* Start the secondary; *go is the pipe end that lets it exit when closed. */
static pid_t
secondary_start(int *go)
{
	int rp[2], gp[2];
	char cpu[16], rfd[16], gfd[16], env[512];
	const char *asan;
	struct pollfd pfd;
	pid_t pid;
	char c;

	TEST_ASSERT_SUCCESS(pipe(rp), "pipe");
	TEST_ASSERT_SUCCESS(pipe(gp), "pipe");
	/* On the primary's main lcore's CPU: it waits meanwhile. */
	snprintf(cpu, sizeof(cpu), "%d", rte_lcore_to_cpu_id((int)rte_get_main_lcore()));
	snprintf(rfd, sizeof(rfd), "%d", rp[1]);
	snprintf(gfd, sizeof(gfd), "%d", gp[0]);
	/*
	 * Under ASan: DPDK 22.11's vdev bus leaks, in a secondary, the device
	 * entries its IPC thread makes for the primary's vdevs (calloc and
	 * strdup in librte_bus_vdev): not this program's. Set here, for the
	 * child to inherit: between fork() and exec() only async-signal-safe
	 * calls belong, and setenv() allocates.
	 */
	asan = getenv("ASAN_OPTIONS");
	snprintf(env, sizeof(env), "%s%sdetect_leaks=0", asan != NULL ? asan : "",
		asan != NULL && asan[0] != '\0' ? ":" : "");
	setenv("ASAN_OPTIONS", env, 1);
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		char *args[] = { "test_dma_mp", "secondary", test_file_prefix, cpu, rfd, gfd,
			NULL };

		close(rp[0]);
		close(gp[1]);
		execv("/proc/self/exe", args);
		_exit(127);
	}
	close(rp[1]);
	close(gp[0]);
	pfd.fd = rp[0];
	pfd.events = POLLIN;
	TEST_ASSERT_EQUAL(poll(&pfd, 1, READY_MS), 1, "the secondary is not ready in %u ms",
		READY_MS);
	TEST_ASSERT_EQUAL(read(rp[0], &c, 1), 1, "the secondary exited before it was ready");
	close(rp[0]);
	*go = gp[1];
	return pid;
}

/* One copy through a started dmadev, checked. */
static void
copy_check(int16_t dev, struct gbuf *src, struct gbuf *dst)
{
	gbuf_reset(dst);
	SWDEV_ASSERT_STATUS(swdev_copy1(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), LEN, 0),
		RTE_DMA_STATUS_SUCCESSFUL, "copy on dmadev %d", dev);
	gbuf_expect_copy(dst, 0, src, 0, LEN);
	GBUF_ASSERT_OK(dst, "copy on dmadev %d", dev);
}

/* Hot-plug a device in the primary, with the secondary attached. */
static int16_t
hotplug_add(const char *name, const char *args)
{
	int id;

	TEST_ASSERT_SUCCESS(rte_eal_hotplug_add("vdev", name, args),
		"hot-plug %s with a secondary attached", name);
	id = rte_dma_get_dev_id_by_name(name);
	TEST_ASSERT(id >= 0, "no dmadev %s after its hot-plug", name);
	return (int16_t)id;
}

static void
hotplug_remove(const char *name)
{
	TEST_ASSERT_SUCCESS(rte_eal_hotplug_remove("vdev", name),
		"hot-unplug %s with a secondary attached", name);
	TEST_ASSERT(rte_dma_get_dev_id_by_name(name) < 0, "dmadev %s still there", name);
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = {
		.name = "dma_mp", .nb_lcores = 3, .shared = true, .timeout_s = 60,
	};
	struct gbuf *src, *dst;
	int16_t dev;
	int go, status;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "secondary") == 0)
		return secondary_main(argc, argv);
	test_eal_init(argc, argv, &opts);
	src = gbuf_alloc("src", 1, LEN);
	dst = gbuf_alloc("dst", 2, LEN);
	/* Made before the secondary: it probes them at its start. */
	dev = swdev_open("dma_sw_mp0", NULL, 1, 64);
	TEST_ASSERT_SUCCESS(rte_vdev_init("dma_offload_mp0", "engines=dma_sw_mp0"), "dma_offload");

	test_section("a secondary attaches");
	pid = secondary_start(&go);
	copy_check(dev, src, dst);

	test_section("the primary hot-plugs dma_sw");
	dev = hotplug_add("dma_sw_mp1", test_worker == TEST_WORKER_LCORE ? "lcore=2" : "");
	if (test_worker == TEST_WORKER_SERVICE)
		swdev_service_attach("dma_sw_mp1", 1);
	swdev_configure(dev, 1, 64);
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start dma_sw_mp1");
	copy_check(dev, src, dst);
	hotplug_remove("dma_sw_mp1");

	test_section("the primary hot-plugs dma_offload");
	dev = hotplug_add("dma_offload_mp1", "engines=dma_sw_mp0");
	hotplug_remove("dma_offload_mp1");

	test_section("the primary hot-unplugs devices the secondary found at its start");
	hotplug_remove("dma_offload_mp0");
	hotplug_remove("dma_sw_mp0");

	test_section("the secondary exits");
	close(go);
	TEST_ASSERT_EQUAL(waitpid(pid, &status, 0), pid, "waitpid");
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"the secondary failed (status 0x%x)", status);
	gbuf_free(src);
	gbuf_free(dst);
	return test_done();
}
