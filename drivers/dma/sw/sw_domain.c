/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Software IOMMU of a dma_sw device (see sw_domain.h for the model).
 *
 * Threading: every function here except sw_domain_lookup_slow() runs on a
 * control thread (probe, close, rte_dev_dma_map/unmap callers, or EAL's
 * memory-event callback with the memory hotplug lock held) and takes
 * dom->lock. sw_domain_lookup_slow() runs on the worker, reads only the
 * published snapshot and EAL's memseg lists, and never blocks.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "sw_dmadev.h"
#include "sw_domain.h"

/* An upper bound on rte_dev_dma_map ranges per device, so a runaway
 * caller gets -ENOSPC instead of eating memory.
 */
#define SW_DOMAIN_MAX_USER_MAPS	65536

const char *
sw_domain_mode_name(enum sw_domain_mode mode)
{
	return mode == SW_DOMAIN_STRICT ? "strict" : "eal";
}

static int
range_list_add(struct sw_range_list *l, uint64_t iova, uint64_t len, uint64_t va)
{
	if (l->nb == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 64;
		struct sw_range *r = realloc(l->r, cap * sizeof(*r));

		if (r == NULL)
			return -ENOMEM;
		l->r = r;
		l->cap = cap;
	}
	l->r[l->nb++] = (struct sw_range){ .iova = iova, .len = len, .va = va };
	return 0;
}

static void
range_list_del(struct sw_range_list *l, uint32_t i)
{
	memmove(&l->r[i], &l->r[i + 1], (l->nb - i - 1) * sizeof(l->r[0]));
	l->nb--;
}

/* Remove [va, va + len) from a list keyed by VA, splitting ranges that
 * straddle an edge. Used for EAL memory being freed.
 */
static int
range_list_cut_va(struct sw_range_list *l, uint64_t va, uint64_t len)
{
	uint64_t end = va + len;
	uint32_t i = 0;

	while (i < l->nb) {
		struct sw_range *r = &l->r[i];
		uint64_t r_end = r->va + r->len;

		if (r_end <= va || r->va >= end) {
			i++;
			continue;
		}
		if (r->va < va && r_end > end) {
			/* Hole in the middle: keep head here, append the tail. */
			struct sw_range tail = {
				.iova = r->iova + (end - r->va),
				.len = r_end - end,
				.va = end,
			};

			r->len = va - r->va;
			return range_list_add(l, tail.iova, tail.len, tail.va);
		}
		if (r->va < va) {
			r->len = va - r->va;
			i++;
		} else if (r_end > end) {
			r->iova += end - r->va;
			r->len = r_end - end;
			r->va = end;
			i++;
		} else {
			range_list_del(l, i);
		}
	}
	return 0;
}

static int
range_cmp_iova(const void *a, const void *b)
{
	const struct sw_range *x = a, *y = b;

	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

/* Build a sorted snapshot from both lists, merging ranges that overlap or
 * touch and translate alike (same va - iova).
 */
static struct sw_domain_table *
domain_build(const struct sw_domain *dom)
{
	uint32_t n = dom->user.nb + (dom->mode == SW_DOMAIN_EAL ? dom->eal.nb : 0);
	struct sw_domain_table *t;
	uint32_t i, out;

	t = malloc(sizeof(*t) + (n ? n : 1) * sizeof(t->r[0]));
	if (t == NULL)
		return NULL;
	/* memcpy() from NULL is undefined even for 0 bytes (empty list). */
	if (dom->user.nb != 0)
		memcpy(t->r, dom->user.r, dom->user.nb * sizeof(t->r[0]));
	if (dom->mode == SW_DOMAIN_EAL && dom->eal.nb != 0)
		memcpy(&t->r[dom->user.nb], dom->eal.r, dom->eal.nb * sizeof(t->r[0]));
	qsort(t->r, n, sizeof(t->r[0]), range_cmp_iova);

	out = 0;
	for (i = 0; i < n; i++) {
		struct sw_range *prev = out ? &t->r[out - 1] : NULL;
		const struct sw_range *cur = &t->r[i];

		if (prev != NULL && cur->iova <= prev->iova + prev->len &&
				cur->va - cur->iova == prev->va - prev->iova) {
			uint64_t end = RTE_MAX(prev->iova + prev->len, cur->iova + cur->len);

			prev->len = end - prev->iova;
			continue;
		}
		t->r[out++] = *cur;
	}
	t->nb = out;
	return t;
}

/* Publish a new snapshot; once the worker is quiescent, free the old one.
 * Called with dom->lock held.
 */
static int
domain_publish(struct sw_domain *dom)
{
	struct sw_domain_table *t = domain_build(dom), *old;

	if (t == NULL)
		return -ENOMEM;
	old = dom->table;
	/* R2: pairs with A2 in the worker; the snapshot is complete before
	 * its pointer is visible.
	 */
	__atomic_store_n(&dom->table, t, __ATOMIC_RELEASE);
	if (dom->wait_readers != NULL)
		dom->wait_readers(dom->wait_arg);
	free(old);
	return 0;
}

/* Add EAL-managed memory [va, va + len) to the eal list. In IOVA-as-VA
 * mode the whole range is one entry; otherwise one per IOVA-contiguous run.
 */
static int
domain_add_eal(struct sw_domain *dom, const struct rte_memseg_list *msl,
		uint64_t va, uint64_t len)
{
	uint64_t off, run_va = 0, run_iova = 0, run_len = 0;
	int ret;

	if (dom->iova_as_va)
		return range_list_add(&dom->eal, va, len, va);

	for (off = 0; off < len; off += msl->page_sz) {
		const struct rte_memseg *ms =
			rte_mem_virt2memseg((void *)(uintptr_t)(va + off), msl);

		if (ms == NULL || ms->iova == RTE_BAD_IOVA)
			continue;
		if (run_len != 0 && ms->iova == run_iova + run_len &&
				va + off == run_va + run_len) {
			run_len += msl->page_sz;
			continue;
		}
		if (run_len != 0) {
			ret = range_list_add(&dom->eal, run_iova, run_len, run_va);
			if (ret < 0)
				return ret;
		}
		run_va = va + off;
		run_iova = ms->iova;
		run_len = msl->page_sz;
	}
	return run_len ? range_list_add(&dom->eal, run_iova, run_len, run_va) : 0;
}

static int
domain_walk_cb(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
		size_t len, void *arg)
{
	struct sw_domain *dom = arg;

	/* External memory is looked up live (see sw_domain.h). */
	if (msl->external)
		return 0;
	return domain_add_eal(dom, msl, (uintptr_t)ms->addr, len) < 0 ? -1 : 0;
}

static void
domain_mem_event_cb(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct sw_domain *dom = arg;
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(addr);
	int ret;

	if (msl == NULL || msl->external)
		return;

	rte_spinlock_lock(&dom->lock);
	dom->nb_mem_events++;
	if (type == RTE_MEM_EVENT_ALLOC)
		ret = domain_add_eal(dom, msl, (uintptr_t)addr, len);
	else
		ret = range_list_cut_va(&dom->eal, (uintptr_t)addr, len);
	if (ret == 0)
		ret = domain_publish(dom);
	rte_spinlock_unlock(&dom->lock);
	if (ret < 0)
		SW_LOG(ERR, "domain: cannot follow memory %s of %zu bytes at %p: %s",
			type == RTE_MEM_EVENT_ALLOC ? "allocation" : "release",
			len, addr, strerror(-ret));
}

int
sw_domain_init(struct sw_domain *dom, enum sw_domain_mode mode,
		const char *dev_name, void (*wait_readers)(void *), void *wait_arg)
{
	int ret;

	memset(dom, 0, sizeof(*dom));
	rte_spinlock_init(&dom->lock);
	dom->mode = mode;
	dom->iova_as_va = rte_eal_iova_mode() == RTE_IOVA_VA;

	if (mode == SW_DOMAIN_EAL) {
		snprintf(dom->event_name, sizeof(dom->event_name), "dma_sw:%s", dev_name);
		/* Register before walking so no allocation falls between. */
		if (rte_mem_event_callback_register(dom->event_name,
				domain_mem_event_cb, dom) < 0) {
			if (rte_errno != ENOTSUP) {
				SW_LOG(ERR, "%s: cannot register memory-event callback: %s",
					dev_name, rte_strerror(rte_errno));
				return -rte_errno;
			}
			/* Legacy memory: the memory map never changes. */
			dom->event_name[0] = '\0';
		}
		if (rte_memseg_contig_walk(domain_walk_cb, dom) < 0) {
			SW_LOG(ERR, "%s: cannot record EAL memory in the domain", dev_name);
			ret = -ENOMEM;
			goto unregister;
		}
	}

	ret = domain_publish(dom);
	if (ret < 0)
		goto unregister;
	/* Only now may a later change wait for the worker. */
	dom->wait_readers = wait_readers;
	dom->wait_arg = wait_arg;
	return 0;

unregister:
	if (dom->event_name[0] != '\0')
		rte_mem_event_callback_unregister(dom->event_name, dom);
	free(dom->eal.r);
	return ret;
}

void
sw_domain_fini(struct sw_domain *dom)
{
	if (dom->event_name[0] != '\0')
		rte_mem_event_callback_unregister(dom->event_name, dom);
	dom->event_name[0] = '\0';
	free(dom->table);
	free(dom->eal.r);
	free(dom->user.r);
	dom->table = NULL;
	dom->eal = (struct sw_range_list){ 0 };
	dom->user = (struct sw_range_list){ 0 };
}

/* A user range must translate like any EAL range it overlaps. */
static bool
consistent_with_eal(const struct sw_domain *dom, uint64_t iova, uint64_t len, uint64_t va)
{
	uint32_t i;

	if (dom->mode != SW_DOMAIN_EAL)
		return true;
	for (i = 0; i < dom->eal.nb; i++) {
		const struct sw_range *r = &dom->eal.r[i];

		if (iova < r->iova + r->len && r->iova < iova + len &&
				r->va - r->iova != va - iova)
			return false;
	}
	return true;
}

int
sw_domain_map(struct sw_domain *dom, void *addr, uint64_t iova, uint64_t len)
{
	uint64_t va = (uintptr_t)addr;
	int ret = 0;
	uint32_t i;

	if (addr == NULL || len == 0 || iova + len < iova || va + len < va) {
		SW_LOG(ERR, "domain: map of addr %p iova 0x%" PRIx64 " len %" PRIu64
			" refused: %s", addr, iova, len,
			addr == NULL ? "NULL address" : len == 0 ? "zero length" :
			"range wraps around the address space");
		ret = -EINVAL;
		goto out_count;
	}

	rte_spinlock_lock(&dom->lock);
	for (i = 0; i < dom->user.nb; i++) {
		const struct sw_range *r = &dom->user.r[i];

		if (iova < r->iova + r->len && r->iova < iova + len) {
			SW_LOG(ERR, "domain: map of iova 0x%" PRIx64 " len %" PRIu64
				" refused: %s mapping iova 0x%" PRIx64 " len %" PRIu64,
				iova, len,
				r->iova == iova && r->len == len ? "duplicates" : "overlaps",
				r->iova, r->len);
			ret = -EEXIST;
			goto unlock;
		}
	}
	if (!consistent_with_eal(dom, iova, len, va)) {
		SW_LOG(ERR, "domain: map of iova 0x%" PRIx64 " len %" PRIu64
			" to %p refused: EAL memory at that IOVA has another address",
			iova, len, addr);
		ret = -EINVAL;
		goto unlock;
	}
	if (dom->user.nb >= SW_DOMAIN_MAX_USER_MAPS) {
		SW_LOG(ERR, "domain: map of iova 0x%" PRIx64 " refused: %u mappings already",
			iova, SW_DOMAIN_MAX_USER_MAPS);
		ret = -ENOSPC;
		goto unlock;
	}
	ret = range_list_add(&dom->user, iova, len, va);
	if (ret == 0) {
		ret = domain_publish(dom);
		if (ret < 0)
			dom->user.nb--;
	}
	if (ret == 0)
		dom->nb_maps++;
unlock:
	rte_spinlock_unlock(&dom->lock);
out_count:
	if (ret < 0) {
		__atomic_fetch_add(&dom->nb_map_errors, 1, __ATOMIC_RELAXED);
		rte_errno = -ret;
	}
	return ret;
}

int
sw_domain_unmap(struct sw_domain *dom, void *addr, uint64_t iova, uint64_t len)
{
	struct sw_range saved;
	int ret = -ENOENT;
	uint32_t i;

	rte_spinlock_lock(&dom->lock);
	for (i = 0; i < dom->user.nb; i++) {
		const struct sw_range *r = &dom->user.r[i];

		if (iova >= r->iova + r->len || r->iova >= iova + len)
			continue;
		if (r->iova != iova || r->len != len || r->va != (uintptr_t)addr) {
			SW_LOG(ERR, "domain: unmap of addr %p iova 0x%" PRIx64 " len %"
				PRIu64 " refused: must match a whole mapping (addr 0x%"
				PRIx64 " iova 0x%" PRIx64 " len %" PRIu64 ")",
				addr, iova, len, r->va, r->iova, r->len);
			ret = -EINVAL;
			goto unlock;
		}
		saved = *r;
		range_list_del(&dom->user, i);
		ret = domain_publish(dom);
		if (ret < 0) {
			/* Keep the mapping: better mapped than half-gone. */
			range_list_add(&dom->user, saved.iova, saved.len, saved.va);
			goto unlock;
		}
		dom->nb_unmaps++;
		goto unlock;
	}
	SW_LOG(ERR, "domain: unmap of addr %p iova 0x%" PRIx64 " len %" PRIu64
		" refused: nothing is mapped there", addr, iova, len);
unlock:
	rte_spinlock_unlock(&dom->lock);
	if (ret < 0) {
		__atomic_fetch_add(&dom->nb_map_errors, 1, __ATOMIC_RELAXED);
		rte_errno = -ret;
	}
	return ret;
}

void *
sw_domain_lookup_slow(const struct sw_domain *dom, const struct sw_domain_table *t,
		struct sw_range_cache *c, uint64_t iova, uint64_t len)
{
	const struct rte_memseg_list *msl;
	uint32_t lo = 0, hi = t->nb;
	uint64_t base;

	/* Last range whose iova <= the address. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->r[mid].iova <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0) {
		const struct sw_range *r = &t->r[lo - 1];
		uint64_t off = iova - r->iova;

		if (off < r->len && len <= r->len - off) {
			c->last = *r;
			return (void *)(uintptr_t)(r->va + off);
		}
	}

	/* External memory, found live in IOVA-as-VA mode. Not cached beyond
	 * this pass (the cache is per pass), so an rte_extmem_unregister()
	 * is honoured by the next batch.
	 */
	if (dom->mode != SW_DOMAIN_EAL || !dom->iova_as_va)
		return NULL;
	msl = rte_mem_virt2memseg_list((void *)(uintptr_t)iova);
	if (msl == NULL || !msl->external)
		return NULL;
	base = (uintptr_t)msl->base_va;
	if (iova - base >= msl->len || len > msl->len - (iova - base))
		return NULL;
	c->last = (struct sw_range){ .iova = base, .len = msl->len, .va = base };
	return (void *)(uintptr_t)iova;
}

void
sw_domain_dump(struct sw_domain *dom, FILE *f)
{
	const struct sw_domain_table *t;
	uint32_t i;

	rte_spinlock_lock(&dom->lock);
	t = dom->table;
	fprintf(f, "  domain: %s, iova %s, %u range(s) after coalescing"
		" (%u eal, %u mapped), maps %" PRIu64 ", unmaps %" PRIu64
		", refused map/unmap %" PRIu64 ", memory events %" PRIu64 "\n",
		sw_domain_mode_name(dom->mode), dom->iova_as_va ? "va" : "pa",
		t ? t->nb : 0, dom->eal.nb, dom->user.nb, dom->nb_maps,
		dom->nb_unmaps, dom->nb_map_errors, dom->nb_mem_events);
	for (i = 0; t != NULL && i < t->nb && i < 16; i++)
		fprintf(f, "    iova 0x%" PRIx64 "-0x%" PRIx64 " -> va 0x%" PRIx64 "\n",
			t->r[i].iova, t->r[i].iova + t->r[i].len, t->r[i].va);
	if (t != NULL && t->nb > 16)
		fprintf(f, "    ... %u more\n", t->nb - 16);
	rte_spinlock_unlock(&dom->lock);
}
