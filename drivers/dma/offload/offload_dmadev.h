/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef OFFLOAD_DMADEV_H
#define OFFLOAD_DMADEV_H

/**
 * @file
 * dma_offload internals: a dmadev whose operations go to lib/offload_copy,
 * which runs each one on a DMA engine (other dmadevs) or on the CPU.
 *
 *   rte_dma_copy(dma_offload0, vchan v) ──> ocopy queue v ──┬── engine A, vchan v
 *                                                          ├── engine B, vchan v
 *                                                          └── CPU (the caller)
 *
 * Life cycle (dmadev's): probe parses and checks the devargs (engines
 * resolved by name, which must exist already), configure records the
 * vchan count, vchan_setup each ring size; start creates the ocopy
 * instance (one queue per vchan), which configures and starts the engines;
 * stop destroys it, which drains the queues and stops the engines. The
 * engines belong to the device only while it is started.
 *
 * Ring indexes are the library's op indexes: uint16, one per accepted op,
 * 0 after every start. Plain copies are staged (OFFLOAD_STAGE) and given
 * to the library in a burst by the submit; their indexes are those the
 * library gives them then. The library may run an op on the CPU as soon
 * as it gets it; the device hands out a completion only for ops
 * submitted (rte_dma_submit() or RTE_DMA_OP_FLAG_SUBMIT), so the dmadev
 * contract holds: nothing completes before its submit.
 *
 * Operations on an address in the first page of the address space (NULL
 * and the like, which no mapping can back) are not given to the engines
 * or the CPU: the device completes them with INVALID_SRC_ADDR or
 * INVALID_DST_ADDR itself. A zero-length CPU fill of a scratch word holds
 * their place in the library's ring, so indexes stay the library's; a
 * FIFO per vchan records which indexes fail, and with which status.
 *
 * Threading: one lcore per vchan at a time (dmadev's rule, and the
 * library's for a queue); control calls from one thread at a time.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_dmadev.h>
#include <rte_log.h>

#include <ocopy.h>

extern int offload_logtype;
#define OFFLOAD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, offload_logtype, "dma_offload: " fmt "\n", \
		##__VA_ARGS__)

#define OFFLOAD_MIN_DESC	32
#define OFFLOAD_MAX_DESC	OCOPY_QUEUE_SIZE_MAX
#define OFFLOAD_MAX_VCHANS	OCOPY_MAX_QUEUES
#define OFFLOAD_MAX_SGES	OCOPY_MAX_SGES
/* Addresses below this are never valid: Linux maps nothing in the first
 * page (vm.mmap_min_addr is at least 4096 on every distribution).
 */
#define OFFLOAD_MIN_ADDR	4096

/*
 * Plain copies (no flag but submit) are gathered per vchan up to this
 * many and given to the library in one ocopy_copy_burst() at the submit
 * (or when the stage is full, or before any other op): the library's
 * cheapest path, with its decisions and bookkeeping made once a run.
 */
#define OFFLOAD_STAGE		64

/* Statuses in the FIFO of failed indexes: index | status << 16. */
#define OFFLOAD_BAD_IDX(e)	((uint16_t)(e))
#define OFFLOAD_BAD_STATUS(e)	((uint16_t)((e) >> 16))

struct offload_vchan {
	/* Fast path: written by the vchan's datapath lcore only. */
	struct ocopy_queue *q;	/* NULL while the device is stopped */
	uint16_t sub;		/* ops up to here (exclusive) are submitted */
	uint16_t cpl;		/* next index to hand out as completed */
	uint32_t bad_head;	/* FIFO of failed indexes: next to fill */
	uint32_t bad_tail;	/* ... next to hand out */
	uint32_t bad_mask;
	uint32_t *bad;		/* queue size entries */
	uint64_t scratch;	/* target of the place-holding fills */
	uint64_t st_submitted;
	uint64_t st_completed;
	uint64_t st_errors;
	uint64_t st_bad_addr;	/* refused by the address check */
	/* Plain copies not yet given to the library: their indexes follow
	 * the library's next one, room for them kept in its ring.
	 */
	uint16_t nb_staged;
	void *stage_dst[OFFLOAD_STAGE];
	const void *stage_src[OFFLOAD_STAGE];
	uint32_t stage_len[OFFLOAD_STAGE];

	/* Control path. */
	uint16_t nb_desc __rte_cache_aligned;	/* as set up; 0: not set up */
};

struct offload_dmadev {
	/* Read by the fast path. */
	struct offload_vchan *vchans;	/* nb_vchans entries, rte_malloc'd */
	uint16_t nb_vchans;

	/* Control path. */
	struct ocopy *oc __rte_cache_aligned;	/* while started */
	char name[RTE_DEV_NAME_MAX_LEN];
	int16_t dev_id;
	int socket_id;			/* socket=, else SOCKET_ID_ANY */
	char *devargs;			/* as given (libc), parsed again at start */
	uint32_t queue_size;		/* of the running instance */
	uint64_t starts;
};

/* offload_fp.c */
int offload_dmadev_copy(void *dev_private, uint16_t vchan, rte_iova_t src,
		rte_iova_t dst, uint32_t length, uint64_t flags);
int offload_dmadev_copy_sg(void *dev_private, uint16_t vchan,
		const struct rte_dma_sge *src, const struct rte_dma_sge *dst,
		uint16_t nb_src, uint16_t nb_dst, uint64_t flags);
int offload_dmadev_fill(void *dev_private, uint16_t vchan, uint64_t pattern,
		rte_iova_t dst, uint32_t length, uint64_t flags);
int offload_dmadev_submit(void *dev_private, uint16_t vchan);
uint16_t offload_dmadev_completed(void *dev_private, uint16_t vchan,
		const uint16_t nb_cpls, uint16_t *last_idx, bool *has_error);
uint16_t offload_dmadev_completed_status(void *dev_private, uint16_t vchan,
		const uint16_t nb_cpls, uint16_t *last_idx,
		enum rte_dma_status_code *status);
uint16_t offload_dmadev_burst_capacity(const void *dev_private, uint16_t vchan);

#endif /* OFFLOAD_DMADEV_H */
