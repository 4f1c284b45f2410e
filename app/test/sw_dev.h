/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef SW_DEV_H
#define SW_DEV_H

/**
 * @file
 * dma_sw device helpers for the tests, all through the public API:
 * rte_vdev_init/uninit, rte_service_* for the service worker, rte_dma_*.
 * Each helper fails the test (function:line of the helper, plus the
 * caller's context in the message) instead of returning an error.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_dev.h>
#include <rte_dmadev.h>

/** lcore the tests give to the engine: its dedicated lcore or its service lcore. */
#define SWDEV_WORKER_LCORE	1

/** Service lcore new service devices are mapped to (default SWDEV_WORKER_LCORE). */
extern unsigned int swdev_service_lcore;

/** Wait budget for one expected completion batch. */
#define SWDEV_WAIT_MS		5000

/**
 * Create a dma_sw vdev with exactly these devargs (NULL: none) and return
 * its dmadev id. A service device is mapped to service lcore
 * swdev_service_lcore, which is added and started on first use.
 */
int16_t swdev_create(const char *name, const char *devargs);

/**
 * Create a device for the program's worker model (test_worker): "lcore=1"
 * is prepended in lcore mode; extra (may be NULL) is appended.
 */
int16_t swdev_create_worker(const char *name, const char *extra);

/** Map the named device's service to a service lcore and run both. */
void swdev_service_attach(const char *name, unsigned int lcore);

/**
 * Stop (run false) or resume a service-mode device's worker: its work
 * stays queued meanwhile, as when its service core is taken away.
 */
void swdev_service_run(const char *name, bool run);

/** Configure nb_vchans mem-to-mem vchans of nb_desc descriptors each. */
void swdev_configure(int16_t dev, uint16_t nb_vchans, uint16_t nb_desc);

/** swdev_create_worker + swdev_configure + rte_dma_start. */
int16_t swdev_open(const char *name, const char *extra, uint16_t nb_vchans,
		uint16_t nb_desc);

/** Remove the vdev (stops and closes the dmadev). */
void swdev_destroy(const char *name);

/** The rte_device behind a vdev name, for rte_dev_dma_map(). */
struct rte_device *swdev_device(const char *name);

/**
 * Reap exactly n completions with rte_dma_completed_status(), waiting at
 * most SWDEV_WAIT_MS; statuses go to st (n entries). Returns last_idx.
 */
uint16_t swdev_reap_status(int16_t dev, uint16_t vchan, uint16_t n,
		enum rte_dma_status_code *st);

/**
 * Reap exactly n completions with rte_dma_completed(), all successful,
 * waiting at most SWDEV_WAIT_MS; the last one must have job id last_id.
 */
void swdev_reap_ok(int16_t dev, uint16_t vchan, uint16_t n, uint16_t last_id);

/**
 * Run one operation to completion: enqueue it with RTE_DMA_OP_FLAG_SUBMIT
 * (plus flags), reap it, check its job id comes back as last_idx, and
 * return its status.
 */
enum rte_dma_status_code swdev_copy1(int16_t dev, uint16_t vchan, rte_iova_t src,
		rte_iova_t dst, uint32_t len, uint64_t flags);
enum rte_dma_status_code swdev_fill1(int16_t dev, uint16_t vchan, uint64_t pattern,
		rte_iova_t dst, uint32_t len, uint64_t flags);
enum rte_dma_status_code swdev_sg1(int16_t dev, uint16_t vchan,
		const struct rte_dma_sge *src, uint16_t nb_src,
		const struct rte_dma_sge *dst, uint16_t nb_dst, uint64_t flags);

/** Fail unless a status is the one expected. */
#define SWDEV_ASSERT_STATUS(st, expected, fmt, ...) do { \
	enum rte_dma_status_code st_ = (st), e_ = (expected); \
	if (st_ != e_) \
		test_fail_at(__func__, __LINE__, "status %s, expected %s: " fmt, \
			swdev_status_name(st_), swdev_status_name(e_), ##__VA_ARGS__); \
} while (0)

/** Wait (bounded) until rte_dma_vchan_status() says idle. */
void swdev_wait_idle(int16_t dev, uint16_t vchan);

/** Capture rte_dma_dump() output in a malloc'd string (caller frees). */
char *swdev_dump(int16_t dev);

/** The "devargs:" line of the device's dump (dma_sw, dma_offload), malloc'd. */
char *swdev_dumped_devargs(int16_t dev);

/**
 * Probe vdev name with devargs, which must fail (why says why) and leave
 * nothing behind: no dmadev added, none by that name, no vdev on the bus.
 * Callers check what else their driver must not leave.
 */
void swdev_probe_must_fail(const char *name, const char *devargs,
		const char *why);

/** Name of a dmadev status code, for messages. */
const char *swdev_status_name(enum rte_dma_status_code st);

#endif /* SW_DEV_H */
