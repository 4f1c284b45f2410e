/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The NUMA node of a buffer, for the engine choice: with engines on
 * several nodes, a copy goes preferably to an engine on the node of its
 * destination (see oc_pick()).
 *
 * Where a node comes from:
 *  - memory of EAL's own memseg lists: the list's socket;
 *  - memory registered with the library (external memory, guest regions):
 *    the node the kernel placed the segment's first and last pages on,
 *    asked once, at registration (get_mempolicy(MPOL_F_NODE|MPOL_F_ADDR));
 *    unknown when they differ (interleaved memory);
 *  - anything else: unknown, and the queue's own node decides as before.
 *
 * The fast path keeps the range of the last answer per queue, so a run of
 * copies into one memseg list or one registered segment asks once. The
 * answer is a placement hint, never a safety matter: a range unregistered
 * and reused for memory of another node keeps its cached node until the
 * queue looks outside it.
 */

#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/mempolicy.h>

#include <rte_memory.h>

#include "ocopy_internal.h"

/* What an unknown answer covers: the page around the address. */
#define OC_NODE_UNKNOWN_SPAN	4096

static int
oc_page_node(uintptr_t va)
{
	int node = -1;

	/* get_mempolicy(2), without linking libnuma for one call. */
	if (syscall(SYS_get_mempolicy, &node, NULL, 0UL, (void *)va,
			(unsigned long)(MPOL_F_NODE | MPOL_F_ADDR)) != 0)
		return -1;
	return node;
}

int
oc_va_node(uintptr_t va, size_t len)
{
	int first, last;

	if (len == 0)
		return -1;
	first = oc_page_node(va);
	last = oc_page_node(va + len - 1);
	return first == last ? first : -1;
}

int16_t
oc_buf_node_lookup(struct ocopy_queue *q, uintptr_t va)
{
	const struct rte_memseg_list *msl;
	uintptr_t lo;
	size_t len;
	int node;

	msl = rte_mem_virt2memseg_list((void *)va);
	if (msl != NULL && !msl->external && msl->socket_id >= 0) {
		lo = (uintptr_t)msl->base_va;
		len = msl->len;
		node = msl->socket_id;
	} else {
		int ret = oc_map_node(q->oc, va, &lo, &len, &node);

		if (ret == -EBUSY)
			return -1;	/* ask again next time */
		if (ret != 0) {
			lo = RTE_ALIGN_FLOOR(va, OC_NODE_UNKNOWN_SPAN);
			len = OC_NODE_UNKNOWN_SPAN;
			node = -1;
		}
	}
	q->node_lo = lo;
	q->node_len = len;
	q->node_cached = (int16_t)node;
	return (int16_t)node;
}
