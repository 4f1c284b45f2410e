/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef SW_DOMAIN_H
#define SW_DOMAIN_H

/**
 * @file
 * The software IOMMU of a dma_sw device: which IOVA ranges the engine may
 * touch, and the virtual address behind each. Every source and destination
 * range of every operation is looked up here before a byte moves; a miss
 * fails the operation with an error status and nothing is written.
 *
 * Two lists feed it, both owned by the control path and guarded by
 * sw_domain.lock:
 *  - eal:  the memory DPDK's EAL manages (internal memseg lists), walked at
 *          probe and followed through memory-event callbacks. Only in
 *          SW_DOMAIN_EAL mode.
 *  - user: ranges mapped for this device with rte_dev_dma_map(). Both modes.
 * Memory registered with rte_extmem_register() raises no memory event, so
 * in SW_DOMAIN_EAL mode (IOVA as VA only) a miss looks the address up in
 * EAL's live memseg lists and accepts it when it lies wholly inside an
 * external one.
 *
 * The worker reads an immutable, sorted and coalesced snapshot
 * (struct sw_domain_table) published with a release store; the control
 * path builds a new snapshot on each change, publishes it, then waits for
 * the worker to pass a quiescent point (sw_domain.wait_readers) before
 * freeing the old one. After a call that shrinks the domain returns, the
 * engine touches none of the removed memory.
 *
 * Snapshots and lists use libc malloc: memory events arrive with EAL's
 * memory hotplug lock held, where rte_malloc could deadlock.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_spinlock.h>

enum sw_domain_mode {
	SW_DOMAIN_EAL,		/**< EAL memory + extmem + rte_dev_dma_map */
	SW_DOMAIN_STRICT,	/**< only rte_dev_dma_map ranges */
};

/** One range: [iova, iova + len) translates to [va, va + len). */
struct sw_range {
	uint64_t iova;
	uint64_t len;
	uint64_t va;
};

/** Immutable snapshot read by the worker. Sorted by iova, coalesced. */
struct sw_domain_table {
	uint32_t nb;
	struct sw_range r[];
};

/** Worker-side one-entry cache, valid for one processing pass. */
struct sw_range_cache {
	struct sw_range last;
};

struct sw_range_list {
	struct sw_range *r;
	uint32_t nb;
	uint32_t cap;
};

struct sw_domain {
	/* Read by the worker: R2 in sw_domain_publish, A2 in the worker. */
	struct sw_domain_table *table;
	enum sw_domain_mode mode;
	bool iova_as_va;

	/* Control path only, under lock. */
	rte_spinlock_t lock;
	struct sw_range_list eal;
	struct sw_range_list user;
	char event_name[64];	/**< memory-event callback name, "" if none */
	void (*wait_readers)(void *arg);
	void *wait_arg;

	/* Counters, written under lock, read by dump. */
	uint64_t nb_maps;
	uint64_t nb_unmaps;
	uint64_t nb_map_errors;
	uint64_t nb_mem_events;
};

int sw_domain_init(struct sw_domain *dom, enum sw_domain_mode mode,
		const char *dev_name, void (*wait_readers)(void *), void *wait_arg);
void sw_domain_fini(struct sw_domain *dom);
int sw_domain_map(struct sw_domain *dom, void *addr, uint64_t iova, uint64_t len);
int sw_domain_unmap(struct sw_domain *dom, void *addr, uint64_t iova, uint64_t len);
void sw_domain_dump(struct sw_domain *dom, FILE *f);
const char *sw_domain_mode_name(enum sw_domain_mode mode);

void *sw_domain_lookup_slow(const struct sw_domain *dom,
		const struct sw_domain_table *t, struct sw_range_cache *c,
		uint64_t iova, uint64_t len);

/**
 * Translate [iova, iova + len) to a virtual address, or NULL when any byte
 * of it lies outside the domain. Zero-length ranges touch nothing and are
 * always allowed. Worker context; never blocks.
 */
static __rte_always_inline void *
sw_domain_lookup(const struct sw_domain *dom, const struct sw_domain_table *t,
		struct sw_range_cache *c, uint64_t iova, uint64_t len)
{
	uint64_t off = iova - c->last.iova;

	/* Written so that iova + len cannot overflow. */
	if (likely(off < c->last.len && len <= c->last.len - off))
		return (void *)(uintptr_t)(c->last.va + off);
	if (unlikely(len == 0))
		return (void *)(uintptr_t)1; /* never dereferenced */
	return sw_domain_lookup_slow(dom, t, c, iova, len);
}

#endif /* SW_DOMAIN_H */
