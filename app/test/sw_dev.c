/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw device helpers for the tests (see sw_dev.h). Main lcore only.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_pause.h>
#include <rte_service.h>

#include "sw_dev.h"
#include "test.h"

unsigned int swdev_service_lcore = SWDEV_WORKER_LCORE;

void
swdev_service_run(const char *name, bool run)
{
	uint64_t deadline;
	uint32_t id;

	TEST_ASSERT_SUCCESS(rte_service_get_by_name(name, &id),
		"device %s has no service named like it", name);
	TEST_ASSERT_SUCCESS(rte_service_runstate_set(id, run ? 1 : 0),
		"service %u runstate %d", id, run);
	if (run)
		return;
	/*
	 * Let an iteration under way finish before the caller relies on the
	 * engine standing still: a preempted service core may resume one
	 * long after the runstate changed (a fixed 2 ms delay was not enough
	 * on a busy machine), and that iteration takes whatever was submitted
	 * meanwhile.
	 */
	deadline = test_deadline(5000);
	while (rte_service_may_be_active(id) == 1) {
		TEST_ASSERT(!test_expired(deadline), "service %u still running after 5 s", id);
		rte_delay_us(10);
	}
}

void
swdev_service_attach(const char *name, unsigned int lcore)
{
	uint32_t id;
	int ret;

	TEST_ASSERT_SUCCESS(rte_service_get_by_name(name, &id),
		"device %s has no service named like it", name);
	ret = rte_service_lcore_add(lcore);
	TEST_ASSERT(ret == 0 || ret == -EALREADY, "rte_service_lcore_add(%u): %d", lcore, ret);
	TEST_ASSERT_SUCCESS(rte_service_map_lcore_set(id, lcore, 1), "map service %u", id);
	TEST_ASSERT_SUCCESS(rte_service_runstate_set(id, 1), "service %u runstate", id);
	ret = rte_service_lcore_start(lcore);
	TEST_ASSERT(ret == 0 || ret == -EALREADY, "rte_service_lcore_start(%u): %d", lcore, ret);
}

int16_t
swdev_create(const char *name, const char *devargs)
{
	uint32_t sid;
	int ret, id;

	ret = rte_vdev_init(name, devargs);
	if (ret != 0)
		TEST_FAIL_NOW("rte_vdev_init(%s, \"%s\") failed: %d (%s)", name,
			devargs ? devargs : "", ret, ret < 0 ? strerror(-ret) : "");
	id = rte_dma_get_dev_id_by_name(name);
	TEST_ASSERT(id >= 0, "no dmadev named %s after its probe", name);
	/* A device without lcore= runs as a service named like it. */
	if (devargs == NULL || strstr(devargs, "lcore=") == NULL)
		swdev_service_attach(name, swdev_service_lcore);
	else
		TEST_ASSERT(rte_service_get_by_name(name, &sid) != 0,
			"lcore-mode device %s registered a service", name);
	return (int16_t)id;
}

int16_t
swdev_create_worker(const char *name, const char *extra)
{
	char args[256];

	snprintf(args, sizeof(args), "%s%s%s",
		test_worker == TEST_WORKER_LCORE ? "lcore=1" : "",
		test_worker == TEST_WORKER_LCORE && extra != NULL && extra[0] ? "," : "",
		extra != NULL ? extra : "");
	return swdev_create(name, args);
}

void
swdev_configure(int16_t dev, uint16_t nb_vchans, uint16_t nb_desc)
{
	struct rte_dma_conf conf = { .nb_vchans = nb_vchans };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = nb_desc,
	};
	uint16_t v;

	TEST_ASSERT_SUCCESS(rte_dma_configure(dev, &conf), "dev %d, %u vchans", dev, nb_vchans);
	for (v = 0; v < nb_vchans; v++)
		TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, v, &vconf),
			"dev %d vchan %u, %u descriptors", dev, v, nb_desc);
}

int16_t
swdev_open(const char *name, const char *extra, uint16_t nb_vchans, uint16_t nb_desc)
{
	int16_t dev = swdev_create_worker(name, extra);

	swdev_configure(dev, nb_vchans, nb_desc);
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start %s", name);
	return dev;
}

void
swdev_destroy(const char *name)
{
	uint32_t sid;

	TEST_ASSERT_SUCCESS(rte_vdev_uninit(name), "remove %s", name);
	TEST_ASSERT(rte_dma_get_dev_id_by_name(name) < 0, "dmadev %s still there", name);
	TEST_ASSERT(rte_service_get_by_name(name, &sid) != 0,
		"service of %s still registered after its removal", name);
}

struct rte_device *
swdev_device(const char *name)
{
	struct rte_dev_iterator it;
	struct rte_device *d;

	RTE_DEV_FOREACH(d, "bus=vdev", &it) {
		if (strcmp(rte_dev_name(d), name) == 0)
			return d;
	}
	TEST_FAIL_NOW("no vdev named %s", name);
}

uint16_t
swdev_reap_status(int16_t dev, uint16_t vchan, uint16_t n, enum rte_dma_status_code *st)
{
	uint64_t deadline = test_deadline(SWDEV_WAIT_MS);
	uint16_t got = 0, last = 0;

	while (got < n) {
		uint16_t k = rte_dma_completed_status(dev, vchan, n - got, &last, st + got);

		TEST_ASSERT(k <= n - got, "completed_status returned %u for %u asked", k, n - got);
		got += k;
		if (k == 0) {
			if (test_expired(deadline))
				TEST_FAIL_NOW("dev %d vchan %u: %u of %u completions after %u ms",
					dev, vchan, got, n, SWDEV_WAIT_MS);
			rte_pause();
		}
	}
	return last;
}

void
swdev_reap_ok(int16_t dev, uint16_t vchan, uint16_t n, uint16_t last_id)
{
	uint64_t deadline = test_deadline(SWDEV_WAIT_MS);
	uint16_t got = 0, last = 0;
	bool err = false;

	while (got < n) {
		uint16_t k = rte_dma_completed(dev, vchan, n - got, &last, &err);

		TEST_ASSERT(!err, "dev %d vchan %u: an operation failed, %u of %u reaped",
			dev, vchan, got + k, n);
		TEST_ASSERT(k <= n - got, "completed returned %u for %u asked", k, n - got);
		got += k;
		if (k == 0) {
			if (test_expired(deadline))
				TEST_FAIL_NOW("dev %d vchan %u: %u of %u completions after %u ms",
					dev, vchan, got, n, SWDEV_WAIT_MS);
			rte_pause();
		}
	}
	TEST_ASSERT_EQUAL(last, last_id, "dev %d vchan %u: last_idx of the last completion",
		dev, vchan);
}

static enum rte_dma_status_code
finish1(int16_t dev, uint16_t vchan, int id, const char *what)
{
	enum rte_dma_status_code st;
	uint16_t last;

	TEST_ASSERT(id >= 0, "dev %d vchan %u: enqueue of one %s failed: %d", dev, vchan, what, id);
	last = swdev_reap_status(dev, vchan, 1, &st);
	TEST_ASSERT_EQUAL(last, id, "dev %d vchan %u: last_idx of the %s", dev, vchan, what);
	return st;
}

enum rte_dma_status_code
swdev_copy1(int16_t dev, uint16_t vchan, rte_iova_t src, rte_iova_t dst, uint32_t len,
		uint64_t flags)
{
	return finish1(dev, vchan, rte_dma_copy(dev, vchan, src, dst, len,
		flags | RTE_DMA_OP_FLAG_SUBMIT), "copy");
}

enum rte_dma_status_code
swdev_fill1(int16_t dev, uint16_t vchan, uint64_t pattern, rte_iova_t dst, uint32_t len,
		uint64_t flags)
{
	return finish1(dev, vchan, rte_dma_fill(dev, vchan, pattern, dst, len,
		flags | RTE_DMA_OP_FLAG_SUBMIT), "fill");
}

enum rte_dma_status_code
swdev_sg1(int16_t dev, uint16_t vchan, const struct rte_dma_sge *src, uint16_t nb_src,
		const struct rte_dma_sge *dst, uint16_t nb_dst, uint64_t flags)
{
	/* dmadev takes non-const arrays; the driver only reads them. */
	return finish1(dev, vchan, rte_dma_copy_sg(dev, vchan,
		(struct rte_dma_sge *)(uintptr_t)src, (struct rte_dma_sge *)(uintptr_t)dst,
		nb_src, nb_dst, flags | RTE_DMA_OP_FLAG_SUBMIT), "copy_sg");
}

void
swdev_wait_idle(int16_t dev, uint16_t vchan)
{
	uint64_t deadline = test_deadline(SWDEV_WAIT_MS);
	enum rte_dma_vchan_status s;

	for (;;) {
		TEST_ASSERT_SUCCESS(rte_dma_vchan_status(dev, vchan, &s), "dev %d", dev);
		if (s == RTE_DMA_VCHAN_IDLE)
			return;
		if (test_expired(deadline))
			TEST_FAIL_NOW("dev %d vchan %u not idle after %u ms (status %d)",
				dev, vchan, SWDEV_WAIT_MS, s);
		rte_pause();
	}
}

void
swdev_probe_must_fail(const char *name, const char *devargs, const char *why)
{
	uint16_t before = rte_dma_count_avail();
	int ret;

	ret = rte_vdev_init(name, devargs);
	TEST_ASSERT(ret < 0, "devargs \"%s\" (%s) accepted (ret %d)", devargs, why, ret);
	TEST_ASSERT_EQUAL(rte_dma_count_avail(), before,
		"devargs \"%s\" (%s): dmadev count changed", devargs, why);
	TEST_ASSERT(rte_dma_get_dev_id_by_name(name) < 0,
		"devargs \"%s\" (%s): dmadev left behind", devargs, why);
	TEST_ASSERT_EQUAL(rte_vdev_uninit(name), -ENOENT,
		"devargs \"%s\" (%s): vdev left on the bus", devargs, why);
}

char *
swdev_dumped_devargs(int16_t dev)
{
	char *dump = swdev_dump(dev), *line, *end, *out;

	line = strstr(dump, "  devargs: ");
	TEST_ASSERT(line != NULL, "no devargs line in the dump:\n%s", dump);
	line += strlen("  devargs: ");
	end = strchr(line, '\n');
	TEST_ASSERT(end != NULL, "unterminated devargs line");
	out = strndup(line, end - line);
	free(dump);
	return out;
}

char *
swdev_dump(int16_t dev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	TEST_ASSERT(f != NULL, "open_memstream");
	TEST_ASSERT_SUCCESS(rte_dma_dump(dev, f), "dump dev %d", dev);
	fclose(f);
	return buf;
}

const char *
swdev_status_name(enum rte_dma_status_code st)
{
	switch (st) {
	case RTE_DMA_STATUS_SUCCESSFUL: return "SUCCESSFUL";
	case RTE_DMA_STATUS_USER_ABORT: return "USER_ABORT";
	case RTE_DMA_STATUS_NOT_ATTEMPTED: return "NOT_ATTEMPTED";
	case RTE_DMA_STATUS_INVALID_SRC_ADDR: return "INVALID_SRC_ADDR";
	case RTE_DMA_STATUS_INVALID_DST_ADDR: return "INVALID_DST_ADDR";
	case RTE_DMA_STATUS_INVALID_ADDR: return "INVALID_ADDR";
	case RTE_DMA_STATUS_INVALID_LENGTH: return "INVALID_LENGTH";
	case RTE_DMA_STATUS_INVALID_OPCODE: return "INVALID_OPCODE";
	case RTE_DMA_STATUS_BUS_READ_ERROR: return "BUS_READ_ERROR";
	case RTE_DMA_STATUS_BUS_WRITE_ERROR: return "BUS_WRITE_ERROR";
	case RTE_DMA_STATUS_BUS_ERROR: return "BUS_ERROR";
	case RTE_DMA_STATUS_DATA_POISION: return "DATA_POISON";
	case RTE_DMA_STATUS_DESCRIPTOR_READ_ERROR: return "DESCRIPTOR_READ_ERROR";
	case RTE_DMA_STATUS_DEV_LINK_ERROR: return "DEV_LINK_ERROR";
	case RTE_DMA_STATUS_PAGE_FAULT: return "PAGE_FAULT";
	case RTE_DMA_STATUS_ERROR_UNKNOWN: return "ERROR_UNKNOWN";
	}
	return "?";
}
