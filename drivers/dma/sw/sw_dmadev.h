/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef SW_DMADEV_H
#define SW_DMADEV_H

/**
 * @file
 * dma_sw internals: a software DMA engine whose copies run on a core other
 * than the submitter's.
 *
 * Per vchan, one single-producer single-consumer descriptor ring:
 *
 *   submitter (datapath lcore)            worker (service or dedicated lcore)
 *   enq: write ring[enq], enq++
 *   submit: tail = enq          --R0-->   A0: read tail
 *                                         run ring[done .. tail), write status
 *                                         rte_wmb if non-temporal stores ran
 *   A1: read done, err_total   <--R1--    done = ..., err_total = ...
 *   completed: cpl .. done
 *
 * Job ids are the free-running 16-bit enq counter, reset to 0 by start.
 * The ring holds nb_desc (a power of two <= 32768) operations, so
 * (enq - cpl) never wraps ambiguously.
 *
 * Life cycle (dmadev's): probe -> configure -> vchan_setup... -> start <->
 * stop -> close. The worker runs only between start and stop; stop waits
 * for it to leave, then runs whatever was submitted but not yet run on the
 * calling thread, so every submitted copy is done before stop returns.
 * Operations enqueued but never submitted are discarded (and counted).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_dev.h>
#include <rte_log.h>

#include "sw_copy.h"
#include "sw_desc.h"
#include "sw_domain.h"

extern int sw_logtype;
#define SW_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, sw_logtype, "dma_sw: " fmt "\n", ##__VA_ARGS__)

#define SW_MAX_VCHANS		16
#define SW_MIN_DESC		32
#define SW_MAX_DESC		32768	/* (enq - cpl) must stay < 65536 */
#define SW_MAX_SGES		16
#define SW_SGE_PER_DESC		2	/* SG ring entries per descriptor */
#define SW_WORKER_BUDGET	256	/* descriptors per vchan per pass... */
#define SW_PASS_BYTES		(256 * 1024)	/* ...or about this many bytes */
#define SW_NT_THRESHOLD_DEFAULT	(64 * 1024)
#define SW_NT_MIN		64

static_assert(SW_MAX_DESC <= 32768, "job ids are 16-bit free-running counters");
static_assert(SW_MAX_SGES < 256, "sg counts are stored in uint8_t");

/** Worker-side statistics, written by the worker only. */
struct sw_worker_stats {
	uint64_t ops;
	uint64_t bytes;
	uint64_t nt_bytes;
	uint64_t fills;
	uint64_t sg_ops;
	uint64_t bad_src;
	uint64_t bad_dst;
	uint64_t not_attempted;
	uint64_t batch_over;	/* ops failed in batches over max_batch */
};

struct sw_vchan {
	/* Ring configuration: set by vchan_setup, then only read, by both
	 * sides. Kept off the lines either side writes (false sharing here
	 * cost the submitter ~70 cycles per op).
	 */
	struct sw_desc *ring;
	sw_status_t *status;		/* written by the worker */
	struct rte_dma_sge *sge;	/* SG ring */
	uint16_t mask;
	uint16_t capacity;		/* nb_desc while started, else 0 */
	uint16_t batch_cap;		/* max_batch, UINT16_MAX without it */
	uint32_t sge_mask;

	/* Submitter: written by the datapath lcore only. */
	uint16_t enq __rte_cache_aligned;	/* next job id */
	uint16_t cpl;			/* next job id to reap */
	uint16_t submitted_upto;	/* enq at the last submit */
	uint32_t sge_enq;
	uint64_t err_reaped;		/* errors handed to the application */
	uint64_t st_submitted;
	uint64_t st_completed;
	uint64_t st_errors;

	/* Published by the submitter: R0 in sw_submit, A0 in the worker. */
	uint16_t tail __rte_cache_aligned;

	/* Published by the worker: R1 in the worker, A1 in completed*(). */
	uint16_t done __rte_cache_aligned;
	uint32_t sge_done;		/* SG ring entries the worker consumed */
	uint64_t err_total;		/* failed ops, cumulative */

	/* Worker private. */
	bool fence_err __rte_cache_aligned;	/* failure earlier in this batch */
	bool batch_over;		/* this batch is over max_batch: fails */
	struct sw_range_cache src_cache;
	struct sw_range_cache dst_cache;
	struct sw_worker_stats wst;

	/* Control path. */
	uint16_t nb_desc __rte_cache_aligned;
	uint64_t discarded;		/* enqueued, never submitted, at stop */
	uint64_t drained;		/* run by stop on the calling thread */
};

enum sw_worker_kind {
	SW_WORKER_SERVICE,
	SW_WORKER_LCORE,
};

struct sw_dmadev {
	/* Read by the fast path. */
	struct sw_vchan *vchans;	/* nb_vchans entries, rte_malloc'd */
	uint16_t nb_vchans;

	/* Worker. */
	uint32_t run __rte_cache_aligned;	/* 1 while started */
	uint32_t wseq;		/* odd while the worker is inside a pass */
	const struct sw_kernel *kernel;
	uint32_t nt_threshold;	/* UINT32_MAX: never non-temporal */
	uint16_t max_batch;	/* devarg: 0, no limit */
	struct sw_domain domain;

	/* Control path. */
	char name[RTE_DEV_NAME_MAX_LEN] __rte_cache_aligned;
	int16_t dev_id;
	int socket_id;
	enum sw_worker_kind worker;
	unsigned int lcore;		/* SW_WORKER_LCORE */
	uint32_t service_id;		/* SW_WORKER_SERVICE; SW_WORKER_LCORE
					 * while started */
	bool service_registered;
	bool lcore_running;		/* SW_WORKER_LCORE: lcore a service
					 * lcore running the worker */
	const char *kernel_req;		/* devarg, NULL: auto */
};

/* sw_worker.c */
unsigned int sw_worker_pass(struct sw_dmadev *sw);
int sw_worker_service_cb(void *arg);
void sw_worker_wait_quiescent(void *arg);
void sw_vchan_run_inline(struct sw_dmadev *sw, struct sw_vchan *vc);

/* sw_fp.c */
int sw_copy(void *dev_private, uint16_t vchan, rte_iova_t src, rte_iova_t dst,
		uint32_t length, uint64_t flags);
int sw_copy_sg(void *dev_private, uint16_t vchan, const struct rte_dma_sge *src,
		const struct rte_dma_sge *dst, uint16_t nb_src, uint16_t nb_dst,
		uint64_t flags);
int sw_fill(void *dev_private, uint16_t vchan, uint64_t pattern, rte_iova_t dst,
		uint32_t length, uint64_t flags);
int sw_submit(void *dev_private, uint16_t vchan);
uint16_t sw_completed(void *dev_private, uint16_t vchan, const uint16_t nb_cpls,
		uint16_t *last_idx, bool *has_error);
uint16_t sw_completed_status(void *dev_private, uint16_t vchan,
		const uint16_t nb_cpls, uint16_t *last_idx,
		enum rte_dma_status_code *status);
uint16_t sw_burst_capacity(const void *dev_private, uint16_t vchan);

#endif /* SW_DMADEV_H */
