/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef SW_DESC_H
#define SW_DESC_H

/**
 * @file
 * The "hardware" definitions of the dma_sw engine: the descriptor the
 * submitter writes and the worker reads, and the status codes the worker
 * writes back. Kept apart from the control structures, like a real
 * engine's register/descriptor header.
 */

#include <assert.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_dmadev.h>

/* Operation codes. */
#define SW_OP_COPY	0
#define SW_OP_FILL	1
#define SW_OP_COPY_SG	2

/*
 * Descriptor flags. FENCE and LLC keep the values of the dmadev op flags
 * they stand for, so the enqueue path stores (flags & SW_DESC_F_API_MASK)
 * without translating; BATCH_START is ours and marks the first descriptor
 * of a submitted batch (a fence applies within one submitted batch): the
 * submit sets it, before it publishes the batch.
 */
#define SW_DESC_F_FENCE		RTE_DMA_OP_FLAG_FENCE
#define SW_DESC_F_LLC		RTE_DMA_OP_FLAG_LLC
#define SW_DESC_F_API_MASK	(SW_DESC_F_FENCE | SW_DESC_F_LLC)
#define SW_DESC_F_BATCH_START	(1u << 7)
/*
 * Ours too, with BATCH_START: the batch it starts holds more than
 * max_batch operations, and fails whole (see vchan_submit()).
 */
#define SW_DESC_F_BATCH_OVER	(1u << 6)

/* The enqueue path stores the dmadev flags into a uint8_t: prove they fit
 * and do not collide with our own bit.
 */
static_assert(SW_DESC_F_API_MASK < (1u << 6), "dmadev op flags do not fit sw_desc.flags");
static_assert((SW_DESC_F_API_MASK & RTE_DMA_OP_FLAG_SUBMIT) == 0, "SUBMIT must not be stored");

/**
 * One operation, 32 bytes: two per cache line, none straddling.
 *
 * COPY:    src, dst are IOVAs, len bytes.
 * FILL:    src is the 64-bit pattern, dst an IOVA, len bytes.
 * COPY_SG: src is the index of the first entry in the vchan's SG ring
 *          (nb_src source entries followed by nb_dst destination entries),
 *          len the total length (equal on both sides, checked at enqueue).
 */
struct sw_desc {
	uint64_t src;
	uint64_t dst;
	uint32_t len;
	uint8_t op;
	uint8_t flags;
	uint8_t nb_src;
	uint8_t nb_dst;
	uint64_t reserved;
};

static_assert(sizeof(struct sw_desc) == 32, "sw_desc must stay 32 bytes");

/*
 * Status as written by the worker: the dmadev status code itself, stored
 * in 16 bits (RTE_DMA_STATUS_ERROR_UNKNOWN is 0x100).
 */
typedef uint16_t sw_status_t;

static_assert(RTE_DMA_STATUS_ERROR_UNKNOWN <= UINT16_MAX, "status must fit sw_status_t");

#endif /* SW_DESC_H */
